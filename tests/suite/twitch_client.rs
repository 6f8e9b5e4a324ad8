//! The Twitch client over real HTTP on loopback against the Twitch simulator: every Helix
//! endpoint Stagehand uses, paging across pages, the refresh on a refused token (single-use
//! refresh tokens), the Device Code sign-in, the rate limit, refusals before sending, and
//! injected faults.

use crate::common;

use common::sims::sim_with;
use stagehand::error::{ErrorKind, PlatformError};
use stagehand::model::{Audience, ChannelChanges, PlatformId};
use stagehand::platform::trovo::TrovoClient;
use stagehand::platform::trovo::TrovoConfig;
use stagehand::platform::twitch::TwitchConfig;
use stagehand::platform::twitch::{self, DevicePoll, TokenPair, TwitchClient};
use stagehand::platform::{ChannelTarget, PlatformClient};
use stagehand::secret::Secret;
use stagehand::sim::twitch::{
    BroadcasterType, ErrorAnswer, Fault, FaultRule, SimTokens, TwitchSim, TwitchSimOptions,
};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn config(sim: &TwitchSim, tokens: Option<&SimTokens>) -> TwitchConfig {
    let mut c = TwitchConfig::new(&sim.helix_base(), &sim.auth_origin(), TwitchSim::CLIENT_ID)
        .expect("loopback bases");
    c.access_token = tokens.map(|t| Secret::new(t.access_token.clone()));
    c.refresh_token = tokens.map(|t| Secret::new(t.refresh_token.clone()));
    c
}

fn client_with(sim: &TwitchSim, tokens: &SimTokens) -> TwitchClient {
    TwitchClient::new(config(sim, Some(tokens))).expect("client")
}

fn streamer(sim: &TwitchSim) -> TwitchClient {
    client_with(sim, &sim.streamer_tokens())
}

fn platform(sim: &TwitchSim) -> PlatformClient {
    PlatformClient::new(streamer(sim))
}

// ---------------------------------------------------------------- configuration

#[tokio::test]
async fn trailing_slashes_and_the_oauth2_suffix_are_tolerated() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let c = TwitchConfig::new(
        &format!("{}/", sim.helix_base()),
        &format!("{}/oauth2/", sim.auth_origin()),
        TwitchSim::CLIENT_ID,
    )
    .expect("config");
    let mut c = c;
    let t = sim.streamer_tokens();
    c.access_token = Some(Secret::new(t.access_token));
    let client = TwitchClient::new(c).expect("client");
    assert_eq!(
        client.account().await.expect("account").name,
        sim.streamer().login
    );
    assert!(client.validate().await.is_ok());
}

// ---------------------------------------------------------------- channel

#[tokio::test]
async fn own_channel_reads_title_category_language_tags_delay_and_stream() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let p = platform(&sim);
    assert_eq!(p.platform(), PlatformId::Twitch);
    let account = p.account().await.expect("account");
    assert_eq!(account.id, sim.streamer().user_id);
    assert_eq!(account.name, sim.streamer().login);
    let ch = p.channel(&ChannelTarget::Own).await.expect("own channel");
    let want = sim.channel();
    assert_eq!(ch.id, want.broadcaster_id);
    assert_eq!(ch.name, sim.streamer().login);
    assert_eq!(ch.title, want.title);
    let cat = ch.category.clone().expect("a category");
    assert_eq!(cat.id.as_deref(), Some(want.game_id.as_str()));
    assert_eq!(cat.name.as_deref(), Some(want.game_name.as_str()));
    assert_eq!(ch.language.as_deref(), Some(want.language.as_str()));
    assert_eq!(ch.tags.as_deref(), Some(want.tags.as_slice()));
    assert_eq!(ch.delay, Some(want.delay));
    assert_eq!(ch.audience, None, "Twitch has no audience");
    assert!(ch.is_live);
    assert_eq!(ch.viewers, Some(u64::from(want.viewer_count)));
    assert!(ch.started_at.is_some());
    assert_eq!(ch.followers, Some(250));
    assert!(ch.subscribers.is_some());
    assert!(ch.avatar_url.is_some());
    sim.set_live(false);
    let off = p.channel(&ChannelTarget::Own).await.expect("offline");
    assert!(!off.is_live && off.viewers.is_none() && off.started_at.is_none());
}

