//! Helpers shared by the integration tests that sign in: a free port for the loopback
//! listener, and a "browser" that approves on the simulator's consent page.

#![allow(dead_code)]

pub mod cli;
pub mod fonts;
pub mod harness;
pub mod live;
pub mod sims;
pub mod window;

use reqwest::redirect::Policy;
use stagehand::sim::trovo::TrovoSim;
use std::time::Duration;

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    reserve_port().1
}

/// A free port, held by the returned listener until it is dropped: a test that starts
/// simulators (which bind ports of their own) before the port is used keeps it reserved
/// meanwhile, or a simulator may be handed the very port just freed.
pub fn reserve_port() -> (std::net::TcpListener, u16) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("its address").port();
    (listener, port)
}

/// What a browser does with the sign-in address: open the consent page, click "as the
/// streamer", follow the redirect to the loopback listener.
pub async fn approve(sim: &TrovoSim, address: &str) -> String {
    let browser = reqwest::Client::builder()
        .redirect(Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let html = browser
        .get(address)
        .send()
        .await
        .expect("consent page")
        .text()
        .await
        .expect("html");
    let marker = "id=\"as-streamer\" href=\"";
    let start = html.find(marker).expect("the approve link") + marker.len();
    let end = start + html[start..].find('"').expect("end of link");
    let href = html[start..end].replace("&amp;", "&");
    let go = browser
        .get(format!("{}{href}", sim.origin()))
        .send()
        .await
        .expect("authorize");
    let mut target =
        url::Url::parse(go.headers()["location"].to_str().expect("location")).expect("redirect");
    let fragment = target.fragment().map(str::to_owned);
    target.set_fragment(None);
    let page = browser.get(target.clone()).send().await.expect("listener");
    assert!(page.status().is_success());
    match fragment {
        // The implicit flow: the page's script posts the fragment back.
        Some(f) => browser
            .post(target.join("/token").expect("token url"))
            .body(f)
            .send()
            .await
            .expect("token post")
            .text()
            .await
            .expect("answer"),
        None => page.text().await.expect("page"),
    }
}

/// What a browser does with a Velora sign-in address: open the simulator's consent page,
/// click Authorize, follow the redirect to the loopback listener. Answers the listener's page.
pub async fn approve_velora(origin: &str, address: &str) -> String {
    let browser = reqwest::Client::builder()
        .redirect(Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let html = browser
        .get(address)
        .send()
        .await
        .expect("consent page")
        .text()
        .await
        .expect("html");
    let marker = "id=\"approve\" href=\"";
    let start = html.find(marker).expect("the approve link") + marker.len();
    let end = start + html[start..].find('"').expect("end of link");
    let href = html[start..end].replace("&amp;", "&");
    let go = browser
        .get(format!("{origin}{href}"))
        .send()
        .await
        .expect("authorize");
    let target = go.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let page = browser.get(target).send().await.expect("listener");
    assert!(page.status().is_success());
    page.text().await.expect("page")
}

/// The parts of a live event the tests look at most.
pub trait EventParts {
    /// The user the event names; the test fails when it names none.
    fn author(&self) -> &stagehand::model::ChatUser;
}

impl EventParts for stagehand::model::ChatEvent {
    fn author(&self) -> &stagehand::model::ChatUser {
        self.user.as_ref().expect("the event names a user")
    }
}
