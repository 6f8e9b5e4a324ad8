//! The activation page (`/activate`), standing in for `https://www.twitch.tv/activate`: it
//! shows the code and what the app asks for, and its "Authorize" button approves the device
//! grant as the streamer ("Cancel" denies it), as the user would on Twitch.

use std::sync::Arc;

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{StatusCode, Uri},
    response::{Html, IntoResponse, Response},
    routing::get,
};

use super::{server::Shared, wire::Query, world::STREAMER_ID};

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new().route("/activate", get(show).post(decide))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Activate your device \
         (simulated Twitch)</title><style>body{{font-family:sans-serif;background:#0e0e10;\
         color:#efeff1;max-width:30em;margin:3em auto}}button{{display:block;width:100%;\
         margin:.6em 0;padding:.8em;border:0;border-radius:6px;background:#9147ff;color:#fff;\
         font-weight:bold;font-size:1em}}button.alt{{background:#3a3a3d}}input{{font-size:1.4em;\
         letter-spacing:.2em;width:100%}}</style></head><body>{body}</body></html>"
    )
}

/// `GET /activate?device-code=ABCDEFGH`: the consent page (or a code box without a code).
async fn show(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let query = Query::of(&uri);
    let code = query.one("device-code").unwrap_or("").trim().to_owned();
    if code.is_empty() {
        let body = "<h1>Activate your device</h1><form method=\"post\" action=\"/activate\">\
                    <p>Enter the code shown by the app:</p><input name=\"user_code\" \
                    autofocus><button name=\"action\" value=\"authorize\">Authorize</button>\
                    </form>";
        return Html(page(body)).into_response();
    }
    let (scopes, streamer) = {
        let world = shared.world();
        let name = world
            .user(STREAMER_ID)
            .map(|u| u.display_name.clone())
            .unwrap_or_default();
        (world.auth.device_scopes(&code), name)
    };
    let Some(scopes) = scopes else {
        let body = "<h1>That code didn't work</h1><p>It may have expired or been used. \
                    Start the sign-in again from the app.</p>";
        return (StatusCode::NOT_FOUND, Html(page(body))).into_response();
    };
    let list: String = scopes
        .iter()
        .map(|s| format!("<li>{}</li>", escape(s)))
        .collect();
    let body = format!(
        "<h1>Stagehand wants to access your account</h1>\
         <p>This is the simulated Twitch activation page of Stagehand's demo mode.</p>\
         <p>Code <b id=\"code\">{code}</b>, signed in as <b>{name}</b>. It asks for:</p>\
         <ul>{list}</ul>\
         <form method=\"post\" action=\"/activate\"><input type=\"hidden\" name=\"user_code\" \
         value=\"{code}\"><button id=\"authorize\" name=\"action\" value=\"authorize\">\
         Authorize</button><button class=\"alt\" id=\"cancel\" name=\"action\" \
         value=\"deny\">Cancel</button></form>",
        code = escape(&code),
        name = escape(&streamer),
    );
    Html(page(&body)).into_response()
}

/// `POST /activate` (form user_code, action=authorize|deny).
async fn decide(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let code = get("user_code");
    let approve = get("action") != "deny";
    let user = approve.then_some(STREAMER_ID);
    let done = shared.world().auth.decide(&code, user);
    if !done {
        let body = "<h1>That code didn't work</h1><p>It may have expired or been used.</p>";
        return (StatusCode::NOT_FOUND, Html(page(body))).into_response();
    }
    let body = if approve {
        "<h1 id=\"done\">Success!</h1><p>Return to the app: it is signed in.</p>"
    } else {
        "<h1 id=\"done\">Cancelled</h1><p>The app was not given access.</p>"
    };
    Html(page(body)).into_response()
}
