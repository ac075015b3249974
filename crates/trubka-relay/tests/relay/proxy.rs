//! The relay behind the TLS proxies the guides give admins, as the files are:
//! `docs/deploy/nginx.conf` under Debian's nginx and `docs/deploy/Caddyfile` under Debian's
//! Caddy, each started by this test in front of a real relay on 127.0.0.1:0.
//!
//! Through each proxy, over TLS with a certificate the test makes (a CA and a leaf for
//! relay.example.com, with Debian's openssl; the client resolves the name to 127.0.0.1 itself):
//! a UIS notification (POST) and a Sipuni event (GET, as Sipuni may send it) are taken, an
//! agent's WebSocket stream connects (the Upgrade headers pass) and receives the event, the
//! agent API answers, and /metrics is not served (while the relay itself still serves it).
//! nginx's long read timeout for the stream is read from the file, not waited for.
//!
//! What the test changes in a file is only what cannot be the same on a test machine: the
//! listening address (a free port on 127.0.0.1 instead of 443 on every interface), the
//! certificate paths and the relay's address. Each replaced piece must be in the file, so a
//! guide edit that drops one fails here instead of going untested. Caddy gets a global block
//! first (no admin endpoint, no HTTP redirect listener, its state in the temp folder).
//!
//! The servers come from `scripts/install-deps.sh` (nginx, caddy, openssl). Without them the
//! test fails and says how to install them: it never passes without having run a proxy.

use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::certs::{HOST, TestCert, connect_wss};
use crate::common::{TestRelay, WAIT, form, read_json, sipuni_call, uis_started};

/// The relay address the guides' files proxy to (`listen` in relay.toml).
const GUIDE_UPSTREAM: &str = "127.0.0.1:8765";
/// How long a proxy may take to start listening.
const START_WITHIN: Duration = Duration::from_secs(15);

/// The programs this test runs, and the Debian package of each.
const TOOLS: &[(&str, &str)] = &[
    ("nginx", "nginx"),
    ("caddy", "caddy"),
    ("openssl", "openssl"),
];

#[tokio::test]
async fn nginx_config_from_the_guide_proxies_hooks_and_streams() {
    let tools = tools();
    let dir = tempfile::tempdir().unwrap();
    let tls = TestCert::make(&tools["openssl"], dir.path());
    let relay = TestRelay::start().await;
    let port = free_port();

    let doc = read_doc("nginx.conf");
    stream_outlives_quiet_minutes(&doc);
    let site = edit(
        &doc,
        &[
            (
                "    listen 443 ssl;\n",
                &format!("    listen 127.0.0.1:{port} ssl;\n"),
            ),
            ("    listen [::]:443 ssl;\n", ""),
            (
                "/etc/letsencrypt/live/relay.example.com/fullchain.pem",
                &tls.cert.display().to_string(),
            ),
            (
                "/etc/letsencrypt/live/relay.example.com/privkey.pem",
                &tls.key.display().to_string(),
            ),
            (
                &format!("server {GUIDE_UPSTREAM};"),
                &format!("server {};", relay.addr),
            ),
        ],
    );
    let site_path = dir.path().join("trubka.conf");
    std::fs::write(&site_path, site).unwrap();
    // The rest of /etc/nginx/nginx.conf, in the temp folder: one process in the foreground,
    // every file nginx writes kept here.
    let temp = dir.path().display();
    let main = format!(
        "daemon off;\nmaster_process off;\npid {temp}/nginx.pid;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {temp}/body;\n  \
         proxy_temp_path {temp}/proxy;\n  fastcgi_temp_path {temp}/fastcgi;\n  \
         uwsgi_temp_path {temp}/uwsgi;\n  scgi_temp_path {temp}/scgi;\n  \
         include {};\n}}\n",
        site_path.display()
    );
    let main_path = dir.path().join("nginx.conf");
    std::fs::write(&main_path, main).unwrap();
    let log = dir.path().join("error.log");
    let mut command = Command::new(&tools["nginx"]);
    command
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&main_path)
        .arg("-e")
        .arg(&log);
    let proxy = Proxy::start("nginx", command, port, &log);

    through(&relay, &tls, port).await;
    drop(proxy);
    relay.stop().await;
}

