//! Every endpoint of Trovo's reference, each sending exactly the body the reference shows
//! and answering in the platform-neutral model where one fits.

use super::client::{Call, TokenPair, TrovoClient, shape_error};
use super::wire::{self, *};
use crate::error::PlatformError;
use crate::model::{
    Account, Category, CategoryPage, Channel, ChannelChanges, FollowerList, PlatformId, Subscriber,
    SubscriberList, ViewerList,
};
use crate::platform::http::{NumberedList, NumberedPage, Numbering, all_numbered_pages};
use crate::secret::Secret;
use serde_json::json;
use time::OffsetDateTime;

const PLATFORM: PlatformId = PlatformId::Trovo;

/// The most items one page of followers, subscribers or top channels may hold.
pub const PAGE_MAX: u32 = 100;
/// The viewer list's page size: the reference's maximum (and default).
pub const VIEWERS_PAGE: u32 = 100_000;
/// A guard against a server whose cursor never ends a list.
const MAX_PAGES: u64 = 10_000;

/// A user found by `getusers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRef {
    pub user_id: String,
    pub channel_id: String,
    pub username: String,
    pub nickname: String,
}

/// One page of subscribers, with what paging needs to know.
#[derive(Clone, Debug, Default)]
pub struct SubscriberPage {
    pub list: SubscriberList,
    /// Entries on the page, usable or not: the offset advances by this.
    pub raw_len: usize,
    /// Whether the platform gave a total (else it is this page's count).
    pub total_known: bool,
}

/// The signed-in user's own channel, with the stream key kept secret.
#[derive(Clone, Debug)]
pub struct OwnChannel {
    pub channel: Channel,
    pub stream_key: Option<Secret>,
}

/// One page of the live channels list, with what the next page needs.
#[derive(Clone, Debug, Default)]
pub struct TopChannelsPage {
    pub channels: Vec<Channel>,
    pub total_page: u64,
    /// Pass back with `cursor` for the next page.
    pub token: Option<String>,
    /// The page to ask for next.
    pub cursor: u64,
}

impl TopChannelsPage {
    /// Whether another page exists.
    pub fn has_next(&self) -> bool {
        self.token.is_some() && self.cursor < self.total_page
    }
}

/// Which emotes `getemotes` returns (the reference's `emote_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmoteKind {
    /// Platform emotes and the channels' custom ones (0).
    All = 0,
    /// The channels' custom emotes only (1).
    ChannelOnly = 1,
    /// Platform emotes only (2).
    PlatformOnly = 2,
}

/// The emote sets `getemotes` returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Emotes {
    pub global: Vec<Emote>,
    pub event: Vec<Emote>,
    pub custom: Vec<ChannelEmotes>,
}

/// The outcome of a chat command: Trovo answers 200 even when it failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandOutcome {
    pub success: bool,
    /// Why it failed, in Trovo's words (the chat box's warning).
    pub message: Option<String>,
}

/// What `validate` says of the access token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    pub user_id: String,
    pub client_id: Option<String>,
    pub nickname: Option<String>,
    pub scopes: Vec<String>,
    pub expires_at: Option<OffsetDateTime>,
}

/// Sort order of the lists that take `direction`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Oldest first (Trovo's default).
    Asc,
    /// Newest first.
    Desc,
}

impl Direction {
    fn wire(self) -> &'static str {
        match self {
            Direction::Asc => "asc",
            Direction::Desc => "desc",
        }
    }
}

fn missing(what: &str) -> PlatformError {
    PlatformError::BadShape {
        platform: PLATFORM,
        detail: format!("the answer has no {what}"),
    }
}

/// Channel ids go into paths; anything but an id's characters would change the path.
fn path_id(id: &str) -> Result<&str, PlatformError> {
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
            message: format!("{id:?} is not a channel, message or user id"),
        })
    }
}

impl TrovoClient {
    // ------------------------------------------------------------ categories

