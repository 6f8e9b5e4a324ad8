//! Twitch chat over EventSub's websocket and chat moderation on Helix, with the real client
//! against the Twitch simulator on loopback: lines with their authors, roles and ids, the
//! move on `session_reconnect`, the failures that end a connection (missing scope, dropped
//! socket, silence, revocation), and delete, timeout and ban with Helix's refusals.

use crate::common;

use crate::common::EventParts;
use common::sims::sim_with;
use stagehand::error::{ErrorKind, PlatformError};
use stagehand::model::{ChatEvent, EventKind, ModerationAction, TargetUser};
use stagehand::platform::PlatformClient;
use stagehand::platform::chat_feed::ChatFeedItem;
use stagehand::platform::twitch::TwitchConfig;
use stagehand::platform::twitch::{self, TwitchClient};
use stagehand::secret::Secret;
use stagehand::sim::twitch::{SimTokens, SimUser, TwitchSim, TwitchSimOptions};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How long any one wait may last before the test gives up (a bound, not a timing).
const PATIENCE: Duration = Duration::from_secs(20);

fn client_with(sim: &TwitchSim, tokens: &SimTokens) -> PlatformClient {
    let mut c = TwitchConfig::new(&sim.helix_base(), &sim.auth_origin(), TwitchSim::CLIENT_ID)
        .expect("loopback bases");
    c.access_token = Some(Secret::new(tokens.access_token.clone()));
    c.refresh_token = Some(Secret::new(tokens.refresh_token.clone()));
    PlatformClient::new(TwitchClient::new(c).expect("client"))
}

fn streamer(sim: &TwitchSim) -> PlatformClient {
    client_with(sim, &sim.streamer_tokens())
}

fn twitch(p: &PlatformClient) -> &TwitchClient {
    p.downcast_ref().expect("a Twitch client")
}

/// A chat feed running in the background.
struct Feed {
    rx: mpsc::UnboundedReceiver<ChatFeedItem>,
    task: JoinHandle<Result<(), PlatformError>>,
}

fn follow(client: &PlatformClient) -> Feed {
    let (tx, rx) = mpsc::unbounded_channel();
    let client = client.clone();
    let task = tokio::spawn(async move { client.follow_chat(&tx).await });
    Feed { rx, task }
}

impl Feed {
    async fn next(&mut self) -> ChatFeedItem {
        tokio::time::timeout(PATIENCE, self.rx.recv())
            .await
            .expect("the feed reports within the patience")
            .expect("the feed is still up")
    }

    async fn connected(&mut self) {
        assert_eq!(self.next().await, ChatFeedItem::Connected);
    }

    /// Lines until one with `id` arrives; answers all of them.
    async fn until(&mut self, id: &str) -> Vec<ChatEvent> {
        let mut seen = Vec::new();
        loop {
            match self.next().await {
                ChatFeedItem::Events(lines) => {
                    let done = lines.iter().any(|l| l.id.as_deref() == Some(id));
                    seen.extend(lines);
                    if done {
                        return seen;
                    }
                }
                ChatFeedItem::Connected => panic!("connected twice"),
                ChatFeedItem::Backlog(_) => panic!("EventSub has no backlog"),
            }
        }
    }

    /// How following ended.
    async fn ended(self) -> Result<(), PlatformError> {
        let Feed { rx, task } = self;
        let result = tokio::time::timeout(PATIENCE, task)
            .await
            .expect("following ends within the patience")
            .expect("the task did not panic");
        drop(rx);
        result
    }
}

/// Waits (boundedly) until `cond` holds in the simulator.
async fn until(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..400 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for {what}");
}

/// A moderator of the streamer's channel, by login.
async fn a_moderator(sim: &TwitchSim, p: &PlatformClient) -> String {
    let mods = twitch(p)
        .moderators(&sim.streamer().user_id)
        .await
        .expect("moderators");
    mods.into_iter()
        .find_map(|m| m.user_login)
        .expect("the channel has a moderator")
}

// ---------------------------------------------------------------- reading chat

