//! Velora's JSON shapes. Velora publishes no response schemas; these follow the shapes in
//! `platform-facts.md` ("Stagehand's working contract") and public client code: camelCase
//! keys, cursor lists `{<items>: [..], pagination: {cursor}}` ended only by a null cursor,
//! and a few answers wrapped in `data`. Everything is decoded leniently: a null or missing
//! field is absent, a number may come as a string, a malformed item in a list is skipped
//! instead of failing the page, unknown fields are ignored. The translation into the
//! platform-neutral model lives beside each shape.

use crate::model::{Category, CategoryRef, Follower, Role, Subscriber, distinct_display_name};
use crate::platform::lenient::{
    bool_lenient, lenient_list, opt_string, opt_string_list, opt_time, opt_u64,
};
use crate::secret::Secret;
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use time::OffsetDateTime;

/// A non-empty, trimmed text.
fn text(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// `pagination` of a cursor list.
#[derive(Debug, Default, Deserialize)]
pub struct Pagination {
    #[serde(default, deserialize_with = "opt_string", alias = "nextCursor")]
    pub cursor: Option<String>,
}

/// The cursor of the next page: `pagination.cursor`, or a top-level `nextCursor`/`cursor`
/// as some answers put it. Only a missing, null or empty cursor ends a list.
pub fn next_cursor(pagination: &Option<Pagination>, top: &Option<String>) -> Option<String> {
    pagination
        .as_ref()
        .and_then(|p| p.cursor.clone())
        .or_else(|| top.clone())
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
}

// ---------------------------------------------------------------- errors

/// Velora's error bodies, both of them: its own `{error, message, details}` and the web
/// framework's validation shape `{message: ["property X should not exist"], error: "Bad
/// Request", statusCode: 400}`. The OAuth token endpoint may also answer RFC 6749's
/// `{error, error_description}`. A 429 adds `retry_after` (seconds).
#[derive(Debug, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default, deserialize_with = "opt_string")]
    pub error: Option<String>,
    /// A string, or a list of strings (the framework's validation messages).
    #[serde(default)]
    pub message: Option<Value>,
    #[serde(default, deserialize_with = "opt_string")]
    pub error_description: Option<String>,
    #[serde(default)]
    pub details: Option<Value>,
    #[serde(
        default,
        deserialize_with = "opt_u64",
        alias = "statusCode",
        alias = "status"
    )]
    pub status_code: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64", alias = "retryAfter")]
    pub retry_after: Option<u64>,
}

impl ErrorBody {
    /// Decodes an error body; `None` when the bytes are not a JSON object.
    pub fn parse(body: &[u8]) -> Option<ErrorBody> {
        let v: Value = serde_json::from_slice(body.trim_ascii()).ok()?;
        if !v.is_object() {
            return None;
        }
        serde_json::from_value(v).ok()
    }