#[tokio::test]
async fn any_channel_by_login_and_by_id() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let p = platform(&sim);
    let other = sim.viewer_user();
    let by_name = p
        .channel(&ChannelTarget::Name(other.login.to_uppercase()))
        .await
        .expect("by login");
    assert_eq!(by_name.id, other.user_id);
    assert_eq!(by_name.name, other.login);
    let by_id = p
        .channel(&ChannelTarget::Id(other.user_id.clone()))
        .await
        .expect("by id");
    assert_eq!(by_id.name, other.login);
    assert!(
        by_id.subscribers.is_none(),
        "only the own channel counts them"
    );
    let e = p
        .channel(&ChannelTarget::Name("nosuchuser0zz".into()))
        .await
        .expect_err("unknown login");
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn update_sends_only_what_changed_and_reads_the_channel_back() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let p = platform(&sim);
    let cats = p.categories("", Some(5)).await.expect("top");
    let target = cats
        .categories
        .iter()
        .find(|c| c.id != sim.channel().game_id)
        .expect("another category")
        .clone();
    let changes = ChannelChanges {
        title: Some("Speedrun night — 日本語 OK".into()),
        category_id: Some(target.id.clone()),
        language: Some("DE".into()),
        tags: Some(vec!["Speedrun".into(), "日本語".into()]),
        ..Default::default()
    };
    let after = p.update_channel(&changes).await.expect("update");
    let live = sim.channel();
    assert_eq!(live.title, "Speedrun night — 日本語 OK");
    assert_eq!(live.game_id, target.id);
    assert_eq!(live.language, "de", "Helix takes lower-case codes");
    assert_eq!(live.tags, ["Speedrun", "日本語"]);
    assert_eq!(
        after.title, live.title,
        "the answer is the channel read back"
    );
    assert_eq!(after.tags.as_deref(), Some(live.tags.as_slice()));
    // A title-only change leaves the rest alone; an empty tag list clears the tags.
    p.update_channel(&ChannelChanges {
        title: Some("Just the title".into()),
        ..Default::default()
    })
    .await
    .expect("title only");
    assert_eq!(sim.channel().tags, ["Speedrun", "日本語"]);
    assert_eq!(sim.channel().game_id, target.id);
    let cleared = p
        .update_channel(&ChannelChanges {
            tags: Some(Vec::new()),
            ..Default::default()
        })
        .await
        .expect("clear tags");
    assert!(sim.channel().tags.is_empty());
    assert_eq!(cleared.tags, Some(Vec::new()));
}

#[tokio::test]
async fn title_tag_delay_and_audience_refusals_send_nothing() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let p = platform(&sim);
    p.account().await.expect("warm up: the own user is known");
    let before = sim.channel();
    let sent = sim.request_count();
    let cases = [
        ChannelChanges {
            title: Some("   ".into()),
            ..Default::default()
        },
        ChannelChanges {
            tags: Some(vec!["two words".into()]),
            ..Default::default()
        },
        ChannelChanges {
            tags: Some(vec!["a".repeat(26)]),
            ..Default::default()
        },
        ChannelChanges {
            tags: Some((0..11).map(|i| format!("tag{i}")).collect()),
            ..Default::default()
        },
        ChannelChanges {
            delay: Some(30),
            ..Default::default()
        },
        ChannelChanges {
            audience: Some(Audience::Adult),
            ..Default::default()
        },
    ];
    for changes in &cases {
        let e = p.update_channel(changes).await.expect_err("refused");
        let line = e.to_string();
        assert!(line.starts_with("Twitch"), "{line}");
        assert!(!line.contains('\n'), "one line: {line}");
    }
    assert_eq!(sim.request_count(), sent, "nothing was sent");
    assert_eq!(sim.channel(), before, "nothing changed");
    let e = p.update_channel(&cases[4]).await.expect_err("delay");
    assert!(e.to_string().contains("partner"), "{e}");
    let e = p.update_channel(&cases[5]).await.expect_err("audience");
    assert!(matches!(e, PlatformError::Unsupported { .. }), "{e:?}");
}