#[tokio::test]
async fn a_viewer_s_line_arrives_with_author_roles_and_id() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let p = streamer(&sim);
    assert!(p.capabilities().moderation, "Twitch offers moderation");
    let moderator = a_moderator(&sim, &p).await;
    let mut feed = follow(&p);
    feed.connected().await;
    let id = sim.say(&moderator, "hello from a mod").expect("said");
    let lines = feed.until(&id).await;
    let line = lines.last().expect("the line");
    assert_eq!(line.text(), "hello from a mod");
    assert_eq!(line.kind.name(), "message");
    assert_eq!(line.author().name.as_deref(), Some(moderator.as_str()));
    assert!(line.author().id.is_some());
    assert!(
        line.author().roles.iter().any(|r| r == "moderator"),
        "roles from badges: {:?}",
        line.author().roles
    );
    assert!(line.at.unix_timestamp() > 0, "the notification's timestamp");
    let plain = sim
        .say(&sim.viewer_user().login, "just watching")
        .expect("said");
    let lines = feed.until(&plain).await;
    let line = lines.last().expect("the line");
    assert_eq!(line.author().display_name, sim.viewer_user().display_name);
    assert!(!line.author().roles.iter().any(|r| r == "moderator"));
    // The streamer's own line comes back with the id the send answered and the badge.
    let sent = p
        .send_chat("welcome everyone", None)
        .await
        .expect("sent")
        .expect("an id");
    let lines = feed.until(&sent).await;
    let echo = lines.last().expect("the echo");
    assert_eq!(echo.text(), "welcome everyone");
    assert!(echo.author().roles.iter().any(|r| r == "broadcaster"));
    assert_eq!(
        echo.author().id.as_deref(),
        Some(sim.streamer().user_id.as_str())
    );
    // One subscription each for chat, notices, removals, follows and bans, on one session
    // (channel.ban says what the cleared lines would, and a time-out's end).
    let subs = sim.eventsub_subscriptions();
    let kinds: Vec<_> = subs.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "channel.chat.message",
            "channel.chat.notification",
            "channel.chat.message_delete",
            "channel.follow",
            "channel.ban"
        ]
    );
    assert!(subs.iter().all(|s| s.status == "enabled"));
    drop(feed.rx);
    let ended = tokio::time::timeout(PATIENCE, feed.task)
        .await
        .expect("ends")
        .expect("no panic");
    assert_eq!(ended, Ok(()), "a closed sink ends following quietly");
}

#[tokio::test]
async fn a_reconnect_is_followed_without_losing_lines_or_subscribing_again() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let p = streamer(&sim);
    let viewer = sim.viewer_user().login;
    let mut feed = follow(&p);
    feed.connected().await;
    let first = sim.say(&viewer, "before the move").expect("said");
    feed.until(&first).await;
    // What the old connection still carries reaches the client only after the new one is
    // welcomed: the client must read the old one to its end.
    sim.eventsub_lag_until_moved(true);
    assert_eq!(sim.eventsub_reconnect(), 1);
    // Said while the client moves, on the old connection: never lost.
    let during: Vec<String> = (0..5)
        .map(|n| {
            sim.say(&viewer, &format!("during the move {n}"))
                .expect("said")
        })
        .collect();
    until("the session to move", || {
        sim.eventsub_moves() == 1 && sim.eventsub_connections() == 1
    })
    .await;
    let after = sim.say(&viewer, "after the move").expect("said");
    // The new connection's line may come before the old one's last ones: wait for all.
    let mut lines = Vec::new();
    for id in during.iter().chain([&after]) {
        if !lines
            .iter()
            .any(|l: &ChatEvent| l.id.as_deref() == Some(id.as_str()))
        {
            lines.extend(feed.until(id).await);
        }
    }
    for id in &during {
        assert_eq!(
            lines.iter().filter(|l| l.id.as_deref() == Some(id)).count(),
            1,
            "{id} arrives once"
        );
    }
    let subs = sim.eventsub_subscriptions();
    assert_eq!(subs.len(), 5, "the subscriptions moved with the session");
    assert!(subs.iter().all(|s| s.status == "enabled"));
    assert!(!feed.task.is_finished(), "still following");
}

#[tokio::test]
async fn a_sign_in_without_user_read_chat_gets_a_clear_error() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let scopes: Vec<&str> = twitch::SCOPES
        .iter()
        .copied()
        .filter(|s| *s != "user:read:chat")
        .collect();
    let p = client_with(&sim, &sim.issue_tokens(&scopes));
    let feed = follow(&p);
    let e = feed.ended().await.expect_err("no scope, no chat");
    assert_eq!(e.kind(), ErrorKind::Auth);
    let text = e.to_string();
    assert!(text.contains("user:read:chat"), "{text}");
    assert!(text.contains("sign in to Twitch again"), "{text}");
    assert!(
        !text.contains(&sim.streamer_tokens().access_token),
        "no token in errors"
    );
}

#[tokio::test]
async fn follows_are_optional_chat_notices_are_not() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    // An older sign-in without the followers scope still reads chat.
    let scopes: Vec<&str> = twitch::SCOPES
        .iter()
        .copied()
        .filter(|s| *s != "moderator:read:followers")
        .collect();
    let p = client_with(&sim, &sim.issue_tokens(&scopes));
    let mut feed = follow(&p);
    feed.connected().await;
    let kinds: Vec<_> = sim
        .eventsub_subscriptions()
        .into_iter()
        .map(|s| s.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "channel.chat.message",
            "channel.chat.notification",
            "channel.chat.message_delete",
            "channel.ban"
        ]
    );
}

