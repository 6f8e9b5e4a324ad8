//! The Velora simulator, tested over real HTTP: it must behave as the facts file says Velora
//! does (PKCE sign-in, 201 token answers, single-use refresh tokens, scopes, both error
//! shapes, cursor and page paging, limits, faults), since the Velora client's tests and the
//! demo trust it.

use std::{
    collections::HashSet,
    time::{Duration, Instant},
};

use reqwest::{Client, Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use stagehand::sim::velora::{
    ErrorAnswer, Fault, FaultRule, SCOPES_ALL, VeloraSim, VeloraSimOptions,
};

/// RFC 7636 appendix B: a verifier and its S256 challenge.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "http://localhost:8919/";

struct Api {
    sim: VeloraSim,
    http: Client,
}

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

    fn cursor(&self) -> Option<String> {
        let pagination = self.body.get("pagination").expect("a pagination object");
        assert!(
            pagination.get("cursor").is_some(),
            "pagination.cursor is present, null at the end: {pagination}"
        );
        pagination["cursor"].as_str().map(str::to_owned)
    }

    fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or("")
    }

    /// The framework's validation messages (asserting the shape).
    fn validation(&self) -> Vec<String> {
        assert_eq!(self.status, StatusCode::BAD_REQUEST, "{}", self.body);
        assert_eq!(self.body["error"], "Bad Request", "{}", self.body);
        assert_eq!(self.body["statusCode"], 400, "{}", self.body);
        self.body["message"]
            .as_array()
            .expect("message is an array")
            .iter()
            .map(|m| m.as_str().expect("a scope is a string").to_owned())
            .collect()
    }
}

async fn answer(request: RequestBuilder) -> Answer {
    let response = request.send().await.expect("an answer");
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
    async fn start(opts: VeloraSimOptions) -> Api {
        let sim = VeloraSim::start(opts).await.expect("simulator starts");
        let http = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        Api { sim, http }
    }

    async fn default() -> Api {
        Api::start(VeloraSimOptions::default()).await
    }

    fn req(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.sim.origin()));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        answer(self.req(Method::GET, path, token)).await
    }

    async fn send(&self, method: Method, path: &str, token: &str, body: Value) -> Answer {
        answer(self.req(method, path, Some(token)).json(&body)).await
    }

    async fn token(&self, body: Value) -> Answer {
        answer(
            self.req(Method::POST, "/api/developer/oauth/token", None)
                .json(&body),
        )
        .await
    }

    fn authorize_query(&self, redirect: &str, challenge: &str, state: &str) -> String {
        let mut url = url::Url::parse(&self.sim.authorize_url()).expect("the authorize URL parses");
        url.query_pairs_mut()
            .append_pair("client_id", VeloraSim::CLIENT_ID)
            .append_pair("redirect_uri", redirect)
            .append_pair("response_type", "code")
            .append_pair("scope", "stream:read stream:write chat:write")
            .append_pair("state", state)
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", "S256");
        url.to_string()
    }

    /// Opens the consent page, follows the link with `id`, returns the redirect's query.
    async fn consent(&self, link_id: &str, state: &str) -> Vec<(String, String)> {
        let page = self
            .http
            .get(self.authorize_query(REDIRECT, CHALLENGE, state))
            .send()
            .await
            .expect("the authorize page answers");
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.expect("the page is text");
        let marker = format!("id=\"{link_id}\" href=\"");
        let start = html.find(&marker).expect("the link") + marker.len();
        let href = html[start..][..html[start..].find('"').expect("the link ends in a quote")]
            .replace("&amp;", "&");
        let redirect = self
            .http
            .get(format!("{}{href}", self.sim.origin()))
            .send()
            .await
            .expect("the approval answers");
        assert_eq!(redirect.status(), StatusCode::FOUND);
        let location = redirect.headers()["location"]
            .to_str()
            .expect("the location is text")
            .to_owned();
        assert!(location.starts_with(REDIRECT), "{location}");
        url::Url::parse(&location)
            .expect("the redirect parses")
            .query_pairs()
            .into_owned()
            .collect()
    }

    async fn code(&self, state: &str) -> String {
        let q = self.consent("approve", state).await;
        assert!(q.contains(&("state".into(), state.into())), "{q:?}");
        q.into_iter().find(|(k, _)| k == "code").expect("a code").1
    }
}

fn exchange(code: &str, verifier: &str) -> Value {
    json!({
        "grant_type": "authorization_code",
        "client_id": VeloraSim::CLIENT_ID,
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    })
}

// ---------------------------------------------------------------- sign-in

