//! Reading a setup guide as the walkthrough test needs it: the code blocks an admin runs, in
//! order (each marked `<!-- walkthrough -->` on the line before its fence), and the phrases the
//! troubleshooting table promises `check` prints.

use std::path::Path;

/// The marker on the line before a block the walkthrough runs.
pub(crate) const MARK: &str = "<!-- walkthrough -->";

/// A code block of the guide: its fence's language (`toml`, or empty for commands) and text.
#[derive(Debug)]
pub(crate) struct Block {
    pub(crate) lang: String,
    pub(crate) text: String,
}

/// `docs/<name>`.
pub(crate) fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The marked blocks of `guide`, in order.
pub(crate) fn blocks(guide: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines = guide.lines();
    while let Some(line) = lines.next() {
        if line.trim() != MARK {
            continue;
        }
        let fence = lines.next().unwrap_or_default().trim();
        assert!(
            fence.starts_with("```"),
            "{MARK} must stand right before a code block, not before {fence:?}"
        );
        let mut text = String::new();
        for line in lines.by_ref() {
            if line.trim() == "```" {
                break;
            }
            text.push_str(line);
            text.push('\n');
        }
        blocks.push(Block {
            lang: fence.trim_start_matches('`').to_owned(),
            text,
        });
    }
    blocks
}

/// What the troubleshooting row whose first column names `key` with a ✗ promises `check`
/// prints: the «…» phrases (outermost guillemets) after the ✗, up to a `;`. Phrases joined by
/// «или»/«or» are alternatives: one of them is enough. A phrase with «…» in it (a value the
/// guide cannot know, like the relay's address) is split there into the pieces around it.
pub(crate) fn promised(guide: &str, key: &str) -> Vec<Vec<String>> {
    let row = guide
        .lines()
        .filter(|line| line.starts_with('|'))
        .map(|line| line.split('|').nth(1).unwrap_or_default())
        .find(|cell| cell.contains('✗') && cell.contains(key))
        .unwrap_or_else(|| panic!("no troubleshooting row with ✗ and {key:?}"));
    let after = &row[row.find('✗').unwrap()..];
    let said = after.split(';').next().unwrap_or_default();
    let mut alternatives = Vec::new();
    for alternative in said.split(" или ").flat_map(|a| a.split(" or ")) {
        let mut pieces = Vec::new();
        for phrase in guillemets(alternative) {
            pieces.extend(
                phrase
                    .split('…')
                    .map(|p| p.trim_matches(|c: char| c.is_whitespace() || ":—,".contains(c)))
                    .filter(|p| p.chars().any(char::is_alphanumeric))
                    .map(str::to_owned),
            );
        }
        if !pieces.is_empty() {
            alternatives.push(pieces);
        }
    }
    assert!(
        !alternatives.is_empty(),
        "the row {row:?} quotes no message"
    );
    alternatives
}

/// The outermost «…» phrases of `text`, nested guillemets kept inside.
fn guillemets(text: &str) -> Vec<&str> {
    let mut phrases = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (at, c) in text.char_indices() {
        match c {
            '«' => {
                if depth == 0 {
                    start = at + c.len_utf8();
                }
                depth += 1;
            }
            '»' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    phrases.push(&text[start..at]);
                }
            }
            _ => {}
        }
    }
    phrases
}

#[test]
fn a_rows_phrases_are_read_with_nested_quotes_ellipses_and_alternatives() {
    let guide = "| что видно | что сделать |\n|---|---|\n\
                 | ✗ «опция «Call API Базовый набор» не подключена» | подключите |\n\
                 | ✗ «UIS не принимает запросы с IP-адреса релея …» | добавьте |\n\
                 | ✗ «Услуга» не подключена; оператору: «другое» | включите |\n\
                 | ✗ «Уведомление «…» …: адрес не этого релея» или «не токен» | вставьте |\n";
    assert_eq!(
        promised(guide, "Call API Базовый"),
        [["опция «Call API Базовый набор» не подключена"]]
    );
    assert_eq!(
        promised(guide, "IP-адреса"),
        [["UIS не принимает запросы с IP-адреса релея"]]
    );
    assert_eq!(promised(guide, "Услуга"), [["Услуга"]]);
    assert_eq!(
        promised(guide, "не токен"),
        vec![
            vec![
                "Уведомление «".to_owned(),
                "адрес не этого релея".to_owned()
            ],
            vec!["не токен".to_owned()],
        ]
    );
}
