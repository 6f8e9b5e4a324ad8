//! The Trovo simulator, tested over real HTTP: it must behave as Trovo's reference and the
//! platform facts say (shapes, quirks, checks, paging, faults, rate limit, OAuth), since the
//! client tests and the demo trust it.

use std::time::{Duration, Instant};

use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use stagehand::sim::trovo::{ErrorAnswer, Fault, FaultRule, SimOptions, SimUser, TrovoSim};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// A started simulator and an HTTP client that speaks to it.
struct Api {
    sim: TrovoSim,
    http: Client,
}

/// A decoded answer.
struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    /// Trovo's error code (`status` field of the body), if the body is an error.
    fn code(&self) -> Option<i64> {
        self.body.get("status").and_then(Value::as_i64)
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
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
    async fn start(opts: SimOptions) -> Api {
        let sim = TrovoSim::start(opts).await.expect("simulator starts");
        Api {
            sim,
            http: Client::new(),
        }
    }

    async fn default() -> Api {
        Api::start(SimOptions::default()).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.api_base())
    }

    fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .request(method, self.url(path))
            .header("Client-ID", TrovoSim::CLIENT_ID)
            .header("Accept", "application/json");
        if let Some(token) = token {
            request = request.header("Authorization", format!("OAuth {token}"));
        }
        request
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        answer(
            self.request(reqwest::Method::GET, path, token)
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    async fn post(&self, path: &str, body: Value, token: Option<&str>) -> Answer {
        let request = self.request(reqwest::Method::POST, path, token).json(&body);
        answer(request.send().await.expect("send")).await
    }

    async fn delete(&self, path: &str, token: Option<&str>) -> Answer {
        answer(
            self.request(reqwest::Method::DELETE, path, token)
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    fn streamer_token(&self) -> String {
        self.sim.streamer_tokens().access_token
    }

    fn viewer_token(&self, scopes: &[&str]) -> String {
        self.sim
            .issue_tokens(SimUser::Viewer, scopes, 3_600)
            .access_token
    }

    fn streamer_id(&self) -> String {
        self.sim.streamer().channel_id
    }
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------- categories and icons

#[tokio::test]
async fn top_categories_use_the_misspelt_path_and_serve_real_png_icons() {
    let api = Api::default().await;
    let a = api.get("/categorys/top", None).await;
    assert_eq!(a.status, StatusCode::OK);
    let list = a.body["category_info"]
        .as_array()
        .expect("category_info")
        .clone();
    assert!(list.len() >= 200, "only {} categories", list.len());
    let names: std::collections::HashSet<&str> =
        list.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names.len(), list.len(), "category names must be distinct");
    assert_eq!(list[0]["name"], "Just Chatting");
    for key in ["id", "name", "short_name", "icon_url", "desc"] {
        assert!(list[5][key].is_string(), "{key} missing");
    }
    // Correctly spelt path does not exist.
    assert_eq!(
        api.get("/categories/top", None).await.status,
        StatusCode::NOT_FOUND
    );

    // Icons come from the simulator itself, need no Client-ID, and are real, distinct PNGs.
    let mut pictures = Vec::new();
    for c in &list[..2] {
        let url = c["icon_url"].as_str().expect("icon_url");
        assert!(url.starts_with(&api.sim.origin()), "{url}");
        let response = api.http.get(url).send().await.expect("icon");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "image/png");
        let bytes = response.bytes().await.expect("bytes");
        let image = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
            .expect("decodable PNG");
        assert_eq!((image.width(), image.height()), (144, 192));
        pictures.push(bytes);
    }
    assert_ne!(
        pictures[0], pictures[1],
        "each category has its own picture"
    );
    let missing = format!("{}/sim/icons/999999999.png", api.sim.origin());
    assert_eq!(
        api.http.get(missing).send().await.expect("send").status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn search_matches_name_and_short_name_case_insensitively_with_limits() {
    let api = Api::default().await;
    let a = api
        .post("/searchcategory", json!({"query": "LE", "limit": 3}), None)
        .await;
    let list = a.body["category_info"].as_array().expect("list");
    assert_eq!(list.len(), 3);
    assert_eq!(a.body["has_more"], true);
    for c in list {
        let hay = format!("{} {}", c["name"], c["short_name"]).to_lowercase();
        assert!(hay.contains("le"), "{hay}");
    }
    // Short-name match, exact matches first.
    let a = api
        .post("/searchcategory", json!({"query": "codm"}), None)
        .await;
    assert_eq!(a.body["category_info"][0]["name"], "Call of Duty Mobile");
    assert_eq!(a.body["has_more"], false);
    // Default limit 20.
    let a = api
        .post("/searchcategory", json!({"query": "e"}), None)
        .await;
    assert_eq!(a.body["category_info"].as_array().map(Vec::len), Some(20));
    // Limits and missing query.
    let a = api
        .post("/searchcategory", json!({"query": "e", "limit": 101}), None)
        .await;
    assert_eq!((a.status, a.code()), (StatusCode::BAD_REQUEST, Some(1002)));
    let a = api.post("/searchcategory", json!({"limit": 5}), None).await;
    assert_eq!(a.code(), Some(1002));
    assert_eq!(a.body["message"], "Invalid parameters.");
}

// ---------------------------------------------------------------- headers and tokens

#[tokio::test]
async fn every_call_needs_the_registered_client_id() {
    let api = Api::default().await;
    let url = api.url("/categorys/top");
    let a = answer(api.http.get(&url).send().await.expect("send")).await;
    assert_eq!((a.status, a.code()), (StatusCode::BAD_REQUEST, Some(11701)));
    assert_eq!(a.body["message"], "Invalid header.");
    let a = answer(
        api.http
            .get(&url)
            .header("Client-ID", "someone-else")
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(a.code(), Some(11701));

    // Header names are case-insensitive: send a mixed-case one byte for byte.
    let origin = api.sim.origin();
    let host = origin.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let raw = format!(
        "GET /openplatform/categorys/top HTTP/1.1\r\nHost: {host}\r\nCLIENT-id: {}\r\nConnection: close\r\n\r\n",
        TrovoSim::CLIENT_ID
    );
    stream.write_all(raw.as_bytes()).await.expect("write");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.expect("read");
    assert!(
        reply.starts_with("HTTP/1.1 200"),
        "{}",
        &reply[..reply.len().min(80)]
    );
}

#[tokio::test]
async fn user_calls_check_the_oauth_scheme_expiry_scope_and_revocation() {
    let api = Api::default().await;
    // No token, a Bearer token, an unknown token: 11704.
    let a = api.get("/getuserinfo", None).await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::UNAUTHORIZED, Some(11704))
    );
    let token = api.streamer_token();
    let bearer = api
        .request(reqwest::Method::GET, "/getuserinfo", None)
        .header("Authorization", format!("Bearer {token}"));
    assert_eq!(
        answer(bearer.send().await.expect("send")).await.code(),
        Some(11704)
    );
    assert_eq!(
        api.get("/getuserinfo", Some("0123456789abcdef"))
            .await
            .code(),
        Some(11704)
    );
    // Expired: 11714.
    let expired = api
        .sim
        .issue_tokens(SimUser::Streamer, &["user_details_self"], -5)
        .access_token;
    let a = api.get("/getuserinfo", Some(&expired)).await;
    assert_eq!(a.code(), Some(11714));
    assert_eq!(a.body["message"], "Access token has expired");
    // Without the scope: 11730.
    let narrow = api
        .sim
        .issue_tokens(SimUser::Streamer, &["chat_send_self"], 3_600)
        .access_token;
    let a = api.get("/getuserinfo", Some(&narrow)).await;
    assert_eq!((a.status, a.code()), (StatusCode::FORBIDDEN, Some(11730)));
    // Valid.
    assert_eq!(
        api.get("/getuserinfo", Some(&token)).await.status,
        StatusCode::OK
    );

    // Validate: uid, client id, scopes, expire_ts as a string.
    let a = api.get("/validate", Some(&narrow)).await;
    assert_eq!(a.body["uid"], api.sim.streamer().user_id);
    assert_eq!(a.body["client_ID"], TrovoSim::CLIENT_ID);
    assert_eq!(strings(&a.body["scopes"]), vec!["chat_send_self"]);
    let expire: i64 = a.body["expire_ts"]
        .as_str()
        .expect("string expire_ts")
        .parse()
        .expect("number");
    assert!(expire > 0);

    // Revoke: the token stops working.
    let a = api
        .post("/revoke", json!({"access_token": token}), Some(&token))
        .await;
    assert_eq!(a.body, json!({"empty": ""}));
    assert_eq!(
        api.get("/getuserinfo", Some(&token)).await.code(),
        Some(11704)
    );
}

#[tokio::test]
async fn user_info_is_camel_case() {
    let api = Api::default().await;
    let a = api.get("/getuserinfo", Some(&api.streamer_token())).await;
    let me = api.sim.streamer();
    assert_eq!(a.body["userId"], me.user_id);
    assert_eq!(a.body["userName"], me.username);
    assert_eq!(a.body["nickName"], me.nickname);
    assert_eq!(a.body["channelId"], me.channel_id);
    assert!(a.body["profilePic"].is_string() && a.body["email"].is_string());
    assert!(a.body.get("user_id").is_none());
}

// ---------------------------------------------------------------- channels

#[tokio::test]
async fn channel_info_by_id_string_id_or_username() {
    let api = Api::default().await;
    let me = api.sim.streamer();
    let id: u64 = me.channel_id.parse().expect("numeric id");
    let by_number = api
        .post("/channels/id", json!({"channel_id": id}), None)
        .await;
    let by_string = api
        .post("/channels/id", json!({"channel_id": me.channel_id}), None)
        .await;
    let by_name = api
        .post(
            "/channels/id",
            json!({"username": me.username.to_uppercase()}),
            None,
        )
        .await;
    assert_eq!(by_number.body["username"], me.username);
    assert_eq!(by_number.body["live_title"], by_string.body["live_title"]);
    assert_eq!(by_name.body["username"], me.username);
    let b = &by_number.body;
    assert_eq!(b["is_live"], true);
    assert_eq!(b["language_code"], "EN");
    assert_eq!(b["audi_type"], "CHANNEL_AUDIENCE_TYPE_FAMILYFRIENDLY");
    for key in ["created_at", "started_at", "ended_at"] {
        let text = b[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key} must be a string"));
        assert!(text.parse::<i64>().is_ok(), "{key}={text}");
    }
    assert!(
        b["current_viewers"].is_u64() && b["followers"].is_u64() && b["subscriber_num"].is_u64()
    );
    // channel_id wins over username.
    let viewer = api.sim.viewer_user();
    let both = api
        .post(
            "/channels/id",
            json!({"channel_id": id, "username": viewer.username}),
            None,
        )
        .await;
    assert_eq!(both.body["username"], me.username);
    // Unknown.
    let a = api
        .post("/channels/id", json!({"channel_id": 1}), None)
        .await;
    assert_eq!(a.code(), Some(10505));
    assert_eq!(a.body["message"], "Invalid user.");
    assert_eq!(
        api.post("/channels/id", json!({}), None).await.code(),
        Some(1002)
    );
}

#[tokio::test]
async fn own_channel_adds_uid_channel_id_and_stream_key() {
    let api = Api::default().await;
    let a = api.get("/channel", Some(&api.streamer_token())).await;
    assert_eq!(a.body["uid"], api.streamer_id());
    assert_eq!(a.body["channel_id"], api.streamer_id());
    assert!(
        a.body["stream_key"]
            .as_str()
            .is_some_and(|k| k.starts_with("live/") && k.len() > 10)
    );
    let narrow = api
        .sim
        .issue_tokens(SimUser::Streamer, &["user_details_self"], 60)
        .access_token;
    assert_eq!(api.get("/channel", Some(&narrow)).await.code(), Some(11730));
}

#[tokio::test]
async fn channel_update_validates_everything_before_changing_anything() {
    let api = Api::default().await;
    let token = api.streamer_token();
    let id = api.streamer_id();
    let before = api.sim.channel();
    let post = |body: Value| {
        let mut body = body;
        body["channel_id"] = json!(id.parse::<u64>().expect("id"));
        api.post("/channels/update", body, Some(&token))
    };
    // Each refusal, with nothing changed.
    let long = "x".repeat(141);
    for (body, code) in [
        (json!({"live_title": long}), 1002),
        (json!({"live_title": ""}), 1002),
        (json!({"live_title": "a forbidden word"}), 11101),
        (json!({"category_id": "424242"}), 11000),
        (
            json!({"live_title": "ok", "audi_type": "CHANNEL_AUDIENCE_TYPE_ALL"}),
            1002,
        ),
        (json!({"live_title": "ok", "language_code": "ENG"}), 1002),
    ] {
        let a = post(body.clone()).await;
        assert_eq!(a.code(), Some(code), "{body}");
    }
    assert_eq!(api.sim.channel(), before);

    // The disputed category field: `category` alone works, `category_id` wins over it.
    let a = post(json!({"category": "10050"})).await;
    assert_eq!(a.body, json!({"empty": ""}));
    assert_eq!(api.sim.channel().category_name, "Minecraft");
    post(json!({"category": "10050", "category_id": "10057"})).await;
    assert_eq!(api.sim.channel().category_id, "10057");

    let a = post(json!({
        "live_title": "Late night music",
        "language_code": "de",
        "audi_type": "CHANNEL_AUDIENCE_TYPE_TEEN",
    }))
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let now = api.sim.channel();
    assert_eq!(now.title, "Late night music");
    assert_eq!(now.language, "DE");
    assert_eq!(now.audience, "CHANNEL_AUDIENCE_TYPE_TEEN");
    let info = api
        .post("/channels/id", json!({"channel_id": id}), None)
        .await;
    assert_eq!(info.body["live_title"], "Late night music");
    assert_eq!(info.body["category_name"], "Music");

    // Someone else's channel: 10703.
    let viewer = api
        .sim
        .issue_tokens(SimUser::Viewer, &["channel_update_self"], 60)
        .access_token;
    let a = api
        .post(
            "/channels/update",
            json!({"channel_id": id, "live_title": "mine now"}),
            Some(&viewer),
        )
        .await;
    assert_eq!((a.status, a.code()), (StatusCode::FORBIDDEN, Some(10703)));
    assert_eq!(api.sim.channel().title, "Late night music");
}

#[tokio::test]
async fn top_channels_page_with_an_opaque_token_and_page_cursor() {
    let api = Api::default().await;
    let first = api
        .post(
            "/gettopchannels",
            json!({"limit": 20, "after": true, "token": "", "cursor": 0, "category_id": ""}),
            None,
        )
        .await;
    assert_eq!(first.body["cursor"], 1);
    assert_eq!(first.body["total_page"], 3, "about 60 live channels");
    let token = first.body["token"].as_str().expect("token").to_owned();
    assert!(!token.is_empty());
    let mut ids = Vec::new();
    let mut viewers = Vec::new();
    let mut page = first;
    loop {
        for c in page.body["top_channels_lists"].as_array().expect("list") {
            ids.push(c["channel_id"].as_str().expect("id").to_owned());
            viewers.push(c["current_viewers"].as_u64().expect("viewers"));
            assert!(
                c["stream_started_at"]
                    .as_str()
                    .is_some_and(|s| s.parse::<i64>().is_ok())
            );
            assert_eq!(c["is_live"], true);
        }
        let cursor = page.body["cursor"].as_u64().expect("cursor");
        if cursor >= page.body["total_page"].as_u64().expect("total_page") {
            break;
        }
        page = api
            .post(
                "/gettopchannels",
                json!({"limit": 20, "after": true, "token": token, "cursor": cursor}),
                None,
            )
            .await;
    }
    assert_eq!(ids.len(), 60);
    assert!(
        ids.contains(&api.streamer_id()),
        "the live streamer is listed"
    );
    assert!(
        viewers.windows(2).all(|w| w[0] >= w[1]),
        "most watched first"
    );
    let a = api
        .post(
            "/gettopchannels",
            json!({"limit": 20, "token": "nope", "cursor": 1}),
            None,
        )
        .await;
    assert_eq!(a.code(), Some(1002));
    let a = api
        .post("/gettopchannels", json!({"limit": 101}), None)
        .await;
    assert_eq!(a.code(), Some(1002));
}

#[tokio::test]
async fn get_users_is_case_insensitive_and_skips_unknown_names() {
    let api = Api::default().await;
    let me = api.sim.streamer();
    let viewer = api.sim.viewer_user();
    let a = api
        .post("/getusers", json!({"user": [me.username.to_lowercase(), "no_such_user_zz", viewer.username.to_uppercase()]}), None)
        .await;
    assert_eq!(a.body["total"], 2);
    assert_eq!(a.body["users"][0]["channel_id"], me.channel_id);
    assert_eq!(a.body["users"][1]["nickname"], viewer.nickname);
}

#[tokio::test]
async fn emotes_honour_emote_type() {
    let api = Api::default().await;
    let id: u64 = api.streamer_id().parse().expect("id");
    let all = api
        .post(
            "/getemotes",
            json!({"emote_type": 0, "channel_id": [id]}),
            None,
        )
        .await;
    let channels = &all.body["channels"];
    assert!(
        !channels["customizedEmotes"]["channel"][0]["emotes"]
            .as_array()
            .expect("emotes")
            .is_empty()
    );
    assert!(
        !channels["globalEmotes"]
            .as_array()
            .expect("global")
            .is_empty()
    );
    assert!(
        !channels["eventEmotes"]
            .as_array()
            .expect("event")
            .is_empty()
    );
    let custom = api
        .post(
            "/getemotes",
            json!({"emote_type": 1, "channel_id": [id]}),
            None,
        )
        .await;
    assert_eq!(custom.body["channels"]["globalEmotes"], json!([]));
    assert_eq!(
        custom.body["channels"]["customizedEmotes"]["channel"][0]["channel_id"],
        id.to_string()
    );
    let global = api
        .post(
            "/getemotes",
            json!({"emote_type": 2, "channel_id": [id]}),
            None,
        )
        .await;
    assert_eq!(
        global.body["channels"]["customizedEmotes"]["channel"],
        json!([])
    );
    assert_eq!(
        api.post("/getemotes", json!({"emote_type": 3}), None)
            .await
            .code(),
        Some(1002)
    );
}

#[tokio::test]
async fn stream_urls_only_while_live() {
    let live = Api::default().await;
    let a = live
        .post(
            "/livestreamurl",
            json!({"channel_id": live.streamer_id()}),
            None,
        )
        .await;
    let descs: Vec<&str> = a.body["stream_urls"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|u| u["desc"].as_str())
        .collect();
    assert_eq!(descs, ["480P", "720P", "1080P"]);
    let offline = Api::start(SimOptions {
        live: false,
        ..SimOptions::default()
    })
    .await;
    let a = offline
        .post(
            "/livestreamurl",
            json!({"channel_id": offline.streamer_id()}),
            None,
        )
        .await;
    assert_eq!(a.body["stream_urls"], json!([]));
    let info = offline
        .post(
            "/channels/id",
            json!({"channel_id": offline.streamer_id()}),
            None,
        )
        .await;
    assert_eq!(
        (
            info.body["is_live"].clone(),
            info.body["current_viewers"].clone()
        ),
        (json!(false), json!(0))
    );
}

// ---------------------------------------------------------------- viewers, followers, subscribers

#[tokio::test]
async fn viewers_page_by_page_number_with_string_total_and_custome_roles() {
    let api = Api::default().await;
    api.sim.set_viewers(250);
    let path = format!("/channels/{}/viewers", api.streamer_id());
    let mut everyone = Vec::new();
    let mut cursor = 0u64;
    let mut pages = 0;
    loop {
        let a = api
            .post(&path, json!({"limit": 100, "cursor": cursor}), None)
            .await;
        let b = &a.body;
        assert_eq!(b["total"], "250", "total is a string");
        assert_eq!(b["total_page"], 3);
        assert_eq!(b["cursor"], cursor + 1, "cursor is the next page");
        assert!(
            b.get("custome_roles").is_some_and(Value::is_object),
            "Trovo's spelling"
        );
        assert!(b.get("custom_roles").is_none());
        let all = strings(&b["chatters"]["all"]["viewers"]);
        assert_eq!(all.len(), if cursor < 2 { 100 } else { 50 });
        for group in [
            "VIPS",
            "ace",
            "aceplus",
            "admins",
            "creators",
            "editors",
            "followers",
            "moderators",
            "subscribers",
            "supermods",
            "wardens",
        ] {
            for name in strings(&b["chatters"][group]["viewers"]) {
                assert!(
                    all.contains(&name),
                    "{group} member {name} is not on this page"
                );
            }
        }
        if cursor == 0 {
            let me = api.sim.streamer().nickname;
            assert!(
                all.contains(&me) && strings(&b["chatters"]["creators"]["viewers"]) == vec![me]
            );
        }
        everyone.extend(all);
        pages += 1;
        cursor = b["cursor"].as_u64().expect("cursor");
        if cursor >= b["total_page"].as_u64().expect("total_page") {
            break;
        }
    }
    assert_eq!(pages, 3);
    let unique: std::collections::HashSet<&String> = everyone.iter().collect();
    assert_eq!(unique.len(), 250, "pages are disjoint and cover everyone");

    // A limit under 20 is raised to 20; the whole list has moderators and custom roles.
    let a = api.post(&path, json!({"limit": 5}), None).await;
    assert_eq!(strings(&a.body["chatters"]["all"]["viewers"]).len(), 20);
    assert_eq!(a.body["total_page"], 13);
    let whole = api.post(&path, json!({}), None).await;
    assert!(!strings(&whole.body["chatters"]["moderators"]["viewers"]).is_empty());
    assert!(!strings(&whole.body["custome_roles"]["Regulars"]["viewers"]).is_empty());
    // Consistency with the channel's current_viewers.
    let info = api
        .post(
            "/channels/id",
            json!({"channel_id": api.streamer_id()}),
            None,
        )
        .await;
    assert_eq!(info.body["current_viewers"], 250);
}

#[tokio::test]
async fn a_hundred_thousand_viewers_in_many_scripts_come_in_one_page() {
    let api = Api::start(SimOptions {
        viewers: 100_000,
        ..SimOptions::default()
    })
    .await;
    let path = format!("/channels/{}/viewers", api.streamer_id());
    // How fast is for the benchmarks (benches/decode_viewers.rs), not for a test.
    let a = api
        .post(&path, json!({"limit": 100000, "cursor": 0}), None)
        .await;
    let all = strings(&a.body["chatters"]["all"]["viewers"]);
    assert_eq!(all.len(), 100_000);
    assert_eq!(a.body["total_page"], 1);
    let unique: std::collections::HashSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), all.len(), "nicknames are unique");
    let has = |range: std::ops::RangeInclusive<char>| {
        all.iter().any(|n| n.chars().any(|c| range.contains(&c)))
    };
    assert!(has('\u{4E00}'..='\u{9FFF}'), "Chinese");
    assert!(has('\u{AC00}'..='\u{D7AF}'), "Korean");
    assert!(has('\u{3040}'..='\u{30FF}'), "Japanese kana");
    assert!(has('\u{0600}'..='\u{06FF}'), "Arabic");
    assert!(has('\u{0400}'..='\u{04FF}'), "Cyrillic");
    assert!(has('\u{1F300}'..='\u{1FAFF}'), "emoji");
    let supermods = strings(&a.body["chatters"]["supermods"]["viewers"]).len();
    let followers = strings(&a.body["chatters"]["followers"]["viewers"]).len();
    assert!(
        supermods < 200 && followers > 30_000,
        "supermods rare ({supermods}), followers many ({followers})"
    );
}

