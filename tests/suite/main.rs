//! Stagehand's integration tests, one crate so the test binary links once: each module is
//! one area (a platform's client or simulator, the command line, the window), driven over
//! real HTTP and websockets against the simulators on loopback.

#[path = "../common/mod.rs"]
mod common;

mod auth_loopback;
mod cli;
mod cli_all;
mod cli_follow;
mod cli_login;
mod cli_twitch;
mod cli_velora;
mod images;
mod keyring_real;
mod live_events;
mod no_secret_leaks;
mod packaging;
mod platform_neutral;
mod sim_trovo;
mod sim_twitch;
mod sim_velora;
mod stats;
mod trovo_chat;
mod trovo_client;
mod trovo_reference_samples;
mod twitch_chat;
mod twitch_client;
mod ui;
mod ui_accounts;
mod ui_all_platforms;
mod ui_live;
mod ui_stats;
mod ui_twitch;
mod ui_velora;
mod velora_client;
mod velora_events;
