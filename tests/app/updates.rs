//! Updates from the relay in the real app, with a key pair made here (minisign, as `tauri
//! signer generate` makes it; the debug app takes its public key from
//! `TRUBKA_UPDATER_PUBKEY`, see src-tauri/src/updates.rs) and `trubka-relay app publish` run
//! as the admin runs it.
//!
//! The two builds: the one running, and a second made from the debug package
//! (`target/packages/debug/Trubka_*.deb`, what `scripts/package.sh debug` bundles), or from
//! the debug binary when that is not built yet, repacked by dpkg-deb with a higher Version in
//! its control file. Building the app twice would take longer than the whole suite on two
//! cores; the binary inside still calls itself 0.1.0, which is what the package's version is
//! for here: it is what the relay offers and the app compares.
//!
//! The app under tauri-driver runs from target/debug, not from an installed package, so the
//! updater has nothing it may replace (it would write the package over the running
//! executable): the test goes up to the download verified against the built-in key, where the
//! app says so. A copy signed with another key (published by a relay configured with that
//! key, as an admin who mixed up the key files would) is refused by the app, and the
//! updater's reason is on screen.
//!
//! The install itself is `installed_app_installs_the_update`, which scripts/install-test.sh
//! runs with the packages installed: it makes the key pair and the 0.2.0 build, publishes it
//! on the installed relay, and this test drives the installed `/usr/bin/trubka` to
//! «Установить»; the updater's `sudo dpkg -i` replaces the package, and the script checks
//! dpkg's version afterwards.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::harness::{self, App, Stack};
use crate::invite::painted;

const SHORT: Duration = Duration::from_secs(10);
/// Downloading and verifying a debug package (tens of megabytes) over loopback.
const DOWNLOAD: Duration = Duration::from_secs(90);

/// An updater key pair.
struct Keys(minisign::KeyPair);

impl Keys {
    fn new() -> anyhow::Result<Keys> {
        Ok(Keys(minisign::KeyPair::generate_unencrypted_keypair()?))
    }

    /// The `.pub` file's line.
    fn public(&self) -> anyhow::Result<String> {
        Ok(BASE64.encode(self.0.pk.to_box()?.to_string()))
    }

    /// Writes `file.sig` as `tauri signer sign` does.
    fn sign(&self, file: &Path) -> anyhow::Result<PathBuf> {
        let data = std::fs::read(file)?;
        let signature = minisign::sign(
            None,
            &self.0.sk,
            Cursor::new(data),
            Some("trubka e2e"),
            Some("signature from tauri secret key"),
        )?;
        let mut path = file.as_os_str().to_owned();
        path.push(".sig");
        std::fs::write(&path, BASE64.encode(signature.to_string()))?;
        Ok(PathBuf::from(path))
    }
}

fn run(command: &mut Command) -> anyhow::Result<String> {
    let output = command
        .output()
        .with_context(|| format!("cannot run {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The app's debug package if it is built, else a package of the debug binary.
fn debug_package() -> Option<PathBuf> {
    let dir = harness::bin_dir().join("../packages/debug");
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("Trubka_") && n.ends_with(".deb"))
        })
}

/// The second build: the first one's package with `version` in its control file.
fn second_build(dir: &Path, version: &str) -> anyhow::Result<PathBuf> {
    let root = dir.join(format!("build-{version}"));
    match debug_package() {
        Some(deb) => {
            run(Command::new("dpkg-deb").arg("-R").arg(&deb).arg(&root))?;
        }
        None => {
            std::fs::create_dir_all(root.join("DEBIAN"))?;
            std::fs::create_dir_all(root.join("usr/bin"))?;
            std::fs::copy(
                harness::bin_dir().join("trubka"),
                root.join("usr/bin/trubka"),
            )?;
            std::fs::write(
                root.join("DEBIAN/control"),
                "Package: trubka\nVersion: 0.1.0\nArchitecture: amd64\n\
                 Maintainer: Trubka maintainers <maintainers@localhost>\n\
                 Description: Trubka\n",
            )?;
        }
    }
    let control = root.join("DEBIAN/control");
    let text = std::fs::read_to_string(&control)?;
    let changed: Vec<String> = text
        .lines()
        .map(|line| match line.starts_with("Version:") {
            true => format!("Version: {version}"),
            false => line.to_owned(),
        })
        .collect();
    ensure!(changed.iter().any(|l| l == &format!("Version: {version}")));
    std::fs::write(&control, changed.join("\n") + "\n")?;
    let out = dir.join(format!("Trubka_{version}_amd64.deb"));
    // Fast gzip: xz of a debug binary takes minutes on two cores.
    run(Command::new("dpkg-deb")
        .args(["--root-owner-group", "-Zgzip", "-z1", "--build"])
        .arg(&root)
        .arg(&out))?;
    Ok(out)
}