#[tokio::test]
async fn followers_page_by_number_oldest_first_with_string_total() {
    let api = Api::default().await;
    let path = format!("/channels/{}/followers", api.streamer_id());
    let first = api
        .post(&path, json!({"limit": 100, "cursor": 0}), None)
        .await;
    assert_eq!(first.body["total"], "250");
    assert_eq!(first.body["total_page"], 3);
    assert_eq!(first.body["cursor"], 1);
    let list = first.body["follower"].as_array().expect("follower");
    assert_eq!(list.len(), 100);
    let times: Vec<String> = list
        .iter()
        .map(|f| f["followed_at"].as_str().expect("followed_at").to_owned())
        .collect();
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    for t in &times {
        time::PrimitiveDateTime::parse(t, &format).expect("YYYY-MM-DD hh:mm:ss");
    }
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "asc is oldest first"
    );
    // The viewer account is the oldest follower.
    assert_eq!(list[0]["user_id"], api.sim.viewer_user().user_id);
    let last = api
        .post(&path, json!({"limit": 100, "cursor": 2}), None)
        .await;
    assert_eq!(last.body["follower"].as_array().map(Vec::len), Some(50));
    let newest = api
        .post(&path, json!({"limit": 1, "direction": "desc"}), None)
        .await;
    assert_eq!(
        newest.body["follower"][0]["user_id"],
        last.body["follower"][49]["user_id"]
    );
    assert_eq!(
        api.post(&path, json!({"limit": 101}), None).await.code(),
        Some(1002)
    );
    assert_eq!(
        api.post(&path, json!({"direction": "sideways"}), None)
            .await
            .code(),
        Some(1002)
    );
    let info = api
        .post(
            "/channels/id",
            json!({"channel_id": api.streamer_id()}),
            None,
        )
        .await;
    assert_eq!(info.body["followers"], 250);
}

