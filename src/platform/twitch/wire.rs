//! Helix's JSON shapes. Every answer is an envelope `{data: [..], pagination: {cursor}}`
//! (some add `total`); ids are strings, times RFC 3339. Everything is decoded leniently: a
//! null or missing field is absent, a number may come as a string, a malformed item in a list
//! is skipped instead of failing the page. The translation into the platform-neutral model
//! lives beside each shape.

use crate::model::{
    Category, CategoryRef, Editor, Follower, Subscriber, Team, Video, distinct_display_name,
};
use crate::platform::lenient::{
    bool_lenient, lenient_list, list, opt_i64, opt_string, opt_string_list, opt_time, opt_u64,
};
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A Helix list answer: `data`, the paging cursor and, on some lists, a `total`.
#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "T: serde::de::DeserializeOwned"))]
pub struct Envelope<T> {
    #[serde(default, deserialize_with = "list")]
    pub data: Vec<T>,
    #[serde(default)]
    pub pagination: Option<Pagination>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub total: Option<u64>,
}

impl<T> Envelope<T> {
    /// The cursor of the next page; an empty or missing cursor ends the list.
    pub fn cursor(&self) -> Option<&str> {
        self.pagination
            .as_ref()
            .and_then(|p| p.cursor.as_deref())
            .filter(|c| !c.trim().is_empty())
    }
}

/// `pagination` of a Helix list (`{}` on the last page).
#[derive(Debug, Default, Deserialize)]
pub struct Pagination {
    #[serde(default, deserialize_with = "opt_string")]
    pub cursor: Option<String>,
}

/// Helix's and id.twitch.tv's error body: `{"error": "Unauthorized", "status": 401,
/// "message": "Invalid OAuth token"}` (id.twitch.tv leaves out `error` and says what went
/// wrong in `message`, such as `authorization_pending`).
#[derive(Debug, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default, deserialize_with = "opt_string")]
    pub error: Option<String>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub status: Option<i64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub message: Option<String>,
}

// ---------------------------------------------------------------- users

/// `GET /users`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct WireUser {
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub login: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub display_name: Option<String>,
    /// `partner`, `affiliate` or empty.
    #[serde(default, deserialize_with = "opt_string")]
    pub broadcaster_type: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub profile_image_url: Option<String>,
    #[serde(default, deserialize_with = "opt_time")]
    pub created_at: Option<OffsetDateTime>,
}

impl WireUser {
    /// Whether Twitch lists the user as a partner (who alone may set a broadcast delay).
    pub fn is_partner(&self) -> bool {
        self.broadcaster_type
            .as_deref()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("partner"))
    }
}

// ---------------------------------------------------------------- channels

/// `GET /channels`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct WireChannel {
    #[serde(default, deserialize_with = "opt_string")]
    pub broadcaster_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub broadcaster_login: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub broadcaster_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub broadcaster_language: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub game_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub game_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub delay: Option<u64>,
    #[serde(default, deserialize_with = "opt_string_list")]
    pub tags: Option<Vec<String>>,
}

impl WireChannel {
    /// The category, when the channel has one (Helix sends `""` for none).
    pub fn category(&self) -> Option<CategoryRef> {
        let id = self
            .game_id
            .clone()
            .filter(|s| !s.trim().is_empty() && s != "0");
        let name = self.game_name.clone().filter(|s| !s.trim().is_empty());
        (id.is_some() || name.is_some()).then_some(CategoryRef { id, name })
    }
}

/// `GET /streams`: present only while the channel is live.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct WireStream {
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub user_id: Option<String>,
    /// `live`, or empty when something went wrong on Twitch's side.
    #[serde(default, deserialize_with = "opt_string", rename = "type")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub viewer_count: Option<u64>,
    #[serde(default, deserialize_with = "opt_time")]
    pub started_at: Option<OffsetDateTime>,
}

impl WireStream {
    /// Whether this entry is a live stream (Twitch documents `type` as `live` or `""`).
    pub fn is_live(&self) -> bool {
        self.kind
            .as_deref()
            .is_none_or(|k| k.is_empty() || k.eq_ignore_ascii_case("live"))
    }
}