#[tokio::test]
async fn a_partner_sets_a_delay() {
    let sim = sim_with(TwitchSimOptions {
        broadcaster_type: BroadcasterType::Partner,
        ..Default::default()
    })
    .await;
    let p = platform(&sim);
    let ch = p
        .update_channel(&ChannelChanges {
            delay: Some(30),
            ..Default::default()
        })
        .await
        .expect("a partner may set a delay");
    assert_eq!(sim.channel().delay, 30);
    assert_eq!(ch.delay, Some(30));
    let e = p
        .update_channel(&ChannelChanges {
            delay: Some(901),
            ..Default::default()
        })
        .await
        .expect_err("over 900 s");
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn editors_teams_and_the_stream_key() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let p = platform(&sim);
    let editors = p.editors().await.expect("editors");
    assert!(!editors.is_empty());
    let viewer = sim.viewer_user();
    let e = editors
        .iter()
        .find(|e| e.id == viewer.user_id)
        .expect("the viewer account is an editor");
    assert_eq!(e.name, viewer.login, "the login, looked up");
    assert_eq!(
        e.display_name.as_deref(),
        Some(viewer.display_name.as_str())
    );
    assert!(editors.iter().all(|e| e.since.is_some()));
    let teams = p.teams().await.expect("teams");
    assert!(!teams.is_empty());
    assert!(teams.iter().all(|t| !t.id.is_empty() && !t.name.is_empty()));
    let key = p.stream_key().await.expect("stream key");
    assert!(!key.is_empty());
    assert!(!format!("{key:?} {key}").contains(key.expose()));
}

#[tokio::test]
async fn videos_come_from_every_page_with_lengths_in_seconds_and_sized_thumbnails() {
    let sim = sim_with(TwitchSimOptions {
        videos: 230,
        ..TwitchSimOptions::default()
    })
    .await;
    let p = platform(&sim);
    p.account().await.expect("account");
    let before = sim.request_count();
    let all = p.videos(None).await.expect("videos");
    // 230 finished and the one being recorded: three pages of 100.
    assert_eq!(all.len(), 231);
    assert_eq!(sim.request_count() - before, 3, "pages of 100");
    assert_eq!(
        all.iter()
            .map(|v| v.id.clone())
            .collect::<HashSet<_>>()
            .len(),
        231,
        "each once"
    );
    assert!(
        all.windows(2).all(|w| w[0].created_at >= w[1].created_at),
        "newest first"
    );
    // The archive of the broadcast going on now (an hour in): its length so far, no
    // thumbnail yet.
    let live = &all[0];
    assert_eq!(live.kind.as_deref(), Some("archive"));
    assert_eq!(live.title, sim.channel().title);
    assert!(
        live.duration.is_some_and(|d| (3_590..3_700).contains(&d)),
        "{:?}",
        live.duration
    );
    assert_eq!(live.thumbnail_url, None);
    for v in &all[1..] {
        assert_eq!(v.url, format!("https://www.twitch.tv/videos/{}", v.id));
        assert!(v.created_at.is_some() && v.view_count.is_some() && !v.title.is_empty());
        // The simulator's lengths: archives 1.5 to 5 hours, highlights under 15 minutes,
        // uploads 2 to 40 minutes.
        let d = v.duration.expect("a length");
        let ok = match v.kind.as_deref() {
            Some("archive") => (5_400..18_000).contains(&d),
            Some("highlight") => (30..900).contains(&d),
            Some("upload") => (120..2_400).contains(&d),
            other => panic!("kind {other:?}"),
        };
        assert!(ok, "{:?} of {d} s", v.kind);
        let thumb = v.thumbnail_url.as_deref().expect("a thumbnail");
        assert!(thumb.ends_with("-320x180.jpg"), "{thumb}");
        assert!(!thumb.contains('%') && !thumb.contains('{'), "{thumb}");
    }
    assert!(all.iter().any(|v| v.duration.is_some_and(|d| d >= 3_600)));
    let kinds: HashSet<_> = all.iter().filter_map(|v| v.kind.clone()).collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    // The thumbnail is a picture at that size.
    let jpg = reqwest::get(all[1].thumbnail_url.clone().expect("a thumbnail"))
        .await
        .expect("fetch")
        .bytes()
        .await
        .expect("bytes");
    let img = image::load_from_memory(&jpg).expect("a picture");
    assert_eq!((img.width(), img.height()), (320, 180));

    // A limit asks for no more than it needs: one page of 5.
    let before = sim.request_count();
    let five = p.videos(Some(5)).await.expect("five");
    assert_eq!(sim.request_count() - before, 1);
    let ids: Vec<_> = five.iter().map(|v| v.id.as_str()).collect();
    let want: Vec<_> = all[..5].iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, want);
    let c = streamer(&sim);
    let theirs = c
        .videos(Some(&sim.viewer_user().user_id), None)
        .await
        .expect("another channel's");
    assert_eq!(theirs.len(), 3);
    // Offline, no archive in the making.
    sim.set_live(false);
    let offline = p.videos(None).await.expect("offline");
    assert_eq!(offline.len(), 230);
    assert!(offline.iter().all(|v| v.thumbnail_url.is_some()));
}

