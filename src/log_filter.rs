//! What the app lets into its logs, whatever `RUST_LOG` asks: one place, so the binary and
//! the leak tests log alike.

use tracing_subscriber::EnvFilter;

/// Crates that would log secrets at their most talkative: the websocket library traces
/// whole frames, and a chat socket's first frame carries its chat token. Only their
/// warnings and errors get through.
const QUIET: [&str; 2] = ["tungstenite=info", "tokio_tungstenite=info"];

/// `filter` with the crates that could leak secrets held to warnings and errors.
pub fn without_secret_leaks(mut filter: EnvFilter) -> EnvFilter {
    for quiet in QUIET {
        if let Ok(directive) = quiet.parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}
