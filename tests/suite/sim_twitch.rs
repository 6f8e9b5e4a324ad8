//! The Twitch simulator, tested over real HTTP: it must behave as Helix and id.twitch.tv do
//! (envelope, errors, scopes, paging, limits, device flow, refresh, faults), since the
//! Twitch client's tests and the demo trust it.

use std::{
    collections::HashSet,
    time::{Duration, Instant},
};

use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};
use stagehand::sim::twitch::{
    BroadcasterType, ErrorAnswer, Fault, FaultRule, SCOPES_ALL, SimUser, TwitchSim,
    TwitchSimOptions,
};

/// A started simulator and an HTTP client.
struct Api {
    sim: TwitchSim,
    http: Client,
}

/// A decoded answer.
struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    fn message(&self) -> String {
        self.body["message"].as_str().unwrap_or("").to_owned()
    }

    fn data(&self) -> &Vec<Value> {
        self.body["data"].as_array().expect("a data array")
    }

    fn cursor(&self) -> Option<String> {
        self.body["pagination"]["cursor"]
            .as_str()
            .map(str::to_owned)
    }
}

async fn answer(response: Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        headers,
        body,
    }
}

impl Api {
    async fn start(opts: TwitchSimOptions) -> Api {
        Api {
            sim: TwitchSim::start(opts).await.expect("simulator starts"),
            http: Client::new(),
        }
    }

    async fn default() -> Api {
        Api::start(TwitchSimOptions::default()).await
    }

    fn helix(&self, method: Method, path: &str, token: Option<&str>) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.sim.helix_base()))
            .header("Client-Id", TwitchSim::CLIENT_ID);
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        request
    }

    async fn get(&self, path: &str, token: &str) -> Answer {
        let request = self.helix(Method::GET, path, Some(token));
        answer(request.send().await.expect("send")).await
    }

    async fn send(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> Answer {
        let mut request = self.helix(method, path, Some(token));
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.expect("send")).await
    }

    async fn form(&self, path: &str, pairs: &[(&str, &str)]) -> Answer {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let request = self
            .http
            .post(format!("{}{path}", self.sim.auth_origin()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body);
        answer(request.send().await.expect("send")).await
    }

    async fn poll_device(&self, device_code: &str) -> Answer {
        self.form(
            "/oauth2/token",
            &[
                ("client_id", TwitchSim::CLIENT_ID),
                ("device_code", device_code),
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ],
        )
        .await
    }

    async fn refresh(&self, refresh_token: &str) -> Answer {
        self.form(
            "/oauth2/token",
            &[
                ("client_id", TwitchSim::CLIENT_ID),
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
        )
        .await
    }

    async fn validate(&self, token: &str) -> Answer {
        let request = self
            .http
            .get(format!("{}/oauth2/validate", self.sim.auth_origin()))
            .header("Authorization", format!("OAuth {token}"));
        answer(request.send().await.expect("send")).await
    }

    fn token(&self) -> String {
        self.sim.streamer_tokens().access_token
    }

    fn me(&self) -> String {
        self.sim.streamer().user_id
    }

    async fn image(&self, url: &str) -> (StatusCode, Option<String>, Vec<u8>) {
        let response = self.http.get(url).send().await.expect("send");
        let status = response.status();
        let mime = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        (
            status,
            mime,
            response.bytes().await.expect("bytes").to_vec(),
        )
    }
}

fn is_rfc3339(s: &str) -> bool {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
        && s.ends_with('Z')
}

/// Walks every page of a list endpoint; returns the entries and the `total` each page gave.
async fn walk(api: &Api, path: &str, token: &str) -> (Vec<Value>, Vec<Option<u64>>, usize) {
    let mut all = Vec::new();
    let mut totals = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}&after={c}"),
            None => path.to_owned(),
        };
        let page = api.get(&url, token).await;
        assert_eq!(page.status, StatusCode::OK, "{url}: {}", page.body);
        pages += 1;
        all.extend(page.data().iter().cloned());
        totals.push(page.body["total"].as_u64());
        match page.cursor() {
            Some(c) => {
                assert!(!page.data().is_empty(), "a cursor after an empty page");
                cursor = Some(c);
            }
            None => {
                assert_eq!(page.body["pagination"], json!({}), "last page pagination");
                break;
            }
        }
        assert!(pages < 1_000, "paging never ends");
    }
    (all, totals, pages)
}

fn ids(list: &[Value], key: &str) -> HashSet<String> {
    list.iter()
        .map(|v| v[key].as_str().expect("string id").to_owned())
        .collect()
}

// ---------------------------------------------------------------- users, channels, streams

