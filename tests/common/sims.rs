//! Starting a simulator in a test, whichever platform it plays: the options say which.

use stagehand::sim::{Simulator, SimulatorOptions};

/// The simulator `opts` are for, started with them.
pub async fn sim_with<O: SimulatorOptions>(opts: O) -> O::Sim {
    O::Sim::start_with(opts)
        .await
        .expect("the simulator starts")
}