#[tokio::test]
async fn caddy_config_from_the_guide_proxies_hooks_and_streams() {
    let tools = tools();
    let dir = tempfile::tempdir().unwrap();
    let tls = TestCert::make(&tools["openssl"], dir.path());
    let relay = TestRelay::start().await;
    let port = free_port();

    let site = edit(
        &read_doc("Caddyfile"),
        &[
            (
                &format!("\n{HOST} {{\n"),
                &format!(
                    "\nhttps://{HOST}:{port} {{\n\tbind 127.0.0.1\n\ttls {} {}\n",
                    tls.cert.display(),
                    tls.key.display()
                ),
            ),
            (GUIDE_UPSTREAM, &relay.addr.to_string()),
        ],
    );
    let config = format!(
        "{{\n\tadmin off\n\tauto_https disable_redirects\n\tstorage file_system {}\n}}\n{site}",
        dir.path().join("caddy-data").display()
    );
    let path = dir.path().join("Caddyfile");
    std::fs::write(&path, config).unwrap();
    let log = dir.path().join("caddy.log");
    let mut command = Command::new(&tools["caddy"]);
    command
        .args(["run", "--adapter", "caddyfile", "--config"])
        .arg(&path)
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .stderr(Stdio::from(std::fs::File::create(&log).unwrap()));
    let proxy = Proxy::start("caddy", command, port, &log);

    through(&relay, &tls, port).await;
    drop(proxy);
    relay.stop().await;
}

/// nginx cuts a proxied connection that says nothing for `proxy_read_timeout` (60 s unless
/// set). The relay pings every stream every 20 s, so any longer timeout keeps a quiet stream;
/// the file must set one for /v1/stream. Waiting that long is not for a test: this reads it.
fn stream_outlives_quiet_minutes(conf: &str) {
    let start = conf
        .find("location = /v1/stream {")
        .expect("nginx.conf has a location for /v1/stream");
    let block = &conf[start..start + conf[start..].find('}').unwrap()];
    let seconds: u64 = block
        .lines()
        .find_map(|line| line.trim().strip_prefix("proxy_read_timeout "))
        .and_then(|value| value.trim_end_matches(';').strip_suffix('s'))
        .and_then(|value| value.parse().ok())
        .expect("/v1/stream sets proxy_read_timeout in seconds");
    assert!(
        seconds >= 600,
        "proxy_read_timeout {seconds}s for /v1/stream"
    );
}

/// Everything a PBX and an agent do, through the proxy on `port`.
async fn through(relay: &TestRelay, tls: &TestCert, port: u16) {
    let at: SocketAddr = ([127, 0, 0, 1], port).into();
    let base = format!("https://{HOST}:{port}");
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&tls.ca_pem).unwrap())
        .resolve(HOST, at)
        .timeout(WAIT)
        .build()
        .unwrap();
    let boss = relay.agent("Мария", |new| new.supervisor = true);

    // The agent's stream first, so the notifications below arrive on it live.
    let url = format!("wss://{HOST}:{port}/v1/stream");
    let mut stream = connect_wss(&[tls.ca_der()], at, &url, &boss).await;
    stream.hello().await;

    let uis = http
        .post(format!("{base}/hooks/uis/{}", relay.uis_token))
        .json(&uis_started(1197843161))
        .send()
        .await
        .unwrap();
    let (status, body) = read_json(uis).await;
    assert_eq!(status, 200, "UIS notification through the proxy: {body}");
    assert_eq!(stream.event().await.1, "uis:1197843161:started:call");

    // Sipuni may send its events as a GET query string.
    let fields = sipuni_call("1774372584.533596", "201", "1774372584");
    let query = serde_urlencoded::to_string(form(&fields)).unwrap();
    let sipuni = http
        .get(format!(
            "{base}/hooks/sipuni/{}?{query}",
            relay.sipuni_token
        ))
        .send()
        .await
        .unwrap();
    let (status, body) = read_json(sipuni).await;
    assert_eq!(status, 200, "Sipuni event through the proxy: {body}");
    assert_eq!(body["success"], Value::Bool(true), "{body}");
    assert!(
        stream
            .event()
            .await
            .1
            .starts_with("sipuni:1774372584.533596:"),
        "the Sipuni event reached the stream"
    );

    let me = http
        .get(format!("{base}/v1/me"))
        .bearer_auth(&boss)
        .send()
        .await
        .unwrap();
    let (status, body) = read_json(me).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "Мария", "{body}");

    let metrics = http.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status().as_u16(), 404, "/metrics is not public");
    assert!(
        relay.metrics().await.contains("trubka_relay_"),
        "the relay itself still serves /metrics"
    );
    stream.close().await;
}