#[tokio::test]
async fn pkce_round_trip_answers_201_and_refuses_a_wrong_verifier() {
    let api = Api::default().await;
    let code = api.code("st4te-1").await;
    let wrong = api
        .token(exchange(
            &code,
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ))
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong.error(), "invalid_grant");
    assert!(wrong.body["message"].as_str().unwrap().contains("PKCE"));
    // The failed attempt spent the code.
    let again = api.token(exchange(&code, VERIFIER)).await;
    assert_eq!(again.error(), "invalid_grant");

    let code = api.code("st4te-2").await;
    let mut bad_redirect = exchange(&code, VERIFIER);
    bad_redirect["redirect_uri"] = json!("http://localhost:9999/");
    assert_eq!(api.token(bad_redirect).await.error(), "invalid_grant");

    let code = api.code("st4te-3").await;
    let tokens = api.token(exchange(&code, VERIFIER)).await;
    assert_eq!(tokens.status, StatusCode::CREATED, "{}", tokens.body);
    assert_eq!(tokens.body["token_type"], "Bearer");
    assert_eq!(tokens.body["expires_in"], 3600);
    assert_eq!(tokens.body["scope"], "stream:read stream:write chat:write");
    let access = tokens.body["access_token"].as_str().unwrap();
    assert!(tokens.body["refresh_token"].as_str().unwrap().len() > 20);
    let info = api
        .get("/api/integrations/oauth/stream/info", Some(access))
        .await;
    assert_eq!(info.status, StatusCode::OK);
    // The granted scopes are the asked ones: no stream:key.
    let setup = api
        .get("/api/integrations/oauth/stream/setup", Some(access))
        .await;
    assert_eq!(setup.status, StatusCode::FORBIDDEN);
    // The code is single-use.
    assert_eq!(
        api.token(exchange(&code, VERIFIER)).await.error(),
        "invalid_grant"
    );
    let secrets = api.sim.issued_secrets();
    assert!(secrets.iter().any(|s| s == access));
    assert!(secrets.iter().any(|s| s == &code));
    assert!(secrets.iter().any(|s| s == VeloraSim::CLIENT_SECRET));
}

#[tokio::test]
async fn the_consent_page_checks_its_query_and_denial_redirects() {
    let api = Api::default().await;
    let denied = api.consent("deny", "xyz").await;
    assert!(denied.contains(&("error".into(), "access_denied".into())));
    assert!(denied.contains(&("state".into(), "xyz".into())));
    assert!(!denied.iter().any(|(k, _)| k == "code"));

    let wrong_redirect = api.authorize_query("http://localhost:8919/other", CHALLENGE, "s");
    let page = api.http.get(wrong_redirect).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert!(page.text().await.unwrap().contains("redirect_uri"));

    let short_challenge = api.authorize_query(REDIRECT, "abc", "s");
    let page = api.http.get(short_challenge).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);

    for (key, value) in [
        ("code_challenge_method", "plain"),
        ("response_type", "token"),
        ("client_id", "someone-else"),
        ("scope", "stream:read telepathy:write"),
    ] {
        let mut url = url::Url::parse(&api.authorize_query(REDIRECT, CHALLENGE, "s")).unwrap();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .into_owned()
            .map(|(k, v)| {
                if k == key {
                    (k, value.to_owned())
                } else {
                    (k, v)
                }
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        let page = api.http.get(url).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::BAD_REQUEST, "{key}={value}");
    }
}

#[tokio::test]
async fn refresh_tokens_are_single_use_and_the_secret_is_optional() {
    let api = Api::default().await;
    let first = api.sim.issue_tokens(&["stream:read"]);
    let refresh = |token: &str, secret: Option<&str>| {
        let mut body = json!({
            "grant_type": "refresh_token",
            "client_id": VeloraSim::CLIENT_ID,
            "refresh_token": token,
        });
        if let Some(s) = secret {
            body["client_secret"] = json!(s);
        }
        body
    };
    let wrong_secret = api.token(refresh(&first.refresh_token, Some("nope"))).await;
    assert_eq!(wrong_secret.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_secret.error(), "invalid_client");

    let second = api.token(refresh(&first.refresh_token, None)).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert_eq!(second.body["scope"], "stream:read");
    let reused = api.token(refresh(&first.refresh_token, None)).await;
    assert_eq!(reused.status, StatusCode::BAD_REQUEST);
    assert_eq!(reused.error(), "invalid_grant");

    // A form body with the secret works too.
    let next = second.body["refresh_token"].as_str().unwrap();
    let form = format!(
        "grant_type=refresh_token&client_id={}&client_secret={}&refresh_token={next}",
        VeloraSim::CLIENT_ID,
        VeloraSim::CLIENT_SECRET
    );
    let third = answer(
        api.req(Method::POST, "/api/developer/oauth/token", None)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form),
    )
    .await;
    assert_eq!(third.status, StatusCode::CREATED, "{}", third.body);

    let unsupported = api
        .token(json!({"grant_type": "password", "client_id": VeloraSim::CLIENT_ID}))
        .await;
    assert_eq!(unsupported.error(), "unsupported_grant_type");
}