#[tokio::test]
async fn a_commercial_starts_then_its_cooldown_is_reported_without_stalling() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let p = platform(&sim);
    let sent = sim.request_count();
    let e = p.start_commercial(20).await.expect_err("too short");
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(p.start_commercial(181).await.is_err());
    assert_eq!(sim.request_count(), sent, "refused before sending");
    let c = p.start_commercial(60).await.expect("commercial");
    assert_eq!(c.length, 60);
    assert!(c.retry_after > 0, "the cooldown is reported");
    assert!(c.message.is_none());
    let e = p.start_commercial(30).await.expect_err("cooldown");
    assert!(
        e.to_string().contains("seconds"),
        "Twitch's wait is kept: {e}"
    );
    assert_ne!(e.kind(), ErrorKind::RateLimited, "not the app's rate limit");
    let t = Instant::now();
    p.account().await.expect("other calls go on at once");
    assert!(t.elapsed() < Duration::from_secs(2));
    sim.set_live(false);
    let sim2 = sim_with(TwitchSimOptions {
        live: false,
        ..Default::default()
    })
    .await;
    let e = platform(&sim2)
        .start_commercial(30)
        .await
        .expect_err("offline");
    assert!(e.to_string().contains("live"), "{e}");
}

// ---------------------------------------------------------------- categories

#[tokio::test]
async fn categories_search_and_top_with_box_art_at_the_picker_size() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let p = platform(&sim);
    let (w, h) = twitch::BOX_ART_SIZE;
    let size = format!("-{w}x{h}.");
    let found = p.categories("fort", Some(10)).await.expect("search");
    let fortnite = found
        .categories
        .iter()
        .find(|c| c.name == "Fortnite")
        .expect("Fortnite is found");
    assert_eq!(fortnite.short_name, None);
    for c in &found.categories {
        let url = c.icon_url.as_deref().expect("box art");
        assert!(url.contains(&size), "{url}");
        assert!(!url.contains("52x72") && !url.contains('{'), "{url}");
    }
    let icon = fortnite.icon_url.clone().expect("url");
    let resp = reqwest::get(&icon).await.expect("box art fetch");
    assert!(resp.status().is_success(), "{icon}");
    let top = p.categories("", Some(20)).await.expect("top");
    assert_eq!(top.categories.len(), 20);
    assert!(top.has_more);
    assert_eq!(top.categories[0].name, "Just Chatting");
    assert!(
        top.categories
            .iter()
            .all(|c| c.icon_url.as_deref().is_some_and(|u| u.contains(&size)))
    );
    let none = p
        .categories("zzzz-no-such-category-qqq", None)
        .await
        .expect("search");
    assert!(none.categories.is_empty() && !none.has_more);
}

// ---------------------------------------------------------------- people

#[tokio::test]
async fn followers_come_from_every_page_each_once() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let p = platform(&sim);
    let all = p.followers(None, None).await.expect("followers");
    assert_eq!(all.total, 250);
    assert_eq!(all.followers.len(), 250, "three pages of at most 100");
    let ids: HashSet<_> = all.followers.iter().map(|f| f.id.clone()).collect();
    assert_eq!(ids.len(), 250);
    assert!(
        all.followers
            .iter()
            .all(|f| !f.name.is_empty() && f.followed_at.is_some())
    );
    assert!(
        all.followers
            .windows(2)
            .all(|w| w[0].followed_at >= w[1].followed_at),
        "newest first"
    );
    let some = p.followers(None, Some(130)).await.expect("limited");
    assert_eq!(some.followers.len(), 130);
    assert_eq!(some.total, 250);
}

