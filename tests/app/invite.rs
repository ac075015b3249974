//! Sign-in by invite link in the real app: the app started by the link the relay's page
//! opens (`trubka trubka://join?relay=…&code=…`) asks «Войти как …?» and signs in on
//! confirmation; a link opened while it runs reaches it through the single instance; a used
//! link says so and what to ask the administrator for.

use std::time::Duration;

use trubka_relay::Store;
use trubka_relay::invites::{DEFAULT_VALIDITY, app_link};

use crate::harness::{self, App, Stack};

const SHORT: Duration = Duration::from_secs(10);

/// A new link for Анна on the stack's relay, as the page's button opens it.
fn new_link(stack: &Stack) -> anyhow::Result<String> {
    let store = Store::open(&stack.dir.path().join("relay"))?;
    let invite = store.invite("Анна", DEFAULT_VALIDITY)?;
    Ok(app_link(&stack.relay_url, &invite.code.0))
}

/// `trubka LINK` while the app runs: the single instance takes the link and this one exits.
fn second_launch(link: &str) -> anyhow::Result<()> {
    let status = std::process::Command::new(harness::bin_dir().join("trubka"))
        .arg(link)
        .status()?;
    anyhow::ensure!(
        status.success(),
        "a second launch hands the link over and exits"
    );
    Ok(())
}

/// Waits until the page has painted what its DOM holds: WebKit's screenshot of a window
/// that has just been shown can still be the frame before.
pub(crate) async fn painted(app: &App) -> anyhow::Result<()> {
    app.client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        )
        .await?;
    Ok(())
}

async fn connected(app: &App) -> anyhow::Result<()> {
    app.wait_text("[data-testid=connection]", "На связи: Анна", SHORT)
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the built app: run `make test-app`"]
async fn sign_in_by_invite_link() -> anyhow::Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let stack = Stack::start().await?;
    let home = stack.dir.path().join("invited");
    let first = new_link(&stack)?;

    // Started by the link: the confirmation names the agent and the relay; nothing is used
    // until the agent confirms.
    let app = App::launch(&["--home".into(), home.display().to_string(), first.clone()]).await?;
    let question = app
        .wait_text(
            "[data-testid=invite-question]",
            "Войти в Трубку как «Анна»?",
            SHORT,
        )
        .await?;
    let dialog = app
        .text("[data-testid=invite-dialog]")
        .await?
        .unwrap_or_default();
    assert!(
        dialog.contains(&stack.relay_url),
        "names the relay: {dialog}"
    );
    painted(&app).await?;
    app.shot("20-invite-confirm-ru").await;
    assert!(question.contains("Анна"));
    app.click("[data-testid=invite-accept]").await?;
    connected(&app).await?;
    assert!(
        app.text("[data-testid=invite-dialog]").await?.is_none(),
        "the confirmation is gone once signed in"
    );

    // Already running: a new link arrives through the single instance and signs in again
    // (the token it gets replaces the one before).
    let second = new_link(&stack)?;
    second_launch(&second)?;
    app.wait_text(
        "[data-testid=invite-question]",
        "Войти в Трубку как «Анна»?",
        SHORT,
    )
    .await?;
    app.click("[data-testid=invite-accept]").await?;
    app.wait("the confirmation to close", SHORT, || async {
        Ok(app
            .text("[data-testid=invite-dialog]")
            .await?
            .is_none()
            .then_some(()))
    })
    .await?;
    connected(&app).await?;

    // The first link again: used; the app says so and what to ask for, and stays signed in.
    second_launch(&first)?;
    app.wait_text(
        "[data-testid=invite-error]",
        "уже использована. Попросите у администратора новую ссылку",
        SHORT,
    )
    .await?;
    painted(&app).await?;
    app.shot("21-invite-used-ru").await;
    app.click("[data-testid=invite-cancel]").await?;
    connected(&app).await?;
    app.close_and_wait(&home).await?;
    Ok(())
}
