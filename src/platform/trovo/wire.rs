//! Trovo's JSON shapes, as the reference documents them and as real clients found them:
//! counts and times come as numbers or strings, fields go missing, and some keys are misspelt
//! (`custome_roles`, `categroy_id`, `channeId`). Everything here is decoded leniently; the
//! translation into the platform-neutral model lives beside each shape.

use crate::model::{
    Account, Audience, Category, CategoryRef, Channel, Follower, Role, Subscriber, Viewer,
    ViewerList, distinct_display_name,
};
use crate::platform::lenient::{
    bool_lenient, lenient_list, opt_i64, opt_string, opt_string_list, opt_time, opt_u64,
};
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use time::OffsetDateTime;

/// Trovo's error body: `{"status": <code>, "error": "...", "message": "..."}`.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    #[serde(default, deserialize_with = "opt_i64")]
    pub status: Option<i64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub error: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub message: Option<String>,
}

impl ErrorBody {
    /// A body is an error when it carries a non-zero status with an explanation.
    pub fn code(&self) -> Option<i64> {
        match self.status {
            Some(code) if code != 0 && (self.error.is_some() || self.message.is_some()) => {
                Some(code)
            }
            _ => None,
        }
    }
}

/// The audience values Trovo uses on the wire.
pub fn audience_to_wire(a: Audience) -> &'static str {
    match a {
        Audience::All => "CHANNEL_AUDIENCE_TYPE_FAMILYFRIENDLY",
        Audience::Teen => "CHANNEL_AUDIENCE_TYPE_TEEN",
        Audience::Adult => "CHANNEL_AUDIENCE_TYPE_EIGHTEENPLUS",
    }
}

/// Reads an audience value; unknown values are absent rather than an error.
pub fn audience_from_wire(s: &str) -> Option<Audience> {
    match s.trim().to_ascii_uppercase().as_str() {
        "CHANNEL_AUDIENCE_TYPE_FAMILYFRIENDLY" => Some(Audience::All),
        "CHANNEL_AUDIENCE_TYPE_TEEN" => Some(Audience::Teen),
        "CHANNEL_AUDIENCE_TYPE_EIGHTEENPLUS" => Some(Audience::Adult),
        _ => None,
    }
}

// ---------------------------------------------------------------- categories

/// One entry of `category_info`.
#[derive(Debug, Deserialize)]
pub struct WireCategory {
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub short_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub icon_url: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub desc: Option<String>,
}

impl WireCategory {
    /// Entries without an id or a name cannot be picked; they are skipped.
    pub fn into_model(self) -> Option<Category> {
        let id = self.id.filter(|s| !s.is_empty())?;
        let name = self.name.filter(|s| !s.is_empty())?;
        Some(Category {
            id,
            name,
            short_name: self.short_name.filter(|s| !s.is_empty()),
            icon_url: self.icon_url.filter(|s| !s.is_empty()),
        })
    }
}

/// `GET /categorys/top` and `POST /searchcategory`.
#[derive(Debug, Deserialize)]
pub struct CategoriesResponse {
    #[serde(default, deserialize_with = "lenient_list")]
    pub category_info: Option<Vec<WireCategory>>,
    #[serde(default, deserialize_with = "bool_lenient")]
    pub has_more: bool,
}

// ---------------------------------------------------------------- channels

/// A channel as `/channels/id`, `/channel` and `/gettopchannels` describe it.
#[derive(Debug, Default, Deserialize)]
pub struct WireChannel {
    #[serde(default, deserialize_with = "opt_string")]
    pub channel_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub uid: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub streamer_user_id: Option<String>,
    #[serde(default, deserialize_with = "bool_lenient")]
    pub is_live: bool,
    #[serde(default, deserialize_with = "opt_string")]
    pub category_id: Option<String>,
    /// The top channels answer spells it this way in its field table.
    #[serde(default, deserialize_with = "opt_string")]
    pub categroy_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub category_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub live_title: Option<String>,
    /// The top channels answer calls the title `title`.
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub audi_type: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub language_code: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub current_viewers: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub followers: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub num_followers: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub subscriber_num: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub profile_pic: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub channel_url: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub nick_name: Option<String>,
    #[serde(default, deserialize_with = "opt_time")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "opt_time")]
    pub stream_started_at: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "opt_time")]
    pub ended_at: Option<OffsetDateTime>,
    /// Only on the own-channel call; a `Secret`, so no `{:?}` can show it.
    #[serde(default)]
    pub stream_key: Option<Secret>,
}

