//! The parts an app test runs against: a real relay and trubka-sim on free local ports, and
//! the real `trubka` binary driven through tauri-driver and WebKitWebDriver, with bounded
//! waits that save screenshots (the webview's and the whole X screen's) when they fail.

use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// The workspace's `target/debug` (or `TRUBKA_BIN_DIR`).
pub(crate) fn bin_dir() -> PathBuf {
    std::env::var_os("TRUBKA_BIN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug"))
}

/// The app under test: `bin_dir()/trubka`, or `TRUBKA_APP_BINARY` (the install test's
/// `/usr/bin/trubka`, installed from its package, which is what the updater may replace).
pub(crate) fn app_binary() -> PathBuf {
    std::env::var_os("TRUBKA_APP_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| bin_dir().join("trubka"))
}

/// Where screenshots go: `test-output/app/` at the workspace root, or `TRUBKA_APP_OUTPUT`
/// (the install test keeps its own in test-output/install/).
pub(crate) fn output_dir() -> PathBuf {
    let dir = std::env::var_os("TRUBKA_APP_OUTPUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-output/app"));
    std::fs::create_dir_all(&dir).expect("test-output dir");
    dir
}

pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/app")
        .join(name)
        .canonicalize()
        .expect("fixture exists")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A child process killed when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(cmd: &mut Command, log: &Path) -> anyhow::Result<Proc> {
    let out = std::fs::File::create(log)?;
    let err = out.try_clone()?;
    let child = cmd
        .stdout(out)
        .stderr(err)
        .spawn()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    Ok(Proc(child))
}