#[tokio::test]
async fn viewers_are_the_chatters_with_roles_and_the_broadcaster() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let p = platform(&sim);
    let list = p.viewers(None).await.expect("chatters");
    assert_eq!(list.total, 120, "the chatters' total");
    assert_eq!(list.anonymous, None);
    let names: HashSet<_> = list.viewers.iter().map(|v| v.name.clone()).collect();
    assert_eq!(names.len(), list.viewers.len(), "each once");
    let me = list
        .viewers
        .iter()
        .find(|v| v.name == sim.streamer().login)
        .expect("the broadcaster is listed");
    assert!(me.roles.iter().any(|r| r == "broadcaster"));
    assert!(
        me.roles.iter().any(|r| r == "moderator"),
        "its own moderator"
    );
    assert!(
        list.viewers
            .iter()
            .any(|v| v.name != me.name && v.roles.iter().any(|r| r == "moderator"))
    );
    assert!(
        list.viewers
            .iter()
            .any(|v| v.roles.iter().any(|r| r == "vip"))
    );
}

#[tokio::test]
async fn many_chatters_page_by_a_thousand() {
    let sim = sim_with(TwitchSimOptions {
        chatters: 2_345,
        ..Default::default()
    })
    .await;
    let list = platform(&sim).viewers(None).await.expect("chatters");
    assert_eq!(list.total, 2_345);
    assert_eq!(list.viewers.len(), 2_345);
}

#[tokio::test]
async fn subscribers_carry_twitch_tiers() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let list = platform(&sim).subscribers().await.expect("subscribers");
    assert_eq!(list.total, 40);
    assert_eq!(list.subscribers.len(), 40);
    let ids: HashSet<_> = list.subscribers.iter().map(|s| s.id.clone()).collect();
    assert_eq!(ids.len(), 40);
    for s in &list.subscribers {
        let tier = s.tier.as_deref().expect("a tier");
        assert!(["1000", "2000", "3000"].contains(&tier), "{tier}");
    }
}

// ---------------------------------------------------------------- chat

#[tokio::test]
async fn chat_is_sent_dropped_with_its_reason_or_refused_when_too_long() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let c = streamer(&sim);
    let id = c
        .send_chat("hello from Stagehand", None)
        .await
        .expect("sent");
    assert!(!id.is_empty());
    assert!(sim.chat_log().iter().any(|l| l.message_id == id
        && l.text == "hello from Stagehand"
        && l.sender_login == sim.streamer().login));
    let e = c
        .send_chat("this has a blockedterm in it", None)
        .await
        .expect_err("dropped");
    assert_eq!(e.kind(), ErrorKind::ChatRefused);
    assert!(e.to_string().contains("dropped"), "{e}");
    let sent = sim.request_count();
    let e = c
        .send_chat(&"é".repeat(501), None)
        .await
        .expect_err("too long");
    assert!(e.to_string().contains("500"), "{e}");
    assert_eq!(sim.request_count(), sent, "refused before sending");
    assert!(
        c.send_chat(&"é".repeat(500), None).await.is_ok(),
        "500 is fine"
    );
}

#[tokio::test]
async fn messages_are_deleted_and_users_banned_or_timed_out() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let c = streamer(&sim);
    let id = c.send_chat("delete me", None).await.expect("sent");
    c.delete_message(&id, None).await.expect("deleted");
    assert!(
        sim.chat_log()
            .iter()
            .any(|l| l.message_id == id && l.deleted)
    );
    let target = sim.viewer_user().user_id;
    c.timeout(&target, 60, Some("calm down"))
        .await
        .expect("timeout");
    assert!(sim.is_banned(&target));
    assert!(c.timeout(&target, 0, None).await.is_err());
    let chatters = c.viewers(None).await.expect("chatters");
    let other = chatters
        .viewers
        .iter()
        .find(|v| v.roles.is_empty())
        .expect("a plain chatter");
    let user = c
        .user_by_login(&other.name)
        .await
        .expect("lookup")
        .and_then(|u| u.id)
        .expect("an id");
    c.ban(&user, None).await.expect("ban");
    assert!(sim.is_banned(&user));
}

