//! Trovo chat over a real websocket on loopback against the simulator: following the own
//! channel's chat (live lines with author, roles and id; the replayed history kept apart; the
//! own echo; refusals and dropped sockets as errors), and chat moderation (deleting a
//! line, a timeout, a ban, and a refusal's own words reaching the error).

use crate::common;

use crate::common::EventParts;
use common::sims::sim_with;
use stagehand::error::{ErrorKind, PlatformError};
use stagehand::model::{ChatEvent, ModerationAction, TargetUser};
use stagehand::platform::PlatformClient;
use stagehand::platform::chat_feed::ChatFeedItem;
use stagehand::platform::trovo::TrovoClient;
use stagehand::platform::trovo::TrovoConfig;
use stagehand::secret::Secret;
use stagehand::sim::trovo::{SimChatter, SimOptions, SimTokens, SimUser, TrovoSim};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A guard against a hang, far above anything a passing run needs.
const GUARD: Duration = Duration::from_secs(20);

fn client_with(sim: &TrovoSim, tokens: &SimTokens) -> PlatformClient {
    let mut c = TrovoConfig::new(&sim.api_base(), TrovoSim::CLIENT_ID).expect("loopback base");
    c.access_token = Some(Secret::new(tokens.access_token.clone()));
    c.refresh_token = Some(Secret::new(tokens.refresh_token.clone()));
    c.client_secret = Some(Secret::new(TrovoSim::CLIENT_SECRET));
    PlatformClient::new(TrovoClient::new(c).expect("client"))
}

fn streamer(sim: &TrovoSim) -> PlatformClient {
    client_with(sim, &sim.streamer_tokens())
}

/// Chat being followed in the background, and what it reports.
struct Following {
    rx: mpsc::UnboundedReceiver<ChatFeedItem>,
    task: JoinHandle<Result<(), PlatformError>>,
    backlog: Vec<ChatEvent>,
}

fn follow(client: &PlatformClient) -> Following {
    let (tx, rx) = mpsc::unbounded_channel();
    let client = client.clone();
    let task = tokio::spawn(async move { client.follow_chat(&tx).await });
    Following {
        rx,
        task,
        backlog: Vec::new(),
    }
}

impl Following {
    async fn next(&mut self) -> ChatFeedItem {
        tokio::time::timeout(GUARD, self.rx.recv())
            .await
            .expect("a report in time")
            .expect("the feed is still up")
    }

    async fn connected(&mut self) {
        assert_eq!(self.next().await, ChatFeedItem::Connected);
    }

    /// The next live lines; the replayed history (the backlog) is set aside in
    /// `self.backlog`.
    async fn lines(&mut self) -> Vec<ChatEvent> {
        loop {
            match self.next().await {
                ChatFeedItem::Events(lines) => return lines,
                ChatFeedItem::Backlog(lines) => self.backlog.extend(lines),
                other => panic!("expected lines, got {other:?}"),
            }
        }
    }

    async fn ended(self) -> Result<(), PlatformError> {
        tokio::time::timeout(GUARD, self.task)
            .await
            .expect("follow_chat ends in time")
            .expect("the task ran")
    }
}

/// A chatter with `role` (in the chat's spelling) and a one-word nickname.
fn chatter_with(sim: &TrovoSim, role: &str) -> SimChatter {
    sim.chatters()
        .into_iter()
        .find(|c| c.roles.iter().any(|r| r == role) && !c.nickname.contains(' '))
        .unwrap_or_else(|| panic!("a chatter with the role {role}"))
}

fn plain_chatter(sim: &TrovoSim) -> SimChatter {
    sim.chatters()
        .into_iter()
        .find(|c| {
            c.custom_roles.is_empty()
                && !c.roles.iter().any(|r| r == "mod")
                && !c.nickname.contains(' ')
        })
        .expect("a plain chatter")
}

// ---------------------------------------------------------------- reading

