//! Where a walk's relay lives (config, data, port, the simulator's address, the binary on
//! PATH), the guide's text filled in for it, its commands run, and `serve` kept running.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;

use super::{SIPUNI_SECRET, UIS_KEY, WAIT};

/// Where this walk's relay lives, and the guide's text with it filled in.
pub(crate) struct Place {
    pub(crate) config: PathBuf,
    pub(crate) data: PathBuf,
    pub(crate) port: u16,
    pub(crate) sim: SocketAddr,
    /// A folder with `trubka-relay` in it, first on the scripts' PATH.
    pub(crate) bin: PathBuf,
    pub(crate) calls: PathBuf,
}

impl Place {
    pub(crate) fn new(dir: &Path) -> Place {
        let bin = dir.join("bin");
        std::fs::create_dir(&bin).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_trubka-relay"), bin.join("trubka-relay"))
            .unwrap();
        let port = StdListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Place {
            config: dir.join("relay.toml"),
            data: dir.join("relay-data"),
            port,
            sim: ([127, 0, 0, 1], 0).into(),
            bin,
            calls: dir.join("trubka-cli.calls"),
        }
    }

    pub(crate) fn relay_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The guide's `text` with this machine's values for what the guide cannot know.
    pub(crate) fn fill(&self, text: &str, token: Option<&str>) -> String {
        let mut text = text
            .replace("/etc/trubka/relay.toml", &self.config.display().to_string())
            .replace("/var/lib/trubka-relay", &self.data.display().to_string())
            .replace("https://relay.example.com", &self.relay_url())
            .replace("127.0.0.1:8765", &format!("127.0.0.1:{}", self.port))
            .replace("api_key = \"…\"", &format!("api_key = \"{UIS_KEY}\""))
            .replace("secret = \"…\"", &format!("secret = \"{SIPUNI_SECRET}\""));
        if let Some(token) = token {
            text = text.replace("trk_…", token);
        }
        assert!(
            !text.contains('…'),
            "a value the walkthrough cannot fill in:\n{text}"
        );
        text
    }

    /// The environment every command runs in: the PBX API addresses of the simulator, and
    /// nothing of the machine's own relay settings.
    pub(crate) fn command(&self, script: &str) -> Command {
        let mut command = Command::new("bash");
        command.args(["-euo", "pipefail", "-c", script]);
        for (name, _) in std::env::vars() {
            if name.starts_with("TRUBKA_RELAY_") {
                command.env_remove(name);
            }
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(
            std::iter::once(self.bin.clone()).chain(std::env::split_paths(&path)),
        )
        .unwrap();
        let sim = self.sim;
        command
            .env("PATH", path)
            .env("RUST_LOG", "warn")
            .env(
                "TRUBKA_RELAY_UIS_CALL_API_URL",
                format!("http://{sim}/uis/callapi/v4.0"),
            )
            .env(
                "TRUBKA_RELAY_UIS_DATA_API_URL",
                format!("http://{sim}/uis/dataapi/v2.0"),
            )
            .env("TRUBKA_RELAY_UIS_MEDIA_BASE", format!("http://{sim}"))
            .env(
                "TRUBKA_RELAY_SIPUNI_API_URL",
                format!("http://{sim}/sipuni/api"),
            )
            .stdin(Stdio::null());
        command
    }

    /// Runs a block to its end.
    pub(crate) async fn run(&self, script: &str) -> Output {
        let mut command = self.command(script);
        tokio::time::timeout(WAIT, tokio::task::spawn_blocking(move || command.output()))
            .await
            .unwrap_or_else(|_| panic!("{script} did not end within {WAIT:?}"))
            .unwrap()
            .unwrap()
    }

    /// The `trubka-cli` invocations of a block, each as its arguments: bash reads the block
    /// (quotes, line continuations) and a function in place of the program writes them down.
    pub(crate) fn cli_calls(&self, script: &str) -> Vec<Vec<String>> {
        let record = format!(
            "trubka-cli() {{ printf '%s\\0' \"$@\" >> {calls:?}; printf '\\n' >> {calls:?}; }}\n{script}",
            calls = self.calls.display().to_string()
        );
        let _ = std::fs::remove_file(&self.calls);
        let output = self.command(&record).output().unwrap();
        assert!(output.status.success(), "{script}: {output:?}");
        std::fs::read_to_string(&self.calls)
            .unwrap()
            .lines()
            .map(|line| {
                line.split('\0')
                    .filter(|arg| !arg.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .collect()
    }
}

/// `trubka-relay serve`, started from the guide's block; killed when dropped.
pub(crate) struct Running {
    pub(crate) child: Child,
    pub(crate) banner: Vec<String>,
}

impl Running {
    /// Starts the block (`exec`: the process is the relay) and reads what it prints up to
    /// the line that says it listens.
    pub(crate) fn serve(place: &Place, script: &str) -> Running {
        let mut child = place
            .command(&format!("exec {}", script.trim()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines, banner) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if lines.send(line).is_err() {
                    return;
                }
            }
        });
        let mut running = Running {
            child,
            banner: Vec::new(),
        };
        loop {
            let line = banner
                .recv_timeout(WAIT)
                .unwrap_or_else(|_| panic!("serve said nothing more after {:?}", running.banner));
            // The route URL is the banner's last line, in either language.
            let done = line.trim_end().ends_with("/route");
            running.banner.push(line);
            if done {
                return running;
            }
        }
    }

    pub(crate) fn line_starting(&self, label: &str) -> String {
        let line = self.banner.iter().find(|l| l.starts_with(label));
        let line = line.unwrap_or_else(|| panic!("serve printed no {label:?}: {:?}", self.banner));
        line[label.len()..].trim().to_owned()
    }

    /// The hook token in the URL serve printed after `label`.
    pub(crate) fn token_in(&self, label: &str, path: &str) -> String {
        let url = self.line_starting(label);
        let at = url
            .find(path)
            .unwrap_or_else(|| panic!("{url} has no {path}"));
        url[at + path.len()..].trim_end_matches('/').to_owned()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