impl WireChannel {
    /// The username: the `username` field, or else the last part of the channel URL.
    pub fn username(&self) -> Option<String> {
        self.username.clone().filter(|s| !s.is_empty()).or_else(|| {
            let url = self.channel_url.as_deref()?;
            let last = url.trim_end_matches('/').rsplit('/').next()?;
            (!last.is_empty() && !last.contains(':')).then(|| last.to_owned())
        })
    }

    /// The channel's id from whichever field carries it.
    pub fn id(&self) -> Option<String> {
        [&self.channel_id, &self.uid, &self.streamer_user_id]
            .into_iter()
            .flatten()
            .find(|s| !s.is_empty())
            .cloned()
    }

    /// Translates into the model. `known_id` fills the id when the answer omits it (the
    /// by-id call does not echo it).
    pub fn into_model(self, known_id: Option<&str>) -> Channel {
        let id = self
            .id()
            .or(known_id.map(str::to_owned))
            .unwrap_or_default();
        let name = self.username().unwrap_or_default();
        let category_id = self
            .category_id
            .or(self.categroy_id)
            .filter(|s| !s.is_empty());
        let category_name = self.category_name.filter(|s| !s.is_empty());
        let category = (category_id.is_some() || category_name.is_some()).then_some(CategoryRef {
            id: category_id,
            name: category_name,
        });
        // Trovo reports the latest start even when offline; only a live channel has one now.
        let started_at = if self.is_live {
            self.started_at.or(self.stream_started_at)
        } else {
            None
        };
        Channel {
            id,
            name,
            display_name: self.nick_name.filter(|s| !s.is_empty()),
            title: self.live_title.or(self.title).unwrap_or_default(),
            category,
            language: self
                .language_code
                .filter(|s| !s.trim().is_empty())
                .map(|s| s.trim().to_owned()),
            audience: self.audi_type.as_deref().and_then(audience_from_wire),
            is_live: self.is_live,
            viewers: self.current_viewers,
            followers: self.followers.or(self.num_followers),
            subscribers: self.subscriber_num,
            started_at,
            avatar_url: self.profile_pic.filter(|s| !s.is_empty()),
            // Trovo channels have no tags and no broadcast delay.
            tags: None,
            delay: None,
        }
    }
}

/// `POST /gettopchannels`.
#[derive(Debug, Deserialize)]
pub struct TopChannelsResponse {
    #[serde(default, deserialize_with = "lenient_list")]
    pub top_channels_lists: Option<Vec<WireChannel>>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub total_page: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub token: Option<String>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub cursor: Option<u64>,
}

/// The body of `POST /channels/update`. Only changed fields are sent.
#[derive(Debug, Serialize)]
pub struct UpdateChannelRequest<'a> {
    /// The reference types it as int and its samples send a bare number.
    pub channel_id: ChannelIdNumber<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_title: Option<&'a str>,
    /// The reference's table names this field `category`, while its own sample request (and
    /// most public clients) send `category_id`; we send `category_id`, the form real clients
    /// are known to succeed with. The simulator accepts both.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audi_type: Option<&'static str>,
}

/// A channel id sent as a JSON number when it is one (the reference types channel ids in
/// request bodies as int), as a string otherwise.
#[derive(Debug, Clone, Copy)]
pub struct ChannelIdNumber<'a>(pub &'a str);

impl Serialize for ChannelIdNumber<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.parse::<u64>() {
            Ok(n) => s.serialize_u64(n),
            Err(_) => s.serialize_str(self.0),
        }
    }
}

// ---------------------------------------------------------------- users

/// `POST /getusers`.
#[derive(Debug, Deserialize)]
pub struct GetUsersResponse {
    #[serde(default, deserialize_with = "lenient_list")]
    pub users: Option<Vec<WireUserRef>>,
}

/// One user of `getusers`.
#[derive(Debug, Deserialize)]
pub struct WireUserRef {
    #[serde(default, deserialize_with = "opt_string")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub channel_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub nickname: Option<String>,
}