#[tokio::test]
async fn a_line_a_viewer_says_arrives_with_author_roles_and_id_and_the_history_does_not() {
    let sim = sim_with(SimOptions::default()).await;
    let history = sim.chat_log();
    assert!(
        !history.is_empty(),
        "the simulator replays a history the client must keep apart from live lines"
    );
    let client = streamer(&sim);
    let mut chat = follow(&client);
    chat.connected().await;
    let moderator = chatter_with(&sim, "mod");
    let id = sim
        .say(&moderator.nickname, "hello from chat 안녕")
        .expect("said");

    let lines = chat.lines().await;
    assert_eq!(
        lines.len(),
        1,
        "only the new line, not the replay: {lines:?}"
    );
    let line = &lines[0];
    assert_eq!(line.id.as_deref(), Some(id.as_str()));
    assert_eq!(line.text(), "hello from chat 안녕");
    assert_eq!(line.kind.name(), "message");
    assert_eq!(
        line.author().id.as_deref(),
        Some(moderator.user_id.as_str())
    );
    assert_eq!(
        line.author().name.as_deref(),
        Some(moderator.username.as_str())
    );
    assert_eq!(line.author().display_name, moderator.nickname);
    assert!(
        line.author().roles.iter().any(|r| r == "moderator"),
        "{:?}",
        line.author().roles
    );
    for custom in &moderator.custom_roles {
        assert!(line.author().roles.iter().any(|r| r == custom), "{custom}");
    }
    assert!(line.at.unix_timestamp() > 0);
    drop(chat);

    // A new connection replays the line just said: it is history now, and stays out.
    let mut again = follow(&client);
    again.connected().await;
    let viewer = plain_chatter(&sim);
    sim.say(&viewer.username, "and a new one").expect("said");
    let lines = again.lines().await;
    let texts: Vec<_> = lines.iter().map(|l| l.text()).collect();
    assert_eq!(texts, ["and a new one"]);
    assert_eq!(lines[0].author().display_name, viewer.nickname);
    // The replay came apart, as the backlog, with the line said before this connection.
    assert!(
        again
            .backlog
            .iter()
            .any(|l| l.text() == "hello from chat 안녕"),
        "{:?}",
        again.backlog
    );
    assert!(again.backlog.iter().all(|l| l.text() != "and a new one"));
}

#[tokio::test]
async fn the_streamer_s_own_line_comes_back_as_theirs() {
    let sim = sim_with(SimOptions::default()).await;
    let client = streamer(&sim);
    let mut chat = follow(&client);
    chat.connected().await;
    client.send_chat("hi chat", None).await.expect("sent");
    let lines = chat.lines().await;
    assert_eq!(lines.len(), 1);
    let me = sim.streamer();
    assert_eq!(lines[0].text(), "hi chat");
    assert_eq!(lines[0].author().id.as_deref(), Some(me.user_id.as_str()));
    assert!(lines[0].author().roles.iter().any(|r| r == "broadcaster"));
}

#[tokio::test]
async fn the_receiver_going_away_ends_follow_chat_quietly() {
    let sim = sim_with(SimOptions::default()).await;
    let mut chat = follow(&streamer(&sim));
    chat.connected().await;
    let Following { rx, task, .. } = chat;
    drop(rx);
    let ended = tokio::time::timeout(GUARD, task)
        .await
        .expect("ends in time")
        .expect("ran");
    assert_eq!(ended, Ok(()));
}

#[tokio::test]
async fn a_lively_stream_brings_messages_and_follows_but_no_welcomes() {
    let sim = sim_with(SimOptions {
        tick: Some(Duration::from_millis(10)),
        ..SimOptions::default()
    })
    .await;
    let mut chat = follow(&streamer(&sim));
    chat.connected().await;
    let (mut messages, mut follows) = (0, 0);
    // Read on until a welcome the simulator sent lies behind the last line passed on.
    let mut welcome_passed = false;
    while messages == 0 || follows == 0 || !welcome_passed {
        let lines = chat.lines().await;
        for line in &lines {
            match line.kind.name() {
                "message" => messages += 1,
                "follow" => {
                    assert!(line.author().id.is_some());
                    follows += 1;
                }
                _ => {}
            }
            assert_ne!(line.text(), "joined the channel", "welcomes stay out");
        }
        if let Some(last) = lines.last().and_then(|l| l.id.clone()) {
            let log = sim.chat_log();
            let upto = log.iter().position(|l| l.message_id == last).unwrap_or(0);
            welcome_passed = log[..upto].iter().any(|l| l.chat_type == 5004);
        }
    }
}

