//! Simulated platforms: loopback servers that follow each platform's documented API, with a
//! live world behind them. `--demo` and the tests point the real clients at them, so every
//! demo and test exercises the same HTTP code as production. What they share lives in
//! `common`; each platform's module keeps only its dialect and its world.

pub mod common;
pub mod trovo;
pub mod twitch;
pub mod velora;

/// What every simulator offers: starting on free loopback ports with its options, so the
/// tests and the demo start any of them the same way.
pub trait Simulator: Sized + Send + 'static {
    /// What the simulated world looks like (its defaults: a small live channel).
    type Options: Default;

    /// Binds, builds the world and starts serving. Must be called inside a tokio runtime.
    fn start_with(
        opts: Self::Options,
    ) -> impl std::future::Future<Output = std::io::Result<Self>> + Send;
}

/// A simulator's options, naming the simulator they start (so a test's options alone say
/// which simulator it gets).
pub trait SimulatorOptions: Default {
    type Sim: Simulator<Options = Self>;
}

/// Implements [`Simulator`] for a simulator with an inherent `start(options)`, and
/// [`SimulatorOptions`] for its options.
macro_rules! simulator {
    ($sim:ty, $options:ty) => {
        impl $crate::sim::Simulator for $sim {
            type Options = $options;

            fn start_with(
                opts: $options,
            ) -> impl std::future::Future<Output = std::io::Result<Self>> + Send {
                <$sim>::start(opts)
            }
        }

        impl $crate::sim::SimulatorOptions for $options {
            type Sim = $sim;
        }
    };
}
pub(crate) use simulator;