/// `GET /getuserinfo`: camelCase, unlike every other Trovo answer, and its own field table
/// misspells `channelId` as `channeId`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfoResponse {
    #[serde(default, deserialize_with = "opt_string")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub user_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub nick_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub profile_pic: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub info: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub channel_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub channe_id: Option<String>,
}

impl UserInfoResponse {
    /// The signed-in account in the model's terms.
    pub fn account(&self) -> Option<Account> {
        let id = self.user_id.clone().filter(|s| !s.is_empty())?;
        let name = self.user_name.clone().unwrap_or_default();
        Some(Account {
            display_name: self
                .nick_name
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| name.clone()),
            id,
            name,
            avatar_url: self.profile_pic.clone().filter(|s| !s.is_empty()),
            partner: false,
        })
    }

    /// The user's channel id (the same value as the user id on Trovo).
    pub fn channel_id(&self) -> Option<String> {
        self.channel_id
            .clone()
            .or_else(|| self.channe_id.clone())
            .or_else(|| self.user_id.clone())
            .filter(|s| !s.is_empty())
    }
}

// ---------------------------------------------------------------- people

/// `GET /channels/{id}/subscriptions`.
#[derive(Debug, Deserialize)]
pub struct SubscriptionsResponse {
    #[serde(default, deserialize_with = "opt_u64")]
    pub total: Option<u64>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub subscriptions: Option<Vec<WireSubscription>>,
}

/// One subscription.
#[derive(Debug, Deserialize)]
pub struct WireSubscription {
    #[serde(default)]
    pub user: Option<WireSubUser>,
    #[serde(default, deserialize_with = "opt_time")]
    pub sub_created_at: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "opt_string")]
    pub sub_lv: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub sub_tier: Option<String>,
}

/// The subscriber's user record.
#[derive(Debug, Deserialize)]
pub struct WireSubUser {
    #[serde(default, deserialize_with = "opt_string")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub display_name: Option<String>,
}

impl WireSubscription {
    /// `name` is the username where Trovo gives one, else the display name.
    pub fn into_model(self) -> Option<Subscriber> {
        let user = self.user?;
        let id = user.user_id.filter(|s| !s.is_empty())?;
        let name = user
            .username
            .filter(|s| !s.is_empty())
            .or_else(|| user.display_name.clone())
            .unwrap_or_default();
        Some(Subscriber {
            id,
            display_name: distinct_display_name(&name, user.display_name),
            name,
            tier: self.sub_tier.filter(|s| !s.is_empty()),
            since: self.sub_created_at,
            // Trovo does not say whether a subscription was a gift.
            gifted: None,
        })
    }
}

/// `POST /channels/{id}/followers`.
#[derive(Debug, Deserialize)]
pub struct FollowersResponse {
    #[serde(default, deserialize_with = "opt_u64")]
    pub total: Option<u64>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub follower: Option<Vec<WireFollower>>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub total_page: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub cursor: Option<u64>,
}

/// One follower.
#[derive(Debug, Deserialize)]
pub struct WireFollower {
    #[serde(default, deserialize_with = "opt_string")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub nickname: Option<String>,
    #[serde(default, deserialize_with = "opt_time")]
    pub followed_at: Option<OffsetDateTime>,
}

impl WireFollower {
    /// Followers without an id are skipped.
    pub fn into_model(self) -> Option<Follower> {
        Some(Follower {
            id: self.user_id.filter(|s| !s.is_empty())?,
            // Trovo's follower list gives the nickname only: it is the name.
            name: self.nickname.unwrap_or_default(),
            display_name: None,
            followed_at: self.followed_at,
        })
    }
}

/// `POST /channels/{id}/viewers`. Names are borrowed from the answer's bytes where they need
/// no unescaping: a 100,000-viewer answer is decoded without a copy per name per role.
#[derive(Debug, Deserialize)]
pub struct ViewersResponse<'a> {
    #[serde(default, deserialize_with = "opt_u64")]
    pub total: Option<u64>,
    #[serde(default, borrow)]
    pub chatters: Option<HashMap<Cow<'a, str>, Option<RoleGroup<'a>>>>,
    /// Trovo's answer spells it `custome_roles`; `custom_roles` is accepted too.
    #[serde(default, borrow, alias = "custom_roles")]
    pub custome_roles: Option<HashMap<Cow<'a, str>, Option<RoleGroup<'a>>>>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub total_page: Option<u64>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub cursor: Option<u64>,
}

