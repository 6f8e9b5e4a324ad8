//! Trovo behind the platform-neutral surface: where Trovo needs a channel id it looks up the
//! own one, and what Trovo lacks (tags, a delay) is refused before anything is sent.

use super::{CAPABILITIES, PAGE_MAX, TrovoClient};
use crate::error::PlatformError;
use crate::model::{
    Account, CategoryPage, Channel, ChannelChanges, ChannelTarget, FollowerList, ModerationAction,
    ModerationOutcome, PlatformId, SignInStatus, SubscriberList, ViewerList,
};
use crate::platform::chat_feed::ChatSink;
use crate::platform::client::{PlatformApi, platform_api_accessors, unsupported};
use crate::secret::Secret;

const TROVO: PlatformId = PlatformId::Trovo;

#[async_trait::async_trait]
impl PlatformApi for TrovoClient {
    platform_api_accessors!(TROVO, CAPABILITIES);

    async fn account(&self) -> Result<Account, PlatformError> {
        self.user_info().await
    }

    async fn sign_in_status(&self) -> Result<SignInStatus, PlatformError> {
        let info = self.validate().await?;
        Ok(SignInStatus {
            scopes: info.scopes,
            expires_at: info.expires_at,
        })
    }

    async fn revoke(&self) -> Result<(), PlatformError> {
        TrovoClient::revoke(self).await
    }

    async fn channel(&self, target: &ChannelTarget) -> Result<Channel, PlatformError> {
        match target {
            ChannelTarget::Own => Ok(self.own_channel().await?.channel),
            ChannelTarget::Id(id) => self.channel_by_id(id).await,
            ChannelTarget::Name(name) => self.channel_by_name(name).await,
        }
    }

    async fn stream_key(&self) -> Result<Secret, PlatformError> {
        self.own_channel()
            .await?
            .stream_key
            .ok_or_else(|| PlatformError::BadShape {
                platform: TROVO,
                detail: "the channel answer has no stream key".into(),
            })
    }

    async fn update_channel(&self, changes: &ChannelChanges) -> Result<Channel, PlatformError> {
        if changes.tags.is_some() {
            return Err(unsupported(TROVO, "tags"));
        }
        if changes.delay.is_some() {
            return Err(unsupported(TROVO, "broadcast delay setting"));
        }
        let id = self.own_channel_id().await?;
        TrovoClient::update_channel(self, &id, changes).await?;
        Ok(self.own_channel().await?.channel)
    }

    async fn categories(
        &self,
        query: &str,
        limit: Option<usize>,
    ) -> Result<CategoryPage, PlatformError> {
        if query.trim().is_empty() {
            let mut all = self.top_categories().await?;
            let cut = limit.is_some_and(|l| all.len() > l);
            if let Some(l) = limit {
                all.truncate(l);
            }
            Ok(CategoryPage {
                categories: all,
                has_more: cut,
            })
        } else {
            let limit = limit.unwrap_or(20).clamp(1, PAGE_MAX as usize);
            self.search_categories(query.trim(), limit as u32).await
        }
    }

    async fn viewers(&self, channel_id: Option<&str>) -> Result<ViewerList, PlatformError> {
        let id = self.channel_or_own(channel_id).await?;
        TrovoClient::viewers(self, &id).await
    }

    async fn followers(
        &self,
        channel_id: Option<&str>,
        limit: Option<usize>,
    ) -> Result<FollowerList, PlatformError> {
        let id = self.channel_or_own(channel_id).await?;
        TrovoClient::followers(self, &id, limit).await
    }

    async fn subscribers(&self) -> Result<SubscriberList, PlatformError> {
        let id = self.own_channel_id().await?;
        TrovoClient::subscribers(self, &id).await
    }

    async fn send_chat(
        &self,
        message: &str,
        channel_id: Option<&str>,
    ) -> Result<Option<String>, PlatformError> {
        TrovoClient::send_chat(self, message, channel_id)
            .await
            .map(|()| None)
    }

    async fn follow_chat(&self, sink: &ChatSink) -> Result<(), PlatformError> {
        super::chat::follow(self, sink).await
    }

    async fn moderate(
        &self,
        action: &ModerationAction,
        channel_id: Option<&str>,
    ) -> Result<ModerationOutcome, PlatformError> {
        TrovoClient::moderate(self, channel_id, action).await
    }
}

impl TrovoClient {
    /// `channel_id`, or the own channel's id when it is `None`.
    async fn channel_or_own(&self, channel_id: Option<&str>) -> Result<String, PlatformError> {
        match channel_id {
            Some(id) => Ok(id.to_owned()),
            None => self.own_channel_id().await,
        }
    }
}
