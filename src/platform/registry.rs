//! What the shared code knows about a platform besides its client: how to build the client
//! from the settings, how to start its simulator for `--demo`, and how a user signs in.
//! Each platform module implements [`Platform`] once, on a unit struct named after the
//! platform, and `platform/mod.rs` lists it with one line. The window, the headless
//! commands and the launch code only ever go through this.
//!
//! Every platform reads its settings as `STAGEHAND_<PLATFORM>_<KEY>` through a [`Lookup`]
//! (the environment, then the settings file), so a simulator or a stand-in server is just
//! other values for the same keys.

use super::PlatformClient;
use super::tokens::TokenPair;
use crate::auth::help::RegistrationHelp;
use crate::auth::{LoopbackListener, Redirect, random_state};
use crate::error::PlatformError;
use crate::model::{Account, PlatformId};
use crate::secret::Secret;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::oneshot;

/// A settings lookup: the full variable name (`STAGEHAND_TROVO_API`) to its value.
pub type Lookup<'a> = dyn Fn(&str) -> Option<String> + Send + Sync + 'a;

/// Settings as plain values, for a simulator and the tests: what its keys would say.
pub type SettingsMap = BTreeMap<String, String>;

/// The full name of `platform`'s setting `key` (`API` → `STAGEHAND_TROVO_API`).
pub fn setting_name(platform: PlatformId, key: &str) -> String {
    format!("STAGEHAND_{}_{key}", platform.slug().to_ascii_uppercase())
}

/// A lookup over `map` alone.
pub fn map_lookup(map: &SettingsMap) -> impl Fn(&str) -> Option<String> + Send + Sync + '_ {
    move |key: &str| map.get(key).cloned()
}

/// What the registry says of a platform before any code runs.
#[derive(Clone, Copy, Debug)]
pub struct PlatformDescription {
    /// Which platform this is.
    pub id: PlatformId,
    /// Where the platform lives, for `--help` (`trovo.live`).
    pub website: &'static str,
    /// What a user does in the platform's developer console before signing in.
    pub registration_help: RegistrationHelp,
    /// Whether Sign out can end the sign-in on the platform's side (else the stored tokens
    /// are only deleted, and a copy elsewhere works until it expires).
    pub revokes_tokens: bool,
    /// Two letters that mark the platform's lines in the merged chat and feed.
    pub mark: &'static str,
    /// The platform's colour, for its mark (red, green, blue).
    pub brand_rgb: (u8, u8, u8),
}

/// One platform in the registry.
#[async_trait::async_trait]
pub trait Platform: Send + Sync + 'static {
    /// The platform's description.
    fn description(&self) -> &'static PlatformDescription;

    /// Which platform this is.
    fn id(&self) -> PlatformId {
        self.description().id
    }

    /// Where the platform lives, for `--help`.
    fn website(&self) -> &'static str {
        self.description().website
    }

    /// What a user does in the platform's developer console before signing in.
    fn registration_help(&self) -> RegistrationHelp {
        self.description().registration_help
    }

    /// Whether Sign out can end the sign-in on the platform's side.
    fn revokes_tokens(&self) -> bool {
        self.description().revokes_tokens
    }

    /// A client configured by `settings`: its addresses, client ID, client secret and
    /// tokens. Fails with the sentence that says what to set when the settings are wrong
    /// or the client ID is missing.
    fn client(&self, settings: &Lookup<'_>) -> Result<PlatformClient, PlatformError>;

    /// Starts the platform's simulator for `--demo`, its sign-in redirect (where it has
    /// one) coming back to `redirect_port`.
    async fn start_demo(&self, redirect_port: u16) -> Result<DemoPlatform, String>;

    /// Runs one sign-in to its end: the platform's own flow (a browser and the loopback
    /// redirect, or a code confirmed on the platform's page), told through
    /// `request.prompt`, until it has tokens and knows who signed in.
    async fn sign_in(&self, request: SignInRequest<'_>) -> Result<SignedIn, String>;
}

/// A running simulator of one platform for `--demo`.
pub struct DemoPlatform {
    /// Keeps the simulator running; dropping it stops it.
    pub sim: Box<dyn std::any::Any + Send>,
    /// The settings that point at the simulator, with its application's client ID and
    /// secret and its streamer's tokens: a client built from them is signed in.
    pub settings: SettingsMap,
}

impl DemoPlatform {
    /// The simulator `starting` starts, with the settings `sign_in` gives for it.
    pub async fn start<S: std::any::Any + Send>(
        starting: impl std::future::Future<Output = std::io::Result<S>>,
        sign_in: impl FnOnce(&S) -> SettingsMap,
    ) -> Result<DemoPlatform, String> {
        let sim = starting.await.map_err(|e| e.to_string())?;
        Ok(DemoPlatform {
            settings: sign_in(&sim),
            sim: Box::new(sim),
        })
    }
}

/// A platform's client made from its configuration, for [`Platform::client`].
pub fn client_of<C: super::PlatformApi>(
    client: Result<C, PlatformError>,
) -> Result<PlatformClient, PlatformError> {
    client.map(PlatformClient::new)
}

/// What the platform says to do during a sign-in: open `url` (and, for a device sign-in,
/// enter `user_code` there).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInPrompt {
    /// The page to open.
    pub url: String,
    /// The code to confirm there, for a device sign-in.
    pub user_code: Option<String>,
}