/// `{"viewers": [names]}`; `viewers` may be null.
#[derive(Debug, Default, Deserialize)]
pub struct RoleGroup<'a> {
    #[serde(default, borrow)]
    pub viewers: Option<Vec<Name<'a>>>,
}

/// A nickname borrowed from the answer when it has no escapes (serde borrows a `Cow` only
/// through a visitor like this one, not inside a `Vec`). A number is taken as its digits;
/// a null is an empty name, which is skipped.
#[derive(Debug)]
pub struct Name<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Name<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Name<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a nickname")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(v.to_owned())))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(v.to_string())))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed("")))
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed("")))
            }
        }
        d.deserialize_any(V)
    }
}

/// The model's role name for a key of `chatters`: lower-case singular, borrowed for the
/// roles the reference lists.
pub fn role_name(group: &str) -> Role {
    const KNOWN: [(&str, &str); 11] = [
        ("moderators", "moderator"),
        ("editors", "editor"),
        ("supermods", "supermod"),
        ("subscribers", "subscriber"),
        ("followers", "follower"),
        ("admins", "admin"),
        ("vips", "vip"),
        ("wardens", "warden"),
        ("ace", "ace"),
        ("aceplus", "aceplus"),
        ("creators", "creator"),
    ];
    if let Some((_, role)) = KNOWN.iter().find(|(k, _)| k.eq_ignore_ascii_case(group)) {
        return Cow::Borrowed(role);
    }
    let lower = group.to_ascii_lowercase();
    Cow::Owned(match lower.strip_suffix('s') {
        Some(singular) => singular.to_owned(),
        None => lower,
    })
}

/// Finds a viewer in the list being built by name, without a second copy of every name:
/// the table holds positions in `ViewerList::viewers` and compares through them. Kept
/// across pages, so a viewer on two pages is listed once.
#[derive(Default)]
pub struct ViewerIndex {
    table: hashbrown::HashTable<u32>,
    hasher: foldhash::fast::FixedState,
}

impl ViewerIndex {
    /// The position of `name` in `viewers`, adding a viewer without roles when new.
    fn position(&mut self, name: &str, viewers: &mut Vec<Viewer>) -> usize {
        use std::hash::BuildHasher;
        let ViewerIndex { table, hasher } = self;
        let hash = hasher.hash_one(name);
        let entry = table.entry(
            hash,
            |&i| viewers[i as usize].name == name,
            |&i| hasher.hash_one(viewers[i as usize].name.as_str()),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(e) => *e.get() as usize,
            hashbrown::hash_table::Entry::Vacant(e) => {
                viewers.push(Viewer {
                    name: name.to_owned(),
                    roles: Vec::new(),
                });
                let i = viewers.len() - 1;
                e.insert(i as u32);
                i
            }
        }
    }
}

/// Folds one page of viewers into the list being built: each viewer once, with every role
/// they hold. `index` finds names already in `into`, across pages.
pub fn merge_viewers_page(
    page: ViewersResponse<'_>,
    into: &mut ViewerList,
    index: &mut ViewerIndex,
) {
    if let Some(total) = page.total {
        into.total = total;
    }
    let mut chatters = page.chatters.unwrap_or_default();
    // `all` first, so the list keeps the platform's order.
    if let Some(all) = chatters.remove("all").flatten().and_then(|g| g.viewers) {
        into.viewers.reserve(all.len());
        let ViewerIndex { table, hasher } = &mut *index;
        table.reserve(all.len(), |&i| {
            use std::hash::BuildHasher;
            hasher.hash_one(into.viewers[i as usize].name.as_str())
        });
        for name in all.iter().filter(|n| !n.0.is_empty()) {
            index.position(&name.0, &mut into.viewers);
        }
    }
    let mut groups: Vec<(Role, RoleGroup<'_>)> = chatters
        .into_iter()
        .filter_map(|(k, g)| Some((role_name(&k), g?)))
        .collect();
    groups.extend(
        page.custome_roles
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, g)| Some((Cow::Owned(k.into_owned()), g?))),
    );
    // A stable role order, whatever order the map gave.
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    for (role, group) in groups {
        // Role groups usually list people in the same order as `all`: look a few places
        // past the last match before hashing, which keeps memory access sequential. Any
        // order still works; it only costs the hash lookup.
        let mut hint = 0usize;
        for name in group.viewers.unwrap_or_default() {
            let name: &str = &name.0;
            if name.is_empty() {
                continue;
            }
            let near = into.viewers.get(hint..).unwrap_or_default();
            let i = match near.iter().take(4).position(|v| v.name == name) {
                Some(offset) => hint + offset,
                None => index.position(name, &mut into.viewers),
            };
            hint = i + 1;
            let roles = &mut into.viewers[i].roles;
            if !roles.contains(&role) {
                roles.push(role.clone());
            }
        }
    }
}

