//! Every Velora endpoint Stagehand uses, each sending exactly what the reference and the
//! working contract of `platform-facts.md` say, and answering in the platform-neutral
//! model. Cursor lists follow every page until Velora hands out a null cursor: a page is
//! never assumed full (a live list may hand out a short or even an empty page), and an
//! entry two pages both carry is listed once.

use super::client::{Call, PLATFORM, VeloraClient};
use super::wire::*;
use super::{CHAT_MAX_CHARS, TAG_MAX_CHARS, TAGS_MAX, TITLE_MAX_CHARS};
use crate::error::{ErrorKind, PlatformError};
use crate::model::{
    Account, CategoryPage, Channel, ChannelChanges, ChatEvent, FollowerList, ModerationAction,
    ModerationOutcome, SubscriberList, TargetUser, Viewer, ViewerList,
};
use crate::platform::http::{
    CursorList, CursorPage, NumberedList, NumberedPage, Numbering, all_cursor_pages,
    all_numbered_pages, category_words,
};
use crate::secret::Secret;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use std::collections::HashSet;

/// Velora's largest page (`limit` 1..100; more is a 400).
pub const PAGE_MAX: u32 = 100;
/// A guard against a server whose cursor never ends a list.
const MAX_PAGES: usize = 10_000;
/// The most chat lines the history endpoint gives at once.
pub const HISTORY_MAX: u32 = 100;

const STREAM_INFO: &str = "api/integrations/oauth/stream/info";
const STREAM_SETUP: &str = "api/integrations/oauth/stream/setup";
const STREAM_CATEGORIES: &str = "api/integrations/oauth/stream/categories";
const KEY_REGENERATE: &str = "api/integrations/oauth/stream/key/regenerate";

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

fn unsupported(what: &str) -> PlatformError {
    PlatformError::Unsupported {
        platform: PLATFORM,
        what: what.to_owned(),
    }
}

/// Checks a change against what Velora's stream info takes before anything is sent: no
/// language, audience or delay (Velora has none of them), a title of at most
/// `TITLE_MAX_CHARS`, at most `TAGS_MAX` tags of at most `TAG_MAX_CHARS` characters each,
/// none empty, none twice.
pub fn check_changes(changes: &ChannelChanges) -> Result<(), PlatformError> {
    if changes.language.is_some() {
        return Err(unsupported("stream language setting"));
    }
    if changes.audience.is_some() {
        return Err(unsupported("audience setting"));
    }
    if changes.delay.is_some() {
        return Err(unsupported("broadcast delay setting"));
    }
    if let Some(title) = &changes.title {
        let n = title.trim().chars().count();
        if n > TITLE_MAX_CHARS {
            return Err(refuse(format!(
                "a Velora title may be at most {TITLE_MAX_CHARS} characters (this one has {n})"
            )));
        }
    }
    if let Some(category) = &changes.category_id
        && category.trim().is_empty()
    {
        return Err(refuse(
            "the category must be a Velora category slug, such as minecraft",
        ));
    }
    if let Some(tags) = &changes.tags {
        if tags.len() > TAGS_MAX {
            return Err(refuse(format!(
                "a Velora stream may carry at most {TAGS_MAX} tags ({} given)",
                tags.len()
            )));
        }
        let mut seen = HashSet::new();
        for tag in tags {
            let t = tag.trim();
            let n = t.chars().count();
            if n == 0 {
                return Err(refuse("a Velora tag must not be empty"));
            }
            if n > TAG_MAX_CHARS {
                return Err(refuse(format!(
                    "the tag {t:?} is {n} characters long; Velora takes at most {TAG_MAX_CHARS}"
                )));
            }
            if !seen.insert(t.to_lowercase()) {
                return Err(refuse(format!("the tag {t:?} is given twice")));
            }
        }
    }
    Ok(())
}

/// Ids and usernames go into paths as they are; anything but their characters is a mistake
/// worth reporting before sending (and never a path of another endpoint).
fn check_segment<'a>(s: &'a str, what: &str) -> Result<&'a str, PlatformError> {
    let s = s.trim().trim_start_matches('@');
    if !s.is_empty()
        && s.len() <= 128
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && s != "."
        && s != ".."
    {
        Ok(s)
    } else {
        Err(PlatformError::Config {
            platform: PLATFORM,
            message: format!("{s:?} is not a Velora {what}"),
        })
    }
}

