//! What the window shows, and the one pure function that changes it: `AppState::apply`
//! folds each backend `Event` in. Panels read this state and send `Command`s; they never
//! hold network state of their own.

use crate::command::{Command, Event, RequestId};
use crate::error::{ErrorKind, PlatformError};
use crate::model::{
    Account, Capabilities, Category, CategoryPage, Channel, FollowerList, PlatformId, RateBudget,
    SubscriberList, ViewerList,
};
use std::collections::{BTreeMap, HashMap};

mod activity;
mod chat_log;
pub use activity::{Activity, ActivityFeed};
pub use chat_log::{ChatLine, ChatLog};
use std::sync::Arc;
use time::OffsetDateTime;

/// Whether a platform is usable right now, for the status bar.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Connection {
    /// Nothing asked yet.
    #[default]
    Unknown,
    /// Signed in and answering.
    Connected,
    /// Not configured or not signed in.
    SignedOut,
    /// The last call failed; the sentence says why.
    Failing(String),
}

/// A chat line the user sent, and what became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentChat {
    pub request_id: RequestId,
    pub message: String,
    pub status: SendStatus,
    /// The id the platform gave the line once sent, where it gives one: how its echo in
    /// chat is recognised.
    pub platform_id: Option<String>,
}

/// Where a sent chat line stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendStatus {
    Sending,
    Sent,
    Failed(String),
}

/// The category search box's answers. Only the latest request's answer is kept.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CategorySearch {
    pub latest: Option<RequestId>,
    pub query: String,
    pub page: CategoryPage,
    pub error: Option<String>,
    pub loading: bool,
}

/// Everything known about one platform.
#[derive(Clone, Debug, Default)]
pub struct PlatformState {
    pub account: Option<Account>,
    pub capabilities: Option<Capabilities>,
    pub channel: Option<Channel>,
    /// The Apply in flight, if any.
    pub update_pending: Option<RequestId>,
    /// Why the last Apply failed, shown beside the form until the next one.
    pub update_error: Option<String>,
    pub categories: CategorySearch,
    /// Every category seen in any answer, by id: gives the live category its name and icon
    /// whatever the search box shows now.
    pub known_categories: HashMap<String, Category>,
    pub viewers: Option<Arc<ViewerList>>,
    pub followers: Option<Arc<FollowerList>>,
    pub subscribers: Option<Arc<SubscriberList>>,
    /// The own channel's chat and the lines the user sent into it.
    pub chat: ChatLog,
    pub rate_budget: Option<RateBudget>,
    pub connection: Connection,
    /// The last call that failed, until another failure replaces it.
    pub last_error: Option<Problem>,
    /// Until when the sign-in lasts and what it allows.
    pub sign_in: Option<crate::model::SignInStatus>,
    /// The stream key once the user asked for it; never persisted, never logged.
    pub stream_key: Option<crate::secret::Secret>,
    /// What the last CSV export did: where it saved, or why it failed.
    pub export_note: Option<Result<String, String>>,
    /// Who may edit the channel, once asked for.
    pub editors: Option<Result<Vec<crate::model::Editor>, String>>,
    /// The channel's teams, once asked for.
    pub teams: Option<Result<Vec<crate::model::Team>, String>>,
    /// The channel's newest videos, once asked for.
    pub videos: Option<Result<Vec<crate::model::Video>, String>>,
    /// The last commercial started and when, or why it did not start.
    pub commercial: Option<Result<(crate::model::CommercialStarted, OffsetDateTime), String>>,
    /// A commercial asked for and not yet answered.
    pub commercial_pending: bool,
    /// What the last stream key regeneration did: `Ok` once the new key is in
    /// `stream_key`, or why it failed.
    pub key_regenerated: Option<Result<(), String>>,
    /// What the last moderation action did, as a sentence, and whether it worked.
    pub moderation_note: Option<Result<String, String>>,
    /// What is left of a per-user chat limit, where the platform has one.
    pub chat_budget: Option<crate::model::RateBudget>,
}

