//! The Trovo client over real HTTP on loopback against the simulator: every endpoint of the
//! reference, every error class, paging, token refresh, the rate limiter and injected faults.

use crate::common;

use common::sims::sim_with;
use stagehand::error::{ErrorKind, PlatformError};
use stagehand::model::{Audience, ChannelChanges};
use stagehand::platform::trovo::TrovoConfig;
use stagehand::platform::trovo::{Direction, EmoteKind, TokenPair, TrovoClient};
use stagehand::secret::Secret;
use stagehand::sim::trovo::{
    ErrorAnswer, Fault, FaultRule, SimOptions, SimTokens, SimUser, TrovoSim,
};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn config(sim: &TrovoSim, tokens: Option<&SimTokens>, secret: bool) -> TrovoConfig {
    let mut c = TrovoConfig::new(&sim.api_base(), TrovoSim::CLIENT_ID).expect("loopback base");
    c.access_token = tokens.map(|t| Secret::new(t.access_token.clone()));
    c.refresh_token = tokens.map(|t| Secret::new(t.refresh_token.clone()));
    if secret {
        c.client_secret = Some(Secret::new(TrovoSim::CLIENT_SECRET));
    }
    c
}

fn client(sim: &TrovoSim, tokens: Option<&SimTokens>) -> TrovoClient {
    TrovoClient::new(config(sim, tokens, true)).expect("client")
}

fn streamer(sim: &TrovoSim) -> TrovoClient {
    client(sim, Some(&sim.streamer_tokens()))
}

fn code(e: &PlatformError) -> i64 {
    e.code()
        .unwrap_or_else(|| panic!("expected a Trovo error code, got {e}"))
}

// ---------------------------------------------------------------- categories

#[tokio::test]
async fn top_categories_are_many_with_real_png_icons() {
    let sim = sim_with(SimOptions::default()).await;
    let c = client(&sim, None);
    let cats = c.top_categories().await.expect("top categories");
    assert!(cats.len() >= 200, "only {} categories", cats.len());
    let ids: HashSet<_> = cats.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids.len(), cats.len(), "ids are unique");
    let icon = cats[0].icon_url.clone().expect("an icon url");
    let bytes = reqwest::get(&icon)
        .await
        .expect("icon fetch")
        .bytes()
        .await
        .expect("icon body");
    let img = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
        .expect("the icon is a real PNG");
    assert!(img.width() >= 16 && img.height() >= 16);
}

#[tokio::test]
async fn search_categories_matches_names_and_reports_has_more() {
    let sim = sim_with(SimOptions::default()).await;
    let c = client(&sim, None);
    let top = c.top_categories().await.expect("top");
    let probe = top[0].name[..3].to_lowercase();
    let page = c.search_categories(&probe, 100).await.expect("search");
    assert!(!page.categories.is_empty());
    for cat in &page.categories {
        let hay = format!(
            "{} {}",
            cat.name.to_lowercase(),
            cat.short_name.clone().unwrap_or_default().to_lowercase()
        );
        assert!(hay.contains(&probe), "{} does not match {probe}", cat.name);
    }
    if page.categories.len() > 1 {
        let cut = c.search_categories(&probe, 1).await.expect("search 1");
        assert_eq!(cut.categories.len(), 1);
        assert!(cut.has_more, "a cut list says more exist");
    }
    let none = c
        .search_categories("zzzz-no-such-category-qqq", 20)
        .await
        .expect("search");
    assert!(none.categories.is_empty());
    assert!(!none.has_more);
}

// ---------------------------------------------------------------- channels