    /// The categories in Trovo's popularity order (`GET /categorys/top`, sic).
    pub async fn top_categories(&self) -> Result<Vec<Category>, PlatformError> {
        let r: CategoriesResponse = self.call(Call::get("categorys/top").anonymous()).await?;
        Ok(categories(r.category_info))
    }

    /// Categories matching `query` by name or short name (`POST /searchcategory`).
    pub async fn search_categories(
        &self,
        query: &str,
        limit: u32,
    ) -> Result<CategoryPage, PlatformError> {
        let body = json!({ "query": query, "limit": limit.clamp(1, PAGE_MAX) });
        let r: CategoriesResponse = self
            .call(Call::post("searchcategory", body).anonymous())
            .await?;
        Ok(CategoryPage {
            categories: categories(r.category_info),
            has_more: r.has_more,
        })
    }

    // ------------------------------------------------------------ channels

    /// One page of live channels, most watched first (`POST /gettopchannels`). Pass the
    /// previous page to get the next one.
    pub async fn top_channels_page(
        &self,
        limit: u32,
        category_id: Option<&str>,
        previous: Option<&TopChannelsPage>,
    ) -> Result<TopChannelsPage, PlatformError> {
        let body = json!({
            "limit": limit.clamp(1, PAGE_MAX),
            "after": true,
            "token": previous.and_then(|p| p.token.clone()).unwrap_or_default(),
            "cursor": previous.map_or(0, |p| p.cursor),
            "category_id": category_id.unwrap_or_default(),
        });
        let r: TopChannelsResponse = self
            .call(Call::post("gettopchannels", body).anonymous())
            .await?;
        let asked = previous.map_or(0, |p| p.cursor);
        Ok(TopChannelsPage {
            channels: r
                .top_channels_lists
                .unwrap_or_default()
                .into_iter()
                .map(|c| c.into_model(None))
                .collect(),
            total_page: r.total_page.unwrap_or(0),
            token: r.token.filter(|t| !t.is_empty()),
            // A server that does not advance the cursor would page forever; step it ourselves.
            cursor: r.cursor.filter(|&c| c > asked).unwrap_or(asked + 1),
        })
    }

    /// Up to `max` live channels, following the token/cursor paging.
    pub async fn top_channels(
        &self,
        max: usize,
        category_id: Option<&str>,
    ) -> Result<Vec<Channel>, PlatformError> {
        let mut all = Vec::new();
        let mut page = self.top_channels_page(PAGE_MAX, category_id, None).await?;
        loop {
            all.extend(std::mem::take(&mut page.channels));
            if all.len() >= max || !page.has_next() || page.cursor > MAX_PAGES {
                break;
            }
            page = self
                .top_channels_page(PAGE_MAX, category_id, Some(&page))
                .await?;
        }
        all.truncate(max);
        Ok(all)
    }

    /// Users by username, not case sensitive (`POST /getusers`). Unknown names are absent.
    /// The reference's parameter table calls the field `users`, but its request format and
    /// sample (and public clients) send `user`; we send `user`.
    pub async fn get_users(&self, usernames: &[&str]) -> Result<Vec<UserRef>, PlatformError> {
        let r: GetUsersResponse = self
            .call(Call::post("getusers", json!({ "user": usernames })).anonymous())
            .await?;
        Ok(r.users
            .unwrap_or_default()
            .into_iter()
            .filter_map(|u| {
                let user_id = u.user_id.filter(|s| !s.is_empty())?;
                Some(UserRef {
                    channel_id: u.channel_id.unwrap_or_else(|| user_id.clone()),
                    username: u.username.unwrap_or_default(),
                    nickname: u.nickname.unwrap_or_default(),
                    user_id,
                })
            })
            .collect())
    }

    /// Any channel by id (`POST /channels/id {channel_id}`).
    pub async fn channel_by_id(&self, channel_id: &str) -> Result<Channel, PlatformError> {
        let id = path_id(channel_id)?;
        let body = json!({ "channel_id": ChannelIdNumber(id) });
        let wire: WireChannel = self
            .call(Call::post("channels/id", body).anonymous())
            .await?;
        Ok(wire.into_model(Some(id)))
    }