// ---------------------------------------------------------------- tokens

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_new_pair_is_kept() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let tokens = sim.streamer_tokens();
    let c = client_with(&sim, &tokens);
    let seen: Arc<Mutex<Vec<TokenPair>>> = Arc::default();
    let s = seen.clone();
    c.on_tokens_refreshed(Arc::new(move |p: &TokenPair| {
        s.lock().expect("lock").push(p.clone());
    }));
    assert!(sim.expire_token(&tokens.access_token));
    let ch = c.own_channel().await.expect("refreshed and retried");
    assert_eq!(ch.id, sim.streamer().user_id);
    let stored = seen.lock().expect("lock").clone();
    assert_eq!(stored.len(), 1, "one refresh for the whole read");
    let now = c.tokens();
    assert_ne!(
        now.access.as_ref().map(Secret::expose),
        Some(tokens.access_token.as_str())
    );
    assert_ne!(
        now.refresh.as_ref().map(Secret::expose),
        Some(tokens.refresh_token.as_str()),
        "the new refresh token replaces the old one at once"
    );
    assert_eq!(
        stored[0].refresh.as_ref().map(Secret::expose),
        now.refresh.as_ref().map(Secret::expose),
        "the listener got the pair now in use"
    );
    // The old refresh token was single-use: a client still holding it must sign in again,
    // and asks id.twitch.tv once, not in a loop.
    let stale = client_with(&sim, &tokens);
    let auth_before = sim.auth_request_count();
    let e = stale.own_channel().await.expect_err("old pair is dead");
    assert!(e.to_string().contains("sign in to Twitch again"), "{e}");
    assert_eq!(e.kind(), ErrorKind::Auth);
    let e2 = stale.account().await.expect_err("still dead");
    assert!(e2.to_string().contains("sign in to Twitch again"), "{e2}");
    assert_eq!(
        sim.auth_request_count() - auth_before,
        1,
        "one refresh attempt, then none"
    );
}

#[tokio::test]
async fn concurrent_refusals_share_one_refresh() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let tokens = sim.streamer_tokens();
    let c = client_with(&sim, &tokens);
    c.account().await.expect("warm up");
    assert!(sim.expire_token(&tokens.access_token));
    let before = sim.auth_request_count();
    let (a, b, d) = tokio::join!(c.own_channel(), c.followers(None, Some(5)), c.subscribers());
    a.expect("channel");
    b.expect("followers");
    d.expect("subscribers");
    assert_eq!(sim.auth_request_count() - before, 1, "one refresh");
}

#[tokio::test]
async fn an_injected_401_on_a_write_refreshes_but_never_resends_chat() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let c = streamer(&sim);
    c.account().await.expect("warm up");
    sim.inject(FaultRule::new(Fault::ExpiredToken).on_path("/chat/messages"));
    let lines = sim.chat_log().len();
    let e = c
        .send_chat("once only", None)
        .await
        .expect_err("not resent");
    assert!(e.to_string().contains("try again"), "{e}");
    assert_eq!(sim.chat_log().len(), lines, "nothing was sent");
    c.send_chat("once only", None)
        .await
        .expect("the renewed sign-in works");
    // An idempotent write is retried after the refresh.
    sim.inject(FaultRule::new(Fault::ExpiredToken).on_path("/channels"));
    c.update_channel(&ChannelChanges {
        title: Some("After a refresh".into()),
        ..Default::default()
    })
    .await
    .expect("patched after one refresh");
    assert_eq!(sim.channel().title, "After a refresh");
}