/// One page of a cursor list, as the pager needs it.
struct Page<T> {
    items: Vec<T>,
    next: Option<String>,
}

/// How Velora pages: `cursor` goes back as it came; only a null cursor ends a list (an empty
/// page with a cursor does not).
const VELORA_LIST: CursorList = CursorList {
    param: "cursor",
    empty_page_ends: false,
    max_pages: MAX_PAGES,
};

/// Every page of a cursor list: `call` plus `cursor`, de-duplicated by `key`, up to `limit`
/// entries. `on_page` sees each decoded page (for counts); `split` takes its items and its
/// next cursor.
async fn all_pages<P: DeserializeOwned, T>(
    client: &VeloraClient,
    call: Call,
    limit: Option<usize>,
    mut on_page: impl FnMut(&P),
    split: impl Fn(P) -> Page<T>,
    key: impl Fn(&T) -> Option<String>,
) -> Result<Vec<T>, PlatformError> {
    let (items, _) = all_cursor_pages(
        VELORA_LIST,
        call,
        limit,
        |c| client.call::<P>(c),
        |page| {
            on_page(&page);
            let page = split(page);
            CursorPage {
                items: page.items,
                next: page.next,
                total: None,
            }
        },
        key,
    )
    .await?;
    Ok(items)
}

/// Whether an error says the endpoint is not there for this caller (so another one may
/// answer): not found, not allowed, not implemented.
fn does_not_answer(e: &PlatformError) -> bool {
    match e {
        PlatformError::Http { status, .. } => matches!(status, 404 | 405 | 501),
        PlatformError::Api { code, kind, .. } => {
            matches!(kind, ErrorKind::NotFound | ErrorKind::Permission)
                || matches!(code, 404 | 405 | 501)
        }
        _ => false,
    }
}

impl VeloraClient {
    // ------------------------------------------------------------ users

    /// The signed-in user (`GET /api/users/me`), asked once and remembered.
    pub async fn own_user(&self) -> Result<WireUser, PlatformError> {
        if let Some(u) = self.cached_own_user() {
            return Ok(u);
        }
        self.refresh_own_user().await
    }

    /// The signed-in user, asked again (its counts change).
    pub async fn refresh_own_user(&self) -> Result<WireUser, PlatformError> {
        let user: WireUser = self
            .call_unwrapped(Call::get("api/users/me"), &["data", "user"])
            .await?;
        if user.id().is_none() {
            return Err(missing("user id"));
        }
        self.cache_own_user(&user);
        Ok(user)
    }

    /// The signed-in user's id, which is also the channel's id.
    pub async fn own_id(&self) -> Result<String, PlatformError> {
        self.own_user()
            .await?
            .id()
            .ok_or_else(|| missing("user id"))
    }