/// The whole window's state.
#[derive(Clone, Debug, Default)]
pub struct AppState {
    /// The platforms signed in (or configured and being asked); a signed-out platform is
    /// absent, so the panels never show a stale account.
    pub platforms: BTreeMap<PlatformId, PlatformState>,
    /// Running against the built-in simulator.
    pub demo: bool,
    /// Where each platform's sign-in or sign-out from Settings stands.
    pub sign_ins: BTreeMap<PlatformId, SignInFlow>,
    /// Things the user should know once, not tied to a platform: the credential store is
    /// missing, the settings file could not be read.
    pub notices: Vec<String>,
    /// Follows, subscriptions, gifts, raids, spells and cheers from every platform.
    pub activity: ActivityFeed,
    /// The next chat line's number, counted across platforms: the merged chat's order.
    pub chat_seq: u64,
    /// What the local database keeps (presets, recent titles, history, mappings), once read.
    pub saved: Option<Arc<crate::model::Saved>>,
    /// Why the last change to the local database failed.
    pub saved_error: Option<String>,
    /// What the last change did, where that is worth a line ("Exported to …").
    pub saved_note: Option<String>,
    /// The all-platforms form's category mapping: the latest asked for, and its answer.
    pub mapping: MappingState,
    /// The recorded streams (the current ones with their samples), once read.
    pub stats: Option<Arc<crate::model::StatsSnapshot>>,
    /// Past streams opened in the stats panel, by id.
    pub opened_streams: BTreeMap<i64, Arc<crate::model::StreamRecord>>,
    /// What the last stats read or export said, where it failed or wrote a file.
    pub stats_note: Option<Result<String, String>>,
}

/// The category mapping the all-platforms form asked for last. Only the latest request's
/// answer is kept, as with category searches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MappingState {
    pub latest: Option<RequestId>,
    /// The game's name as picked.
    pub name: String,
    /// Per platform, once answered.
    pub proposals: BTreeMap<PlatformId, crate::model::CategoryProposal>,
    pub loading: bool,
}

/// A sign-in or sign-out started from Settings, as far as it got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignInFlow {
    /// Waiting for the user to approve in the browser; the address once it is known, and
    /// the code to confirm there for device sign-ins.
    Waiting {
        url: Option<String>,
        user_code: Option<String>,
    },
    /// Signed in; the note says when the sign-in is kept for this run only.
    SignedIn { note: Option<String> },
    /// The last sign-in failed or was cancelled; the sentence says which and why.
    Failed(String),
    /// Revoking and deleting.
    SigningOut,
    /// Signed out; the note says what did not go to plan.
    SignedOut { note: Option<String> },
}

impl AppState {
    /// The state of one platform, created on first use.
    pub fn platform_mut(&mut self, platform: PlatformId) -> &mut PlatformState {
        self.platforms.entry(platform).or_default()
    }

    /// Records a command as it is sent, so answers to older requests can be told apart and
    /// the UI can show what is in flight.
    pub fn note_sent(&mut self, command: &Command) {
        if let Command::MapCategory {
            name, request_id, ..
        } = command
        {
            self.mapping = MappingState {
                latest: Some(*request_id),
                name: name.clone(),
                proposals: BTreeMap::new(),
                loading: true,
            };
            return;
        }
        let Some(platform) = command.platform() else {
            return;
        };
        match command {
            Command::SignIn { .. } => {
                self.sign_ins.insert(
                    platform,
                    SignInFlow::Waiting {
                        url: None,
                        user_code: None,
                    },
                );
                return;
            }
            Command::SignOut { .. } => {
                self.sign_ins.insert(platform, SignInFlow::SigningOut);
                return;
            }
            Command::CancelSignIn { .. } => return,
            Command::StartCommercial { .. } => {
                self.platform_mut(platform).commercial_pending = true;
                return;
            }
            _ => {}
        }
        let p = self.platform_mut(platform);
        match command {
            Command::SearchCategories {
                query, request_id, ..
            } => {
                p.categories.latest = Some(*request_id);
                p.categories.query = query.clone();
                p.categories.loading = true;
            }
            Command::UpdateChannel { request_id, .. } => {
                p.update_pending = Some(*request_id);
                p.update_error = None;
            }
            Command::SendChat {
                message,
                request_id,
                ..
            } => p.chat.sent.push(SentChat {
                request_id: *request_id,
                message: message.clone(),
                status: SendStatus::Sending,
                platform_id: None,
            }),
            _ => {}
        }
    }

