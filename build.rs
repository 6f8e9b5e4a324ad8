//! Gives stagehand.exe its icon on Windows (Explorer, the taskbar, shortcuts). Nothing to
//! do on other systems, whose packages carry the icon beside the binary.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=assets/icons/stagehand.ico");
    #[cfg(windows)]
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("windows") {
        let mut res = winresource::WindowsResource::new();
        res.set_icon("assets/icons/stagehand.ico");
        res.compile()
            .expect("embedding the icon in stagehand.exe (rc.exe comes with the Windows SDK)");
    }
}