/// What one sign-in is given.
pub struct SignInRequest<'a> {
    /// The platform's settings for this sign-in: the addresses, the client ID and secret to
    /// sign in with, and no tokens (a new sign-in replaces whatever was held).
    pub settings: &'a Lookup<'a>,
    /// The loopback port the browser's redirect comes back to.
    pub port: u16,
    /// How long to wait for the user.
    pub timeout: Duration,
    /// Shows the user where to go (prints it, or emits it to the window).
    pub prompt: Box<dyn FnOnce(SignInPrompt) + Send + 'a>,
    /// Cancels the sign-in when it fires or its sender is dropped.
    pub cancel: oneshot::Receiver<()>,
}

impl SignInRequest<'_> {
    /// The browser half of a loopback sign-in, the same for every platform that has one:
    /// binds the listener on `port`, builds the authorize address with
    /// `authorize(redirect_uri, state)` (a fresh state per sign-in), shows it, and waits for
    /// the platform to send the browser back. Answers the redirect and the redirect URI,
    /// which the code exchange needs again.
    pub async fn through_browser(
        self,
        authorize: impl FnOnce(&str, &str) -> Result<url::Url, String>,
    ) -> Result<(Redirect, String), String> {
        let listener = LoopbackListener::bind(self.port)
            .await
            .map_err(|e| e.to_string())?;
        let redirect_uri = listener.redirect_uri();
        let state = random_state();
        let url = authorize(&redirect_uri, &state)?;
        (self.prompt)(SignInPrompt {
            url: url.to_string(),
            user_code: None,
        });
        let redirect = listener
            .wait(&state, self.timeout, self.cancel)
            .await
            .map_err(|e| e.to_string())?;
        Ok((redirect, redirect_uri))
    }
}

/// What comes of a sign-in.
pub struct SignedIn {
    /// The client, holding the new tokens.
    pub client: PlatformClient,
    /// Who signed in.
    pub account: Account,
    /// The tokens, for the credential store.
    pub tokens: TokenPair,
    /// The client ID signed in with, for the settings file.
    pub client_id: String,
    /// The client secret signed in with, where the platform uses one, for the credential
    /// store.
    pub client_secret: Option<Secret>,
}

/// Settings for a new sign-in: the configured ones without tokens (a new sign-in replaces
/// whatever was held), signing in with the client ID and secret the user gave or, from the
/// command line, the configured ones.
pub struct SignInSettings<'a> {
    base: &'a Lookup<'a>,
    /// The client ID to use; `None` takes the configured one.
    client_id: Option<String>,
    /// The client secret to use (a blank one is none), or the stored one when the settings
    /// give none.
    client_secret: Option<Secret>,
    /// Whether the settings' own client secret counts.
    configured_secret: bool,
    /// `CLIENT_ID`, `CLIENT_SECRET`, `ACCESS_TOKEN`, `REFRESH_TOKEN` in full.
    names: [String; 4],
}

impl<'a> SignInSettings<'a> {
    /// The window's sign-in: `client_id` and `client_secret` as typed in Settings.
    pub fn from_form(
        platform: PlatformId,
        base: &'a Lookup<'a>,
        client_id: &str,
        client_secret: Option<Secret>,
    ) -> Self {
        SignInSettings {
            base,
            client_id: Some(client_id.trim().to_owned()),
            client_secret: client_secret.filter(|s| !s.expose().trim().is_empty()),
            configured_secret: false,
            names: Self::names(platform),
        }
    }

    /// The command line's sign-in: the configured client ID and secret, else
    /// `stored_secret` (the credential store's).
    pub fn configured(
        platform: PlatformId,
        base: &'a Lookup<'a>,
        stored_secret: Option<Secret>,
    ) -> Self {
        SignInSettings {
            base,
            client_id: None,
            client_secret: stored_secret.filter(|s| !s.expose().trim().is_empty()),
            configured_secret: true,
            names: Self::names(platform),
        }
    }

    fn names(platform: PlatformId) -> [String; 4] {
        [
            "CLIENT_ID",
            "CLIENT_SECRET",
            "ACCESS_TOKEN",
            "REFRESH_TOKEN",
        ]
        .map(|key| setting_name(platform, key))
    }

    /// The value of the setting `name` (in full: `STAGEHAND_TROVO_API`).
    pub fn get(&self, name: &str) -> Option<String> {
        let secret = || self.client_secret.as_ref().map(|s| s.expose().to_owned());
        match self.names.iter().position(|n| n == name) {
            Some(0) => self.client_id.clone().or_else(|| (self.base)(name)),
            Some(1) if self.configured_secret => (self.base)(name).or_else(secret),
            Some(1) => secret(),
            Some(_) => None,
            None => (self.base)(name),
        }
    }
}

/// `map` with an application's client ID (and secret) and a user's tokens added: the
/// settings of a client signed in to a simulator.
pub fn with_sign_in(
    platform: PlatformId,
    mut map: SettingsMap,
    client_id: &str,
    client_secret: Option<&str>,
    (access_token, refresh_token): (String, String),
) -> SettingsMap {
    map.insert(setting_name(platform, "CLIENT_ID"), client_id.to_owned());
    if let Some(secret) = client_secret {
        map.insert(setting_name(platform, "CLIENT_SECRET"), secret.to_owned());
    }
    map.insert(setting_name(platform, "ACCESS_TOKEN"), access_token);
    map.insert(setting_name(platform, "REFRESH_TOKEN"), refresh_token);
    map
}