#[tokio::test]
async fn a_dropped_socket_ends_following_and_a_new_connection_subscribes_again() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let p = streamer(&sim);
    let mut feed = follow(&p);
    feed.connected().await;
    let old_session = sim.eventsub_subscriptions()[0].session_id.clone();
    assert_eq!(sim.eventsub_drop(), 1);
    let e = feed.ended().await.expect_err("the socket is gone");
    assert!(
        matches!(e, PlatformError::Network { .. }),
        "a network failure: {e}"
    );
    until("the old session to end", || sim.eventsub_connections() == 0).await;
    assert!(
        sim.eventsub_subscriptions()
            .iter()
            .all(|s| s.status == "websocket_disconnected"),
        "Twitch disables a lost session's subscriptions"
    );
    // Following again (the backend's retry) makes a new session and subscribes again.
    let mut again = follow(&p);
    again.connected().await;
    let enabled: Vec<_> = sim
        .eventsub_subscriptions()
        .into_iter()
        .filter(|s| s.status == "enabled")
        .collect();
    assert_eq!(enabled.len(), 5, "chat, notices, two removals, follows");
    assert!(enabled.iter().all(|s| s.session_id != old_session));
    let id = sim
        .say(&sim.viewer_user().login, "back again")
        .expect("said");
    again.until(&id).await;
}

#[tokio::test]
async fn silence_past_the_keepalive_timeout_ends_following() {
    let sim = sim_with(TwitchSimOptions {
        eventsub_keepalive_secs: 1,
        ..TwitchSimOptions::default()
    })
    .await;
    let p = streamer(&sim);
    let mut feed = follow(&p);
    feed.connected().await;
    sim.eventsub_keepalives(false);
    let e = feed.ended().await.expect_err("silence");
    assert!(matches!(e, PlatformError::Timeout { .. }), "{e}");
}

#[tokio::test]
async fn a_revocation_ends_following_with_a_sentence() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let p = streamer(&sim);
    let mut feed = follow(&p);
    feed.connected().await;
    assert_eq!(sim.eventsub_revoke("authorization_revoked"), 5);
    let e = feed.ended().await.expect_err("revoked");
    assert_eq!(e.kind(), ErrorKind::Auth);
    let text = e.to_string();
    assert!(text.contains("withdrawn"), "{text}");
    assert!(text.contains("sign in to Twitch again"), "{text}");
}

#[tokio::test]
async fn a_refused_socket_is_an_error_not_a_hang() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    sim.inject(
        stagehand::sim::twitch::FaultRule::new(stagehand::sim::twitch::Fault::Status(
            stagehand::sim::twitch::ErrorAnswer {
                http: 503,
                message: "unavailable".into(),
            },
        ))
        .on_path("/ws"),
    );
    let feed = follow(&streamer(&sim));
    let e = feed.ended().await.expect_err("no socket");
    assert!(e.to_string().contains("HTTP 503"), "{e}");
}

// ---------------------------------------------------------------- moderation

