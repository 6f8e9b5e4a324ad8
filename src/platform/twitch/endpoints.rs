//! Every Helix endpoint Stagehand uses, each sending exactly what Helix documents and
//! answering in the platform-neutral model where one fits. Lists follow every page: a page
//! is never assumed full, a missing cursor or an empty page ends the list, and an entry two
//! pages both carry is listed once.

use super::client::{Call, PLATFORM, TwitchClient};
use super::wire::*;
use super::{
    BOX_ART_SIZE, CHAT_MAX_CHARS, DELAY_MAX_SECS, TAG_MAX_CHARS, TAGS_MAX, TITLE_MAX_CHARS,
    VIDEO_THUMBNAIL_SIZE,
};
use crate::error::{ErrorKind, PlatformError};
use crate::model::{
    Account, CategoryPage, Channel, ChannelChanges, CommercialStarted, Editor, FollowerList,
    ModerationAction, ModerationOutcome, Role, SubscriberList, TargetUser, Team, Video, Viewer,
    ViewerList,
};
use crate::platform::http::{CursorList, CursorPage, all_cursor_pages};
use crate::secret::Secret;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// Helix's page size for most lists.
pub const PAGE_MAX: u32 = 100;
/// The chatters list's page size (its maximum).
pub const CHATTERS_PAGE: u32 = 1000;
/// A guard against a server whose cursor never ends a list.
const MAX_PAGES: usize = 10_000;
/// The shortest and longest commercial Helix starts, in seconds.
pub const COMMERCIAL_SECS: std::ops::RangeInclusive<u32> = 30..=180;
/// The longest timeout Helix takes, in seconds (two weeks).
pub const TIMEOUT_MAX_SECS: u32 = 1_209_600;

fn missing(what: &str) -> PlatformError {
    PlatformError::BadShape {
        platform: PLATFORM,
        detail: format!("the answer has no {what}"),
    }
}

fn refuse(sentence: impl Into<String>) -> PlatformError {
    PlatformError::Api {
        platform: PLATFORM,
        code: 0,
        kind: ErrorKind::InvalidInput,
        sentence: sentence.into(),
    }
}

/// Checks a change against Twitch's rules before anything is sent: no audience, a title that
/// is not empty, at most 10 tags of at most 25 letters or digits each (no spaces, no
/// repeats), and a delay only for partners, at most 900 s.
pub fn check_changes(changes: &ChannelChanges, is_partner: bool) -> Result<(), PlatformError> {
    if changes.audience.is_some() {
        return Err(PlatformError::Unsupported {
            platform: PLATFORM,
            what: "audience setting (its content labels are set on Twitch's dashboard)".into(),
        });
    }
    if let Some(title) = &changes.title {
        if title.trim().is_empty() {
            return Err(refuse("the title must not be empty on Twitch"));
        }
        let n = title.trim().chars().count();
        if n > TITLE_MAX_CHARS {
            return Err(refuse(format!(
                "a Twitch title may be at most {TITLE_MAX_CHARS} characters (this one has {n})"
            )));
        }
    }
    if let Some(tags) = &changes.tags {
        if tags.len() > TAGS_MAX {
            return Err(refuse(format!(
                "a Twitch channel may carry at most {TAGS_MAX} tags ({} given)",
                tags.len()
            )));
        }
        let mut seen = HashSet::new();
        for tag in tags {
            let n = tag.chars().count();
            if n == 0 {
                return Err(refuse("a Twitch tag must not be empty"));
            }
            if tag.chars().any(char::is_whitespace) {
                return Err(refuse(format!(
                    "the tag {tag:?} has a space; Twitch tags have none"
                )));
            }
            if n > TAG_MAX_CHARS {
                return Err(refuse(format!(
                    "the tag {tag:?} is {n} characters long; Twitch takes at most {TAG_MAX_CHARS}"
                )));
            }
            if !tag.chars().all(char::is_alphanumeric) {
                return Err(refuse(format!(
                    "the tag {tag:?} has a character Twitch refuses: use letters and digits only"
                )));
            }
            if !seen.insert(tag.to_lowercase()) {
                return Err(refuse(format!("the tag {tag:?} is given twice")));
            }
        }
    }
    if let Some(delay) = changes.delay {
        if !is_partner {
            return Err(PlatformError::Api {
                platform: PLATFORM,
                code: 0,
                kind: ErrorKind::Permission,
                sentence: "only Twitch partners can set a broadcast delay, and this channel is not a partner".into(),
            });
        }
        if delay > DELAY_MAX_SECS {
            return Err(refuse(format!(
                "a Twitch broadcast delay may be at most {DELAY_MAX_SECS} s ({delay} given)"
            )));
        }
    }
    Ok(())
}