// ---------------------------------------------------------------- emotes, stream urls

/// `POST /getemotes`.
#[derive(Debug, Default, Deserialize)]
pub struct EmotesResponse {
    #[serde(default)]
    pub channels: Option<WireEmoteSets>,
}

/// The three emote sets.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireEmoteSets {
    #[serde(default)]
    pub customized_emotes: Option<WireCustomized>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub event_emotes: Option<Vec<Emote>>,
    #[serde(default, deserialize_with = "lenient_list")]
    pub global_emotes: Option<Vec<Emote>>,
}

/// `customizedEmotes`.
#[derive(Debug, Default, Deserialize)]
pub struct WireCustomized {
    #[serde(default, deserialize_with = "lenient_list")]
    pub channel: Option<Vec<ChannelEmotes>>,
}

/// A channel's custom emotes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct ChannelEmotes {
    #[serde(default, deserialize_with = "opt_string")]
    pub channel_id: Option<String>,
    #[serde(default, deserialize_with = "crate::platform::lenient::list")]
    pub emotes: Vec<Emote>,
}

/// One emote, as Trovo describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Emote {
    #[serde(default, deserialize_with = "crate::platform::lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "opt_string")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub activity_name: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub gifp: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub webp: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub update_time: Option<String>,
}

/// `POST /livestreamurl`.
#[derive(Debug, Deserialize)]
pub struct StreamUrlsResponse {
    /// The reference's field table spells it `Stream_urls`; its sample `stream_urls`.
    #[serde(default, alias = "Stream_urls", deserialize_with = "lenient_list")]
    pub stream_urls: Option<Vec<StreamUrl>>,
}

/// One playable URL of the live stream.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct StreamUrl {
    #[serde(default, deserialize_with = "crate::platform::lenient::string")]
    pub play_url: String,
    #[serde(default, deserialize_with = "opt_string")]
    pub desc: Option<String>,
}

// ---------------------------------------------------------------- chat and tokens

/// `POST /channels/command`: answered with HTTP 200 even when the command failed.
#[derive(Debug, Deserialize)]
pub struct CommandResponse {
    #[serde(default, deserialize_with = "bool_lenient")]
    pub is_success: bool,
    #[serde(default, deserialize_with = "opt_string")]
    pub display_msg: Option<String>,
}

/// `GET /chat/token` and `/chat/channel-token/{id}`.
#[derive(Debug, Deserialize)]
pub struct ChatTokenResponse {
    #[serde(default)]
    pub token: Option<Secret>,
}

/// `GET /validate`.
#[derive(Debug, Deserialize)]
pub struct ValidateResponse {
    #[serde(default, deserialize_with = "opt_string")]
    pub uid: Option<String>,
    #[serde(
        default,
        rename = "client_ID",
        alias = "client_id",
        deserialize_with = "opt_string"
    )]
    pub client_id: Option<String>,
    #[serde(default, deserialize_with = "opt_string")]
    pub nick_name: Option<String>,
    /// A list, or (leniently) one string with the scopes separated by spaces or `+`.
    #[serde(default, deserialize_with = "opt_string_list")]
    pub scopes: Option<Vec<String>>,
    #[serde(default, deserialize_with = "opt_time")]
    pub expire_ts: Option<OffsetDateTime>,
}

/// `POST /exchangetoken` and `/refreshtoken`.
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    #[serde(default)]
    pub access_token: Option<Secret>,
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    #[serde(default, deserialize_with = "opt_u64")]
    pub expires_in: Option<u64>,
    #[serde(default, deserialize_with = "opt_string")]
    pub token_type: Option<String>,
}

