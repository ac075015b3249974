//! The crate-dependency rules of ARCHITECTURE.md «Invariants», checked from the manifests and
//! the sources, so that a rule written there is a rule kept: a new dependency that breaks one
//! fails here, naming the rule.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The workspace's root: this crate lives in `tests/`.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_owned()
}

/// The product's crates, by name, with their folders.
const CRATES: &[(&str, &str)] = &[
    ("trubka-core", "crates/trubka-core"),
    ("trubka-protocol", "crates/trubka-protocol"),
    ("trubka-pbx", "crates/trubka-pbx"),
    ("trubka-relay", "crates/trubka-relay"),
    ("trubka-agent", "crates/trubka-agent"),
    ("trubka-contacts", "crates/trubka-contacts"),
    ("trubka-sim", "crates/trubka-sim"),
    ("trubka", "src-tauri"),
];

/// What a crate's code may use: `[dependencies]` and every `[target.….dependencies]`; dev- and
/// build-dependencies are for its tests and build script, not its code.
fn dependencies(folder: &str) -> BTreeSet<String> {
    let path = root().join(folder).join("Cargo.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let manifest: toml::Table = text.parse().unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut names = BTreeSet::new();
    let mut add = |table: Option<&toml::Value>| {
        if let Some(table) = table.and_then(toml::Value::as_table) {
            names.extend(table.keys().cloned());
        }
    };
    add(manifest.get("dependencies"));
    if let Some(targets) = manifest.get("target").and_then(toml::Value::as_table) {
        for target in targets.values() {
            add(target.get("dependencies"));
        }
    }
    names
}

/// The crates whose code uses a dependency for which `matches` holds.
fn users(matches: impl Fn(&str) -> bool) -> BTreeSet<&'static str> {
    CRATES
        .iter()
        .filter(|(_, folder)| dependencies(folder).iter().any(|d| matches(d)))
        .map(|(name, _)| *name)
        .collect()
}

fn set<'a>(names: &[&'a str]) -> BTreeSet<&'a str> {
    names.iter().copied().collect()
}

#[test]
fn the_manifests_list_every_crate_of_the_workspace() {
    for (name, folder) in CRATES {
        let path = root().join(folder).join("Cargo.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(&format!("name = \"{name}\"")), "{path:?}");
    }
    let listed: BTreeSet<String> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|entry| format!("crates/{}", entry.unwrap().file_name().to_string_lossy()))
        .collect();
    let known: BTreeSet<String> = CRATES
        .iter()
        .filter(|(_, folder)| folder.starts_with("crates/"))
        .map(|(_, folder)| (*folder).to_owned())
        .collect();
    assert_eq!(listed, known, "a new crate needs its place in these rules");
}

#[test]
fn trubka_core_does_no_io_and_knows_no_wire_shapes() {
    let core = dependencies("crates/trubka-core");
    for forbidden in [
        "serde",
        "serde_json",
        "tokio",
        "reqwest",
        "hyper",
        "axum",
        "rusqlite",
        "tauri",
        "tokio-tungstenite",
    ] {
        assert!(
            !core.contains(forbidden),
            "trubka-core depends on {forbidden}"
        );
    }
    let workspace: Vec<_> = core.iter().filter(|d| d.starts_with("trubka")).collect();
    assert!(workspace.is_empty(), "trubka-core depends on {workspace:?}");
}

#[test]
fn trubka_protocol_converts_without_io() {
    let protocol = dependencies("crates/trubka-protocol");
    for forbidden in ["tokio", "reqwest", "hyper", "axum", "rusqlite", "tauri"] {
        assert!(
            !protocol.contains(forbidden),
            "trubka-protocol depends on {forbidden}"
        );
    }
    let workspace: BTreeSet<&str> = protocol
        .iter()
        .filter(|d| d.starts_with("trubka"))
        .map(String::as_str)
        .collect();
    // trubka-contacts is the contact model without storage: the directory's wire shapes
    // convert to and from it in one place (trubka-protocol's directory.rs).
    assert_eq!(workspace, set(&["trubka-contacts", "trubka-core"]));
}

