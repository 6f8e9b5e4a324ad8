//! The client against a stand-in that answers with the reference's own samples, quirks and
//! all: the followers `cursor` that behaves like an offset, string totals, nulls where a
//! list or a name should be, and a gateway's bare 429. This is a server that "speaks the
//! reference" without being our simulator.

use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde_json::{Value, json};
use stagehand::error::ErrorKind;
use stagehand::platform::trovo::TrovoClient;
use stagehand::platform::trovo::TrovoConfig;
use stagehand::secret::Secret;

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}/openplatform")
}

fn client(base: &str) -> TrovoClient {
    let mut c = TrovoConfig::new(base, "cid").expect("loopback");
    c.access_token = Some(Secret::new("token"));
    TrovoClient::new(c).expect("client")
}

/// Followers as the reference's sample pages them: 9 in all, pages of 5, and a `cursor`
/// in the answer that counts items, not pages.
async fn followers(Json(body): Json<Value>) -> Json<Value> {
    let cursor = body["cursor"].as_u64().unwrap_or(0) as usize;
    let limit = body["limit"].as_u64().unwrap_or(20).min(5) as usize;
    let all: Vec<Value> = (0..9)
        .map(|i| {
            json!({
                "user_id": format!("1000002{i:02}"),
                "nickname": if i == 4 { Value::Null } else { json!(format!("fan{i}")) },
                "profile_pic": "https://headicon.trovo.live/default/2.png",
                "followed_at": format!("2021-08-0{} 02:21:37", 9 - i),
            })
        })
        .collect();
    let page: Vec<Value> = all.iter().skip(cursor).take(limit).cloned().collect();
    let mut page_with_null = page.clone();
    page_with_null.push(Value::Null);
    Json(json!({
        "total": "9",
        "follower": page_with_null,
        "total_page": 2,
        "cursor": cursor + page.len(),
    }))
}

/// The reference's viewers sample, with a null role group and a null name added.
async fn viewers() -> Json<Value> {
    Json(json!({
        "live_title": "ray's channel",
        "total": "2",
        "nickname": "ray",
        "chatters": {
            "VIPS": { "viewers": [] },
            "ace": null,
            "all": { "viewers": ["reynold", null, 12345] },
            "moderators": { "viewers": ["reynold"] },
            "wardens": { "viewers": ["reynold"] },
            "followers": { "viewers": null }
        },
        "custome_roles": {}
    }))
}

#[tokio::test]
async fn the_reference_samples_decode() {
    let base = serve(
        Router::new()
            .route("/openplatform/channels/{id}/followers", post(followers))
            .route("/openplatform/channels/{id}/viewers", post(viewers))
            .route(
                "/openplatform/getuserinfo",
                get(|| async {
                    Json(json!({
                        "userId": "100000021", "userName": "leafinsummer",
                        "nickName": "leafinsummer", "email": null,
                        "profilePic": "https://headicon.trovo.live/user/x.jpeg?t=2",
                        "info": 42, "channeId": "100000021"
                    }))
                }),
            )
            .route(
                "/openplatform/validate",
                get(|| async {
                    Json(json!({
                        "uid": 100000031, "client_ID": "cid", "nick_name": "hectorDeng",
                        "scopes": "channel_details_self+channel_update_self user_details_self",
                        "expire_ts": "1587281377"
                    }))
                }),
            )
            .route(
                "/openplatform/livestreamurl",
                post(|| async {
                    Json(json!({ "Stream_urls": [
                        { "play_url": "http://liveplay.trovo.live/live/sampleurl", "desc": "480P" },
                        null
                    ]}))
                }),
            )
            .route(
                "/openplatform/categorys/top",
                get(|| async { (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], "") }),
            ),
    )
    .await;
    let c = client(&base);

    let all = c.followers("100000021", None).await.expect("followers");
    assert_eq!(all.total, 9);
    assert_eq!(
        all.followers.len(),
        9,
        "every follower, though the cursor is an offset"
    );
    assert_eq!(
        all.followers[4].name, "",
        "a null nickname is empty, not a failure"
    );

    let v = c.viewers("100000021").await.expect("viewers");
    let names: Vec<&str> = v.viewers.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(
        names,
        ["reynold", "12345"],
        "a null name is skipped, a number kept"
    );
    assert_eq!(v.viewers[0].roles, ["moderator", "warden"]);

    let me = c.user_info().await.expect("user info");
    assert_eq!(me.id, "100000021");
    assert_eq!(c.own_channel_id().await.expect("id"), "100000021");

    let info = c.validate().await.expect("validate");
    assert_eq!(info.user_id, "100000031");
    assert_eq!(info.scopes.len(), 3, "scopes as one string are split");

    let urls = c.live_stream_urls("1").await.expect("urls");
    assert_eq!(
        urls.len(),
        1,
        "the table's Stream_urls spelling; null items skipped"
    );

    let e = c.top_categories().await.expect_err("a bare 429");
    assert_eq!(e.kind(), ErrorKind::RateLimited);
}