/// A timeout's length against Helix's range, checked before anything is sent.
fn check_timeout(secs: u32) -> Result<(), PlatformError> {
    if (1..=TIMEOUT_MAX_SECS).contains(&secs) {
        Ok(())
    } else {
        Err(refuse(format!(
            "a Twitch timeout lasts 1 to {TIMEOUT_MAX_SECS} s ({secs} given)"
        )))
    }
}

/// Helix ids go into query strings as they are; anything but an id's characters is a
/// mistake worth reporting before sending.
fn check_id<'a>(id: &'a str, what: &str) -> Result<&'a str, PlatformError> {
    let id = id.trim();
    if !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        Ok(id)
    } else {
        Err(PlatformError::Config {
            platform: PLATFORM,
            message: format!("{id:?} is not a Twitch {what}"),
        })
    }
}

/// How Helix pages: `after` cursors; an empty page or a missing cursor ends the list.
const HELIX_LIST: CursorList = CursorList {
    param: "after",
    empty_page_ends: true,
    max_pages: MAX_PAGES,
};

/// Every page of a list: `call` plus `after` cursors, de-duplicated by `key`, up to `limit`
/// entries. Answers the entries and the platform's `total` when it gave one.
async fn all_pages<T: DeserializeOwned>(
    client: &TwitchClient,
    call: Call,
    limit: Option<usize>,
    key: impl Fn(&T) -> Option<String>,
) -> Result<(Vec<T>, Option<u64>), PlatformError> {
    all_cursor_pages(
        HELIX_LIST,
        call,
        limit,
        |c| client.call::<Envelope<T>>(c),
        |page| CursorPage {
            next: page.cursor().map(str::to_owned),
            total: page.total,
            items: page.data,
        },
        key,
    )
    .await
}

fn first<T>(data: Vec<T>) -> Option<T> {
    data.into_iter().next()
}

impl TwitchClient {
    // ------------------------------------------------------------ users

    /// The signed-in user (`GET /users` with no query), asked once and remembered.
    pub async fn own_user(&self) -> Result<WireUser, PlatformError> {
        if let Some(u) = self.cached_own_user() {
            return Ok(u);
        }
        let r: Envelope<WireUser> = self.call(Call::get("users")).await?;
        let user = first(r.data)
            .filter(|u| u.id.as_deref().is_some_and(|id| !id.is_empty()))
            .ok_or_else(|| missing("user"))?;
        self.cache_own_user(&user);
        Ok(user)
    }

    /// The signed-in user's id.
    pub async fn own_id(&self) -> Result<String, PlatformError> {
        self.own_user().await?.id.ok_or_else(|| missing("user id"))
    }

