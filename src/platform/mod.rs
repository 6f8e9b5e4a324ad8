//! The platforms behind one platform-neutral surface. The backend and the headless commands
//! speak only `PlatformClient`; each platform's module turns those calls into its own API.
//! Adding a platform adds a module, a variant here and its simulator.

pub mod chat_feed;
pub(crate) mod http;
pub mod lenient;
pub(crate) mod locks;
pub mod ratelimit;
pub mod tokens;
pub mod trovo;
pub mod twitch;
pub mod velora;

use crate::error::PlatformError;
use crate::model::{
    Account, Capabilities, CategoryPage, Channel, ChannelChanges, CommercialStarted, Editor,
    FollowerList, ModerationAction, ModerationOutcome, PlatformId, RateBudget, SignInStatus,
    SubscriberList, Team, Video, ViewerList,
};
use crate::secret::Secret;
use chat_feed::ChatSink;

pub use crate::model::ChannelTarget;

/// What a user does in `platform`'s developer console before signing in.
pub fn registration_help(platform: PlatformId) -> crate::auth::help::RegistrationHelp {
    match platform {
        PlatformId::Trovo => trovo::REGISTRATION_HELP,
        PlatformId::Twitch => twitch::REGISTRATION_HELP,
        PlatformId::Velora => velora::REGISTRATION_HELP,
    }
}

/// A signed-in (or anonymous) client of one platform.
#[derive(Clone)]
pub enum PlatformClient {
    Trovo(trovo::TrovoClient),
    Twitch(twitch::TwitchClient),
    Velora(velora::VeloraClient),
}

impl PlatformClient {
    /// Which platform this client talks to.
    pub fn platform(&self) -> PlatformId {
        match self {
            PlatformClient::Trovo(_) => PlatformId::Trovo,
            PlatformClient::Twitch(_) => PlatformId::Twitch,
            PlatformClient::Velora(_) => PlatformId::Velora,
        }
    }

    /// What the platform's forms and chat allow.
    pub fn capabilities(&self) -> Capabilities {
        match self {
            PlatformClient::Trovo(_) => trovo::CAPABILITIES,
            PlatformClient::Twitch(_) => twitch::CAPABILITIES,
            PlatformClient::Velora(_) => velora::CAPABILITIES,
        }
    }

    /// The rate-limit budget left, for the status bar.
    pub fn rate_budget(&self) -> Option<RateBudget> {
        match self {
            PlatformClient::Trovo(c) => Some(c.rate_budget()),
            PlatformClient::Twitch(c) => Some(c.rate_budget()),
            PlatformClient::Velora(c) => Some(c.rate_budget()),
        }
    }

    /// The chat budget where the platform limits chat lines on their own (Velora: 30 a
    /// minute), for the send box; `None` elsewhere.
    pub fn chat_budget(&self) -> Option<RateBudget> {
        match self {
            PlatformClient::Trovo(_) | PlatformClient::Twitch(_) => None,
            PlatformClient::Velora(c) => Some(c.chat_budget()),
        }
    }

    /// The signed-in account.
    pub async fn account(&self) -> Result<Account, PlatformError> {
        match self {
            PlatformClient::Trovo(c) => c.user_info().await,
            PlatformClient::Twitch(c) => c.account().await,
            PlatformClient::Velora(c) => c.account().await,
        }
    }

    /// Until when the sign-in lasts and what it allows (`validate` on Trovo and Twitch, which
    /// also lets the client refresh before the token lapses; Twitch asks desktop apps to
    /// validate at start and hourly). Velora has no validate endpoint: its client proves the
    /// token by reading the account and reports what the last token answer granted.
    pub async fn sign_in_status(&self) -> Result<SignInStatus, PlatformError> {
        match self {
            PlatformClient::Trovo(c) => {
                let info = c.validate().await?;
                Ok(SignInStatus {
                    scopes: info.scopes,
                    expires_at: info.expires_at,
                })
            }
            PlatformClient::Twitch(c) => {
                let info = c.validate().await?;
                Ok(SignInStatus {
                    scopes: info.scopes,
                    expires_at: info.expires_at,
                })
            }
            PlatformClient::Velora(c) => c.sign_in_status().await,
        }
    }

    /// Ends the sign-in on the platform's side (Sign out), so a copy of the token elsewhere
    /// is worthless too.
    pub async fn revoke(&self) -> Result<(), PlatformError> {
        match self {
            PlatformClient::Trovo(c) => c.revoke().await,
            PlatformClient::Twitch(c) => c.revoke().await,
            // Velora lists no revocation: its client forgets the tokens.
            PlatformClient::Velora(c) => c.revoke().await,
        }
    }