#[tokio::test]
async fn scopes_and_tokens_are_checked() {
    let api = Api::default().await;
    let none = api.get("/api/integrations/oauth/stream/info", None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.error(), "unauthorized");
    let bogus = api
        .get("/api/integrations/oauth/stream/info", Some("vlr_at_nope"))
        .await;
    assert_eq!(bogus.status, StatusCode::UNAUTHORIZED);

    let read_only = api.sim.issue_tokens(&["stream:read"]).access_token;
    let put = api
        .send(
            Method::PUT,
            "/api/integrations/oauth/stream/info",
            &read_only,
            json!({"title": "x"}),
        )
        .await;
    assert_eq!(put.status, StatusCode::FORBIDDEN);
    assert_eq!(put.error(), "insufficient_scope");
    assert_eq!(put.body["details"]["required"], json!(["stream:write"]));
    for (method, path) in [
        (
            Method::GET,
            "/api/integrations/oauth/stream/setup".to_owned(),
        ),
        (
            Method::POST,
            "/api/integrations/oauth/stream/key/regenerate".to_owned(),
        ),
        (Method::GET, "/api/developer/subscriptions".to_owned()),
        (
            Method::POST,
            format!(
                "/api/integrations/oauth/chat/channels/{}/messages",
                api.sim.streamer().id
            ),
        ),
        (
            Method::POST,
            format!(
                "/api/integrations/oauth/chat/channels/{}/moderate",
                api.sim.streamer().id
            ),
        ),
    ] {
        let a = answer(api.req(method, &path, Some(&read_only)).json(&json!({}))).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{path}: {}", a.body);
    }

    let all = api.sim.streamer_tokens().access_token;
    assert!(api.sim.expire_token(&all));
    let expired = api.get("/api/users/me", Some(&all)).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(expired.body["message"], "Token expired");
}