    /// What the platform said, as one sentence: the message (a list joined with "; "), or
    /// the OAuth description, or the error code in words.
    pub fn said(&self) -> Option<String> {
        let from_message = match &self.message {
            Some(Value::String(s)) => text(Some(s.clone())),
            Some(Value::Array(items)) => {
                let parts: Vec<String> = items
                    .iter()
                    .filter_map(|i| match i {
                        Value::String(s) => text(Some(s.clone())),
                        Value::Null => None,
                        other => Some(other.to_string()),
                    })
                    .collect();
                (!parts.is_empty()).then(|| parts.join("; "))
            }
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        from_message
            .or_else(|| text(self.error_description.clone()))
            .or_else(|| self.detail_text())
            .or_else(|| self.code_in_words())
    }

    /// `details` when it is a sentence of its own (a string, or an object whose `message`
    /// or `reason` is one).
    fn detail_text(&self) -> Option<String> {
        match self.details.as_ref()? {
            Value::String(s) => text(Some(s.clone())),
            Value::Object(o) => ["message", "reason"]
                .iter()
                .find_map(|k| o.get(*k).and_then(Value::as_str))
                .and_then(|s| text(Some(s.to_owned()))),
            _ => None,
        }
    }

    /// The error code (`invalid_category`) as words (`invalid category`); a generic HTTP
    /// reason such as "Bad Request" says nothing and is left out.
    fn code_in_words(&self) -> Option<String> {
        let code = text(self.error.clone())?;
        let generic = [
            "bad request",
            "unauthorized",
            "forbidden",
            "not found",
            "too many requests",
            "internal server error",
            "error",
        ];
        if generic.contains(&code.to_ascii_lowercase().as_str()) {
            return None;
        }
        Some(code.replace(['_', '-'], " "))
    }

    /// The error code, lower case, for decisions (`invalid_grant`, `token_expired`).
    pub fn code(&self) -> Option<String> {
        text(self.error.clone()).map(|c| c.to_ascii_lowercase())
    }
}

// ---------------------------------------------------------------- users

/// `GET /api/users/me` (and `GET /api/users/:username`, the public profile).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireUser {
    #[serde(default, deserialize_with = "opt_string", alias = "userId")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub avatar_url: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub bio: Option<String>,
    #[serde(default, deserialize_with = "bool_lenient")]
    pub is_live: bool,
    #[serde(default, deserialize_with = "opt_u64")]
    pub follower_count: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub following_count: Option<u64>,
    #[serde(default, deserialize_with = "opt_time")]
    pub created_at: Option<OffsetDateTime>,
}

impl WireUser {
    pub fn id(&self) -> Option<String> {
        text(self.id.clone())
    }

    pub fn username(&self) -> Option<String> {
        text(self.username.clone())
    }
}

// ---------------------------------------------------------------- stream

/// `GET /api/integrations/oauth/stream/info` (and the public `GET /api/streams/user/:name`,
/// read with the same names).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireStreamInfo {
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub category_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub category_slug: Option<String>,
    /// Some answers nest the category: `{category: {slug, name}}`.
    #[serde(default)]
    pub category: Option<Value>,
    #[serde(default, deserialize_with = "bool_lenient")]
    pub is_live: bool,
    #[serde(default, deserialize_with = "opt_u64")]
    pub viewer_count: Option<u64>,
    #[serde(default, deserialize_with = "opt_time")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "opt_string_list")]
    pub tags: Option<Vec<String>>,
}

impl WireStreamInfo {
    /// The category, its slug as the id (the slug is what the update takes).
    pub fn category(&self) -> Option<CategoryRef> {
        let nested = self.category.as_ref().and_then(Value::as_object);
        let nested_str = |k: &str| {
            nested
                .and_then(|o| o.get(k))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let slug = text(self.category_slug.clone()).or_else(|| text(nested_str("slug")));
        let name = text(self.category_name.clone())
            .or_else(|| text(nested_str("name")))
            .or_else(|| text(self.category.as_ref()?.as_str().map(str::to_owned)));
        (slug.is_some() || name.is_some()).then_some(CategoryRef { id: slug, name })
    }

    /// Tags without blanks or repeats, in the platform's order.
    pub fn tags(&self) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        self.tags
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty() && seen.insert(t.to_lowercase()))
            .collect()
    }
}

/// An answer that only says whether it worked: the stream-info update, moderation.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireOutcome {
    /// Missing means success: the status already said so.
    #[serde(default)]
    pub success: Option<Value>,
    #[serde(default)]
    pub message: Option<Value>,
    #[serde(default, deserialize_with = "opt_string")]
    pub error: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub message_id: Option<String>,
}

impl WireOutcome {
    /// False only when the platform says `success: false` (or `"false"`, `0`).
    pub fn succeeded(&self) -> bool {
        match &self.success {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(Value::Number(n)) => n.as_f64().is_some_and(|v| v != 0.0),
            Some(Value::String(s)) => !matches!(s.trim(), "false" | "0" | "False" | "FALSE"),
            Some(_) => true,
        }
    }

