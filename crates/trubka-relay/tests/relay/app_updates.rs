//! App updates through the relay, as the admin and the app meet them: key pairs made here
//! (minisign, as `tauri signer generate` makes them), a real `.deb` built by `dpkg-deb`,
//! `trubka-relay app publish` run as a program, and tauri-plugin-updater's requests over HTTP
//! on 127.0.0.1: the check answers 204 until something newer is published for the app's
//! target, arch and bundle, then the version, notes, signature and a URL whose download is
//! the signed package; a build signed with another key is refused in the admin's language
//! and never offered.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::TestRelay;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;

/// A key pair in the updater's form: the public key and a signer of files.
struct Keys(minisign::KeyPair);

impl Keys {
    fn new() -> Keys {
        Keys(minisign::KeyPair::generate_unencrypted_keypair().unwrap())
    }

    /// What the `.pub` file holds: base64 of minisign's public key file.
    fn public(&self) -> String {
        BASE64.encode(self.0.pk.to_box().unwrap().to_string())
    }

    /// What the `.sig` file holds for `file`: base64 of minisign's signature file.
    fn sign(&self, file: &Path) -> PathBuf {
        let data = std::fs::read(file).unwrap();
        let signature = minisign::sign(
            None,
            &self.0.sk,
            Cursor::new(data),
            Some("trusted comment"),
            Some("signature from tauri secret key"),
        )
        .unwrap();
        let mut path = file.as_os_str().to_owned();
        path.push(".sig");
        std::fs::write(&path, BASE64.encode(signature.to_string())).unwrap();
        PathBuf::from(path)
    }
}

/// A minimal real `.deb` of `version`, built by dpkg-deb.
fn deb(dir: &Path, version: &str) -> PathBuf {
    let root = dir.join(format!("pkg-{version}"));
    std::fs::create_dir_all(root.join("DEBIAN")).unwrap();
    std::fs::create_dir_all(root.join("usr/share/trubka")).unwrap();
    std::fs::write(
        root.join("DEBIAN/control"),
        format!(
            "Package: trubka\nVersion: {version}\nArchitecture: amd64\n\
             Maintainer: Trubka <trubka@localhost>\nDescription: test build\n"
        ),
    )
    .unwrap();
    std::fs::write(root.join("usr/share/trubka/build"), version).unwrap();
    let out = dir.join(format!("Trubka_{version}_amd64.deb"));
    let status = Command::new("dpkg-deb")
        .args(["--root-owner-group", "--build"])
        .arg(&root)
        .arg(&out)
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    out
}

/// `trubka-relay app publish …` with a config of this relay's data dir: (success, stdout,
/// stderr).
fn publish(config: &Path, args: &[&std::ffi::OsStr]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_trubka-relay"))
        .arg("--config")
        .arg(config)
        .args(["app", "publish"])
        .args(args)
        .env_remove("TRUBKA_RELAY_LANGUAGE")
        .env_remove("TRUBKA_RELAY_UPDATES_PUBLIC_KEY")
        .output()
        .unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (
        output.status.success(),
        text(&output.stdout),
        text(&output.stderr),
    )
}