/// `PATCH /channels`: only the fields given are sent.
#[derive(Debug, Default, Serialize)]
pub struct ModifyChannel<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub game_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broadcaster_language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<u32>,
}

/// `GET /streams/key`.
#[derive(Debug, Deserialize)]
pub struct WireStreamKey {
    #[serde(default)]
    pub stream_key: Option<Secret>,
}

/// `GET /channels/editors`: Twitch gives the display name only, no login.
#[derive(Clone, Debug, Deserialize)]
pub struct WireEditor {
    #[serde(default, deserialize_with = "opt_string")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub user_name: Option<String>,
    #[serde(default, deserialize_with = "opt_time")]
    pub created_at: Option<OffsetDateTime>,
}

impl WireEditor {
    /// `login` fills the name when a lookup found it; else the display name stands in.
    pub fn into_model(self, login: Option<String>) -> Option<Editor> {
        let id = self.user_id.filter(|s| !s.is_empty())?;
        let display = self.user_name.filter(|s| !s.is_empty());
        let name = login.or_else(|| display.clone())?;
        Some(Editor {
            id,
            name,
            display_name: display,
            since: self.created_at,
        })
    }
}

/// `GET /teams/channel` (its `data` is null for a channel in no team).
#[derive(Clone, Debug, Deserialize)]
pub struct WireTeam {
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub team_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub team_display_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub info: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub thumbnail_url: Option<String>,
}

impl WireTeam {
    pub fn into_model(self) -> Option<Team> {
        let id = self.id.filter(|s| !s.is_empty())?;
        let display = self.team_display_name.filter(|s| !s.is_empty());
        let name = self
            .team_name
            .filter(|s| !s.is_empty())
            .or_else(|| display.clone())?;
        Some(Team {
            id,
            name,
            display_name: display,
            info: self.info.filter(|s| !s.trim().is_empty()),
            thumbnail_url: self.thumbnail_url.filter(|s| !s.is_empty()),
        })
    }
}

/// `POST /channels/commercial`.
#[derive(Clone, Debug, Deserialize)]
pub struct WireCommercial {
    #[serde(default, deserialize_with = "opt_u64")]
    pub length: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub retry_after: Option<u64>,
}

// ---------------------------------------------------------------- categories

/// `GET /search/categories` and `GET /games/top`.
#[derive(Clone, Debug, Deserialize)]
pub struct WireGame {
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub box_art_url: Option<String>,
}

impl WireGame {
    /// Entries without an id or a name cannot be picked; they are skipped. Twitch has no
    /// short names.
    pub fn into_model(self, box_art: (u32, u32)) -> Option<Category> {
        let id = self.id.filter(|s| !s.is_empty())?;
        let name = self.name.filter(|s| !s.is_empty())?;
        Some(Category {
            id,
            name,
            short_name: None,
            icon_url: self
                .box_art_url
                .filter(|s| !s.is_empty())
                .map(|u| sized_box_art(&u, box_art)),
        })
    }
}

/// Box art at `width`x`height`: the search endpoint answers URLs fixed at `-52x72.`, the
/// games endpoints a `{width}x{height}` template; both become the size asked for. Any other
/// URL is left as it is.
pub fn sized_box_art(url: &str, (width, height): (u32, u32)) -> String {
    let size = format!("{width}x{height}");
    if url.contains("{width}") || url.contains("{height}") {
        return url
            .replace("{width}", &width.to_string())
            .replace("{height}", &height.to_string());
    }
    // Only the last occurrence is the size suffix (`…/509658-52x72.jpg`).
    match url.rfind("-52x72.") {
        Some(at) => format!("{}-{size}.{}", &url[..at], &url[at + "-52x72.".len()..]),
        None => url.to_owned(),
    }
}

// ---------------------------------------------------------------- videos

/// `GET /videos`.
#[derive(Clone, Debug, Deserialize)]
pub struct WireVideo {
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "opt_time")]
    pub created_at: Option<OffsetDateTime>,
    /// `%{width}x%{height}` template; `""` while an archive is being recorded.
    #[serde(default, deserialize_with = "opt_string")]
    pub thumbnail_url: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub view_count: Option<u64>,
    /// `archive`, `highlight` or `upload`.
    #[serde(default, deserialize_with = "opt_string", rename = "type")]
    pub kind: Option<String>,
    /// `3h8m33s` style.
    #[serde(default, deserialize_with = "opt_string")]
    pub duration: Option<String>,
}