    /// The platform's message (a list joined), or its error code.
    pub fn said(&self) -> Option<String> {
        let body = ErrorBody {
            error: self.error.clone(),
            message: self.message.clone(),
            ..ErrorBody::default()
        };
        body.said()
    }
}

/// `GET /api/integrations/oauth/stream/setup` and `POST .../stream/key/regenerate`: the key
/// and the ingest addresses. The key's name is not documented; the usual spellings are all
/// read, at the top or under `data`/`stream`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireSetup {
    #[serde(default, alias = "stream_key", alias = "key")]
    pub stream_key: Option<Secret>,
    #[serde(
        default,
        deserialize_with = "opt_string",
        alias = "rtmpUrl",
        alias = "serverUrl"
    )]
    pub ingest_url: Option<String>,
}

impl WireSetup {
    pub fn key(self) -> Option<Secret> {
        self.stream_key.filter(|k| !k.expose().trim().is_empty())
    }
}

// ---------------------------------------------------------------- categories

/// A category of `GET /api/categories`, `/api/categories/search` and the integration list
/// (`{slug, name, imageUrl}`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireCategory {
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_string",
        alias = "image",
        alias = "iconUrl",
        alias = "boxArtUrl"
    )]
    pub image_url: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub viewer_count: Option<u64>,
}

impl WireCategory {
    /// The slug is the id (what the stream-info update takes); an entry without a slug or a
    /// name cannot be picked and is skipped. Velora has no short names.
    pub fn into_model(self) -> Option<Category> {
        let id = text(self.slug)?;
        let name = text(self.name)?;
        Some(Category {
            id,
            name,
            short_name: None,
            icon_url: text(self.image_url),
        })
    }
}

/// A category list: `{categories: [..], pagination: {cursor}}` (a `data` list is read too).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CategoryList {
    #[serde(default, deserialize_with = "lenient_list", alias = "data")]
    pub categories: Option<Vec<WireCategory>>,
    #[serde(default)]
    pub pagination: Option<Pagination>,
    #[serde(default, deserialize_with = "opt_string", alias = "cursor")]
    pub next_cursor: Option<String>,
}

// ---------------------------------------------------------------- people

/// A role name in the model's spelling: lower case, singular, Velora's synonyms merged.
pub fn role(raw: &str) -> Option<Role> {
    let r = raw.trim().to_ascii_lowercase();
    Some(match r.as_str() {
        "" => return None,
        "broadcaster" | "owner" | "streamer" | "creator" | "host" => Cow::Borrowed("broadcaster"),
        "moderator" | "moderators" | "mod" | "mods" => Cow::Borrowed("moderator"),
        "vip" | "vips" => Cow::Borrowed("vip"),
        "subscriber" | "subscribers" | "sub" | "subs" => Cow::Borrowed("subscriber"),
        "follower" | "followers" => Cow::Borrowed("follower"),
        "founder" => Cow::Borrowed("founder"),
        "staff" | "admin" => Cow::Borrowed("staff"),
        "viewer" | "user" | "everyone" => return None,
        _ => Cow::Owned(r),
    })
}

/// A role entry: a name, or an object carrying one (`{name}` / `{type}` / `{role}`).
fn role_name(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => ["name", "role", "type", "id"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_str))
            .map(str::to_owned),
        _ => None,
    }
}

/// A viewer of `GET /api/chat/channels/:channelId/viewers`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireViewer {
    #[serde(default, deserialize_with = "opt_string", alias = "id")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub display_name: Option<String>,
    #[serde(default)]
    pub roles: Option<Value>,
    /// A single role, where an answer gives one instead of a list.
    #[serde(default, deserialize_with = "opt_string")]
    pub role: Option<String>,
}

impl WireViewer {
    /// What identifies the viewer across pages: the id, else the username.
    pub fn key(&self) -> Option<String> {
        text(self.user_id.clone())
            .or_else(|| text(self.username.clone()).map(|u| format!("@{}", u.to_lowercase())))
    }

