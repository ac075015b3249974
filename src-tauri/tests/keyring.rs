//! The agent token really goes to the OS keyring on Linux: the Secret Service.
//!
//! What it proves, through the app's own [`Secrets`] (the engine's `TokenStore`), where a
//! Secret Service answers: [`Secrets::probe`] chooses [`Place::Keyring`] and shows no
//! fallback notice; a written token is an item of the Secret Service (service "Trubka", looked
//! up with `secret-tool`, not through the keyring crate) and never a `token` file in the
//! profile folder; a fresh `Secrets` for the same profile (the app started again) reads it
//! back; another profile does not see it and keeps its own; writing again replaces the item
//! instead of adding one; sign-out (`remove`) deletes it from the Secret Service.
//!
//! How the keyring is started: there is no desktop session here, so the test brings its own.
//! It starts a private D-Bus session bus (`dbus-daemon` with a config of its own: the socket in
//! a temp folder, no service activation, so nothing but our daemon can answer), then
//! `gnome-keyring-daemon --unlock --components=secrets --foreground` on that bus with a known
//! password on stdin, which creates and unlocks the "login" collection (the default one);
//! HOME, XDG_DATA_HOME and XDG_RUNTIME_DIR point into the temp folder, so no real keyring file
//! is touched. Once the default collection answers and is unlocked, the test runs itself again
//! as a child process (`--exact`, marked by an environment variable) with
//! DBUS_SESSION_BUS_ADDRESS pointing at the private bus: setting that variable in this process
//! would take `unsafe` (edition 2024), which the workspace forbids. A drop guard kills both
//! daemons.
//!
//! It needs `dbus-daemon` and `dbus-send` (package dbus), `gnome-keyring-daemon`
//! (gnome-keyring) and `secret-tool` (libsecret-tools); `scripts/install-app-deps.sh` installs
//! them. Without them the test fails and says how to install them: it never passes without
//! having seen a keyring.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use trubka_agent::profile::Profile;
use trubka_agent::tokens::TokenStore;
use trubka_app::secrets::{Place, Secrets};

/// This file's one test; the child process runs exactly it.
const TEST: &str = "token_lives_in_the_secret_service";
/// Set in the child process: run the scenario against the bus in DBUS_SESSION_BUS_ADDRESS.
const CHILD: &str = "TRUBKA_KEYRING_TEST_CHILD";
/// The service name `Secrets` files the token under.
const SERVICE: &str = "Trubka";
const KEYRING_PASSWORD: &str = "trubka-test-keyring";

/// The programs this test runs, and the Debian package of each.
const TOOLS: &[(&str, &str)] = &[
    ("dbus-daemon", "dbus"),
    ("dbus-send", "dbus"),
    ("gnome-keyring-daemon", "gnome-keyring"),
    ("secret-tool", "libsecret-tools"),
];

const READY_WITHIN: Duration = Duration::from_secs(30);
const CHILD_WITHIN: Duration = Duration::from_secs(120);

#[test]
fn token_lives_in_the_secret_service() {
    if std::env::var_os(CHILD).is_some() {
        scenario();
    } else {
        run_on_private_keyring();
    }
}

// ---- the scenario, in the child process, on the private bus --------------------------------

fn scenario() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dir_a = dir.path().join("a");
    let dir_b = dir.path().join("b");
    let profile_a = Profile::at(&dir_a).expect("profile a");
    let profile_b = Profile::at(&dir_b).expect("profile b");

    let a = Secrets::probe(profile_a.clone());
    assert_eq!(
        a.store(),
        Place::Keyring,
        "Secrets chose the file although a Secret Service runs: {:?}",
        a.notice()
    );
    assert!(a.notice().is_none(), "a fallback notice: {:?}", a.notice());
    assert_eq!(
        a.read().expect("read a"),
        None,
        "a new profile has no token"
    );

    a.write("token-a-1").expect("write a");
    assert_eq!(a.read().expect("read a").as_deref(), Some("token-a-1"));
    assert_no_token_file(&a, &profile_a);
    assert_eq!(
        secret_tool_lookup(&profile_a).as_deref(),
        Some("token-a-1"),
        "the Secret Service itself holds the token"
    );

    // The app started again: a fresh Secrets with nothing cached reads it from the keyring.
    let a_again = Secrets::probe(Profile::at(&dir_a).expect("profile a"));
    assert_eq!(a_again.store(), Place::Keyring);
    assert_eq!(
        a_again.read().expect("read a").as_deref(),
        Some("token-a-1")
    );

    // Another profile neither sees it nor disturbs it.
    let b = Secrets::probe(profile_b.clone());
    assert_eq!(b.store(), Place::Keyring);
    assert_eq!(b.read().expect("read b"), None, "profile b sees a's token");
    b.write("token-b-1").expect("write b");
    assert_no_token_file(&b, &profile_b);
    assert_eq!(secret_tool_lookup(&profile_b).as_deref(), Some("token-b-1"));
    let a_again = Secrets::probe(Profile::at(&dir_a).expect("profile a"));
    assert_eq!(
        a_again.read().expect("read a").as_deref(),
        Some("token-a-1")
    );

    // Signing in again replaces the item; it does not add a second one.
    a.write("token-a-2").expect("overwrite a");
    let a_again = Secrets::probe(Profile::at(&dir_a).expect("profile a"));
    assert_eq!(
        a_again.read().expect("read a").as_deref(),
        Some("token-a-2")
    );
    assert_eq!(secret_tool_lookup(&profile_a).as_deref(), Some("token-a-2"));
    assert_eq!(
        secret_tool_items(),
        2,
        "one Secret Service item per profile, no more"
    );
    assert_no_token_file(&a, &profile_a);

    // Sign-out deletes it from the Secret Service; b keeps its own.
    a.remove().expect("remove a");
    assert_eq!(a.read().expect("read a"), None);
    let a_again = Secrets::probe(Profile::at(&dir_a).expect("profile a"));
    assert_eq!(a_again.store(), Place::Keyring);
    assert_eq!(
        a_again.read().expect("read a"),
        None,
        "the token outlived sign-out"
    );
    assert_eq!(
        secret_tool_lookup(&profile_a),
        None,
        "the item outlived sign-out"
    );
    let b_again = Secrets::probe(Profile::at(&dir_b).expect("profile b"));
    assert_eq!(
        b_again.read().expect("read b").as_deref(),
        Some("token-b-1")
    );

    b.remove().expect("remove b");
    assert_eq!(secret_tool_lookup(&profile_b), None);
    assert_eq!(
        secret_tool_items(),
        0,
        "items left after signing out of both"
    );
    assert_no_token_file(&a, &profile_a);
    assert_no_token_file(&b, &profile_b);
}

