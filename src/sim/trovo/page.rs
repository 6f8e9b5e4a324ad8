//! The simulated sign-in page (`/page/login.html`), standing in for
//! `https://open.trovo.live/page/login.html`: it shows what the app asks for and lets the
//! demo user authorize as the streamer or as the viewer account, then redirects like Trovo:
//! `?code=..&state=..` for the code flow, `#access_token=..&..` for the implicit flow.

use std::sync::Arc;

use axum::{
    Router,
    extract::State,
    http::{StatusCode, Uri, header::LOCATION},
    response::{Html, IntoResponse, Response},
    routing::get,
};

use super::{
    SimUser, TrovoSim,
    auth::ALL_SCOPES,
    server::Shared,
    wire::query_pairs,
    world::{STREAMER_ID, VIEWER_ID},
};

/// Implicit-flow tokens last about 10 days (the reference's example says 864000).
const IMPLICIT_LIFETIME: i64 = 864_000;

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/page/login.html", get(login))
        .route("/page/authorize", get(authorize))
}

/// A validated authorization request.
struct AuthRequest {
    response_type: String,
    scopes: Vec<String>,
    redirect_uri: String,
    state: Option<String>,
    raw_query: String,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Checks the query like Trovo's page: the registered client id, the registered redirect URI
/// ([`super::SimOptions::redirect_uri`], an exact match), a known response type and known scopes.
fn parse(uri: &Uri, registered: &str) -> Result<AuthRequest, String> {
    let pairs = query_pairs(uri.query());
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    if get("client_id").as_deref() != Some(TrovoSim::CLIENT_ID) {
        return Err("Unknown client_id.".to_owned());
    }
    let redirect_uri = get("redirect_uri").unwrap_or_default();
    if redirect_uri != registered {
        return Err(format!(
            "redirect_uri must exactly match the registered {registered}."
        ));
    }
    let response_type = get("response_type").unwrap_or_default();
    if response_type != "code" && response_type != "token" {
        return Err("response_type must be \"code\" or \"token\".".to_owned());
    }
    // Scopes are "+"-separated in the URL, which decoding turns into spaces.
    let scopes: Vec<String> = get("scope")
        .unwrap_or_default()
        .split([' ', '+'])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if scopes.is_empty() || scopes.iter().any(|s| !ALL_SCOPES.contains(&s.as_str())) {
        return Err("Invalid scope.".to_owned());
    }
    Ok(AuthRequest {
        response_type,
        scopes,
        redirect_uri,
        state: get("state"),
        raw_query: uri.query().unwrap_or("").to_owned(),
    })
}

fn page(body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Trovo (simulated) sign-in</title>\
         <style>body{{font-family:sans-serif;background:#16181d;color:#eee;max-width:32em;margin:3em auto}}\
         a.b{{display:block;margin:.6em 0;padding:.8em;border-radius:8px;background:#19d66b;color:#000;\
         text-decoration:none;text-align:center;font-weight:bold}}a.b.alt{{background:#444;color:#eee}}\
         li{{margin:.2em 0}}</style></head><body>{body}</body></html>"
    )
}

/// `GET /page/login.html`: the consent page.
async fn login(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let request = match parse(&uri, &shared.redirect_uri) {
        Ok(r) => r,
        Err(message) => {
            let body = format!("<h1>Cannot sign in</h1><p>{}</p>", escape(&message));
            return (StatusCode::BAD_REQUEST, Html(page(&body))).into_response();
        }
    };
    let (streamer, viewer) = {
        let world = shared.world();
        let name = |id| {
            world
                .channel(id)
                .map(|c| c.owner.nickname.clone())
                .unwrap_or_default()
        };
        (name(STREAMER_ID), name(VIEWER_ID))
    };
    let scopes: String = request
        .scopes
        .iter()
        .map(|s| format!("<li>{}</li>", escape(s)))
        .collect();
    let link = |account: &str| {
        escape(&format!(
            "/page/authorize?{}&account={account}",
            request.raw_query
        ))
    };
    let body = format!(
        "<h1>Stagehand wants to use your Trovo account</h1>\
         <p>This is the simulated Trovo sign-in page of Stagehand's demo mode.</p>\
         <p>It asks for:</p><ul>{scopes}</ul>\
         <a class=\"b\" id=\"as-streamer\" href=\"{}\">Authorize as {} (streamer)</a>\
         <a class=\"b alt\" id=\"as-viewer\" href=\"{}\">Authorize as {} (viewer)</a>\
         <a class=\"b alt\" id=\"deny\" href=\"{}\">Cancel</a>",
        link("streamer"),
        escape(&streamer),
        link("viewer"),
        escape(&viewer),
        link("deny"),
    );
    Html(page(&body)).into_response()
}

/// `GET /page/authorize?..&account=streamer|viewer|deny`: issues the code or token and
/// redirects back to the app.
async fn authorize(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let request = match parse(&uri, &shared.redirect_uri) {
        Ok(r) => r,
        Err(message) => {
            return (StatusCode::BAD_REQUEST, Html(page(&escape(&message)))).into_response();
        }
    };
    let account = query_pairs(uri.query())
        .into_iter()
        .find(|(k, _)| k == "account")
        .map(|(_, v)| v)
        .unwrap_or_default();
    let user = match account.as_str() {
        "streamer" => Some(SimUser::Streamer),
        "viewer" => Some(SimUser::Viewer),
        _ => None,
    };
    let Ok(mut target) = url::Url::parse(&request.redirect_uri) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let user_id = match user {
        Some(SimUser::Streamer) => STREAMER_ID,
        Some(SimUser::Viewer) => VIEWER_ID,
        None => {
            let mut q = target.query_pairs_mut();
            q.append_pair("error", "access_denied");
            if let Some(state) = &request.state {
                q.append_pair("state", state);
            }
            drop(q);
            return redirect(target.as_str());
        }
    };
    let mut world = shared.world();
    if request.response_type == "code" {
        let code = world
            .auth
            .issue_code(user_id, request.scopes.clone(), &request.redirect_uri);
        let mut q = target.query_pairs_mut();
        q.append_pair("code", &code);
        if let Some(state) = &request.state {
            q.append_pair("state", state);
        }
        drop(q);
    } else {
        let pair = world
            .auth
            .issue(user_id, request.scopes.clone(), IMPLICIT_LIFETIME);
        let mut fragment = url::form_urlencoded::Serializer::new(String::new());
        fragment
            .append_pair("access_token", &pair.access_token)
            .append_pair("expires_in", &IMPLICIT_LIFETIME.to_string())
            .append_pair("token_type", "OAuth")
            .append_pair("scope", &request.scopes.join(" "))
            .append_pair("client_id", TrovoSim::CLIENT_ID)
            .append_pair("language", "en-US")
            .append_pair("response_type", "token")
            .append_pair("redirect_uri", &request.redirect_uri);
        if let Some(state) = &request.state {
            fragment.append_pair("state", state);
        }
        target.set_fragment(Some(&fragment.finish()));
    }
    redirect(target.as_str())
}

fn redirect(location: &str) -> Response {
    (StatusCode::FOUND, [(LOCATION, location.to_owned())]).into_response()
}