#[tokio::test]
async fn users_default_to_the_token_user_and_use_helix_shapes() {
    let api = Api::default().await;
    let token = api.token();
    let me = api.get("/users", &token).await;
    assert_eq!(me.status, StatusCode::OK);
    let user = &me.data()[0];
    assert_eq!(me.data().len(), 1);
    assert_eq!(user["id"], json!(api.me()));
    assert_eq!(user["login"], "auroraplays");
    assert_eq!(user["broadcaster_type"], "affiliate");
    assert_eq!(user["type"], "");
    assert!(is_rfc3339(user["created_at"].as_str().unwrap()));
    // The profile picture is served by the simulator, at its size.
    let (status, mime, png) = api.image(user["profile_image_url"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mime.as_deref(), Some("image/png"));
    let img = image::load_from_memory(&png).expect("a real PNG");
    assert_eq!((img.width(), img.height()), (300, 300));

    // By id and login, repeated; unknown ones are left out.
    let viewer = api.sim.viewer_user();
    let path = format!(
        "/users?id={}&login={}&login=nosuchuser",
        api.me(),
        viewer.login
    );
    let both = api.get(&path, &token).await;
    assert_eq!(ids(both.data(), "id").len(), 2);
    assert!(ids(both.data(), "login").contains("pixelpilgrim"));
}

#[tokio::test]
async fn channels_and_streams_report_the_channel_and_live_state() {
    let api = Api::default().await;
    let token = api.token();
    let me = api.me();
    let ch = api
        .get(&format!("/channels?broadcaster_id={me}"), &token)
        .await;
    assert_eq!(ch.status, StatusCode::OK);
    let c = &ch.data()[0];
    for key in [
        "broadcaster_id",
        "broadcaster_login",
        "broadcaster_name",
        "broadcaster_language",
        "game_id",
        "game_name",
        "title",
        "delay",
        "tags",
        "content_classification_labels",
        "is_branded_content",
    ] {
        assert!(c.get(key).is_some(), "channel lacks {key}");
    }
    assert_eq!(c["game_name"], "Just Chatting");
    assert!(c["broadcaster_id"].is_string());

    let missing = api.get("/channels", &token).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.body["error"], "Bad Request");
    assert_eq!(missing.body["status"], 400);
    assert!(missing.message().contains("broadcaster_id"));

    let live = api.get(&format!("/streams?user_id={me}"), &token).await;
    let s = &live.data()[0];
    assert_eq!(s["type"], "live");
    assert_eq!(s["user_id"], json!(me));
    assert!(s["viewer_count"].as_u64().unwrap() > 0);
    assert!(is_rfc3339(s["started_at"].as_str().unwrap()));
    let thumb = s["thumbnail_url"].as_str().unwrap();
    assert!(thumb.contains("{width}x{height}"));
    let (status, _, jpg) = api
        .image(&thumb.replace("{width}x{height}", "440x248"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let img = image::load_from_memory(&jpg).expect("a real JPEG");
    assert_eq!((img.width(), img.height()), (440, 248));

    api.sim.set_live(false);
    let by_login = api.get("/streams?user_login=auroraplays", &token).await;
    assert_eq!(by_login.status, StatusCode::OK);
    assert!(by_login.data().is_empty(), "offline: no stream");

    // Without filters: the live directory, most watched first.
    let top = api.get("/streams?first=5", &token).await;
    let counts: Vec<u64> = top
        .data()
        .iter()
        .map(|s| s["viewer_count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts.len(), 5);
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
}

// ---------------------------------------------------------------- auth and scopes

#[tokio::test]
async fn requests_need_the_client_id_and_a_valid_bearer_token() {
    let api = Api::default().await;
    let base = api.sim.helix_base();
    let token = api.token();

    let no_client = answer(
        api.http
            .get(format!("{base}/users"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(no_client.status, StatusCode::UNAUTHORIZED);
    assert_eq!(no_client.body["error"], "Unauthorized");

    let wrong_client = answer(
        api.http
            .get(format!("{base}/users"))
            .header("Client-Id", "someoneelse")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(wrong_client.status, StatusCode::UNAUTHORIZED);

    let no_token = answer(api.helix(Method::GET, "/users", None).send().await.unwrap()).await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    assert_eq!(no_token.message(), "OAuth token is missing");

    let bogus = api.get("/users", "notatoken").await;
    assert_eq!(bogus.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        bogus.body,
        json!({"error": "Unauthorized", "status": 401, "message": "Invalid OAuth token"})
    );
    assert!(
        bogus
            .header("www-authenticate")
            .unwrap()
            .contains("invalid_token")
    );

    assert_eq!(api.get("/users", &token).await.status, StatusCode::OK);
    assert!(api.sim.expire_token(&token));
    let expired = api.get("/users", &token).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(expired.message(), "Invalid OAuth token");
}

#[tokio::test]
async fn scopes_and_ownership_are_checked() {
    let api = Api::default().await;
    let me = api.me();
    let editors_only = api.sim.issue_tokens(&["channel:read:editors"]).access_token;

    let patch = api
        .send(
            Method::PATCH,
            &format!("/channels?broadcaster_id={me}"),
            &editors_only,
            Some(json!({"title": "x"})),
        )
        .await;
    assert_eq!(patch.status, StatusCode::UNAUTHORIZED);
    assert_eq!(patch.message(), "Missing scope: channel:manage:broadcast");
    let key = api
        .get(&format!("/streams/key?broadcaster_id={me}"), &editors_only)
        .await;
    assert_eq!(key.status, StatusCode::UNAUTHORIZED);
    assert!(key.message().contains("channel:read:stream_key"));
    let editors = api
        .get(
            &format!("/channels/editors?broadcaster_id={me}"),
            &editors_only,
        )
        .await;
    assert_eq!(editors.status, StatusCode::OK);
    assert!(!editors.data().is_empty());
    assert!(is_rfc3339(
        editors.data()[0]["created_at"].as_str().unwrap()
    ));

    // Another account with every scope may not act on the streamer's channel.
    let viewer = api
        .sim
        .issue_tokens_as(SimUser::Viewer, SCOPES_ALL)
        .access_token;
    let vid = api.sim.viewer_user().user_id;
    let other = api
        .send(
            Method::PATCH,
            &format!("/channels?broadcaster_id={me}"),
            &viewer,
            Some(json!({"title": "hijacked"})),
        )
        .await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);
    assert!(other.message().contains("broadcaster_id"));
    assert_ne!(api.sim.channel().title, "hijacked");
    let chatters = api
        .get(
            &format!("/chat/chatters?broadcaster_id={me}&moderator_id={vid}"),
            &viewer,
        )
        .await;
    assert_eq!(chatters.status, StatusCode::FORBIDDEN);
    let pretend = api
        .get(
            &format!("/chat/chatters?broadcaster_id={me}&moderator_id={me}"),
            &viewer,
        )
        .await;
    assert_eq!(pretend.status, StatusCode::UNAUTHORIZED);
    // Followers: a non-moderator gets the total and no list, as on Twitch.
    let followers = api
        .get(&format!("/channels/followers?broadcaster_id={me}"), &viewer)
        .await;
    assert_eq!(followers.status, StatusCode::OK);
    assert_eq!(followers.body["total"], 250);
    assert!(followers.data().is_empty());
    let subs = api
        .get(&format!("/subscriptions?broadcaster_id={me}"), &viewer)
        .await;
    assert_eq!(subs.status, StatusCode::UNAUTHORIZED);
}

// ---------------------------------------------------------------- modify channel

#[tokio::test]
async fn modify_channel_validates_every_field_before_writing() {
    let api = Api::default().await;
    let token = api.token();
    let path = format!("/channels?broadcaster_id={}", api.me());
    let before = api.sim.channel();
    let patch = |body: Value| api.send(Method::PATCH, &path, &token, Some(body));

    let empty = patch(json!({"title": "", "game_id": "27471"})).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert_eq!(empty.message(), "The parameter \"title\" cannot be empty");
    assert_eq!(api.sim.channel(), before, "nothing written on a 400");

    let eleven: Vec<String> = (0..11).map(|i| format!("tag{i}")).collect();
    assert_eq!(
        patch(json!({"tags": eleven})).await.status,
        StatusCode::BAD_REQUEST
    );
    let spaced = patch(json!({"tags": ["two words"]})).await;
    assert_eq!(spaced.status, StatusCode::BAD_REQUEST);
    assert!(spaced.message().contains("two words"));
    assert_eq!(
        patch(json!({"tags": ["a-b"]})).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        patch(json!({"tags": ["x".repeat(26)]})).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        patch(json!({"game_id": "999999999999"})).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        patch(json!({"broadcaster_language": "english"}))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let delay = patch(json!({"delay": 30})).await;
    assert_eq!(
        delay.status,
        StatusCode::BAD_REQUEST,
        "affiliates have no delay"
    );
    assert!(delay.message().contains("partner"));
    assert_eq!(patch(json!({})).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(api.sim.channel(), before);

    let ok = patch(json!({
        "title": "Minecraft with chat",
        "game_id": "27471",
        "broadcaster_language": "ja",
        "tags": ["日本語", "Minecraft", "x".repeat(25)],
    }))
    .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.body);
    let after = api.sim.channel();
    assert_eq!(after.title, "Minecraft with chat");
    assert_eq!(after.game_name, "Minecraft");
    assert_eq!(after.language, "ja");
    assert_eq!(after.tags.len(), 3);
    let stream = api
        .get(&format!("/streams?user_id={}", api.me()), &token)
        .await;
    assert_eq!(stream.data()[0]["title"], "Minecraft with chat");
    assert_eq!(stream.data()[0]["game_name"], "Minecraft");
}

#[tokio::test]
async fn partners_may_set_a_delay_up_to_900_seconds() {
    let api = Api::start(TwitchSimOptions {
        broadcaster_type: BroadcasterType::Partner,
        ..TwitchSimOptions::default()
    })
    .await;
    let token = api.token();
    let path = format!("/channels?broadcaster_id={}", api.me());
    let set = api
        .send(Method::PATCH, &path, &token, Some(json!({"delay": 120})))
        .await;
    assert_eq!(set.status, StatusCode::NO_CONTENT, "{}", set.body);
    assert_eq!(api.sim.channel().delay, 120);
    let too_long = api
        .send(Method::PATCH, &path, &token, Some(json!({"delay": 901})))
        .await;
    assert_eq!(too_long.status, StatusCode::BAD_REQUEST);
    assert_eq!(api.sim.channel().delay, 120);
    let me = api.get("/users", &token).await;
    assert_eq!(me.data()[0]["broadcaster_type"], "partner");
}

// ---------------------------------------------------------------- paging and totals

#[tokio::test]
async fn chatters_followers_and_subscribers_page_without_lying_about_totals() {
    let api = Api::start(TwitchSimOptions {
        chatters: 2_345,
        followers: 730,
        subscribers: 123,
        ..TwitchSimOptions::default()
    })
    .await;
    let token = api.token();
    let me = api.me();

    let (chatters, totals, pages) = walk(
        &api,
        &format!("/chat/chatters?broadcaster_id={me}&moderator_id={me}&first=1000"),
        &token,
    )
    .await;
    assert_eq!(pages, 3);
    assert_eq!(chatters.len(), 2_345);
    assert_eq!(ids(&chatters, "user_id").len(), 2_345, "no repeats");
    assert!(totals.iter().all(|t| *t == Some(2_345)));
    assert!(
        ids(&chatters, "user_id").contains(&me),
        "the broadcaster chats"
    );
    assert!(
        chatters
            .iter()
            .all(|c| c["user_login"].as_str().unwrap().is_ascii())
    );
    assert!(
        chatters
            .iter()
            .any(|c| !c["user_name"].as_str().unwrap().is_ascii()),
        "display names in many scripts"
    );

    let (followers, totals, pages) = walk(
        &api,
        &format!("/channels/followers?broadcaster_id={me}&first=100"),
        &token,
    )
    .await;
    assert_eq!(pages, 8);
    assert_eq!(ids(&followers, "user_id").len(), 730);
    assert!(totals.iter().all(|t| *t == Some(730)));
    let dates: Vec<&str> = followers
        .iter()
        .map(|f| f["followed_at"].as_str().unwrap())
        .collect();
    assert!(dates.iter().all(|d| is_rfc3339(d)));
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");

    let (subs, totals, _) = walk(
        &api,
        &format!("/subscriptions?broadcaster_id={me}&first=50"),
        &token,
    )
    .await;
    assert_eq!(ids(&subs, "user_id").len(), 123);
    assert!(totals.iter().all(|t| *t == Some(123)));
    assert!(
        subs.iter()
            .all(|s| ["1000", "2000", "3000"].contains(&s["tier"].as_str().unwrap()))
    );
    assert!(
        ids(&subs, "user_id").contains(&me),
        "the broadcaster's own sub"
    );
    let gifted = subs.iter().find(|s| s["is_gift"] == true).expect("a gift");
    assert_ne!(gifted["gifter_id"], "");
    let page = api
        .get(&format!("/subscriptions?broadcaster_id={me}"), &token)
        .await;
    let points: u64 = subs
        .iter()
        .map(|s| match s["tier"].as_str().unwrap() {
            "3000" => 6,
            "2000" => 2,
            _ => 1,
        })
        .sum();
    assert_eq!(page.body["points"].as_u64(), Some(points));

    let too_many = api
        .get(
            &format!("/chat/chatters?broadcaster_id={me}&moderator_id={me}&first=1001"),
            &token,
        )
        .await;
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
    assert!(too_many.message().contains("first"));
    let followers_max = api
        .get(
            &format!("/channels/followers?broadcaster_id={me}&first=101"),
            &token,
        )
        .await;
    assert_eq!(followers_max.status, StatusCode::BAD_REQUEST);
    let bad_cursor = api
        .get(
            &format!("/subscriptions?broadcaster_id={me}&after=%%%"),
            &token,
        )
        .await;
    assert_eq!(bad_cursor.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn moderators_vips_teams_and_the_stream_key() {
    let api = Api::default().await;
    let token = api.token();
    let me = api.me();
    let mods = api
        .get(
            &format!("/moderation/moderators?broadcaster_id={me}"),
            &token,
        )
        .await;
    assert_eq!(mods.status, StatusCode::OK);
    assert!(mods.data().len() >= 2);
    assert!(
        !ids(mods.data(), "user_id").contains(&me),
        "not self-listed"
    );
    let vips = api
        .get(&format!("/channels/vips?broadcaster_id={me}"), &token)
        .await;
    assert_eq!(vips.data().len(), 3);
    assert!(ids(mods.data(), "user_id").is_disjoint(&ids(vips.data(), "user_id")));

    let teams = api
        .get(&format!("/teams/channel?broadcaster_id={me}"), &token)
        .await;
    assert_eq!(teams.status, StatusCode::OK);
    let team = &teams.data()[0];
    for key in [
        "broadcaster_id",
        "broadcaster_name",
        "broadcaster_login",
        "background_image_url",
        "banner",
        "created_at",
        "updated_at",
        "info",
        "thumbnail_url",
        "team_name",
        "team_display_name",
        "id",
    ] {
        assert!(team.get(key).is_some(), "team lacks {key}");
    }
    let (status, _, _) = api.image(team["thumbnail_url"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);

    let key = api
        .get(&format!("/streams/key?broadcaster_id={me}"), &token)
        .await;
    assert!(
        key.data()[0]["stream_key"]
            .as_str()
            .unwrap()
            .starts_with("live_")
    );
}

// ---------------------------------------------------------------- videos

/// Helix's `3h8m33s` as seconds (the test's own reading, not the client's).
fn duration_secs(text: &str) -> u64 {
    let mut total = 0;
    let mut n = 0;
    for c in text.chars() {
        match c {
            '0'..='9' => n = n * 10 + u64::from(c.to_digit(10).unwrap_or(0)),
            'h' => (total, n) = (total + n * 3_600, 0),
            'm' => (total, n) = (total + n * 60, 0),
            's' => (total, n) = (total + n, 0),
            _ => panic!("not a Helix duration: {text}"),
        }
    }
    assert_eq!(n, 0, "a number without a unit: {text}");
    total
}

#[tokio::test]
async fn videos_have_helix_s_shape_and_page_newest_first() {
    let api = Api::start(TwitchSimOptions {
        videos: 57,
        ..TwitchSimOptions::default()
    })
    .await;
    let token = api.token();
    let me = api.me();
    let first = api.get(&format!("/videos?user_id={me}"), &token).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.data().len(), 20, "20 by default");
    assert!(first.cursor().is_some());

    let (all, _, pages) = walk(&api, &format!("/videos?user_id={me}&first=25"), &token).await;
    // 57 finished videos and the archive of the broadcast going on now.
    assert_eq!(all.len(), 58);
    assert_eq!(pages, 3);
    assert_eq!(ids(&all, "id").len(), 58, "no repeats");
    let dates: Vec<&str> = all
        .iter()
        .map(|v| v["created_at"].as_str().unwrap())
        .collect();
    assert!(dates.iter().all(|d| is_rfc3339(d)));
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let streamer = api.sim.streamer();
    for v in &all {
        for key in [
            "id",
            "stream_id",
            "user_id",
            "user_login",
            "user_name",
            "title",
            "description",
            "created_at",
            "published_at",
            "url",
            "thumbnail_url",
            "viewable",
            "view_count",
            "language",
            "type",
            "duration",
            "muted_segments",
        ] {
            assert!(v.get(key).is_some(), "video lacks {key}: {v}");
        }
        assert_eq!(v["user_id"], me.as_str());
        assert_eq!(v["user_login"], streamer.login.as_str());
        assert_eq!(v["viewable"], "public");
        assert!(v["view_count"].is_u64());
        let id = v["id"].as_str().unwrap();
        assert_eq!(
            v["url"],
            format!("https://www.twitch.tv/videos/{id}").as_str()
        );
        let kind = v["type"].as_str().unwrap();
        assert!(["archive", "highlight", "upload"].contains(&kind), "{kind}");
        assert_eq!(v["stream_id"].is_string(), kind == "archive", "{v}");
        duration_secs(v["duration"].as_str().unwrap());
    }
    // The newest is the broadcast being recorded: its own stream, no thumbnail yet, as
    // long as the stream so far.
    let live = &all[0];
    assert_eq!(live["type"], "archive");
    assert_eq!(live["thumbnail_url"], "");
    assert_eq!(live["title"], api.sim.channel().title.as_str());
    let so_far = duration_secs(live["duration"].as_str().unwrap());
    assert!((3_590..3_700).contains(&so_far), "{so_far}");
    assert!(all.iter().any(|v| v["type"] == "highlight"));
    assert!(all.iter().any(|v| v["type"] == "upload"));
    assert!(
        all.iter()
            .any(|v| duration_secs(v["duration"].as_str().unwrap()) >= 3_600),
        "some archives last hours"
    );
    assert!(all.iter().any(|v| v["muted_segments"].is_array()));

    // Finished videos have a `%{width}x%{height}` thumbnail the CDN route serves at any size.
    let template = all[1]["thumbnail_url"].as_str().unwrap();
    assert!(template.ends_with("-%{width}x%{height}.jpg"), "{template}");
    let (status, _, _) = api.image(template).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an unreplaced template");
    let (status, mime, jpg) = api
        .image(&template.replace("%{width}x%{height}", "320x180"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mime.as_deref(), Some("image/jpeg"));
    let img = image::load_from_memory(&jpg).unwrap();
    assert_eq!((img.width(), img.height()), (320, 180));

    // Offline, the list holds the finished videos only.
    api.sim.set_live(false);
    let (offline, _, _) = walk(&api, &format!("/videos?user_id={me}&first=100"), &token).await;
    assert_eq!(offline.len(), 57);
    assert!(offline.iter().all(|v| v["thumbnail_url"] != ""));

    // Filters: type, sort by views, ids.
    let (highlights, _, _) = walk(
        &api,
        &format!("/videos?user_id={me}&type=highlight&first=100"),
        &token,
    )
    .await;
    assert!(!highlights.is_empty());
    assert!(highlights.iter().all(|v| v["type"] == "highlight"));
    let by_views = api
        .get(
            &format!("/videos?user_id={me}&sort=views&first=100"),
            &token,
        )
        .await;
    let views: Vec<u64> = by_views
        .data()
        .iter()
        .map(|v| v["view_count"].as_u64().unwrap())
        .collect();
    assert!(views.windows(2).all(|w| w[0] >= w[1]), "most viewed first");
    let (a, b) = (
        offline[3]["id"].as_str().unwrap(),
        offline[9]["id"].as_str().unwrap(),
    );
    let two = api
        .get(&format!("/videos?id={a}&id={b}&id=1"), &token)
        .await;
    assert_eq!(two.status, StatusCode::OK);
    assert_eq!(
        ids(two.data(), "id"),
        HashSet::from([a.to_owned(), b.to_owned()])
    );

    // Another user's videos, and a user without any.
    let viewer = api.sim.viewer_user();
    let theirs = api
        .get(&format!("/videos?user_id={}", viewer.user_id), &token)
        .await;
    assert_eq!(theirs.data().len(), 3);
    assert!(theirs.data().iter().all(|v| v["type"] == "upload"));
    assert!(theirs.cursor().is_none());
    let none = api.get("/videos?user_id=12345", &token).await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(none.data().is_empty());

    // Refusals, in Helix's words.
    for (path, says) in [
        ("/videos".to_owned(), "either the id or user_id or game_id"),
        (format!("/videos?user_id={me}&id={a}"), "mutually exclusive"),
        (format!("/videos?user_id={me}&first=101"), "first"),
        (format!("/videos?user_id={me}&first=0"), "first"),
        (format!("/videos?user_id={me}&type=clip"), "type"),
        (format!("/videos?user_id={me}&sort=random"), "sort"),
        (format!("/videos?user_id={me}&period=year"), "period"),
        (format!("/videos?user_id={me}&after=%%%"), "cursor"),
        ("/videos?user_id=abc".to_owned(), "user_id"),
    ] {
        let refused = api.get(&path, &token).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(
            refused.message().contains(says),
            "{path}: {}",
            refused.message()
        );
    }
    let missing = api.get("/videos?id=1", &token).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // Public: any scope will do, but a token is needed.
    let no_scope = api.sim.issue_tokens(&[]).access_token;
    assert_eq!(
        api.get(&format!("/videos?user_id={me}"), &no_scope)
            .await
            .status,
        StatusCode::OK
    );
    let anonymous = api
        .helix(Method::GET, &format!("/videos?user_id={me}"), None)
        .send()
        .await
        .expect("send");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

// ---------------------------------------------------------------- commercials

#[tokio::test]
async fn commercials_need_a_live_stream_a_valid_length_and_a_cooldown() {
    let api = Api::default().await;
    let token = api.token();
    let me = api.me();
    let run = |length: Value| {
        api.send(
            Method::POST,
            "/channels/commercial",
            &token,
            Some(json!({"broadcaster_id": me, "length": length})),
        )
    };
    assert_eq!(run(json!(20)).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(run(json!(181)).await.status, StatusCode::BAD_REQUEST);
    let ok = run(json!(60)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.data()[0]["length"], 60);
    assert_eq!(ok.data()[0]["retry_after"], 480);
    let again = run(json!(30)).await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(again.body["retry_after"].as_u64().unwrap() > 400);

    let offline = Api::start(TwitchSimOptions {
        live: false,
        ..TwitchSimOptions::default()
    })
    .await;
    let not_live = offline
        .send(
            Method::POST,
            "/channels/commercial",
            &offline.token(),
            Some(json!({"broadcaster_id": offline.me(), "length": 30})),
        )
        .await;
    assert_eq!(not_live.status, StatusCode::BAD_REQUEST);
    assert!(not_live.message().contains("live"));
}

// ---------------------------------------------------------------- categories and box art

#[tokio::test]
async fn search_gives_fixed_52x72_box_art_and_the_image_route_serves_any_size() {
    let api = Api::default().await;
    let token = api.token();
    let found = api.get("/search/categories?query=mine", &token).await;
    assert_eq!(found.status, StatusCode::OK);
    let minecraft = found
        .data()
        .iter()
        .find(|c| c["name"] == "Minecraft")
        .expect("Minecraft found");
    let url = minecraft["box_art_url"].as_str().unwrap();
    assert!(url.ends_with("-52x72.jpg"), "{url}");
    let (status, mime, jpg) = api.image(url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mime.as_deref(), Some("image/jpeg"));
    let img = image::load_from_memory(&jpg).unwrap();
    assert_eq!((img.width(), img.height()), (52, 72));
    let (_, _, big) = api.image(&url.replace("52x72", "285x380")).await;
    let img = image::load_from_memory(&big).unwrap();
    assert_eq!((img.width(), img.height()), (285, 380));

    let games = api.get("/games?id=27471&id=509658", &token).await;
    assert_eq!(games.data().len(), 2);
    let template = games.data()[0]["box_art_url"].as_str().unwrap();
    assert!(template.ends_with("-{width}x{height}.jpg"), "{template}");
    let (status, _, _) = api.image(template).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an unreplaced template");
    let (status, _, _) = api
        .image(&template.replace("{width}x{height}", "144x192"))
        .await;
    assert_eq!(status, StatusCode::OK);

    let (top, _, _) = walk(&api, "/games/top?first=100", &token).await;
    assert!(top.len() >= 200, "{}", top.len());
    assert_eq!(ids(&top, "id").len(), top.len());
    assert_eq!(top[0]["name"], "Just Chatting");

    let no_query = api.get("/search/categories", &token).await;
    assert_eq!(no_query.status, StatusCode::BAD_REQUEST);
}

// ---------------------------------------------------------------- chat and moderation

#[tokio::test]
async fn chat_messages_are_sent_dropped_deleted_and_users_banned() {
    let api = Api::default().await;
    let token = api.token();
    let me = api.me();
    let say = |text: String| {
        api.send(
            Method::POST,
            "/chat/messages",
            &token,
            Some(json!({"broadcaster_id": me, "sender_id": me, "message": text})),
        )
    };
    let sent = say("hello chat".into()).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let line = &sent.data()[0];
    assert_eq!(line["is_sent"], true);
    assert_eq!(line["drop_reason"], Value::Null);
    let message_id = line["message_id"].as_str().unwrap().to_owned();
    assert_eq!(message_id.len(), 36);
    let log = api.sim.chat_log();
    let logged = log.iter().find(|l| l.message_id == message_id).unwrap();
    assert_eq!(logged.text, "hello chat");
    assert_eq!(logged.sender_login, "auroraplays");

    let duplicate = say("hello chat".into()).await;
    assert_eq!(duplicate.data()[0]["is_sent"], false);
    assert_eq!(duplicate.data()[0]["drop_reason"]["code"], "msg_duplicate");
    let blocked = say("this has a BlockedTerm in it".into()).await;
    assert_eq!(blocked.data()[0]["drop_reason"]["code"], "msg_rejected");
    assert_eq!(say("x".repeat(501)).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(say("y".repeat(500)).await.data()[0]["is_sent"], true);
    let wrong_sender = api
        .send(
            Method::POST,
            "/chat/messages",
            &token,
            Some(json!({"broadcaster_id": me, "sender_id": "1234", "message": "hi"})),
        )
        .await;
    assert_eq!(wrong_sender.status, StatusCode::UNAUTHORIZED);

    // A viewer's message, deleted by the broadcaster (their own moderator).
    let viewer = api
        .sim
        .issue_tokens_as(SimUser::Viewer, &["user:write:chat"])
        .access_token;
    let vid = api.sim.viewer_user().user_id;
    let theirs = api
        .send(
            Method::POST,
            "/chat/messages",
            &viewer,
            Some(json!({"broadcaster_id": me, "sender_id": vid, "message": "spam spam"})),
        )
        .await;
    let their_id = theirs.data()[0]["message_id"].as_str().unwrap().to_owned();
    let delete = api
        .send(
            Method::DELETE,
            &format!(
                "/moderation/chat?broadcaster_id={me}&moderator_id={me}&message_id={their_id}"
            ),
            &token,
            None,
        )
        .await;
    assert_eq!(delete.status, StatusCode::NO_CONTENT, "{}", delete.body);
    assert!(
        api.sim
            .chat_log()
            .iter()
            .any(|l| l.message_id == their_id && l.deleted)
    );
    let gone = api
        .send(
            Method::DELETE,
            &format!("/moderation/chat?broadcaster_id={me}&moderator_id={me}&message_id=nope"),
            &token,
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    // Ban and time out.
    let bans = format!("/moderation/bans?broadcaster_id={me}&moderator_id={me}");
    let timeout = api
        .send(
            Method::POST,
            &bans,
            &token,
            Some(json!({"data": {"user_id": vid, "duration": 600, "reason": "calm down"}})),
        )
        .await;
    assert_eq!(timeout.status, StatusCode::OK, "{}", timeout.body);
    assert!(is_rfc3339(timeout.data()[0]["end_time"].as_str().unwrap()));
    assert!(api.sim.is_banned(&vid));
    let muted = api
        .send(
            Method::POST,
            "/chat/messages",
            &viewer,
            Some(json!({"broadcaster_id": me, "sender_id": vid, "message": "let me talk"})),
        )
        .await;
    assert_eq!(muted.data()[0]["drop_reason"]["code"], "user_timed_out");
    let ban = api
        .send(
            Method::POST,
            &bans,
            &token,
            Some(json!({"data": {"user_id": vid, "reason": "spam"}})),
        )
        .await;
    assert_eq!(ban.status, StatusCode::OK);
    assert_eq!(ban.data()[0]["end_time"], Value::Null);
    let again = api
        .send(
            Method::POST,
            &bans,
            &token,
            Some(json!({"data": {"user_id": vid}})),
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    let self_ban = api
        .send(
            Method::POST,
            &bans,
            &token,
            Some(json!({"data": {"user_id": me}})),
        )
        .await;
    assert_eq!(self_ban.status, StatusCode::BAD_REQUEST);
    let unban = api
        .send(
            Method::DELETE,
            &format!("{bans}&user_id={vid}"),
            &token,
            None,
        )
        .await;
    assert_eq!(unban.status, StatusCode::NO_CONTENT);
    assert!(!api.sim.is_banned(&vid));
}

// ---------------------------------------------------------------- device flow and tokens

fn quick_device() -> TwitchSimOptions {
    TwitchSimOptions {
        device_interval: Duration::from_millis(300),
        ..TwitchSimOptions::default()
    }
}

#[tokio::test]
async fn device_flow_goes_pending_slow_down_approved_then_tokens() {
    let api = Api::start(quick_device()).await;
    let scopes = "channel:manage:broadcast moderator:read:chatters";
    let device = api
        .form(
            "/oauth2/device",
            &[("client_id", TwitchSim::CLIENT_ID), ("scopes", scopes)],
        )
        .await;
    assert_eq!(device.status, StatusCode::OK, "{}", device.body);
    let b = &device.body;
    let device_code = b["device_code"].as_str().unwrap().to_owned();
    let user_code = b["user_code"].as_str().unwrap().to_owned();
    assert_eq!(b["interval"], 1);
    assert_eq!(b["expires_in"], 1800);
    let uri = b["verification_uri"].as_str().unwrap();
    assert!(uri.starts_with(&format!("{}/activate?", api.sim.auth_origin())));
    assert!(uri.contains(&format!("device-code={user_code}")));

    let poll = || api.poll_device(&device_code);
    let pending = poll().await;
    assert_eq!(pending.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        pending.body,
        json!({"status": 400, "message": "authorization_pending"})
    );
    assert_eq!(poll().await.message(), "slow_down");

    // The activation page shows the code and an Authorize button that approves.
    let page = api
        .http
        .get(uri)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&user_code) && page.contains("Authorize"));
    let approved = api
        .form(
            "/activate",
            &[("user_code", user_code.as_str()), ("action", "authorize")],
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK);

    tokio::time::sleep(Duration::from_millis(350)).await;
    let tokens = poll().await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    assert_eq!(tokens.body["token_type"], "bearer");
    assert_eq!(
        tokens.body["scope"],
        json!(["channel:manage:broadcast", "moderator:read:chatters"])
    );
    assert!(tokens.body["expires_in"].as_i64().unwrap() > 3_600);
    let access = tokens.body["access_token"].as_str().unwrap();
    let me = api.get("/users", access).await;
    assert_eq!(me.data()[0]["login"], "auroraplays");

    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(poll().await.message(), "invalid device code", "spent");
}

#[tokio::test]
async fn device_flow_denied_expired_and_refused_requests() {
    let api = Api::start(TwitchSimOptions {
        device_interval: Duration::from_millis(10),
        device_lifetime: Duration::from_millis(400),
        ..TwitchSimOptions::default()
    })
    .await;
    let start = || {
        api.form(
            "/oauth2/device",
            &[
                ("client_id", TwitchSim::CLIENT_ID),
                ("scopes", "user:write:chat"),
            ],
        )
    };
    let denied = start().await;
    assert!(
        api.sim
            .deny_device(denied.body["user_code"].as_str().unwrap())
    );
    let code = denied.body["device_code"].as_str().unwrap().to_owned();
    assert_eq!(api.poll_device(&code).await.message(), "access_denied");

    let late = start().await;
    tokio::time::sleep(Duration::from_millis(450)).await;
    let code = late.body["device_code"].as_str().unwrap().to_owned();
    assert_eq!(api.poll_device(&code).await.message(), "expired_token");
    assert!(
        !api.sim
            .approve_device(late.body["user_code"].as_str().unwrap())
    );

    let bad_scope = api
        .form(
            "/oauth2/device",
            &[("client_id", TwitchSim::CLIENT_ID), ("scopes", "god:mode")],
        )
        .await;
    assert_eq!(bad_scope.status, StatusCode::BAD_REQUEST);
    let bad_client = api
        .form("/oauth2/device", &[("client_id", "nope"), ("scopes", "")])
        .await;
    assert_eq!(bad_client.status, StatusCode::BAD_REQUEST);
    assert!(api.sim.auth_request_count() >= 5);
}

#[tokio::test]
async fn refresh_tokens_are_single_use_without_a_secret() {
    let api = Api::default().await;
    let pair = api.sim.streamer_tokens();
    let fresh = api.refresh(&pair.refresh_token).await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.body);
    assert_eq!(fresh.body["token_type"], "bearer");
    assert_eq!(
        fresh.body["scope"].as_array().unwrap().len(),
        SCOPES_ALL.len()
    );
    let new_access = fresh.body["access_token"].as_str().unwrap().to_owned();
    let new_refresh = fresh.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(new_refresh, pair.refresh_token);
    assert_eq!(api.get("/users", &new_access).await.status, StatusCode::OK);

    let reused = api.refresh(&pair.refresh_token).await;
    assert_eq!(reused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reused.body,
        json!({"status": 400, "message": "Invalid refresh token"})
    );
    assert_eq!(api.refresh(&new_refresh).await.status, StatusCode::OK);
}

#[tokio::test]
async fn validate_and_revoke() {
    let api = Api::default().await;
    let token = api.token();
    let valid = api.validate(&token).await;
    assert_eq!(valid.status, StatusCode::OK);
    assert_eq!(valid.body["client_id"], TwitchSim::CLIENT_ID);
    assert_eq!(valid.body["login"], "auroraplays");
    assert_eq!(valid.body["user_id"], json!(api.me()));
    assert_eq!(
        valid.body["scopes"].as_array().unwrap().len(),
        SCOPES_ALL.len()
    );
    let left = valid.body["expires_in"].as_i64().unwrap();
    assert!(left > 14_000 && left <= 14_400, "{left}");

    let invalid = api.validate("nope").await;
    assert_eq!(invalid.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        invalid.body,
        json!({"status": 401, "message": "invalid access token"})
    );

    let revoked = api
        .form(
            "/oauth2/revoke",
            &[("client_id", TwitchSim::CLIENT_ID), ("token", &token)],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert_eq!(api.validate(&token).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        api.get("/users", &token).await.status,
        StatusCode::UNAUTHORIZED
    );
    let twice = api
        .form(
            "/oauth2/revoke",
            &[("client_id", TwitchSim::CLIENT_ID), ("token", &token)],
        )
        .await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST);
}

// ---------------------------------------------------------------- rate limit

#[tokio::test]
async fn rate_limit_headers_count_down_then_429() {
    let api = Api::start(TwitchSimOptions {
        rate_limit_per_minute: 5,
        ..TwitchSimOptions::default()
    })
    .await;
    let token = api.token();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut remaining = Vec::new();
    for _ in 0..5 {
        let a = api.get("/users", &token).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(a.header("ratelimit-limit").as_deref(), Some("5"));
        remaining.push(a.header("ratelimit-remaining").unwrap());
        let reset: i64 = a.header("ratelimit-reset").unwrap().parse().unwrap();
        assert!(reset >= now && reset <= now + 61, "{reset}");
    }
    assert_eq!(remaining, ["4", "3", "2", "1", "0"]);
    let limited = api.get("/users", &token).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.body["error"], "Too Many Requests");
    assert_eq!(limited.body["status"], 429);
    assert_eq!(limited.header("ratelimit-remaining").as_deref(), Some("0"));
    assert_eq!(api.sim.request_count(), 6);
}

// ---------------------------------------------------------------- faults

#[tokio::test]
async fn every_fault_answers_as_injected_then_clears() {
    let api = Api::default().await;
    let token = api.token();

    api.sim
        .inject(FaultRule::new(Fault::RateLimited { reset_in_secs: 30 }));
    let limited = api.get("/users", &token).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.header("ratelimit-remaining").as_deref(), Some("0"));
    assert_eq!(api.get("/users", &token).await.status, StatusCode::OK);

    api.sim.inject(FaultRule::new(Fault::ExpiredToken).times(2));
    let expired = api.get("/users", &token).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert!(expired.header("www-authenticate").is_some());
    assert_eq!(
        api.get("/users", &token).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(api.get("/users", &token).await.status, StatusCode::OK);

    api.sim.inject(FaultRule::new(Fault::ServerErrorHtml));
    let html = api.get("/users", &token).await;
    assert_eq!(html.status, StatusCode::BAD_GATEWAY);
    assert_eq!(html.header("content-type").as_deref(), Some("text/html"));
    assert!(html.body.as_str().unwrap().contains("502 Bad Gateway"));

    api.sim
        .inject(FaultRule::new(Fault::Slow(Duration::from_millis(400))));
    let started = Instant::now();
    assert_eq!(api.get("/users", &token).await.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(400));

    api.sim.inject(FaultRule::new(Fault::DropConnection));
    let dropped = api.helix(Method::GET, "/users", Some(&token)).send().await;
    assert!(dropped.is_err(), "the connection is dropped");

    api.sim.inject(FaultRule::new(Fault::Status(ErrorAnswer {
        http: 503,
        message: "maintenance".into(),
    })));
    let status = api.get("/users", &token).await;
    assert_eq!(
        status.body,
        json!({"error": "Service Unavailable", "status": 503, "message": "maintenance"})
    );

    api.sim.inject(FaultRule::new(Fault::Raw {
        http: 500,
        content_type: "text/plain".into(),
        body: "boom".into(),
    }));
    let raw = api.get("/users", &token).await;
    assert_eq!(raw.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(raw.body, json!("boom"));

    // Targeted rules: only that path; the id side only when named.
    api.sim
        .inject(FaultRule::new(Fault::ServerErrorHtml).on_path("/streams"));
    assert_eq!(api.get("/users", &token).await.status, StatusCode::OK);
    assert_eq!(api.validate(&token).await.status, StatusCode::OK);
    assert_eq!(
        api.get("/streams", &token).await.status,
        StatusCode::BAD_GATEWAY
    );
    api.sim
        .inject(FaultRule::new(Fault::ExpiredToken).on_path("/oauth2/validate"));
    let id_side = api.validate(&token).await;
    assert_eq!(
        id_side.body,
        json!({"status": 401, "message": "invalid access token"})
    );
    api.sim
        .inject(FaultRule::new(Fault::ServerErrorHtml).times(5));
    api.sim.clear_faults();
    assert_eq!(api.get("/users", &token).await.status, StatusCode::OK);
}

// ---------------------------------------------------------------- the live world

#[tokio::test]
async fn the_world_ticks_chat_flows_and_followers_arrive() {
    let api = Api::start(TwitchSimOptions {
        tick: Some(Duration::from_millis(10)),
        ..TwitchSimOptions::default()
    })
    .await;
    let token = api.token();
    let me = api.me();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(api.sim.chat_log().len() > 5, "chat flows");
    let followers = api
        .get(
            &format!("/channels/followers?broadcaster_id={me}&first=1"),
            &token,
        )
        .await;
    assert!(
        followers.body["total"].as_u64().unwrap() > 250,
        "followers arrive"
    );
    let newest = followers.data()[0]["followed_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let chatters = api
        .get(
            &format!("/chat/chatters?broadcaster_id={me}&moderator_id={me}&first=1"),
            &token,
        )
        .await;
    let total = chatters.body["total"].as_u64().unwrap();
    assert_eq!(
        chatters.data()[0]["user_id"],
        json!(me),
        "the broadcaster stays"
    );
    assert!(total > 1);
    let live = api.get(&format!("/streams?user_id={me}"), &token).await;
    assert!(live.data()[0]["viewer_count"].as_u64().unwrap() >= total / 2);
    assert!(is_rfc3339(&newest));
}

// ---------------------------------------------------------------- EventSub

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connects to an EventSub address and reads its welcome.
async fn ws_open(url: &str) -> (Ws, Value) {
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("the EventSub socket opens");
    let welcome = ws_json(&mut ws).await;
    assert_eq!(welcome["metadata"]["message_type"], "session_welcome");
    (ws, welcome)
}

/// The next message as JSON (within a bound).
async fn ws_json(ws: &mut Ws) -> Value {
    use futures_util::StreamExt;
    loop {
        let message = tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("a message within the bound")
            .expect("the socket is open")
            .expect("a readable message");
        match message {
            tokio_tungstenite::tungstenite::Message::Text(text) => {
                return serde_json::from_str(&text).expect("JSON");
            }
            tokio_tungstenite::tungstenite::Message::Close(c) => {
                panic!("closed: {c:?}")
            }
            _ => {}
        }
    }
}

/// The next message that is not a keepalive.
async fn ws_event(ws: &mut Ws) -> Value {
    loop {
        let v = ws_json(ws).await;
        if v["metadata"]["message_type"] != "session_keepalive" {
            return v;
        }
    }
}

/// Reads until the server closes; answers its close code.
async fn ws_close_code(ws: &mut Ws) -> u16 {
    use futures_util::StreamExt;
    loop {
        let message = tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("closed within the bound");
        match message {
            Some(Ok(tokio_tungstenite::tungstenite::Message::Close(c))) => {
                return c.map_or(1005, |c| u16::from(c.code));
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => panic!("no close frame: {e}"),
            None => panic!("no close frame"),
        }
    }
}

fn chat_sub(broadcaster: &str, user: &str, session: &str) -> Value {
    json!({
        "type": "channel.chat.message",
        "version": "1",
        "condition": {"broadcaster_user_id": broadcaster, "user_id": user},
        "transport": {"method": "websocket", "session_id": session},
    })
}

#[tokio::test]
async fn eventsub_subscriptions_follow_helix_rules_and_notify_every_line() {
    let api = Api::default().await;
    let token = api.token();
    let me = api.me();
    let (mut ws, welcome) = ws_open(&api.sim.eventsub_url()).await;
    let session = welcome["payload"]["session"].clone();
    let sid = session["id"].as_str().expect("a session id").to_owned();
    assert!(!sid.is_empty());
    assert_eq!(session["status"], "connected");
    assert_eq!(session["keepalive_timeout_seconds"], 10, "Twitch's default");
    assert_eq!(session["reconnect_url"], Value::Null);
    assert!(is_rfc3339(
        welcome["metadata"]["message_timestamp"].as_str().unwrap()
    ));
    let post = |token: String, body: Value| {
        let api = &api;
        async move {
            api.send(Method::POST, "/eventsub/subscriptions", &token, Some(body))
                .await
        }
    };

    let no_scope: Vec<&str> = SCOPES_ALL
        .iter()
        .copied()
        .filter(|s| *s != "user:read:chat")
        .collect();
    let weak = api.sim.issue_tokens(&no_scope).access_token;
    let refused = post(weak, chat_sub(&me, &me, &sid)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.message(),
        "subscription missing proper authorization"
    );
    let other = api.sim.viewer_user().user_id;
    let refused = post(token.clone(), chat_sub(&me, &other, &sid)).await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "user_id is the token's user"
    );
    let refused = post(token.clone(), chat_sub(&me, &me, "AQoQnotasession")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.message().contains("does not exist"),
        "{}",
        refused.message()
    );
    let mut webhook = chat_sub(&me, &me, &sid);
    webhook["transport"] =
        json!({"method": "webhook", "callback": "https://example.com", "secret": "0123456789"});
    assert_eq!(
        post(token.clone(), webhook).await.status,
        StatusCode::BAD_REQUEST
    );
    let mut v2 = chat_sub(&me, &me, &sid);
    v2["version"] = json!("2");
    assert_eq!(
        post(token.clone(), v2).await.status,
        StatusCode::BAD_REQUEST
    );
    let mut no_session = chat_sub(&me, &me, &sid);
    no_session["transport"] = json!({"method": "websocket"});
    let refused = post(token.clone(), no_session).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.message().contains("transport.session_id"));

    let made = post(token.clone(), chat_sub(&me, &me, &sid)).await;
    assert_eq!(made.status, StatusCode::ACCEPTED, "{}", made.body);
    let sub = made.data()[0].clone();
    assert_eq!(sub["status"], "enabled");
    assert_eq!(sub["type"], "channel.chat.message");
    assert_eq!(sub["version"], "1");
    assert_eq!(sub["condition"]["broadcaster_user_id"], me.as_str());
    assert_eq!(sub["transport"]["method"], "websocket");
    assert_eq!(sub["transport"]["session_id"], sid.as_str());
    assert_eq!(sub["cost"], 0);
    assert_eq!(made.body["total"], 1);
    let again = post(token.clone(), chat_sub(&me, &me, &sid)).await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "a duplicate on one session"
    );

    // Follows (v2) need the moderator to be the token's user and a moderator.
    let follow = |moderator: &str| {
        json!({
            "type": "channel.follow", "version": "2",
            "condition": {"broadcaster_user_id": me, "moderator_user_id": moderator},
            "transport": {"method": "websocket", "session_id": sid},
        })
    };
    let viewer = api
        .sim
        .issue_tokens_as(SimUser::Viewer, SCOPES_ALL)
        .access_token;
    assert_eq!(
        post(viewer, follow(&other)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post(token.clone(), follow(&me)).await.status,
        StatusCode::ACCEPTED
    );

    let listed = api.get("/eventsub/subscriptions", &token).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.data().len(), 2);
    assert_eq!(listed.body["total"], 2);
    let follows = api
        .get("/eventsub/subscriptions?type=channel.follow", &token)
        .await;
    assert_eq!(follows.data().len(), 1);
    let two = api
        .get(
            "/eventsub/subscriptions?type=channel.follow&status=enabled",
            &token,
        )
        .await;
    assert_eq!(two.status, StatusCode::BAD_REQUEST, "one filter at a time");

    // A viewer's line and the streamer's own, each a notification with its message id.
    let said = api
        .sim
        .say(&api.sim.viewer_user().login, "hello there")
        .expect("said");
    let n = ws_event(&mut ws).await;
    assert_eq!(n["metadata"]["message_type"], "notification");
    assert_eq!(n["metadata"]["subscription_type"], "channel.chat.message");
    assert_eq!(n["metadata"]["subscription_version"], "1");
    assert_eq!(n["payload"]["subscription"]["id"], sub["id"]);
    let event = &n["payload"]["event"];
    assert_eq!(event["message_id"], said.as_str());
    assert_eq!(
        event["chatter_user_login"],
        api.sim.viewer_user().login.as_str()
    );
    assert_eq!(event["broadcaster_user_id"], me.as_str());
    assert_eq!(event["message"]["text"], "hello there");
    assert!(event["badges"].as_array().expect("badges").is_empty());
    let sent = api
        .send(
            Method::POST,
            "/chat/messages",
            &token,
            Some(json!({"broadcaster_id": me, "sender_id": me, "message": "hi all"})),
        )
        .await;
    let sent_id = sent.data()[0]["message_id"].as_str().unwrap().to_owned();
    let echo = ws_event(&mut ws).await;
    assert_eq!(echo["payload"]["event"]["message_id"], sent_id.as_str());
    assert_eq!(
        echo["payload"]["event"]["badges"][0]["set_id"],
        "broadcaster"
    );

    // A closed connection's subscriptions are disabled, and its session is gone.
    ws.close(None).await.expect("close");
    for _ in 0..400 {
        let listed = api.get("/eventsub/subscriptions", &token).await;
        if listed
            .data()
            .iter()
            .all(|s| s["status"] == "websocket_disconnected")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let listed = api
        .get("/eventsub/subscriptions?status=enabled", &token)
        .await;
    assert!(listed.data().is_empty(), "{}", listed.body);
    let late = post(token.clone(), chat_sub(&me, &me, &sid)).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn eventsub_closes_unused_chatty_and_misdirected_connections() {
    let api = Api::start(TwitchSimOptions {
        eventsub_keepalive_secs: 1,
        ..TwitchSimOptions::default()
    })
    .await;
    let url = api.sim.eventsub_url();
    // No subscription by the end of the first keepalive timeout.
    let (mut ws, welcome) = ws_open(&url).await;
    assert_eq!(
        welcome["payload"]["session"]["keepalive_timeout_seconds"],
        1
    );
    assert_eq!(ws_close_code(&mut ws).await, 4003);
    // A client must not send anything.
    let (mut ws, _) = ws_open(&url).await;
    {
        use futures_util::SinkExt;
        ws.send(tokio_tungstenite::tungstenite::Message::Text(
            "hello?".into(),
        ))
        .await
        .expect("sent");
    }
    assert_eq!(ws_close_code(&mut ws).await, 4001);
    // An address that no reconnect handed out.
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("{url}?challenge=nope"))
        .await
        .expect("opens");
    assert_eq!(ws_close_code(&mut ws).await, 4007);
    // A subscribed, silent connection hears keepalives; the timeout can be asked for.
    let (mut ws, welcome) = ws_open(&url).await;
    let sid = welcome["payload"]["session"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = api.me();
    let made = api
        .send(
            Method::POST,
            "/eventsub/subscriptions",
            &api.token(),
            Some(chat_sub(&me, &me, &sid)),
        )
        .await;
    assert_eq!(made.status, StatusCode::ACCEPTED);
    let keepalive = ws_json(&mut ws).await;
    assert_eq!(keepalive["metadata"]["message_type"], "session_keepalive");
    assert_eq!(keepalive["payload"], json!({}));
    let (_ws, welcome) = ws_open(&format!("{url}?keepalive_timeout_seconds=30")).await;
    assert_eq!(
        welcome["payload"]["session"]["keepalive_timeout_seconds"],
        30
    );
    let (_ws, welcome) = ws_open(&format!("{url}?keepalive_timeout_seconds=5")).await;
    assert_eq!(
        welcome["payload"]["session"]["keepalive_timeout_seconds"], 1,
        "out of Twitch's 10..600: the default"
    );
}

#[tokio::test]
async fn eventsub_reconnect_moves_the_session_with_its_subscriptions() {
    let api = Api::default().await;
    let token = api.token();
    let me = api.me();
    let (mut old, welcome) = ws_open(&api.sim.eventsub_url()).await;
    let sid = welcome["payload"]["session"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let made = api
        .send(
            Method::POST,
            "/eventsub/subscriptions",
            &token,
            Some(chat_sub(&me, &me, &sid)),
        )
        .await;
    assert_eq!(made.status, StatusCode::ACCEPTED);
    assert_eq!(api.sim.eventsub_reconnect(), 1);
    let told = ws_event(&mut old).await;
    assert_eq!(told["metadata"]["message_type"], "session_reconnect");
    let session = &told["payload"]["session"];
    assert_eq!(session["id"], sid.as_str());
    assert_eq!(session["status"], "reconnecting");
    assert_eq!(session["keepalive_timeout_seconds"], Value::Null);
    let url = session["reconnect_url"]
        .as_str()
        .expect("an address")
        .to_owned();
    let (mut new, welcome) = ws_open(&url).await;
    assert_eq!(
        welcome["payload"]["session"]["id"],
        sid.as_str(),
        "the same session"
    );
    assert_eq!(api.sim.eventsub_moves(), 1);
    let said = api
        .sim
        .say(&api.sim.viewer_user().login, "over here")
        .expect("said");
    let n = ws_event(&mut new).await;
    assert_eq!(n["payload"]["event"]["message_id"], said.as_str());
    assert_eq!(
        ws_close_code(&mut old).await,
        1000,
        "the old connection ends"
    );
    let again = api
        .send(
            Method::POST,
            "/eventsub/subscriptions",
            &token,
            Some(chat_sub(&me, &me, &sid)),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "the subscription moved along"
    );
    let listed = api
        .get("/eventsub/subscriptions?status=enabled", &token)
        .await;
    assert_eq!(listed.data().len(), 1);
    // A reconnect address works once.
    let (mut spent, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .expect("opens");
    assert_eq!(ws_close_code(&mut spent).await, 4007);
}
