//! The Velora client over real HTTP on loopback against the Velora simulator: every
//! endpoint Stagehand uses, paging to the end of every list, the refresh on a refused token
//! (single-use refresh tokens, the client secret), the refresh before the hour is up, the
//! PKCE sign-in with its 201 token answer, the rate limit, both error shapes, refusals
//! before sending, and injected faults.

use crate::common;

use crate::common::EventParts;
use common::sims::sim_with;
use stagehand::error::{ErrorKind, PlatformError};
use stagehand::model::{Audience, ChannelChanges, ModerationAction, PlatformId, TargetUser};
use stagehand::platform::chat_feed::ChatFeedItem;
use stagehand::platform::twitch::TwitchClient;
use stagehand::platform::twitch::TwitchConfig;
use stagehand::platform::velora::VeloraConfig;
use stagehand::platform::velora::{self, TokenPair, VeloraClient, pkce_challenge, pkce_pair};
use stagehand::platform::{ChannelTarget, PlatformClient};
use stagehand::secret::Secret;
use stagehand::sim::velora::{
    ErrorAnswer, Fault, FaultRule, SCOPES_ALL, SimTokens, VeloraSim, VeloraSimOptions,
};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{self, UnboundedReceiver};

const REDIRECT: &str = "http://localhost:8919/";

fn config(sim: &VeloraSim, tokens: Option<&SimTokens>) -> VeloraConfig {
    let mut c = VeloraConfig::new(&sim.origin(), &sim.authorize_url(), VeloraSim::CLIENT_ID)
        .expect("loopback addresses");
    c.access_token = tokens.map(|t| Secret::new(t.access_token.clone()));
    c.refresh_token = tokens.map(|t| Secret::new(t.refresh_token.clone()));
    c
}

fn client_with(sim: &VeloraSim, tokens: &SimTokens) -> VeloraClient {
    VeloraClient::new(config(sim, Some(tokens))).expect("client")
}

fn streamer(sim: &VeloraSim) -> VeloraClient {
    client_with(sim, &sim.streamer_tokens())
}

fn platform(sim: &VeloraSim) -> PlatformClient {
    PlatformClient::new(streamer(sim))
}

/// Records every pair the client reports after a refresh.
fn listen(client: &VeloraClient) -> Arc<Mutex<Vec<TokenPair>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    client.on_tokens_refreshed(Arc::new(move |pair: &TokenPair| {
        sink.lock().expect("lock").push(pair.clone());
    }));
    seen
}

fn no_secret_in(sim: &VeloraSim, text: &str) {
    for secret in sim.issued_secrets() {
        assert!(!text.contains(&secret), "a secret leaked into {text:?}");
    }
}

// ---------------------------------------------------------------- configuration

#[tokio::test]
async fn an_api_suffix_and_trailing_slashes_are_tolerated() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let mut c = VeloraConfig::new(
        &format!("{}/api/", sim.origin()),
        &sim.authorize_url(),
        VeloraSim::CLIENT_ID,
    )
    .expect("config");
    c.access_token = Some(Secret::new(sim.streamer_tokens().access_token));
    let client = VeloraClient::new(c).expect("client");
    assert_eq!(client.api_base(), sim.origin());
    let account = client.account().await.expect("account");
    assert_eq!(account.name, sim.streamer().username);
    assert_eq!(account.id, sim.streamer().id);
    assert_eq!(account.display_name, sim.streamer().display_name);
    assert!(account.avatar_url.is_some() && !account.partner);
}

#[tokio::test]
async fn capabilities_and_scopes() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let p = platform(&sim);
    assert_eq!(p.platform(), PlatformId::Velora);
    let caps = p.capabilities();
    assert!(!caps.language && !caps.audience && !caps.delay);
    assert!(caps.tags && caps.max_tags > 0 && caps.tag_max_chars > 0);
    assert!(caps.stream_key && caps.stream_key_reset && caps.subscribers);
    assert_eq!(caps.chat_max_chars, 500);
    let ours: HashSet<&str> = velora::SCOPES.into_iter().collect();
    let sims: HashSet<&str> = SCOPES_ALL.iter().copied().collect();
    assert_eq!(ours, sims, "Stagehand asks for every scope its calls need");
}

// ---------------------------------------------------------------- channel

#[tokio::test]
async fn own_channel_reads_title_category_live_state_viewers_start_and_tags() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let p = platform(&sim);
    let ch = p.channel(&ChannelTarget::Own).await.expect("own channel");
    let want = sim.stream();
    assert_eq!(ch.id, sim.streamer().id);
    assert_eq!(ch.name, sim.streamer().username);
    assert_eq!(
        ch.display_name.as_deref(),
        Some(sim.streamer().display_name.as_str())
    );
    assert_eq!(ch.title, want.title);
    let cat = ch.category.clone().expect("a category");
    assert_eq!(
        cat.id.as_deref(),
        Some(want.category_slug.as_str()),
        "the slug is the id"
    );
    assert!(cat.name.is_some());
    assert_eq!(ch.tags.as_deref(), Some(want.tags.as_slice()));
    assert_eq!(
        (ch.language.as_deref(), ch.audience, ch.delay),
        (None, None, None)
    );
    assert!(ch.is_live);
    assert_eq!(ch.viewers, Some(90 + 35));
    assert!(ch.started_at.is_some());
    assert_eq!(ch.followers, Some(180));
    assert_eq!(ch.subscribers, Some(45));
    assert!(ch.avatar_url.is_some());

    sim.set_live(false);
    let off = p.channel(&ChannelTarget::Own).await.expect("offline");
    assert!(!off.is_live && off.viewers.is_none() && off.started_at.is_none());
    assert_eq!(off.title, want.title);
}