#[tokio::test]
async fn users_me_describes_the_streamer() {
    let api = Api::default().await;
    let token = api.sim.streamer_tokens().access_token;
    let me = api.get("/api/users/me", Some(&token)).await;
    assert_eq!(me.status, StatusCode::OK);
    let streamer = api.sim.streamer();
    assert_eq!(me.body["id"], streamer.id.as_str());
    assert_eq!(me.body["username"], streamer.username.as_str());
    assert_eq!(me.body["displayName"], streamer.display_name.as_str());
    assert_eq!(me.body["isLive"], true);
    assert_eq!(me.body["followerCount"], 180);
    for key in ["avatarUrl", "bio", "color", "followingCount", "createdAt"] {
        assert!(me.body.get(key).is_some(), "{key}");
    }
    let avatar = api
        .http
        .get(me.body["avatarUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(avatar.headers()["content-type"], "image/png");
    assert!(avatar.bytes().await.unwrap().starts_with(b"\x89PNG"));
}

// ---------------------------------------------------------------- stream

#[tokio::test]
async fn stream_info_reads_updates_and_reads_back() {
    let api = Api::default().await;
    let token = api.sim.streamer_tokens().access_token;
    let path = "/api/integrations/oauth/stream/info";
    let info = api.get(path, Some(&token)).await;
    assert_eq!(info.status, StatusCode::OK);
    assert_eq!(info.body["categorySlug"], "just-chatting");
    assert_eq!(info.body["categoryName"], "Just Chatting");
    assert_eq!(info.body["isLive"], true);
    assert!(info.body["viewerCount"].as_u64().unwrap() > 90);
    assert!(info.body["startedAt"].as_str().unwrap().ends_with('Z'));

    let update = api
        .send(
            Method::PUT,
            path,
            &token,
            json!({"title": "Building a castle 🏰", "categorySlug": "minecraft", "tags": ["Minecraft", "Creative", "日本語"]}),
        )
        .await;
    assert_eq!(update.status, StatusCode::OK, "{}", update.body);
    assert_eq!(update.body["success"], true);
    assert!(update.body["message"].is_string());
    assert_eq!(
        update.body.as_object().unwrap().len(),
        2,
        "only success and message"
    );
    let back = api.get(path, Some(&token)).await;
    assert_eq!(back.body["title"], "Building a castle 🏰");
    assert_eq!(back.body["categorySlug"], "minecraft");
    assert_eq!(back.body["categoryName"], "Minecraft");
    assert_eq!(
        back.body["tags"],
        json!(["Minecraft", "Creative", "日本語"])
    );
    let held = api.sim.stream();
    assert_eq!(held.category_slug, "minecraft");
    assert_eq!(held.tags.len(), 3);

    // Validation, in the framework's shape; nothing changes.
    let cases = [
        (json!({"categorySlug": "no-such-game"}), "categorySlug"),
        (json!({"title": "x".repeat(141)}), "140"),
        (json!({"title": "   "}), "title should not be empty"),
        (json!({"title": 5}), "title must be a string"),
        (json!({"tags": "a,b"}), "tags must be an array"),
        (
            json!({"tags": (0..11).map(|i| format!("t{i}")).collect::<Vec<_>>()}),
            "no more than 10",
        ),
        (json!({"tags": ["has space"]}), "letters, digits"),
        (json!({"tags": ["x".repeat(26)]}), "25"),
        (json!({"tags": ["Cozy", "cozy"]}), "unique"),
        (
            json!({"language": "en"}),
            "property language should not exist",
        ),
    ];
    for (body, expected) in cases {
        let refused = api.send(Method::PUT, path, &token, body.clone()).await;
        let messages = refused.validation();
        assert!(
            messages.iter().any(|m| m.contains(expected)),
            "{body} → {messages:?}"
        );
    }
    assert_eq!(api.sim.stream(), held);
    let title_140 = "é".repeat(140);
    let fits = api
        .send(Method::PUT, path, &token, json!({"title": title_140}))
        .await;
    assert_eq!(fits.status, StatusCode::OK);
}

#[tokio::test]
async fn categories_list_search_and_images() {
    let api = Api::default().await;
    let token = api.sim.streamer_tokens().access_token;
    let integration = api
        .get("/api/integrations/oauth/stream/categories", Some(&token))
        .await;
    let all = integration.body["categories"].as_array().unwrap();
    assert!(all.len() >= 200);
    assert!(
        all.iter()
            .all(|c| c["slug"].is_string() && c["imageUrl"].is_string())
    );
    assert_eq!(
        api.get("/api/integrations/oauth/stream/categories", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // The public list, paged to the null cursor, most watched first.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/categories?limit=100&cursor={c}"),
            None => "/api/categories?limit=100".to_owned(),
        };
        let page = api.get(&path, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        seen.extend(page.body["categories"].as_array().unwrap().iter().cloned());
        cursor = page.cursor();
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(seen.len(), all.len());
    let viewers: Vec<u64> = seen
        .iter()
        .map(|c| c["viewerCount"].as_u64().unwrap())
        .collect();
    assert!(viewers.windows(2).all(|w| w[0] >= w[1]));
    assert!(seen[0]["id"].as_str().unwrap().starts_with("cat_"));
    assert!(seen[0]["streamCount"].is_u64());

    let found = api
        .get("/api/categories/search?q=CRAFT&limit=5", None)
        .await;
    let names: Vec<&str> = found.body["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"minecraft"), "{names:?}");
    let image_url = found.body["categories"][0]["imageUrl"].as_str().unwrap();
    let image = api.http.get(image_url).send().await.unwrap();
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()["content-type"], "image/png");
    let bytes = image.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
    let missing = api
        .http
        .get(format!("{}/images/categories/nope.png", api.sim.origin()))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let nothing = api.get("/api/categories/search?q=zzzzqqq", None).await;
    assert_eq!(nothing.body["categories"], json!([]));
    assert_eq!(nothing.body["pagination"]["cursor"], Value::Null);
    assert_eq!(
        api.get("/api/categories/search", None).await.status,
        StatusCode::BAD_REQUEST
    );
    for bad in ["limit=101", "limit=0", "limit=x", "cursor=garbage"] {
        let a = api.get(&format!("/api/categories?{bad}"), None).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(a.error(), "bad_request");
    }
}

#[tokio::test]
async fn the_stream_key_is_read_and_regenerated() {
    let api = Api::default().await;
    let token = api.sim.issue_tokens(&["stream:key"]).access_token;
    let setup = api
        .get("/api/integrations/oauth/stream/setup", Some(&token))
        .await;
    assert_eq!(setup.status, StatusCode::OK);
    let old = api.sim.stream_key();
    assert_eq!(setup.body["streamKey"], old.as_str());
    assert!(
        setup.body["rtmpUrl"]
            .as_str()
            .unwrap()
            .starts_with("rtmp://")
    );

    let regenerated = api
        .send(
            Method::POST,
            "/api/integrations/oauth/stream/key/regenerate",
            &token,
            json!({}),
        )
        .await;
    assert_eq!(regenerated.status, StatusCode::CREATED);
    let new = regenerated.body["streamKey"].as_str().unwrap();
    assert_ne!(new, old);
    assert_eq!(api.sim.stream_key(), new);
    let again = api
        .get("/api/integrations/oauth/stream/setup", Some(&token))
        .await;
    assert_eq!(again.body["streamKey"], new);
    let secrets = api.sim.issued_secrets();
    assert!(secrets.contains(&old) && secrets.iter().any(|s| s == new));
}

// ---------------------------------------------------------------- chat

#[tokio::test]
async fn chat_sends_counts_characters_and_holds_30_a_minute() {
    let api = Api::default().await;
    let token = api.sim.streamer_tokens().access_token;
    let streamer = api.sim.streamer();
    let path = format!(
        "/api/integrations/oauth/chat/channels/{}/messages",
        streamer.id
    );
    let sent = api
        .send(
            Method::POST,
            &path,
            &token,
            json!({"message": "hello chat 👋"}),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    assert_eq!(sent.body["success"], true);
    let id = sent.body["messageId"].as_str().unwrap().to_owned();
    let log = api.sim.chat_log();
    let line = log.iter().find(|l| l.message_id == id).expect("logged");
    assert_eq!(line.text, "hello chat 👋");
    assert_eq!(line.sender_id, streamer.id);
    let history = api
        .get(
            &format!("/api/chat/channels/{}/history?limit=5", streamer.username),
            None,
        )
        .await;
    let messages = history.body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 5);
    assert_eq!(messages[4]["id"], id.as_str());
    assert_eq!(messages[4]["content"], "hello chat 👋");

    let long = api
        .send(
            Method::POST,
            &path,
            &token,
            json!({"message": "é".repeat(501)}),
        )
        .await;
    assert!(long.validation()[0].contains("500"));
    let exact = api
        .send(
            Method::POST,
            &path,
            &token,
            json!({"message": "❤️".repeat(500)}),
        )
        .await;
    assert_eq!(
        exact.status,
        StatusCode::CREATED,
        "500 hearts with selectors fit"
    );
    let empty = api
        .send(Method::POST, &path, &token, json!({"message": "  "}))
        .await;
    assert!(empty.validation()[0].contains("empty"));
    let extra = api
        .send(
            Method::POST,
            &path,
            &token,
            json!({"message": "hi", "color": "red"}),
        )
        .await;
    assert_eq!(extra.validation(), vec!["property color should not exist"]);
    let elsewhere = api
        .send(
            Method::POST,
            "/api/integrations/oauth/chat/channels/nobody-here/messages",
            &token,
            json!({"message": "hi"}),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);

    // Two sent; 28 more fit in the minute, the next is refused.
    for i in 0..28 {
        let ok = api
            .send(
                Method::POST,
                &path,
                &token,
                json!({"message": format!("line {i}")}),
            )
            .await;
        assert_eq!(ok.status, StatusCode::CREATED, "message {i}");
    }
    let limited = api
        .send(
            Method::POST,
            &path,
            &token,
            json!({"message": "one too many"}),
        )
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.error(), "rate_limited");
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(limited.body["retry_after"], retry);
    assert!(!api.sim.chat_log().iter().any(|l| l.text == "one too many"));
}

#[tokio::test]
async fn moderation_needs_a_target_and_refuses_user_id() {
    let api = Api::default().await;
    let token = api.sim.streamer_tokens().access_token;
    let streamer = api.sim.streamer();
    let path = format!(
        "/api/integrations/oauth/chat/channels/{}/moderate",
        streamer.id
    );
    let victim = api
        .sim
        .chat_log()
        .into_iter()
        .find(|l| l.sender_id != streamer.id)
        .expect("someone chatted");

    let no_target = api
        .send(Method::POST, &path, &token, json!({"action": "ban"}))
        .await;
    assert!(no_target.validation()[0].contains("targetUserId or targetUsername"));
    let user_id = api
        .send(
            Method::POST,
            &path,
            &token,
            json!({"action": "ban", "userId": victim.sender_id}),
        )
        .await;
    let messages = user_id.validation();
    assert!(messages.contains(&"property userId should not exist".to_owned()));
    let username = api
        .send(
            Method::POST,
            &path,
            &token,
            json!({"action": "timeout", "username": victim.sender_username}),
        )
        .await;
    assert!(
        username
            .validation()
            .contains(&"property username should not exist".to_owned())
    );
    let bad_action = api
        .send(
            Method::POST,
            &path,
            &token,
            json!({"action": "unban", "targetUserId": victim.sender_id}),
        )
        .await;
    assert!(bad_action.validation()[0].contains("timeout, ban, delete"));
    let delete_without_target = api
        .send(
            Method::POST,
            &path,
            &token,
            json!({"action": "delete", "messageId": victim.message_id}),
        )
        .await;
    assert!(delete_without_target.validation()[0].contains("target"));
    assert!(api.sim.moderation_log().is_empty());

    let deleted = api
        .send(
            Method::POST,
            &path,
            &token,
            json!({"action": "delete", "targetUserId": victim.sender_id, "messageId": victim.message_id}),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::CREATED, "{}", deleted.body);
    assert!(
        api.sim
            .chat_log()
            .iter()
            .any(|l| l.message_id == victim.message_id && l.deleted)
    );
    let history = api
        .get(&format!("/api/chat/channels/{}/history", streamer.id), None)
        .await;
    assert!(
        !history.body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == victim.message_id.as_str())
    );

    let timeout = api
        .send(
            Method::POST,
            &path,
            &token,
            json!({"action": "timeout", "targetUsername": victim.sender_username, "durationSeconds": 300, "reason": "calm down"}),
        )
        .await;
    assert_eq!(timeout.status, StatusCode::CREATED, "{}", timeout.body);
    assert_eq!(timeout.body["success"], true);
    let too_long = api
        .send(
            Method::POST,
            &path,
            &token,
            json!({"action": "timeout", "targetUserId": victim.sender_id, "durationSeconds": 2_000_000}),
        )
        .await;
    assert!(too_long.validation()[0].contains("durationSeconds"));
    let unknown = api
        .send(
            Method::POST,
            &path,
            &token,
            json!({"action": "ban", "targetUserId": "00000000-0000-4000-8000-000000000000"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let self_ban = api
        .send(
            Method::POST,
            &path,
            &token,
            json!({"action": "ban", "targetUserId": streamer.id}),
        )
        .await;
    assert_eq!(self_ban.status, StatusCode::BAD_REQUEST);
    assert_eq!(self_ban.error(), "bad_request");
    let ban = api
        .send(
            Method::POST,
            &path,
            &token,
            json!({"action": "ban", "targetUserId": victim.sender_id}),
        )
        .await;
    assert_eq!(ban.status, StatusCode::CREATED);

    let log = api.sim.moderation_log();
    let actions: Vec<&str> = log.iter().map(|m| m.action.as_str()).collect();
    assert_eq!(actions, ["delete", "timeout", "ban"]);
    assert!(log.iter().all(|m| m.target_id == victim.sender_id));
    assert_eq!(log[1].duration_secs, Some(300));
    assert_eq!(log[1].reason.as_deref(), Some("calm down"));
    assert_eq!(
        log[0].message_id.as_deref(),
        Some(victim.message_id.as_str())
    );
}

// ---------------------------------------------------------------- people

#[tokio::test]
async fn viewers_page_like_a_live_list_to_the_null_cursor() {
    let api = Api::default().await;
    let streamer = api.sim.streamer();
    let mut unique = HashSet::new();
    let mut total_items = 0;
    let mut short_pages = 0;
    let mut cursor: Option<String> = None;
    let mut counts = None;
    let mut roles_seen = HashSet::new();
    for round in 0.. {
        assert!(round < 100, "the list ends");
        let path = match &cursor {
            Some(c) => format!(
                "/api/chat/channels/{}/viewers?limit=10&cursor={c}",
                streamer.username
            ),
            None => format!("/api/chat/channels/{}/viewers?limit=10", streamer.username),
        };
        let page = api.get(&path, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_eq!(page.body["channelId"], streamer.id.as_str());
        counts = Some((
            page.body["viewerCount"].as_u64().unwrap(),
            page.body["anonymousCount"].as_u64().unwrap(),
        ));
        let viewers = page.body["viewers"].as_array().unwrap();
        for v in viewers {
            unique.insert(v["userId"].as_str().unwrap().to_owned());
            assert!(v["username"].as_str().unwrap().is_ascii());
            for r in v["roles"].as_array().unwrap() {
                roles_seen.insert(r.as_str().unwrap().to_owned());
            }
            assert!(v["badges"].is_array() && v["avatarUrl"].is_string());
        }
        total_items += viewers.len();
        cursor = page.cursor();
        if cursor.is_none() {
            break;
        }
        if viewers.len() < 10 {
            short_pages += 1;
        }
    }
    let (count, anonymous) = counts.unwrap();
    assert_eq!(anonymous, 35);
    assert_eq!(unique.len() as u64, count - anonymous, "every named viewer");
    assert_eq!(unique.len(), 90);
    assert!(total_items > unique.len(), "a viewer repeats across pages");
    assert!(short_pages > 0, "a short page with a cursor");
    for role in ["broadcaster", "moderator", "vip", "subscriber"] {
        assert!(roles_seen.contains(role), "{role}");
    }
    // By id too; limit over 100 refused.
    let by_id = api
        .get(&format!("/api/chat/channels/{}/viewers", streamer.id), None)
        .await;
    assert_eq!(by_id.status, StatusCode::OK);
    let too_many = api
        .get(
            &format!("/api/chat/channels/{}/viewers?limit=101", streamer.id),
            None,
        )
        .await;
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_still_viewer_list_pages_without_repeats() {
    let api = Api::start(VeloraSimOptions {
        live_viewer_paging: false,
        ..VeloraSimOptions::default()
    })
    .await;
    let streamer = api.sim.streamer();
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!(
                "/api/chat/channels/{}/viewers?limit=7&cursor={c}",
                streamer.id
            ),
            None => format!("/api/chat/channels/{}/viewers?limit=7", streamer.id),
        };
        let page = api.get(&path, None).await;
        all.extend(page.body["viewers"].as_array().unwrap().iter().cloned());
        cursor = page.cursor();
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(all.len(), 90);
    assert_eq!(all[0]["roles"], json!(["broadcaster"]));
}

#[tokio::test]
async fn followers_page_newest_first_to_the_null_cursor() {
    let api = Api::default().await;
    let streamer = api.sim.streamer();
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/users/{}/followers?limit=50&cursor={c}", streamer.id),
            None => format!("/api/users/{}/followers?limit=50", streamer.id),
        };
        let page = api.get(&path, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_eq!(page.body["total"], 180);
        all.extend(page.body["followers"].as_array().unwrap().iter().cloned());
        cursor = page.cursor();
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(all.len(), 180);
    let ids: HashSet<&str> = all.iter().map(|f| f["userId"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 180);
    let times: Vec<&str> = all
        .iter()
        .map(|f| f["followedAt"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let unknown = api
        .get(
            "/api/users/00000000-0000-4000-8000-000000000000/followers",
            None,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.error(), "not_found");
}

#[tokio::test]
async fn subscribers_page_by_cursor_and_by_page_number() {
    let api = Api::default().await;
    let token = api.sim.streamer_tokens().access_token;
    let streamer = api.sim.streamer();
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!(
                "/api/subscriptions/creator/{}/subscribers?limit=20&cursor={c}",
                streamer.id
            ),
            None => format!(
                "/api/subscriptions/creator/{}/subscribers?limit=20",
                streamer.id
            ),
        };
        let page = api.get(&path, Some(&token)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_eq!(page.body["total"], 45);
        all.extend(page.body["subscribers"].as_array().unwrap().iter().cloned());
        cursor = page.cursor();
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(all.len(), 45);
    let mut tiers = HashSet::new();
    let mut gifted = 0;
    for s in &all {
        assert!(s["id"].as_str().unwrap().starts_with("sub_"));
        tiers.insert(s["tier"].as_u64().unwrap());
        let is_gift = s["isGift"].as_bool().unwrap();
        assert_eq!(is_gift, !s["gifter"].is_null(), "{s}");
        if is_gift {
            gifted += 1;
            assert!(s["gifter"]["username"].is_string());
        }
    }
    assert!(tiers.iter().all(|t| (1..=3).contains(t)) && tiers.len() > 1);
    assert!(gifted > 0);

    let someone_else = all[0]["userId"].as_str().unwrap();
    let other = api
        .get(
            &format!("/api/subscriptions/creator/{someone_else}/subscribers"),
            Some(&token),
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);

    let mut pages = Vec::new();
    for page in 1.. {
        let a = api
            .get(
                &format!("/api/developer/subscriptions?page={page}&perPage=10"),
                Some(&token),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(a.body["total"], 45);
        assert_eq!(a.body["page"], page);
        assert_eq!(a.body["perPage"], 10);
        pages.extend(a.body["data"].as_array().unwrap().iter().cloned());
        if !a.body["hasMore"].as_bool().unwrap() {
            break;
        }
    }
    assert_eq!(pages.len(), 45);
    assert!(
        pages
            .iter()
            .all(|s| matches!(s["tier"].as_str(), Some("1" | "2" | "3")))
    );
    assert_eq!(pages[0]["userId"], all[0]["userId"], "both newest first");
    let count = api
        .get("/api/developer/subscriptions/count", Some(&token))
        .await;
    assert_eq!(count.body, json!({"count": 45}));
    let too_many = api
        .get("/api/developer/subscriptions?perPage=101", Some(&token))
        .await;
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
}

// ---------------------------------------------------------------- limits and faults

#[tokio::test]
async fn rate_limit_headers_on_every_answer_and_429_when_spent() {
    let api = Api::start(VeloraSimOptions {
        rate_limit_per_minute: 5,
        ..VeloraSimOptions::default()
    })
    .await;
    let token = api.sim.streamer_tokens().access_token;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for left in (0..5).rev() {
        let a = api.get("/api/users/me", Some(&token)).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(a.header("x-ratelimit-limit").as_deref(), Some("5"));
        assert_eq!(a.header("x-ratelimit-remaining"), Some(left.to_string()));
        let reset: u64 = a.header("x-ratelimit-reset").unwrap().parse().unwrap();
        assert!(reset >= now + 58 && reset <= now + 62, "epoch seconds");
    }
    let spent = api.get("/api/users/me", Some(&token)).await;
    assert_eq!(spent.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(spent.error(), "rate_limited");
    let retry: u64 = spent.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(spent.body["retry_after"], retry);
    assert_eq!(spent.header("x-ratelimit-remaining").as_deref(), Some("0"));
    // Errors carry the headers too (another caller: anonymous has its own window).
    let missing = api.get("/api/nothing-here", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.header("x-ratelimit-limit").is_some());
    assert_eq!(api.sim.request_count(), 7);
}

#[tokio::test]
async fn each_fault_can_be_injected_and_targeted() {
    let api = Api::default().await;
    let token = api.sim.streamer_tokens().access_token;
    let me = "/api/users/me";

    api.sim
        .inject(FaultRule::new(Fault::RateLimited { reset_in_secs: 7 }));
    let limited = api.get(me, Some(&token)).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.header("retry-after").as_deref(), Some("7"));
    assert_eq!(limited.body["retry_after"], 7);
    assert_eq!(
        limited.header("x-ratelimit-remaining").as_deref(),
        Some("0")
    );

    api.sim.inject(FaultRule::new(Fault::ExpiredToken).times(2));
    // Requests without a token pass the rule by.
    assert_eq!(
        api.get("/api/categories", None).await.status,
        StatusCode::OK
    );
    for _ in 0..2 {
        let expired = api.get(me, Some(&token)).await;
        assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            expired.body,
            json!({"error": "unauthorized", "message": "Token expired"})
        );
    }
    assert_eq!(api.get(me, Some(&token)).await.status, StatusCode::OK);

    api.sim.inject(FaultRule::new(Fault::ServerErrorHtml));
    let html = api.get(me, Some(&token)).await;
    assert_eq!(html.status, StatusCode::BAD_GATEWAY);
    assert_eq!(html.header("content-type").as_deref(), Some("text/html"));
    assert!(html.body.as_str().unwrap().contains("502 Bad Gateway"));

    api.sim
        .inject(FaultRule::new(Fault::Slow(Duration::from_millis(400))));
    let started = Instant::now();
    assert_eq!(api.get(me, Some(&token)).await.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(400));

    api.sim.inject(FaultRule::new(Fault::DropConnection));
    let dropped = api.req(Method::GET, me, Some(&token)).send().await;
    assert!(dropped.is_err(), "the connection is dropped");

    api.sim.inject(FaultRule::new(Fault::Status(ErrorAnswer {
        http: 503,
        message: "maintenance".into(),
    })));
    let status = api.get(me, Some(&token)).await;
    assert_eq!(status.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        status.body,
        json!({"error": "service_unavailable", "message": "maintenance"})
    );

    api.sim.inject(FaultRule::new(Fault::Raw {
        http: 200,
        content_type: "application/json".into(),
        body: "{\"truncated\": ".into(),
    }));
    let raw = api.get(me, Some(&token)).await;
    assert_eq!(raw.status, StatusCode::OK);
    assert_eq!(raw.body, Value::String("{\"truncated\": ".into()));

    // Targeted by path: other paths pass, the token endpoint and the page can be reached.
    api.sim
        .inject(FaultRule::new(Fault::ServerErrorHtml).on_path("/stream/info"));
    assert_eq!(api.get(me, Some(&token)).await.status, StatusCode::OK);
    assert_eq!(
        api.get("/api/integrations/oauth/stream/info", Some(&token))
            .await
            .status,
        StatusCode::BAD_GATEWAY
    );
    api.sim.inject(
        FaultRule::new(Fault::Status(ErrorAnswer {
            http: 500,
            message: "boom".into(),
        }))
        .on_path("/oauth/token"),
    );
    let token_fault = api
        .token(json!({"grant_type": "refresh_token", "client_id": VeloraSim::CLIENT_ID, "refresh_token": "x"}))
        .await;
    assert_eq!(token_fault.status, StatusCode::INTERNAL_SERVER_ERROR);
    api.sim
        .inject(FaultRule::new(Fault::ServerErrorHtml).on_path("/oauth/authorize"));
    let page = api
        .http
        .get(api.authorize_query(REDIRECT, CHALLENGE, "s"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::BAD_GATEWAY);

    api.sim
        .inject(FaultRule::new(Fault::ServerErrorHtml).times(5));
    api.sim.clear_faults();
    assert_eq!(api.get(me, Some(&token)).await.status, StatusCode::OK);
}

// ---------------------------------------------------------------- the live world

#[tokio::test]
async fn the_world_ticks_chat_flows_and_followers_arrive() {
    let api = Api::start(VeloraSimOptions {
        tick: Some(Duration::from_millis(10)),
        ..VeloraSimOptions::default()
    })
    .await;
    let streamer = api.sim.streamer();
    let chat_before = api.sim.chat_log().len();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(api.sim.chat_log().len() > chat_before, "chat flows");
    let followers = api
        .get(
            &format!("/api/users/{}/followers?limit=1", streamer.id),
            None,
        )
        .await;
    assert!(
        followers.body["total"].as_u64().unwrap() > 180,
        "followers arrive"
    );
    let token = api.sim.streamer_tokens().access_token;
    let me = api.get("/api/users/me", Some(&token)).await;
    assert_eq!(me.body["followerCount"], followers.body["total"]);
}

#[tokio::test]
async fn offline_streams_have_no_viewers_and_no_start() {
    let api = Api::start(VeloraSimOptions {
        live: false,
        ..VeloraSimOptions::default()
    })
    .await;
    let token = api.sim.streamer_tokens().access_token;
    let info = api
        .get("/api/integrations/oauth/stream/info", Some(&token))
        .await;
    assert_eq!(info.body["isLive"], false);
    assert_eq!(info.body["startedAt"], Value::Null);
    assert_eq!(info.body["viewerCount"], 0);
    api.sim.set_live(true);
    let info = api
        .get("/api/integrations/oauth/stream/info", Some(&token))
        .await;
    assert_eq!(info.body["isLive"], true);
    assert!(info.body["startedAt"].is_string());
    assert!(SCOPES_ALL.contains(&"stream:key"));
}
