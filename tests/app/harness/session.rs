//! The real `trubka` under tauri-driver and WebKitWebDriver: launching it, clicking, typing,
//! reading and screenshots, and ending it so the next test starts a first instance.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use super::bus::{OwnBus, app_pattern, list_names};
use super::{Proc, app_binary, free_port, output_dir, spawn, wait_for};

/// The D-Bus name the running app owns (tauri-plugin-single-instance: the identifier plus
/// `.SingleInstance`); a second launch hands its arguments over while it is owned.
const SINGLE_INSTANCE_NAME: &str = "ru.trubka.desktop.SingleInstance";

/// The app under WebDriver.
pub(crate) struct App {
    pub(crate) client: Client,
    pub(crate) main: fantoccini::wd::WindowHandle,
    /// The app binary this session started, by its full path.
    binary: PathBuf,
    /// The profile it was started on (`--home`), which tells it from another app of the
    /// same binary.
    home: Option<String>,
    /// Whether the WebDriver session was ended by [`App::close`], which ends the app.
    closed: bool,
    _driver: Proc,
    /// The app's own session bus ([`App::launch_on_own_bus`]); dropped after the driver.
    bus: Option<OwnBus>,
}

/// A test that fails leaves its app running when only tauri-driver is killed: the app then
/// keeps its single-instance name on the bus, and every later test's launch is handed over to
/// it instead of starting. So a session dropped without `close` (a panic, or a test returning
/// its error with `?`) ends the app it started too — that one only, by its binary and
/// profile: a second app of the same binary in the test keeps running.
impl Drop for App {
    fn drop(&mut self) {
        if !self.closed {
            let _ = Command::new("pkill")
                .args(["-KILL", "-f"])
                .arg(app_pattern(&self.binary, self.home.as_deref()))
                .status();
        }
    }
}

impl App {
    /// Starts tauri-driver and, through it, `trubka` with `args`.
    pub(crate) async fn launch(args: &[String]) -> anyhow::Result<App> {
        App::launch_with_env(args, &[]).await
    }

    /// [`App::launch`] with extra environment for the app (tauri-driver passes its own on).
    pub(crate) async fn launch_with_env(
        args: &[String],
        env: &[(&str, &str)],
    ) -> anyhow::Result<App> {
        App::start(args, env, None).await
    }

    /// [`App::launch`] of a second app beside the first: on a private session bus of its
    /// own, which ends with it. Its tauri-driver logs to `tauri-driver-own-bus.log`.
    pub(crate) async fn launch_on_own_bus(args: &[String]) -> anyhow::Result<App> {
        let bus = OwnBus::start().await?;
        App::start(args, &[], Some(bus)).await
    }