#[tokio::test]
async fn own_channel_by_id_and_by_name_other_ids_are_explained() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let p = platform(&sim);
    let by_id = p
        .channel(&ChannelTarget::Id(sim.streamer().id))
        .await
        .expect("own id");
    assert_eq!(by_id.name, sim.streamer().username);
    let by_name = p
        .channel(&ChannelTarget::Name(sim.streamer().username.to_uppercase()))
        .await
        .expect("own name");
    assert_eq!(by_name.id, sim.streamer().id);
    let e = p
        .channel(&ChannelTarget::Id("someone-else".into()))
        .await
        .expect_err("no lookup by id");
    assert!(matches!(e, PlatformError::Unsupported { .. }), "{e}");
    assert!(e.to_string().contains("username"), "{e}");
}

#[tokio::test]
async fn update_title_category_and_tags_then_read_back() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let p = platform(&sim);
    let changes = ChannelChanges {
        title: Some("  Speedrun night  ".into()),
        category_id: Some("minecraft".into()),
        tags: Some(vec!["speedrun".into(), "English".into()]),
        ..Default::default()
    };
    let ch = p.update_channel(&changes).await.expect("updated");
    assert_eq!(ch.title, "Speedrun night", "the channel read back");
    assert_eq!(ch.category.and_then(|c| c.id).as_deref(), Some("minecraft"));
    assert_eq!(
        ch.tags,
        Some(vec!["speedrun".to_owned(), "English".to_owned()])
    );
    let held = sim.stream();
    assert_eq!(held.title, "Speedrun night");
    assert_eq!(held.category_slug, "minecraft");
    assert_eq!(held.tags, ["speedrun", "English"]);

    // An empty list clears the tags; other fields stay.
    let ch = p
        .update_channel(&ChannelChanges {
            tags: Some(vec![]),
            ..Default::default()
        })
        .await
        .expect("cleared");
    assert_eq!(ch.tags, Some(vec![]));
    assert_eq!(sim.stream().title, "Speedrun night");
}

#[tokio::test]
async fn changes_velora_has_no_field_for_are_refused_before_sending() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let p = platform(&sim);
    let before = sim.request_count();
    for changes in [
        ChannelChanges {
            language: Some("en".into()),
            ..Default::default()
        },
        ChannelChanges {
            audience: Some(Audience::Adult),
            ..Default::default()
        },
        ChannelChanges {
            delay: Some(10),
            ..Default::default()
        },
        ChannelChanges {
            title: Some("x".repeat(141)),
            ..Default::default()
        },
        ChannelChanges {
            tags: Some((0..11).map(|i| format!("t{i}")).collect()),
            ..Default::default()
        },
    ] {
        let e = p.update_channel(&changes).await.expect_err("refused");
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    }
    assert_eq!(sim.request_count(), before, "nothing was sent");
}

#[tokio::test]
async fn velora_refusals_come_back_as_one_sentence() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let p = platform(&sim);
    // The framework's shape: `message` is a list.
    let e = p
        .update_channel(&ChannelChanges {
            category_id: Some("no-such-game".into()),
            ..Default::default()
        })
        .await
        .expect_err("unknown slug");
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    let text = e.to_string();
    assert!(
        text.starts_with("Velora: Velora refused the request: "),
        "{text}"
    );
    assert!(text.contains("no-such-game"), "{text}");
    assert!(
        !text.contains('[') && !text.contains('{'),
        "one sentence: {text}"
    );
    let e = p
        .update_channel(&ChannelChanges {
            title: Some("   ".into()),
            ..Default::default()
        })
        .await
        .expect_err("empty title");
    assert!(e.to_string().contains("title should not be empty"), "{e}");
    let e = p
        .update_channel(&ChannelChanges {
            tags: Some(vec!["two words".into()]),
            ..Default::default()
        })
        .await
        .expect_err("a tag Velora refuses");
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    // Velora's own shape `{error, message}`.
    sim.inject(
        FaultRule::new(Fault::Status(ErrorAnswer {
            http: 409,
            message: "Stream info is locked during a raid".into(),
        }))
        .on_path("/stream/info"),
    );
    let e = p.channel(&ChannelTarget::Own).await.expect_err("409");
    assert!(
        e.to_string()
            .contains("Stream info is locked during a raid"),
        "{e}"
    );
    sim.inject(
        FaultRule::new(Fault::Status(ErrorAnswer {
            http: 403,
            message: "Streaming is disabled for this account".into(),
        }))
        .on_path("/stream/info"),
    );
    let e = p.channel(&ChannelTarget::Own).await.expect_err("403");
    assert_eq!(e.kind(), ErrorKind::Permission);
    assert_eq!(
        e.to_string(),
        "Velora: Velora does not allow this account to do that: Streaming is disabled for this account"
    );
}

#[tokio::test]
async fn a_missing_scope_says_which() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let tokens = sim.issue_tokens(&["user:read", "stream:read"]);
    let p = PlatformClient::new(client_with(&sim, &tokens));
    let e = p.stream_key().await.expect_err("no stream:key");
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert!(e.to_string().contains("stream:key"), "{e}");
    assert!(e.to_string().contains("sign in to Velora again"), "{e}");
}

// ---------------------------------------------------------------- stream key