// ---------------------------------------------------------------- failures

#[tokio::test]
async fn a_sign_in_without_chat_connect_is_a_clear_error() {
    let sim = sim_with(SimOptions::default()).await;
    let narrow = sim.issue_tokens(SimUser::Streamer, &["user_details_self"], 3_600);
    let (tx, _rx) = mpsc::unbounded_channel();
    let e = client_with(&sim, &narrow)
        .follow_chat(&tx)
        .await
        .expect_err("no chat_connect");
    assert_eq!(e.code(), Some(11730));
    assert!(e.to_string().contains("permission"), "{e}");
}

#[tokio::test]
async fn a_chat_token_the_socket_refuses_is_a_clear_error_without_the_token() {
    let sim = sim_with(SimOptions {
        chat_token_lifetime_secs: 0,
        ..SimOptions::default()
    })
    .await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let e = streamer(&sim)
        .follow_chat(&tx)
        .await
        .expect_err("a lapsed token");
    assert_eq!(e.kind(), ErrorKind::Auth);
    let said = e.to_string();
    assert!(
        said.contains("Trovo's chat refused the chat token"),
        "{said}"
    );
    assert!(said.contains("invalid token"), "Trovo's own words: {said}");
    assert!(
        !said
            .split(|c: char| !c.is_ascii_hexdigit())
            .any(|run| run.len() >= 32),
        "no token in the sentence: {said}"
    );
    assert!(rx.try_recv().is_err(), "never connected");
}

#[tokio::test]
async fn a_dropped_socket_ends_follow_chat_with_an_error_and_a_new_one_connects() {
    let sim = sim_with(SimOptions::default()).await;
    let client = streamer(&sim);
    let mut chat = follow(&client);
    chat.connected().await;
    sim.drop_chat_connections();
    let e = chat.ended().await.expect_err("the socket was dropped");
    assert!(matches!(e, PlatformError::Network { .. }), "{e}");

    let mut again = follow(&client);
    again.connected().await;
}

#[tokio::test]
async fn a_chat_address_that_is_no_socket_is_an_http_error() {
    let sim = sim_with(SimOptions::default()).await;
    let tokens = sim.streamer_tokens();
    let mut c = TrovoConfig::new(&sim.api_base(), TrovoSim::CLIENT_ID).expect("loopback base");
    c.access_token = Some(Secret::new(tokens.access_token.clone()));
    c.chat_url = format!("{}/no-chat-here", sim.chat_url())
        .parse()
        .expect("a URL");
    let client = PlatformClient::new(TrovoClient::new(c).expect("client"));
    let (tx, _rx) = mpsc::unbounded_channel();
    let e = client.follow_chat(&tx).await.expect_err("no socket there");
    assert!(matches!(e, PlatformError::Http { status: 404, .. }), "{e}");
}

// ---------------------------------------------------------------- moderation