    /// The signed-in account.
    pub async fn account(&self) -> Result<Account, PlatformError> {
        let u = self.own_user().await?;
        let id = u.id().ok_or_else(|| missing("user id"))?;
        let name = u.username().ok_or_else(|| missing("username"))?;
        Ok(Account {
            display_name: u
                .display_name
                .clone()
                .map(|d| d.trim().to_owned())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| name.clone()),
            avatar_url: u.avatar_url.clone().filter(|s| !s.trim().is_empty()),
            partner: false,
            id,
            name,
        })
    }

    // ------------------------------------------------------------ stream info

    /// The own stream's info (`GET /api/integrations/oauth/stream/info`, stream:read).
    pub async fn stream_info(&self) -> Result<WireStreamInfo, PlatformError> {
        self.call_unwrapped(Call::get(STREAM_INFO), &["data", "stream"])
            .await
    }

    /// The number of subscribers of the own channel (the `total` of the creator list),
    /// where it answers.
    async fn subscriber_total(&self, id: &str) -> Result<Option<u64>, PlatformError> {
        let call =
            Call::get(format!("api/subscriptions/creator/{id}/subscribers")).query("limit", 1);
        let page: CreatorSubscribersPage = self.call(call).await?;
        Ok(page.total)
    }

    /// The own channel: the account (`/api/users/me`, read afresh for its follower count)
    /// and the stream info. Velora has no language or audience; tags are read. The
    /// subscriber count is an extra: a failure to read it leaves it absent.
    pub async fn own_channel(&self) -> Result<Channel, PlatformError> {
        let (user, info) = tokio::join!(self.refresh_own_user(), self.stream_info());
        let user = user?;
        let info = info?;
        let id = user.id().ok_or_else(|| missing("user id"))?;
        let subscribers = self.subscriber_total(&id).await.unwrap_or_else(|e| {
            tracing::debug!("Velora subscriber count unavailable: {e}");
            None
        });
        Ok(channel_from(id, &user, &info, subscribers))
    }

    /// Any channel by its username: the public profile (`GET /api/users/:username`) and
    /// the public stream (`GET /api/streams/user/:username`; a channel that is not live may
    /// answer 404, which reads as offline).
    pub async fn channel_by_name(&self, username: &str) -> Result<Channel, PlatformError> {
        let name = check_segment(username, "username")?.to_lowercase();
        if self
            .cached_own_user()
            .and_then(|u| u.username())
            .is_some_and(|own| own.eq_ignore_ascii_case(&name))
        {
            return self.own_channel().await;
        }
        let user_call = Call::get(format!("api/users/{name}")).public();
        let stream_call = Call::get(format!("api/streams/user/{name}")).public();
        let (user, stream) = tokio::join!(
            self.call_unwrapped::<WireUser>(user_call, &["data", "user"]),
            self.call_unwrapped::<WireStreamInfo>(stream_call, &["data", "stream"]),
        );
        let user = user.map_err(|e| match e.kind() {
            ErrorKind::NotFound => PlatformError::Api {
                platform: PLATFORM,
                code: 404,
                kind: ErrorKind::NotFound,
                sentence: format!("Velora has no channel named {name:?}"),
            },
            _ => e,
        })?;
        let info = match stream {
            Ok(info) => info,
            Err(e) if e.kind() == ErrorKind::NotFound => WireStreamInfo::default(),
            Err(e) => return Err(e),
        };
        let id = user.id().ok_or_else(|| missing("user id"))?;
        Ok(channel_from(id, &user, &info, None))
    }

    /// Any channel by its id: Velora looks channels up by username, so only the own id is
    /// known here.
    pub async fn channel_by_id(&self, id: &str) -> Result<Channel, PlatformError> {
        let id = check_segment(id, "channel id")?;
        if self.own_id().await.ok().as_deref() == Some(id) {
            return self.own_channel().await;
        }
        Err(unsupported(
            "channel lookup by id (look the channel up by its username instead)",
        ))
    }

    /// Changes the own stream's title, category (its slug) and tags
    /// (`PUT /api/integrations/oauth/stream/info` `{title?, categorySlug?, tags?}`,
    /// stream:write). Velora answers only `{success, message}`: read the stream back to see
    /// what it now holds. Refused before sending: a language, an audience, a delay, a title
    /// or tags past Velora's limits.
    pub async fn update_stream_info(&self, changes: &ChannelChanges) -> Result<(), PlatformError> {
        check_changes(changes)?;
        let mut body = Map::new();
        if let Some(title) = &changes.title {
            body.insert("title".into(), json!(title.trim()));
        }
        if let Some(slug) = &changes.category_id {
            body.insert("categorySlug".into(), json!(slug.trim()));
        }
        if let Some(tags) = &changes.tags {
            let tags: Vec<&str> = tags.iter().map(|t| t.trim()).collect();
            body.insert("tags".into(), json!(tags));
        }
        if body.is_empty() {
            return Ok(());
        }
        let answer: WireOutcome = self
            .call(Call::with_body(
                Method::PUT,
                STREAM_INFO,
                Value::Object(body),
            ))
            .await?;
        if !answer.succeeded() {
            return Err(PlatformError::Api {
                platform: PLATFORM,
                code: 0,
                kind: ErrorKind::InvalidInput,
                sentence: match answer.said() {
                    Some(m) => format!("Velora did not change the stream: {m}"),
                    None => "Velora did not change the stream and did not say why".into(),
                },
            });
        }
        Ok(())
    }

    /// The own stream key (`GET /api/integrations/oauth/stream/setup`, stream:key). Never
    /// logged.
    pub async fn stream_key(&self) -> Result<Secret, PlatformError> {
        let setup: WireSetup = self
            .call_unwrapped(Call::get(STREAM_SETUP), &["data", "setup", "stream"])
            .await?;
        setup.key().ok_or_else(|| missing("stream key"))
    }

    /// Replaces the stream key (`POST /api/integrations/oauth/stream/key/regenerate`,
    /// stream:key) and answers the new one (read from the setup when the answer does not
    /// carry it). The encoder's old key stops working. Never sent twice.
    pub async fn regenerate_stream_key(&self) -> Result<Secret, PlatformError> {
        let setup: WireSetup = self
            .call_unwrapped(
                Call::with_body(Method::POST, KEY_REGENERATE, json!({})).once(),
                &["data", "setup", "stream"],
            )
            .await?;
        match setup.key() {
            Some(key) => Ok(key),
            None => self.stream_key().await,
        }
    }

    // ------------------------------------------------------------ categories

    /// Categories matching `query` (`GET /api/categories/search?q=&limit=`, public), or the
    /// list a stream can take when `query` is empty
    /// (`GET /api/integrations/oauth/stream/categories`; the public `GET /api/categories`
    /// when not signed in). Ids are slugs; images come as Velora gives them. `limit` caps
    /// the list; `has_more` says whether there is more.
    pub async fn categories(
        &self,
        query: &str,
        limit: Option<usize>,
    ) -> Result<CategoryPage, PlatformError> {
        let query = query.trim();
        let (list, more_from_cursor) = if query.is_empty() {
            if self.has_user_token() {
                let l: CategoryList = self.call(Call::get(STREAM_CATEGORIES)).await?;
                let more = next_cursor(&l.pagination, &l.next_cursor).is_some();
                (l, more)
            } else {
                let n = limit
                    .unwrap_or(PAGE_MAX as usize)
                    .clamp(1, PAGE_MAX as usize);
                let l: CategoryList = self
                    .call(Call::get("api/categories").public().query("limit", n))
                    .await?;
                let more = next_cursor(&l.pagination, &l.next_cursor).is_some();
                (l, more)
            }
        } else {
            let n = limit.unwrap_or(20).clamp(1, PAGE_MAX as usize);
            let l: CategoryList = self
                .call(
                    Call::get("api/categories/search")
                        .public()
                        .query("q", query)
                        .query("limit", n),
                )
                .await?;
            let more = next_cursor(&l.pagination, &l.next_cursor).is_some();
            (l, more)
        };
        let mut seen = HashSet::new();
        let mut categories: Vec<_> = list
            .categories
            .unwrap_or_default()
            .into_iter()
            .filter_map(WireCategory::into_model)
            .filter(|c| seen.insert(c.id.clone()))
            .collect();
        let cut = limit.is_some_and(|l| categories.len() > l);
        if let Some(l) = limit {
            categories.truncate(l);
        }
        Ok(CategoryPage {
            categories,
            has_more: more_from_cursor || cut,
        })
    }

    // ------------------------------------------------------------ people

    async fn channel_or_own(&self, channel: Option<&str>) -> Result<String, PlatformError> {
        match channel {
            Some(c) => Ok(check_segment(c, "channel id")?.to_owned()),
            None => self.own_id().await,
        }
    }

    /// Everyone watching a channel (the own one when `channel` is `None`; an id or a
    /// username): `GET /api/chat/channels/:channelId/viewers?limit&cursor`, public, every
    /// page until a null cursor, each viewer once, with their roles. `total` is the
    /// stream's count as Velora gives it, `anonymous` its count of viewers without a name.
    pub async fn viewers(&self, channel: Option<&str>) -> Result<ViewerList, PlatformError> {
        let id = self.channel_or_own(channel).await?;
        let call = Call::get(format!("api/chat/channels/{id}/viewers"))
            .public()
            .query("limit", PAGE_MAX);
        let mut total = None;
        let mut anonymous = None;
        let items = all_pages(
            self,
            call,
            None,
            |p: &ViewersPage| {
                total = p.viewer_count.or(total);
                anonymous = p.anonymous_count.or(anonymous);
            },
            |p: ViewersPage| Page {
                next: next_cursor(&p.pagination, &p.next_cursor),
                items: p.viewers.unwrap_or_default(),
            },
            WireViewer::key,
        )
        .await?;
        let viewers: Vec<Viewer> = items
            .iter()
            .filter_map(|v| {
                Some(Viewer {
                    name: v.name()?,
                    roles: v.roles(),
                })
            })
            .collect();
        Ok(ViewerList {
            total: total.unwrap_or(viewers.len() as u64),
            anonymous,
            viewers,
        })
    }

    /// A channel's followers, newest first, all pages unless `limit`
    /// (`GET /api/users/:userId/followers?limit&cursor`, public).
    pub async fn followers(
        &self,
        channel: Option<&str>,
        limit: Option<usize>,
    ) -> Result<FollowerList, PlatformError> {
        let id = self.channel_or_own(channel).await?;
        let page_size = limit.map_or(PAGE_MAX as usize, |l| l.clamp(1, PAGE_MAX as usize));
        let call = Call::get(format!("api/users/{id}/followers"))
            .public()
            .query("limit", page_size);
        let mut total = None;
        let items = all_pages(
            self,
            call,
            limit,
            |p: &FollowersPage| total = p.total.or(total),
            |p: FollowersPage| Page {
                next: next_cursor(&p.pagination, &p.next_cursor),
                items: p.followers.unwrap_or_default(),
            },
            WireFollower::key,
        )
        .await?;
        let followers: Vec<_> = items
            .into_iter()
            .filter_map(WireFollower::into_model)
            .collect();
        Ok(FollowerList {
            total: total.unwrap_or(0).max(followers.len() as u64),
            followers,
        })
    }

    /// The own channel's subscribers, all pages, with Velora's tier (`"1"`..`"3"`) and
    /// whether each was a gift: the creator endpoint
    /// (`GET /api/subscriptions/creator/:creatorId/subscribers?limit&cursor`,
    /// subscriptions:read), or, where that one does not answer (404, 405, 501, or refused
    /// for this account), the developer endpoint (`GET /api/developer/subscriptions?page&perPage`).
    pub async fn subscribers(&self) -> Result<SubscriberList, PlatformError> {
        let id = self.own_id().await?;
        match self.creator_subscribers(&id).await {
            Ok(list) => Ok(list),
            Err(e) if does_not_answer(&e) => {
                tracing::info!(
                    "Velora's creator subscriber list did not answer ({e}); trying the developer list"
                );
                self.developer_subscribers().await.map_err(|fallback| {
                    tracing::info!("Velora's developer subscriber list failed too: {fallback}");
                    e
                })
            }
            Err(e) => Err(e),
        }
    }

    /// The creator endpoint, every page.
    pub async fn creator_subscribers(
        &self,
        creator_id: &str,
    ) -> Result<SubscriberList, PlatformError> {
        let id = check_segment(creator_id, "creator id")?;
        let call = Call::get(format!("api/subscriptions/creator/{id}/subscribers"))
            .query("limit", PAGE_MAX);
        let mut total = None;
        let items = all_pages(
            self,
            call,
            None,
            |p: &CreatorSubscribersPage| total = p.total.or(total),
            |p: CreatorSubscribersPage| Page {
                next: next_cursor(&p.pagination, &p.next_cursor),
                items: p.subscribers.unwrap_or_default(),
            },
            WireSubscriber::key,
        )
        .await?;
        let subscribers: Vec<_> = items
            .into_iter()
            .filter_map(WireSubscriber::into_model)
            .collect();
        Ok(SubscriberList {
            total: total.unwrap_or(0).max(subscribers.len() as u64),
            subscribers,
        })
    }

    /// The developer endpoint, page by page number until `hasMore` is false (or, where it
    /// is missing, until a page brings nothing new or the total is reached).
    pub async fn developer_subscribers(&self) -> Result<SubscriberList, PlatformError> {
        let list = NumberedList {
            numbering: Numbering::Pages,
            page_size: PAGE_MAX as usize,
            // A live list may hand out a short page before its end.
            short_page_ends: false,
            max_pages: MAX_PAGES,
        };
        let fetch = |page_no| async move {
            let call = Call::get("api/developer/subscriptions")
                .query("page", page_no)
                .query("perPage", PAGE_MAX);
            let page: DeveloperSubscribersPage = self.call(call).await?;
            let more = page.has_more();
            let items = page.data.unwrap_or_default();
            Ok(NumberedPage {
                held: items.len(),
                items,
                total: page.total,
                more,
            })
        };
        let (all, total) = all_numbered_pages(list, None, fetch, WireSubscriber::key).await?;
        let subscribers: Vec<_> = all
            .into_iter()
            .filter_map(WireSubscriber::into_model)
            .collect();
        Ok(SubscriberList {
            total: total.unwrap_or(0).max(subscribers.len() as u64),
            subscribers,
        })
    }

    // ------------------------------------------------------------ chat

    /// The newest chat lines of the own channel or `channel`, oldest first
    /// (`GET /api/chat/channels/:channelId/history?limit`, public, at most 100). Lines
    /// without text and deleted ones are left out.
    pub async fn chat_history(
        &self,
        channel: Option<&str>,
        limit: u32,
    ) -> Result<Vec<ChatEvent>, PlatformError> {
        let id = self.channel_or_own(channel).await?;
        let call = Call::get(format!("api/chat/channels/{id}/history"))
            .public()
            .query("limit", limit.clamp(1, HISTORY_MAX));
        let answer: Value = self.call(call).await?;
        // Public client code reads either a bare list or `{messages: [..]}`.
        let history: ChatHistory = match answer {
            Value::Array(_) => serde_json::from_value(json!({ "messages": answer })),
            other => serde_json::from_value(super::wire::unwrap_object(other, &["data"])),
        }
        .map_err(|e| PlatformError::BadShape {
            platform: PLATFORM,
            detail: format!("unexpected chat history ({})", category_words(&e)),
        })?;
        let now = time::OffsetDateTime::now_utc();
        let mut lines: Vec<ChatEvent> = history
            .messages
            .unwrap_or_default()
            .into_iter()
            .filter_map(|line| line.into_event(now))
            .collect();
        // Oldest first whichever way Velora lists them.
        if lines.first().map(|m| m.at) > lines.last().map(|m| m.at) {
            lines.reverse();
        }
        Ok(lines)
    }

    /// Sends a chat line as the signed-in user to the own channel or `channel`
    /// (`POST /api/integrations/oauth/chat/channels/:channelId/messages` `{message}`,
    /// chat:write; Velora answers 201 `{success, messageId}`). Refused before sending: an
    /// empty line, one over 500 characters, the 31st line within a minute. A line Velora
    /// refuses (`success: false`) is an error with its message. Never sent twice. Answers
    /// the message id.
    pub async fn send_chat(
        &self,
        message: &str,
        channel: Option<&str>,
    ) -> Result<Option<String>, PlatformError> {
        if message.trim().is_empty() {
            return Err(refuse("an empty chat message cannot be sent"));
        }
        let n = message.chars().count();
        if n > CHAT_MAX_CHARS {
            return Err(refuse(format!(
                "a Velora chat message may be at most {CHAT_MAX_CHARS} characters (this one has {n}); nothing was sent"
            )));
        }
        let budget = self.chat_budget();
        if budget.remaining == 0 {
            let wait = budget
                .resets_at
                .map(|at| {
                    (at - time::OffsetDateTime::now_utc())
                        .whole_seconds()
                        .max(1)
                })
                .unwrap_or(60);
            return Err(PlatformError::Api {
                platform: PLATFORM,
                code: 0,
                kind: ErrorKind::ChatRefused,
                sentence: format!(
                    "Velora takes {} chat messages a minute; wait {wait} s, nothing was sent",
                    budget.limit
                ),
            });
        }
        let id = self.channel_or_own(channel).await?;
        let call = Call::with_body(
            Method::POST,
            format!("api/integrations/oauth/chat/channels/{id}/messages"),
            json!({ "message": message }),
        )
        .once();
        let answer: WireOutcome = self.call_unwrapped(call, &["data"]).await?;
        if !answer.succeeded() {
            return Err(PlatformError::Api {
                platform: PLATFORM,
                code: 0,
                kind: ErrorKind::ChatRefused,
                sentence: match answer.said() {
                    Some(m) => format!("Velora did not post the chat message: {m}"),
                    None => "Velora did not post the chat message and did not say why".into(),
                },
            });
        }
        self.note_chat_sent();
        Ok(answer.message_id.filter(|m| !m.trim().is_empty()))
    }

    /// Carries out a moderation action in the own channel's chat, or `channel`'s
    /// (`POST /api/integrations/oauth/chat/channels/:channelId/moderate`, chat:moderate):
    /// `{action: timeout|ban|delete, targetUserId | targetUsername, durationSeconds?,
    /// reason?, messageId?}`; every action names its target user, a delete included.
    /// Answers Velora's message on success; a refusal is an error with Velora's message.
    /// There is no REST unban. Never sent twice.
    pub async fn moderate(
        &self,
        channel: Option<&str>,
        action: &ModerationAction,
    ) -> Result<ModerationOutcome, PlatformError> {
        let mut body = Map::new();
        match action.user() {
            TargetUser::Id(id) => {
                body.insert("targetUserId".into(), json!(check_segment(id, "user id")?));
            }
            TargetUser::Name(name) => {
                body.insert(
                    "targetUsername".into(),
                    json!(check_segment(name, "username")?),
                );
            }
        }
        let reason = |r: &Option<String>| {
            r.as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
        };
        match action {
            ModerationAction::Timeout {
                secs, reason: r, ..
            } => {
                if *secs == 0 {
                    return Err(refuse("a timeout must last at least one second"));
                }
                body.insert("action".into(), json!("timeout"));
                body.insert("durationSeconds".into(), json!(secs));
                if let Some(r) = reason(r) {
                    body.insert("reason".into(), json!(r));
                }
            }
            ModerationAction::Ban { reason: r, .. } => {
                body.insert("action".into(), json!("ban"));
                if let Some(r) = reason(r) {
                    body.insert("reason".into(), json!(r));
                }
            }
            ModerationAction::DeleteMessage { message_id, .. } => {
                let m = message_id.trim();
                if m.is_empty() {
                    return Err(refuse("deleting a message needs its id"));
                }
                body.insert("action".into(), json!("delete"));
                body.insert("messageId".into(), json!(m));
            }
        }
        let id = self.channel_or_own(channel).await?;
        let call = Call::with_body(
            Method::POST,
            format!("api/integrations/oauth/chat/channels/{id}/moderate"),
            Value::Object(body),
        )
        .once();
        let answer: WireOutcome = self.call_unwrapped(call, &["data"]).await?;
        if !answer.succeeded() {
            return Err(PlatformError::Api {
                platform: PLATFORM,
                code: 0,
                kind: ErrorKind::InvalidInput,
                sentence: match answer.said() {
                    Some(m) => format!("Velora did not carry out the {}: {m}", action_noun(action)),
                    None => format!(
                        "Velora did not carry out the {} and did not say why",
                        action_noun(action)
                    ),
                },
            });
        }
        Ok(ModerationOutcome {
            message: answer.said(),
        })
    }
}