#[tokio::test]
async fn the_stream_key_and_its_regeneration() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let p = platform(&sim);
    let key = p.stream_key().await.expect("a key");
    assert_eq!(key.expose(), sim.stream_key());
    assert!(!format!("{key:?} {key}").contains(key.expose()));
    let new = p.regenerate_stream_key().await.expect("a new key (201)");
    assert_ne!(new.expose(), key.expose());
    assert_eq!(new.expose(), sim.stream_key());
    assert_eq!(
        p.stream_key().await.expect("read again").expose(),
        new.expose()
    );
}

#[tokio::test]
async fn a_regeneration_refused_for_an_old_token_is_not_sent_again() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let client = streamer(&sim);
    let before = sim.stream_key();
    sim.inject(FaultRule::new(Fault::ExpiredToken).on_path("/key/regenerate"));
    let e = PlatformClient::new(client.clone())
        .regenerate_stream_key()
        .await
        .expect_err("not retried");
    assert!(e.to_string().contains("try again"), "{e}");
    assert_eq!(sim.stream_key(), before, "nothing changed");
    // The sign-in was renewed: trying again works.
    let new = client.regenerate_stream_key().await.expect("again");
    assert_eq!(new.expose(), sim.stream_key());
}

// ---------------------------------------------------------------- categories

#[tokio::test]
async fn categories_list_and_search_with_pictures_slugs_as_ids() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let p = platform(&sim);
    let all = p.categories("", None).await.expect("the list");
    assert!(all.categories.len() > 10, "{}", all.categories.len());
    assert!(!all.has_more);
    assert!(all.categories.iter().any(|c| c.id == "minecraft"));
    for c in &all.categories {
        assert!(c.short_name.is_none());
        let url = c.icon_url.as_deref().expect("a picture");
        assert!(url.ends_with(&format!("/{}.png", c.id)), "{url}");
    }
    let cut = p.categories("  ", Some(5)).await.expect("a cut list");
    assert_eq!(cut.categories.len(), 5);
    assert!(cut.has_more);

    let found = p.categories("mine", Some(10)).await.expect("search");
    assert!(
        found.categories.iter().any(|c| c.id == "minecraft"),
        "{found:?}"
    );
    assert!(
        found
            .categories
            .iter()
            .all(|c| c.name.to_lowercase().contains("mine") || c.id.contains("mine"))
    );
    let one = p.categories("a", Some(1)).await.expect("search, one");
    assert_eq!(one.categories.len(), 1);
    assert!(one.has_more, "the cursor says there is more");
    let none = p.categories("zzzzqqq", None).await.expect("no match");
    assert!(none.categories.is_empty() && !none.has_more);
    // The picture is served.
    let url = found.categories[0].icon_url.clone().expect("url");
    let bytes = reqwest::get(url)
        .await
        .expect("fetch")
        .bytes()
        .await
        .expect("body");
    assert!(bytes.starts_with(b"\x89PNG"));
}

#[tokio::test]
async fn public_lists_work_without_a_sign_in() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let anon = VeloraClient::new(config(&sim, None)).expect("client");
    let list = anon
        .categories("", Some(3))
        .await
        .expect("public categories");
    assert_eq!(list.categories.len(), 3);
    let viewers = anon
        .viewers(Some(&sim.streamer().username))
        .await
        .expect("public viewers by username");
    assert_eq!(viewers.viewers.len(), 90);
    let e = PlatformClient::new(anon)
        .stream_key()
        .await
        .expect_err("needs a sign-in");
    assert!(matches!(
        e,
        PlatformError::NotSignedIn {
            platform: PlatformId::Velora
        }
    ));
}

// ---------------------------------------------------------------- people

#[tokio::test]
async fn viewers_every_page_each_once_with_roles_and_counts() {
    // Enough viewers for several pages of 100, some short, some repeating a viewer.
    let sim = sim_with(VeloraSimOptions {
        viewers: 650,
        ..Default::default()
    })
    .await;
    let p = platform(&sim);
    let before = sim.request_count();
    let list = p.viewers(None).await.expect("viewers");
    assert!(sim.request_count() - before >= 7, "paged to the end");
    assert_eq!(list.total, 650 + 35, "the stream's count");
    assert_eq!(list.anonymous, Some(35));
    assert_eq!(
        list.viewers.len(),
        650,
        "every named viewer, across short and repeating pages"
    );
    let names: HashSet<&str> = list.viewers.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names.len(), 650, "each once");
    let me = list
        .viewers
        .iter()
        .find(|v| v.name == sim.streamer().username)
        .expect("the streamer is listed");
    assert!(me.roles.iter().any(|r| r == "broadcaster"));
    assert!(
        list.viewers
            .iter()
            .any(|v| v.roles.iter().any(|r| r == "moderator"))
    );
    assert!(
        list.viewers
            .iter()
            .any(|v| v.roles.iter().any(|r| r == "subscriber"))
    );
    assert!(list.viewers.iter().any(|v| v.roles.is_empty()));

    sim.set_live(false);
    let off = p.viewers(None).await.expect("offline");
    assert_eq!(
        (off.total, off.anonymous, off.viewers.len()),
        (0, Some(0), 0)
    );
}

#[tokio::test]
async fn followers_every_page_newest_first_or_up_to_a_limit() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let p = platform(&sim);
    let all = p.followers(None, None).await.expect("followers");
    assert_eq!(all.total, 180);
    assert_eq!(all.followers.len(), 180);
    let ids: HashSet<&str> = all.followers.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids.len(), 180);
    let times: Vec<_> = all
        .followers
        .iter()
        .map(|f| f.followed_at.expect("a time"))
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let some = p.followers(None, Some(25)).await.expect("25");
    assert_eq!(some.followers.len(), 25);
    assert_eq!(some.total, 180);
    assert_eq!(some.followers[0].id, all.followers[0].id);
    // Display names in any script come along where they say more than the username.
    assert!(
        all.followers.iter().any(|f| f.display_name.is_some()),
        "Velora's display names are kept"
    );
    for f in &all.followers {
        if let Some(d) = &f.display_name {
            assert!(!d.eq_ignore_ascii_case(&f.name), "{d} repeats {}", f.name);
        }
    }
}