#[tokio::test]
async fn validate_reports_scopes_and_expiry_and_revoke_ends_the_sign_in() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let p = platform(&sim);
    let status = p.sign_in_status().await.expect("validate");
    for scope in twitch::SCOPES {
        assert!(status.scopes.iter().any(|s| s == scope), "{scope}");
    }
    let left = status.expires_at.expect("an expiry") - time::OffsetDateTime::now_utc();
    assert!(left > time::Duration::hours(3) && left <= time::Duration::hours(4));
    let c: &TwitchClient = p.downcast_ref().expect("a Twitch client");
    let token = c.tokens().access.expect("a token");
    c.revoke().await.expect("revoked");
    assert!(!c.has_user_token());
    let e = p.account().await.expect_err("signed out");
    assert!(matches!(e, PlatformError::NotSignedIn { .. }));
    let again = TwitchClient::new({
        let mut cfg = config(&sim, None);
        cfg.access_token = Some(token);
        cfg
    })
    .expect("client");
    let e = again.validate().await.expect_err("revoked token");
    assert!(e.to_string().contains("sign in to Twitch again"), "{e}");
}

#[tokio::test]
async fn a_token_near_its_expiry_is_refreshed_before_the_call() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let c = streamer(&sim);
    c.validate().await.expect("validate");
    let mut pair = c.tokens();
    pair.expires_at = Some(time::OffsetDateTime::now_utc() + time::Duration::seconds(60));
    let old = pair.access.clone();
    c.set_tokens(pair);
    c.account().await.expect("account");
    assert_ne!(c.tokens().access, old, "refreshed first");
}

// ---------------------------------------------------------------- device sign-in

#[tokio::test]
async fn device_sign_in_pending_then_approved() {
    let sim = sim_with(TwitchSimOptions {
        device_interval: Duration::from_millis(300),
        ..Default::default()
    })
    .await;
    let c = TwitchClient::new(config(&sim, None)).expect("client");
    let code = c
        .start_device_flow(&twitch::SCOPES)
        .await
        .expect("device code");
    assert!(!code.user_code.is_empty());
    assert!(code.verification_uri.starts_with("http"));
    assert!(code.interval >= Duration::from_secs(1));
    match c.poll_device_token_once(&code).await.expect("poll") {
        DevicePoll::Pending | DevicePoll::SlowDown => {}
        other => panic!("expected pending, got {other:?}"),
    }
    assert!(matches!(
        c.poll_device_token_once(&code).await.expect("poll"),
        DevicePoll::SlowDown
    ));
    assert!(sim.approve_device(&code.user_code));
    let pair = c
        .poll_device_token(&code, std::future::pending())
        .await
        .expect("signed in");
    assert!(pair.refresh.is_some());
    assert_eq!(
        c.account().await.expect("account").name,
        sim.streamer().login
    );
    let status = c.validate().await.expect("validate");
    assert_eq!(status.scopes.len(), twitch::SCOPES.len());
}

#[tokio::test]
async fn device_sign_in_denied_or_cancelled() {
    let sim = sim_with(TwitchSimOptions {
        device_interval: Duration::from_millis(200),
        ..Default::default()
    })
    .await;
    let c = TwitchClient::new(config(&sim, None)).expect("client");
    let code = c.start_device_flow(&twitch::SCOPES).await.expect("code");
    assert!(sim.deny_device(&code.user_code));
    let e = c
        .poll_device_token(&code, std::future::pending())
        .await
        .expect_err("denied");
    assert!(e.to_string().contains("declined"), "{e}");
    let code = c.start_device_flow(&twitch::SCOPES).await.expect("code");
    let e = c
        .poll_device_token(&code, tokio::time::sleep(Duration::from_millis(100)))
        .await
        .expect_err("cancelled");
    assert!(e.to_string().contains("cancelled"), "{e}");
    assert!(!c.has_user_token());
}

#[tokio::test]
async fn an_expired_device_code_ends_the_sign_in() {
    let sim = sim_with(TwitchSimOptions {
        device_interval: Duration::from_millis(200),
        device_lifetime: Duration::from_millis(1_500),
        ..Default::default()
    })
    .await;
    let c = TwitchClient::new(config(&sim, None)).expect("client");
    let code = c.start_device_flow(&twitch::SCOPES).await.expect("code");
    let e = tokio::time::timeout(
        Duration::from_secs(20),
        c.poll_device_token(&code, std::future::pending()),
    )
    .await
    .expect("ends on its own")
    .expect_err("expired");
    assert!(e.to_string().contains("expired"), "{e}");
}

// ---------------------------------------------------------------- rate limit and faults