    /// A channel's current state.
    pub async fn channel(&self, target: &ChannelTarget) -> Result<Channel, PlatformError> {
        match self {
            PlatformClient::Trovo(c) => match target {
                ChannelTarget::Own => Ok(c.own_channel().await?.channel),
                ChannelTarget::Id(id) => c.channel_by_id(id).await,
                ChannelTarget::Name(name) => c.channel_by_name(name).await,
            },
            PlatformClient::Twitch(c) => match target {
                ChannelTarget::Own => c.own_channel().await,
                ChannelTarget::Id(id) => c.channel_by_id(id).await,
                ChannelTarget::Name(name) => c.channel_by_name(name).await,
            },
            PlatformClient::Velora(c) => match target {
                ChannelTarget::Own => c.own_channel().await,
                ChannelTarget::Id(id) => c.channel_by_id(id).await,
                ChannelTarget::Name(name) => c.channel_by_name(name).await,
            },
        }
    }

    /// The signed-in user's stream key, where the platform shows it.
    pub async fn stream_key(&self) -> Result<Secret, PlatformError> {
        match self {
            PlatformClient::Trovo(c) => {
                c.own_channel()
                    .await?
                    .stream_key
                    .ok_or_else(|| PlatformError::BadShape {
                        platform: PlatformId::Trovo,
                        detail: "the channel answer has no stream key".into(),
                    })
            }
            PlatformClient::Twitch(c) => c.stream_key().await,
            PlatformClient::Velora(c) => c.stream_key().await,
        }
    }

    /// Replaces the signed-in user's stream key and answers the new one, where the platform
    /// can (`Capabilities::stream_key_reset`: Velora); the encoder must then be given the
    /// new key. Never sent twice.
    pub async fn regenerate_stream_key(&self) -> Result<Secret, PlatformError> {
        match self {
            PlatformClient::Trovo(_) => Err(unsupported(
                PlatformId::Trovo,
                "stream key reset through its API",
            )),
            PlatformClient::Twitch(_) => Err(unsupported(
                PlatformId::Twitch,
                "stream key reset through its API (reset it on the dashboard)",
            )),
            PlatformClient::Velora(c) => c.regenerate_stream_key().await,
        }
    }

    /// Applies `changes` to the signed-in user's channel and answers the channel as the
    /// platform reports it afterwards. A field the platform does not have (tags or a delay on
    /// Trovo, an audience on Twitch) is refused before anything is sent, as are values the
    /// platform's rules refuse (Twitch: an empty title, bad tags, a delay on a channel that is
    /// not a partner).
    pub async fn update_channel(&self, changes: &ChannelChanges) -> Result<Channel, PlatformError> {
        match self {
            PlatformClient::Trovo(c) => {
                if changes.tags.is_some() {
                    return Err(unsupported(PlatformId::Trovo, "tags"));
                }
                if changes.delay.is_some() {
                    return Err(unsupported(PlatformId::Trovo, "broadcast delay setting"));
                }
                let id = c.own_channel_id().await?;
                c.update_channel(&id, changes).await?;
                Ok(c.own_channel().await?.channel)
            }
            PlatformClient::Twitch(c) => {
                c.update_channel(changes).await?;
                c.own_channel().await
            }
            PlatformClient::Velora(c) => {
                c.update_stream_info(changes).await?;
                c.own_channel().await
            }
        }
    }

    /// Categories matching `query`, or the top list when `query` is empty. `limit` caps the
    /// list; `has_more` then says whether it cut anything.
    pub async fn categories(
        &self,
        query: &str,
        limit: Option<usize>,
    ) -> Result<CategoryPage, PlatformError> {
        match self {
            PlatformClient::Trovo(c) => {
                if query.trim().is_empty() {
                    let mut all = c.top_categories().await?;
                    let cut = limit.is_some_and(|l| all.len() > l);
                    if let Some(l) = limit {
                        all.truncate(l);
                    }
                    Ok(CategoryPage {
                        categories: all,
                        has_more: cut,
                    })
                } else {
                    let limit = limit.unwrap_or(20).clamp(1, trovo::PAGE_MAX as usize);
                    c.search_categories(query.trim(), limit as u32).await
                }
            }
            PlatformClient::Twitch(c) => {
                let limit = if query.trim().is_empty() {
                    limit
                } else {
                    Some(limit.unwrap_or(20))
                };
                c.categories(query, limit).await
            }
            PlatformClient::Velora(c) => c.categories(query, limit).await,
        }
    }

    /// Everyone watching a channel (the own one when `channel_id` is `None`).
    pub async fn viewers(&self, channel_id: Option<&str>) -> Result<ViewerList, PlatformError> {
        match self {
            PlatformClient::Trovo(c) => {
                let id = trovo_channel(c, channel_id).await?;
                c.viewers(&id).await
            }
            PlatformClient::Twitch(c) => c.viewers(channel_id).await,
            PlatformClient::Velora(c) => c.viewers(channel_id).await,
        }
    }

    /// A channel's followers, newest first, all of them unless `limit`.
    pub async fn followers(
        &self,
        channel_id: Option<&str>,
        limit: Option<usize>,
    ) -> Result<FollowerList, PlatformError> {
        match self {
            PlatformClient::Trovo(c) => {
                let id = trovo_channel(c, channel_id).await?;
                c.followers(&id, limit).await
            }
            PlatformClient::Twitch(c) => c.followers(channel_id, limit).await,
            PlatformClient::Velora(c) => c.followers(channel_id, limit).await,
        }
    }