#[tokio::test]
async fn subscribers_from_the_creator_endpoint_with_tiers_and_gifts() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let p = platform(&sim);
    let subs = p.subscribers().await.expect("subscribers");
    assert_eq!(subs.total, 45);
    assert_eq!(subs.subscribers.len(), 45);
    let ids: HashSet<&str> = subs.subscribers.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), 45);
    assert!(
        subs.subscribers
            .iter()
            .all(|s| matches!(s.tier.as_deref(), Some("1" | "2" | "3")))
    );
    assert!(subs.subscribers.iter().all(|s| s.since.is_some()));
    assert!(subs.subscribers.iter().any(|s| s.gifted == Some(true)));
    assert!(subs.subscribers.iter().any(|s| s.gifted == Some(false)));
    assert!(
        subs.subscribers.iter().all(|s| !s.id.starts_with("sub_")),
        "user ids"
    );
}

#[tokio::test]
async fn subscribers_fall_back_to_the_developer_endpoint_by_page_number() {
    // More than a page of either endpoint.
    let sim = sim_with(VeloraSimOptions {
        subscribers: 250,
        viewers: 300,
        ..Default::default()
    })
    .await;
    let p = platform(&sim);
    let from_creator = p.subscribers().await.expect("creator");
    sim.inject(
        FaultRule::new(Fault::Status(ErrorAnswer {
            http: 404,
            message: "Cannot GET".into(),
        }))
        .on_path("/subscriptions/creator/"),
    );
    let from_developer = p.subscribers().await.expect("developer");
    assert_eq!(from_creator.subscribers.len(), 250);
    assert_eq!(from_developer.total, 250);
    assert_eq!(from_developer.subscribers.len(), 250);
    assert!(from_developer.subscribers.iter().all(|s| s.since.is_none()));
    let a: HashSet<_> = from_creator
        .subscribers
        .iter()
        .map(|s| (s.id.clone(), s.tier.clone(), s.gifted))
        .collect();
    let b: HashSet<_> = from_developer
        .subscribers
        .iter()
        .map(|s| (s.id.clone(), s.tier.clone(), s.gifted))
        .collect();
    assert_eq!(a, b, "the same people, tiers and gifts");
    // A refused sign-in is not a reason to try the other endpoint.
    sim.inject(
        FaultRule::new(Fault::Status(ErrorAnswer {
            http: 500,
            message: "boom".into(),
        }))
        .on_path("/subscriptions/creator/"),
    );
    let e = p
        .subscribers()
        .await
        .expect_err("a server error is reported");
    assert_eq!(e.kind(), ErrorKind::Server);
}

// ---------------------------------------------------------------- chat

#[tokio::test]
async fn chat_is_sent_once_and_overlong_or_empty_lines_never() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let client = streamer(&sim);
    let p = PlatformClient::new(client.clone());
    p.send_chat("hello chat ❤️", None)
        .await
        .expect("sent (201)");
    let log = sim.chat_log();
    let last = log.last().expect("a line");
    assert_eq!(last.text, "hello chat ❤️");
    assert_eq!(last.sender_id, sim.streamer().id);
    let id = client
        .send_chat("second", Some(&sim.streamer().id))
        .await
        .expect("sent")
        .expect("a message id");
    assert_eq!(
        sim.chat_log().last().map(|l| l.message_id.clone()),
        Some(id)
    );
    assert_eq!(p.chat_budget().map(|b| b.remaining), Some(28));

    let before = sim.request_count();
    let e = p
        .send_chat(&"x".repeat(501), None)
        .await
        .expect_err("too long");
    assert!(e.to_string().contains("500"), "{e}");
    assert!(
        p.send_chat(&"é".repeat(500), None).await.is_ok(),
        "500 characters go"
    );
    let before_empty = sim.request_count();
    assert!(before_empty > before);
    assert!(p.send_chat("   ", None).await.is_err());
    assert_eq!(sim.request_count(), before_empty, "refused before sending");
}

#[tokio::test]
async fn the_thirty_first_line_of_a_minute_is_refused_here() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let client = streamer(&sim);
    for i in 0..30 {
        client
            .send_chat(&format!("line {i}"), None)
            .await
            .expect("within the budget");
    }
    assert_eq!(client.chat_budget().remaining, 0);
    let before = sim.request_count();
    let e = client
        .send_chat("one too many", None)
        .await
        .expect_err("over budget");
    assert_eq!(e.kind(), ErrorKind::ChatRefused);
    assert!(e.to_string().contains("30"), "{e}");
    assert_eq!(sim.request_count(), before, "not sent");
}

#[tokio::test]
async fn chat_refused_for_an_old_token_or_the_rate_limit_is_never_resent() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let client = streamer(&sim);
    let count = |text: &str| sim.chat_log().iter().filter(|l| l.text == text).count();
    sim.inject(FaultRule::new(Fault::ExpiredToken).on_path("/messages"));
    let e = client
        .send_chat("only once", None)
        .await
        .expect_err("refused");
    assert!(e.to_string().contains("nothing was done"), "{e}");
    assert_eq!(count("only once"), 0);
    client
        .send_chat("only once", None)
        .await
        .expect("the renewed sign-in works");
    assert_eq!(count("only once"), 1);

    sim.inject(FaultRule::new(Fault::RateLimited { reset_in_secs: 2 }).on_path("/messages"));
    let started = Instant::now();
    let e = client
        .send_chat("limited", None)
        .await
        .expect_err("rate limited");
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "a chat line does not wait"
    );
    assert_eq!(count("limited"), 0);
}

