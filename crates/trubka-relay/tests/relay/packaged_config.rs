//! The settings file the trubka-relay package installs as /etc/trubka/relay.toml
//! (packaging/relay/relay.toml) is read by the relay's own loader, so it cannot drift from
//! the configuration it describes: as shipped it is the defaults with the package's data
//! folder; every key it shows commented out, once uncommented, is a key the relay takes, with
//! the default value wherever the key has one; and it shows exactly the keys of
//! docs/protocol.md's sample configuration.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use trubka_relay::RelayConfig;
use trubka_relay::config::{LookupConfig, TlsConfig};

fn packaged() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packaging/relay/relay.toml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The defaults, with the data folder the package's service may write to.
fn installed_defaults() -> RelayConfig {
    RelayConfig {
        data_dir: PathBuf::from("/var/lib/trubka"),
        ..RelayConfig::default()
    }
}

/// A line that is a commented-out setting or section: `#` directly followed by a key or `[`
/// (prose comments have a space after `#`).
fn commented_setting(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('#')?;
    rest.starts_with(|c: char| c.is_ascii_lowercase() || c == '[')
        .then_some(rest)
}

#[test]
fn as_shipped_it_is_the_defaults_with_the_packages_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relay.toml");
    std::fs::write(&path, packaged()).unwrap();
    let (config, unknown) = RelayConfig::load(Some(&path), Vec::new()).unwrap();
    assert!(unknown.is_empty());
    assert_eq!(config, installed_defaults());
}

#[test]
fn every_commented_key_is_one_the_relay_takes_with_its_default_value() {
    let uncommented: String = packaged()
        .lines()
        .map(|line| commented_setting(line).unwrap_or(line))
        .map(|line| format!("{line}\n"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relay.toml");
    std::fs::write(&path, &uncommented).unwrap();
    // from_file, not load: [tls] shows both of its ways (ACME and files) as alternatives, which
    // load rightly refuses together; the keys and their types are what is checked here.
    let mut config = RelayConfig::from_file(&path).unwrap_or_else(|e| panic!("{e}"));

    // Keys without a default show an example; every other key shows its default.
    assert_eq!(
        config.public_url.take().as_deref(),
        Some("https://relay.example.com")
    );
    for example in [
        config.uis.hook_token.take(),
        config.uis.api_key.take(),
        config.uis.virtual_number.take(),
        config.sipuni.hook_token.take(),
        config.sipuni.user.take(),
        config.sipuni.secret.take(),
        config.updates.public_key.take(),
    ] {
        assert!(example.is_some(), "an example value for every optional key");
    }
    assert_eq!(std::mem::take(&mut config.sipuni.trees).len(), 1);
    let tls = config.tls.take().expect("a [tls] section");
    assert_eq!(tls.acme_renew_days, TlsConfig::default().acme_renew_days);
    assert!(!tls.acme_domains.is_empty() && tls.acme_contact.is_some());
    assert!(tls.cert_file.is_some() && tls.key_file.is_some());
    assert!(tls.redirect_listen.is_some() && tls.acme_ca_file.is_some());
    let mut lookup = config
        .directory
        .lookup
        .take()
        .expect("a [directory.lookup] section");
    lookup.validate().unwrap_or_else(|e| panic!("{e}"));
    assert!(lookup.url.contains("{digits}"), "an example URL");
    assert_eq!(std::mem::take(&mut lookup.headers).len(), 1);
    lookup.url.clear();
    assert_eq!(lookup, LookupConfig::default());
    let sync = config.directory.uis_sync.take();
    assert_eq!(sync, Some(trubka_relay::config::UisSyncConfig::default()));
    assert_eq!(config, installed_defaults());
}

/// `(section, key)` of every setting in a TOML sample, commented out or not; `""` is the top.
fn keys(text: &str, strip: fn(&str) -> Option<&str>) -> BTreeSet<(String, String)> {
    let mut section = String::new();
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let line = strip(line).unwrap_or(line);
        if let Some(name) = line.strip_prefix('[') {
            section = name.split(']').next().unwrap_or_default().to_owned();
        } else if let Some((key, _)) = line.split_once(" = ")
            && !key.is_empty()
            && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        {
            found.insert((section.clone(), key.to_owned()));
        }
    }
    found
}

#[test]
fn it_shows_every_key_of_the_documented_sample_configuration() {
    let protocol = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/protocol.md"
    ));
    let start = protocol
        .find("```toml\nlisten = ")
        .expect("protocol.md's sample configuration");
    let block = &protocol[start + "```toml\n".len()..];
    let block = &block[..block.find("```").expect("the end of the block")];
    let documented = keys(block, |line| line.strip_prefix("# "));
    let shipped = keys(&packaged(), commented_setting);
    assert!(documented.len() > 30, "{documented:?}");
    assert_eq!(shipped, documented);
}