#[tokio::test]
async fn a_rate_limited_read_waits_for_the_reset_and_a_chat_line_is_not_resent() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let c = streamer(&sim);
    c.account().await.expect("warm up");
    sim.inject(FaultRule::new(Fault::RateLimited { reset_in_secs: 2 }).on_path("/channels"));
    let t = Instant::now();
    c.own_channel()
        .await
        .expect("the read waits, then succeeds");
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    sim.inject(FaultRule::new(Fault::RateLimited { reset_in_secs: 1 }).on_path("/chat/messages"));
    let lines = sim.chat_log().len();
    let e = c.send_chat("not twice", None).await.expect_err("refused");
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(sim.chat_log().len(), lines);
    let budget = c.rate_budget();
    assert!(budget.limit >= 1);
}

#[tokio::test]
async fn html_pages_dropped_connections_and_timeouts_are_sentences() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let tokens = sim.streamer_tokens();
    let mut cfg = config(&sim, Some(&tokens));
    cfg.timeout = Duration::from_millis(700);
    let c = TwitchClient::new(cfg).expect("client");
    c.account().await.expect("warm up");
    // Faults on the stream read: the channel needs it (the follower count is an extra
    // that may fail without failing the channel).
    sim.inject(FaultRule::new(Fault::ServerErrorHtml).on_path("/streams"));
    let e = c.own_channel().await.expect_err("html");
    assert!(
        matches!(e, PlatformError::NotJson { status: 502, .. }),
        "{e:?}"
    );
    sim.inject(FaultRule::new(Fault::DropConnection).on_path("/streams"));
    let e = c.own_channel().await.expect_err("dropped");
    assert!(matches!(e, PlatformError::Network { .. }), "{e:?}");
    assert!(e.to_string().contains("check your internet connection"));
    sim.inject(FaultRule::new(Fault::Slow(Duration::from_secs(3))).on_path("/streams"));
    let e = c.own_channel().await.expect_err("slow");
    assert!(matches!(e, PlatformError::Timeout { .. }), "{e:?}");
    sim.inject(
        FaultRule::new(Fault::Status(ErrorAnswer {
            http: 500,
            message: "Internal Server Error".into(),
        }))
        .on_path("/streams"),
    );
    let e = c.own_channel().await.expect_err("500");
    assert_eq!(e.kind(), ErrorKind::Server);
    let line = e.to_string();
    assert!(!line.contains(&tokens.access_token), "no token in errors");
    c.own_channel().await.expect("faults are over");
}

#[tokio::test]
async fn a_missing_scope_asks_to_sign_in_again() {
    let sim = sim_with(TwitchSimOptions::default()).await;
    let tokens = sim.issue_tokens(&["channel:manage:broadcast"]);
    let c = client_with(&sim, &tokens);
    let before = sim.auth_request_count();
    let e = c.editors().await.expect_err("no scope");
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert!(e.to_string().contains("sign in to Twitch again"), "{e}");
    assert_eq!(
        sim.auth_request_count(),
        before,
        "no refresh for a missing scope"
    );
}

// ---------------------------------------------------------------- other platforms

#[tokio::test]
async fn twitch_only_features_are_a_clear_error_elsewhere() {
    let trovo = PlatformClient::new(
        TrovoClient::new(
            TrovoConfig::new("https://open-api.trovo.live/openplatform", "x").expect("config"),
        )
        .expect("client"),
    );
    for e in [
        trovo.editors().await.expect_err("editors"),
        trovo.teams().await.expect_err("teams"),
        trovo.videos(None).await.expect_err("videos"),
        trovo
            .start_commercial(60)
            .await
            .map(drop)
            .expect_err("commercial"),
        trovo
            .update_channel(&ChannelChanges {
                tags: Some(vec!["a".into()]),
                ..Default::default()
            })
            .await
            .map(drop)
            .expect_err("tags"),
        trovo
            .update_channel(&ChannelChanges {
                delay: Some(5),
                ..Default::default()
            })
            .await
            .map(drop)
            .expect_err("delay"),
    ] {
        assert!(matches!(e, PlatformError::Unsupported { .. }), "{e:?}");
        assert!(e.to_string().starts_with("Trovo has no "), "{e}");
    }
}