/// The next removal the feed reports (a delete or a ban), lines before it skipped.
async fn next_removal(feed: &mut Feed) -> ChatEvent {
    loop {
        match feed.next().await {
            ChatFeedItem::Events(events) => {
                if let Some(e) = events
                    .into_iter()
                    .find(|e| matches!(e.kind, EventKind::Delete { .. } | EventKind::Ban { .. }))
                {
                    return e;
                }
            }
            other => panic!("expected a removal, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn removals_made_anywhere_reach_the_feed() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let p = streamer(&sim);
    let mut feed = follow(&p);
    feed.connected().await;
    let viewer = sim.viewer_user();
    let id = sim.say(&viewer.login, "delete me").expect("said");
    feed.until(&id).await;
    // Any moderator's delete (here the streamer's own client, as another app would).
    p.moderate(
        &ModerationAction::DeleteMessage {
            user: TargetUser::Id(viewer.user_id.clone()),
            message_id: id.clone(),
        },
        None,
    )
    .await
    .expect("deleted");
    assert_eq!(
        next_removal(&mut feed).await.kind,
        EventKind::Delete { message_id: id }
    );
    p.moderate(
        &ModerationAction::Timeout {
            user: TargetUser::Id(viewer.user_id.clone()),
            secs: 60,
            reason: None,
        },
        None,
    )
    .await
    .expect("timed out");
    let cleared = next_removal(&mut feed).await;
    assert!(
        matches!(cleared.kind, EventKind::Ban { until: Some(end) } if end > time::OffsetDateTime::now_utc()),
        "a time-out with its end: {:?}",
        cleared.kind
    );
    assert_eq!(
        cleared.author().id.as_deref(),
        Some(viewer.user_id.as_str())
    );
}

#[tokio::test]
async fn a_message_is_deleted_and_an_unknown_one_is_refused() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let p = streamer(&sim);
    let viewer = sim.viewer_user();
    let id = sim.say(&viewer.login, "something rude").expect("said");
    p.moderate(
        &ModerationAction::DeleteMessage {
            user: TargetUser::Id(viewer.user_id.clone()),
            message_id: id.clone(),
        },
        None,
    )
    .await
    .expect("deleted");
    let logged = sim
        .chat_log()
        .into_iter()
        .find(|l| l.message_id == id)
        .expect("logged");
    assert!(logged.deleted, "the simulator deleted it");
    let e = p
        .moderate(
            &ModerationAction::DeleteMessage {
                user: TargetUser::Id(viewer.user_id.clone()),
                message_id: "00000000-0000-4000-8000-000000000000".into(),
            },
            None,
        )
        .await
        .expect_err("unknown message");
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.to_string().contains("message_id was not found"), "{e}");
}

#[tokio::test]
async fn timeouts_and_bans_by_id_and_by_name() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let p = streamer(&sim);
    let viewer = sim.viewer_user();
    p.moderate(
        &ModerationAction::Timeout {
            user: TargetUser::Id(viewer.user_id.clone()),
            secs: 600,
            reason: Some("calm down".into()),
        },
        None,
    )
    .await
    .expect("timed out");
    assert!(sim.is_banned(&viewer.user_id));
    assert!(
        sim.say(&viewer.login, "can I talk?").is_none(),
        "kept quiet"
    );
    // A ban by name: the login is looked up first.
    let moderator = a_moderator(&sim, &p).await;
    let chatter = {
        let chatters = p.viewers(None).await.expect("chatters");
        chatters
            .viewers
            .into_iter()
            .find(|v| v.roles.is_empty() && v.name != viewer.login && v.name != moderator)
            .expect("an ordinary chatter")
            .name
    };
    p.moderate(
        &ModerationAction::Ban {
            user: TargetUser::Name(format!("@{}", chatter.to_uppercase())),
            reason: None,
        },
        None,
    )
    .await
    .expect("banned by name");
    let chatter_id = twitch(&p)
        .user_by_login(&chatter)
        .await
        .expect("lookup")
        .and_then(|u| u.id)
        .expect("an id");
    assert!(sim.is_banned(&chatter_id));
    // Twitch refuses a second ban, and says why.
    let e = p
        .moderate(
            &ModerationAction::Ban {
                user: TargetUser::Id(chatter_id),
                reason: None,
            },
            None,
        )
        .await
        .expect_err("already banned");
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("already banned"), "{e}");
}

#[tokio::test]
async fn refusals_come_back_as_sentences() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let p = streamer(&sim);
    let before = sim.request_count();
    let e = p
        .moderate(
            &ModerationAction::Timeout {
                user: TargetUser::Name("someone".into()),
                secs: 0,
                reason: None,
            },
            None,
        )
        .await
        .expect_err("a zero timeout");
    assert!(e.to_string().contains("1 to 1209600"), "{e}");
    assert_eq!(sim.request_count(), before, "refused before sending");
    let e = p
        .moderate(
            &ModerationAction::Ban {
                user: TargetUser::Name("nobody_by_this_name".into()),
                reason: None,
            },
            None,
        )
        .await
        .expect_err("unknown login");
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.to_string().contains("no user named"), "{e}");
    let e = p
        .moderate(
            &ModerationAction::Ban {
                user: TargetUser::Id(sim.streamer().user_id),
                reason: None,
            },
            None,
        )
        .await
        .expect_err("the broadcaster");
    assert!(e.to_string().contains("may not be banned"), "{e}");
    // Someone who is not a moderator of the channel.
    let outsider = client_with(&sim, &sim.issue_tokens_as(SimUser::Viewer, &twitch::SCOPES));
    let e = outsider
        .moderate(
            &ModerationAction::Ban {
                user: TargetUser::Name(a_moderator(&sim, &p).await),
                reason: None,
            },
            Some(&sim.streamer().user_id),
        )
        .await
        .expect_err("not a moderator");
    assert_eq!(e.kind(), ErrorKind::Permission);
    assert!(
        e.to_string()
            .contains("not one of the broadcaster's moderators"),
        "{e}"
    );
    // Without the scope.
    let scopes: Vec<&str> = twitch::SCOPES
        .iter()
        .copied()
        .filter(|s| *s != "moderator:manage:banned_users")
        .collect();
    let limited = client_with(&sim, &sim.issue_tokens(&scopes));
    let e = limited
        .moderate(
            &ModerationAction::Timeout {
                user: TargetUser::Id(sim.viewer_user().user_id),
                secs: 60,
                reason: None,
            },
            None,
        )
        .await
        .expect_err("no scope");
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert!(
        e.to_string().contains("moderator:manage:banned_users"),
        "{e}"
    );
}