    /// The username, or the display name lower-cased when the username is missing.
    pub fn name(&self) -> Option<String> {
        text(self.username.clone())
            .or_else(|| text(self.display_name.clone()).map(|d| d.to_lowercase()))
    }

    /// The roles in the model's spelling, each once.
    pub fn roles(&self) -> Vec<Role> {
        let mut raw: Vec<String> = match &self.roles {
            Some(Value::Array(items)) => items.iter().filter_map(role_name).collect(),
            Some(Value::String(s)) => s.split([',', ' ']).map(str::to_owned).collect(),
            _ => Vec::new(),
        };
        raw.extend(self.role.clone());
        let mut out: Vec<Role> = Vec::new();
        for r in raw.iter().filter_map(|r| role(r)) {
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }
}

/// A page of viewers.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewersPage {
    #[serde(default, deserialize_with = "opt_string")]
    pub channel_id: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub viewer_count: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub anonymous_count: Option<u64>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub viewers: Option<Vec<WireViewer>>,
    #[serde(default)]
    pub pagination: Option<Pagination>,
    #[serde(default, deserialize_with = "opt_string", alias = "cursor")]
    pub next_cursor: Option<String>,
}

/// A follower of `GET /api/users/:userId/followers`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireFollower {
    #[serde(default, deserialize_with = "opt_string", alias = "id")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "opt_time", alias = "createdAt")]
    pub followed_at: Option<OffsetDateTime>,
}

impl WireFollower {
    pub fn key(&self) -> Option<String> {
        text(self.user_id.clone())
    }

    pub fn into_model(self) -> Option<Follower> {
        let id = text(self.user_id)?;
        let name = text(self.username)
            .or_else(|| text(self.display_name.clone()).map(|d| d.to_lowercase()))?;
        Some(Follower {
            id,
            display_name: distinct_display_name(&name, self.display_name),
            name,
            followed_at: self.followed_at,
        })
    }
}

/// A page of followers.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FollowersPage {
    #[serde(default, deserialize_with = "lenient_list", alias = "data")]
    pub followers: Option<Vec<WireFollower>>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub total: Option<u64>,
    #[serde(default)]
    pub pagination: Option<Pagination>,
    #[serde(default, deserialize_with = "opt_string", alias = "cursor")]
    pub next_cursor: Option<String>,
}

/// A subscriber, as the creator endpoint (`tier: 1|2|3`, `subscribedAt`) and the developer
/// endpoint (`tier: "1".."3"`, no start date) give one.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireSubscriber {
    /// The subscription's id (`sub_…`), not the user's.
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub tier: Option<String>,
    #[serde(default)]
    pub is_gift: Option<Value>,
    #[serde(default)]
    pub gifter: Option<Value>,
    #[serde(default, deserialize_with = "opt_time", alias = "createdAt")]
    pub subscribed_at: Option<OffsetDateTime>,
}

impl WireSubscriber {
    pub fn key(&self) -> Option<String> {
        text(self.user_id.clone())
            .or_else(|| text(self.username.clone()).map(|u| format!("@{}", u.to_lowercase())))
    }

    /// The tier as Velora's digit (`"1"`..`"3"`, whether it came as a number or a string;
    /// `"tier2"` and `"2.0"` read as `"2"`).
    pub fn tier(&self) -> Option<String> {
        let t = text(self.tier.clone())?;
        let digits: String = t
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        Some(if digits.is_empty() { t } else { digits })
    }

