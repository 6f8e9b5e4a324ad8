//! Trovo's and Twitch's live events through the follow loop, over real websockets against
//! the simulators: every kind each platform has, with its facts, and the faults of its
//! connection (a dropped socket, a `session_reconnect`, a duplicate delivery) with nothing
//! lost and nothing passed on twice. Velora's are in `velora_events`.

use crate::common;

use common::EventParts;
use common::live::{Refreshes, assert_each_once, has_text, start};
use common::sims::sim_with;
use stagehand::model::{ChatEvent, EventKind, ModerationAction, SubTier, TargetUser};
use stagehand::platform::PlatformClient;
use stagehand::platform::trovo::{TrovoClient, TrovoConfig};
use stagehand::platform::twitch::{TwitchClient, TwitchConfig};
use stagehand::secret::Secret;
use stagehand::sim::trovo::{SimOptions, SimTokens, TrovoSim};
use stagehand::sim::twitch::{SCOPES_ALL, TwitchSim, TwitchSimOptions};

/// The streamer's Trovo configuration, signed in with `tokens`.
fn trovo_config(sim: &TrovoSim, tokens: &SimTokens) -> TrovoConfig {
    let mut c = TrovoConfig::new(&sim.api_base(), TrovoSim::CLIENT_ID).expect("loopback base");
    c.access_token = Some(Secret::new(tokens.access_token.clone()));
    c.refresh_token = Some(Secret::new(tokens.refresh_token.clone()));
    c.client_secret = Some(Secret::new(TrovoSim::CLIENT_SECRET));
    c
}

fn trovo_client(config: TrovoConfig) -> PlatformClient {
    PlatformClient::new(TrovoClient::new(config).expect("client"))
}

fn trovo(sim: &TrovoSim) -> PlatformClient {
    trovo_client(trovo_config(sim, &sim.streamer_tokens()))
}

fn twitch(sim: &TwitchSim) -> PlatformClient {
    twitch_with(sim, &sim.streamer_tokens())
}

/// The streamer's Twitch client, signed in with `tokens`.
fn twitch_with(sim: &TwitchSim, tokens: &SimTokens) -> PlatformClient {
    let mut c = TwitchConfig::new(&sim.helix_base(), &sim.auth_origin(), TwitchSim::CLIENT_ID)
        .expect("loopback bases");
    c.access_token = Some(Secret::new(tokens.access_token.clone()));
    c.refresh_token = Some(Secret::new(tokens.refresh_token.clone()));
    PlatformClient::new(TwitchClient::new(c).expect("client"))
}

#[tokio::test]
async fn trovo_s_codes_arrive_as_their_kinds() {
    let sim = sim_with(SimOptions::default()).await;
    let mut live = start(trovo(&sim));
    live.live().await;
    let caster = sim.spell_now("Dragon Egg", 2, 500, "Elixir");
    let gifter = sim.gift_now(5);
    let (from, to) = sim.gift_to_now();
    let raider = sim.raid_now(37);
    sim.stream_status_now(false);
    let (events, _) = live
        .until(|e| e.iter().any(|e| matches!(e.kind, EventKind::Stream { .. })))
        .await;
    let by = |name: &str, kind: &str| {
        events
            .iter()
            .find(|e| e.who() == name && e.kind.name() == kind)
            .unwrap_or_else(|| panic!("a {kind} by {name}: {events:?}"))
    };
    assert_eq!(
        by(&caster, "spell").kind,
        EventKind::Spell {
            name: "Dragon Egg".into(),
            count: 2,
            amount: Some(1_000),
            currency: Some("Elixir".into())
        }
    );
    assert_eq!(
        by(&gifter, "gift").kind,
        EventKind::Gift {
            count: 5,
            tier: None
        }
    );
    let EventKind::Subscription { gift, gifter, .. } = &by(&to, "subscription").kind else {
        panic!("a gifted subscription");
    };
    assert!(*gift);
    assert_eq!(gifter.as_deref(), Some(from.as_str()));
    assert_eq!(by(&raider, "raid").kind, EventKind::Raid { viewers: 37 });
    assert!(
        events
            .iter()
            .any(|e| e.kind == EventKind::Stream { live: false })
    );
}

#[tokio::test]
async fn trovo_s_dropped_socket_loses_nothing_and_its_replay_is_not_news() {
    let sim = sim_with(SimOptions::default()).await;
    let mut live = start(trovo(&sim));
    live.live().await;
    let viewer = sim.viewer_user().username;
    sim.say(&viewer, "before the drop").expect("said");
    let mut events = live.until_text("before the drop").await;
    sim.drop_chat_connections();
    // Said while the connection is down: Trovo's replay on the reconnect brings it.
    sim.say(&viewer, "while it was down").expect("said");
    events.extend(live.reconnected().await);
    if !has_text(&events, "while it was down") {
        events.extend(live.until_text("while it was down").await);
    }
    assert_each_once(&events);
}

