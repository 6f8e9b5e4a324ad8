//! What a user needs to know to register an application with a platform before signing in:
//! where its developer console is, what to enter there, and whether a client secret helps.
//! Kept here, not in the panels, so Settings draws every platform the same way.

/// How a platform's sign-in uses a client secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretUse {
    /// Optional: with it the sign-in can be refreshed; without it, it lasts until it lapses.
    Optional,
    /// Not used: the platform treats a desktop app as a public client.
    None,
}

/// The registration steps of one platform.
#[derive(Clone, Copy, Debug)]
pub struct RegistrationHelp {
    /// The developer console, opened by the link in Settings.
    pub console_url: &'static str,
    /// What to do there, one sentence a line; `{redirect}` stands for the redirect URL.
    pub steps: &'static [&'static str],
    pub secret: SecretUse,
    /// What the secret changes, said beside its field.
    pub secret_hint: &'static str,
    /// The browser flow's redirect comes back to the loopback port; a device sign-in
    /// (a code confirmed on the platform's page) needs no redirect.
    pub uses_redirect: bool,
}
