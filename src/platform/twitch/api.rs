//! Twitch behind the platform-neutral surface: Helix answers most calls directly; a change
//! is followed by reading the channel back, as the other platforms answer it.

use super::{CAPABILITIES, TwitchClient};
use crate::error::PlatformError;
use crate::model::{
    Account, CategoryPage, Channel, ChannelChanges, ChannelTarget, CommercialStarted, Editor,
    FollowerList, ModerationAction, ModerationOutcome, PlatformId, SignInStatus, SubscriberList,
    Team, Video, ViewerList,
};
use crate::platform::chat_feed::ChatSink;
use crate::platform::client::{PlatformApi, platform_api_accessors, unsupported};
use crate::secret::Secret;

const TWITCH: PlatformId = PlatformId::Twitch;

#[async_trait::async_trait]
impl PlatformApi for TwitchClient {
    platform_api_accessors!(TWITCH, CAPABILITIES);

    async fn account(&self) -> Result<Account, PlatformError> {
        TwitchClient::account(self).await
    }

    async fn sign_in_status(&self) -> Result<SignInStatus, PlatformError> {
        let info = self.validate().await?;
        Ok(SignInStatus {
            scopes: info.scopes,
            expires_at: info.expires_at,
        })
    }

    async fn revoke(&self) -> Result<(), PlatformError> {
        TwitchClient::revoke(self).await
    }

    async fn channel(&self, target: &ChannelTarget) -> Result<Channel, PlatformError> {
        match target {
            ChannelTarget::Own => self.own_channel().await,
            ChannelTarget::Id(id) => self.channel_by_id(id).await,
            ChannelTarget::Name(name) => self.channel_by_name(name).await,
        }
    }

    async fn stream_key(&self) -> Result<Secret, PlatformError> {
        TwitchClient::stream_key(self).await
    }

    async fn regenerate_stream_key(&self) -> Result<Secret, PlatformError> {
        Err(unsupported(
            TWITCH,
            "stream key reset through its API (reset it on the dashboard)",
        ))
    }

    async fn update_channel(&self, changes: &ChannelChanges) -> Result<Channel, PlatformError> {
        TwitchClient::update_channel(self, changes).await?;
        self.own_channel().await
    }

    async fn categories(
        &self,
        query: &str,
        limit: Option<usize>,
    ) -> Result<CategoryPage, PlatformError> {
        // A search is capped at 20 unless asked otherwise; the top list comes whole.
        let limit = if query.trim().is_empty() {
            limit
        } else {
            Some(limit.unwrap_or(20))
        };
        TwitchClient::categories(self, query, limit).await
    }

    async fn viewers(&self, channel_id: Option<&str>) -> Result<ViewerList, PlatformError> {
        TwitchClient::viewers(self, channel_id).await
    }

    async fn followers(
        &self,
        channel_id: Option<&str>,
        limit: Option<usize>,
    ) -> Result<FollowerList, PlatformError> {
        TwitchClient::followers(self, channel_id, limit).await
    }

    async fn subscribers(&self) -> Result<SubscriberList, PlatformError> {
        TwitchClient::subscribers(self).await
    }

    async fn send_chat(
        &self,
        message: &str,
        channel_id: Option<&str>,
    ) -> Result<Option<String>, PlatformError> {
        TwitchClient::send_chat(self, message, channel_id)
            .await
            .map(Some)
    }

    async fn follow_chat(&self, sink: &ChatSink) -> Result<(), PlatformError> {
        super::chat::follow(self, sink).await
    }

    async fn moderate(
        &self,
        action: &ModerationAction,
        channel_id: Option<&str>,
    ) -> Result<ModerationOutcome, PlatformError> {
        TwitchClient::moderate(self, action, channel_id).await
    }

    async fn editors(&self) -> Result<Vec<Editor>, PlatformError> {
        TwitchClient::editors(self).await
    }

    async fn teams(&self) -> Result<Vec<Team>, PlatformError> {
        TwitchClient::teams(self, None).await
    }

    async fn videos(&self, limit: Option<usize>) -> Result<Vec<Video>, PlatformError> {
        TwitchClient::videos(self, None, limit).await
    }

    async fn start_commercial(&self, length: u32) -> Result<CommercialStarted, PlatformError> {
        TwitchClient::start_commercial(self, length).await
    }
}