#[tokio::test]
async fn subscriptions_page_by_offset_for_the_owner_only() {
    let api = Api::default().await;
    let token = api.streamer_token();
    let path = |q: &str| format!("/channels/{}/subscriptions?{q}", api.streamer_id());
    let a = api
        .get(&path("limit=25&offset=0&direction=asc"), Some(&token))
        .await;
    assert_eq!(a.body["total"], 40);
    let page1 = a.body["subscriptions"].as_array().expect("list").clone();
    assert_eq!(page1.len(), 25);
    let s = &page1[0];
    assert!(s["sub_created_at"].is_i64(), "sub_created_at is a number");
    assert!(
        s["user"]["created_at"].is_string(),
        "user.created_at is a string"
    );
    assert!(
        s["sub_lv"]
            .as_str()
            .is_some_and(|l| ["L1", "L2", "L3", "L4", "L5"].contains(&l))
    );
    assert!(
        s["sub_tier"]
            .as_str()
            .is_some_and(|t| ["1", "2", "3"].contains(&t))
    );
    let stamps: Vec<i64> = page1
        .iter()
        .filter_map(|s| s["sub_created_at"].as_i64())
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]));
    let rest = api.get(&path("limit=25&offset=25"), Some(&token)).await;
    assert_eq!(
        rest.body["subscriptions"].as_array().map(Vec::len),
        Some(15)
    );
    assert_ne!(
        rest.body["subscriptions"][0]["user"]["user_id"],
        page1[0]["user"]["user_id"]
    );
    let newest = api.get(&path("limit=1&direction=desc"), Some(&token)).await;
    assert_eq!(
        newest.body["subscriptions"][0]["user"],
        rest.body["subscriptions"][14]["user"]
    );
    assert_eq!(
        api.get(&path("limit=101"), Some(&token)).await.code(),
        Some(1002)
    );
    // Default limit 25.
    assert_eq!(
        api.get(&path(""), Some(&token)).await.body["subscriptions"]
            .as_array()
            .map(Vec::len),
        Some(25)
    );
    // Someone else's channel.
    let viewer = api.viewer_token(&["channel_subscriptions"]);
    assert_eq!(
        api.get(&path("limit=5"), Some(&viewer)).await.code(),
        Some(10703)
    );
    let info = api
        .post(
            "/channels/id",
            json!({"channel_id": api.streamer_id()}),
            None,
        )
        .await;
    assert_eq!(info.body["subscriber_num"], 40);
}