#[tokio::test]
async fn top_channels_follow_the_token_and_cursor() {
    let sim = sim_with(SimOptions::default()).await;
    let c = client(&sim, None);
    let first = c.top_channels_page(10, None, None).await.expect("page 1");
    assert_eq!(first.channels.len(), 10);
    assert!(first.has_next(), "more than one page of live channels");
    let second = c
        .top_channels_page(10, None, Some(&first))
        .await
        .expect("page 2");
    let a: HashSet<_> = first.channels.iter().map(|c| c.id.clone()).collect();
    let b: HashSet<_> = second.channels.iter().map(|c| c.id.clone()).collect();
    assert!(a.is_disjoint(&b), "page 2 holds other channels");
    let all = c.top_channels(1000, None).await.expect("all pages");
    let unique: HashSet<_> = all.iter().map(|c| c.id.clone()).collect();
    assert!(all.len() >= 20 && unique.len() == all.len());
    assert!(all.iter().all(|c| c.is_live && !c.name.is_empty()));
    // Viewer counts come most watched first.
    assert!(all.windows(2).all(|w| w[0].viewers >= w[1].viewers));
}

#[tokio::test]
async fn users_and_channels_by_id_and_name() {
    let sim = sim_with(SimOptions::default()).await;
    let me = sim.streamer();
    let c = client(&sim, None);
    let users = c
        .get_users(&[&me.username.to_uppercase(), "no_such_user_xyz"])
        .await
        .expect("getusers");
    assert_eq!(users.len(), 1, "unknown names are left out");
    assert_eq!(users[0].channel_id, me.channel_id);

    let by_id = c.channel_by_id(&me.channel_id).await.expect("by id");
    let by_name = c.channel_by_name(&me.username).await.expect("by name");
    let live = sim.channel();
    for ch in [&by_id, &by_name] {
        assert_eq!(ch.id, me.channel_id, "the id is filled in");
        assert_eq!(ch.name, me.username);
        assert_eq!(ch.title, live.title);
        assert_eq!(
            ch.category.as_ref().and_then(|k| k.id.clone()),
            Some(live.category_id.clone())
        );
        assert!(ch.followers.is_some() && ch.subscribers.is_some());
    }
    let missing = c
        .channel_by_name("no_such_user_xyz")
        .await
        .expect_err("unknown");
    assert_eq!(missing.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn own_channel_carries_a_hidden_stream_key() {
    let sim = sim_with(SimOptions::default()).await;
    let own = streamer(&sim).own_channel().await.expect("own channel");
    assert_eq!(own.channel.id, sim.streamer().channel_id);
    let key = own.stream_key.clone().expect("a stream key");
    assert!(!key.expose().is_empty());
    assert!(
        !format!("{own:?}").contains(key.expose()),
        "Debug hides the key"
    );
}

#[tokio::test]
async fn update_channel_changes_every_field_and_reads_back() {
    let sim = sim_with(SimOptions::default()).await;
    let c = streamer(&sim);
    let id = c.own_channel_id().await.expect("own id");
    let cats = c.top_categories().await.expect("cats");
    let target = cats
        .iter()
        .find(|k| k.id != sim.channel().category_id)
        .expect("another category");
    let changes = ChannelChanges {
        title: Some("Speedrun night — 日本語 OK".into()),
        category_id: Some(target.id.clone()),
        language: Some("de".into()),
        audience: Some(Audience::Adult),
        ..Default::default()
    };
    c.update_channel(&id, &changes).await.expect("update");
    let live = sim.channel();
    assert_eq!(live.title, "Speedrun night — 日本語 OK");
    assert_eq!(live.category_id, target.id);
    assert_eq!(live.language, "DE", "language codes are sent upper-case");
    assert_eq!(live.audience, "CHANNEL_AUDIENCE_TYPE_EIGHTEENPLUS");
    let back = c.channel_by_id(&id).await.expect("read back");
    assert_eq!(back.audience, Some(Audience::Adult));
    assert_eq!(back.language.as_deref(), Some("DE"));

    // Only the title: the rest stays.
    let title_only = ChannelChanges {
        title: Some("Just the title".into()),
        ..Default::default()
    };
    c.update_channel(&id, &title_only).await.expect("update");
    assert_eq!(sim.channel().category_id, target.id);
    assert_eq!(sim.channel().title, "Just the title");
}

#[tokio::test]
async fn update_channel_errors_are_typed_and_change_nothing() {
    let sim = sim_with(SimOptions::default()).await;
    let c = streamer(&sim);
    let id = c.own_channel_id().await.expect("own id");
    let before = sim.channel();
    let bad = ChannelChanges {
        category_id: Some("999999999".into()),
        ..Default::default()
    };
    let e = c
        .update_channel(&id, &bad)
        .await
        .expect_err("unknown category");
    assert_eq!(code(&e), 11000);
    assert_eq!(e.to_string(), "Trovo: that category does not exist");
    assert_eq!(sim.channel(), before);

    // Someone else's channel.
    let viewer = client(
        &sim,
        Some(&sim.issue_tokens(SimUser::Viewer, &["channel_update_self"], 3600)),
    );
    let e = viewer
        .update_channel(
            &id,
            &ChannelChanges {
                title: Some("hijack".into()),
                ..Default::default()
            },
        )
        .await
        .expect_err("not the owner");
    assert_eq!(e.kind(), ErrorKind::Permission);
    assert_eq!(sim.channel(), before);

    // A token without the scope.
    let narrow = client(
        &sim,
        Some(&sim.issue_tokens(SimUser::Streamer, &["user_details_self"], 3600)),
    );
    let e = narrow
        .update_channel(
            &id,
            &ChannelChanges {
                title: Some("x".into()),
                ..Default::default()
            },
        )
        .await
        .expect_err("missing scope");
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert_eq!(sim.channel(), before);
}

#[tokio::test]
async fn user_info_is_the_signed_in_account() {
    let sim = sim_with(SimOptions::default()).await;
    let me = sim.streamer();
    let account = streamer(&sim).user_info().await.expect("user info");
    assert_eq!(account.id, me.user_id);
    assert_eq!(account.name, me.username);
    assert_eq!(account.display_name, me.nickname);
}

// ---------------------------------------------------------------- people

#[tokio::test]
async fn subscribers_come_from_every_page() {
    let sim = sim_with(SimOptions {
        subscribers: 230,
        ..Default::default()
    })
    .await;
    let c = streamer(&sim);
    let id = c.own_channel_id().await.expect("id");
    let all = c.subscribers(&id).await.expect("subscribers");
    assert_eq!(all.total, 230);
    assert_eq!(all.subscribers.len(), 230);
    let ids: HashSet<_> = all.subscribers.iter().map(|s| s.id.clone()).collect();
    assert_eq!(ids.len(), 230, "no subscriber twice");
    assert!(
        all.subscribers
            .iter()
            .all(|s| s.tier.is_some() && s.since.is_some())
    );
    let newest = c
        .subscribers_page(&id, 5, 0, Direction::Desc)
        .await
        .expect("desc page");
    assert_eq!(newest.list.subscribers.len(), 5);
    assert!(newest.list.subscribers[0].since >= newest.list.subscribers[4].since);
}

#[tokio::test]
async fn viewers_decode_100k_names_with_roles_across_pages() {
    let sim = sim_with(SimOptions {
        viewers: 100_050,
        ..Default::default()
    })
    .await;
    let c = client(&sim, None);
    let id = sim.streamer().channel_id;
    let list = c.viewers(&id).await.expect("viewers");
    assert!(list.viewers.len() >= 100_050, "got {}", list.viewers.len());
    assert!(list.total >= 100_050);
    let names: HashSet<_> = list.viewers.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names.len(), list.viewers.len(), "each viewer once");
    let with = |role: &str| {
        list.viewers
            .iter()
            .filter(|v| v.roles.iter().any(|r| r == role))
            .count()
    };
    assert!(with("moderator") > 0, "moderators");
    assert!(with("follower") > 0, "followers");
    assert!(
        list.viewers.iter().any(|v| !v.name.is_ascii()),
        "names in other scripts survive"
    );
}

#[tokio::test]
async fn viewers_carry_custom_roles() {
    let sim = sim_with(SimOptions {
        viewers: 400,
        ..Default::default()
    })
    .await;
    let list = client(&sim, None)
        .viewers(&sim.streamer().channel_id)
        .await
        .expect("viewers");
    let builtin: HashSet<&str> = [
        "moderator",
        "editor",
        "supermod",
        "subscriber",
        "follower",
        "vip",
        "admin",
        "warden",
        "ace",
        "aceplus",
        "creator",
    ]
    .into_iter()
    .collect();
    let custom = list
        .viewers
        .iter()
        .flat_map(|v| v.roles.iter())
        .any(|r| !builtin.contains(r.as_ref()));
    assert!(
        custom,
        "custom roles (from custome_roles) appear by their own name"
    );
    assert!(
        list.viewers
            .iter()
            .all(|v| v.roles.iter().all(|r| r != "all"))
    );
}

#[tokio::test]
async fn followers_page_to_the_end_newest_first() {
    let sim = sim_with(SimOptions {
        followers: 250,
        ..Default::default()
    })
    .await;
    let c = client(&sim, None);
    let id = sim.streamer().channel_id;
    let all = c.followers(&id, None).await.expect("followers");
    assert_eq!(all.total, 250);
    assert_eq!(all.followers.len(), 250);
    let ids: HashSet<_> = all.followers.iter().map(|f| f.id.clone()).collect();
    assert_eq!(ids.len(), 250);
    assert!(
        all.followers
            .windows(2)
            .all(|w| w[0].followed_at >= w[1].followed_at),
        "newest first"
    );
    let five = c.followers(&id, Some(5)).await.expect("limited");
    assert_eq!(five.followers.len(), 5);
    assert_eq!(five.total, 250, "total stays the platform's");
    assert_eq!(five.followers[0].id, all.followers[0].id);
}

// ---------------------------------------------------------------- emotes, stream urls

#[tokio::test]
async fn emotes_by_kind() {
    let sim = sim_with(SimOptions::default()).await;
    let c = client(&sim, None);
    let id = sim.streamer().channel_id;
    let all = c.emotes(EmoteKind::All, &[&id]).await.expect("all");
    assert!(!all.global.is_empty() && !all.custom.is_empty());
    let platform = c
        .emotes(EmoteKind::PlatformOnly, &[&id])
        .await
        .expect("platform");
    assert!(platform.custom.is_empty() && !platform.global.is_empty());
    let channel = c
        .emotes(EmoteKind::ChannelOnly, &[&id])
        .await
        .expect("channel");
    assert!(channel.global.is_empty() && !channel.custom.is_empty());
    assert_eq!(channel.custom[0].channel_id.as_deref(), Some(id.as_str()));
}

#[tokio::test]
async fn live_stream_urls_while_live() {
    let sim = sim_with(SimOptions::default()).await;
    let urls = client(&sim, None)
        .live_stream_urls(&sim.streamer().channel_id)
        .await
        .expect("urls");
    assert!(!urls.is_empty());
    assert!(urls.iter().all(|u| !u.play_url.is_empty()));
}

// ---------------------------------------------------------------- chat

#[tokio::test]
async fn chat_send_own_and_other_channel() {
    let sim = sim_with(SimOptions::default()).await;
    let me = sim.streamer();
    streamer(&sim)
        .send_chat("hello chat 👋", None)
        .await
        .expect("own channel");
    let log = sim.chat_log();
    let line = log
        .iter()
        .find(|l| l.content == "hello chat 👋")
        .expect("in the log");
    assert_eq!(line.channel_id, me.channel_id);
    assert_eq!(line.sender_id, me.user_id);

    // A viewer may send to the streamer's channel, which allows it.
    let viewer = client(
        &sim,
        Some(&sim.issue_tokens(SimUser::Viewer, &["chat_send_self"], 3600)),
    );
    viewer
        .send_chat("hi from a viewer", Some(&me.channel_id))
        .await
        .expect("to the streamer's channel");
    assert!(
        sim.chat_log()
            .iter()
            .any(|l| l.content == "hi from a viewer")
    );

    // The streamer may not send to a channel that has not allowed it.
    let e = streamer(&sim)
        .send_chat("uninvited", Some(&sim.viewer_user().channel_id))
        .await
        .expect_err("not allowed");
    assert_eq!(code(&e), 11707);
}

#[tokio::test]
async fn the_spam_rule_is_reported_and_never_resent() {
    let sim = sim_with(SimOptions::default()).await;
    let me = sim.streamer();
    let viewer = client(
        &sim,
        Some(&sim.issue_tokens(SimUser::Viewer, &["chat_send_self"], 3600)),
    );
    viewer
        .send_chat("same line", Some(&me.channel_id))
        .await
        .expect("first");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let before = sim.request_count();
    let e = viewer
        .send_chat("same line", Some(&me.channel_id))
        .await
        .expect_err("a repeat within 30 s");
    assert_eq!(code(&e), 10908);
    assert_eq!(e.kind(), ErrorKind::ChatRefused);
    assert!(
        e.to_string()
            .contains("one message a second, no repeats within 30 s")
    );
    assert_eq!(sim.request_count(), before + 1, "sent once, not retried");
    let copies = sim
        .chat_log()
        .iter()
        .filter(|l| l.content == "same line")
        .count();
    assert_eq!(copies, 1);
}

#[tokio::test]
async fn delete_message_and_chat_commands() {
    let sim = sim_with(SimOptions::default()).await;
    let me = sim.streamer();
    let c = streamer(&sim);
    c.send_chat("delete me", None).await.expect("sent");
    let line = sim
        .chat_log()
        .into_iter()
        .find(|l| l.content == "delete me")
        .expect("logged");
    c.delete_message(&me.channel_id, &line.message_id, &line.sender_id)
        .await
        .expect("deleted");
    assert!(
        !sim.chat_log()
            .iter()
            .any(|l| l.message_id == line.message_id)
    );

    let ok = c
        .chat_command(&me.channel_id, "/slow 5")
        .await
        .expect("command answered");
    assert!(ok.success, "{:?}", ok.message);
    let bad = c
        .chat_command(&me.channel_id, "nonsensecommand")
        .await
        .expect("command answered");
    assert!(!bad.success);
    assert!(bad.message.is_some_and(|m| !m.is_empty()));
    let title = c
        .chat_command(&me.channel_id, "settitle Set from chat")
        .await
        .expect("command answered");
    assert!(title.success);
    assert_eq!(sim.channel().title, "Set from chat");
}

#[tokio::test]
async fn chat_tokens() {
    let sim = sim_with(SimOptions::default()).await;
    let c = streamer(&sim);
    assert!(!c.chat_token().await.expect("own").expose().is_empty());
    let anon = client(&sim, None);
    let t = anon
        .channel_chat_token(&sim.streamer().channel_id)
        .await
        .expect("any channel");
    assert!(!t.expose().is_empty());
}

// ---------------------------------------------------------------- tokens

#[tokio::test]
async fn validate_then_revoke() {
    let sim = sim_with(SimOptions::default()).await;
    let c = streamer(&sim);
    let info = c.validate().await.expect("validate");
    assert_eq!(info.user_id, sim.streamer().user_id);
    assert!(info.scopes.iter().any(|s| s == "channel_update_self"));
    assert!(info.expires_at.is_some());
    let tokens = c.tokens();
    c.revoke().await.expect("revoke");
    assert!(!c.has_user_token(), "the client forgets a revoked token");
    let again = TrovoClient::new(config(
        &sim,
        Some(&SimTokens {
            access_token: tokens.access.expect("had one").expose().to_owned(),
            refresh_token: String::new(),
        }),
        false,
    ))
    .expect("client");
    let e = again.validate().await.expect_err("revoked");
    assert_eq!(code(&e), 11704);
}

#[tokio::test]
async fn exchange_code_once_and_refuse_a_wrong_secret() {
    let sim = sim_with(SimOptions::default()).await;
    let code_ = sim.issue_auth_code(
        SimUser::Streamer,
        &["user_details_self"],
        TrovoSim::REDIRECT_URI,
    );
    let c = client(&sim, None);
    let pair = c
        .exchange_code(&code_, TrovoSim::REDIRECT_URI)
        .await
        .expect("exchange");
    assert!(pair.access.is_some() && pair.refresh.is_some() && pair.expires_at.is_some());
    assert_eq!(
        c.user_info().await.expect("signed in").id,
        sim.streamer().user_id
    );
    let reused = c
        .exchange_code(&code_, TrovoSim::REDIRECT_URI)
        .await
        .expect_err("a used code");
    assert_eq!(code(&reused), 11711);

    let fresh = sim.issue_auth_code(
        SimUser::Streamer,
        &["user_details_self"],
        TrovoSim::REDIRECT_URI,
    );
    let mut wrong = config(&sim, None, false);
    wrong.client_secret = Some(Secret::new("not-the-secret"));
    let e = TrovoClient::new(wrong)
        .expect("client")
        .exchange_code(&fresh, TrovoSim::REDIRECT_URI)
        .await
        .expect_err("wrong secret");
    assert_eq!(code(&e), 11717);
    assert!(!e.to_string().contains("not-the-secret"));
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_call_retried() {
    let sim = sim_with(SimOptions::default()).await;
    let tokens = sim.streamer_tokens();
    let c = client(&sim, Some(&tokens));
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&seen);
    c.on_tokens_refreshed(Arc::new(move |_pair: &TokenPair| {
        counter.fetch_add(1, Ordering::SeqCst);
    }));
    sim.inject(FaultRule::new(Fault::ExpiredToken).on_path("/getuserinfo"));
    let account = c.user_info().await.expect("refreshed and retried");
    assert_eq!(account.id, sim.streamer().user_id);
    assert_eq!(seen.load(Ordering::SeqCst), 1, "the listener heard of it");
    let now = c.tokens();
    assert_ne!(
        now.access.as_ref().map(Secret::expose),
        Some(tokens.access_token.as_str()),
        "a new access token"
    );
    assert!(now.refresh.is_some());
}

#[tokio::test]
async fn an_expired_token_without_a_way_to_refresh_says_sign_in_again() {
    let sim = sim_with(SimOptions::default()).await;
    let tokens = sim.streamer_tokens();
    let c = TrovoClient::new(config(&sim, Some(&tokens), false)).expect("client");
    sim.inject(FaultRule::new(Fault::ExpiredToken).times(5));
    let e = c.user_info().await.expect_err("cannot refresh");
    assert_eq!(code(&e), 11714);
    assert!(e.to_string().contains("sign in again"));

    // A refresh token the platform refuses: one refresh attempt, then a clear error.
    let mut broken = config(&sim, Some(&tokens), true);
    broken.refresh_token = Some(Secret::new("unknown-refresh-token"));
    let c = TrovoClient::new(broken).expect("client");
    sim.clear_faults();
    sim.inject(FaultRule::new(Fault::ExpiredToken).times(5));
    let before = sim.request_count();
    let e = c.user_info().await.expect_err("refresh refused");
    assert!(e.to_string().contains("sign in again"), "{e}");
    assert_eq!(
        sim.request_count() - before,
        2,
        "the call and one refresh, no loop"
    );
}

#[tokio::test]
async fn a_token_about_to_lapse_is_refreshed_before_the_call() {
    let sim = sim_with(SimOptions::default()).await;
    let tokens = sim.issue_tokens(SimUser::Streamer, &["user_details_self"], 60);
    let c = client(&sim, Some(&tokens));
    let info = c.validate().await.expect("validate learns the expiry");
    assert!(info.expires_at.is_some());
    let refreshed = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&refreshed);
    c.on_tokens_refreshed(Arc::new(move |_: &TokenPair| {
        counter.fetch_add(1, Ordering::SeqCst);
    }));
    let account = c.user_info().await.expect("served");
    assert_eq!(account.id, sim.streamer().user_id);
    assert_eq!(
        refreshed.load(Ordering::SeqCst),
        1,
        "refreshed first, not after a refusal"
    );
    assert_ne!(
        c.tokens().access.as_ref().map(Secret::expose),
        Some(tokens.access_token.as_str())
    );
    // The new token lasts: the next call does not refresh again.
    c.user_info().await.expect("served");
    assert_eq!(refreshed.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn refresh_errors_are_typed() {
    let sim = sim_with(SimOptions::default()).await;
    let mut cfg = config(&sim, Some(&sim.streamer_tokens()), true);
    cfg.refresh_token = Some(Secret::new("nope"));
    let e = TrovoClient::new(cfg)
        .expect("client")
        .refresh_now()
        .await
        .expect_err("unknown refresh token");
    assert_eq!(code(&e), 11713);
}

// ---------------------------------------------------------------- rate limit and faults

#[tokio::test]
async fn a_rate_limited_read_waits_for_the_reset_and_succeeds() {
    let sim = sim_with(SimOptions::default()).await;
    let c = client(&sim, None);
    sim.inject(FaultRule::new(Fault::RateLimited { reset_in_secs: 1 }).on_path("categorys"));
    let before = sim.request_count();
    let cats = c.top_categories().await.expect("retried after the reset");
    assert!(!cats.is_empty());
    assert_eq!(sim.request_count() - before, 2, "refused once, then served");
}

#[tokio::test]
async fn a_rate_limited_chat_send_is_reported_not_resent() {
    let sim = sim_with(SimOptions::default()).await;
    let c = streamer(&sim);
    sim.inject(FaultRule::new(Fault::RateLimited { reset_in_secs: 1 }).on_path("chat/send"));
    let before = sim.request_count();
    let e = c
        .send_chat("only once", None)
        .await
        .expect_err("rate limited");
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(sim.request_count() - before, 1);
    assert!(!sim.chat_log().iter().any(|l| l.content == "only once"));
}

#[tokio::test]
async fn the_limiter_never_sends_past_the_platform_s_limit() {
    let sim = sim_with(SimOptions {
        rate_limit_per_minute: 3,
        ..Default::default()
    })
    .await;
    let c = client(&sim, None);
    for _ in 0..3 {
        c.top_categories().await.expect("within the limit");
    }
    assert_eq!(
        c.rate_budget().remaining,
        0,
        "the headers said none is left"
    );
    let fourth = tokio::time::timeout(Duration::from_millis(1500), c.top_categories()).await;
    assert!(
        fourth.is_err(),
        "the fourth call waits for the window instead of sending"
    );
    assert_eq!(sim.request_count(), 3, "nothing was sent past the limit");
}

#[tokio::test]
async fn an_html_gateway_page_is_a_clear_error() {
    let sim = sim_with(SimOptions::default()).await;
    sim.inject(FaultRule::new(Fault::ServerErrorHtml));
    let e = client(&sim, None).top_categories().await.expect_err("502");
    assert!(
        matches!(e, PlatformError::NotJson { status: 502, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("not its API's JSON"));
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let sim = sim_with(SimOptions::default()).await;
    let mut cfg = config(&sim, None, false);
    cfg.timeout = Duration::from_millis(500);
    let c = TrovoClient::new(cfg).expect("client");
    sim.inject(FaultRule::new(Fault::Slow(Duration::from_secs(3))));
    let e = c.top_categories().await.expect_err("too slow");
    assert!(matches!(e, PlatformError::Timeout { .. }), "{e:?}");
    // The next call is answered normally.
    assert!(c.top_categories().await.is_ok());
}

#[tokio::test]
async fn a_dropped_connection_is_a_network_error() {
    let sim = sim_with(SimOptions::default()).await;
    sim.inject(FaultRule::new(Fault::DropConnection));
    let e = client(&sim, None)
        .top_categories()
        .await
        .expect_err("dropped");
    assert!(
        matches!(
            e,
            PlatformError::Network { .. } | PlatformError::NotJson { .. }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn any_error_code_in_any_status_is_decoded() {
    let sim = sim_with(SimOptions::default()).await;
    sim.inject(FaultRule::new(Fault::Status(ErrorAnswer {
        http: 200,
        code: 11400,
        message: "This account has been blocked".into(),
    })));
    let e = streamer(&sim).user_info().await.expect_err("blocked");
    assert_eq!(code(&e), 11400);
    assert_eq!(e.kind(), ErrorKind::Permission);
}

#[tokio::test]
async fn calls_needing_a_sign_in_fail_before_sending() {
    let sim = sim_with(SimOptions::default()).await;
    let before = sim.request_count();
    let e = client(&sim, None)
        .own_channel()
        .await
        .expect_err("no token");
    assert!(matches!(e, PlatformError::NotSignedIn { .. }));
    assert!(e.to_string().contains("sign in"));
    assert_eq!(sim.request_count(), before);
}
