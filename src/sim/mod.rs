//! Simulated platforms: loopback servers that follow each platform's documented API, with a
//! live world behind them. `--demo` and the tests point the real clients at them, so every
//! demo and test exercises the same HTTP code as production. What they share lives in
//! `common`; each platform's module keeps only its dialect and its world.

pub mod common;
pub mod trovo;
pub mod twitch;
pub mod velora;