#[tokio::test]
async fn a_chat_limit_reached_leaves_the_apps_budget_alone() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let client = streamer(&sim);
    // A 429 of the chat limit: the gateway's headers still show requests left.
    sim.inject(
        FaultRule::new(Fault::Status(ErrorAnswer {
            http: 429,
            message: "You can send 30 chat messages a minute; wait 20 s".into(),
        }))
        .on_path("/messages"),
    );
    let e = client.send_chat("hi", None).await.expect_err("limited");
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.to_string().contains("wait 20 s"), "{e}");
    let started = Instant::now();
    client.stream_info().await.expect("reads go on");
    assert!(
        started.elapsed() < Duration::from_millis(800),
        "no wait for a read"
    );
    assert!(client.rate_budget().remaining > 0);
}

// ---------------------------------------------------------------- moderation

#[tokio::test]
async fn timeout_ban_and_delete_each_report_what_velora_said() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let p = platform(&sim);
    let me = sim.streamer();
    let line = sim
        .chat_log()
        .into_iter()
        .find(|l| l.sender_id != me.id)
        .expect("someone else's line");
    let outcome = p
        .moderate(
            &ModerationAction::DeleteMessage {
                user: TargetUser::Id(line.sender_id.clone()),
                message_id: line.message_id.clone(),
            },
            None,
        )
        .await
        .expect("deleted");
    assert_eq!(outcome.message.as_deref(), Some("Message deleted"));
    assert!(
        sim.chat_log()
            .iter()
            .any(|l| l.message_id == line.message_id && l.deleted)
    );

    let outcome = p
        .moderate(
            &ModerationAction::Timeout {
                user: TargetUser::Name(line.sender_username.clone()),
                secs: 300,
                reason: Some("cool down".into()),
            },
            None,
        )
        .await
        .expect("timed out");
    assert!(outcome.message.unwrap_or_default().contains("300"));
    let viewers = p.viewers(None).await.expect("viewers");
    let victim = viewers
        .viewers
        .iter()
        .find(|v| v.name != me.username && v.name != line.sender_username)
        .expect("a viewer")
        .name
        .clone();
    p.moderate(
        &ModerationAction::Ban {
            user: TargetUser::Name(victim),
            reason: None,
        },
        Some(&me.id),
    )
    .await
    .expect("banned");
    let log = sim.moderation_log();
    let actions: Vec<&str> = log.iter().map(|m| m.action.as_str()).collect();
    assert_eq!(actions, ["delete", "timeout", "ban"]);
    assert_eq!(log[0].target_id, line.sender_id);
    assert_eq!(log[1].duration_secs, Some(300));
    assert_eq!(log[1].reason.as_deref(), Some("cool down"));

    // Velora's refusal comes back in its words, and is not sent again.
    let before = sim.moderation_log().len();
    let e = p
        .moderate(
            &ModerationAction::Ban {
                user: TargetUser::Id(me.id.clone()),
                reason: None,
            },
            None,
        )
        .await
        .expect_err("not oneself");
    assert!(
        e.to_string().contains("You cannot moderate this user"),
        "{e}"
    );
    let e = p
        .moderate(
            &ModerationAction::Timeout {
                user: TargetUser::Name("nobody_at_all_here".into()),
                secs: 60,
                reason: None,
            },
            None,
        )
        .await
        .expect_err("unknown user");
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(sim.moderation_log().len(), before);
}

/// Waits for the next chat report, failing the test after `secs` without one.
async fn next_item(rx: &mut UnboundedReceiver<ChatFeedItem>, secs: u64) -> ChatFeedItem {
    tokio::time::timeout(Duration::from_secs(secs), rx.recv())
        .await
        .expect("a chat report in time")
        .expect("the feed is still open")
}

#[tokio::test]
async fn chat_history_comes_oldest_first_with_authors_and_roles() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let p = streamer(&sim);
    let me = sim.streamer();
    let said = sim.chat_log();
    let lines = p.chat_history(None, 100).await.expect("history");
    assert_eq!(lines.len(), said.len().min(100));
    let ids: Vec<_> = lines.iter().filter_map(|m| m.id.clone()).collect();
    let expected: Vec<_> = said.iter().map(|l| l.message_id.clone()).collect();
    assert_eq!(ids, expected[expected.len() - ids.len()..], "oldest first");
    let first = &lines[0];
    assert_eq!(
        first.author().id.as_deref(),
        Some(said[0].sender_id.as_str())
    );
    assert_eq!(
        first.author().name.as_deref(),
        Some(said[0].sender_username.as_str())
    );
    assert!(!first.author().display_name.is_empty());
    assert!(lines.iter().all(|m| m.at.unix_timestamp() > 0));
    // Read without a sign-in too (the endpoint is public), by the channel's name.
    let anonymous = VeloraClient::new(config(&sim, None)).expect("client");
    let by_name = anonymous
        .chat_history(Some(&me.username), 5)
        .await
        .expect("public history");
    assert_eq!(by_name.len(), 5);
    assert_eq!(by_name.last(), lines.last());
}