#[tokio::test]
async fn twitch_s_notices_arrive_with_their_facts() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let mut live = start(twitch(&sim));
    live.live().await;
    let viewer = sim.viewer_user().login;
    assert!(sim.resub_now(&viewer, 7));
    let cheer = sim.cheer_now(&viewer, 250).expect("a cheer");
    assert!(sim.gift_now(&viewer, 3));
    let raider = sim.raid_now(42);
    let (events, _) = live
        .until(|e| e.iter().any(|e| matches!(e.kind, EventKind::Raid { .. })))
        .await;
    let of = |kind: &str| {
        events
            .iter()
            .filter(|e| e.kind.name() == kind)
            .collect::<Vec<_>>()
    };
    assert!(of("subscription").iter().any(|e| matches!(
        e.kind,
        EventKind::Subscription {
            months: Some(7),
            tier: Some(SubTier::One),
            gift: false,
            ..
        }
    )));
    let cheered = events
        .iter()
        .find(|e| e.id.as_deref() == Some(cheer.as_str()))
        .expect("the cheer");
    assert!(matches!(cheered.kind, EventKind::Cheer { bits: 250, .. }));
    let gift = of("gift");
    assert_eq!(gift.len(), 1, "{events:?}");
    assert_eq!(
        gift[0].kind,
        EventKind::Gift {
            count: 3,
            tier: Some(SubTier::One)
        }
    );
    let gifted = of("subscription")
        .into_iter()
        .filter(|e| matches!(e.kind, EventKind::Subscription { gift: true, .. }))
        .count();
    assert_eq!(gifted, 3, "each recipient's subscription");
    let raid = of("raid");
    assert_eq!(raid[0].kind, EventKind::Raid { viewers: 42 });
    assert_eq!(raid[0].author().name.as_deref(), Some(raider.as_str()));
}

#[tokio::test]
async fn twitch_s_duplicates_and_moves_pass_nothing_twice() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let mut live = start(twitch(&sim));
    live.live().await;
    let viewer = sim.viewer_user().login;
    sim.deliver_twice(true);
    sim.say(&viewer, "delivered twice").expect("said");
    let mut events = live.until_text("delivered twice").await;
    sim.deliver_twice(false);
    assert!(sim.eventsub_reconnect() >= 1);
    sim.say(&viewer, "after the move").expect("said");
    events.extend(live.until_text("after the move").await);
    // A dropped socket: the loop connects again and subscribes anew.
    assert!(sim.eventsub_drop() >= 1);
    events.extend(live.reconnected().await);
    sim.say(&viewer, "after the drop").expect("said");
    events.extend(live.until_text("after the drop").await);
    // Drain what is still on its way (a second delivery comes right after the first).
    sim.say(&viewer, "last").expect("said");
    events.extend(live.until_text("last").await);
    assert_each_once(&events);
}

#[tokio::test]
async fn twitch_s_silent_keepalive_and_expired_token_on_reconnect_lose_nothing() {
    let sim = sim_with(TwitchSimOptions {
        eventsub_keepalive_secs: 1,
        ..TwitchSimOptions::default()
    })
    .await;
    let tokens = sim.streamer_tokens();
    let client = twitch_with(&sim, &tokens);
    let refreshes = Refreshes::count(&client);
    let mut live = start(client);
    live.live().await;
    let viewer = sim.viewer_user().login;
    // The keepalives stop: the loop counts the socket lost and connects again.
    sim.eventsub_keepalives(false);
    let mut events = live.reconnected().await;
    sim.eventsub_keepalives(true);
    sim.say(&viewer, "after the silence").expect("said");
    events.extend(live.until_text("after the silence").await);
    // The token lapses while the socket is down: the new subscription refreshes it once.
    assert_eq!(refreshes.get(), 0, "no refresh before the token lapsed");
    assert!(sim.expire_token(&tokens.access_token));
    assert!(sim.eventsub_drop() >= 1);
    events.extend(live.reconnected().await);
    sim.say(&viewer, "after the refresh").expect("said");
    events.extend(live.until_text("after the refresh").await);
    assert_each_once(&events);
    assert_eq!(refreshes.get(), 1, "the lapsed token was refreshed once");
}

