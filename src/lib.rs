//! Stagehand: a native desktop control panel for live streamers on Trovo, Twitch and Velora.
//!
//! The library holds everything but the process entry point, so the window, the headless
//! commands, the tests and the benchmarks share one set of clients and one backend.
//! `../shared/DESIGN.md` is the map of how the modules fit together.

pub mod all_platforms;
pub mod app;
pub mod auth;
pub mod backend;
pub mod category_match;
pub mod cli;
pub mod command;
pub mod config;
pub mod config_file;
pub mod draft;
pub mod error;
pub mod launch;
pub mod log_filter;
pub mod model;
pub mod platform;
pub mod secret;
pub mod sim;
pub mod state;
pub mod stats;
pub mod store;
pub mod ui;