// ---------------------------------------------------------------- chat

#[tokio::test]
async fn chat_send_appends_to_the_log_and_checks_content_and_target() {
    let api = Api::default().await;
    let token = api.streamer_token();
    let a = api
        .post(
            "/chat/send",
            json!({"content": "hello chat 👋"}),
            Some(&token),
        )
        .await;
    assert_eq!((a.status, a.body.clone()), (StatusCode::OK, json!({})));
    let last = api.sim.chat_log().pop().expect("a line");
    assert_eq!(
        (last.content.as_str(), last.channel_id.clone()),
        ("hello chat 👋", api.streamer_id())
    );
    assert_eq!(last.sender_name, api.sim.streamer().nickname);
    assert_eq!(
        api.post("/chat/send", json!({"content": "  "}), Some(&token))
            .await
            .code(),
        Some(1002)
    );
    let long = "é".repeat(301);
    assert_eq!(
        api.post("/chat/send", json!({"content": long}), Some(&token))
            .await
            .code(),
        Some(1002)
    );
    // The viewer's channel has not granted send_to_my_channel.
    let viewer_channel = api.sim.viewer_user().channel_id;
    let a = api
        .post(
            "/chat/send",
            json!({"content": "hi", "channel_id": viewer_channel}),
            Some(&token),
        )
        .await;
    assert_eq!(a.code(), Some(11707));
    // The viewer may send to the streamer's channel (granted), with its own token.
    let viewer = api.viewer_token(&["chat_send_self"]);
    let a = api
        .post(
            "/chat/send",
            json!({"content": "hi streamer", "channel_id": api.streamer_id()}),
            Some(&viewer),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        api.sim.chat_log().pop().map(|l| l.sender_id),
        Some(api.sim.viewer_user().user_id)
    );
    let narrow = api.viewer_token(&["user_details_self"]);
    assert_eq!(
        api.post("/chat/send", json!({"content": "x"}), Some(&narrow))
            .await
            .code(),
        Some(11730)
    );
}

