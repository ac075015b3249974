//! The relay with its agents and trubka-sim feeding it, as separate processes on free local
//! ports, and what a test asks of them (the simulator's calls, the relay's admin commands).

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use super::{Proc, bin_dir, free_port, output_dir, spawn, wait_for};

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

    /// A second agent's desktop: the real engine in a profile folder of its own, signed in
    /// with `token` and streaming (an agent the test drives without a second app).
    pub(crate) async fn desktop(
        &self,
        folder: &str,
        token: &str,
    ) -> anyhow::Result<trubka_agent::Engine> {
        let profile = trubka_agent::profile::Profile::at(self.dir.path().join(folder))?;
        let engine =
            trubka_agent::Engine::open_with(profile, trubka_agent::backoff::Backoff::default())
                .await?;
        engine.login(&self.relay_url, token).await?;
        engine.start()?;
        Ok(engine)
    }

    /// Adds an agent with `trubka-relay agent add --name NAME ARGS…` (the running relay
    /// reads agents from the same database) and returns the agent's token.
    pub(crate) fn add_agent(&self, name: &str, args: &[&str]) -> anyhow::Result<String> {
        let mut command = vec!["agent", "add", "--name", name];
        command.extend_from_slice(args);
        Ok(self
            .relay_admin(&command)?
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
