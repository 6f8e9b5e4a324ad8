//! The process entry point: arguments, logging and the runtime, then either a headless
//! command or the window.

use clap::Parser;
use stagehand::cli::{self, Cli};
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
        None => run_window(cli.demo),
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

/// The window. The control panel itself is the next piece of work; until it lands the
/// window says what Stagehand is and how to use the headless commands.
fn run_window(demo: bool) -> ExitCode {
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("Stagehand")
            .with_app_id("stagehand")
            .with_inner_size([1280.0, 800.0]),
        ..Default::default()
    };
    let result = eframe::run_ui_native("Stagehand", options, move |ui, _frame| {
        eframe::egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("Stagehand");
            if demo {
                ui.label("Demo mode");
            }
            ui.label("The control panel window is on its way; the headless commands work now: stagehand --demo trovo channel");
        });
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stagehand: could not open the window: {e}");
            ExitCode::from(1)
        }
    }
}