    /// Folds one event into the state. Pure: no I/O, no clock.
    pub fn apply(&mut self, event: Event) {
        // An answer that was under way when its platform signed out is dropped: it belongs
        // to an account that is gone.
        let about_sign_in = matches!(
            event,
            Event::SignInWaiting { .. } | Event::SignedIn { .. } | Event::SignedOut { .. }
        );
        if !about_sign_in
            && let Some(platform) = event.platform()
            && !self.platforms.contains_key(&platform)
        {
            return;
        }
        match event {
            Event::SignInWaiting {
                platform,
                url,
                user_code,
            } => {
                if matches!(
                    self.sign_ins.get(&platform),
                    Some(SignInFlow::Waiting { .. })
                ) {
                    self.sign_ins.insert(
                        platform,
                        SignInFlow::Waiting {
                            url: Some(url),
                            user_code,
                        },
                    );
                }
            }
            Event::SignedIn {
                platform,
                result,
                note,
            } => match result {
                Ok(account) => {
                    // A new account starts from a clean slate: nothing of the old one stays.
                    self.platforms.insert(
                        platform,
                        PlatformState {
                            account: Some(account),
                            connection: Connection::Connected,
                            ..Default::default()
                        },
                    );
                    self.sign_ins
                        .insert(platform, SignInFlow::SignedIn { note });
                }
                Err(why) => {
                    self.sign_ins.insert(platform, SignInFlow::Failed(why));
                }
            },
            Event::EditorsLoaded { platform, result } => {
                self.platform_mut(platform).editors = Some(result.map_err(|e| e.to_string()));
            }
            Event::TeamsLoaded { platform, result } => {
                self.platform_mut(platform).teams = Some(result.map_err(|e| e.to_string()));
            }
            Event::StreamKeyRegenerated { platform, result } => {
                let p = self.platform_mut(platform);
                match result {
                    Ok(key) => {
                        p.stream_key = Some(key);
                        p.key_regenerated = Some(Ok(()));
                    }
                    Err(e) => p.key_regenerated = Some(Err(e.to_string())),
                }
            }
            Event::Moderated {
                platform,
                action,
                who,
                result,
            } => {
                if result.is_ok()
                    && let crate::model::ModerationAction::DeleteMessage { message_id, .. } =
                        &action
                {
                    self.platform_mut(platform).chat.mark_deleted(message_id);
                }
                let (done, not_done) = match &action {
                    crate::model::ModerationAction::Timeout { secs, .. } => (
                        format!("Timed out {who} for {} min.", secs.div_ceil(60)),
                        format!("{who} was not timed out"),
                    ),
                    crate::model::ModerationAction::Ban { .. } => {
                        (format!("Banned {who}."), format!("{who} was not banned"))
                    }
                    crate::model::ModerationAction::DeleteMessage { .. } => (
                        format!("Deleted a message of {who}."),
                        format!("The message of {who} was not deleted"),
                    ),
                };
                self.platform_mut(platform).moderation_note = Some(match result {
                    Ok(_) => Ok(done),
                    Err(e) => Err(format!("{not_done}: {e}")),
                });
            }
            Event::ChatBudget { platform, budget } => {
                self.platform_mut(platform).chat_budget = Some(budget);
            }
            Event::VideosLoaded { platform, result } => {
                self.platform_mut(platform).videos = Some(result.map_err(|e| e.to_string()));
            }
            Event::CommercialStarted {
                platform,
                result,
                at,
            } => {
                let p = self.platform_mut(platform);
                p.commercial_pending = false;
                p.commercial = Some(result.map(|c| (c, at)).map_err(|e| e.to_string()));
            }
            Event::SignedOut { platform, note } => {
                self.platforms.remove(&platform);
                self.sign_ins
                    .insert(platform, SignInFlow::SignedOut { note });
            }
            Event::AccountLoaded {
                platform,
                result,
                capabilities,
            } => {
                let p = self.platform_mut(platform);
                p.capabilities = Some(capabilities);
                match result {
                    Ok(account) => {
                        p.account = Some(account);
                        p.connection = Connection::Connected;
                    }
                    Err(e) => p.fail(&e),
                }
            }
            Event::ChannelLoaded {
                platform, result, ..
            } => {
                let p = self.platform_mut(platform);
                match result {
                    Ok(channel) => {
                        p.channel = Some(channel);
                        p.connection = Connection::Connected;
                    }
                    Err(e) => p.fail(&e),
                }
            }
            Event::ChannelUpdated {
                platform,
                request_id,
                result,
            } => {
                let p = self.platform_mut(platform);
                if p.update_pending == Some(request_id) {
                    p.update_pending = None;
                }
                match result {
                    Ok(channel) => {
                        p.channel = Some(channel);
                        p.update_error = None;
                    }
                    Err(e) => {
                        p.update_error = Some(e.to_string());
                        p.last_error = Some(Problem::from(&e));
                    }
                }
            }
            Event::CategoriesFound {
                platform,
                request_id,
                result,
            } => {
                let p = self.platform_mut(platform);
                if let Ok(page) = &result {
                    for c in &page.categories {
                        p.known_categories.insert(c.id.clone(), c.clone());
                    }
                }
                let search = &mut p.categories;
                // A slow answer to an older query must not replace a newer one.
                if search.latest != Some(request_id) {
                    return;
                }
                search.loading = false;
                match result {
                    Ok(page) => {
                        search.page = page;
                        search.error = None;
                    }
                    Err(e) => search.error = Some(e.to_string()),
                }
            }
            Event::ViewersLoaded {
                platform, result, ..
            } => {
                let p = self.platform_mut(platform);
                match result {
                    Ok(list) => p.viewers = Some(list),
                    Err(e) => p.fail(&e),
                }
            }
            Event::FollowersLoaded {
                platform, result, ..
            } => {
                let p = self.platform_mut(platform);
                match result {
                    Ok(list) => p.followers = Some(list),
                    Err(e) => p.fail(&e),
                }
            }
            Event::SubscribersLoaded {
                platform, result, ..
            } => {
                let p = self.platform_mut(platform);
                match result {
                    Ok(list) => p.subscribers = Some(list),
                    Err(e) => p.fail(&e),
                }
            }
            Event::ChatSent {
                platform,
                request_id,
                message,
                result,
            } => {
                let p = self.platform_mut(platform);
                let echoed = p.chat.answered_after_echo(request_id);
                let (status, platform_id) = match result {
                    Ok(id) => (SendStatus::Sent, id),
                    Err(e) => {
                        p.last_error = Some(Problem::from(&e));
                        (SendStatus::Failed(e.to_string()), None)
                    }
                };
                match p.chat.sent.iter_mut().find(|c| c.request_id == request_id) {
                    Some(line) => {
                        line.status = status;
                        line.platform_id = platform_id;
                    }
                    // Chat showed it back before this answer: it is in the log already.
                    None if echoed && status == SendStatus::Sent => {}
                    None => p.chat.sent.push(SentChat {
                        request_id,
                        message,
                        status,
                        platform_id,
                    }),
                }
            }
            Event::ChatArrived { platform, events } => {
                self.activity.extend(&events);
                let mut seq = self.chat_seq;
                let p = self.platform_mut(platform);
                let me = p.account.as_ref().map(|a| a.id.as_str());
                p.chat.extend(events, me, &mut seq);
                self.chat_seq = seq;
            }
            Event::ChatFeedChanged { platform, status } => {
                self.platform_mut(platform).chat.status = Some(status);
            }
            Event::RateBudget { platform, budget } => {
                self.platform_mut(platform).rate_budget = Some(budget);
            }
            Event::NotConfigured { platform, .. } => {
                self.platform_mut(platform).connection = Connection::SignedOut;
            }
            Event::Exported { platform, result } => {
                self.platform_mut(platform).export_note = match result {
                    Ok(Some(path)) => Some(Ok(format!("Saved {}", path.display()))),
                    Ok(None) => None,
                    Err(e) => Some(Err(e)),
                };
            }
            Event::SignInStatusLoaded { platform, result } => {
                let p = self.platform_mut(platform);
                match result {
                    Ok(status) => p.sign_in = Some(status),
                    Err(e) => p.fail(&e),
                }
            }
            Event::StreamKeyLoaded { platform, result } => {
                let p = self.platform_mut(platform);
                match result {
                    Ok(key) => p.stream_key = Some(key),
                    Err(e) => p.last_error = Some(Problem::from(&e)),
                }
            }
            // Images become textures in the UI, which owns the GPU side.
            Event::SavedLoaded { result, note } => {
                match result {
                    Ok(saved) => {
                        self.saved = Some(saved);
                        self.saved_error = None;
                    }
                    Err(e) => self.saved_error = Some(e),
                }
                self.saved_note = note;
            }
            Event::StoreNotice { message } => {
                if !self.notices.contains(&message) {
                    self.notices.push(message);
                }
            }
            Event::CategoryMapped {
                request_id,
                proposals,
                ..
            } => {
                if self.mapping.latest == Some(request_id) {
                    self.mapping.proposals = proposals;
                    self.mapping.loading = false;
                }
            }
            Event::StatsLoaded { result } => match result {
                Ok(stats) => self.stats = Some(stats),
                Err(e) => self.stats_note = Some(Err(e)),
            },
            Event::StreamLoaded { id, result } => match result {
                Ok(record) => {
                    self.opened_streams.insert(id, record);
                }
                Err(e) => self.stats_note = Some(Err(e)),
            },
            Event::StreamExported { result } => {
                self.stats_note = match result {
                    Ok(Some(path)) => Some(Ok(format!("Saved {}", path.display()))),
                    Ok(None) => None,
                    Err(e) => Some(Err(e)),
                };
            }
            Event::ImageLoaded { .. } => {}
        }
    }
}

impl PlatformState {
    fn fail(&mut self, e: &PlatformError) {
        self.connection = Connection::Failing(e.to_string());
        self.last_error = Some(Problem::from(e));
    }
}

/// A failed call as the window keeps it: the sentence to show and what kind of failure it
/// was, so a panel can offer the fix (Sign in again, where the sign-in is what failed).
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// What went wrong, in words the user can act on.
    pub sentence: String,
    /// What kind of failure it was, for the fix a panel offers.
    pub kind: ErrorKind,
}

impl Problem {
    /// Whether only a new sign-in fixes this: the sign-in was refused, revoked or lacks a
    /// permission, or it lapsed and could not be refreshed.
    pub fn needs_sign_in(&self) -> bool {
        matches!(self.kind, ErrorKind::Auth | ErrorKind::TokenExpired)
    }
}

impl From<&PlatformError> for Problem {
    fn from(e: &PlatformError) -> Self {
        Problem {
            sentence: e.to_string(),
            kind: e.kind(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.sentence)
    }
}

#[cfg(test)]
mod tests;
