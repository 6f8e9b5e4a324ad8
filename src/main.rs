//! The process entry point: arguments, logging and the runtime, then either a headless
//! command or the window.

// A release build on Windows is a GUI program, so a double-click opens no console window;
// the headless commands attach to the terminal that started them (`attach_parent_console`).
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

use clap::Parser;
use stagehand::cli::{self, Cli};
use stagehand::launch;
use std::io::IsTerminal;
use std::process::ExitCode;

/// The window's and the desktop entry's name: the Wayland app id, the X11 class, the name of
/// `stagehand.desktop` and of the icon, and eframe's storage folder.
const APP_ID: &str = "stagehand";

/// The window icon (the taskbar, the dock, Alt+Tab), drawn from `assets/stagehand.svg`.
const ICON_PNG: &[u8] = include_bytes!("../assets/icons/256x256.png");

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help, version and usage errors are printed: they need the terminal.
            attach_parent_console();
            e.exit();
        }
    };
    if cli.command.is_some() {
        attach_parent_console();
    }
    init_logging(cli.command.is_none());
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
    match cli.command {
        Some(command) => runtime.block_on(cli::run(cli.demo, cli.json, command)),
        None => run_window(&runtime, cli.demo),
    }
}

/// Logs are written only when asked for with `RUST_LOG`, so scripts see exactly one line on
/// failure. They go to stderr, except for a window started without a terminal (from the
/// desktop, the Start menu or the Dock), whose stderr nobody reads: that one writes them to
/// `stagehand.log` in the system's place for logs (`log_dir`), anew at each start.
fn init_logging(window: bool) {
    if std::env::var_os("RUST_LOG").is_none() {
        return;
    }
    let filter = stagehand::log_filter::without_secret_leaks(
        tracing_subscriber::EnvFilter::from_default_env(),
    );
    if window && !std::io::stderr().is_terminal() {
        let file = log_dir().and_then(|dir| {
            std::fs::create_dir_all(&dir).ok()?;
            std::fs::File::create(dir.join("stagehand.log")).ok()
        });
        if let Some(file) = file {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(file))
                .try_init();
            return;
        }
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Where the window's log file goes: `~/.local/state/stagehand` on Linux (`$XDG_STATE_HOME`),
/// `~/Library/Logs/Stagehand` on macOS, `%LOCALAPPDATA%\Stagehand\Stagehand\logs` on Windows.
fn log_dir() -> Option<std::path::PathBuf> {
    let dirs = directories::ProjectDirs::from("live", "Stagehand", "Stagehand")?;
    if cfg!(target_os = "macos") {
        let base = directories::BaseDirs::new()?;
        Some(
            base.home_dir()
                .join("Library")
                .join("Logs")
                .join("Stagehand"),
        )
    } else if let Some(state) = dirs.state_dir() {
        Some(state.to_path_buf())
    } else {
        dirs.cache_dir().parent().map(|p| p.join("logs"))
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
            .with_app_id(APP_ID)
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([760.0, 560.0]),
        ..Default::default()
    };
    let options = match eframe::icon_data::from_png_bytes(ICON_PNG) {
        Ok(icon) => eframe::NativeOptions {
            viewport: options.viewport.with_icon(icon),
            ..options
        },
        Err(e) => {
            tracing::warn!("the window icon did not decode: {e}");
            options
        }
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

/// On Windows a release build starts with no console (see `windows_subsystem` above), so
/// whatever a headless command prints would be lost: attach to the console of the terminal
/// that started the process, where there is one. Handles a script redirected to a file or a
/// pipe are already set and stay as they are, so then there is nothing to do.
#[cfg(windows)]
fn attach_parent_console() {
    use windows_sys::Win32::Foundation::INVALID_HANDLE_VALUE;
    use windows_sys::Win32::System::Console::{
        ATTACH_PARENT_PROCESS, AttachConsole, GetStdHandle, STD_ERROR_HANDLE, STD_HANDLE,
        STD_OUTPUT_HANDLE,
    };
    let missing = |id: STD_HANDLE| {
        // SAFETY: reads the process's standard handle; no pointer is passed.
        let handle = unsafe { GetStdHandle(id) };
        handle.is_null() || handle == INVALID_HANDLE_VALUE
    };
    if missing(STD_OUTPUT_HANDLE) || missing(STD_ERROR_HANDLE) {
        // SAFETY: no pointer is passed. It fails harmlessly when the parent has no console
        // (a double-click) or one is attached already (a debug build).
        unsafe {
            AttachConsole(ATTACH_PARENT_PROCESS);
        }
    }
}

/// Elsewhere a program always has the terminal that started it.
#[cfg(not(windows))]
fn attach_parent_console() {}