#[tokio::test]
async fn surprising_chat_history_is_read_leniently_or_explained() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let p = streamer(&sim);
    // A bare list, newest first, with a broken item, a deleted line and a notice.
    sim.inject(
        FaultRule::new(Fault::Raw {
            http: 200,
            content_type: "application/json".into(),
            body: r#"[
              {"id":"m3","userId":"u2","username":"bo","roles":"moderator","message":"third","createdAt":"2026-11-26T10:00:03Z"},
              {"id":"m2","userId":"u1","username":"al","content":"gone","deleted":true,"createdAt":"2026-11-26T10:00:02Z"},
              42,
              {"id":"m1","userId":"u1","username":"al","displayName":"Al","type":"follow","content":"followed","createdAt":1795687201}
            ]"#
            .into(),
        })
        .on_path("/history"),
    );
    let lines = p.chat_history(None, 10).await.expect("lenient");
    let ids: Vec<_> = lines.iter().filter_map(|m| m.id.as_deref()).collect();
    assert_eq!(ids, ["m1", "m3"]);
    assert_eq!(lines[0].kind.name(), "follow");
    assert_eq!(lines[1].author().roles, ["moderator"]);
    assert_eq!(lines[1].author().display_name, "bo");

    sim.inject(FaultRule::new(Fault::ServerErrorHtml).on_path("/history"));
    let e = p.chat_history(None, 10).await.expect_err("a gateway page");
    assert!(e.to_string().contains("not its API's JSON"), "{e}");
}

#[tokio::test]
async fn following_chat_passes_each_new_line_on_once() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let p = platform(&sim);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let follow = tokio::spawn({
        let p = p.clone();
        async move { p.follow_chat(&tx).await }
    });
    assert_eq!(next_item(&mut rx, 10).await, ChatFeedItem::Connected);
    let ChatFeedItem::Backlog(history) = next_item(&mut rx, 10).await else {
        panic!("the recent history first, as the backlog");
    };
    assert!(!history.is_empty());
    let viewer = sim
        .chat_log()
        .into_iter()
        .find(|l| l.sender_id != sim.streamer().id)
        .expect("a viewer who chatted");
    let id = sim
        .say(&viewer.sender_username, "hello from the site")
        .expect("a known user");
    let ChatFeedItem::Events(new) = next_item(&mut rx, 15).await else {
        panic!("lines, not another connection");
    };
    assert_eq!(
        new.len(),
        1,
        "only the new line, not the history again: {new:?}"
    );
    assert_eq!(new[0].id.as_deref(), Some(id.as_str()));
    assert_eq!(new[0].text(), "hello from the site");
    assert_eq!(
        new[0].author().name.as_deref(),
        Some(viewer.sender_username.as_str())
    );

    // Velora ends the stream: the connection ends, for the follow loop to make again.
    sim.end_event_streams();
    let e = tokio::time::timeout(Duration::from_secs(15), follow)
        .await
        .expect("the follow ends")
        .expect("no panic")
        .expect_err("an ended stream");
    assert!(e.to_string().contains("ended the events stream"), "{e}");

    // A stream that cannot be opened says why.
    sim.inject(FaultRule::new(Fault::ServerErrorHtml).on_path("/events/stream"));
    let (tx, _rx) = mpsc::unbounded_channel();
    let e = p.follow_chat(&tx).await.expect_err("a gateway page");
    assert!(e.to_string().contains("not its API's JSON"), "{e}");
}

#[tokio::test]
async fn following_chat_stops_when_nobody_listens() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let p = platform(&sim);
    let (tx, rx) = mpsc::unbounded_channel();
    drop(rx);
    let result = tokio::time::timeout(Duration::from_secs(10), p.follow_chat(&tx))
        .await
        .expect("returns at once");
    assert!(result.is_ok());
}

#[tokio::test]
async fn key_resets_elsewhere_are_unsupported() {
    let twitch = PlatformClient::new(
        TwitchClient::new(
            TwitchConfig::new("https://api.twitch.tv/helix", "https://id.twitch.tv", "x")
                .expect("config"),
        )
        .expect("client"),
    );
    let e = twitch.regenerate_stream_key().await.expect_err("not here");
    assert!(matches!(e, PlatformError::Unsupported { .. }), "{e}");
    assert!(twitch.chat_budget().is_none());
}

// ---------------------------------------------------------------- tokens

#[tokio::test]
async fn a_refused_token_is_refreshed_once_and_the_new_pair_kept() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let tokens = sim.streamer_tokens();
    let client = client_with(&sim, &tokens);
    let seen = listen(&client);
    sim.inject(FaultRule::new(Fault::ExpiredToken).on_path("/stream/info"));
    let ch = client.own_channel().await.expect("refreshed and retried");
    assert_eq!(ch.name, sim.streamer().username);
    let after = client.tokens();
    assert_ne!(
        after.access.as_ref().map(Secret::expose),
        Some(tokens.access_token.as_str())
    );
    assert_ne!(
        after.refresh.as_ref().map(Secret::expose),
        Some(tokens.refresh_token.as_str())
    );
    let exp = after.expires_at.expect("the hour is known now") - time::OffsetDateTime::now_utc();
    assert!(exp > time::Duration::minutes(55));
    {
        let seen = seen.lock().expect("lock");
        assert_eq!(seen.len(), 1, "the listener heard of it");
        assert_eq!(
            seen[0].refresh.as_ref().map(Secret::expose),
            after.refresh.as_ref().map(Secret::expose)
        );
    }
    // The new refresh token is the one used next time (the old one was single-use).
    sim.inject(FaultRule::new(Fault::ExpiredToken).on_path("/stream/info"));
    client.own_channel().await.expect("refreshed again");
    assert_eq!(seen.lock().expect("lock").len(), 2);

    // A token that really expired is refreshed too.
    let access = client.tokens().access.expect("held");
    assert!(sim.expire_token(access.expose()));
    client
        .stream_key()
        .await
        .expect("refreshed after a real expiry");
    assert_eq!(seen.lock().expect("lock").len(), 3);
}