#[tokio::test]
async fn trovo_moderates_chat() {
    let sim = sim_with(SimOptions::default()).await;
    let client = streamer(&sim);
    assert!(client.capabilities().moderation);
    let mut chat = follow(&client);
    chat.connected().await;
    let viewer = plain_chatter(&sim);
    sim.say(&viewer.nickname, "a line to delete").expect("said");
    let line = chat.lines().await.remove(0);
    let user = line.author().target().expect("a target");
    assert_eq!(user, TargetUser::Id(viewer.user_id.clone()));

    // Delete the line: the simulator records it, with its sender.
    let message_id = line.id.clone().expect("an id");
    client
        .moderate(
            &ModerationAction::DeleteMessage {
                user: user.clone(),
                message_id: message_id.clone(),
            },
            None,
        )
        .await
        .expect("deleted");
    let deleted = sim.deletions();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].message_id, message_id);
    assert_eq!(deleted[0].sender_id, viewer.user_id);
    assert!(!sim.chat_log().iter().any(|l| l.message_id == message_id));

    // A timeout by id: the name comes from the chat the client read.
    let before = time::OffsetDateTime::now_utc().unix_timestamp();
    client
        .moderate(
            &ModerationAction::Timeout {
                user: user.clone(),
                secs: 600,
                reason: Some("calm down".into()),
            },
            None,
        )
        .await
        .expect("timed out");
    let ban = sim
        .bans()
        .into_iter()
        .find(|b| b.user_id == viewer.user_id)
        .expect("a timeout in force");
    let until = ban.until.expect("a timeout ends");
    assert!((before + 600..=before + 660).contains(&until), "{until}");

    // A ban by name is for good.
    let other = sim
        .chatters()
        .into_iter()
        .find(|c| c.user_id != viewer.user_id && c.roles.iter().all(|r| r != "mod"))
        .expect("another chatter");
    client
        .moderate(
            &ModerationAction::Ban {
                user: TargetUser::Name(other.username.clone()),
                reason: None,
            },
            None,
        )
        .await
        .expect("banned");
    let ban = sim
        .bans()
        .into_iter()
        .find(|b| b.user_id == other.user_id)
        .expect("a ban in force");
    assert_eq!(ban.until, None);
    assert_eq!(ban.username.as_deref(), Some(other.username.as_str()));
}

#[tokio::test]
async fn a_refused_command_s_own_words_reach_the_error() {
    let sim = sim_with(SimOptions::default()).await;
    let client = streamer(&sim);
    let e = client
        .moderate(
            &ModerationAction::Ban {
                user: TargetUser::Name("no_such_person_zz".into()),
                reason: None,
            },
            None,
        )
        .await
        .expect_err("nobody is called that");
    let said = e.to_string();
    assert!(said.contains("did not carry out the ban"), "{said}");
    assert!(
        said.contains("User \"no_such_person_zz\" does not exist."),
        "Trovo's display_msg: {said}"
    );
    assert!(sim.bans().is_empty());

    // A viewer account without moderator rights is refused by Trovo, in its words.
    let viewer = client_with(
        &sim,
        &sim.issue_tokens(
            SimUser::Viewer,
            &["manage_messages", "user_details_self"],
            3_600,
        ),
    );
    let streamer_channel = sim.streamer().channel_id;
    let e = viewer
        .moderate(
            &ModerationAction::Timeout {
                user: TargetUser::Name(plain_chatter(&sim).username),
                secs: 60,
                reason: None,
            },
            Some(&streamer_channel),
        )
        .await
        .expect_err("not a moderator there");
    assert!(e.to_string().contains("permission"), "{e}");
    assert!(sim.bans().is_empty());
}

#[tokio::test]
async fn moderation_refuses_what_it_cannot_send() {
    let sim = sim_with(SimOptions::default()).await;
    let client = streamer(&sim);
    let target = TargetUser::Name(plain_chatter(&sim).username);
    let before = sim.request_count();
    let e = client
        .moderate(
            &ModerationAction::Timeout {
                user: target,
                secs: 0,
                reason: None,
            },
            None,
        )
        .await
        .expect_err("zero seconds");
    assert!(e.to_string().contains("at least one second"), "{e}");
    let e = client
        .moderate(
            &ModerationAction::Ban {
                user: TargetUser::Name("two words".into()),
                reason: None,
            },
            None,
        )
        .await
        .expect_err("a name with a space");
    assert!(e.to_string().contains("no spaces"), "{e}");
    // The own channel id is looked up once; nothing else went out.
    assert!(sim.request_count() - before <= 1);

    // An id nobody chatted with and no channel has: said plainly.
    let e = client
        .moderate(
            &ModerationAction::Ban {
                user: TargetUser::Id("999999999".into()),
                reason: None,
            },
            None,
        )
        .await
        .expect_err("an unknown id");
    assert!(e.to_string().contains("needs a user name"), "{e}");
    assert!(sim.bans().is_empty());
}