impl WireVideo {
    /// An entry without an id is skipped; the thumbnail template is filled in at
    /// `thumbnail` size; a missing URL is the video's page on twitch.tv.
    pub fn into_model(self, thumbnail: (u32, u32)) -> Option<Video> {
        let id = self
            .id
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())?;
        Some(Video {
            url: self
                .url
                .filter(|u| !u.trim().is_empty())
                .unwrap_or_else(|| format!("https://www.twitch.tv/videos/{id}")),
            id,
            title: self.title.unwrap_or_default(),
            created_at: self.created_at,
            duration: self.duration.as_deref().and_then(parse_duration),
            view_count: self.view_count,
            kind: self
                .kind
                .map(|k| k.trim().to_ascii_lowercase())
                .filter(|k| !k.is_empty()),
            thumbnail_url: self
                .thumbnail_url
                .filter(|u| !u.trim().is_empty())
                .map(|u| sized_video_thumbnail(&u, thumbnail)),
        })
    }
}

/// Helix's video length, `3h8m33s` (Go's style: `12m5s`, `42s`, `1h0m0s`), in seconds.
/// Plain seconds (`"512"`) are taken too, and a fraction of a second is dropped;
/// anything else is unreadable (`None`).
pub fn parse_duration(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(secs) = text.parse::<u64>() {
        return Some(secs);
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    let mut last_unit = 0u8;
    for c in text.chars() {
        match c {
            '0'..='9' | '.' => number.push(c),
            'h' | 'm' | 's' => {
                // Units come once each, largest first.
                let rank = match c {
                    'h' => 3,
                    'm' => 2,
                    _ => 1,
                };
                if number.is_empty() || (last_unit != 0 && rank >= last_unit) {
                    return None;
                }
                last_unit = rank;
                let value: f64 = number.parse().ok()?;
                number.clear();
                let scale = match c {
                    'h' => 3_600.0,
                    'm' => 60.0,
                    _ => 1.0,
                };
                total = total.checked_add((value * scale) as u64)?;
            }
            _ => return None,
        }
    }
    number.is_empty().then_some(total)
}

/// A video thumbnail at `width`x`height`: Helix's template is `%{width}x%{height}` (not the
/// `{width}x{height}` of box art); both forms are filled in, other URLs left as they are.
pub fn sized_video_thumbnail(url: &str, (width, height): (u32, u32)) -> String {
    let (w, h) = (width.to_string(), height.to_string());
    url.replace("%{width}", &w)
        .replace("%{height}", &h)
        .replace("{width}", &w)
        .replace("{height}", &h)
}

// ---------------------------------------------------------------- people

/// An entry of followers, chatters, moderators and VIPs: `user_id`, `user_login`,
/// `user_name`, and for followers `followed_at`.
#[derive(Clone, Debug, Deserialize)]
pub struct WireUserRef {
    #[serde(default, deserialize_with = "opt_string")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub user_login: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub user_name: Option<String>,
    #[serde(default, deserialize_with = "opt_time")]
    pub followed_at: Option<OffsetDateTime>,
}

impl WireUserRef {
    pub fn id(&self) -> Option<&str> {
        self.user_id.as_deref().filter(|s| !s.is_empty())
    }

    /// The login, or the display name lower-cased when the login is missing.
    pub fn login(&self) -> Option<String> {
        self.user_login
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| {
                self.user_name
                    .as_deref()
                    .filter(|s| !s.is_empty())
                    .map(str::to_lowercase)
            })
    }

    pub fn into_follower(self) -> Option<Follower> {
        let id = self.id()?.to_owned();
        let name = self.login()?;
        Some(Follower {
            display_name: distinct_display_name(&name, self.user_name.clone()),
            name,
            id,
            followed_at: self.followed_at,
        })
    }
}