    /// The signed-in account.
    pub async fn account(&self) -> Result<Account, PlatformError> {
        let u = self.own_user().await?;
        let id = u.id.clone().ok_or_else(|| missing("user id"))?;
        let name = u
            .login
            .clone()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| missing("login"))?;
        Ok(Account {
            display_name: u
                .display_name
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| name.clone()),
            avatar_url: u.profile_image_url.clone().filter(|s| !s.is_empty()),
            partner: u.is_partner(),
            id,
            name,
        })
    }

    /// A user by login (`GET /users?login=`); `None` when Twitch knows no such user.
    pub async fn user_by_login(&self, login: &str) -> Result<Option<WireUser>, PlatformError> {
        let login = login.trim().trim_start_matches('@').to_lowercase();
        let call = Call::get("users").query("login", check_id(&login, "login")?);
        let r: Envelope<WireUser> = self.call(call).await?;
        Ok(first(r.data))
    }

    /// Users by id (`GET /users?id=..`, up to 100 per call).
    pub async fn users_by_id(&self, ids: &[String]) -> Result<Vec<WireUser>, PlatformError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(PAGE_MAX as usize) {
            let mut call = Call::get("users");
            for id in chunk {
                call = call.query("id", check_id(id, "user id")?);
            }
            let r: Envelope<WireUser> = self.call(call).await?;
            out.extend(r.data);
        }
        Ok(out)
    }

    // ------------------------------------------------------------ channels

    /// A channel's settings (`GET /channels?broadcaster_id=`).
    pub async fn channel_info(&self, broadcaster_id: &str) -> Result<WireChannel, PlatformError> {
        let call =
            Call::get("channels").query("broadcaster_id", check_id(broadcaster_id, "channel id")?);
        let r: Envelope<WireChannel> = self.call(call).await?;
        first(r.data).ok_or_else(|| PlatformError::Api {
            platform: PLATFORM,
            code: 404,
            kind: ErrorKind::NotFound,
            sentence: format!("Twitch has no channel with the id {broadcaster_id}"),
        })
    }

    /// The live stream of a user, `None` while offline (`GET /streams?user_id=`).
    pub async fn stream(&self, user_id: &str) -> Result<Option<WireStream>, PlatformError> {
        let call = Call::get("streams")
            .query("user_id", check_id(user_id, "user id")?)
            .query("first", 1);
        let r: Envelope<WireStream> = self.call(call).await?;
        Ok(first(r.data).filter(WireStream::is_live))
    }

    /// The number of followers (the `total` of `GET /channels/followers?first=1`).
    async fn follower_total(&self, broadcaster_id: &str) -> Result<Option<u64>, PlatformError> {
        let call = Call::get("channels/followers")
            .query("broadcaster_id", broadcaster_id)
            .query("first", 1);
        let r: Envelope<serde::de::IgnoredAny> = self.call(call).await?;
        Ok(r.total)
    }

    /// The number of subscribers of the own channel (`GET /subscriptions?first=1`).
    async fn subscriber_total(&self, broadcaster_id: &str) -> Result<Option<u64>, PlatformError> {
        let call = Call::get("subscriptions")
            .query("broadcaster_id", broadcaster_id)
            .query("first", 1);
        let r: Envelope<serde::de::IgnoredAny> = self.call(call).await?;
        Ok(r.total)
    }

    /// A channel as the model has it: settings, the live stream, the owner's picture and the
    /// follower count (and, for the own channel, the subscriber count). The counts are
    /// extras: a failure to read them leaves them absent instead of failing the channel.
    async fn assemble(&self, user: WireUser, own: bool) -> Result<Channel, PlatformError> {
        let id = user.id.clone().ok_or_else(|| missing("user id"))?;
        let (info, stream, followers, subscribers) = tokio::join!(
            self.channel_info(&id),
            self.stream(&id),
            self.follower_total(&id),
            async {
                if own {
                    self.subscriber_total(&id).await
                } else {
                    Ok(None)
                }
            }
        );
        let info = info?;
        let stream = stream?;
        let count = |r: Result<Option<u64>, PlatformError>, what: &str| {
            r.unwrap_or_else(|e| {
                tracing::debug!("Twitch {what} count unavailable: {e}");
                None
            })
        };
        let name = info
            .broadcaster_login
            .clone()
            .filter(|s| !s.is_empty())
            .or(user.login.clone())
            .unwrap_or_default();
        Ok(Channel {
            id,
            name,
            display_name: info
                .broadcaster_name
                .clone()
                .filter(|s| !s.is_empty())
                .or(user.display_name.clone()),
            title: info.title.clone().unwrap_or_default(),
            category: info.category(),
            language: info
                .broadcaster_language
                .clone()
                .map(|l| l.trim().to_owned())
                .filter(|l| !l.is_empty()),
            // Twitch has no audience setting.
            audience: None,
            is_live: stream.is_some(),
            viewers: stream.as_ref().and_then(|s| s.viewer_count),
            followers: count(followers, "follower"),
            subscribers: count(subscribers, "subscriber"),
            started_at: stream.as_ref().and_then(|s| s.started_at),
            avatar_url: user.profile_image_url.clone().filter(|s| !s.is_empty()),
            tags: Some(info.tags.clone().unwrap_or_default()),
            delay: info.delay.map(|d| d.min(u64::from(u32::MAX)) as u32),
        })
    }

    /// The signed-in user's channel.
    pub async fn own_channel(&self) -> Result<Channel, PlatformError> {
        let user = self.own_user().await?;
        self.assemble(user, true).await
    }

    /// Any channel by its broadcaster id.
    pub async fn channel_by_id(&self, id: &str) -> Result<Channel, PlatformError> {
        let id = check_id(id, "channel id")?;
        if self.cached_own_user().and_then(|u| u.id).as_deref() == Some(id) {
            return self.own_channel().await;
        }
        let user =
            first(self.users_by_id(&[id.to_owned()]).await?).ok_or_else(|| PlatformError::Api {
                platform: PLATFORM,
                code: 404,
                kind: ErrorKind::NotFound,
                sentence: format!("Twitch has no channel with the id {id}"),
            })?;
        self.assemble(user, false).await
    }

    /// Any channel by its login (the last part of its URL).
    pub async fn channel_by_name(&self, login: &str) -> Result<Channel, PlatformError> {
        let user = self
            .user_by_login(login)
            .await?
            .ok_or_else(|| PlatformError::Api {
                platform: PLATFORM,
                code: 404,
                kind: ErrorKind::NotFound,
                sentence: format!("Twitch has no channel named {:?}", login.trim()),
            })?;
        let own = self
            .cached_own_user()
            .and_then(|u| u.id)
            .is_some_and(|id| Some(&id) == user.id.as_ref());
        self.assemble(user, own).await
    }

    /// Changes the own channel's title, category, language, tags and delay, sending only
    /// the fields given (`PATCH /channels`, scope channel:manage:broadcast; Twitch answers
    /// 204). Refused before sending: an audience, an empty title, tags breaking Twitch's
    /// rules, a delay on a channel that is not a partner.
    pub async fn update_channel(&self, changes: &ChannelChanges) -> Result<(), PlatformError> {
        let user = self.own_user().await?;
        check_changes(changes, user.is_partner())?;
        if changes.is_empty() {
            return Ok(());
        }
        let id = user.id.clone().ok_or_else(|| missing("user id"))?;
        let body = ModifyChannel {
            title: changes.title.as_deref().map(str::trim),
            game_id: changes.category_id.as_deref().map(str::trim),
            // Helix takes ISO 639-1 codes in lower case (or "other").
            broadcaster_language: changes
                .language
                .as_deref()
                .map(|l| l.trim().to_ascii_lowercase()),
            tags: changes.tags.as_deref(),
            delay: changes.delay,
        };
        let body = serde_json::to_value(&body).map_err(|_| missing("request body"))?;
        let call = Call::with_body(Method::PATCH, "channels", body).query("broadcaster_id", id);
        self.call_unit(call).await
    }

    /// The own stream key (`GET /streams/key`, scope channel:read:stream_key). Read only:
    /// Helix cannot reset it. Never logged.
    pub async fn stream_key(&self) -> Result<Secret, PlatformError> {
        let id = self.own_id().await?;
        let r: Envelope<WireStreamKey> = self
            .call(Call::get("streams/key").query("broadcaster_id", id))
            .await?;
        first(r.data)
            .and_then(|k| k.stream_key)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| missing("stream key"))
    }

    /// The own channel's editors (`GET /channels/editors`, scope channel:read:editors).
    /// Helix gives their display names only; their logins are looked up.
    pub async fn editors(&self) -> Result<Vec<Editor>, PlatformError> {
        let id = self.own_id().await?;
        let r: Envelope<WireEditor> = self
            .call(Call::get("channels/editors").query("broadcaster_id", id))
            .await?;
        let ids: Vec<String> = r
            .data
            .iter()
            .filter_map(|e| e.user_id.clone().filter(|s| !s.is_empty()))
            .collect();
        let logins: HashMap<String, String> = if ids.is_empty() {
            HashMap::new()
        } else {
            self.users_by_id(&ids)
                .await?
                .into_iter()
                .filter_map(|u| Some((u.id?, u.login.filter(|l| !l.is_empty())?)))
                .collect()
        };
        let mut seen = HashSet::new();
        Ok(r.data
            .into_iter()
            .filter_map(|e| {
                let login = e.user_id.as_ref().and_then(|id| logins.get(id).cloned());
                e.into_model(login)
            })
            .filter(|e| seen.insert(e.id.clone()))
            .collect())
    }

    /// The teams the own channel (or `broadcaster_id`) belongs to (`GET /teams/channel`).
    pub async fn teams(&self, broadcaster_id: Option<&str>) -> Result<Vec<Team>, PlatformError> {
        let id = match broadcaster_id {
            Some(id) => check_id(id, "channel id")?.to_owned(),
            None => self.own_id().await?,
        };
        let r: MaybeData<WireTeam> = self
            .call(Call::get("teams/channel").query("broadcaster_id", id))
            .await?;
        Ok(items(r.data)
            .into_iter()
            .filter_map(WireTeam::into_model)
            .collect())
    }

    /// Starts a commercial of `length` seconds (30..=180) on the own live channel
    /// (`POST /channels/commercial`, scope channel:edit:commercial). Never sent twice.
    pub async fn start_commercial(&self, length: u32) -> Result<CommercialStarted, PlatformError> {
        if !COMMERCIAL_SECS.contains(&length) {
            return Err(refuse(format!(
                "a Twitch commercial lasts {} to {} s ({length} given)",
                COMMERCIAL_SECS.start(),
                COMMERCIAL_SECS.end()
            )));
        }
        let id = self.own_id().await?;
        let body = json!({ "broadcaster_id": id, "length": length });
        let r: Envelope<WireCommercial> = self
            .call(Call::with_body(Method::POST, "channels/commercial", body).once())
            .await?;
        let c = first(r.data).ok_or_else(|| missing("commercial"))?;
        Ok(CommercialStarted {
            length: c
                .length
                .map_or(length, |l| l.min(u64::from(u32::MAX)) as u32),
            message: c.message.filter(|m| !m.trim().is_empty()),
            retry_after: c.retry_after.unwrap_or(0).min(u64::from(u32::MAX)) as u32,
        })
    }

    // ------------------------------------------------------------ videos

    /// The own channel's (or `user_id`'s) videos, newest first: past broadcasts, highlights
    /// and uploads, the archive being recorded included while live (`GET /videos?user_id=`,
    /// no scope). All pages unless `limit`; thumbnails at `VIDEO_THUMBNAIL_SIZE`.
    pub async fn videos(
        &self,
        user_id: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Vec<Video>, PlatformError> {
        if limit == Some(0) {
            return Ok(Vec::new());
        }
        let id = self.broadcaster(user_id).await?;
        let page = limit.map_or(PAGE_MAX as usize, |l| l.min(PAGE_MAX as usize));
        let call = Call::get("videos")
            .query("user_id", id)
            .query("first", page);
        let (items, _) = all_pages(self, call, limit, |v: &WireVideo| {
            v.id.clone().filter(|s| !s.trim().is_empty())
        })
        .await?;
        Ok(items
            .into_iter()
            .filter_map(|v| v.into_model(VIDEO_THUMBNAIL_SIZE))
            .collect())
    }

    // ------------------------------------------------------------ categories

    /// Categories matching `query` (`GET /search/categories`), or the top categories when
    /// `query` is empty (`GET /games/top`). Box art comes at `BOX_ART_SIZE`. `has_more`
    /// says whether Twitch has another page.
    pub async fn categories(
        &self,
        query: &str,
        limit: Option<usize>,
    ) -> Result<CategoryPage, PlatformError> {
        let first_n = limit
            .unwrap_or(PAGE_MAX as usize)
            .clamp(1, PAGE_MAX as usize);
        let query = query.trim();
        let call = if query.is_empty() {
            Call::get("games/top").query("first", first_n)
        } else {
            Call::get("search/categories")
                .query("query", query)
                .query("first", first_n)
        };
        let r: Envelope<WireGame> = self.call(call).await?;
        let has_more = r.cursor().is_some() || r.data.len() > first_n;
        let mut seen = HashSet::new();
        let mut categories: Vec<_> = r
            .data
            .into_iter()
            .filter_map(|g| g.into_model(BOX_ART_SIZE))
            .filter(|c| seen.insert(c.id.clone()))
            .collect();
        categories.truncate(first_n);
        Ok(CategoryPage {
            categories,
            has_more,
        })
    }

    // ------------------------------------------------------------ people

    /// A channel's followers, newest first, all pages unless `limit`
    /// (`GET /channels/followers`, scope moderator:read:followers).
    pub async fn followers(
        &self,
        broadcaster_id: Option<&str>,
        limit: Option<usize>,
    ) -> Result<FollowerList, PlatformError> {
        let id = self.broadcaster(broadcaster_id).await?;
        let call = Call::get("channels/followers")
            .query("broadcaster_id", id)
            .query("first", PAGE_MAX);
        let (items, total) = all_pages(self, call, limit, |f: &WireUserRef| {
            f.id().map(str::to_owned)
        })
        .await?;
        let followers: Vec<_> = items
            .into_iter()
            .filter_map(WireUserRef::into_follower)
            .collect();
        Ok(FollowerList {
            total: total.unwrap_or(0).max(followers.len() as u64),
            followers,
        })
    }

    /// The own channel's subscribers, all pages (`GET /subscriptions`, scope
    /// channel:read:subscriptions), with Twitch's tier strings.
    pub async fn subscribers(&self) -> Result<SubscriberList, PlatformError> {
        let id = self.own_id().await?;
        let call = Call::get("subscriptions")
            .query("broadcaster_id", id)
            .query("first", PAGE_MAX);
        let (items, total) = all_pages(self, call, None, |s: &WireSubscription| {
            s.user_id.clone().filter(|s| !s.is_empty())
        })
        .await?;
        let subscribers: Vec<_> = items
            .into_iter()
            .filter_map(WireSubscription::into_model)
            .collect();
        Ok(SubscriberList {
            total: total.unwrap_or(0).max(subscribers.len() as u64),
            subscribers,
        })
    }

    /// A list of users that pages like the moderators and VIPs lists.
    async fn user_list(
        &self,
        path: &str,
        broadcaster_id: &str,
    ) -> Result<Vec<WireUserRef>, PlatformError> {
        let call = Call::get(path)
            .query("broadcaster_id", broadcaster_id)
            .query("first", PAGE_MAX);
        Ok(all_pages(self, call, None, |u: &WireUserRef| {
            u.id().map(str::to_owned)
        })
        .await?
        .0)
    }

    /// The channel's moderators (`GET /moderation/moderators`, scope moderation:read).
    pub async fn moderators(
        &self,
        broadcaster_id: &str,
    ) -> Result<Vec<WireUserRef>, PlatformError> {
        self.user_list("moderation/moderators", broadcaster_id)
            .await
    }

    /// The channel's VIPs (`GET /channels/vips`, scope channel:read:vips).
    pub async fn vips(&self, broadcaster_id: &str) -> Result<Vec<WireUserRef>, PlatformError> {
        self.user_list("channels/vips", broadcaster_id).await
    }

    /// Everyone in the channel's chat, each once, with the roles `broadcaster`, `moderator`
    /// and `vip` (`GET /chat/chatters`, first=1000, the signed-in user as moderator, scope
    /// moderator:read:chatters; roles from the moderators and VIPs lists). The broadcaster
    /// is always listed, as its own moderator. `total` is Twitch's count of chatters;
    /// Twitch does not count anonymous viewers, so `anonymous` is `None`.
    pub async fn viewers(&self, broadcaster_id: Option<&str>) -> Result<ViewerList, PlatformError> {
        let me = self.own_user().await?;
        let me_id = me.id.clone().ok_or_else(|| missing("user id"))?;
        let id = match broadcaster_id {
            Some(id) => check_id(id, "channel id")?.to_owned(),
            None => me_id.clone(),
        };
        let call = Call::get("chat/chatters")
            .query("broadcaster_id", &id)
            .query("moderator_id", &me_id)
            .query("first", CHATTERS_PAGE);
        let ((chatters, total), mods, vips) = {
            let (c, m, v) = tokio::join!(
                all_pages(self, call, None, |u: &WireUserRef| u
                    .id()
                    .map(str::to_owned)),
                self.moderators(&id),
                self.vips(&id),
            );
            (c?, m?, v?)
        };
        let broadcaster_login = if id == me_id {
            me.login.clone()
        } else {
            self.channel_info(&id).await?.broadcaster_login
        };
        let mod_ids: HashSet<_> = mods
            .iter()
            .filter_map(|u| u.id().map(str::to_owned))
            .collect();
        let vip_ids: HashSet<_> = vips
            .iter()
            .filter_map(|u| u.id().map(str::to_owned))
            .collect();
        let roles_of = |uid: Option<&str>| -> Vec<Role> {
            let mut roles = Vec::new();
            let Some(uid) = uid else { return roles };
            if uid == id {
                roles.push(Cow::Borrowed("broadcaster"));
                roles.push(Cow::Borrowed("moderator"));
                return roles;
            }
            if mod_ids.contains(uid) {
                roles.push(Cow::Borrowed("moderator"));
            }
            if vip_ids.contains(uid) {
                roles.push(Cow::Borrowed("vip"));
            }
            roles
        };
        let mut viewers = Vec::with_capacity(chatters.len() + 1);
        let mut broadcaster_listed = false;
        for c in &chatters {
            let Some(name) = c.login() else { continue };
            broadcaster_listed |= c.id() == Some(id.as_str());
            viewers.push(Viewer {
                name,
                roles: roles_of(c.id()),
            });
        }
        if !broadcaster_listed && let Some(login) = broadcaster_login.filter(|l| !l.is_empty()) {
            viewers.insert(
                0,
                Viewer {
                    name: login,
                    roles: roles_of(Some(&id)),
                },
            );
        }
        Ok(ViewerList {
            total: total.unwrap_or(chatters.len() as u64),
            anonymous: None,
            viewers,
        })
    }

    async fn broadcaster(&self, broadcaster_id: Option<&str>) -> Result<String, PlatformError> {
        match broadcaster_id {
            Some(id) => Ok(check_id(id, "channel id")?.to_owned()),
            None => self.own_id().await,
        }
    }

    // ------------------------------------------------------------ chat

    /// Sends a chat line as the signed-in user to the own channel or `broadcaster_id`
    /// (`POST /chat/messages`, scope user:write:chat). A line over 500 characters is refused
    /// before sending; a line Twitch drops (`is_sent` false) is an error carrying Twitch's
    /// `drop_reason`. Never sent twice. Answers the message id.
    pub async fn send_chat(
        &self,
        message: &str,
        broadcaster_id: Option<&str>,
    ) -> Result<String, PlatformError> {
        let n = message.chars().count();
        if message.trim().is_empty() {
            return Err(refuse("an empty chat message cannot be sent"));
        }
        if n > CHAT_MAX_CHARS {
            return Err(refuse(format!(
                "a Twitch chat message may be at most {CHAT_MAX_CHARS} characters (this one has {n}); nothing was sent"
            )));
        }
        let sender = self.own_id().await?;
        let to = match broadcaster_id {
            Some(id) => check_id(id, "channel id")?.to_owned(),
            None => sender.clone(),
        };
        let body = json!({ "broadcaster_id": to, "sender_id": sender, "message": message });
        let r: Envelope<WireSentMessage> = self
            .call(Call::with_body(Method::POST, "chat/messages", body).once())
            .await?;
        let sent = first(r.data).ok_or_else(|| missing("sent message"))?;
        if !sent.is_sent {
            let reason = sent.drop_reason.unwrap_or_default();
            let why = reason
                .message
                .filter(|m| !m.trim().is_empty())
                .or(reason.code.filter(|c| !c.trim().is_empty()))
                .unwrap_or_else(|| "no reason given".into());
            return Err(PlatformError::Api {
                platform: PLATFORM,
                code: 0,
                kind: ErrorKind::ChatRefused,
                sentence: format!("Twitch dropped the chat message: {why}"),
            });
        }
        Ok(sent.message_id.unwrap_or_default())
    }

    /// Deletes a chat message in the own channel (or `broadcaster_id`)
    /// (`DELETE /moderation/chat`, scope moderator:manage:chat_messages).
    pub async fn delete_message(
        &self,
        message_id: &str,
        broadcaster_id: Option<&str>,
    ) -> Result<(), PlatformError> {
        let me = self.own_id().await?;
        let to = match broadcaster_id {
            Some(id) => check_id(id, "channel id")?.to_owned(),
            None => me.clone(),
        };
        let call = Call::delete("moderation/chat")
            .query("broadcaster_id", to)
            .query("moderator_id", me)
            .query("message_id", check_id(message_id, "message id")?);
        self.call_unit(call).await
    }

    /// Bans a user from the own channel's chat (`POST /moderation/bans`, scope
    /// moderator:manage:banned_users). Never sent twice.
    pub async fn ban(&self, user_id: &str, reason: Option<&str>) -> Result<(), PlatformError> {
        self.ban_call(user_id, None, reason, None).await
    }

    /// Times a user out of the own channel's chat for `secs` (1..=1,209,600) seconds.
    pub async fn timeout(
        &self,
        user_id: &str,
        secs: u32,
        reason: Option<&str>,
    ) -> Result<(), PlatformError> {
        check_timeout(secs)?;
        self.ban_call(user_id, Some(secs), reason, None).await
    }

    async fn ban_call(
        &self,
        user_id: &str,
        duration: Option<u32>,
        reason: Option<&str>,
        broadcaster_id: Option<&str>,
    ) -> Result<(), PlatformError> {
        let me = self.own_id().await?;
        let to = match broadcaster_id {
            Some(id) => check_id(id, "channel id")?.to_owned(),
            None => me.clone(),
        };
        let mut data = json!({ "user_id": check_id(user_id, "user id")? });
        if let Some(d) = duration {
            data["duration"] = json!(d);
        }
        if let Some(r) = reason.map(str::trim).filter(|r| !r.is_empty()) {
            data["reason"] = json!(r);
        }
        let call = Call::with_body(Method::POST, "moderation/bans", json!({ "data": data }))
            .query("broadcaster_id", &to)
            .query("moderator_id", &me)
            .once();
        self.call_unit(call).await
    }

    /// The id of a user a moderation action names: an id as it is, a login looked up
    /// (`GET /users?login=`). A name Twitch does not know is taken as an id when it is all
    /// digits (a headless command cannot tell Twitch's numeric ids from logins).
    async fn target_id(&self, user: &TargetUser) -> Result<String, PlatformError> {
        match user {
            TargetUser::Id(id) => Ok(check_id(id, "user id")?.to_owned()),
            TargetUser::Name(name) => {
                let login = name.trim().trim_start_matches('@');
                if let Some(id) = self.user_by_login(login).await?.and_then(|u| u.id)
                    && !id.is_empty()
                {
                    return Ok(id);
                }
                if !login.is_empty() && login.chars().all(|c| c.is_ascii_digit()) {
                    return Ok(login.to_owned());
                }
                Err(PlatformError::Api {
                    platform: PLATFORM,
                    code: 404,
                    kind: ErrorKind::NotFound,
                    sentence: format!("Twitch has no user named {login:?}"),
                })
            }
        }
    }

    /// Carries out a moderation action in the own channel (or `broadcaster_id`'s) as the
    /// signed-in user: a message deleted, a user timed out or banned (a name is looked up
    /// first). Twitch's refusals (not a moderator, already banned, an unknown message)
    /// come back as errors carrying its message. Never sent twice.
    pub async fn moderate(
        &self,
        action: &ModerationAction,
        broadcaster_id: Option<&str>,
    ) -> Result<ModerationOutcome, PlatformError> {
        let reason = |r: &Option<String>| {
            r.as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
        };
        match action {
            ModerationAction::DeleteMessage { message_id, .. } => {
                let m = message_id.trim();
                if m.is_empty() {
                    return Err(refuse("deleting a message needs its id"));
                }
                self.delete_message(m, broadcaster_id).await?;
            }
            ModerationAction::Timeout {
                user,
                secs,
                reason: r,
            } => {
                check_timeout(*secs)?;
                let id = self.target_id(user).await?;
                self.ban_call(&id, Some(*secs), reason(r).as_deref(), broadcaster_id)
                    .await?;
            }
            ModerationAction::Ban { user, reason: r } => {
                let id = self.target_id(user).await?;
                self.ban_call(&id, None, reason(r).as_deref(), broadcaster_id)
                    .await?;
            }
        }
        Ok(ModerationOutcome::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Audience;

    fn tags(list: &[&str]) -> ChannelChanges {
        ChannelChanges {
            tags: Some(list.iter().map(|s| (*s).to_owned()).collect()),
            ..Default::default()
        }
    }

    #[test]
    fn changes_breaking_twitch_rules_are_refused_before_sending() {
        let title = |t: &str| ChannelChanges {
            title: Some(t.into()),
            ..Default::default()
        };
        assert!(check_changes(&title("Speedrun night"), false).is_ok());
        let e = check_changes(&title("  "), false).expect_err("empty title");
        assert!(e.to_string().contains("title must not be empty"), "{e}");
        assert!(check_changes(&title(&"x".repeat(141)), false).is_err());
        assert!(
            check_changes(&tags(&[]), false).is_ok(),
            "an empty list clears the tags"
        );
        assert!(check_changes(&tags(&["English", "日本語", "Speedrun2"]), false).is_ok());
        let e = check_changes(&tags(&["two words"]), false).expect_err("space");
        assert!(e.to_string().contains("space"), "{e}");
        assert!(check_changes(&tags(&[&"a".repeat(26)]), false).is_err());
        assert!(check_changes(&tags(&[&"a".repeat(25)]), false).is_ok());
        assert!(check_changes(&tags(&["c++"]), false).is_err());
        assert!(check_changes(&tags(&["Chill", "chill"]), false).is_err());
        let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        let refs: Vec<&str> = eleven.iter().map(String::as_str).collect();
        assert!(check_changes(&tags(&refs), false).is_err());
        assert!(check_changes(&tags(&refs[..10]), false).is_ok());
        let delay = |d| ChannelChanges {
            delay: Some(d),
            ..Default::default()
        };
        let e = check_changes(&delay(30), false).expect_err("not a partner");
        assert!(e.to_string().contains("partner"), "{e}");
        assert!(check_changes(&delay(30), true).is_ok());
        assert!(check_changes(&delay(901), true).is_err());
        let e = check_changes(
            &ChannelChanges {
                audience: Some(Audience::Teen),
                ..Default::default()
            },
            true,
        )
        .expect_err("no audience");
        assert!(matches!(e, PlatformError::Unsupported { .. }));
        assert_eq!(
            e.to_string(),
            "Twitch has no audience setting (its content labels are set on Twitch's dashboard)"
        );
    }
}
