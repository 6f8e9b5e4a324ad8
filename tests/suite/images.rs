//! Category icons through the image cache: fetched from the simulator over HTTP, decoded,
//! shrunk, and kept on disk so a second start draws them without the network.

use stagehand::backend::images::{ImageCache, MAX_SIDE};
use stagehand::platform::trovo::sim_client as trovo_sim_client;
use stagehand::sim::trovo::{SimOptions, TrovoSim};

#[tokio::test]
async fn icons_come_back_from_disk_when_the_network_is_gone() {
    let sim = TrovoSim::start(SimOptions::default())
        .await
        .expect("simulator");
    let client = trovo_sim_client(&sim).expect("client");
    let categories = client.top_categories().await.expect("categories");
    let url = categories[0].icon_url.clone().expect("an icon");
    let dir = std::env::temp_dir().join(format!("stagehand-icons-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);

    let first = ImageCache::new(Some(dir.clone()));
    let image = first.load(&url).await.expect("fetched and decoded");
    assert!(image.width <= MAX_SIDE && image.height <= MAX_SIDE && image.width > 0);
    assert_eq!(image.rgba.len(), (image.width * image.height * 4) as usize);
    assert!(
        std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0) >= 1,
        "written to disk"
    );

    // The platform goes away; a new start (a new cache on the same folder) still has it.
    sim.shutdown();
    let second = ImageCache::new(Some(dir.clone()));
    let again = second.load(&url).await.expect("read from disk");
    assert_eq!(*again, *image);

    // And an icon that was never fetched fails cleanly, leaving the placeholder.
    let missing = second.load(&format!("{url}-never")).await;
    assert!(missing.is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn addresses_off_loopback_over_plain_http_are_refused() {
    let cache = ImageCache::new(None);
    let e = cache
        .load("http://203.0.113.9/icon.png")
        .await
        .expect_err("refused");
    assert!(e.to_string().contains("not allowed"));
}