fn assert_no_token_file(secrets: &Secrets, profile: &Profile) {
    let path = secrets.file_path();
    assert_eq!(path, profile.dir().join("token"), "the fallback file moved");
    assert!(
        !path.exists(),
        "the token went to {} although the keyring is used",
        path.display()
    );
    assert_eq!(profile.read_token().expect("read the token file"), None);
}

/// The account `Secrets` files a profile's token under (see `secrets::account`).
fn account(profile: &Profile) -> String {
    format!("agent-token:{}", profile.dir().display())
}

/// The secret of the Secret Service item for `profile`, asked of the service by `secret-tool`.
fn secret_tool_lookup(profile: &Profile) -> Option<String> {
    let out = run(Command::new("secret-tool").args([
        "lookup",
        "service",
        SERVICE,
        "username",
        &account(profile),
    ]));
    // secret-tool exits with 1 and prints nothing when no item matches.
    if !out.status.success() && out.stdout.is_empty() && out.stderr.is_empty() {
        return None;
    }
    assert!(
        out.status.success(),
        "secret-tool lookup: {}",
        describe(&out)
    );
    Some(String::from_utf8(out.stdout).expect("utf-8 secret"))
}

/// How many Secret Service items have service "Trubka".
fn secret_tool_items() -> usize {
    let out = run(Command::new("secret-tool").args(["search", "--all", "service", SERVICE]));
    // Each item's details start with a `[/org/freedesktop/secrets/collection/…]` line.
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("[/"))
        .count()
}

// ---- the private bus and keyring, in the test process --------------------------------------

fn run_on_private_keyring() {
    let missing: Vec<String> = TOOLS
        .iter()
        .filter(|(tool, _)| !on_path(tool))
        .map(|(tool, package)| format!("{tool} (package {package})"))
        .collect();
    assert!(
        missing.is_empty(),
        "this test needs a Secret Service to test the keyring path and cannot find: {}. \
         Install them with scripts/install-app-deps.sh, or: \
         sudo apt-get install dbus gnome-keyring libsecret-tools",
        missing.join(", ")
    );

    let tmp = tempfile::tempdir().expect("tempdir");
    let session = Session::start(tmp.path());

    let out_path = tmp.path().join("child.out");
    let err_path = tmp.path().join("child.err");
    let mut child = Command::new(std::env::current_exe().expect("this test's path"))
        .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env("DBUS_SESSION_BUS_ADDRESS", &session.address)
        .env("HOME", &session.home)
        .env("XDG_DATA_HOME", session.home.join("data"))
        .env("XDG_RUNTIME_DIR", session.home.join("run"))
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).expect("child.out"))
        .stderr(File::create(&err_path).expect("child.err"))
        .spawn()
        .expect("run this test again as a child process");
    let status = wait_within(&mut child, CHILD_WITHIN);
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let Some(status) = status else {
        panic!(
            "the keyring scenario did not finish in {CHILD_WITHIN:?} (a keyring prompt?)\n\
             --- stdout\n{stdout}\n--- stderr\n{stderr}\n--- gnome-keyring-daemon\n{}",
            session.keyring_log()
        );
    };
    assert!(
        status.success(),
        "the keyring scenario failed ({status})\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n\
         --- gnome-keyring-daemon\n{}",
        session.keyring_log()
    );
    assert!(
        stdout.contains(&format!("test {TEST} ... ok")),
        "the child process ran no scenario:\n{stdout}"
    );
    drop(session);
}