/// `trubka-relay app publish` on the stack's relay with `public_key` as `[updates]`.
fn publish(
    stack: &Stack,
    public_key: &str,
    package: &Path,
    signature: &Path,
    notes: &str,
) -> anyhow::Result<std::process::Output> {
    let config = stack.dir.path().join("updates.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\n[updates]\npublic_key = {public_key:?}\n",
            stack.dir.path().join("relay").display().to_string()
        ),
    )?;
    Ok(Command::new(harness::bin_dir().join("trubka-relay"))
        .arg("--config")
        .arg(&config)
        .args(["app", "publish"])
        .arg(package)
        .arg("--signature")
        .arg(signature)
        .args(["--notes", notes])
        .output()?)
}

/// Presses «Проверить обновления» in the settings and waits for the banner with `version`.
async fn check_finds(app: &App, version: &str) -> anyhow::Result<String> {
    app.click("[data-testid=tab-settings]").await?;
    app.click("[data-testid=update-check-now]").await?;
    let title = app
        .wait_text(
            "[data-testid=update-title]",
            &format!("Доступна новая версия {version}"),
            SHORT,
        )
        .await?;
    Ok(title)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Xvfb, tauri-driver and the built app: run `make test-app`"]
async fn a_published_build_is_offered_verified_and_one_signed_with_another_key_refused()
-> anyhow::Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let stack = Stack::start().await?;
    let (ours, theirs) = (Keys::new()?, Keys::new()?);
    let home = stack.dir.path().join("updating");
    let key = ours.public()?;
    let app = App::launch_with_env(
        &[
            "--home".into(),
            home.display().to_string(),
            "--relay".into(),
            stack.relay_url.clone(),
            "--token".into(),
            stack.token.clone(),
        ],
        &[("TRUBKA_UPDATER_PUBKEY", &key)],
    )
    .await?;
    app.wait_text("[data-testid=connection]", "На связи: Анна", SHORT)
        .await?;

    // Nothing published yet: the settings say this is the latest version.
    app.click("[data-testid=tab-settings]").await?;
    app.click("[data-testid=update-check-now]").await?;
    app.wait_text("[data-testid=update-said]", "это последняя версия", SHORT)
        .await?;
    ensure!(
        app.text("[data-testid=update-check]")
            .await?
            .unwrap_or_default()
            .contains("Версия 0.1.0")
    );

    // The admin publishes the second build, signed with the app's key.
    let second = second_build(stack.dir.path(), "0.2.0")?;
    let refused = publish(&stack, &key, &second, &theirs.sign(&second)?, "")?;
    ensure!(
        !refused.status.success()
            && String::from_utf8_lossy(&refused.stderr).contains("подпись не подходит"),
        "the relay takes a build the app would refuse: {refused:?}"
    );
    let notes = "Карточка звонка показывает город\nИсправлен повторный звонок";
    let published = publish(&stack, &key, &second, &ours.sign(&second)?, notes)?;
    ensure!(published.status.success(), "{published:?}");

    check_finds(&app, "0.2.0").await?;
    let shown = app.text("[data-testid=update-notes]").await?;
    ensure!(shown.as_deref() == Some(notes), "notes shown: {shown:?}");
    painted(&app).await?;
    app.shot("30-update-available-ru").await;

    // «Установить»: downloaded and verified against the built-in key; this copy is not from
    // a package, so it stops there and says so.
    app.click("[data-testid=update-install]").await?;
    app.wait_text(
        "[data-testid=update-unpackaged]",
        "Подпись верна, но эта копия Трубки запущена не из пакета",
        DOWNLOAD,
    )
    .await?;
    painted(&app).await?;
    app.shot("31-update-verified-ru").await;

    // A relay configured with another key publishes a copy signed with it: the app refuses
    // it at the download and shows why.
    let third = second_build(stack.dir.path(), "0.3.0")?;
    let other = theirs.public()?;
    let published = publish(&stack, &other, &third, &theirs.sign(&third)?, "Подменённая")?;
    ensure!(published.status.success(), "{published:?}");
    check_finds(&app, "0.3.0").await?;
    app.click("[data-testid=update-install]").await?;
    let error = app
        .wait_text(
            "[data-testid=update-error]",
            "подпись сборки не подходит к ключу этой Трубки",
            DOWNLOAD,
        )
        .await?;
    ensure!(
        error.contains("created with a different key"),
        "the reason shown: {error}"
    );
    ensure!(
        app.text("[data-testid=update-unpackaged]").await?.is_none(),
        "a refused build is not said to be verified"
    );
    painted(&app).await?;
    app.shot("32-update-refused-ru").await;
    app.close().await;
    Ok(())
}