// ---- the proxies --------------------------------------------------------------------------

/// A proxy process this test started; dropped, it is killed.
struct Proxy {
    child: Child,
}

impl Proxy {
    /// Starts `command` and waits until it listens on `port`; fails with its log if it exits
    /// or does not listen in time.
    fn start(name: &str, mut command: Command, port: u16, log: &Path) -> Proxy {
        command.stdin(Stdio::null()).stdout(Stdio::null());
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let mut proxy = Proxy { child };
        let at: SocketAddr = ([127, 0, 0, 1], port).into();
        let deadline = Instant::now() + START_WITHIN;
        loop {
            if let Some(status) = proxy.child.try_wait().unwrap() {
                panic!("{name} exited ({status}):\n{}", read_log(log));
            }
            if std::net::TcpStream::connect_timeout(&at, Duration::from_millis(200)).is_ok() {
                return proxy;
            }
            assert!(
                Instant::now() < deadline,
                "{name} did not listen on {at} within {START_WITHIN:?}:\n{}",
                read_log(log)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| format!("(no log: {e})"))
}

/// A port free on 127.0.0.1 a moment ago, for a server that cannot be told to pick one.
fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `docs/deploy/<name>`, the file the guides include.
fn read_doc(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/deploy")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `text` with each `(from, to)` replaced; each `from` must be there.
fn edit(text: &str, replacements: &[(&str, &str)]) -> String {
    let mut text = text.to_owned();
    for (from, to) in replacements {
        assert!(
            text.contains(from),
            "the guide's file no longer has {from:?}: update this test with it"
        );
        text = text.replace(from, to);
    }
    text
}

/// Where each of [`TOOLS`] is (PATH, then /usr/sbin where Debian puts nginx); fails naming
/// the packages that are missing.
fn tools() -> std::collections::HashMap<&'static str, PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .collect();
    let mut found = std::collections::HashMap::new();
    let mut missing = Vec::new();
    for (tool, package) in TOOLS {
        match dirs.iter().map(|d| d.join(tool)).find(|p| p.is_file()) {
            Some(path) => {
                found.insert(*tool, path);
            }
            None => missing.push(format!("{tool} (package {package})")),
        }
    }
    assert!(
        missing.is_empty(),
        "missing: {}. Install them with scripts/install-deps.sh, or: \
         sudo apt-get install nginx caddy openssl",
        missing.join(", ")
    );
    found
}

#[test]
fn the_guides_include_these_files() {
    // The guides point admins at the files this test runs; a guide that inlined its own copy
    // would drift from what is tested.
    for guide in [
        "setup-uis.md",
        "setup-uis.en.md",
        "setup-sipuni.md",
        "setup-sipuni.en.md",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs")
            .join(guide);
        let text = std::fs::read_to_string(&path).unwrap();
        for file in ["deploy/nginx.conf", "deploy/Caddyfile"] {
            assert!(text.contains(file), "{guide} does not point at {file}");
        }
    }
}
