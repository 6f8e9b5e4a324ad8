//! Trovo's authorize (sign-in and consent) address, as its reference spells it.

use crate::auth::{AuthError, ResponseType};
use url::{Url, form_urlencoded};

/// Trovo's authorize (sign-in and consent) page; the simulator serves a stand-in.
pub const TROVO_AUTHORIZE_PAGE: &str = "https://open.trovo.live/page/login.html";

/// Trovo's authorize address:
/// `{page}?client_id=..&response_type=code|token&scope=a+b&redirect_uri=..&state=..`.
///
/// Scopes are joined by a literal `+` exactly as the reference writes them (each scope is
/// percent-encoded on its own, so the `+` stays a separator and never becomes `%2B`). The
/// redirect URI is sent exactly as given (Trovo compares it with the registered one
/// character for character). `page` must be `https://`, or `http://` on a loopback host (the
/// simulator).
pub fn trovo_authorize_url(
    page: &str,
    client_id: &str,
    response_type: ResponseType,
    scopes: &[&str],
    redirect_uri: &str,
    state: &str,
) -> Result<Url, AuthError> {
    let mut url = Url::parse(page.trim()).map_err(|e| {
        AuthError::BadUrl(format!(
            "the authorize page {page:?} is not an address ({e})"
        ))
    })?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        other => {
            return Err(AuthError::BadUrl(format!(
                "the authorize page must use https:// (not {other}://), except on this computer"
            )));
        }
    }
    if client_id.trim().is_empty() {
        return Err(AuthError::BadUrl("no client ID is configured".to_owned()));
    }
    if let Err(e) = Url::parse(redirect_uri) {
        return Err(AuthError::BadUrl(format!(
            "the redirect URI {redirect_uri:?} is not an address ({e})"
        )));
    }
    if scopes.is_empty() {
        return Err(AuthError::BadUrl("no scope was requested".to_owned()));
    }
    if let Some(bad) = scopes.iter().find(|s| {
        s.is_empty()
            || s.chars()
                .any(|c| c == '+' || c.is_whitespace() || c.is_control())
    }) {
        return Err(AuthError::BadUrl(format!(
            "the scope {bad:?} is empty or contains a space or a plus sign"
        )));
    }
    if state.is_empty() {
        return Err(AuthError::BadUrl("the sign-in has no state".to_owned()));
    }
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let scope = scopes.iter().map(|s| enc(s)).collect::<Vec<_>>().join("+");
    let ours = format!(
        "client_id={}&response_type={}&scope={scope}&redirect_uri={}&state={}",
        enc(client_id.trim()),
        response_type.as_str(),
        enc(redirect_uri),
        enc(state),
    );
    // Keep whatever query the configured page already carries (none, for Trovo).
    let query = match url.query() {
        Some(existing) if !existing.is_empty() => format!("{existing}&{ours}"),
        _ => ours,
    };
    url.set_query(Some(&query));
    url.set_fragment(None);
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(page: &str, scopes: &[&str]) -> Result<Url, AuthError> {
        trovo_authorize_url(
            page,
            "cid",
            ResponseType::Code,
            scopes,
            "http://localhost:8919/",
            "st",
        )
    }

    #[test]
    fn the_query_is_the_references_shape() {
        let url = build(TROVO_AUTHORIZE_PAGE, &["a_b", "c"]).expect("url");
        assert_eq!(
            url.as_str(),
            "https://open.trovo.live/page/login.html?client_id=cid&response_type=code\
             &scope=a_b+c&redirect_uri=http%3A%2F%2Flocalhost%3A8919%2F&state=st"
        );
    }

    #[test]
    fn refuses_what_trovo_would_misread() {
        assert!(matches!(
            build("http://example.com/login", &["a"]),
            Err(AuthError::BadUrl(_))
        ));
        assert!(build("http://127.0.0.1:5/login", &["a"]).is_ok());
        assert!(build("not a url", &["a"]).is_err());
        assert!(build(TROVO_AUTHORIZE_PAGE, &[]).is_err());
        assert!(build(TROVO_AUTHORIZE_PAGE, &["a b"]).is_err());
        assert!(build(TROVO_AUTHORIZE_PAGE, &["a+b"]).is_err());
        assert!(
            trovo_authorize_url(
                TROVO_AUTHORIZE_PAGE,
                "cid",
                ResponseType::Token,
                &["a"],
                "::nope",
                "st"
            )
            .is_err()
        );
    }
}