/// `GET /subscriptions`.
#[derive(Clone, Debug, Deserialize)]
pub struct WireSubscription {
    #[serde(default, deserialize_with = "opt_string")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub user_login: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub user_name: Option<String>,
    /// `"1000"`, `"2000"` or `"3000"` (a number is taken as its digits).
    #[serde(default, deserialize_with = "opt_string")]
    pub tier: Option<String>,
    #[serde(default, deserialize_with = "bool_lenient")]
    pub is_gift: bool,
}

impl WireSubscription {
    /// Twitch does not say since when someone subscribes: `since` is absent.
    pub fn into_model(self) -> Option<Subscriber> {
        let id = self.user_id.filter(|s| !s.is_empty())?;
        let name = self.user_login.filter(|s| !s.is_empty()).or_else(|| {
            self.user_name
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(str::to_lowercase)
        })?;
        Some(Subscriber {
            id,
            display_name: distinct_display_name(&name, self.user_name),
            name,
            tier: self.tier.filter(|t| !t.trim().is_empty()),
            since: None,
            gifted: Some(self.is_gift),
        })
    }
}

// ---------------------------------------------------------------- chat

/// `POST /chat/messages`.
#[derive(Clone, Debug, Deserialize)]
pub struct WireSentMessage {
    #[serde(default, deserialize_with = "opt_string")]
    pub message_id: Option<String>,
    #[serde(default, deserialize_with = "bool_lenient")]
    pub is_sent: bool,
    #[serde(default)]
    pub drop_reason: Option<DropReason>,
}

/// Why Twitch dropped a chat message.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DropReason {
    #[serde(default, deserialize_with = "opt_string")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub message: Option<String>,
}

// ---------------------------------------------------------------- id.twitch.tv

/// A token answer: the device-code grant and the refresh grant.
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    #[serde(default)]
    pub access_token: Option<Secret>,
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub expires_in: Option<u64>,
    #[serde(default, deserialize_with = "opt_string_list")]
    pub scope: Option<Vec<String>>,
}

crate::platform::tokens::token_answer!(TokenResponse);

/// `POST /oauth2/device`.
#[derive(Debug, Deserialize)]
pub struct DeviceCodeResponse {
    #[serde(default)]
    pub device_code: Option<Secret>,
    #[serde(default, deserialize_with = "opt_string")]
    pub user_code: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub verification_uri: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub expires_in: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub interval: Option<u64>,
}

/// `GET /oauth2/validate`.
#[derive(Debug, Deserialize)]
pub struct ValidateResponse {
    #[serde(default, deserialize_with = "opt_string")]
    pub client_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub login: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string_list")]
    pub scopes: Option<Vec<String>>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub expires_in: Option<u64>,
}

/// Items of a list that may also come as null (teams of a channel in none).
pub fn items<T>(list: Option<Vec<T>>) -> Vec<T> {
    list.unwrap_or_default()
}

/// A `{data: ...}` answer whose `data` may be null.
#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "T: serde::de::DeserializeOwned"))]
pub struct MaybeData<T> {
    #[serde(default, deserialize_with = "lenient_list")]
    pub data: Option<Vec<T>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<T: serde::de::DeserializeOwned>(json: &str) -> Envelope<T> {
        serde_json::from_str(json).expect("a Helix envelope decodes")
    }