    /// Any channel by username (`POST /channels/id {username}`). The answer does not carry
    /// the id, so it is looked up with `getusers` when missing.
    pub async fn channel_by_name(&self, username: &str) -> Result<Channel, PlatformError> {
        let body = json!({ "username": username.trim() });
        let wire: WireChannel = self
            .call(Call::post("channels/id", body).anonymous())
            .await?;
        let known = match wire.id() {
            Some(id) => Some(id),
            None => self
                .get_users(&[username.trim()])
                .await?
                .into_iter()
                .next()
                .map(|u| u.channel_id),
        };
        let channel = wire.into_model(known.as_deref());
        if channel.id.is_empty() {
            return Err(missing("channel id"));
        }
        Ok(channel)
    }

    /// The signed-in user's channel with its stream key (`GET /channel`, scope
    /// channel_details_self).
    pub async fn own_channel(&self) -> Result<OwnChannel, PlatformError> {
        let mut wire: WireChannel = self.call(Call::get("channel")).await?;
        let stream_key = wire.stream_key.take().filter(|k| !k.is_empty());
        let known = self.cached_own_channel();
        let channel = wire.into_model(known.as_deref());
        if channel.id.is_empty() {
            return Err(missing("channel id"));
        }
        self.cache_own_channel(&channel.id);
        Ok(OwnChannel {
            channel,
            stream_key,
        })
    }

    /// The signed-in user's channel id, asked once and remembered.
    pub async fn own_channel_id(&self) -> Result<String, PlatformError> {
        if let Some(id) = self.cached_own_channel() {
            return Ok(id);
        }
        let info = self.user_info_raw().await?;
        let id = info.channel_id().ok_or_else(|| missing("channel id"))?;
        self.cache_own_channel(&id);
        Ok(id)
    }

    /// Changes the title, category, language and audience, sending only the fields given
    /// (`POST /channels/update`, scope channel_update_self).
    pub async fn update_channel(
        &self,
        channel_id: &str,
        changes: &ChannelChanges,
    ) -> Result<(), PlatformError> {
        let req = UpdateChannelRequest {
            channel_id: ChannelIdNumber(path_id(channel_id)?),
            live_title: changes.title.as_deref(),
            category_id: changes.category_id.as_deref().map(str::trim),
            // Trovo's clients send language codes upper-case.
            language_code: changes
                .language
                .as_deref()
                .map(|l| l.trim().to_ascii_uppercase()),
            audi_type: changes.audience.map(audience_to_wire),
        };
        let body = serde_json::to_value(&req).map_err(|e| shape_error(&e))?;
        let _: serde::de::IgnoredAny = self.call(Call::post("channels/update", body)).await?;
        Ok(())
    }

    // ------------------------------------------------------------ users

    async fn user_info_raw(&self) -> Result<UserInfoResponse, PlatformError> {
        self.call(Call::get("getuserinfo")).await
    }

    /// The signed-in account (`GET /getuserinfo`, scope user_details_self).
    pub async fn user_info(&self) -> Result<Account, PlatformError> {
        let info = self.user_info_raw().await?;
        if let Some(id) = info.channel_id() {
            self.cache_own_channel(&id);
        }
        info.account().ok_or_else(|| missing("userId"))
    }

    // ------------------------------------------------------------ people

    /// One page of subscribers (`GET /channels/{id}/subscriptions`, scope
    /// channel_subscriptions).
    pub async fn subscribers_page(
        &self,
        channel_id: &str,
        limit: u32,
        offset: u64,
        direction: Direction,
    ) -> Result<SubscriberPage, PlatformError> {
        let call = Call::get(format!("channels/{}/subscriptions", path_id(channel_id)?))
            .query("limit", limit.clamp(1, PAGE_MAX))
            .query("offset", offset)
            .query("direction", direction.wire());
        let r: SubscriptionsResponse = self.call(call).await?;
        let raw = r.subscriptions.unwrap_or_default();
        let raw_len = raw.len();
        let subscribers: Vec<_> = raw
            .into_iter()
            .filter_map(WireSubscription::into_model)
            .collect();
        Ok(SubscriberPage {
            total_known: r.total.is_some(),
            list: SubscriberList {
                total: r.total.unwrap_or(subscribers.len() as u64),
                subscribers,
            },
            raw_len,
        })
    }

