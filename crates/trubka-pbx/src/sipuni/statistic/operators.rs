//! `statistic/operators`: the cabinet's employees (internal numbers) and their presence, as
//! CSV — the one Sipuni method that lists the extensions a cabinet has.
//!
//! Sipuni's help page for it is not readable publicly; clients sign it with `user` only
//! (`hash = md5(user+secret)`) and read a `;`-separated CSV whose header is
//! `Login;Name;Status;Call state`, the login being the internal number. A cell that holds the
//! cabinet number before the extension (`064629201`, the way events spell internal numbers)
//! is matched too, by [`SipuniOperator::is_extension`].

use crate::Result;
use crate::sipuni::{SipuniClient, error_from_answer, plain_text_error};

/// One employee of the cabinet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipuniOperator {
    /// The internal number (the `Login` column).
    pub login: String,
    pub name: Option<String>,
    /// The presence the cabinet shows, as Sipuni words it.
    pub status: Option<String>,
}

impl SipuniOperator {
    /// Whether this operator is extension `ext` of cabinet `cabinet`.
    pub fn is_extension(&self, cabinet: &str, ext: &str) -> bool {
        let login = self.login.trim();
        let ext = ext.trim();
        !ext.is_empty()
            && (login == ext
                || login
                    .strip_prefix(cabinet.trim())
                    .is_some_and(|rest| rest == ext))
    }
}

impl SipuniClient {
    /// The cabinet's employees (`statistic/operators`).
    pub async fn operators(&self) -> Result<Vec<SipuniOperator>> {
        let answer = self.post("statistic/operators", &[]).await?;
        let body = answer
            .body
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&answer.body);
        // A refusal comes as JSON or plain text, never as the CSV.
        let looks_like_json = body.trim_ascii_start().starts_with(b"{");
        if !(200..300).contains(&answer.status)
            || looks_like_json
            || plain_text_error(body).is_some()
        {
            return Err(error_from_answer(&answer, "statistic/operators"));
        }
        parse_operators(body)
    }
}

/// Reads the CSV as the export is read (BOM, Windows-1251, `;`, quoted cells): the columns
/// are found by their header names, so extra or reordered columns do not matter; a body
/// without a `Login` column is not the operators list.
pub fn parse_operators(body: &[u8]) -> Result<Vec<SipuniOperator>> {
    let text = super::export::decode_text(body);
    let mut reader = super::export::csv_reader(&text);
    let header: Vec<String> = reader
        .headers()
        .map(|h| h.iter().map(str::to_ascii_lowercase).collect())
        .unwrap_or_default();
    let column = |name: &str| header.iter().position(|h| h == name);
    let Some(login) = column("login") else {
        return Err(crate::sipuni::bad(format!(
            "statistic/operators answered without a Login column: {}",
            crate::http::snippet(body)
        )));
    };
    let (name, status) = (column("name"), column("status"));
    let operators = reader
        .records()
        .filter_map(std::result::Result::ok)
        .map(|record| {
            let cell = |index: Option<usize>| {
                index
                    .and_then(|i| record.get(i))
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
            };
            SipuniOperator {
                login: cell(Some(login)).unwrap_or_default(),
                name: cell(name),
                status: cell(status),
            }
        })
        .filter(|operator| !operator.login.is_empty())
        .collect();
    Ok(operators)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_is_read_by_its_header() {
        let body = "\u{feff}Login;Name;Status;Call state\n201;Анна Смирнова;Свободен;\n\
                    064629202;\"Петров; Игорь\";Перерыв;Разговор\n";
        let operators = parse_operators(body.as_bytes()).unwrap();
        assert_eq!(operators.len(), 2);
        assert_eq!(operators[0].login, "201");
        assert_eq!(operators[0].name.as_deref(), Some("Анна Смирнова"));
        assert!(operators[0].is_extension("064629", "201"));
        assert!(operators[1].is_extension("064629", "202"));
        // A quoted name with the separator in it stays one cell.
        assert_eq!(operators[1].name.as_deref(), Some("Петров; Игорь"));
        assert!(!operators[1].is_extension("064629", "20"));
        assert!(!operators[0].is_extension("064629", ""));
    }

    #[test]
    fn a_body_without_login_is_not_the_list() {
        assert!(parse_operators(b"Something;Else\n1;2\n").is_err());
    }
}
