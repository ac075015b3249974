//! ARCHITECTURE.md's invariant «only `src-tauri/src/platform/linux` knows the app runs on
//! Linux», checked on the source tree: no other file of the shell or the engine names the
//! Linux-only crates, D-Bus services or `target_os`; the crates that only Linux uses are
//! dependencies of Linux alone; and the «Platforms» section of ARCHITECTURE.md names every
//! platform trait and every file of the Linux implementation, so a port's list stays whole.

use std::path::{Path, PathBuf};

/// What only the Linux implementation may name: its crates, its services and the means of
/// telling the systems apart.
const LINUX_ONLY: [&str; 9] = [
    "zbus",
    "notify_rust",
    "webkit2gtk",
    "org.freedesktop",
    "LinuxClipboardKind",
    "with_related_view",
    "register_all",
    "xdg-mime",
    "target_os",
];

/// Crates the app uses on Linux only.
const LINUX_CRATES: [&str; 3] = ["zbus", "notify-rust", "webkit2gtk"];

const LINUX_TABLE: &str = "[target.'cfg(target_os = \"linux\")'.dependencies]";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// `(file, line number, token)` for each Linux-only token outside `platform/`.
fn leaks(files: &[PathBuf], platform: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(platform)) {
        let text = std::fs::read_to_string(file).expect("a source file");
        for (n, line) in text.lines().enumerate() {
            for token in LINUX_ONLY.iter().filter(|t| line.contains(*t)) {
                found.push(format!("{}:{}: {token}", file.display(), n + 1));
            }
        }
    }
    found
}

#[test]
fn only_the_platform_module_knows_linux() {
    let root = repo();
    let platform = root.join("src-tauri/src/platform");
    let mut files = Vec::new();
    rust_files(&root.join("src-tauri/src"), &mut files);
    rust_files(&root.join("crates/trubka-agent/src"), &mut files);
    assert!(files.len() > 30, "the tree was not found: {files:?}");
    let found = leaks(&files, &platform);
    assert!(
        found.is_empty(),
        "Linux-only names outside src-tauri/src/platform (give them a platform trait):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_a_leak() {
    let dir = tempfile::tempdir().expect("tempdir");
    let platform = dir.path().join("platform");
    std::fs::create_dir(&platform).expect("mkdir");
    let inside = platform.join("wake.rs");
    let outside = dir.path().join("wake.rs");
    std::fs::write(&inside, "use zbus::Connection;\n").expect("write");
    std::fs::write(&outside, "// fine\nlet c = zbus::Connection::system();\n").expect("write");
    let found = leaks(&[inside, outside.clone()], &platform);
    assert_eq!(found, [format!("{}:2: zbus", outside.display())]);
}

#[test]
fn linux_crates_are_linux_dependencies() {
    let manifest =
        std::fs::read_to_string(repo().join("src-tauri/Cargo.toml")).expect("Cargo.toml");
    let mut table = "";
    let mut seen = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            table = line;
            continue;
        }
        let name = line.split(['=', '.', ' ']).next().unwrap_or_default();
        if LINUX_CRATES.contains(&name) {
            assert_eq!(
                table, LINUX_TABLE,
                "{name} is a dependency outside Linux's table"
            );
            seen.push(name);
        }
    }
    seen.sort_unstable();
    let mut expected = LINUX_CRATES.to_vec();
    expected.sort_unstable();
    assert_eq!(seen, expected, "each Linux-only crate is declared once");
}

#[test]
fn architecture_names_every_platform_piece() {
    let root = repo();
    let architecture =
        std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let section = architecture
        .split("\n## Platforms")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("ARCHITECTURE.md has a «Platforms» section");
    let traits = std::fs::read_to_string(root.join("src-tauri/src/platform/mod.rs"))
        .expect("platform/mod.rs");
    let names: Vec<&str> = traits
        .lines()
        .filter_map(|l| l.strip_prefix("pub trait "))
        .filter_map(|l| l.split([' ', '{', ':']).next())
        .collect();
    assert!(names.len() >= 5, "platform traits: {names:?}");
    let mut files = Vec::new();
    rust_files(&root.join("src-tauri/src/platform/linux"), &mut files);
    let files: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_name()?.to_str().map(str::to_owned))
        .filter(|f| f != "mod.rs")
        .map(|f| format!("platform/linux/{f}"))
        .collect();
    for name in names
        .iter()
        .map(|n| format!("`{n}`"))
        .chain(files.iter().map(|f| format!("`{f}`")))
    {
        assert!(section.contains(&name), "«Platforms» does not name {name}");
    }
}
