//! «Запускать вместе с системой» in the real app: ticking it writes the session's autostart
//! entry, `~/.config/autostart/Trubka.desktop`, which starts this very binary in the tray
//! (`--hidden`); unticking removes it; and the setting shown is read back from the entry. The
//! app runs with HOME in the test's folder, so the machine's own session is never touched.

use std::path::Path;
use std::time::Duration;

use crate::harness::{self, App, Stack};
use crate::invite::painted;

const SHORT: Duration = Duration::from_secs(10);

/// Whether the settings screen shows the box ticked.
async fn ticked(app: &App) -> anyhow::Result<Option<bool>> {
    Ok(app
        .js("return document.querySelector('[data-testid=autostart]')?.checked ?? null")
        .await?
        .as_bool())
}

/// Waits until the entry exists (`Some(text)`) or is gone (`None`), as `want` says.
async fn entry_becomes(app: &App, entry: &Path, want: bool) -> anyhow::Result<Option<String>> {
    let what = if want {
        "the autostart entry to be written"
    } else {
        "the autostart entry to be removed"
    };
    app.wait(what, SHORT, || async {
        Ok((entry.exists() == want).then(|| std::fs::read_to_string(entry).ok()))
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the built app: run `make test-app`"]
async fn start_with_the_session_is_an_autostart_entry() -> anyhow::Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let stack = Stack::start().await?;
    let profile = stack.dir.path().join("autostart");
    let home = stack.dir.path().join("session-home");
    // A desktop session always has ~/.config; the plugin makes only autostart/ inside it.
    std::fs::create_dir_all(home.join(".config"))?;
    let entry = home.join(".config/autostart/Trubka.desktop");
    let home_var = home.display().to_string();
    let app = App::launch_with_env(
        &[
            "--home".into(),
            profile.display().to_string(),
            "--relay".into(),
            stack.relay_url.clone(),
            "--token".into(),
            stack.token.clone(),
        ],
        &[("HOME", &home_var)],
    )
    .await?;
    app.wait_text("[data-testid=connection]", "На связи: Анна", SHORT)
        .await?;
    app.click("[data-testid=tab-settings]").await?;
    app.wait_text(
        "[data-testid=settings]",
        "Запускать вместе с системой",
        SHORT,
    )
    .await?;
    assert_eq!(ticked(&app).await?, Some(false), "off by default");
    assert!(!entry.exists());

    app.click("[data-testid=autostart]").await?;
    let text = entry_becomes(&app, &entry, true).await?.unwrap_or_default();
    let binary = harness::bin_dir().join("trubka").canonicalize()?;
    let exec = format!("Exec={} --hidden", binary.display());
    assert!(
        text.lines().any(|line| line.trim_end() == exec),
        "{exec} in {text}"
    );
    assert_eq!(ticked(&app).await?, Some(true));
    painted(&app).await?;
    app.shot("22-settings-autostart-ru").await;

    app.click("[data-testid=autostart]").await?;
    entry_becomes(&app, &entry, false).await?;
    assert_eq!(ticked(&app).await?, Some(false));
    app.close_and_wait(&profile).await?;
    Ok(())
}