#[tokio::test]
async fn calls_refused_together_share_one_refresh() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let client = streamer(&sim);
    let seen = listen(&client);
    let access = client.tokens().access.expect("held");
    assert!(sim.expire_token(access.expose()));
    let (a, b, c) = tokio::join!(client.stream_key(), client.stream_info(), client.account());
    assert!(a.is_ok() && b.is_ok() && c.is_ok());
    assert_eq!(
        seen.lock().expect("lock").len(),
        1,
        "one refresh for three calls"
    );
}

#[tokio::test]
async fn a_token_about_to_lapse_is_refreshed_before_the_call() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let tokens = sim.streamer_tokens();
    let client = client_with(&sim, &tokens);
    client.set_tokens(TokenPair {
        access: Some(Secret::new(tokens.access_token.clone())),
        refresh: Some(Secret::new(tokens.refresh_token.clone())),
        expires_at: Some(time::OffsetDateTime::now_utc() + time::Duration::seconds(90)),
    });
    let seen = listen(&client);
    let before = sim.request_count();
    client.account().await.expect("account");
    assert_eq!(seen.lock().expect("lock").len(), 1, "refreshed first");
    assert_eq!(
        sim.request_count(),
        before + 2,
        "the refresh and the call, no refused call"
    );
}

#[tokio::test]
async fn the_client_secret_goes_with_the_refresh_when_configured() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    // The right secret: accepted.
    let tokens = sim.streamer_tokens();
    let mut c = config(&sim, Some(&tokens));
    c.client_secret = Some(Secret::new(VeloraSim::CLIENT_SECRET));
    let client = VeloraClient::new(c).expect("client");
    client
        .refresh_now()
        .await
        .expect("refreshed with the secret");
    // A wrong secret: refused, which shows it is sent; the sign-in is then dead.
    let tokens = sim.streamer_tokens();
    let mut c = config(&sim, Some(&tokens));
    c.client_secret = Some(Secret::new("not-the-secret"));
    let client = VeloraClient::new(c).expect("client");
    let e = client.refresh_now().await.expect_err("wrong secret");
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert!(e.to_string().contains("sign in to Velora again"), "{e}");
    no_secret_in(&sim, &e.to_string());
}

#[tokio::test]
async fn a_refused_refresh_token_asks_to_sign_in_again_and_is_not_tried_twice() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let tokens = sim.streamer_tokens();
    let mut c = config(&sim, Some(&tokens));
    c.refresh_token = Some(Secret::new("vlr_rt_not_a_real_one"));
    let client = VeloraClient::new(c).expect("client");
    sim.inject(FaultRule::new(Fault::ExpiredToken).times(5));
    let e = client.account().await.expect_err("dead");
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert!(e.to_string().contains("sign in to Velora again"), "{e}");
    let before = sim.request_count();
    let e = client.account().await.expect_err("still dead");
    assert!(e.to_string().contains("sign in to Velora again"), "{e}");
    assert_eq!(sim.request_count(), before + 1, "no second refresh attempt");
}

#[tokio::test]
async fn no_token_means_not_signed_in() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let client = VeloraClient::new(config(&sim, None)).expect("client");
    let e = client.account().await.expect_err("no token");
    assert!(matches!(
        e,
        PlatformError::NotSignedIn {
            platform: PlatformId::Velora
        }
    ));
    assert!(e.to_string().contains("stagehand velora login"), "{e}");
}

// ---------------------------------------------------------------- sign-in

/// Plays the user on the simulated consent page: approves, and answers the redirect's query.
async fn consent(url: &url::Url, approve: bool) -> Vec<(String, String)> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");
    let page = http
        .get(url.clone())
        .send()
        .await
        .expect("the consent page");
    assert!(page.status().is_success(), "{}", page.status());
    let mut decide = url.clone();
    decide.set_path("/oauth/authorize/decide");
    decide
        .query_pairs_mut()
        .append_pair("decision", if approve { "approve" } else { "deny" });
    let answer = http.get(decide).send().await.expect("decided");
    assert_eq!(answer.status().as_u16(), 302);
    let location = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("a redirect")
        .to_owned();
    assert!(location.starts_with(REDIRECT), "{location}");
    url::Url::parse(&location)
        .expect("an address")
        .query_pairs()
        .into_owned()
        .collect()
}

fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn pkce_sign_in_from_consent_to_a_working_client() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let client = VeloraClient::new(config(&sim, None)).expect("client");
    let (verifier, challenge) = pkce_pair();
    assert_eq!(challenge, pkce_challenge(verifier.expose()));
    let url = client
        .authorize_url("st4te-xyz", &challenge, REDIRECT, &velora::SCOPES)
        .expect("an address");
    assert!(url.as_str().starts_with(&sim.authorize_url()));
    let answer = consent(&url, true).await;
    assert_eq!(get(&answer, "state"), Some("st4te-xyz"));
    let code = get(&answer, "code").expect("a code").to_owned();

    // A wrong verifier is refused (and spends nothing but that try).
    let (wrong, _) = pkce_pair();
    let e = client
        .exchange_code(&code, &wrong, REDIRECT)
        .await
        .expect_err("PKCE fails");
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert!(e.to_string().contains("PKCE verification failed"), "{e}");
    no_secret_in(&sim, &e.to_string());

    // A fresh code with the right verifier: the 201 answer is a success.
    let url = client
        .authorize_url("st4te-2", &challenge, REDIRECT, &velora::SCOPES)
        .expect("an address");
    let answer = consent(&url, true).await;
    let code = get(&answer, "code").expect("a code").to_owned();
    let pair = client
        .exchange_code(&code, &verifier, REDIRECT)
        .await
        .expect("tokens");
    assert!(pair.access.is_some() && pair.refresh.is_some());
    assert!(pair.expires_at.is_some());
    let p = PlatformClient::new(client.clone());
    assert_eq!(
        p.account().await.expect("signed in").name,
        sim.streamer().username
    );
    let status = p.sign_in_status().await.expect("status");
    let granted: HashSet<&str> = status.scopes.iter().map(String::as_str).collect();
    assert_eq!(granted, velora::SCOPES.into_iter().collect());
    let left = status.expires_at.expect("an expiry") - time::OffsetDateTime::now_utc();
    assert!(left > time::Duration::minutes(55) && left <= time::Duration::hours(1));

    // A code is single-use.
    let e = client
        .exchange_code(&code, &verifier, REDIRECT)
        .await
        .expect_err("used");
    assert_eq!(e.kind(), ErrorKind::Auth);

    // Sign-out forgets the tokens.
    p.revoke().await.expect("signed out");
    assert!(!client.has_user_token());
    assert!(matches!(
        p.account().await,
        Err(PlatformError::NotSignedIn { .. })
    ));
}

#[tokio::test]
async fn the_exchange_sends_the_client_secret_when_configured() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let mut c = config(&sim, None);
    c.client_secret = Some(Secret::new("wrong-secret"));
    let client = VeloraClient::new(c).expect("client");
    let (verifier, challenge) = pkce_pair();
    let url = client
        .authorize_url("s", &challenge, REDIRECT, &velora::SCOPES)
        .expect("an address");
    let code = get(&consent(&url, true).await, "code")
        .expect("code")
        .to_owned();
    let e = client
        .exchange_code(&code, &verifier, REDIRECT)
        .await
        .expect_err("the secret was sent and refused");
    assert!(
        e.to_string().contains("STAGEHAND_VELORA_CLIENT_SECRET"),
        "{e}"
    );
}

// ---------------------------------------------------------------- limits and faults

#[tokio::test]
async fn a_rate_limited_read_waits_for_retry_after_then_succeeds() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let client = streamer(&sim);
    client.stream_info().await.expect("warm");
    sim.inject(FaultRule::new(Fault::RateLimited { reset_in_secs: 1 }).on_path("/stream/info"));
    let started = Instant::now();
    client.stream_info().await.expect("after the wait");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(900), "{waited:?}");
    assert!(waited < Duration::from_secs(10), "{waited:?}");
}

#[tokio::test]
async fn the_rate_limit_headers_are_read() {
    let sim = sim_with(VeloraSimOptions {
        rate_limit_per_minute: 30,
        ..Default::default()
    })
    .await;
    let p = platform(&sim);
    p.account().await.expect("account");
    let budget = p.rate_budget().expect("a budget");
    assert_eq!(
        budget.limit, 30,
        "the sandbox's limit, from X-RateLimit-Limit"
    );
    assert!(budget.remaining < 30);
    assert!(budget.resets_at.is_some());
}

#[tokio::test]
async fn a_sandbox_limit_is_paced_not_broken() {
    let sim = sim_with(VeloraSimOptions {
        rate_limit_per_minute: 30,
        viewers: 300,
        ..Default::default()
    })
    .await;
    let client = streamer(&sim);
    // 300 viewers at 100 a page (with short pages) is well under 30 requests.
    let list = client.viewers(None).await.expect("viewers");
    assert_eq!(list.viewers.len(), 300);
}

#[tokio::test]
async fn gateway_pages_timeouts_and_dropped_connections_are_errors() {
    let sim = sim_with(VeloraSimOptions::default()).await;
    let client = streamer(&sim);
    sim.inject(FaultRule::new(Fault::ServerErrorHtml).on_path("/stream/info"));
    let e = client.stream_info().await.expect_err("an HTML page");
    assert!(
        matches!(e, PlatformError::NotJson { status: 502, .. }),
        "{e}"
    );

    sim.inject(
        FaultRule::new(Fault::Raw {
            http: 200,
            content_type: "text/html".into(),
            body: "<!doctype html><p>maintenance</p>".into(),
        })
        .on_path("/stream/info"),
    );
    let e = client.stream_info().await.expect_err("a 200 page");
    assert!(
        matches!(e, PlatformError::NotJson { status: 200, .. }),
        "{e}"
    );

    sim.inject(FaultRule::new(Fault::DropConnection).on_path("/stream/info"));
    let e = client.stream_info().await.expect_err("dropped");
    assert!(matches!(e, PlatformError::Network { .. }), "{e}");

    let mut c = config(&sim, Some(&sim.streamer_tokens()));
    c.timeout = Duration::from_millis(500);
    let slow = VeloraClient::new(c).expect("client");
    sim.inject(FaultRule::new(Fault::Slow(Duration::from_secs(3))).on_path("/stream/info"));
    let e = slow.stream_info().await.expect_err("too slow");
    assert!(matches!(e, PlatformError::Timeout { .. }), "{e}");
    no_secret_in(&sim, &format!("{e} {e:?}"));
}