/// A variable scripts/install-test.sh sets; this test means nothing without it.
fn from_install_test(name: &str) -> anyhow::Result<String> {
    std::env::var(name).with_context(|| {
        format!(
            "{name} is not set: this test is run by scripts/install-test.sh (make install-test)"
        )
    })
}

/// The pids of the apps running on `home` and the executables they run.
fn apps_on(home: &str) -> anyhow::Result<Vec<(u32, String)>> {
    let found = Command::new("pgrep")
        .args(["-f", &format!("trubka --home {home}")])
        .output()?;
    Ok(String::from_utf8_lossy(&found.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .map(|pid: u32| {
            let exe = std::fs::read_link(format!("/proc/{pid}/exe"))
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            (pid, exe)
        })
        .collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the packages installed: run by scripts/install-test.sh (make install-test)"]
async fn installed_app_installs_the_update() -> anyhow::Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let relay = from_install_test("TRUBKA_INSTALL_RELAY")?;
    let token = from_install_test("TRUBKA_INSTALL_TOKEN")?;
    let home = from_install_test("TRUBKA_INSTALL_HOME")?;
    let key = from_install_test("TRUBKA_UPDATER_PUBKEY")?;
    ensure!(
        harness::app_binary() == Path::new("/usr/bin/trubka"),
        "TRUBKA_APP_BINARY is not the installed /usr/bin/trubka"
    );
    let app = App::launch_with_env(
        &[
            "--home".into(),
            home.clone(),
            "--relay".into(),
            relay,
            "--token".into(),
            token,
        ],
        &[("TRUBKA_UPDATER_PUBKEY", &key)],
    )
    .await?;
    app.wait_text("[data-testid=connection]", "На связи: Анна", SHORT)
        .await?;
    check_finds(&app, "0.2.0").await?;
    app.click("[data-testid=update-install]").await?;
    // Downloaded, verified, then `sudo dpkg -i` (neither pkexec nor a password prompt is
    // installed here, and root's sudo asks for nothing).
    app.wait_text("[data-testid=update-installed]", "Установлено", DOWNLOAD)
        .await?;
    // The app restarts two seconds after saying so: the screenshot is taken at once.
    app.shot("02-update-installed-ru").await;

    // dpkg replaced /usr/bin/trubka, so the running app's executable is the deleted old
    // file; the app it restarts into runs the new one. That one is ended here (no
    // WebDriver session owns it), by its pid.
    let restarted = harness::wait_for(
        "the app to restart into the installed /usr/bin/trubka",
        Duration::from_secs(30),
        || {
            let home = home.clone();
            async move {
                Ok(apps_on(&home)?
                    .into_iter()
                    .find(|(_, exe)| exe == "/usr/bin/trubka"))
            }
        },
    )
    .await;
    app.detach();
    let (pid, _) = restarted?;
    run(Command::new("kill").arg(pid.to_string()))?;
    harness::wait_for("the restarted app to exit", SHORT, || {
        let home = home.clone();
        async move { Ok(apps_on(&home)?.is_empty().then_some(())) }
    })
    .await?;
    Ok(())
}