#[tokio::test]
async fn trovo_s_silent_socket_is_left_and_nothing_is_lost() {
    let sim = sim_with(SimOptions {
        chat_ping_gap_secs: 1,
        ..SimOptions::default()
    })
    .await;
    let mut c = trovo_config(&sim, &sim.streamer_tokens());
    c.chat_pong_wait = std::time::Duration::from_millis(500);
    let mut live = start(trovo_client(c));
    live.live().await;
    let viewer = sim.viewer_user().username;
    // The socket stops answering pings: the loop counts it lost and connects again; what
    // was said meanwhile comes with the new connection's replay, once.
    sim.answer_chat_pings(false);
    sim.say(&viewer, "said into the silence").expect("said");
    let mut events = live.reconnected().await;
    sim.answer_chat_pings(true);
    if !has_text(&events, "said into the silence") {
        events.extend(live.until_text("said into the silence").await);
    }
    sim.say(&viewer, "after the silence").expect("said");
    events.extend(live.until_text("after the silence").await);
    assert_each_once(&events);
}

#[tokio::test]
async fn trovo_s_expired_token_on_reconnect_is_refreshed_once_and_loses_nothing() {
    let sim = sim_with(SimOptions::default()).await;
    let tokens = sim.streamer_tokens();
    let client = trovo_client(trovo_config(&sim, &tokens));
    let refreshes = Refreshes::count(&client);
    let mut live = start(client);
    live.live().await;
    let viewer = sim.viewer_user().username;
    sim.say(&viewer, "before the lapse").expect("said");
    let mut events = live.until_text("before the lapse").await;
    // The access token lapses and the socket drops: the reconnect's chat token request
    // meets 11714, the client refreshes once and the follow goes on.
    assert_eq!(refreshes.get(), 0, "no refresh before the token lapsed");
    assert!(sim.expire_token(&tokens.access_token));
    sim.drop_chat_connections();
    sim.say(&viewer, "while it was down").expect("said");
    events.extend(live.reconnected().await);
    if !has_text(&events, "while it was down") {
        events.extend(live.until_text("while it was down").await);
    }
    sim.say(&viewer, "after the refresh").expect("said");
    events.extend(live.until_text("after the refresh").await);
    assert_each_once(&events);
    assert_eq!(refreshes.get(), 1, "the lapsed token was refreshed once");
}

/// Times the viewer out for ten minutes through `client`; answers who it was.
async fn time_out_viewer(sim: &TwitchSim, client: &PlatformClient) -> String {
    let viewer = sim.viewer_user().user_id;
    let action = ModerationAction::Timeout {
        user: TargetUser::Id(viewer.clone()),
        secs: 600,
        reason: Some("cool off".into()),
    };
    client.moderate(&action, None).await.expect("timed out");
    viewer
}

/// The bans that arrived, by the id of who was banned.
fn bans_of(events: &[ChatEvent], user_id: &str) -> Vec<Option<time::OffsetDateTime>> {
    events
        .iter()
        .filter(|e| e.author().id.as_deref() == Some(user_id))
        .filter_map(|e| match e.kind {
            EventKind::Ban { until } => Some(until),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn twitch_s_time_out_says_when_it_ends_once() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let client = twitch(&sim);
    let mut live = start(client.clone());
    live.live().await;
    let before = time::OffsetDateTime::now_utc();
    let viewer = time_out_viewer(&sim, &client).await;
    let (events, _) = live.until(|e| !bans_of(e, &viewer).is_empty()).await;
    // Whatever else Twitch tells of the time-out comes before a later line.
    let streamer = sim.streamer().login;
    sim.say(&streamer, "after the time-out").expect("said");
    let mut events = events;
    events.extend(live.until_text("after the time-out").await);
    let bans = bans_of(&events, &viewer);
    assert_eq!(
        bans.len(),
        1,
        "one ban, not one per EventSub type: {events:?}"
    );
    let until = bans[0].expect("a time-out says when it ends");
    let lasts = until - before;
    assert!(
        (595..=605).contains(&lasts.whole_seconds()),
        "ten minutes, not {lasts}"
    );
}

#[tokio::test]
async fn twitch_without_channel_moderate_still_hears_of_bans() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let scopes: Vec<&str> = SCOPES_ALL
        .iter()
        .copied()
        .filter(|s| *s != "channel:moderate")
        .collect();
    let client = twitch_with(&sim, &sim.issue_tokens(&scopes));
    let mut live = start(client.clone());
    live.live().await;
    let viewer = time_out_viewer(&sim, &client).await;
    let (events, _) = live.until(|e| !bans_of(e, &viewer).is_empty()).await;
    assert_eq!(bans_of(&events, &viewer), [None], "from the cleared lines");
}
