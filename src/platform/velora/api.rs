//! Velora behind the platform-neutral surface.

use super::{CAPABILITIES, VeloraClient};
use crate::error::PlatformError;
use crate::model::{
    Account, CategoryPage, Channel, ChannelChanges, ChannelTarget, FollowerList, ModerationAction,
    ModerationOutcome, PlatformId, RateBudget, SignInStatus, SubscriberList, Team, ViewerList,
};
use crate::platform::chat_feed::ChatSink;
use crate::platform::client::{PlatformApi, platform_api_accessors, unsupported};
use crate::secret::Secret;

const VELORA: PlatformId = PlatformId::Velora;

#[async_trait::async_trait]
impl PlatformApi for VeloraClient {
    platform_api_accessors!(VELORA, CAPABILITIES);

    fn chat_budget(&self) -> Option<RateBudget> {
        Some(VeloraClient::chat_budget(self))
    }

    async fn account(&self) -> Result<Account, PlatformError> {
        VeloraClient::account(self).await
    }

    /// Velora has no validate endpoint: the client proves the token by reading the account
    /// and reports what the last token answer granted.
    async fn sign_in_status(&self) -> Result<SignInStatus, PlatformError> {
        VeloraClient::sign_in_status(self).await
    }

    /// Velora lists no revocation: the client forgets the tokens.
    async fn revoke(&self) -> Result<(), PlatformError> {
        VeloraClient::revoke(self).await
    }

    async fn channel(&self, target: &ChannelTarget) -> Result<Channel, PlatformError> {
        match target {
            ChannelTarget::Own => self.own_channel().await,
            ChannelTarget::Id(id) => self.channel_by_id(id).await,
            ChannelTarget::Name(name) => self.channel_by_name(name).await,
        }
    }

    async fn stream_key(&self) -> Result<Secret, PlatformError> {
        VeloraClient::stream_key(self).await
    }

    async fn regenerate_stream_key(&self) -> Result<Secret, PlatformError> {
        VeloraClient::regenerate_stream_key(self).await
    }

    async fn update_channel(&self, changes: &ChannelChanges) -> Result<Channel, PlatformError> {
        self.update_stream_info(changes).await?;
        self.own_channel().await
    }

    async fn categories(
        &self,
        query: &str,
        limit: Option<usize>,
    ) -> Result<CategoryPage, PlatformError> {
        VeloraClient::categories(self, query, limit).await
    }

    async fn viewers(&self, channel_id: Option<&str>) -> Result<ViewerList, PlatformError> {
        VeloraClient::viewers(self, channel_id).await
    }

    async fn followers(
        &self,
        channel_id: Option<&str>,
        limit: Option<usize>,
    ) -> Result<FollowerList, PlatformError> {
        VeloraClient::followers(self, channel_id, limit).await
    }

    async fn subscribers(&self) -> Result<SubscriberList, PlatformError> {
        VeloraClient::subscribers(self).await
    }

    async fn send_chat(
        &self,
        message: &str,
        channel_id: Option<&str>,
    ) -> Result<Option<String>, PlatformError> {
        VeloraClient::send_chat(self, message, channel_id).await
    }

    async fn follow_chat(&self, sink: &ChatSink) -> Result<(), PlatformError> {
        super::chat::follow(self, sink).await
    }

    async fn moderate(
        &self,
        action: &ModerationAction,
        channel_id: Option<&str>,
    ) -> Result<ModerationOutcome, PlatformError> {
        VeloraClient::moderate(self, channel_id, action).await
    }

    /// Velora has teams, but a channel's own teams are not in its reference.
    async fn teams(&self) -> Result<Vec<Team>, PlatformError> {
        Err(unsupported(VELORA, "team list for a channel"))
    }
}
