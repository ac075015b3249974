//! Every `trubka-relay` and `trubka-cli` line of the README and the guides goes through the
//! program's own argument parser.

use std::process::{Command, Stdio};

use clap::Parser;

use super::guide;

/// Every `trubka-relay` and `trubka-cli` line in the README and the guides, marked or not
/// (the README's cheat sheets, `manager set`, …), is accepted by the program's own argument
/// parser: a renamed subcommand or flag fails here rather than at an admin's prompt. bash
/// reads each line (quotes, continuations, comments); the README's `a | b | c` shorthand for
/// several `trubka-cli` commands is read as that.
#[test]
fn every_command_in_the_readme_and_guides_parses() {
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("calls");
    let mut seen = 0;
    for name in [
        "../README.md",
        "setup-uis.md",
        "setup-uis.en.md",
        "setup-sipuni.md",
        "setup-sipuni.en.md",
    ] {
        for line in command_lines(&guide::read(name)) {
            let script = format!(
                "record() {{ printf '%s\\0' \"$@\" >> {calls:?}; printf '\\n' >> {calls:?}; }}\n\
                 trubka-relay() {{ record trubka-relay \"$@\"; }}\n\
                 trubka-cli() {{ record trubka-cli \"$@\"; }}\n\
                 sudo() {{ \"$@\"; }}\n{line}",
                calls = calls.display().to_string()
            );
            let _ = std::fs::remove_file(&calls);
            let output = Command::new("bash")
                .args(["-euo", "pipefail", "-c", &script])
                .stdin(Stdio::null())
                .output()
                .unwrap();
            assert!(output.status.success(), "{name}: {line}: {output:?}");
            let recorded = std::fs::read_to_string(&calls).unwrap_or_default();
            for call in recorded.lines() {
                let argv: Vec<&str> = call.split('\0').filter(|a| !a.is_empty()).collect();
                let parsed = match argv[0] {
                    "trubka-relay" => trubka_relay::cli::Cli::try_parse_from(&argv)
                        .map(drop)
                        .map_err(|e| e.to_string()),
                    _ => trubka_agent::cli::Cli::try_parse_from(&argv)
                        .map(drop)
                        .map_err(|e| e.to_string()),
                };
                if let Err(error) = parsed {
                    panic!("{name}: {line}\n{error}");
                }
                seen += 1;
            }
        }
    }
    // The README's and the four guides' commands: far more than a handful.
    assert!(seen >= 40, "only {seen} commands found");
}

/// The lines of the code blocks of `text` that run `trubka-relay` or `trubka-cli` (after an
/// optional `sudo`), with `\` continuations joined and `a | b` shorthands spelled out.
fn command_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_code = false;
    let mut pending = String::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code {
            continue;
        }
        if !pending.is_empty() {
            pending.push(' ');
            pending.push_str(line.trim_end_matches('\\'));
            if !line.ends_with('\\') {
                lines.push(std::mem::take(&mut pending));
            }
            continue;
        }
        let program = line.strip_prefix("sudo ").unwrap_or(line);
        if !(program.starts_with("trubka-relay ") || program.starts_with("trubka-cli ")) {
            continue;
        }
        if line.ends_with('\\') {
            pending = line.trim_end_matches('\\').to_owned();
        } else if program.starts_with("trubka-cli ") && line.contains(" | ") {
            // «history --missed | followups | …»: each piece is a trubka-cli command.
            let mut pieces = line.split(" | ");
            lines.push(pieces.next().unwrap().to_owned());
            lines.extend(pieces.map(|piece| format!("trubka-cli {piece}")));
        } else {
            lines.push(line.to_owned());
        }
    }
    lines
}