    /// A gift when `isGift` says so, or when a gifter is named.
    pub fn gifted(&self) -> Option<bool> {
        let flag = match &self.is_gift {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::Number(n)) => Some(n.as_f64().is_some_and(|v| v != 0.0)),
            Some(Value::String(s)) => Some(matches!(s.trim(), "true" | "1" | "True" | "TRUE")),
            Some(_) => None,
        };
        let has_gifter = match &self.gifter {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(_) => true,
        };
        match flag {
            Some(f) => Some(f || has_gifter),
            None if has_gifter => Some(true),
            None => None,
        }
    }

    pub fn into_model(self) -> Option<Subscriber> {
        let tier = self.tier();
        let gifted = self.gifted();
        let id = text(self.user_id).or_else(|| text(self.id))?;
        let name = text(self.username)
            .or_else(|| text(self.display_name.clone()).map(|d| d.to_lowercase()))?;
        Some(Subscriber {
            id,
            display_name: distinct_display_name(&name, self.display_name),
            name,
            tier,
            since: self.subscribed_at,
            gifted,
        })
    }
}

/// A page of the creator endpoint (`GET /api/subscriptions/creator/:id/subscribers`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatorSubscribersPage {
    #[serde(default, deserialize_with = "lenient_list", alias = "data")]
    pub subscribers: Option<Vec<WireSubscriber>>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub total: Option<u64>,
    #[serde(default)]
    pub pagination: Option<Pagination>,
    #[serde(default, deserialize_with = "opt_string", alias = "cursor")]
    pub next_cursor: Option<String>,
}

/// A page of the developer endpoint (`GET /api/developer/subscriptions?page&perPage`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeveloperSubscribersPage {
    #[serde(default, deserialize_with = "lenient_list", alias = "subscribers")]
    pub data: Option<Vec<WireSubscriber>>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub total: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub page: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub per_page: Option<u64>,
    /// Missing: the client decides from `total` and what it has.
    #[serde(default)]
    pub has_more: Option<Value>,
}