/// Waits until `probe` answers `Some`, polling every 100 ms, for at most `limit`.
pub(crate) async fn wait_for<T, F, Fut>(
    what: &str,
    limit: Duration,
    mut probe: F,
) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Option<T>>>,
{
    let start = Instant::now();
    let mut last_error = String::new();
    loop {
        match probe().await {
            Ok(Some(v)) => return Ok(v),
            Ok(None) => {}
            Err(e) => last_error = format!(" (last error: {e:#})"),
        }
        if start.elapsed() > limit {
            bail!("timed out after {limit:?} waiting for {what}{last_error}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The relay with one agent, and the simulator feeding it.
pub(crate) struct Stack {
    pub(crate) relay_url: String,
    pub(crate) sim_url: String,
    /// Anna's agent token (UIS employee 2339292, Sipuni extension 201).
    pub(crate) token: String,
    pub(crate) http: reqwest::Client,
    pub(crate) dir: tempfile::TempDir,
    /// The relay's data folder and environment, for its admin commands while it runs.
    relay_data: PathBuf,
    relay_env: Vec<(&'static str, String)>,
    _procs: Vec<Proc>,
}

impl Stack {
    pub(crate) async fn start() -> anyhow::Result<Stack> {
        Stack::start_with(None).await
    }

    /// [`Stack::start`] with `config` as the relay's relay.toml (e.g. a CRM to ask about
    /// unknown callers).
    pub(crate) async fn start_with(config: Option<&str>) -> anyhow::Result<Stack> {
        Stack::start_with_sim(config, &[]).await
    }

    /// [`Stack::start_with`], the simulator started with `sim_args` too (e.g. `--speed 20`
    /// for click-to-call conversations that last seconds, not minutes).
    pub(crate) async fn start_with_sim(
        config: Option<&str>,
        sim_args: &[&str],
    ) -> anyhow::Result<Stack> {
        let dir = tempfile::tempdir()?;
        let (relay_port, sim_port) = (free_port(), free_port());
        let relay_url = format!("http://127.0.0.1:{relay_port}");
        let sim_url = format!("http://127.0.0.1:{sim_port}");
        let relay_bin = bin_dir().join("trubka-relay");
        let data = dir.path().join("relay");
        let mut env = vec![
            ("TRUBKA_RELAY_UIS_HOOK_TOKEN", "e2e-uis-hook".to_owned()),
            (
                "TRUBKA_RELAY_SIPUNI_HOOK_TOKEN",
                "e2e-sipuni-hook".to_owned(),
            ),
            ("TRUBKA_RELAY_UIS_API_KEY", "e2e-uis-api-key".to_owned()),
            (
                "TRUBKA_RELAY_UIS_CALL_API_URL",
                format!("{sim_url}/uis/callapi/v4.0"),
            ),
            (
                "TRUBKA_RELAY_UIS_DATA_API_URL",
                format!("{sim_url}/uis/dataapi/v2.0"),
            ),
            ("TRUBKA_RELAY_UIS_VIRTUAL_NUMBER", "74951234567".to_owned()),
            ("TRUBKA_RELAY_SIPUNI_USER", "064629".to_owned()),
            ("TRUBKA_RELAY_SIPUNI_SECRET", "e2e-sipuni-secret".to_owned()),
            (
                "TRUBKA_RELAY_SIPUNI_API_URL",
                format!("{sim_url}/sipuni/api"),
            ),
        ];
        if let Some(config) = config {
            let file = dir.path().join("relay.toml");
            std::fs::write(&file, config)?;
            env.push(("TRUBKA_RELAY_CONFIG", file.display().to_string()));
        }
        // The database a relay makes on its first start (`agent add` never makes one).
        drop(trubka_relay::Store::open(&data)?);
        let added = Command::new(&relay_bin)
            .args([
                "agent",
                "add",
                "--name",
                "Анна",
                "--uis-employee",
                "2339292",
                "--sipuni-ext",
                "201",
            ])
            .args(["--line", "+7 495 123-45-67", "--data-dir"])
            .arg(&data)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .with_context(|| format!("cannot run {}", relay_bin.display()))?;
        if !added.status.success() {
            bail!(
                "trubka-relay agent add failed: {}",
                String::from_utf8_lossy(&added.stderr)
            );
        }
        let token = String::from_utf8(added.stdout)?
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_owned();
        let relay = spawn(
            Command::new(&relay_bin)
                .args([
                    "serve",
                    "--listen",
                    &format!("127.0.0.1:{relay_port}"),
                    "--data-dir",
                ])
                .arg(&data)
                .envs(env.iter().map(|(k, v)| (*k, v.as_str()))),
            &output_dir().join("relay.log"),
        )?;
        let sim = spawn(
            Command::new(bin_dir().join("trubka-sim"))
                .args([
                    "--listen",
                    &format!("127.0.0.1:{sim_port}"),
                    "--relay",
                    &relay_url,
                ])
                .args([
                    "--uis-hook-token",
                    "e2e-uis-hook",
                    "--sipuni-hook-token",
                    "e2e-sipuni-hook",
                ])
                .args([
                    "--uis-api-key",
                    "e2e-uis-api-key",
                    "--sipuni-user",
                    "064629",
                ])
                .args(["--sipuni-secret", "e2e-sipuni-secret"])
                // Set up as the guides say: the relay's address allowed, Sipuni API calls on.
                .args(["--uis-allowed-ip", "127.0.0.1", "--sipuni-api-calls"])
                .args([
                    "--uis-employee",
                    "2339292:Анна Смирнова:201",
                    "--uis-employee",
                    "2339293:Игорь Лебедев:202",
                ])
                .args(sim_args),
            &output_dir().join("sim.log"),
        )?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?;
        for (name, url) in [("relay", &relay_url), ("trubka-sim", &sim_url)] {
            let health = format!("{url}/healthz");
            wait_for(
                &format!("{name} to answer {health}"),
                Duration::from_secs(15),
                || async {
                    Ok(http
                        .get(&health)
                        .send()
                        .await
                        .ok()
                        .filter(|r| r.status().is_success())
                        .map(|_| ()))
                },
            )
            .await?;
        }
        Ok(Stack {
            relay_url,
            sim_url,
            token,
            http,
            dir,
            relay_data: data,
            relay_env: env,
            _procs: vec![relay, sim],
        })
    }

    /// Adds an agent with `trubka-relay agent add --name NAME ARGS…` (the running relay
    /// reads agents from the same database) and returns the agent's token.
    pub(crate) fn add_agent(&self, name: &str, args: &[&str]) -> anyhow::Result<String> {
        let relay_bin = bin_dir().join("trubka-relay");
        let added = Command::new(&relay_bin)
            .args(["agent", "add", "--name", name])
            .args(args)
            .arg("--data-dir")
            .arg(&self.relay_data)
            .envs(self.relay_env.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .with_context(|| format!("cannot run {}", relay_bin.display()))?;
        if !added.status.success() {
            bail!(
                "trubka-relay agent add {name} failed: {}",
                String::from_utf8_lossy(&added.stderr)
            );
        }
        Ok(String::from_utf8(added.stdout)?
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_owned())
    }

    /// Stops the relay (its process is killed), as a network outage would look to the app.
    pub(crate) fn stop_relay(&mut self) {
        // The relay is the first process started, the simulator the second.
        drop(self._procs.remove(0));
    }

    /// Runs `trubka-relay ARGS… --data-dir …` (an admin's command, e.g. `tags set …`) on the
    /// running relay's data folder and returns what it printed.
    pub(crate) fn relay_admin(&self, args: &[&str]) -> anyhow::Result<String> {
        let relay_bin = bin_dir().join("trubka-relay");
        let ran = Command::new(&relay_bin)
            .args(args)
            .arg("--data-dir")
            .arg(&self.relay_data)
            .envs(self.relay_env.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .with_context(|| format!("cannot run {}", relay_bin.display()))?;
        if !ran.status.success() {
            bail!(
                "trubka-relay {args:?} failed: {}",
                String::from_utf8_lossy(&ran.stderr)
            );
        }
        Ok(String::from_utf8(ran.stdout)?)
    }

    /// Sends `body` to the relay's `path` with agent `token` and returns the JSON answer,
    /// failing on any status but `expect`.
    pub(crate) async fn relay_json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Value,
        expect: u16,
    ) -> anyhow::Result<Value> {
        let response = self
            .http
            .request(method.clone(), format!("{}{path}", self.relay_url))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await?;
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        if status.as_u16() != expect {
            bail!("{method} {path} {body} answered {status}, not {expect}: {answer}");
        }
        Ok(answer)
    }

    /// Starts a simulated call (`POST /sim/calls`) and returns its call id.
    pub(crate) async fn call(&self, body: Value) -> anyhow::Result<String> {
        let response = self
            .http
            .post(format!("{}/sim/calls", self.sim_url))
            .json(&body)
            .send()
            .await?;
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("POST /sim/calls {body} answered {status}: {answer}");
        }
        Ok(answer["call_id"].as_str().unwrap_or_default().to_owned())
    }

    /// The PBX API requests the simulator received.
    pub(crate) async fn sim_requests(&self) -> anyhow::Result<Vec<Value>> {
        let v: Value = self
            .http
            .get(format!("{}/sim/requests", self.sim_url))
            .send()
            .await?
            .json()
            .await?;
        Ok(v.as_array()
            .cloned()
            .or_else(|| v["requests"].as_array().cloned())
            .unwrap_or_default())
    }

    /// Waits until the simulator has delivered to the relay (200) a notification of
    /// `call_id` whose name contains `what`.
    pub(crate) async fn wait_delivered(
        &self,
        call_id: &str,
        what: &str,
        limit: Duration,
    ) -> anyhow::Result<()> {
        wait_for(&format!("{what} of {call_id} delivered"), limit, || async {
            let log: Vec<Value> = self
                .http
                .get(format!("{}/sim/deliveries", self.sim_url))
                .send()
                .await?
                .json()
                .await?;
            Ok(log
                .iter()
                .any(|d| {
                    d["call_id"] == call_id
                        && d["what"].as_str().is_some_and(|w| w.contains(what))
                        && d["status"] == 200
                })
                .then_some(()))
        })
        .await
    }

    /// How many agent streams the relay has opened so far (its Prometheus counter).
    pub(crate) async fn streams_opened(&self) -> anyhow::Result<u64> {
        let text = self
            .http
            .get(format!("{}/metrics", self.relay_url))
            .send()
            .await?
            .text()
            .await?;
        text.lines()
            .find_map(|l| l.strip_prefix("trubka_relay_streams_opened_total "))
            .and_then(|v| v.trim().parse().ok())
            .context("no trubka_relay_streams_opened_total in /metrics")
    }

    /// Whether the relay places calls (`POST /v1/calls`): a 404/405 means not built yet.
    pub(crate) async fn relay_dials(&self) -> bool {
        let r = self
            .http
            .post(format!("{}/v1/calls", self.relay_url))
            .bearer_auth(&self.token)
            .json(&json!({}))
            .send()
            .await;
        !matches!(r.map(|r| r.status().as_u16()), Ok(404 | 405) | Err(_))
    }
}

/// The D-Bus name the running app owns (tauri-plugin-single-instance: the identifier plus
/// `.SingleInstance`); a second launch hands its arguments over while it is owned.
const SINGLE_INSTANCE_NAME: &str = "ru.trubka.desktop.SingleInstance";

/// The app under WebDriver.
pub(crate) struct App {
    pub(crate) client: Client,
    pub(crate) main: fantoccini::wd::WindowHandle,
    /// The app binary this session started, by its full path.
    binary: PathBuf,
    /// Whether the WebDriver session was ended by [`App::close`], which ends the app.
    closed: bool,
    _driver: Proc,
}

/// A test that fails leaves its app running when only tauri-driver is killed: the app then
/// keeps its single-instance name on the bus, and every later test's launch is handed over to
/// it instead of starting. So a session dropped without `close` (a panic, or a test returning
/// its error with `?`) ends the app it started too.
impl Drop for App {
    fn drop(&mut self) {
        if !self.closed {
            let _ = Command::new("pkill")
                .args(["-KILL", "-f"])
                .arg(&self.binary)
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
        let (port, native) = (free_port(), free_port());
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
                .stdin(Stdio::null()),
            &output_dir().join("tauri-driver.log"),
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
        Ok(App {
            client,
            main,
            binary: app,
            closed: false,
            _driver: driver,
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
    /// name has left the session bus, so that the next launch is a first instance and not
    /// handed over to this one.
    pub(crate) async fn close_and_wait(self, home: &Path) -> anyhow::Result<()> {
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
            || async {
                let names = Command::new("dbus-send")
                    .args([
                        "--session",
                        "--print-reply",
                        "--dest=org.freedesktop.DBus",
                        "/org/freedesktop/DBus",
                        "org.freedesktop.DBus.ListNames",
                    ])
                    .output()?;
                let listed = String::from_utf8_lossy(&names.stdout);
                Ok(
                    (names.status.success() && !listed.contains(SINGLE_INSTANCE_NAME))
                        .then_some(()),
                )
            },
        )
        .await
    }
}
