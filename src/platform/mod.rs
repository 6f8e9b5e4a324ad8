//! The platforms behind one platform-neutral surface, and their registry. The backend and
//! the headless commands speak only `PlatformClient` (what a signed-in client can do) and
//! `Platform` (how a client is made: from the settings, for the demo, by signing in); each
//! platform's module implements both. Adding a platform adds its module, its simulator and
//! one line in `registry!` below.

pub mod chat_feed;
pub mod client;
pub(crate) mod http;
pub mod lenient;
pub(crate) mod locks;
pub mod ratelimit;
pub mod registry;
pub mod tokens;
pub mod trovo;
pub mod twitch;
pub mod velora;

pub use crate::model::ChannelTarget;
pub use client::{PlatformApi, PlatformClient};
pub use registry::Platform;

/// Declares the platforms: `Variant => module`. The variant names the platform as users
/// see it (`Trovo`); the module (`trovo`) is its slug, the spelling of scripts, the settings
/// file and the keyring, and holds a unit struct named like the variant that implements
/// [`Platform`].
macro_rules! registry {
    ($($variant:ident => $module:ident),+ $(,)?) => {
        /// Which streaming platform a value belongs to; the key of every per-platform map.
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(rename_all = "lowercase")]
        pub enum PlatformId {
            $($variant),+
        }

        impl PlatformId {
            /// Every platform Stagehand knows, in the order the window lists them.
            pub const ALL: [PlatformId; [$(stringify!($variant)),+].len()] =
                [$(PlatformId::$variant),+];

            /// The platform's entry in the registry.
            pub fn entry(self) -> &'static dyn Platform {
                match self {
                    $(PlatformId::$variant => &$module::$variant),+
                }
            }

            /// The name a streamer recognises, for labels and error sentences.
            pub fn display_name(self) -> &'static str {
                match self {
                    $(PlatformId::$variant => stringify!($variant)),+
                }
            }

            /// The lowercase name that scripts, the settings file, the keyring and the
            /// command line use (`trovo`): the same spelling serde writes.
            pub fn slug(self) -> &'static str {
                match self {
                    $(PlatformId::$variant => stringify!($module)),+
                }
            }
        }
    };
}

registry! {
    Trovo => trovo,
    Twitch => twitch,
    Velora => velora,
}

impl PlatformId {
    /// The platform whose slug is `slug` (`trovo`), if there is one.
    pub fn from_slug(slug: &str) -> Option<PlatformId> {
        PlatformId::ALL.into_iter().find(|p| p.slug() == slug)
    }
}

impl std::fmt::Display for PlatformId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.display_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_its_own_platform_and_its_slug_is_what_serde_writes() {
        for platform in PlatformId::ALL {
            assert_eq!(platform.entry().id(), platform);
            let json = serde_json::to_string(&platform).expect("serialises");
            assert_eq!(json, format!("\"{}\"", platform.slug()));
            assert_eq!(PlatformId::from_slug(platform.slug()), Some(platform));
            assert!(
                platform
                    .display_name()
                    .eq_ignore_ascii_case(platform.slug())
            );
        }
        assert_eq!(PlatformId::from_slug("nowhere"), None);
    }
}
