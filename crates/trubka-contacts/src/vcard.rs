//! vCard 3.0/4.0 import and export: FN, N, TEL (with types), ORG, EMAIL, TITLE, NOTE, folded
//! lines and escapes. Extra fields travel as `X-TRUBKA-FIELD;NAME=key:value`.

use std::collections::BTreeMap;

use super::import_csv::{BadRow, BadRowReason, ParsedFile, RowWarning, decode};
use super::{Contact, ContactDraft, ContactError, PhoneEntry};
use crate::numbers::NumberParser;

/// Whether the text looks like a vCard file.
pub fn is_vcard(bytes: &[u8]) -> bool {
    let (text, _) = decode(&bytes[..bytes.len().min(4096)]);
    text.trim_start()
        .to_ascii_uppercase()
        .starts_with("BEGIN:VCARD")
}

/// Joins folded lines (a line starting with a space or tab continues the previous one) and
/// keeps the 1-based line number each logical line starts on.
fn unfold(text: &str) -> Vec<(u64, String)> {
    let mut out: Vec<(u64, String)> = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        match (line.strip_prefix([' ', '\t']), out.last_mut()) {
            (Some(rest), Some((_, last))) => last.push_str(rest),
            _ => out.push((index as u64 + 1, line.to_owned())),
        }
    }
    out
}

/// One content line: `[group.]NAME;PARAM=V;…:value`.
struct Property {
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

fn parse_property(line: &str) -> Option<Property> {
    let mut quoted = false;
    let colon = line.char_indices().find(|&(_, c)| {
        if c == '"' {
            quoted = !quoted;
        }
        c == ':' && !quoted
    })?;
    let (head, value) = (&line[..colon.0], &line[colon.0 + 1..]);
    let mut parts = head.split(';');
    let name = parts
        .next()?
        .rsplit('.')
        .next()?
        .trim()
        .to_ascii_uppercase();
    let params = parts
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (
                k.trim().to_ascii_uppercase(),
                v.trim().trim_matches('"').to_owned(),
            ),
            None => ("TYPE".to_owned(), p.trim().to_owned()),
        })
        .collect();
    Some(Property {
        name,
        params,
        value: value.to_owned(),
    })
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits a structured value (N, ORG) on unescaped `;`.
fn components(value: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in value.chars() {
        match (escaped, c) {
            (false, '\\') => escaped = true,
            (false, ';') => parts.push(String::new()),
            (true, _) => {
                parts.last_mut().expect("never empty").push('\\');
                parts.last_mut().expect("never empty").push(c);
                escaped = false;
            }
            (false, _) => parts.last_mut().expect("never empty").push(c),
        }
    }
    parts
        .iter()
        .map(|p| unescape(p).trim().to_owned())
        .collect()
}

fn tel_label(params: &[(String, String)]) -> Option<String> {
    params
        .iter()
        .filter(|(k, _)| k == "TYPE")
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .find(|t| {
            !matches!(
                t.to_lowercase().as_str(),
                "voice" | "pref" | "internet" | "text" | ""
            )
        })
        .map(|t| match t.to_lowercase().as_str() {
            "cell" => "mobile".to_owned(),
            "work" | "home" | "fax" | "pager" | "video" => t.to_lowercase(),
            _ => t.to_owned(),
        })
}

/// Reads every vCard in the file.
pub fn parse(bytes: &[u8], parser: &NumberParser) -> ParsedFile {
    let (text, encoding) = decode(bytes);
    let mut out = ParsedFile {
        encoding,
        delimiter: ':',
        ..ParsedFile::default()
    };
    let mut current: Option<(u64, Vec<Property>)> = None;
    for (line, content) in unfold(&text) {
        if content.trim().is_empty() {
            continue;
        }
        let Some(prop) = parse_property(&content) else {
            continue;
        };
        match (
            prop.name.as_str(),
            prop.value.trim().to_ascii_uppercase().as_str(),
        ) {
            ("BEGIN", "VCARD") => current = Some((line, Vec::new())),
            ("END", "VCARD") => {
                if let Some((start, props)) = current.take() {
                    card_to_contact(start, props, parser, &mut out);
                }
            }
            _ => {
                if let Some((_, props)) = current.as_mut() {
                    props.push(prop);
                }
            }
        }
    }
    out
}