#[test]
fn trubka_contacts_is_contacts_without_io_or_wire_shapes() {
    let contacts = dependencies("crates/trubka-contacts");
    for forbidden in [
        "tokio",
        "reqwest",
        "hyper",
        "axum",
        "rusqlite",
        "tauri",
        "serde_json",
    ] {
        assert!(
            !contacts.contains(forbidden),
            "trubka-contacts depends on {forbidden}"
        );
    }
    let workspace: BTreeSet<&str> = contacts
        .iter()
        .filter(|d| d.starts_with("trubka"))
        .map(String::as_str)
        .collect();
    assert_eq!(workspace, set(&["trubka-core"]));
}

#[test]
fn only_the_relay_and_the_simulator_serve_http() {
    let servers = users(|d| matches!(d, "axum" | "hyper" | "tower-http" | "tokio-rustls"));
    assert!(
        servers.is_subset(&set(&["trubka-relay", "trubka-sim"])),
        "HTTP servers in {servers:?}"
    );
}

#[test]
fn only_the_relay_and_the_agent_engine_know_sql() {
    let sql = users(|d| d == "rusqlite");
    assert_eq!(sql, set(&["trubka-agent", "trubka-relay"]));
}

#[test]
fn only_the_desktop_shell_knows_tauri() {
    let tauri = users(|d| d == "tauri" || d.starts_with("tauri-"));
    assert_eq!(tauri, set(&["trubka"]));
}

#[test]
fn the_relay_and_the_agent_know_each_other_only_through_the_protocol() {
    let relay = dependencies("crates/trubka-relay");
    assert!(!relay.contains("trubka-agent") && !relay.contains("trubka-sim"));
    let agent = dependencies("crates/trubka-agent");
    for forbidden in ["trubka-relay", "trubka-pbx", "trubka-sim"] {
        assert!(
            !agent.contains(forbidden),
            "trubka-agent depends on {forbidden}"
        );
    }
}

/// Every `.rs` file below `folder`.
fn sources(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![folder.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn libraries_use_thiserror_and_only_binaries_anyhow() {
    for (name, folder) in CRATES {
        // The desktop shell is an application: its lib.rs is the app's body.
        if *name == "trubka" {
            continue;
        }
        let src = root().join(folder).join("src");
        for file in sources(&src) {
            let relative = file.strip_prefix(&src).unwrap();
            let binary = relative == Path::new("main.rs") || relative.starts_with("bin");
            let text = std::fs::read_to_string(&file).unwrap();
            assert!(
                binary || !text.contains("anyhow"),
                "{name}: {relative:?} is library code and uses anyhow"
            );
        }
        let uses_anyhow = dependencies(folder).contains("anyhow");
        let has_binary = src.join("main.rs").exists() || src.join("bin").exists();
        assert!(
            !uses_anyhow || has_binary,
            "{name} depends on anyhow but has no binary"
        );
    }
}

/// Every `.rs` file directly in a crate's `tests/` is a binary of its own that links the whole
/// crate; thirty of them took gigabytes of CI's disk. A crate's integration tests are one
/// binary, `tests/<name>/main.rs`, with a module per subject. (The desktop shell keeps two:
/// its keyring test reruns itself by name under a private D-Bus, and the other reads files.)
#[test]
fn each_crates_integration_tests_are_one_binary() {
    for (name, folder) in CRATES {
        let tests = root().join(folder).join("tests");
        let Ok(entries) = std::fs::read_dir(&tests) else {
            continue;
        };
        let mut binaries: Vec<String> = Vec::new();
        for entry in entries {
            let path = entry.unwrap().path();
            let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.extension().is_some_and(|e| e == "rs") {
                binaries.push(file_name);
            } else if path.join("main.rs").exists() {
                binaries.push(format!("{file_name}/main.rs"));
            }
        }
        binaries.sort();
        let allowed = if *name == "trubka" { 2 } else { 1 };
        assert!(
            binaries.len() <= allowed,
            "{name}: tests/ builds {} binaries ({binaries:?}); fold them into one \
             tests/<name>/main.rs with a module each",
            binaries.len()
        );
    }
}