    #[test]
    fn users_decode_from_helix_sample() {
        // The shape of Helix's Get Users reference sample.
        let e: Envelope<WireUser> = env(r#"{"data":[{"id":"141981764","login":"twitchdev",
            "display_name":"TwitchDev","type":"","broadcaster_type":"partner",
            "description":"Supporting third-party developers building Twitch integrations.",
            "profile_image_url":"https://static-cdn.jtvnw.net/jtv_user_pictures/8a6381c7-d0c0-4576-b179-38bd5ce1d6af-profile_image-300x300.png",
            "offline_image_url":"https://static-cdn.jtvnw.net/jtv_user_pictures/3f13ab61-ec78-4fe6-8481-8682cb3b0ac2-channel_offline_image-1920x1080.png",
            "view_count":5980557,"email":"not-real@email.com","created_at":"2016-12-14T20:32:28Z"}]}"#);
        let u = &e.data[0];
        assert_eq!(u.id.as_deref(), Some("141981764"));
        assert!(u.is_partner());
        assert!(u.created_at.is_some());
        assert!(e.cursor().is_none());
    }

    #[test]
    fn channels_decode_with_tags_delay_and_empty_game() {
        let e: Envelope<WireChannel> = env(r#"{"data":[{"broadcaster_id":"141981764",
            "broadcaster_login":"twitchdev","broadcaster_name":"TwitchDev",
            "broadcaster_language":"en","game_id":"509670","game_name":"Science & Technology",
            "title":"TwitchDev Monthly Update // May 6, 2021","delay":0,
            "tags":["DevsInTheKnow"],"content_classification_labels":["Gambling"],
            "is_branded_content":false}]}"#);
        let c = &e.data[0];
        assert_eq!(c.delay, Some(0));
        assert_eq!(c.tags.as_deref(), Some(&["DevsInTheKnow".to_owned()][..]));
        assert_eq!(
            c.category().and_then(|c| c.name).as_deref(),
            Some("Science & Technology")
        );
        // Lenient: the delay as a string, nulls, a missing title, an empty game.
        let e: Envelope<WireChannel> = env(
            r#"{"data":[{"broadcaster_id":141981764,"delay":"30","tags":null,"game_id":"","game_name":""}, null, 5]}"#,
        );
        assert_eq!(e.data.len(), 1, "malformed items are skipped");
        let c = &e.data[0];
        assert_eq!(c.broadcaster_id.as_deref(), Some("141981764"));
        assert_eq!(c.delay, Some(30));
        assert!(c.tags.is_none() && c.title.is_none() && c.category().is_none());
    }

    #[test]
    fn streams_decode_and_an_empty_list_is_offline() {
        let e: Envelope<WireStream> = env(r#"{"data":[{"id":"40952121085","user_id":"101051819",
            "user_login":"afro","user_name":"Afro","game_id":"32982","game_name":"Grand Theft Auto V",
            "type":"live","title":"Jacob: Digital Den Laptops & Routers",
            "tags":["English"],"viewer_count":"1490","started_at":"2021-03-10T15:04:21Z",
            "language":"en","thumbnail_url":"https://static-cdn.jtvnw.net/previews-ttv/live_user_afro-{width}x{height}.jpg",
            "tag_ids":[],"is_mature":false}],"pagination":{"cursor":"eyJiIjp7IkN1cnNvciI6ImV5SnpJam8zT0RNMk5TNDBORFF4TlRjMU1UY3hOU3dpWkNJNlptRnNjMlVzSW5RaU9uUnlkV1Y5In0sImEiOnsiQ3Vyc29yIjoiZXlKeklqb3hOVGs0TkM0MU56RXhNekExTVRZNU1ESXNJbVFpT21aaGJITmxMQ0owSWpwMGNuVmxmUT09In19"}}"#);
        let s = &e.data[0];
        assert!(s.is_live());
        assert_eq!(s.viewer_count, Some(1490));
        assert!(s.started_at.is_some());
        assert!(e.cursor().is_some());
        let e: Envelope<WireStream> = env(r#"{"data":[],"pagination":{}}"#);
        assert!(e.data.is_empty() && e.cursor().is_none());
    }

    #[test]
    fn box_art_is_resized_in_both_forms() {
        assert_eq!(
            sized_box_art(
                "https://static-cdn.jtvnw.net/ttv-boxart/33214-52x72.jpg",
                (54, 72)
            ),
            "https://static-cdn.jtvnw.net/ttv-boxart/33214-54x72.jpg"
        );
        assert_eq!(
            sized_box_art(
                "https://static-cdn.jtvnw.net/ttv-boxart/33214-{width}x{height}.jpg",
                (54, 72)
            ),
            "https://static-cdn.jtvnw.net/ttv-boxart/33214-54x72.jpg"
        );
        assert_eq!(
            sized_box_art("https://x/ttv-boxart/Fortnite.png", (54, 72)),
            "https://x/ttv-boxart/Fortnite.png"
        );
        let e: Envelope<WireGame> = env(
            r#"{"data":[{"box_art_url":"https://static-cdn.jtvnw.net/ttv-boxart/33214-52x72.jpg",
            "broadcaster_language":"","id":"33214","name":"Fortnite"},{"id":"1"}],
            "pagination":{"cursor":"eyJiIjpudWxsLCJhIjp7IkN"}}"#,
        );
        let cats: Vec<_> = e
            .data
            .into_iter()
            .filter_map(|g| g.into_model((54, 72)))
            .collect();
        assert_eq!(cats.len(), 1, "a nameless entry is skipped");
        assert_eq!(cats[0].short_name, None);
        assert!(
            cats[0]
                .icon_url
                .as_deref()
                .unwrap_or("")
                .ends_with("-54x72.jpg")
        );
    }

    #[test]
    fn people_lists_decode_with_totals() {
        let e: Envelope<WireUserRef> = env(r#"{"total":8,"data":[{"user_id":"11111",
            "user_name":"UserDisplayName","user_login":"userloginname",
            "followed_at":"2022-05-24T22:22:08Z"}],"pagination":{"cursor":"eyJiIjpudWxsLCJhIjp7Ik9mZnNldCI6NX19"}}"#);
        assert_eq!(e.total, Some(8));
        let f = e.data[0].clone().into_follower().expect("a follower");
        assert_eq!(f.name, "userloginname");
        assert!(f.followed_at.is_some());
        let e: Envelope<WireSubscription> = env(r#"{"data":[{"broadcaster_id":"141981764",
            "broadcaster_login":"twitchdev","broadcaster_name":"TwitchDev","gifter_id":"12826",
            "gifter_login":"twitch","gifter_name":"Twitch","is_gift":true,"tier":"1000",
            "plan_name":"Channel Subscription (twitchdev)","user_id":"527115020",
            "user_name":"twitchgaming","user_login":"twitchgaming"}],
            "pagination":{"cursor":"xxxx"},"total":13,"points":13}"#);
        let s = e.data[0].clone().into_model().expect("a subscriber");
        assert_eq!(s.tier.as_deref(), Some("1000"));
        assert_eq!(e.total, Some(13));
        // A tier as a number keeps Twitch's digits.
        let e: Envelope<WireSubscription> =
            env(r#"{"data":[{"user_id":"1","user_name":"Ab","tier":2000}]}"#);
        let s = e.data[0].clone().into_model().expect("a subscriber");
        assert_eq!((s.name.as_str(), s.tier.as_deref()), ("ab", Some("2000")));
    }

    #[test]
    fn chat_drop_reason_and_commercial_decode() {
        let e: Envelope<WireSentMessage> = env(r#"{"data":[{"message_id":"","is_sent":false,
            "drop_reason":{"code":"msg_duplicate","message":"Your message is identical to the one you sent within the last 30 seconds."}}]}"#);
        let m = &e.data[0];
        assert!(!m.is_sent);
        assert!(
            m.drop_reason
                .as_ref()
                .and_then(|d| d.message.as_deref())
                .unwrap_or("")
                .contains("identical")
        );
        let e: Envelope<WireCommercial> =
            env(r#"{"data":[{"length":60,"message":"","retry_after":"480"}]}"#);
        assert_eq!(e.data[0].retry_after, Some(480));
    }

    #[test]
    fn teams_may_be_null_and_editors_lack_a_login() {
        let t: MaybeData<WireTeam> = serde_json::from_str(r#"{"data":null}"#).expect("decodes");
        assert!(items(t.data).is_empty());
        let t: MaybeData<WireTeam> = serde_json::from_str(
            r#"{"data":[{"broadcaster_id":"96909659",
            "broadcaster_login":"sawsquadron","broadcaster_name":"SawSquadron",
            "background_image_url":null,"banner":null,"created_at":"2013-06-18T19:44:10Z",
            "updated_at":"2021-04-01T00:04:05Z","info":"<p>Welcome</p>",
            "thumbnail_url":"https://static-cdn.jtvnw.net/jtv_user_pictures/team-thumb.png",
            "team_name":"livecoders","team_display_name":"Live Coders","id":"6358"}]}"#,
        )
        .expect("decodes");
        let team = items(t.data).remove(0).into_model().expect("a team");
        assert_eq!(
            (team.id.as_str(), team.name.as_str()),
            ("6358", "livecoders")
        );
        let e: Envelope<WireEditor> =
            env(r#"{"data":[{"user_id":"182891647","user_name":"mauerbac",
            "created_at":"2019-02-15T21:19:50.380833Z"}]}"#);
        let ed = e.data[0].clone().into_model(None).expect("an editor");
        assert_eq!(ed.name, "mauerbac");
        assert!(ed.since.is_some(), "fractional seconds parse");
    }

    #[test]
    fn videos_decode_from_helix_sample_with_durations_and_thumbnails() {
        // The shape of Helix's Get Videos reference sample.
        let e: Envelope<WireVideo> = env(r#"{"data":[{"id":"335921245","stream_id":null,
            "user_id":"141981764","user_login":"twitchdev","user_name":"TwitchDev",
            "title":"Twitch Developers 101","description":"Welcome to Twitch development!",
            "created_at":"2018-11-14T21:30:18Z","published_at":"2018-11-14T22:04:30Z",
            "url":"https://www.twitch.tv/videos/335921245",
            "thumbnail_url":"https://static-cdn.jtvnw.net/cf_vods/d2nvs31859zcd8/twitchdev/335921245/ce0f3a7f-57a3-4152-bc06-0c6610189fb3/thumb/index-0000000000-%{width}x%{height}.jpg",
            "viewable":"public","view_count":1863062,"language":"en","type":"upload",
            "duration":"3m21s","muted_segments":[{"duration":30,"offset":120}]},
            {"id":"1","type":"archive","duration":"3h8m33s","thumbnail_url":""},
            {"title":"no id"}],
            "pagination":{"cursor":"eyJiIjpudWxsLCJhIjp7Ik9mZnNldCI6NX19"}}"#);
        assert!(e.cursor().is_some());
        let v: Vec<Video> = e
            .data
            .into_iter()
            .filter_map(|v| v.into_model((320, 180)))
            .collect();
        assert_eq!(v.len(), 2, "an entry without an id is skipped");
        assert_eq!(v[0].duration, Some(201));
        assert_eq!(v[0].kind.as_deref(), Some("upload"));
        assert_eq!(v[0].view_count, Some(1_863_062));
        assert!(
            v[0].thumbnail_url
                .as_deref()
                .is_some_and(|u| u.ends_with("/index-0000000000-320x180.jpg")),
            "{:?}",
            v[0].thumbnail_url
        );
        assert_eq!(v[1].duration, Some(11_313));
        assert_eq!(v[1].thumbnail_url, None, "no thumbnail while recording");
        assert_eq!(v[1].url, "https://www.twitch.tv/videos/1");
        assert_eq!(v[1].title, "");
    }

    #[test]
    fn durations_parse_in_every_form_helix_uses() {
        for (text, secs) in [
            ("3h8m33s", Some(11_313)),
            ("1h0m0s", Some(3_600)),
            ("12m5s", Some(725)),
            ("42s", Some(42)),
            ("0s", Some(0)),
            ("2h", Some(7_200)),
            ("1m30.5s", Some(90)),
            ("512", Some(512)),
            (" 5m ", Some(300)),
            ("", None),
            ("3h8m33", None),
            ("5s3m", None),
            ("1h1h", None),
            ("h", None),
            ("1d2h", None),
            ("-5s", None),
        ] {
            assert_eq!(parse_duration(text), secs, "{text:?}");
        }
    }

    #[test]
    fn token_answers_take_scopes_as_list_or_string() {
        let t: TokenResponse = serde_json::from_str(r#"{"access_token":"a","expires_in":14124,
            "refresh_token":"r","scope":["channel:manage:broadcast","user:write:chat"],"token_type":"bearer"}"#)
            .expect("decodes");
        assert_eq!(t.scope.unwrap_or_default().len(), 2);
        assert!(format!("{:?}", t.access_token).contains("***"));
        let v: ValidateResponse = serde_json::from_str(
            r#"{"client_id":"wbmytr93xzw8zbg0p1izqyzzc5mbiz",
            "login":"twitchdev","scopes":null,"user_id":"141981764","expires_in":"5520838"}"#,
        )
        .expect("decodes");
        assert_eq!(v.expires_in, Some(5_520_838));
        assert!(v.scopes.is_none());
    }
}