fn config(dir: &Path, data_dir: &Path, language: &str, public_key: Option<&str>) -> PathBuf {
    let mut text = format!(
        "data_dir = {:?}\nlanguage = {language:?}\n",
        data_dir.display().to_string()
    );
    if let Some(key) = public_key {
        text.push_str(&format!("[updates]\npublic_key = {key:?}\n"));
    }
    let keyed = if public_key.is_some() {
        "keyed"
    } else {
        "keyless"
    };
    let path = dir.join(format!("relay-{language}-{keyed}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

async fn check(relay: &TestRelay, token: Option<&str>, path: &str) -> (u16, Option<Value>) {
    let mut request = relay.http.get(relay.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    (status, serde_json::from_slice(&body).ok())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_build_is_offered_and_downloaded_and_one_signed_with_another_key_is_refused() {
    let relay = TestRelay::start().await;
    let token = relay.agent("Анна", |_| {});
    let dir = tempfile::tempdir().unwrap();
    let (ours, theirs) = (Keys::new(), Keys::new());
    let ru = config(dir.path(), &relay.data_dir(), "ru", Some(&ours.public()));
    let en = config(dir.path(), &relay.data_dir(), "en", Some(&ours.public()));
    let keyless = config(dir.path(), &relay.data_dir(), "en", None);
    let update = "/v1/app/update/linux/x86_64/0.1.0?bundle=deb";

    // Nothing published: nothing newer. Only agents may ask.
    assert_eq!(check(&relay, Some(&token), update).await.0, 204);
    assert_eq!(check(&relay, None, update).await.0, 401);
    assert_eq!(check(&relay, Some("trk_wrong"), update).await.0, 401);

    let package = deb(dir.path(), "0.2.0");
    let os = |p: &Path| p.as_os_str().to_owned();

    // Signed with a key the apps do not have: refused, in the admin's language, and not offered.
    let wrong = theirs.sign(&package);
    let (ok, _, stderr) = publish(&ru, &[&os(&package), "--signature".as_ref(), &os(&wrong)]);
    assert!(!ok);
    assert!(stderr.contains("подпись не подходит к"), "{stderr}");
    assert!(stderr.contains("не опубликована"), "{stderr}");
    let (ok, _, stderr) = publish(&en, &[&os(&package), "--signature".as_ref(), &os(&wrong)]);
    assert!(!ok);
    assert!(stderr.contains("the signature does not match"), "{stderr}");
    assert_eq!(check(&relay, Some(&token), update).await.0, 204);

    // No public key configured: nothing can be checked, so nothing is published.
    let signature = ours.sign(&package);
    let (ok, _, stderr) = publish(
        &keyless,
        &[&os(&package), "--signature".as_ref(), &os(&signature)],
    );
    assert!(!ok);
    assert!(stderr.contains("no [updates] public_key"), "{stderr}");

    // A file that is no signature at all.
    let (ok, _, stderr) = publish(&ru, &[&os(&package), "--signature".as_ref(), &os(&package)]);
    assert!(!ok);
    assert!(stderr.contains("не подпись обновления Tauri"), "{stderr}");

    // Signed with our key: published, version and architecture read from the package.
    let notes = "Карточка звонка показывает город";
    let (ok, stdout, stderr) = publish(
        &ru,
        &[
            &os(&package),
            "--signature".as_ref(),
            &os(&signature),
            "--notes".as_ref(),
            notes.as_ref(),
        ],
    );
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("Подпись верна. Опубликована версия 0.2.0 (linux x86_64, deb)"),
        "{stdout}"
    );

    let (status, body) = check(&relay, Some(&token), update).await;
    assert_eq!(status, 200);
    let body = body.unwrap();
    assert_eq!(body["version"], "0.2.0");
    assert_eq!(body["notes"], notes);
    assert_eq!(
        body["signature"],
        std::fs::read_to_string(&signature).unwrap().trim()
    );
    chrono::DateTime::parse_from_rfc3339(body["pub_date"].as_str().unwrap()).unwrap();
    let url = body["url"].as_str().unwrap();
    assert_eq!(
        url,
        relay.url("/v1/app/packages/trubka_0.2.0_linux_x86_64.deb")
    );

    // The download is the package that was signed, and the app's check of it holds.
    let download = relay
        .http
        .get(url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status().as_u16(), 200);
    let bytes = download.bytes().await.unwrap();
    assert_eq!(bytes.as_ref(), std::fs::read(&package).unwrap());
    trubka_relay::updates::verify(&ours.public(), body["signature"].as_str().unwrap(), &bytes)
        .unwrap();
    assert_eq!(
        trubka_relay::updates::verify(
            &theirs.public(),
            body["signature"].as_str().unwrap(),
            &bytes
        )
        .map_err(|e| matches!(e, trubka_relay::updates::VerifyError::Mismatch(_))),
        Err(true)
    );
    assert_eq!(
        relay.http.get(url).send().await.unwrap().status().as_u16(),
        401
    );
    // Only published packages are served: nothing else from the folder or beside it.
    for other in [
        "releases.json",
        "..%2Frelay.db",
        "trubka_0.3.0_linux_x86_64.deb",
    ] {
        let (status, _) = check(&relay, Some(&token), &format!("/v1/app/packages/{other}")).await;
        assert_eq!(status, 404, "{other}");
    }

    // Not newer, or for another app: nothing to offer.
    for path in [
        "/v1/app/update/linux/x86_64/0.2.0?bundle=deb",
        "/v1/app/update/linux/x86_64/0.3.0?bundle=deb",
        "/v1/app/update/linux/x86_64/0.1.0?bundle=rpm",
        "/v1/app/update/linux/aarch64/0.1.0?bundle=deb",
        "/v1/app/update/windows/x86_64/0.1.0?bundle=nsis",
    ] {
        assert_eq!(check(&relay, Some(&token), path).await.0, 204, "{path}");
    }
    // An app that does not know how it was installed still hears of it.
    let (status, body) = check(
        &relay,
        Some(&token),
        "/v1/app/update/linux/x86_64/0.1.0?bundle=unknown",
    )
    .await;
    assert_eq!(
        (status, body.unwrap()["version"].clone()),
        (200, "0.2.0".into())
    );
    assert_eq!(
        check(&relay, Some(&token), "/v1/app/update/linux/x86_64/latest")
            .await
            .0,
        400
    );

    // A newer build replaces it; the old package is no longer served.
    let newer = deb(dir.path(), "0.3.0");
    let newer_signature = ours.sign(&newer);
    let (ok, _, stderr) = publish(
        &en,
        &[&os(&newer), "--signature".as_ref(), &os(&newer_signature)],
    );
    assert!(ok, "{stderr}");
    let (_, body) = check(&relay, Some(&token), update).await;
    assert_eq!(body.unwrap()["version"], "0.3.0");
    assert_eq!(
        relay
            .http
            .get(url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );

    // A version that the app could not compare is refused.
    let (ok, _, stderr) = publish(
        &en,
        &[
            &os(&newer),
            "--signature".as_ref(),
            &os(&newer_signature),
            "--version".as_ref(),
            "3".as_ref(),
        ],
    );
    assert!(!ok);
    assert!(stderr.contains("is not a semantic version"), "{stderr}");
    relay.stop().await;
}