fn card_to_contact(line: u64, props: Vec<Property>, parser: &NumberParser, out: &mut ParsedFile) {
    let mut draft = ContactDraft::default();
    let mut structured_name = None;
    let mut fields = BTreeMap::new();
    for prop in props {
        let text = unescape(&prop.value).trim().to_owned();
        match prop.name.as_str() {
            "FN" if draft.name.is_empty() => draft.name = text,
            "N" => {
                let parts = components(&prop.value);
                let get = |i: usize| parts.get(i).map(String::as_str).unwrap_or("");
                let joined = [get(0), get(1), get(2)]
                    .into_iter()
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                structured_name = Some(joined);
            }
            "TEL" => {
                let raw = text.strip_prefix("tel:").unwrap_or(&text).to_owned();
                if parser.keys(&raw).is_err() {
                    out.bad_rows.push(BadRow {
                        line,
                        reason: BadRowReason::BadNumber { value: raw },
                    });
                    return;
                }
                draft.phones.push(PhoneEntry {
                    raw,
                    label: tel_label(&prop.params),
                });
            }
            "ORG" if draft.company.is_none() => {
                draft.company = components(&prop.value).into_iter().find(|p| !p.is_empty());
            }
            "EMAIL" if draft.email.is_none() => draft.email = Some(text),
            "EMAIL" => {
                fields.insert(format!("email {}", fields.len() + 2), text);
            }
            "TITLE" if draft.position.is_none() => draft.position = Some(text),
            "NOTE" if draft.notes.is_none() => draft.notes = Some(text),
            "X-TRUBKA-FIELD" => {
                if let Some((_, key)) = prop.params.iter().find(|(k, _)| k == "NAME") {
                    fields.insert(key.clone(), text);
                }
            }
            _ => {}
        }
    }
    if draft.name.is_empty() {
        draft.name = structured_name.unwrap_or_default();
    }
    // A contact saved without a name is written with its number as FN (FN is mandatory).
    if draft.phones.iter().any(|p| p.raw == draft.name) {
        draft.name.clear();
    }
    draft.fields = fields;
    match draft.prepare(parser) {
        Ok(prepared) => {
            for n in prepared.numbers.iter().filter(|n| n.e164.is_none()) {
                out.warnings.push(RowWarning {
                    line,
                    message: format!("номер «{}» сохранён без кода страны", n.raw),
                });
            }
            out.contacts.push((line, prepared));
        }
        Err(ContactError::Empty) => out.bad_rows.push(BadRow {
            line,
            reason: BadRowReason::NoNameNoNumber,
        }),
        Err(ContactError::BadNumber(e)) => out.bad_rows.push(BadRow {
            line,
            reason: BadRowReason::BadNumber {
                value: e.to_string(),
            },
        }),
    }
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace(',', "\\,")
        .replace(';', "\\;")
}

/// Folds a content line at 75 octets without splitting a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn tel_type(label: Option<&str>) -> String {
    match label {
        None => "VOICE".to_owned(),
        Some("mobile") => "CELL".to_owned(),
        Some(other) => other.replace([';', ':', ',', '"'], " "),
    }
}

/// Writes `contacts` as vCard 3.0.
pub fn write(contacts: &[Contact]) -> String {
    let mut out = String::new();
    for c in contacts {
        let mut lines = vec!["BEGIN:VCARD".to_owned(), "VERSION:3.0".to_owned()];
        lines.push(format!("FN:{}", escape(c.display_name())));
        lines.push(format!("N:{};;;;", escape(&c.name)));
        for n in c.phones() {
            lines.push(format!(
                "TEL;TYPE={}:{}",
                tel_type(n.label.as_deref()),
                escape(&n.raw)
            ));
        }
        if let Some(v) = &c.company {
            lines.push(format!("ORG:{}", escape(v)));
        }
        if let Some(v) = &c.email {
            lines.push(format!("EMAIL;TYPE=INTERNET:{}", escape(v)));
        }
        if let Some(v) = &c.position {
            lines.push(format!("TITLE:{}", escape(v)));
        }
        if let Some(v) = &c.notes {
            lines.push(format!("NOTE:{}", escape(v)));
        }
        for (k, v) in &c.fields {
            let key = k.replace([';', ':', '"'], " ");
            lines.push(format!("X-TRUBKA-FIELD;NAME=\"{key}\":{}", escape(v)));
        }
        lines.push("END:VCARD".to_owned());
        for line in lines {
            fold(&line, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_lines_and_escapes() {
        let lines = unfold("NOTE:a\r\n  b\r\nFN:x");
        assert_eq!(
            lines,
            vec![(1, "NOTE:a b".to_owned()), (3, "FN:x".to_owned())]
        );
        assert_eq!(
            components(r"Петров;Иван;Иванович\;x;"),
            vec!["Петров", "Иван", "Иванович;x", ""]
        );
        let mut folded = String::new();
        fold(&"Ж".repeat(50), &mut folded);
        assert!(folded.split("\r\n").all(|l| l.len() <= 76), "{folded}");
    }
}
