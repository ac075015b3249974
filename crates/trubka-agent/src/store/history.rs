//! Call history queries: filters, search by number (any format, or its last digits) or by
//! name, keyset paging. Every query shape is served by an index (see the schema and the
//! `EXPLAIN QUERY PLAN` test).

use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use trubka_core::Direction;

use super::{StoreError, calls::parse_view};
use crate::call_enums::column;
use crate::calls::CallView;

/// Which calls to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryFilter {
    #[default]
    All,
    /// Incoming calls (answered or not).
    In,
    /// Outgoing calls.
    Out,
    /// Incoming calls nobody answered.
    Missed,
}

/// What a search text was taken for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    /// A whole number: its E.164 form.
    Number { e164: String },
    /// A number without a valid form: its national digits (legacy, odd PBX text).
    National { digits: String },
    /// Trailing digits ("45-67"): reversed, for the suffix index.
    Suffix { reversed: String },
    /// Part of a name (contact or PBX-provided), at least 3 characters.
    Name { text: String },
}

/// Where a page ends: the (start time, row id) of its last call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryCursor {
    pub started_at: i64,
    pub id: i64,
}

/// One page of history, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryPage {
    pub calls: Vec<CallView>,
    /// Pass back as `before` for the next page; `None` on the last page.
    pub next: Option<HistoryCursor>,
}

/// Builds the SQL of a page query and its parameters.
pub fn page_sql(
    filter: HistoryFilter,
    search: Option<&Search>,
    before: Option<HistoryCursor>,
    limit: usize,
) -> (String, Vec<Value>) {
    let mut sql = String::from("SELECT c.id, c.started_at, c.view FROM calls c WHERE 1 = 1");
    let mut args: Vec<Value> = Vec::new();
    match filter {
        HistoryFilter::All => {}
        HistoryFilter::In | HistoryFilter::Out => {
            let direction = if filter == HistoryFilter::In {
                Direction::In
            } else {
                Direction::Out
            };
            sql.push_str(" AND c.direction = ?");
            args.push(Value::Text(column(direction).to_owned()));
        }
        HistoryFilter::Missed => sql.push_str(" AND c.missed = 1"),
    }
    match search {
        None => {}
        Some(Search::Number { e164 }) => {
            sql.push_str(" AND c.phone_e164 = ?");
            args.push(Value::Text(e164.clone()));
        }
        Some(Search::National { digits }) => {
            sql.push_str(" AND c.phone_national = ?");
            args.push(Value::Text(digits.clone()));
        }
        Some(Search::Suffix { reversed }) => {
            sql.push_str(" AND c.phone_rev >= ? AND c.phone_rev < ?");
            args.push(Value::Text(reversed.clone()));
            args.push(Value::Text(format!("{reversed}:")));
        }
        Some(Search::Name { text }) => {
            let phrase = super::contacts::fts_phrase(text);
            sql.push_str(
                " AND (c.phone_e164 IN (SELECT n.e164 FROM contact_names f
                        JOIN contact_numbers n ON n.contact_id = f.rowid
                        WHERE contact_names MATCH ? AND n.e164 IS NOT NULL)
                   OR c.phone_national IN (SELECT n.national FROM contact_names f
                        JOIN contact_numbers n ON n.contact_id = f.rowid
                        WHERE contact_names MATCH ? AND n.e164 IS NULL)
                   OR c.id IN (SELECT rowid FROM call_names WHERE call_names MATCH ?))",
            );
            args.push(Value::Text(format!("name : {phrase}")));
            args.push(Value::Text(format!("name : {phrase}")));
            args.push(Value::Text(phrase));
        }
    }
    if let Some(cursor) = before {
        sql.push_str(" AND (c.started_at, c.id) < (?, ?)");
        args.push(Value::Integer(cursor.started_at));
        args.push(Value::Integer(cursor.id));
    }
    sql.push_str(" ORDER BY c.started_at DESC, c.id DESC LIMIT ?");
    args.push(Value::Integer(limit as i64 + 1));
    (sql, args)
}

/// One page of history.
pub fn page(
    conn: &Connection,
    filter: HistoryFilter,
    search: Option<&Search>,
    before: Option<HistoryCursor>,
    limit: usize,
) -> Result<HistoryPage, StoreError> {
    let limit = limit.max(1);
    if let Some(Search::Name { text }) = search
        && text.chars().count() < 3
    {
        return Ok(HistoryPage {
            calls: Vec::new(),
            next: None,
        });
    }
    let (sql, args) = page_sql(filter, search, before, limit);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    let mut calls = Vec::new();
    let mut cursors = Vec::new();
    for row in rows {
        let (id, started_at, json) = row?;
        calls.push(parse_view(&json)?);
        cursors.push(HistoryCursor { started_at, id });
    }
    let next = if calls.len() > limit {
        calls.truncate(limit);
        cursors.get(limit - 1).copied()
    } else {
        None
    };
    Ok(HistoryPage { calls, next })
}
