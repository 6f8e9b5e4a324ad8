//! The process entry point: arguments, logging and the runtime, then either a headless
//! command or the window.

use clap::Parser;
use stagehand::cli::{self, Cli};
use stagehand::launch;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("stagehand: could not start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match cli.platform {
        Some(command) => runtime.block_on(cli::run(cli.demo, cli.json, command)),
        None => run_window(&runtime, cli.demo),
    }
}

/// Logs go to stderr only when asked for with `RUST_LOG`, so scripts see exactly one line
/// on failure.
fn init_logging() {
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .try_init();
    }
}

/// Opens the control panel: against the built-in simulator with `--demo`, otherwise with
/// the platforms configured in the environment.
fn run_window(runtime: &tokio::runtime::Runtime, demo: bool) -> ExitCode {
    let launch = match runtime.block_on(launch::window(demo, runtime.handle().clone())) {
        Ok(launch) => launch,
        Err(e) => {
            eprintln!("stagehand: {e}");
            return ExitCode::from(1);
        }
    };
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title(if demo {
                "Stagehand (demo)"
            } else {
                "Stagehand"
            })
            .with_app_id("stagehand")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([760.0, 560.0]),
        ..Default::default()
    };
    let result = eframe::run_native(
        "Stagehand",
        options,
        Box::new(move |cc| {
            Ok(Box::new(stagehand::app::StagehandApp::new(
                launch, cc.storage,
            )))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stagehand: could not open the window: {e}");
            ExitCode::from(1)
        }
    }
}
