//! Chat moderation on Trovo in the model's terms: a message is deleted with
//! `DELETE /channels/{ch}/messages/{msg}/users/{uid}` (which needs the author's user id),
//! a ban is the chat command `ban USER` and a timeout `ban USER SECONDS` (Trovo has no
//! timeout command), both through `POST /channels/command` (scope manage_messages). The
//! command answers 200 even when it failed; its `display_msg` then says why, and becomes the
//! error. Trovo's commands take no reason, so a reason is not sent.

use super::TrovoClient;
use crate::error::{ErrorKind, PlatformError};
use crate::model::{ModerationAction, ModerationOutcome, PlatformId, TargetUser};

const PLATFORM: PlatformId = PlatformId::Trovo;

impl TrovoClient {
    /// Carries out `action` in the own channel's chat, or `channel_id`'s. Never sent twice.
    pub async fn moderate(
        &self,
        channel_id: Option<&str>,
        action: &ModerationAction,
    ) -> Result<ModerationOutcome, PlatformError> {
        if let ModerationAction::Timeout { secs: 0, .. } = action {
            return Err(refuse("a timeout must last at least one second"));
        }
        let channel = match channel_id {
            Some(id) => id.to_owned(),
            None => self.own_channel_id().await?,
        };
        let command = match action {
            ModerationAction::DeleteMessage { user, message_id } => {
                let uid = self.user_id_of(user).await?;
                self.delete_message(&channel, message_id, &uid).await?;
                return Ok(ModerationOutcome::default());
            }
            ModerationAction::Timeout { user, secs, .. } => {
                format!("ban {} {secs}", self.user_name_of(user).await?)
            }
            ModerationAction::Ban { user, .. } => {
                format!("ban {}", self.user_name_of(user).await?)
            }
        };
        let outcome = self.chat_command(&channel, &command).await?;
        if !outcome.success {
            let what = match action {
                ModerationAction::Timeout { .. } => "timeout",
                _ => "ban",
            };
            return Err(PlatformError::Api {
                platform: PLATFORM,
                code: 0,
                kind: ErrorKind::InvalidInput,
                sentence: match outcome.message {
                    Some(why) => format!("Trovo did not carry out the {what}: {why}"),
                    None => format!("Trovo did not carry out the {what} and did not say why"),
                },
            });
        }
        Ok(ModerationOutcome {
            message: outcome.message,
        })
    }

    /// The user name a chat command names: a name as given, or the user name of an id
    /// that chatted lately, or else the one in the channel with that id (on Trovo a user's
    /// channel id is their user id).
    async fn user_name_of(&self, user: &TargetUser) -> Result<String, PlatformError> {
        let name = match user {
            TargetUser::Name(name) => name.trim().trim_start_matches('@').to_owned(),
            TargetUser::Id(id) => match self.chatter_login(id) {
                Some(login) => login,
                None => self
                    .channel_by_id(id)
                    .await
                    .ok()
                    .map(|c| c.name)
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| {
                        refuse(&format!(
                            "Trovo's ban command needs a user name, and the one of user {id} is not known here"
                        ))
                    })?,
            },
        };
        // A space would end the name and start another argument of the command.
        if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(refuse(&format!(
                "Trovo's chat commands cannot name {name:?}: a user name has no spaces"
            )));
        }
        Ok(name)
    }

    /// The user id a message deletion needs: an id as given, or the id `getusers` finds for
    /// a user name, or else the name itself when it is a number (a user id given where a
    /// name could be, as on the command line).
    async fn user_id_of(&self, user: &TargetUser) -> Result<String, PlatformError> {
        match user {
            TargetUser::Id(id) => Ok(id.clone()),
            TargetUser::Name(name) => {
                let name = name.trim().trim_start_matches('@');
                let found = self.get_users(&[name]).await?.into_iter().next();
                let numeric = !name.is_empty() && name.chars().all(|c| c.is_ascii_digit());
                found
                    .map(|u| u.user_id)
                    .or_else(|| numeric.then(|| name.to_owned()))
                    .ok_or_else(|| PlatformError::Api {
                        platform: PLATFORM,
                        code: 0,
                        kind: ErrorKind::NotFound,
                        sentence: format!("no Trovo user is called {name:?}"),
                    })
            }
        }
    }
}

fn refuse(sentence: &str) -> PlatformError {
    PlatformError::Api {
        platform: PLATFORM,
        code: 0,
        kind: ErrorKind::InvalidInput,
        sentence: sentence.to_owned(),
    }
}