#[tokio::test]
async fn the_spam_rule_binds_viewers_but_not_the_streamer() {
    let api = Api::default().await;
    let viewer = api.viewer_token(&["chat_send_self"]);
    let to_streamer = |content: &str| json!({"content": content, "channel_id": api.streamer_id()});
    assert_eq!(
        api.post("/chat/send", to_streamer("first"), Some(&viewer))
            .await
            .status,
        StatusCode::OK
    );
    // A second message within a second: spam.
    let a = api
        .post("/chat/send", to_streamer("second"), Some(&viewer))
        .await;
    assert_eq!(a.code(), Some(10908));
    assert_eq!(a.body["message"], "Please don't spam.");
    // The same content within 30 s, even after a pause: spam.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(
        api.post("/chat/send", to_streamer("first"), Some(&viewer))
            .await
            .code(),
        Some(10908)
    );
    assert_eq!(
        api.post("/chat/send", to_streamer("third"), Some(&viewer))
            .await
            .status,
        StatusCode::OK
    );
    // The streamer is exempt in its own channel.
    let token = api.streamer_token();
    for _ in 0..3 {
        let a = api
            .post("/chat/send", json!({"content": "same again"}), Some(&token))
            .await;
        assert_eq!(a.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn commands_answer_200_and_moderate_chat() {
    let api = Api::default().await;
    let token = api.streamer_token();
    let id = api.streamer_id();
    let command = |c: &str| {
        api.post(
            "/channels/command",
            json!({"command": c, "channel_id": id}),
            Some(&token),
        )
    };
    let a = command("/ban someone").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body["is_success"], false);
    assert!(
        a.body["display_msg"]
            .as_str()
            .is_some_and(|m| m.starts_with("Unrecognized command: /"))
    );
    let a = command("dance").await;
    assert_eq!(a.body["display_msg"], "Unrecognized command: /dance");
    let elsewhere = api
        .post(
            "/channels/command",
            json!({"command": "clear", "channel_id": 1}),
            Some(&token),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::OK);
    assert_eq!(elsewhere.body["is_success"], false);
    let a = command("ban no_such_person_zz").await;
    assert_eq!(
        (a.status, a.body["is_success"].clone()),
        (StatusCode::OK, json!(false))
    );
    assert!(
        a.body["display_msg"]
            .as_str()
            .is_some_and(|m| m.contains("no_such_person_zz"))
    );

    // Ban with a duration (a timeout): the viewer cannot chat here.
    let viewer = api.viewer_token(&["chat_send_self", "manage_messages"]);
    let name = api.sim.viewer_user().username;
    assert_eq!(
        command(&format!("ban {name} 600")).await.body["is_success"],
        true
    );
    let bans = api.sim.bans();
    assert_eq!(bans.len(), 1);
    assert_eq!(bans[0].username.as_deref(), Some(name.as_str()));
    assert!(bans[0].until.is_some(), "a ban with seconds is a timeout");
    let send = json!({"content": "let me in", "channel_id": id});
    assert_eq!(
        api.post("/chat/send", send.clone(), Some(&viewer))
            .await
            .code(),
        Some(12400)
    );
    assert_eq!(
        command(&format!("unban {name}")).await.body["is_success"],
        true
    );
    assert_eq!(
        command(&format!("unban {name}")).await.body["is_success"],
        false
    );

    // Slow mode binds the viewer, not the streamer.
    assert_eq!(command("slow 30").await.body["is_success"], true);
    assert_eq!(
        api.post("/chat/send", send.clone(), Some(&viewer))
            .await
            .code(),
        Some(12401)
    );
    assert_eq!(
        api.post(
            "/chat/send",
            json!({"content": "slow for you"}),
            Some(&token)
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(command("slowoff").await.body["is_success"], true);
    assert_eq!(
        api.post("/chat/send", send.clone(), Some(&viewer))
            .await
            .status,
        StatusCode::OK
    );

    // settitle changes the channel.
    assert_eq!(
        command("settitle Speedrun night").await.body["is_success"],
        true
    );
    assert_eq!(api.sim.channel().title, "Speedrun night");

    // A viewer without moderation rights is refused (200, is_success false) until modded.
    let by_viewer = |c: &str| {
        api.post(
            "/channels/command",
            json!({"command": c, "channel_id": id}),
            Some(&viewer),
        )
    };
    assert_eq!(by_viewer("clear").await.body["is_success"], false);
    assert_eq!(
        command(&format!("mod @{name}")).await.body["is_success"],
        true
    );
    assert_eq!(by_viewer("followers").await.body["is_success"], true);
    assert_eq!(
        by_viewer(&format!("mod {name}")).await.body["is_success"],
        false,
        "only the streamer mods"
    );
    assert_eq!(by_viewer("followersoff").await.body["is_success"], true);
    // Moderators are exempt from the spam rule.
    assert_eq!(
        api.post("/chat/send", send.clone(), Some(&viewer))
            .await
            .status,
        StatusCode::OK
    );
    // clear empties the channel's chat.
    assert_eq!(command("clear").await.body["is_success"], true);
    assert!(api.sim.chat_log().iter().all(|l| l.channel_id != id));
    for c in [
        "followers",
        "followersoff",
        "subscribers",
        "subscribersoff",
        "addrole Artist pixelpilgrim",
        "removerole Artist pixelpilgrim",
        "host pixelpilgrim",
    ] {
        assert_eq!(command(c).await.body["is_success"], true, "{c}");
    }
}

#[tokio::test]
async fn delete_message_checks_sender_and_permission() {
    let api = Api::default().await;
    let id = api.streamer_id();
    let viewer_info = api.sim.viewer_user();
    let viewer = api.viewer_token(&["chat_send_self", "manage_messages"]);
    api.post(
        "/chat/send",
        json!({"content": "delete me", "channel_id": id}),
        Some(&viewer),
    )
    .await;
    let line = api.sim.chat_log().pop().expect("line");
    let token = api.streamer_token();
    // The viewer cannot delete in the streamer's channel.
    let path = format!(
        "/channels/{id}/messages/{}/users/{}",
        line.message_id, viewer_info.user_id
    );
    assert_eq!(api.delete(&path, Some(&viewer)).await.code(), Some(10703));
    // Wrong sender uid: delete failed.
    let wrong = format!("/channels/{id}/messages/{}/users/{}", line.message_id, id);
    let a = api.delete(&wrong, Some(&token)).await;
    assert_eq!(a.code(), Some(1002));
    assert!(
        a.body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Delete failed."))
    );
    // The streamer deletes it; deleting again (gone) still succeeds.
    assert!(api.sim.deletions().is_empty(), "refusals delete nothing");
    assert_eq!(api.delete(&path, Some(&token)).await.body, json!({}));
    let deleted = api.sim.deletions();
    assert_eq!(deleted.len(), 1);
    assert_eq!(
        (
            deleted[0].message_id.as_str(),
            deleted[0].sender_id.as_str()
        ),
        (line.message_id.as_str(), viewer_info.user_id.as_str())
    );
    assert_eq!(deleted[0].by, id);
    assert!(
        api.sim
            .chat_log()
            .iter()
            .all(|l| l.message_id != line.message_id)
    );
    assert_eq!(api.delete(&path, Some(&token)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn chat_tokens_for_own_and_any_channel() {
    let api = Api::default().await;
    let a = api.get("/chat/token", Some(&api.streamer_token())).await;
    assert!(a.body["token"].as_str().is_some_and(|t| !t.is_empty()));
    let a = api
        .get(&format!("/chat/channel-token/{}", api.streamer_id()), None)
        .await;
    assert!(a.body["token"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(
        api.get("/chat/channel-token/1", None).await.code(),
        Some(10505)
    );
    let narrow = api.viewer_token(&["chat_send_self"]);
    assert_eq!(
        api.get("/chat/token", Some(&narrow)).await.code(),
        Some(11730)
    );
}

// ---------------------------------------------------------------- the chat socket

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A guard against a hang, far above what a passing run needs.
const GUARD: Duration = Duration::from_secs(20);

async fn chat_socket(api: &Api) -> Socket {
    tokio_tungstenite::connect_async(api.sim.chat_url())
        .await
        .expect("the chat socket opens")
        .0
}

async fn send_frame(socket: &mut Socket, frame: Value) {
    use futures_util::SinkExt;
    socket
        .send(WsMessage::text(frame.to_string()))
        .await
        .expect("sent");
}

/// The next JSON frame, or `None` once the socket is closed (a close frame included).
async fn next_frame(socket: &mut Socket) -> Option<Value> {
    use futures_util::StreamExt;
    loop {
        let message = tokio::time::timeout(GUARD, socket.next())
            .await
            .expect("a frame in time");
        match message {
            Some(Ok(WsMessage::Text(text))) => {
                return Some(serde_json::from_str(text.as_str()).expect("JSON"));
            }
            Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => {}
        }
    }
}

/// Opens the socket with a chat token and reads the answer and the replay.
async fn admitted(api: &Api, token: &str) -> (Socket, Vec<Value>) {
    let mut socket = chat_socket(api).await;
    send_frame(
        &mut socket,
        json!({"type": "AUTH", "nonce": "auth-1", "data": {"token": token}}),
    )
    .await;
    let response = next_frame(&mut socket).await.expect("a response");
    assert_eq!(response["type"], "RESPONSE");
    assert_eq!(response["nonce"], "auth-1");
    assert!(response.get("error").is_none(), "{response}");
    let replay = next_frame(&mut socket).await.expect("the replay");
    assert_eq!(replay["type"], "CHAT");
    let chats = replay["data"]["chats"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    (socket, chats)
}

async fn own_chat_token(api: &Api) -> String {
    let a = api.get("/chat/token", Some(&api.streamer_token())).await;
    a.body["token"].as_str().expect("a chat token").to_owned()
}

#[tokio::test]
async fn the_chat_socket_answers_pings_and_refuses_an_unknown_token() {
    let api = Api::default().await;
    let mut socket = chat_socket(&api).await;
    send_frame(&mut socket, json!({"type": "PING", "nonce": "p1"})).await;
    let pong = next_frame(&mut socket).await.expect("a pong");
    assert_eq!(pong["type"], "PONG");
    assert_eq!(pong["nonce"], "p1");
    assert_eq!(pong["data"]["gap"], 30);
    send_frame(
        &mut socket,
        json!({"type": "AUTH", "nonce": "a1", "data": {"token": "0123456789abcdef0123456789abcdef"}}),
    )
    .await;
    let refused = next_frame(&mut socket).await.expect("a response");
    assert_eq!(refused["type"], "RESPONSE");
    assert_eq!(refused["nonce"], "a1");
    assert!(
        refused["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{refused}"
    );
    assert_eq!(next_frame(&mut socket).await, None, "then it hangs up");
}

#[tokio::test]
async fn a_lapsed_chat_token_is_refused() {
    let api = Api::start(SimOptions {
        chat_token_lifetime_secs: 0,
        ..SimOptions::default()
    })
    .await;
    let token = own_chat_token(&api).await;
    let mut socket = chat_socket(&api).await;
    send_frame(
        &mut socket,
        json!({"type": "AUTH", "nonce": "a1", "data": {"token": token}}),
    )
    .await;
    let refused = next_frame(&mut socket).await.expect("a response");
    assert!(refused["error"].is_string(), "{refused}");
}

#[tokio::test]
async fn the_chat_socket_replays_the_history_then_pushes_every_new_line() {
    let api = Api::default().await;
    let id = api.streamer_id();
    let history: Vec<_> = api
        .sim
        .chat_log()
        .into_iter()
        .filter(|l| l.channel_id == id)
        .collect();
    assert!(!history.is_empty(), "the channel has a history");
    let token = own_chat_token(&api).await;
    let (mut socket, replay) = admitted(&api, &token).await;
    let replayed: Vec<_> = replay
        .iter()
        .map(|c| c["message_id"].as_str().expect("an id").to_owned())
        .collect();
    let logged: Vec<_> = history.iter().map(|l| l.message_id.clone()).collect();
    assert_eq!(replayed, logged, "the latest lines, oldest first");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    for item in &replay {
        assert_eq!(item["type"], 0);
        assert!(item["send_time"].as_i64().is_some_and(|t| t < now));
        assert!(item["sender_id"].is_u64(), "a number, as Trovo sends it");
        assert!(item["roles"].is_array());
        assert!(item["nick_name"].is_string() && item["user_name"].is_string());
    }

    // A viewer speaks: one frame for the channel, with the roles they carry.
    let chatter = api
        .sim
        .chatters()
        .into_iter()
        .find(|c| c.roles.iter().any(|r| r == "mod") && !c.custom_roles.is_empty())
        .or_else(|| {
            api.sim
                .chatters()
                .into_iter()
                .find(|c| c.roles.iter().any(|r| r == "mod"))
        })
        .expect("a moderator");
    let said = api
        .sim
        .say(&chatter.username, "hello socket")
        .expect("said");
    let frame = next_frame(&mut socket).await.expect("a frame");
    assert_eq!(frame["type"], "CHAT");
    assert_eq!(frame["channel_info"]["channel_id"], id.as_str());
    let item = &frame["data"]["chats"][0];
    assert_eq!(item["message_id"], said.as_str());
    assert_eq!(item["content"], "hello socket");
    assert_eq!(item["nick_name"], chatter.nickname.as_str());
    assert_eq!(item["user_name"], chatter.username.as_str());
    assert_eq!(item["sender_id"].to_string(), chatter.user_id);
    assert!(strings(&item["roles"]).contains(&"mod".to_owned()));
    if !chatter.custom_roles.is_empty() {
        let custom: Value = serde_json::from_str(item["custom_role"].as_str().expect("a string"))
            .expect("JSON inside the string");
        assert_eq!(custom[0]["roleName"], chatter.custom_roles[0].as_str());
    }

    // A line in another channel is not this socket's business; the streamer's own line is.
    let viewer = api.viewer_token(&["chat_send_self"]);
    let elsewhere = api
        .post(
            "/chat/send",
            json!({"content": "my own channel"}),
            Some(&viewer),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::OK);
    let mine = api
        .post(
            "/chat/send",
            json!({"content": "streamer here"}),
            Some(&api.streamer_token()),
        )
        .await;
    assert_eq!(mine.status, StatusCode::OK);
    let frame = next_frame(&mut socket).await.expect("a frame");
    let item = &frame["data"]["chats"][0];
    assert_eq!(item["content"], "streamer here");
    assert_eq!(item["sender_id"].to_string(), id);
    assert!(strings(&item["roles"]).contains(&"streamer".to_owned()));

    // Pings keep working once admitted.
    send_frame(&mut socket, json!({"type": "PING", "nonce": "p2"})).await;
    let pong = next_frame(&mut socket).await.expect("a pong");
    assert_eq!(
        (pong["type"].as_str(), pong["nonce"].as_str()),
        (Some("PONG"), Some("p2"))
    );
}

#[tokio::test]
async fn any_channel_s_chat_token_opens_its_socket_with_the_client_id_alone() {
    let api = Api::default().await;
    let a = api
        .get(&format!("/chat/channel-token/{}", api.streamer_id()), None)
        .await;
    let token = a.body["token"].as_str().expect("a token").to_owned();
    let (_socket, replay) = admitted(&api, &token).await;
    assert!(!replay.is_empty());
}

#[tokio::test]
async fn dropped_chat_sockets_end_without_a_closing_handshake() {
    use futures_util::StreamExt;
    let api = Api::default().await;
    let token = own_chat_token(&api).await;
    let (mut socket, _) = admitted(&api, &token).await;
    api.sim.drop_chat_connections();
    let after = tokio::time::timeout(GUARD, socket.next())
        .await
        .expect("the drop in time");
    assert!(
        !matches!(after, Some(Ok(WsMessage::Close(_)))),
        "no close frame: {after:?}"
    );
    assert!(!matches!(after, Some(Ok(WsMessage::Text(_)))), "{after:?}");
    // The socket takes new connections as before.
    let (_again, _) = admitted(&api, &own_chat_token(&api).await).await;
}

#[tokio::test]
async fn the_ticking_world_chats_follows_and_welcomes_over_the_socket() {
    let api = Api::start(SimOptions {
        tick: Some(Duration::from_millis(10)),
        ..SimOptions::default()
    })
    .await;
    let token = own_chat_token(&api).await;
    let (mut socket, _) = admitted(&api, &token).await;
    let mut types = std::collections::BTreeSet::new();
    for _ in 0..5_000 {
        let frame = next_frame(&mut socket).await.expect("a frame");
        for item in frame["data"]["chats"].as_array().into_iter().flatten() {
            types.insert(item["type"].as_i64().expect("a numeric type"));
        }
        if [0, 5003, 5004].iter().all(|t| types.contains(t)) {
            return;
        }
    }
    panic!("the socket carried only the types {types:?}");
}

// ---------------------------------------------------------------- OAuth

#[tokio::test]
async fn code_exchange_and_its_errors() {
    let api = Api::default().await;
    let code = api.sim.issue_auth_code(
        SimUser::Viewer,
        &["user_details_self"],
        TrovoSim::REDIRECT_URI,
    );
    let body = |secret: &str, grant: &str, code: &str, redirect: &str| json!({"client_secret": secret, "grant_type": grant, "code": code, "redirect_uri": redirect});
    let good = |code: &str| {
        body(
            TrovoSim::CLIENT_SECRET,
            "authorization_code",
            code,
            TrovoSim::REDIRECT_URI,
        )
    };
    let a = api
        .post(
            "/exchangetoken",
            body("wrong", "authorization_code", &code, TrovoSim::REDIRECT_URI),
            None,
        )
        .await;
    assert_eq!(a.code(), Some(11717));
    let a = api
        .post(
            "/exchangetoken",
            body(
                TrovoSim::CLIENT_SECRET,
                "password",
                &code,
                TrovoSim::REDIRECT_URI,
            ),
            None,
        )
        .await;
    assert_eq!(a.code(), Some(11715));
    let a = api
        .post(
            "/exchangetoken",
            body(
                TrovoSim::CLIENT_SECRET,
                "authorization_code",
                &code,
                "http://localhost:9999/",
            ),
            None,
        )
        .await;
    assert_eq!(a.code(), Some(11716));
    assert_eq!(
        api.post("/exchangetoken", good("not-a-code"), None)
            .await
            .code(),
        Some(10710)
    );
    // A form-encoded body: 500 with an error body.
    let form = api
        .request(reqwest::Method::POST, "/exchangetoken", None)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!(
            "client_secret={}&grant_type=authorization_code&code={code}",
            TrovoSim::CLIENT_SECRET
        ));
    let a = answer(form.send().await.expect("send")).await;
    assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(a.code().is_some());

    let a = api.post("/exchangetoken", good(&code), None).await;
    assert_eq!(a.body["expires_in"], "14400", "a string");
    assert_eq!(a.body["token_type"], "bearer");
    let access = a.body["access_token"].as_str().expect("access").to_owned();
    let info = api.get("/getuserinfo", Some(&access)).await;
    assert_eq!(info.body["userId"], api.sim.viewer_user().user_id);
    assert_eq!(
        api.post("/exchangetoken", good(&code), None).await.code(),
        Some(11711)
    );
}

#[tokio::test]
async fn refresh_gives_a_new_pair_and_keeps_the_old_refresh_token() {
    let api = Api::default().await;
    let pair = api.sim.streamer_tokens();
    let refresh = |secret: &str, token: &str| json!({"client_secret": secret, "grant_type": "refresh_token", "refresh_token": token});
    let a = api
        .post(
            "/refreshtoken",
            refresh(TrovoSim::CLIENT_SECRET, &pair.refresh_token),
            None,
        )
        .await;
    let new_access = a.body["access_token"].as_str().expect("access").to_owned();
    let new_refresh = a.body["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    assert_ne!(new_access, pair.access_token);
    assert_ne!(new_refresh, pair.refresh_token);
    assert_eq!(a.body["expires_in"], "14400");
    assert_eq!(
        api.get("/getuserinfo", Some(&new_access)).await.status,
        StatusCode::OK
    );
    // The old refresh token still works.
    let again = api
        .post(
            "/refreshtoken",
            refresh(TrovoSim::CLIENT_SECRET, &pair.refresh_token),
            None,
        )
        .await;
    assert!(again.body["access_token"].is_string());
    assert_eq!(
        api.post(
            "/refreshtoken",
            refresh(TrovoSim::CLIENT_SECRET, "nope"),
            None
        )
        .await
        .code(),
        Some(11713)
    );
    assert_eq!(
        api.post("/refreshtoken", refresh("wrong", &new_refresh), None)
            .await
            .code(),
        Some(11717)
    );
}

#[tokio::test]
async fn the_sign_in_page_redirects_with_a_code_that_exchanges() {
    let api = Api::default().await;
    let no_redirects = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let query = format!(
        "client_id={}&response_type=code&scope=user_details_self+chat_send_self&redirect_uri={}&state=xyz",
        TrovoSim::CLIENT_ID,
        url::form_urlencoded::byte_serialize(TrovoSim::REDIRECT_URI.as_bytes()).collect::<String>()
    );
    let page = no_redirects
        .get(format!("{}?{query}", api.sim.auth_page_url()))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.expect("html").contains("chat_send_self"));
    let go = no_redirects
        .get(format!(
            "{}/page/authorize?{query}&account=streamer",
            api.sim.origin()
        ))
        .send()
        .await
        .expect("authorize");
    assert_eq!(go.status(), StatusCode::FOUND);
    let location =
        url::Url::parse(go.headers()["location"].to_str().expect("location")).expect("url");
    assert!(location.as_str().starts_with(TrovoSim::REDIRECT_URI));
    let pairs: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(pairs.get("state").map(String::as_str), Some("xyz"));
    let body = json!({"client_secret": TrovoSim::CLIENT_SECRET, "grant_type": "authorization_code",
                      "code": pairs["code"], "redirect_uri": TrovoSim::REDIRECT_URI});
    let a = api.post("/exchangetoken", body, None).await;
    let v = api.get("/validate", a.body["access_token"].as_str()).await;
    assert_eq!(
        strings(&v.body["scopes"]),
        vec!["user_details_self", "chat_send_self"]
    );
    // A redirect URI other than the registered one is refused.
    let bad = no_redirects
        .get(format!(
            "{}?client_id={}&response_type=code&scope=chat_send_self&redirect_uri=http://evil/",
            api.sim.auth_page_url(),
            TrovoSim::CLIENT_ID
        ))
        .send()
        .await
        .expect("page");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

// ---------------------------------------------------------------- faults and rate limit

#[tokio::test]
async fn fault_rate_limited_answers_11706_with_reset_ahead_once() {
    let api = Api::default().await;
    api.sim
        .inject(FaultRule::new(Fault::RateLimited { reset_in_secs: 42 }));
    let a = api.get("/categorys/top", None).await;
    assert_eq!(a.code(), Some(11706));
    assert_eq!(a.body["error"], "Internal Server Error");
    assert!(
        a.body["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("API rate limit exceeded."))
    );
    assert_eq!(a.header("x-ratelimit-remaining").as_deref(), Some("0"));
    let reset: i64 = a
        .header("x-ratelimit-reset")
        .expect("reset")
        .parse()
        .expect("epoch");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(
        (now + 40..=now + 44).contains(&reset),
        "reset {reset} vs now {now}"
    );
    assert_eq!(
        api.get("/categorys/top", None).await.status,
        StatusCode::OK,
        "once"
    );
}

#[tokio::test]
async fn fault_expired_token_waits_for_a_call_with_a_token() {
    let api = Api::default().await;
    api.sim.inject(FaultRule::new(Fault::ExpiredToken));
    assert_eq!(api.get("/categorys/top", None).await.status, StatusCode::OK);
    let a = api.get("/getuserinfo", Some(&api.streamer_token())).await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::UNAUTHORIZED, Some(11714))
    );
    assert_eq!(
        api.get("/getuserinfo", Some(&api.streamer_token()))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn fault_server_error_html_is_a_502_page() {
    let api = Api::default().await;
    api.sim
        .inject(FaultRule::new(Fault::ServerErrorHtml).on_path("/channels/id"));
    assert_eq!(
        api.get("/categorys/top", None).await.status,
        StatusCode::OK,
        "other paths pass"
    );
    let response = api
        .request(reqwest::Method::POST, "/channels/id", None)
        .json(&json!({"channel_id": api.streamer_id()}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/html"))
    );
    let text = response.text().await.expect("text");
    assert!(text.contains("502 Bad Gateway") && serde_json::from_str::<Value>(&text).is_err());
}

#[tokio::test]
async fn fault_slow_delays_then_answers_normally() {
    let api = Api::default().await;
    api.sim
        .inject(FaultRule::new(Fault::Slow(Duration::from_millis(300))));
    let started = Instant::now();
    let a = api.get("/categorys/top", None).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(a.status, StatusCode::OK);
    let started = Instant::now();
    api.get("/categorys/top", None).await;
    assert!(started.elapsed() < Duration::from_millis(300), "only once");
}

#[tokio::test]
async fn fault_drop_connection_hangs_up_without_an_answer() {
    let api = Api::default().await;
    api.sim
        .inject(FaultRule::new(Fault::DropConnection).on_path("/categorys"));
    let result = api
        .request(reqwest::Method::GET, "/categorys/top", None)
        .send()
        .await;
    assert!(result.is_err(), "no HTTP answer at all");
    assert_eq!(api.get("/categorys/top", None).await.status, StatusCode::OK);
    // On the wire: not a single byte comes back.
    api.sim.inject(FaultRule::new(Fault::DropConnection));
    let origin = api.sim.origin();
    let host = origin.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let raw = format!(
        "GET /openplatform/categorys/top HTTP/1.1\r\nHost: {host}\r\nClient-ID: {}\r\n\r\n",
        TrovoSim::CLIENT_ID
    );
    stream.write_all(raw.as_bytes()).await.expect("write");
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply).await;
    assert!(reply.is_empty(), "got {} bytes", reply.len());
}

#[tokio::test]
async fn fault_status_and_rule_scoping() {
    let api = Api::default().await;
    api.sim.inject(
        FaultRule::new(Fault::Status(ErrorAnswer {
            http: 503,
            code: -1000,
            message: "Internal server error.".into(),
        }))
        .on_path("/viewers")
        .times(2),
    );
    let path = format!("/channels/{}/viewers", api.streamer_id());
    assert_eq!(
        api.post("/searchcategory", json!({"query": "a"}), None)
            .await
            .status,
        StatusCode::OK
    );
    for _ in 0..2 {
        let a = api.post(&path, json!({}), None).await;
        assert_eq!(
            (a.status, a.code()),
            (StatusCode::SERVICE_UNAVAILABLE, Some(-1000))
        );
        assert_eq!(a.body["message"], "Internal server error.");
    }
    assert_eq!(
        api.post(&path, json!({}), None).await.status,
        StatusCode::OK,
        "times(2)"
    );
    api.sim
        .inject(FaultRule::new(Fault::ServerErrorHtml).times(5));
    api.sim.clear_faults();
    assert_eq!(api.get("/categorys/top", None).await.status, StatusCode::OK);
    // A fault on a picture path hits pictures too.
    api.sim
        .inject(FaultRule::new(Fault::ServerErrorHtml).on_path("/sim/icons"));
    let icon = format!("{}/sim/icons/10000.png", api.sim.origin());
    assert_eq!(
        api.http.get(&icon).send().await.expect("icon").status(),
        StatusCode::BAD_GATEWAY
    );
    assert_eq!(
        api.http.get(&icon).send().await.expect("icon").status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn rate_limit_headers_count_down_and_the_window_runs_out() {
    let api = Api::start(SimOptions {
        rate_limit_per_minute: 5,
        ..SimOptions::default()
    })
    .await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    for expected in (0..5).rev() {
        let a = api.get("/categorys/top", None).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(a.header("x-ratelimit-limit").as_deref(), Some("5"));
        assert_eq!(
            a.header("x-ratelimit-remaining"),
            Some(expected.to_string())
        );
        let reset: i64 = a
            .header("x-ratelimit-reset")
            .expect("reset")
            .parse()
            .expect("epoch");
        assert!((now..=now + 61).contains(&reset));
    }
    let a = api
        .post(
            "/channels/id",
            json!({"channel_id": api.streamer_id()}),
            None,
        )
        .await;
    assert_eq!(a.code(), Some(11706));
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(a.body["error"], "Internal Server Error");
    assert_eq!(a.header("x-ratelimit-remaining").as_deref(), Some("0"));
    assert_eq!(api.sim.request_count(), 6);
}

// ---------------------------------------------------------------- robustness and the live world

#[tokio::test]
async fn malformed_bodies_get_1002_not_a_crash() {
    let api = Api::default().await;
    for body in [
        "{not json",
        "[1,2]",
        "\"text\"",
        "{\"channel_id\": {\"x\": 1}}",
        "{\"channel_id\": -4}",
    ] {
        let request = api
            .request(reqwest::Method::POST, "/channels/id", None)
            .header("Content-Type", "application/json")
            .body(body);
        let a = answer(request.send().await.expect("send")).await;
        assert_eq!(
            (a.status, a.code()),
            (StatusCode::BAD_REQUEST, Some(1002)),
            "{body}"
        );
    }
    let path = format!("/channels/{}/viewers", api.streamer_id());
    assert_eq!(
        api.post(&path, json!({"cursor": "x"}), None).await.code(),
        Some(1002)
    );
    assert_eq!(
        api.post("/channels/abc/viewers", json!({}), None)
            .await
            .code(),
        Some(1002)
    );
    let bad_escape = api.post("/channels/%FF/viewers", json!({}), None).await;
    assert_eq!(bad_escape.code(), Some(1002));
    let unknown = api.post("/channels/1/viewers", json!({}), None).await;
    assert_eq!(unknown.code(), Some(10505));
    // Still serving.
    assert_eq!(api.get("/categorys/top", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_ticking_world_moves_and_stays_consistent() {
    let api = Api::start(SimOptions {
        tick: Some(Duration::from_millis(15)),
        ..SimOptions::default()
    })
    .await;
    let chat_before = api.sim.chat_log().len();
    let viewers_before = api
        .post(
            &format!("/channels/{}/viewers", api.streamer_id()),
            json!({}),
            None,
        )
        .await;
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert!(api.sim.chat_log().len() > chat_before + 5, "chat flows");
    let viewers_after = api
        .post(
            &format!("/channels/{}/viewers", api.streamer_id()),
            json!({}),
            None,
        )
        .await;
    assert_ne!(
        viewers_before.body["chatters"]["all"], viewers_after.body["chatters"]["all"],
        "people come and go"
    );
    let followers = api
        .post(
            &format!("/channels/{}/followers", api.streamer_id()),
            json!({"limit": 1}),
            None,
        )
        .await;
    let total: usize = followers.body["total"]
        .as_str()
        .expect("total")
        .parse()
        .expect("number");
    assert!(total > 250, "someone followed");
    let info = api
        .post(
            "/channels/id",
            json!({"channel_id": api.streamer_id()}),
            None,
        )
        .await;
    // Counts agree between endpoints (exact agreement is checked on a still world above;
    // here a few ticks may land between two calls).
    let followers_now = info.body["followers"].as_u64().expect("followers") as usize;
    assert!(
        (total..total + 20).contains(&followers_now),
        "{followers_now} vs {total}"
    );
    let listed = strings(&viewers_after.body["chatters"]["all"]["viewers"]).len();
    let current = info.body["current_viewers"].as_u64().expect("current") as usize;
    assert!(
        listed.abs_diff(current) <= 40,
        "current_viewers {current} tracks the list {listed}"
    );
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let api = Api::default().await;
    let url = api.url("/categorys/top");
    assert_eq!(api.get("/categorys/top", None).await.status, StatusCode::OK);
    let Api { sim, http } = api;
    sim.shutdown();
    let mut refused = false;
    for _ in 0..50 {
        // A fresh client, so no pooled connection is reused.
        let fresh = Client::new();
        if fresh
            .get(&url)
            .header("Client-ID", TrovoSim::CLIENT_ID)
            .send()
            .await
            .is_err()
        {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(http);
    assert!(refused, "the port stops answering");
}