/// A private D-Bus session bus with gnome-keyring's Secret Service on it; both are killed on
/// drop.
struct Session {
    address: String,
    /// HOME (and XDG folders) for the keyring daemon and the scenario.
    home: PathBuf,
    bus: Child,
    keyring: Option<Child>,
}

impl Session {
    fn start(dir: &Path) -> Session {
        let home = dir.join("home");
        let run_dir = home.join("run");
        for d in [&home, &home.join("data"), &run_dir] {
            std::fs::create_dir_all(d).expect("temp folders");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&run_dir, std::fs::Permissions::from_mode(0o700))
                .expect("chmod XDG_RUNTIME_DIR");
        }

        // A session bus of our own: its socket in the temp folder, and no <servicedir>, so no
        // service is activated behind our back (the system's gnome-keyring .service file in
        // particular); only the daemon started below can own org.freedesktop.secrets.
        let config = dir.join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                dir.display()
            ),
        )
        .expect("bus.conf");
        let mut bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(dir.join("bus.err")).expect("bus.err"))
            .spawn()
            .expect("start dbus-daemon");
        let mut address = String::new();
        let read =
            BufReader::new(bus.stdout.take().expect("dbus-daemon stdout")).read_line(&mut address);
        let address = address.trim().to_owned();
        let mut session = Session {
            address,
            home,
            bus,
            keyring: None,
        };
        assert!(
            read.is_ok() && !session.address.is_empty(),
            "dbus-daemon printed no address: {}",
            std::fs::read_to_string(dir.join("bus.err")).unwrap_or_default()
        );

        // gnome-keyring with a known password on stdin: it creates the "login" collection,
        // makes it the default one and unlocks it. (An empty password creates none.)
        let log = File::create(session.keyring_log_path()).expect("keyring log");
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets", "--foreground"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("DBUS_SESSION_BUS_ADDRESS", &session.address)
            .env("HOME", &session.home)
            .env("XDG_DATA_HOME", session.home.join("data"))
            .env("XDG_RUNTIME_DIR", &run_dir)
            .stdin(Stdio::piped())
            .stdout(log.try_clone().expect("keyring log"))
            .stderr(log)
            .spawn()
            .expect("start gnome-keyring-daemon");
        let stdin = keyring.stdin.take();
        session.keyring = Some(keyring);
        stdin
            .expect("gnome-keyring-daemon stdin")
            .write_all(KEYRING_PASSWORD.as_bytes())
            .expect("give gnome-keyring-daemon its password");
        // (stdin closed here: the daemon reads the password up to end of file)

        session.wait_ready();
        session
    }

    fn keyring_log_path(&self) -> PathBuf {
        self.home.join("gnome-keyring.log")
    }

    fn keyring_log(&self) -> String {
        std::fs::read_to_string(self.keyring_log_path()).unwrap_or_default()
    }

    /// Waits until the default collection exists and is unlocked.
    fn wait_ready(&mut self) {
        let start = Instant::now();
        let mut last = String::new();
        while start.elapsed() < READY_WITHIN {
            if let Some(status) = self
                .keyring
                .as_mut()
                .and_then(|k| k.try_wait().ok().flatten())
            {
                panic!(
                    "gnome-keyring-daemon exited ({status}) before it answered:\n{}",
                    self.keyring_log()
                );
            }
            let alias = run(&mut self.dbus_send(&[
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.ReadAlias",
                "string:default",
            ]));
            let collection = String::from_utf8_lossy(&alias.stdout)
                .lines()
                .find_map(|l| l.trim().strip_prefix("object path \""))
                .map(|p| p.trim_end_matches('"').to_owned())
                .filter(|p| p != "/");
            if let Some(collection) = collection {
                let locked = run(&mut self.dbus_send(&[
                    &collection,
                    "org.freedesktop.DBus.Properties.Get",
                    "string:org.freedesktop.Secret.Collection",
                    "string:Locked",
                ]));
                if String::from_utf8_lossy(&locked.stdout).contains("boolean false") {
                    return;
                }
                last = describe(&locked);
            } else {
                last = describe(&alias);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "gnome-keyring-daemon gave no unlocked default collection in {READY_WITHIN:?}: \
             {last}\n{}",
            self.keyring_log()
        );
    }

    fn dbus_send(&self, args: &[&str]) -> Command {
        let mut command = Command::new("dbus-send");
        command
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .args([
                "--session",
                "--print-reply",
                "--reply-timeout=5000",
                "--dest=org.freedesktop.secrets",
            ])
            .args(args);
        command
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        for child in self.keyring.iter_mut().chain([&mut self.bus]) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

// ---- helpers --------------------------------------------------------------------------------

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

fn run(command: &mut Command) -> Output {
    command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

fn describe(out: &Output) -> String {
    format!(
        "{}: {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Waits for `child` up to `limit`; kills it and returns `None` when it takes longer.
fn wait_within(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for the child process") {
            return Some(status);
        }
        if start.elapsed() >= limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
