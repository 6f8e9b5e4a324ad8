//! Section 11 of Trovo's reference: every status code, with how to handle it and a sentence
//! the streamer can act on.

use crate::error::{ErrorKind, PlatformError};
use crate::model::PlatformId;

/// Trovo's rate-limit code.
pub const RATE_LIMITED: i64 = 11706;
/// Trovo's expired-access-token code.
pub const TOKEN_EXPIRED: i64 = 11714;

/// Every code of section 11: (code, kind, sentence). `None` for a code the table lacks.
pub fn describe(code: i64) -> Option<(ErrorKind, &'static str)> {
    use ErrorKind::*;
    Some(match code {
        -10500 => (Server, "Trovo could not fetch the profile data; try again"),
        -1201 | -1000 => (
            Server,
            "Trovo had an internal error (often a timeout inside Trovo); try again",
        ),
        1002 => (InvalidInput, "Trovo refused the request's parameters"),
        1111 => (
            Server,
            "Trovo had an unknown internal error; try again, and report it to developer@trovo.live if it keeps happening",
        ),
        1203 => (Server, "Trovo reported a conflict; try again"),
        10505 => (NotFound, "that user does not exist on Trovo"),
        10703 => (
            Permission,
            "Trovo refused the authorization: this account may not do that (is it your channel?), or the sign-in is no longer valid",
        ),
        10710 | 11710 => (
            Auth,
            "the sign-in code does not exist or has expired: sign in again",
        ),
        10908 => (
            ChatRefused,
            "chat is rate-limited: one message a second, no repeats within 30 s (moderators and the streamer are exempt)",
        ),
        11000 => (InvalidInput, "that category does not exist"),
        11101 | 11103 => (
            InvalidInput,
            "the text conflicts with Trovo's moderation rules; try different wording",
        ),
        11400 => (
            Permission,
            "this Trovo account has been blocked; contact customer@trovo.live to unblock it",
        ),
        11701 => (
            Auth,
            "Trovo refused the request headers: check the client ID in Settings",
        ),
        11703 => (
            Auth,
            "the sign-in lacks a permission this needs (invalid scope): sign in again",
        ),
        11704 => (Auth, "the access token is not valid: sign in again"),
        RATE_LIMITED => (
            RateLimited,
            "Trovo's rate limit for this app is used up; wait a minute and try again",
        ),
        11707 => (
            Permission,
            "no permission to send chat to this channel (its owner has not allowed it)",
        ),
        11708 => (
            InvalidInput,
            "invalid chat shard values (total_shard must be > 0 and 0 <= current_shard < total_shard)",
        ),
        11709 => (
            Permission,
            "no permission to get a sharding token; Trovo opens it to whitelisted developers only",
        ),
        11711 => (Auth, "the sign-in code was already used: sign in again"),
        11712 => (Auth, "the refresh token has expired: sign in again"),
        11713 => (Auth, "the refresh token is not valid: sign in again"),
        TOKEN_EXPIRED => (TokenExpired, "the access token has expired: sign in again"),
        11715 => (
            InvalidInput,
            "Trovo refused the grant type of the token request",
        ),
        11716 => (
            Auth,
            "the redirect URI does not match the one registered for this application",
        ),
        11717 => (Auth, "the client secret is wrong: check it in Settings"),
        11718 => (
            Auth,
            "this refresh token already holds 50 access tokens; wait for old ones to expire, or sign in again",
        ),
        11730 => (
            Auth,
            "the sign-in does not grant the permission this needs: sign in again and allow it",
        ),
        12400 => (ChatRefused, "you are banned from chatting in this channel"),
        12401 => (
            ChatRefused,
            "the channel is in slow mode: wait before sending another message",
        ),
        12402 => (
            ChatRefused,
            "the channel is in follower-only chat mode: follow it to chat",
        ),
        12905 => (ChatRefused, "links are blocked in this channel's chat"),
        _ => return None,
    })
}

/// The user-facing error for a Trovo status code. Trovo's own message is added where our
/// sentence is generic (parameter errors) or where the code is not in the table.
pub fn api_error(code: i64, message: Option<&str>) -> PlatformError {
    let message = message.map(str::trim).filter(|m| !m.is_empty());
    let (kind, sentence) = match describe(code) {
        Some((kind, s)) if code == 1002 => (
            kind,
            match message {
                Some(m) => format!("{s}: {m}"),
                None => s.to_owned(),
            },
        ),
        Some((kind, s)) => (kind, s.to_owned()),
        None => (
            ErrorKind::Other,
            match message {
                Some(m) => format!("Trovo refused the request: {m} (code {code})"),
                None => format!("Trovo refused the request (code {code})"),
            },
        ),
    };
    PlatformError::Api {
        platform: PlatformId::Trovo,
        code,
        kind,
        sentence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code listed in section 11 of the reference.
    const SECTION_11: [i64; 38] = [
        -10500, -1201, -1000, 1002, 1111, 1203, 10505, 10703, 10710, 10908, 11000, 11101, 11103,
        11400, 11701, 11703, 11704, 11706, 11707, 11708, 11709, 11710, 11711, 11712, 11713, 11714,
        11715, 11716, 11717, 11730, 11718, 12400, 12401, 12402, 12905, -1000, 1002, 11000,
    ];

    #[test]
    fn every_reference_code_has_a_sentence() {
        for code in SECTION_11 {
            assert!(describe(code).is_some(), "code {code} is not described");
        }
    }

    #[test]
    fn the_issue_s_example_sentences_hold() {
        assert_eq!(
            api_error(11000, Some("Invalid category.")).to_string(),
            "Trovo: that category does not exist"
        );
        assert!(
            api_error(10908, None)
                .to_string()
                .contains("one message a second, no repeats within 30 s")
        );
        assert_eq!(api_error(11706, None).kind(), ErrorKind::RateLimited);
        assert_eq!(api_error(11714, None).kind(), ErrorKind::TokenExpired);
    }

    #[test]
    fn unknown_codes_keep_trovo_s_message() {
        let e = api_error(99999, Some("Something odd"));
        assert_eq!(e.kind(), ErrorKind::Other);
        assert!(e.to_string().contains("Something odd"));
        assert!(e.to_string().contains("99999"));
    }
}