    /// Every subscriber, following the offsets to the end (the shared numbered pager: the
    /// offset advances by what a page held, a short page or the total ends the list, a page
    /// that repeats the previous one ends it instead of asking forever).
    pub async fn subscribers(&self, channel_id: &str) -> Result<SubscriberList, PlatformError> {
        let list = NumberedList {
            numbering: Numbering::Offsets,
            page_size: PAGE_MAX as usize,
            short_page_ends: true,
            max_pages: MAX_PAGES as usize,
        };
        let fetch = |offset| async move {
            let page = self
                .subscribers_page(channel_id, PAGE_MAX, offset, Direction::Asc)
                .await?;
            Ok(NumberedPage {
                held: page.raw_len,
                total: page.total_known.then_some(page.list.total),
                items: page.list.subscribers,
                more: None,
            })
        };
        let (subscribers, total) =
            all_numbered_pages(list, None, fetch, |s: &Subscriber| Some(s.id.clone())).await?;
        Ok(SubscriberList {
            total: total.unwrap_or(0).max(subscribers.len() as u64),
            subscribers,
        })
    }

    /// Everyone watching, each viewer once with every role (`POST /channels/{id}/viewers`),
    /// following `cursor` while it is below `total_page`.
    pub async fn viewers(&self, channel_id: &str) -> Result<ViewerList, PlatformError> {
        let path = format!("channels/{}/viewers", path_id(channel_id)?);
        let mut list = ViewerList::default();
        let mut index = ViewerIndex::default();
        let mut cursor = 0u64;
        loop {
            let body = json!({ "limit": VIEWERS_PAGE, "cursor": cursor });
            let bytes = self
                .call_bytes(Call::post(path.clone(), body).anonymous())
                .await?;
            let page: ViewersResponse<'_> = if bytes.trim_ascii().is_empty() {
                return Err(missing("viewer list"));
            } else {
                serde_json::from_slice(&bytes).map_err(|e| shape_error(&e))?
            };
            let (next, total_page) = (page.cursor, page.total_page);
            merge_viewers_page(page, &mut list, &mut index);
            match (next, total_page) {
                (Some(next), Some(total)) if next < total && next > cursor && next < MAX_PAGES => {
                    cursor = next;
                }
                _ => break,
            }
        }
        // A viewer list that names more people than its total was counted before they came.
        list.total = list.total.max(list.viewers.len() as u64);
        Ok(list)
    }

    /// Followers, newest first, every page unless `limit` stops earlier
    /// (`POST /channels/{id}/followers`). `total` is Trovo's count.
    ///
    /// The reference calls the answer's `cursor` "the current page number", but its own
    /// sample answers `cursor: 5` to a first page of 5, like an offset. Either way the
    /// cursor is sent back as it came (stepped by one if it did not move), pages keep one
    /// size, and the list ends on an empty page, on `total`, on `total_page` pages, when a
    /// page brings nobody new, or (with no total) on a short page.
    pub async fn followers(
        &self,
        channel_id: &str,
        limit: Option<usize>,
    ) -> Result<FollowerList, PlatformError> {
        let path = format!("channels/{}/followers", path_id(channel_id)?);
        let page_size = PAGE_MAX as usize;
        let mut list = FollowerList::default();
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0u64;
        let mut pages = 0u64;
        loop {
            let body = json!({ "limit": page_size, "cursor": cursor, "direction": "desc" });
            let r: FollowersResponse = self
                .call(Call::post(path.clone(), body).anonymous())
                .await?;
            pages += 1;
            let raw = r.follower.unwrap_or_default();
            let got = raw.len();
            let before = list.followers.len();
            list.followers.extend(
                raw.into_iter()
                    .filter_map(WireFollower::into_model)
                    .filter(|f| seen.insert(f.id.clone())),
            );
            list.total = r.total.unwrap_or(list.total);
            let enough = limit.is_some_and(|l| list.followers.len() >= l);
            // A short page ends the list only when no total says otherwise: some servers
            // give fewer than asked on every page.
            let short = got < page_size && r.total.is_none();
            let complete = r.total.is_some() && list.followers.len() as u64 >= list.total;
            let paged_out = r.total_page.is_some_and(|t| pages >= t);
            let nothing_new = list.followers.len() == before;
            if enough || short || complete || paged_out || nothing_new || pages >= MAX_PAGES {
                break;
            }
            cursor = r.cursor.filter(|&c| c > cursor).unwrap_or(cursor + 1);
        }
        if let Some(l) = limit {
            list.followers.truncate(l);
        }
        list.total = list.total.max(list.followers.len() as u64);
        Ok(list)
    }

    // ------------------------------------------------------------ emotes, stream urls

    /// Platform and channel emotes (`POST /getemotes`).
    pub async fn emotes(
        &self,
        kind: EmoteKind,
        channel_ids: &[&str],
    ) -> Result<Emotes, PlatformError> {
        let ids: Vec<ChannelIdNumber<'_>> =
            channel_ids.iter().map(|id| ChannelIdNumber(id)).collect();
        let body = json!({ "emote_type": kind as u8, "channel_id": ids });
        let r: EmotesResponse = self.call(Call::post("getemotes", body).anonymous()).await?;
        let sets = r.channels.unwrap_or_default();
        Ok(Emotes {
            global: sets.global_emotes.unwrap_or_default(),
            event: sets.event_emotes.unwrap_or_default(),
            custom: sets
                .customized_emotes
                .and_then(|c| c.channel)
                .unwrap_or_default(),
        })
    }

    /// The live stream's playable URLs (`POST /livestreamurl`); empty for apps Trovo has not
    /// granted the permission, and for channels that are offline.
    pub async fn live_stream_urls(
        &self,
        channel_id: &str,
    ) -> Result<Vec<StreamUrl>, PlatformError> {
        let body = json!({ "channel_id": ChannelIdNumber(path_id(channel_id)?) });
        let r: StreamUrlsResponse = self
            .call(Call::post("livestreamurl", body).anonymous())
            .await?;
        Ok(r.stream_urls.unwrap_or_default())
    }

    // ------------------------------------------------------------ chat

    /// Sends a chat line as the signed-in user, to their own channel (`None`, scope
    /// chat_send_self) or another one that allowed it (send_to_my_channel). Never sent twice:
    /// a refusal is reported, not retried.
    pub async fn send_chat(
        &self,
        content: &str,
        channel_id: Option<&str>,
    ) -> Result<(), PlatformError> {
        let body = match channel_id {
            Some(id) => json!({ "content": content, "channel_id": ChannelIdNumber(path_id(id)?) }),
            None => json!({ "content": content }),
        };
        let _: serde::de::IgnoredAny = self.call(Call::post("chat/send", body).once()).await?;
        Ok(())
    }

    /// Deletes a chat message (`DELETE /channels/{ch}/messages/{msg}/users/{uid}`, scope
    /// manage_messages). Success also when the message had already expired.
    pub async fn delete_message(
        &self,
        channel_id: &str,
        message_id: &str,
        sender_id: &str,
    ) -> Result<(), PlatformError> {
        let path = format!(
            "channels/{}/messages/{}/users/{}",
            path_id(channel_id)?,
            path_id(message_id)?,
            path_id(sender_id)?
        );
        let _: serde::de::IgnoredAny = self.call(Call::delete(path)).await?;
        Ok(())
    }

    /// Runs a chat command such as `ban USER 600` or `slow 5` (`POST /channels/command`,
    /// scope manage_messages). A leading slash is removed: the API wants none.
    pub async fn chat_command(
        &self,
        channel_id: &str,
        command: &str,
    ) -> Result<CommandOutcome, PlatformError> {
        let command = command.trim().trim_start_matches('/');
        let body =
            json!({ "command": command, "channel_id": ChannelIdNumber(path_id(channel_id)?) });
        let r: CommandResponse = self
            .call(Call::post("channels/command", body).once())
            .await?;
        Ok(CommandOutcome {
            success: r.is_success,
            message: r.display_msg.filter(|m| !m.is_empty()),
        })
    }

    /// A token for the chat websocket of the signed-in user's channel (`GET /chat/token`,
    /// scope chat_connect).
    pub async fn chat_token(&self) -> Result<Secret, PlatformError> {
        let r: ChatTokenResponse = self.call(Call::get("chat/token")).await?;
        r.token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| missing("chat token"))
    }

    /// A token for reading any channel's chat (`GET /chat/channel-token/{id}`, client ID
    /// only).
    pub async fn channel_chat_token(&self, channel_id: &str) -> Result<Secret, PlatformError> {
        let path = format!("chat/channel-token/{}", path_id(channel_id)?);
        let r: ChatTokenResponse = self.call(Call::get(path).anonymous()).await?;
        r.token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| missing("chat token"))
    }

    // ------------------------------------------------------------ tokens

    /// What Trovo knows of the access token: whose it is, its scopes, its expiry
    /// (`GET /validate`).
    /// The expiry it reports is remembered, so the token is refreshed before it lapses.
    pub async fn validate(&self) -> Result<TokenInfo, PlatformError> {
        let r: ValidateResponse = self.call(Call::get("validate")).await?;
        self.note_expiry(r.expire_ts);
        Ok(TokenInfo {
            user_id: r
                .uid
                .filter(|s| !s.is_empty())
                .ok_or_else(|| missing("uid"))?,
            client_id: r.client_id,
            nickname: r.nick_name,
            scopes: r.scopes.unwrap_or_default(),
            expires_at: r.expire_ts,
        })
    }

    /// Revokes the access token (`POST /revoke`) and forgets the tokens held.
    pub async fn revoke(&self) -> Result<(), PlatformError> {
        let token = self
            .tokens()
            .access
            .ok_or(PlatformError::NotSignedIn { platform: PLATFORM })?;
        let body = json!({ "access_token": token.expose() });
        // No refresh here: refreshing would revoke the old token and keep a new one alive.
        let call = Call::post("revoke", body).once().no_refresh();
        match self.call::<serde::de::IgnoredAny>(call).await {
            Ok(_) => {}
            // An expired token is as dead as a revoked one.
            Err(e) if e.code() == Some(super::errors::TOKEN_EXPIRED) => {}
            Err(e) => return Err(e),
        }
        self.set_tokens(TokenPair::default());
        Ok(())
    }

    /// Exchanges an authorization code for tokens (`POST /exchangetoken`, JSON, needs the
    /// client secret) and keeps them.
    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
    ) -> Result<TokenPair, PlatformError> {
        let secret = self.client_secret().ok_or_else(|| PlatformError::Config {
            platform: PLATFORM,
            message: "exchanging a sign-in code needs the application's client secret".into(),
        })?;
        let body = json!({
            "client_secret": secret.expose(),
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
        });
        let r: TokenResponse = self
            .call(Call::post("exchangetoken", body).anonymous().once())
            .await?;
        let pair = TokenPair::from_answer(PLATFORM, r, None)?;
        self.set_tokens(pair.clone());
        Ok(pair)
    }
}

fn categories(list: Option<Vec<WireCategory>>) -> Vec<Category> {
    list.unwrap_or_default()
        .into_iter()
        .filter_map(WireCategory::into_model)
        .collect()
}

/// Decodes a viewers answer held in memory into the model: the step the benchmark measures.
pub fn decode_viewers(bytes: &[u8]) -> Result<ViewerList, PlatformError> {
    let page: ViewersResponse<'_> = serde_json::from_slice(bytes).map_err(|e| shape_error(&e))?;
    let mut list = ViewerList::default();
    wire::merge_viewers_page(page, &mut list, &mut ViewerIndex::default());
    Ok(list)
}