    async fn start(
        args: &[String],
        env: &[(&str, &str)],
        bus: Option<OwnBus>,
    ) -> anyhow::Result<App> {
        let (port, native) = (free_port(), free_port());
        let log = if bus.is_some() {
            "tauri-driver-own-bus.log"
        } else {
            "tauri-driver.log"
        };
        let driver = spawn(
            Command::new(std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into()))
                .args([
                    "--port",
                    &port.to_string(),
                    "--native-port",
                    &native.to_string(),
                ])
                .env("RUST_LOG", "info")
                // The app's system bus is the test's private session bus, where the test
                // plays logind (resume from sleep).
                .envs(
                    std::env::var("DBUS_SESSION_BUS_ADDRESS")
                        .ok()
                        .map(|bus| ("DBUS_SYSTEM_BUS_ADDRESS", bus)),
                )
                .envs(env.iter().copied())
                .envs(
                    bus.as_ref()
                        .map(|bus| ("DBUS_SESSION_BUS_ADDRESS", bus.address())),
                )
                .stdin(Stdio::null()),
            &output_dir().join(log),
        )?;
        let app = app_binary()
            .canonicalize()
            .context("the app binary is not built (cargo build -p trubka)")?;
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": app, "args": args }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let client = wait_for(
            "tauri-driver to start a session",
            Duration::from_secs(30),
            || {
                let caps = caps.clone();
                let url = url.clone();
                async move {
                    let mut builder =
                        ClientBuilder::rustls().map_err(|e| anyhow::anyhow!("{e}"))?;
                    // WebKitWebDriver waits for the app without a limit of its own (an app
                    // that exits at once never connects), so every attempt is bounded here.
                    let attempt = builder.capabilities(caps).connect(&url);
                    match tokio::time::timeout(Duration::from_secs(20), attempt).await {
                        Ok(session) => Ok(session.ok()),
                        Err(_) => bail!("the app did not come up under WebKitWebDriver in 20 s"),
                    }
                }
            },
        )
        .await?;
        let main = client.window().await?;
        let home = args
            .iter()
            .position(|a| a == "--home")
            .and_then(|i| args.get(i + 1))
            .cloned();
        Ok(App {
            client,
            main,
            binary: app,
            home,
            closed: false,
            _driver: driver,
            bus,
        })
    }

    /// Saves the webview's screenshot and the whole X screen (which shows the card window
    /// too) as `test-output/app/<name>.png` and `<name>-screen.png`.
    pub(crate) async fn shot(&self, name: &str) {
        let dir = output_dir();
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(dir.join(format!("{name}.png")), png);
        }
        let _ = Command::new("import")
            .args(["-window", "root"])
            .arg(dir.join(format!("{name}-screen.png")))
            .status();
    }

    /// Runs `probe` until it answers, taking screenshots named `failed-<what>` on timeout.
    pub(crate) async fn wait<T, F, Fut>(
        &self,
        what: &str,
        limit: Duration,
        probe: F,
    ) -> anyhow::Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = anyhow::Result<Option<T>>>,
    {
        match wait_for(what, limit, probe).await {
            Ok(v) => Ok(v),
            Err(e) => {
                let name: String = what
                    .chars()
                    .map(|c| if c.is_alphanumeric() { c } else { '-' })
                    .take(60)
                    .collect();
                self.shot(&format!("failed-{name}")).await;
                Err(e)
            }
        }
    }

    /// Runs JavaScript in the current window and returns its value.
    pub(crate) async fn js(&self, script: &str) -> anyhow::Result<Value> {
        Ok(self.client.execute(script, vec![]).await?)
    }

    /// The text of the first element matching `css`, if there is one.
    pub(crate) async fn text(&self, css: &str) -> anyhow::Result<Option<String>> {
        let v = self
            .js(&format!(
                "const e = document.querySelector({css:?}); return e ? e.innerText : null;"
            ))
            .await?;
        Ok(v.as_str().map(str::to_owned))
    }

    /// Signs in on the sign-in screen as the stack's first agent, Анна, and waits until the
    /// status line says she is connected.
    pub(crate) async fn sign_in_as_anna(&self, stack: &super::Stack) -> anyhow::Result<()> {
        self.sign_in(stack, &stack.token, "Анна").await
    }

    /// Signs in to the stack's relay with `token` and waits until the status line says
    /// `name` is connected.
    pub(crate) async fn sign_in(
        &self,
        stack: &super::Stack,
        token: &str,
        name: &str,
    ) -> anyhow::Result<()> {
        let short = Duration::from_secs(10);
        self.wait_text("[data-testid=signin]", "Вход в Трубку", short)
            .await?;
        self.type_into("input[name=relay]", &stack.relay_url)
            .await?;
        self.type_into("input[name=token]", token).await?;
        self.click("[data-testid=signin-submit]").await?;
        self.wait_text(
            "[data-testid=connection]",
            &format!("На связи: {name}"),
            short,
        )
        .await?;
        Ok(())
    }

    /// Chooses `lang` in Settings and waits until the settings read `needle` in it.
    pub(crate) async fn switch_language(&self, lang: &str, needle: &str) -> anyhow::Result<()> {
        self.click("[data-testid=tab-settings]").await?;
        self.js(&format!(
            "const s = document.querySelector('[data-testid=language]'); s.value = {lang:?};
             s.dispatchEvent(new Event('change', {{bubbles: true}}));"
        ))
        .await?;
        self.wait_text("[data-testid=settings]", needle, Duration::from_secs(10))
            .await?;
        Ok(())
    }

    /// Checks the checkbox or radio button `[data-testid=TESTID]` by script and waits until it
    /// reads checked: a pointer click can land on the control below while the page lays out.
    pub(crate) async fn check(&self, testid: &str) -> anyhow::Result<()> {
        self.wait(
            &format!("{testid} checked"),
            Duration::from_secs(10),
            || async {
                let v = self
                    .js(&format!(
                        "const c = document.querySelector('[data-testid={testid}]'); \
                     if (c && !c.checked) c.click(); return (c && c.checked) || null"
                    ))
                    .await?;
                Ok(v.as_bool())
            },
        )
        .await?;
        Ok(())
    }

    /// Waits for an element whose text contains `needle`.
    pub(crate) async fn wait_text(
        &self,
        css: &str,
        needle: &str,
        limit: Duration,
    ) -> anyhow::Result<String> {
        self.wait(&format!("{css} to show «{needle}»"), limit, || async {
            let v = self
                .js(&format!(
                    "return [...document.querySelectorAll({css:?})].map(e => e.innerText).find(t => t.includes({needle:?})) ?? null;"
                ))
                .await?;
            Ok(v.as_str().map(str::to_owned))
        })
        .await
    }

    /// Clicks the first element matching `css`.
    pub(crate) async fn click(&self, css: &str) -> anyhow::Result<()> {
        let el = self
            .wait(
                &format!("{css} to exist"),
                Duration::from_secs(10),
                || async { Ok(self.client.find(Locator::Css(css)).await.ok()) },
            )
            .await?;
        el.click().await?;
        Ok(())
    }

    /// Types `text` into the element matching `css`.
    pub(crate) async fn type_into(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let el = self
            .client
            .find(Locator::Css(css))
            .await
            .with_context(|| format!("no {css}"))?;
        el.clear().await.ok();
        if text.is_empty() {
            self.js(&format!(
                "const e = document.querySelector({css:?}); e.value = ''; e.dispatchEvent(new Event('input', {{bubbles: true}}));"
            ))
            .await?;
        } else {
            el.send_keys(text).await?;
        }
        Ok(())
    }

    /// This app's tray menu, on its session bus (its own bus for [`App::launch_on_own_bus`]).
    pub(crate) async fn tray(&self) -> anyhow::Result<super::TrayMenu> {
        let address = self.bus.as_ref().map(OwnBus::address);
        super::TrayMenu::find(address, Duration::from_secs(10)).await
    }

    /// Switches WebDriver to the call-card window (or back to the main one).
    pub(crate) async fn to_card_window(&self) -> anyhow::Result<()> {
        let windows = self.client.windows().await?;
        for w in windows {
            if w != self.main {
                self.client.switch_to_window(w).await?;
                if self
                    .js("return location.pathname")
                    .await?
                    .as_str()
                    .is_some_and(|p| p.contains("card"))
                {
                    return Ok(());
                }
            }
        }
        self.client.switch_to_window(self.main.clone()).await?;
        bail!("WebDriver does not list the call-card window")
    }

    pub(crate) async fn to_main_window(&self) -> anyhow::Result<()> {
        self.client.switch_to_window(self.main.clone()).await?;
        Ok(())
    }

    /// Ends tauri-driver and leaves the app alone: for an app that restarted itself (its
    /// updater), which this session no longer drives and the test ends by its own pid.
    pub(crate) fn detach(mut self) {
        self.closed = true;
    }

    pub(crate) async fn close(mut self) {
        let _ = self.client.clone().close().await;
        self.closed = true;
    }

    /// Ends the session and waits until no `trubka` runs on `home` and its single-instance
    /// name has left its session bus, so that the next launch is a first instance and not
    /// handed over to this one.
    pub(crate) async fn close_and_wait(mut self, home: &Path) -> anyhow::Result<()> {
        let bus_arg = match &self.bus {
            Some(bus) => format!("--bus={}", bus.address()),
            None => "--session".to_owned(),
        };
        // An own bus is ended only once the app has left it.
        let bus = self.bus.take();
        self.close().await;
        let pattern = format!("trubka --home {}", home.display());
        wait_for("the app to exit", Duration::from_secs(15), || {
            let pattern = pattern.clone();
            async move {
                let running = Command::new("pgrep")
                    .args(["-f", &pattern])
                    .stdout(Stdio::null())
                    .status()?
                    .success();
                Ok((!running).then_some(()))
            }
        })
        .await?;
        wait_for(
            "the app's single-instance name to leave the bus",
            Duration::from_secs(15),
            || {
                let names = list_names(&bus_arg);
                async move { Ok((!names?.contains(SINGLE_INSTANCE_NAME)).then_some(())) }
            },
        )
        .await?;
        drop(bus);
        Ok(())
    }
}