    /// The signed-in user's subscribers.
    pub async fn subscribers(&self) -> Result<SubscriberList, PlatformError> {
        match self {
            PlatformClient::Trovo(c) => {
                let id = c.own_channel_id().await?;
                c.subscribers(&id).await
            }
            PlatformClient::Twitch(c) => c.subscribers().await,
            PlatformClient::Velora(c) => c.subscribers().await,
        }
    }

    /// Sends a chat line to the own channel, or to `channel_id`, and answers the id the
    /// platform gave it (`None` where it gives none: Trovo). Never sent twice.
    pub async fn send_chat(
        &self,
        message: &str,
        channel_id: Option<&str>,
    ) -> Result<Option<String>, PlatformError> {
        match self {
            PlatformClient::Trovo(c) => c.send_chat(message, channel_id).await.map(|()| None),
            PlatformClient::Twitch(c) => c.send_chat(message, channel_id).await.map(Some),
            PlatformClient::Velora(c) => c.send_chat(message, channel_id).await,
        }
    }

    /// Follows the own channel's chat, sending what arrives to `sink`, until the
    /// connection fails (an error to report and retry after a pause) or `sink`'s receiver
    /// is gone (`Ok`). `PlatformError::Unsupported` means retrying will not help.
    pub async fn follow_chat(&self, sink: &ChatSink) -> Result<(), PlatformError> {
        match self {
            PlatformClient::Trovo(c) => trovo::chat::follow(c, sink).await,
            PlatformClient::Twitch(c) => twitch::chat::follow(c, sink).await,
            PlatformClient::Velora(c) => velora::chat::follow(c, sink).await,
        }
    }

    /// Carries out a chat moderation action (timeout, ban, delete a message) in the own
    /// channel, or `channel_id`'s, and answers the platform's message. Where the platform
    /// refuses, the error carries its message. Never sent twice.
    pub async fn moderate(
        &self,
        action: &ModerationAction,
        channel_id: Option<&str>,
    ) -> Result<ModerationOutcome, PlatformError> {
        match self {
            PlatformClient::Trovo(c) => c.moderate(channel_id, action).await,
            PlatformClient::Twitch(c) => c.moderate(action, channel_id).await,
            PlatformClient::Velora(c) => c.moderate(channel_id, action).await,
        }
    }

    /// The people allowed to edit the signed-in user's channel (Twitch only).
    pub async fn editors(&self) -> Result<Vec<Editor>, PlatformError> {
        match self {
            PlatformClient::Trovo(_) => Err(unsupported(PlatformId::Trovo, "channel editors")),
            PlatformClient::Twitch(c) => c.editors().await,
            PlatformClient::Velora(_) => Err(unsupported(PlatformId::Velora, "channel editors")),
        }
    }

    /// The teams the signed-in user's channel belongs to (Twitch only).
    pub async fn teams(&self) -> Result<Vec<Team>, PlatformError> {
        match self {
            PlatformClient::Trovo(_) => Err(unsupported(PlatformId::Trovo, "teams")),
            PlatformClient::Twitch(c) => c.teams(None).await,
            // Velora has teams, but a channel's own teams are not in its reference.
            PlatformClient::Velora(_) => {
                Err(unsupported(PlatformId::Velora, "team list for a channel"))
            }
        }
    }

    /// The signed-in user's videos, newest first: past broadcasts, highlights and uploads
    /// (Twitch only). All of them unless `limit`.
    pub async fn videos(&self, limit: Option<usize>) -> Result<Vec<Video>, PlatformError> {
        match self {
            PlatformClient::Trovo(_) => Err(unsupported(PlatformId::Trovo, "video list")),
            PlatformClient::Twitch(c) => c.videos(None, limit).await,
            PlatformClient::Velora(_) => Err(unsupported(PlatformId::Velora, "video list")),
        }
    }

    /// Starts a commercial of `length` seconds on the signed-in user's live channel (Twitch
    /// only). Never sent twice.
    pub async fn start_commercial(&self, length: u32) -> Result<CommercialStarted, PlatformError> {
        match self {
            PlatformClient::Trovo(_) => Err(unsupported(PlatformId::Trovo, "commercials")),
            PlatformClient::Twitch(c) => c.start_commercial(length).await,
            PlatformClient::Velora(_) => Err(unsupported(PlatformId::Velora, "commercials")),
        }
    }
}

fn unsupported(platform: PlatformId, what: &str) -> PlatformError {
    PlatformError::Unsupported {
        platform,
        what: what.to_owned(),
    }
}

async fn trovo_channel(
    c: &trovo::TrovoClient,
    channel_id: Option<&str>,
) -> Result<String, PlatformError> {
    match channel_id {
        Some(id) => Ok(id.to_owned()),
        None => c.own_channel_id().await,
    }
}
