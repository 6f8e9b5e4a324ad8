//! Velora's live events over the events stream (server-sent events on loopback against the
//! simulator), through the follow loop the window and `chat follow` share: every kind with
//! its facts, and a stream that ends, falls silent, repeats itself or meets an expired
//! token, with nothing lost and nothing passed on twice.

use crate::common;

use common::EventParts;
use common::live::{Refreshes, assert_each_once, counts, has_text, start};
use common::sims::sim_with;
use stagehand::model::{EventKind, SubTier};
use stagehand::platform::PlatformClient;
use stagehand::platform::velora::{VeloraClient, VeloraConfig};
use stagehand::secret::Secret;
use stagehand::sim::velora::{SimTokens, VeloraSim, VeloraSimOptions};
use std::time::Duration;

/// The streamer's client; `silence` is how long the stream may stay quiet.
fn client(sim: &VeloraSim, silence: Duration) -> PlatformClient {
    client_with(sim, &sim.streamer_tokens(), silence)
}

/// The streamer's client signed in with `tokens`.
fn client_with(sim: &VeloraSim, tokens: &SimTokens, silence: Duration) -> PlatformClient {
    let mut c = VeloraConfig::new(&sim.origin(), &sim.authorize_url(), VeloraSim::CLIENT_ID)
        .expect("loopback addresses");
    c.access_token = Some(Secret::new(tokens.access_token.clone()));
    c.refresh_token = Some(Secret::new(tokens.refresh_token.clone()));
    c.events_silence = silence;
    PlatformClient::new(VeloraClient::new(c).expect("client"))
}

#[tokio::test]
async fn every_kind_arrives_with_its_facts() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let mut live = start(client(&sim, Duration::from_secs(30)));
    live.live().await;
    let chatter = sim.chat_log()[0].sender_username.clone();
    let said = sim.say(&chatter, "hello over the stream").expect("said");
    let follower = sim.follow_now();
    let subscriber = sim.subscribe_now().expect("someone to subscribe");
    let gifter = sim.gift_now(5);
    let raider = sim.raid_now(37);
    let (events, _) = live
        .until(|e| e.iter().any(|e| matches!(e.kind, EventKind::Raid { .. })))
        .await;
    let message = events
        .iter()
        .find(|e| e.id.as_deref() == Some(said.as_str()))
        .expect("the line");
    assert_eq!(message.text(), "hello over the stream");
    assert_eq!(message.author().name.as_deref(), Some(chatter.as_str()));
    let by = |name: &str| {
        events
            .iter()
            .find(|e| e.author().name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("an event by {name}: {events:?}"))
    };
    assert_eq!(by(&follower).kind, EventKind::Follow);
    let EventKind::Subscription { tier, months, .. } = &by(&subscriber).kind else {
        panic!("a subscription");
    };
    assert!(tier.is_some() && months.is_some());
    assert_eq!(
        by(&gifter).kind,
        EventKind::Gift {
            count: 5,
            tier: Some(SubTier::One)
        }
    );
    let gifted = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Subscription { gift: true, .. }))
        .count();
    assert_eq!(gifted, 5, "each gifted subscription too");
    assert_eq!(by(&raider).kind, EventKind::Raid { viewers: 37 });
}

#[tokio::test]
async fn an_ended_stream_comes_back_and_its_repeats_are_dropped() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let mut live = start(client(&sim, Duration::from_secs(30)));
    live.live().await;
    let chatter = sim.chat_log()[0].sender_username.clone();
    for n in 0..4 {
        sim.say(&chatter, &format!("before {n}")).expect("said");
    }
    let mut events = live.until_text("before 3").await;
    // Velora ends the stream; the reconnect repeats the last events it sent.
    sim.end_event_streams();
    events.extend(live.reconnected().await);
    sim.say(&chatter, "after").expect("said");
    events.extend(live.until_text("after").await);
    assert_each_once(&events);
    for n in 0..4 {
        assert!(has_text(&events, &format!("before {n}")));
    }
}

#[tokio::test]
async fn a_silent_stream_is_opened_again_and_what_it_held_arrives_once() {
    let sim = sim_with(VeloraSimOptions {
        events_ping: Duration::from_millis(50),
        ..VeloraSimOptions::default()
    })
    .await;
    let mut live = start(client(&sim, Duration::from_millis(400)));
    live.live().await;
    let chatter = sim.chat_log()[0].sender_username.clone();
    sim.silence_event_streams(Duration::from_millis(900));
    sim.say(&chatter, "said in the silence").expect("said");
    let (events, retries) = live.until(|e| has_text(e, "said in the silence")).await;
    assert!(retries >= 1, "the silence counted as a lost stream");
    assert_eq!(counts(&events).values().max(), Some(&1), "{events:?}");
}

#[tokio::test]
async fn an_expired_token_on_reconnect_is_refreshed_once() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let tokens = sim.streamer_tokens();
    let client = client_with(&sim, &tokens, Duration::from_secs(30));
    let refreshes = Refreshes::count(&client);
    let mut live = start(client);
    live.live().await;
    assert_eq!(refreshes.get(), 0, "no refresh before the token lapsed");
    assert!(sim.expire_token(&tokens.access_token));
    sim.end_event_streams();
    let chatter = sim.chat_log()[0].sender_username.clone();
    // The line is said once the stream is open again, after the refresh.
    live.reconnected().await;
    sim.say(&chatter, "after the refresh").expect("said");
    let events = live.until_text("after the refresh").await;
    assert_eq!(counts(&events).values().max(), Some(&1));
    assert_eq!(refreshes.get(), 1, "the lapsed token was refreshed once");
}