crate::platform::tokens::token_answer!(TokenResponse);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewers_merge_roles_and_accept_the_misspelt_custom_roles() {
        let body = r#"{"total":"3","chatters":{
            "all":{"viewers":["a","b","小龙"]},
            "moderators":{"viewers":["a"]},"VIPS":{"viewers":["b"]},
            "followers":{"viewers":["a","小龙"]},"aceplus":{"viewers":null}},
            "custome_roles":{"Artist":{"viewers":["b"]}}}"#;
        let page: ViewersResponse = serde_json::from_str(body).expect("decodes");
        let mut list = ViewerList::default();
        merge_viewers_page(page, &mut list, &mut ViewerIndex::default());
        assert_eq!(list.total, 3);
        let names: Vec<_> = list.viewers.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "小龙"]);
        assert_eq!(list.viewers[0].roles, ["follower", "moderator"]);
        assert_eq!(list.viewers[1].roles, ["Artist", "vip"]);
        assert_eq!(list.viewers[2].roles, ["follower"]);

        let alt = r#"{"total":1,"chatters":{"all":{"viewers":["x"]}},"custom_roles":{"Regulars":{"viewers":["x"]}}}"#;
        let page: ViewersResponse = serde_json::from_str(alt).expect("decodes");
        let mut list = ViewerList::default();
        merge_viewers_page(page, &mut list, &mut ViewerIndex::default());
        assert_eq!(list.viewers[0].roles, ["Regulars"]);
    }

    #[test]
    fn role_names_are_lower_case_singular() {
        for (wire, model) in [
            ("moderators", "moderator"),
            ("editors", "editor"),
            ("supermods", "supermod"),
            ("subscribers", "subscriber"),
            ("followers", "follower"),
            ("admins", "admin"),
            ("VIPS", "vip"),
            ("wardens", "warden"),
            ("ace", "ace"),
            ("aceplus", "aceplus"),
            ("creators", "creator"),
        ] {
            assert_eq!(role_name(wire), model);
        }
    }

    #[test]
    fn channel_reads_the_reference_sample() {
        let body = r#"{"is_live":false,"category_id":"10672","category_name":"Genshin Impact",
            "live_title":"Genshin impact with leafinsummer","audi_type":"CHANNEL_AUDIENCE_TYPE_FAMILYFRIENDLY",
            "language_code":"EN","current_viewers":0,"followers":27,"channel_url":"https://trovo.live/leafinsummer",
            "created_at":"1584341848","subscriber_num":1,"started_at":"1684341848","ended_at":"1684341798"}"#;
        let wire: WireChannel = serde_json::from_str(body).expect("decodes");
        let ch = wire.into_model(Some("100000021"));
        assert_eq!(ch.id, "100000021");
        assert_eq!(ch.name, "leafinsummer");
        assert_eq!(ch.audience, Some(Audience::All));
        assert_eq!(ch.followers, Some(27));
        assert_eq!(
            ch.started_at, None,
            "offline channels have no current start"
        );
        assert_eq!(
            ch.category.and_then(|c| c.id).as_deref(),
            Some("10672"),
            "category id"
        );
    }

    #[test]
    fn update_request_sends_only_changed_fields_and_a_numeric_id() {
        let req = UpdateChannelRequest {
            channel_id: ChannelIdNumber("100000031"),
            live_title: Some("Hi"),
            category_id: None,
            language_code: None,
            audi_type: Some(audience_to_wire(Audience::Teen)),
        };
        let json = serde_json::to_string(&req).expect("serialises");
        assert_eq!(
            json,
            r#"{"channel_id":100000031,"live_title":"Hi","audi_type":"CHANNEL_AUDIENCE_TYPE_TEEN"}"#
        );
    }

    #[test]
    fn error_bodies_are_recognised_by_status_and_text() {
        let e: ErrorBody =
            serde_json::from_str(r#"{"status":"11000","error":"x","message":"Invalid category."}"#)
                .expect("decodes");
        assert_eq!(e.code(), Some(11000));
        let ok: ErrorBody = serde_json::from_str(r#"{"empty":""}"#).expect("decodes");
        assert_eq!(ok.code(), None);
    }
}