fn action_noun(action: &ModerationAction) -> &'static str {
    match action {
        ModerationAction::Timeout { .. } => "timeout",
        ModerationAction::Ban { .. } => "ban",
        ModerationAction::DeleteMessage { .. } => "message deletion",
    }
}

/// A channel from a user and its stream. Viewer count and start time only while live.
fn channel_from(
    id: String,
    user: &WireUser,
    info: &WireStreamInfo,
    subscribers: Option<u64>,
) -> Channel {
    let is_live = info.is_live;
    Channel {
        id,
        name: user.username().unwrap_or_default(),
        display_name: user
            .display_name
            .clone()
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty()),
        title: info.title.clone().unwrap_or_default(),
        category: info.category(),
        // Velora has neither a stream language nor an audience setting.
        language: None,
        audience: None,
        is_live,
        viewers: if is_live { info.viewer_count } else { None },
        followers: user.follower_count,
        subscribers,
        started_at: if is_live { info.started_at } else { None },
        avatar_url: user.avatar_url.clone().filter(|s| !s.trim().is_empty()),
        tags: Some(info.tags()),
        delay: None,
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
    fn changes_velora_cannot_take_are_refused_before_sending() {
        for (changes, what) in [
            (
                ChannelChanges {
                    language: Some("en".into()),
                    ..Default::default()
                },
                "language",
            ),
            (
                ChannelChanges {
                    audience: Some(Audience::Teen),
                    ..Default::default()
                },
                "audience",
            ),
            (
                ChannelChanges {
                    delay: Some(5),
                    ..Default::default()
                },
                "delay",
            ),
        ] {
            let e = check_changes(&changes).expect_err(what);
            assert!(matches!(e, PlatformError::Unsupported { .. }), "{what}");
            assert!(e.to_string().contains(what), "{e}");
        }
        assert!(
            check_changes(&tags(&[])).is_ok(),
            "an empty list clears the tags"
        );
        assert!(check_changes(&tags(&["chill vibes", "English"])).is_ok());
        assert!(check_changes(&tags(&[" "])).is_err());
        assert!(check_changes(&tags(&[&"a".repeat(TAG_MAX_CHARS + 1)])).is_err());
        assert!(check_changes(&tags(&["Chill", "chill"])).is_err());
        let many: Vec<String> = (0..=TAGS_MAX).map(|i| format!("t{i}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(check_changes(&tags(&refs)).is_err());
        assert!(check_changes(&tags(&refs[..TAGS_MAX])).is_ok());
        let title = |t: String| ChannelChanges {
            title: Some(t),
            ..Default::default()
        };
        assert!(check_changes(&title("x".repeat(TITLE_MAX_CHARS))).is_ok());
        assert!(check_changes(&title("x".repeat(TITLE_MAX_CHARS + 1))).is_err());
        let e = check_changes(&ChannelChanges {
            category_id: Some(" ".into()),
            ..Default::default()
        })
        .expect_err("an empty slug");
        assert!(e.to_string().contains("slug"));
    }

    #[test]
    fn path_segments_are_checked() {
        assert_eq!(check_segment(" @Nova_1 ", "username").ok(), Some("Nova_1"));
        assert!(check_segment("usr_abc-1.2", "id").is_ok());
        for bad in ["", "a/b", "..", "a?b", "a b", "a%2F"] {
            assert!(check_segment(bad, "id").is_err(), "{bad}");
        }
    }

    #[test]
    fn only_a_missing_endpoint_falls_back() {
        let api = |code, kind| PlatformError::Api {
            platform: PLATFORM,
            code,
            kind,
            sentence: String::new(),
        };
        assert!(does_not_answer(&api(404, ErrorKind::NotFound)));
        assert!(does_not_answer(&api(403, ErrorKind::Permission)));
        assert!(does_not_answer(&PlatformError::Http {
            platform: PLATFORM,
            status: 501
        }));
        assert!(!does_not_answer(&api(401, ErrorKind::TokenExpired)));
        assert!(!does_not_answer(&api(403, ErrorKind::Auth)));
        assert!(!does_not_answer(&api(500, ErrorKind::Server)));
    }

    #[test]
    fn channels_are_assembled_with_tags_and_no_language() {
        let user: WireUser = serde_json::from_str(
            r#"{"id":"usr_1","username":"nova","displayName":"Nova","avatarUrl":"https://a","isLive":true,"followerCount":10}"#,
        )
        .expect("user");
        let info: WireStreamInfo = serde_json::from_str(
            r#"{"title":"Hi","categoryName":"Minecraft","categorySlug":"minecraft","isLive":true,"viewerCount":5,"startedAt":"2025-05-01T18:00:00Z","tags":["a"]}"#,
        )
        .expect("info");
        let c = channel_from("usr_1".into(), &user, &info, Some(3));
        assert_eq!((c.name.as_str(), c.title.as_str()), ("nova", "Hi"));
        assert_eq!(c.category.and_then(|c| c.id).as_deref(), Some("minecraft"));
        assert_eq!((c.language, c.audience, c.delay), (None, None, None));
        assert_eq!(
            (c.viewers, c.followers, c.subscribers),
            (Some(5), Some(10), Some(3))
        );
        assert_eq!(c.tags, Some(vec!["a".to_owned()]));
        let off: WireStreamInfo =
            serde_json::from_str(r#"{"title":"Hi","isLive":false,"viewerCount":0,"tags":[]}"#)
                .expect("offline");
        let c = channel_from("usr_1".into(), &user, &off, None);
        assert!(!c.is_live && c.viewers.is_none() && c.started_at.is_none());
        assert_eq!(c.tags, Some(vec![]));
    }
}