impl DeveloperSubscribersPage {
    pub fn has_more(&self) -> Option<bool> {
        match &self.has_more {
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::String(s)) => Some(matches!(s.trim(), "true" | "1")),
            Some(Value::Number(n)) => Some(n.as_f64().is_some_and(|v| v != 0.0)),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------- sign-in

/// The token endpoint's answer (authorization code and refresh grants), snake_case as
/// RFC 6749 has it; camelCase is read too.
#[derive(Debug, Default, Deserialize)]
pub struct TokenResponse {
    #[serde(default, alias = "accessToken")]
    pub access_token: Option<Secret>,
    #[serde(default, alias = "refreshToken")]
    pub refresh_token: Option<Secret>,
    #[serde(default, deserialize_with = "opt_u64", alias = "expiresIn")]
    pub expires_in: Option<u64>,
    #[serde(default, deserialize_with = "opt_string_list", alias = "scopes")]
    pub scope: Option<Vec<String>>,
}

crate::platform::tokens::token_answer!(TokenResponse);

/// Takes `data` out of a `{data: {...}}` answer, or `stream`/`user` out of a wrapper with
/// only that key beside bookkeeping; any other answer is returned as it is.
pub fn unwrap_object(v: Value, keys: &[&str]) -> Value {
    if let Value::Object(o) = &v {
        for k in keys {
            if let Some(inner @ Value::Object(_)) = o.get(*k) {
                return inner.clone();
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_error_shapes_give_one_sentence() {
        let e = ErrorBody::parse(
            br#"{"error":"invalid_category","message":"Category 'nope' does not exist","details":{"field":"categorySlug"}}"#,
        )
        .expect("Velora's shape");
        assert_eq!(e.said().as_deref(), Some("Category 'nope' does not exist"));
        assert_eq!(e.code().as_deref(), Some("invalid_category"));
        let e = ErrorBody::parse(
            br#"{"message":["property userId should not exist","targetUserId must be a string"],"error":"Bad Request","statusCode":400}"#,
        )
        .expect("the framework's shape");
        assert_eq!(
            e.said().as_deref(),
            Some("property userId should not exist; targetUserId must be a string")
        );
        assert_eq!(e.status_code, Some(400));
        let e =
            ErrorBody::parse(br#"{"error":"invalid_grant","error_description":"Code expired"}"#)
                .expect("OAuth's shape");
        assert_eq!(e.said().as_deref(), Some("Code expired"));
        let e = ErrorBody::parse(br#"{"error":"insufficient_scope"}"#).expect("code only");
        assert_eq!(e.said().as_deref(), Some("insufficient scope"));
        let e = ErrorBody::parse(br#"{"error":"Bad Request"}"#).expect("generic");
        assert_eq!(e.said(), None);
        let e =
            ErrorBody::parse(br#"{"error":"rate_limited","message":"Slow down","retry_after":7}"#)
                .expect("429");
        assert_eq!(e.retry_after, Some(7));
        assert!(ErrorBody::parse(b"<html>").is_none());
        assert!(ErrorBody::parse(b"[1]").is_none());
    }

    #[test]
    fn me_and_stream_info_decode() {
        let u: WireUser = serde_json::from_str(
            r##"{"id":"usr_1","username":"nova","displayName":"Nova","avatarUrl":"https://cdn/a.png",
            "bio":null,"color":"#ffffff","isLive":true,"followerCount":"1200","followingCount":3,
            "createdAt":"2024-01-02T03:04:05.000Z","extra":{"x":1}}"##,
        )
        .expect("me");
        assert_eq!(u.id().as_deref(), Some("usr_1"));
        assert_eq!(u.follower_count, Some(1200));
        assert!(u.is_live && u.created_at.is_some());
        let s: WireStreamInfo = serde_json::from_str(
            r#"{"title":"Building a base","categoryName":"Minecraft","categorySlug":"minecraft",
            "isLive":true,"viewerCount":42,"startedAt":"2025-05-01T18:00:00Z","tags":["chill"," ","Chill","English"]}"#,
        )
        .expect("stream info");
        let c = s.category().expect("a category");
        assert_eq!(c.id.as_deref(), Some("minecraft"));
        assert_eq!(c.name.as_deref(), Some("Minecraft"));
        assert_eq!(s.tags(), ["chill", "English"]);
        assert_eq!(s.viewer_count, Some(42));
        let off: WireStreamInfo = serde_json::from_str(
            r#"{"title":null,"categoryName":null,"categorySlug":null,"isLive":false,"viewerCount":null,"startedAt":null,"tags":null}"#,
        )
        .expect("offline");
        assert!(off.category().is_none() && off.tags().is_empty() && !off.is_live);
        let nested: WireStreamInfo =
            serde_json::from_str(r#"{"category":{"slug":"art","name":"Art"}}"#).expect("nested");
        assert_eq!(nested.category().and_then(|c| c.id).as_deref(), Some("art"));
    }

    #[test]
    fn categories_use_the_slug_as_id() {
        let l: CategoryList = serde_json::from_str(
            r#"{"categories":[{"id":"cat_1","slug":"just-chatting","name":"Just Chatting","imageUrl":"https://cdn/jc.jpg","viewerCount":900,"streamCount":"12"},
            {"id":"cat_2","name":"No slug"},null],"pagination":{"cursor":"abc"}}"#,
        )
        .expect("categories");
        assert_eq!(
            next_cursor(&l.pagination, &l.next_cursor).as_deref(),
            Some("abc")
        );
        let cats: Vec<_> = l
            .categories
            .unwrap_or_default()
            .into_iter()
            .filter_map(WireCategory::into_model)
            .collect();
        assert_eq!(cats.len(), 1);
        assert_eq!(cats[0].id, "just-chatting");
        assert_eq!(cats[0].short_name, None);
        assert_eq!(cats[0].icon_url.as_deref(), Some("https://cdn/jc.jpg"));
        let l: CategoryList = serde_json::from_str(
            r#"{"categories":[{"slug":"art","name":"Art","imageUrl":null}],"pagination":{"cursor":null}}"#,
        )
        .expect("integration list");
        assert!(next_cursor(&l.pagination, &l.next_cursor).is_none());
    }

    #[test]
    fn viewers_decode_with_roles_and_counts() {
        let p: ViewersPage = serde_json::from_str(
            r#"{"channelId":"usr_1","viewerCount":"57","anonymousCount":12,
            "viewers":[{"userId":"usr_1","username":"nova","displayName":"Nova","avatarUrl":null,"roles":["broadcaster","MODERATOR"],"badges":[]},
            {"userId":"usr_2","username":"ada","displayName":"Ada","roles":["mod","vip","subscriber","vip"]},
            {"userId":"usr_3","username":null,"displayName":"Bob","roles":[{"name":"Regular"}]},
            {"userId":"usr_4","username":"cy","roles":null},
            7],
            "pagination":{"cursor":"c2"}}"#,
        )
        .expect("viewers");
        assert_eq!((p.viewer_count, p.anonymous_count), (Some(57), Some(12)));
        let v = p.viewers.unwrap_or_default();
        assert_eq!(v.len(), 4);
        assert_eq!(v[0].roles(), ["broadcaster", "moderator"]);
        assert_eq!(v[1].roles(), ["moderator", "vip", "subscriber"]);
        assert_eq!(v[2].name().as_deref(), Some("bob"));
        assert_eq!(v[2].roles(), ["regular"]);
        assert!(v[3].roles().is_empty());
        assert_eq!(
            next_cursor(&p.pagination, &p.next_cursor).as_deref(),
            Some("c2")
        );
    }

    #[test]
    fn followers_and_subscribers_decode() {
        let p: FollowersPage = serde_json::from_str(
            r#"{"followers":[{"userId":"usr_9","username":"zed","displayName":"Zed","avatarUrl":"x","followedAt":"2025-04-30T10:00:00Z"}],"total":"250","pagination":{"cursor":null}}"#,
        )
        .expect("followers");
        assert_eq!(p.total, Some(250));
        let f = p
            .followers
            .unwrap_or_default()
            .remove(0)
            .into_model()
            .expect("follower");
        assert_eq!((f.id.as_str(), f.name.as_str()), ("usr_9", "zed"));
        assert!(f.followed_at.is_some());

        let p: CreatorSubscribersPage = serde_json::from_str(
            r#"{"subscribers":[{"id":"sub_1","userId":"usr_5","username":"kim","displayName":"Kim","tier":2,"isGift":true,"gifter":{"username":"santa"},"subscribedAt":"2025-03-01T00:00:00Z","expiresAt":"2025-04-01T00:00:00Z"},
            {"id":"sub_2","userId":"usr_6","username":"lee","tier":"3","isGift":false,"gifter":null}],"total":2,"pagination":{"cursor":null}}"#,
        )
        .expect("creator subscribers");
        let s: Vec<_> = p
            .subscribers
            .unwrap_or_default()
            .into_iter()
            .filter_map(WireSubscriber::into_model)
            .collect();
        assert_eq!(s[0].id, "usr_5", "the user's id, not the subscription's");
        assert_eq!(s[0].tier.as_deref(), Some("2"));
        assert_eq!(s[0].gifted, Some(true));
        assert!(s[0].since.is_some());
        assert_eq!(
            (s[1].tier.as_deref(), s[1].gifted),
            (Some("3"), Some(false))
        );

        let p: DeveloperSubscribersPage = serde_json::from_str(
            r#"{"data":[{"userId":"usr_7","username":"mo","displayName":"Mo","tier":"1","isGift":"true","gifter":"santa","expiresAt":"2025-06-01T00:00:00Z"}],"total":41,"page":1,"perPage":20,"hasMore":true}"#,
        )
        .expect("developer subscribers");
        assert_eq!(p.has_more(), Some(true));
        let s = p
            .data
            .unwrap_or_default()
            .remove(0)
            .into_model()
            .expect("a subscriber");
        assert_eq!(
            (s.tier.as_deref(), s.gifted, s.since),
            (Some("1"), Some(true), None)
        );
    }

    #[test]
    fn outcomes_and_tokens() {
        let o: WireOutcome =
            serde_json::from_str(r#"{"success":true,"messageId":"msg_1"}"#).expect("sent");
        assert!(o.succeeded());
        assert_eq!(o.message_id.as_deref(), Some("msg_1"));
        let o: WireOutcome =
            serde_json::from_str(r#"{"success":false,"message":"User is already banned"}"#)
                .expect("refused");
        assert!(!o.succeeded());
        assert_eq!(o.said().as_deref(), Some("User is already banned"));
        assert!(
            serde_json::from_str::<WireOutcome>("{}")
                .expect("empty")
                .succeeded()
        );
        let t: TokenResponse = serde_json::from_str(
            r#"{"access_token":"a","refresh_token":"r","expires_in":"3600","token_type":"Bearer","scope":"stream:read chat:write"}"#,
        )
        .expect("token");
        assert_eq!(t.expires_in, Some(3600));
        assert_eq!(t.scope.unwrap_or_default(), ["stream:read", "chat:write"]);
        let t: TokenResponse =
            serde_json::from_str(r#"{"accessToken":"a","refreshToken":"r","expiresIn":3600}"#)
                .expect("camelCase");
        assert!(t.access_token.is_some() && t.refresh_token.is_some());
        let s: WireSetup = serde_json::from_str(r#"{"streamKey":"live_abc","rtmpUrl":"rtmp://x"}"#)
            .expect("setup");
        assert_eq!(s.key().as_ref().map(Secret::expose), Some("live_abc"));
    }
}

/// A line of `GET /api/chat/channels/:channelId/history`: `{id, userId, username,
/// displayName, roles, content, type?, createdAt}` (the message may come as `message`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireChatLine {
    #[serde(default, deserialize_with = "opt_string", alias = "messageId")]
    pub id: Option<String>,
    #[serde(flatten)]
    pub author: WireViewer,
    #[serde(default, deserialize_with = "opt_string", alias = "message")]
    pub content: Option<String>,
    /// `message` for a chat line; anything else is a notice (`follow`, `subscription`,
    /// `raid`, `system`...).
    #[serde(default, deserialize_with = "opt_string", rename = "type")]
    pub kind: Option<String>,
    #[serde(
        default,
        deserialize_with = "opt_time",
        alias = "sentAt",
        alias = "timestamp"
    )]
    pub created_at: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "bool_lenient")]
    pub deleted: bool,
}

impl WireChatLine {
    /// The line as an event, or `None` for one without text or deleted. The history says
    /// only what kind a notice is, not its facts (those come on the events stream): a
    /// notice is the platform's sentence. `now` stands in for a missing time.
    pub fn into_event(self, now: OffsetDateTime) -> Option<crate::model::ChatEvent> {
        use crate::model::{ChatEvent, ChatUser, EventKind, PlatformId};
        let content = self.content.filter(|c| !c.trim().is_empty())?;
        if self.deleted {
            return None;
        }
        let kind = match self.kind.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("message" | "chat" | "text" | "") => EventKind::Message {
                text: content,
                reply_to: None,
            },
            Some("follow") => EventKind::Follow,
            Some(_) => EventKind::System { text: content },
        };
        let roles = self.author.roles();
        let name = self.author.name();
        let user = text(self.author.display_name.clone())
            .or_else(|| name.clone())
            .map(|display_name| ChatUser {
                id: text(self.author.user_id),
                name,
                display_name,
                roles,
            });
        Some(ChatEvent {
            platform: PlatformId::Velora,
            id: text(self.id),
            at: self.created_at.unwrap_or(now),
            user,
            kind,
        })
    }
}

/// The answer of the chat history: `{channelId, messages: [..]}` (or a bare list).
#[derive(Debug, Default, Deserialize)]
pub struct ChatHistory {
    #[serde(
        default,
        deserialize_with = "lenient_list",
        alias = "history",
        alias = "data"
    )]
    pub messages: Option<Vec<WireChatLine>>,
}
