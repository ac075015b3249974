//! The invite page in a real browser: headless Chromium (Debian's `chromium`, installed by
//! scripts/install-deps.sh) opens `/join/{code}` of a relay on 127.0.0.1, saves a screenshot
//! to `test-output/relay/`, and the DOM it built is checked: the state, the words in both
//! languages, and the button's `trubka://join` link. Fails, not skips, without Chromium.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::TestRelay;
use chrono::TimeDelta;

/// Where screenshots go: `test-output/relay/` at the workspace root.
fn output_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-output/relay");
    std::fs::create_dir_all(&dir).expect("test-output dir");
    dir
}

fn chromium() -> &'static str {
    ["chromium", "chromium-browser"]
        .into_iter()
        .find(|name| Command::new(name).arg("--version").output().is_ok())
        .expect("headless Chromium is needed (Debian package `chromium`; scripts/install-deps.sh)")
}

/// Runs Chromium headless on `url` with `args` and returns its stdout.
async fn headless(url: String, args: Vec<String>) -> String {
    tokio::task::spawn_blocking(move || {
        let profile = tempfile::tempdir().unwrap();
        let output = Command::new(chromium())
            .args([
                "--headless",
                // Root in CI containers; the page is our own, from 127.0.0.1.
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--hide-scrollbars",
                "--window-size=900,1100",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(args)
            .arg(url)
            .output()
            .expect("chromium runs");
        assert!(
            output.status.success(),
            "chromium failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    })
    .await
    .unwrap()
}

/// Screenshot of `url` as `test-output/relay/{name}.png`, and the DOM Chromium built.
async fn open(url: String, name: &str) -> String {
    let shot = output_dir().join(format!("{name}.png"));
    let _ = std::fs::remove_file(&shot);
    headless(
        url.clone(),
        vec![format!("--screenshot={}", shot.display())],
    )
    .await;
    let png = std::fs::read(&shot).expect("the screenshot was saved");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{}",
        shot.display()
    );
    headless(url, vec!["--dump-dom".to_owned()]).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_invite_page_renders_in_chromium_with_its_button_and_its_refusals() {
    let relay = TestRelay::start().await;
    relay.agent("Анна Смирнова", |_| {});
    let code = relay
        .store()
        .invite("Анна Смирнова", TimeDelta::hours(72))
        .unwrap()
        .code;
    let url = relay.url(&format!("/join/{}", code.0));

    let dom = open(url.clone(), "join-valid").await;
    assert!(dom.contains("<main data-state=\"valid\">"), "{dom}");
    assert!(
        dom.contains("Приглашение в Трубку для «Анна Смирнова»"),
        "{dom}"
    );
    assert!(
        dom.contains("Invitation to Trubka for “Анна Смирнова”"),
        "{dom}"
    );
    let link = format!(
        "href=\"trubka://join?relay=http%3A%2F%2F127.0.0.1%3A{}&amp;code={}\"",
        relay.addr.port(),
        code.0
    );
    assert!(dom.contains(&link), "{dom}");
    assert!(
        dom.contains(&format!("trubka-cli login --invite {url}")),
        "{dom}"
    );
    // Russian comes first.
    assert!(dom.find("lang=\"ru\"") < dom.find("lang=\"en\""));

    relay.store().redeem_invite(&code).unwrap();
    let dom = open(url, "join-used").await;
    assert!(dom.contains("<main data-state=\"used\">"), "{dom}");
    assert!(dom.contains("Эта ссылка уже использована"), "{dom}");
    assert!(dom.contains("This link has already been used"), "{dom}");
    assert!(!dom.contains("trubka://"), "{dom}");
    relay.stop().await;
}
