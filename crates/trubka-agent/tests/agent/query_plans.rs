//! Every statement the store runs is served by an index: runs a workload over the store
//! functions with SQLite tracing on, then checks `EXPLAIN QUERY PLAN` of each statement.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use rusqlite::trace::{TraceEvent, TraceEventCodes};
use trubka_agent::contacts::{ContactDraft, PhoneEntry, matching};
use trubka_agent::followups;
use trubka_agent::numbers::NumberParser;
use trubka_agent::store::history::{HistoryCursor, HistoryFilter, Search, page};
use trubka_agent::store::{self, calls, contacts};

#[test]
fn every_query_uses_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = store::open_connection(&dir.path().join("t.sqlite3")).unwrap();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = Arc::clone(&seen);
    conn.trace_v2(
        TraceEventCodes::SQLITE_TRACE_STMT,
        Some(move |event: TraceEvent<'_>| {
            if let TraceEvent::Stmt(stmt, _) = event
                && let Some(sql) = stmt.expanded_sql()
            {
                sink.lock().unwrap().push(sql);
            }
        }),
    )
    .unwrap();

    let parser = NumberParser::default();
    let draft = ContactDraft {
        name: "Иван Петров".into(),
        phones: vec![
            PhoneEntry::new("8 (812) 123-45-67"),
            PhoneEntry::new("123-45-67"),
        ],
        fields: [("Доп".to_owned(), "+7 916 000-11-22".to_owned())].into(),
        ..ContactDraft::default()
    };
    let prepared = draft.prepare(&parser).unwrap();
    let id = contacts::insert(&conn, &prepared, 1).unwrap();
    contacts::update(&conn, id, &prepared, 2).unwrap();
    contacts::find_same(&conn, "Иван Петров", &["+78121234567"]).unwrap();
    contacts::search(&conn, "Петров", 10).unwrap();
    contacts::ids_after(&conn, 0, 10).unwrap();
    let keys = parser.keys("+78121234567").unwrap();
    matching::find(&conn, &keys).unwrap();
    matching::best_name(&conn, &keys).unwrap();

    let mut live = calls::LiveCalls::default();
    let call = crate::common::Call::incoming("1", "+78121234567").named("Иван");
    let back = crate::common::Call::outgoing("2", "+78121234567");
    for event in call
        .missed(1)
        .into_iter()
        .chain(back.talked(2, crate::common::anna()))
    {
        calls::apply_event(&mut conn, &parser, &mut live, &event, None, 3).unwrap();
    }
    calls::apply_event(
        &mut conn,
        &parser,
        &mut live,
        &call.recording(crate::common::at(3, 0), "https://r/1.mp3"),
        None,
        4,
    )
    .unwrap();
    calls::recent_with(&conn, "+78121234567", "uis:1", 5).unwrap();
    calls::unfinished(&conn, 0).unwrap();
    calls::recordings_of(&conn, "uis:1").unwrap();
    followups::close_by_hand(&conn, "+78121234567", 5).unwrap();
    followups::badge(&conn).unwrap();
    store::followups::list(&conn, true, 10).unwrap();
    store::followups::list(&conn, false, 10).unwrap();
    let searches = [
        None,
        Some(Search::Number {
            e164: "+78121234567".into(),
        }),
        Some(Search::National {
            digits: "8121234567".into(),
        }),
        Some(Search::Suffix {
            reversed: "7654".into(),
        }),
        Some(Search::Name {
            text: "Петров".into(),
        }),
    ];
    for filter in [
        HistoryFilter::All,
        HistoryFilter::In,
        HistoryFilter::Out,
        HistoryFilter::Missed,
    ] {
        for search in &searches {
            for before in [
                None,
                Some(HistoryCursor {
                    started_at: i64::MAX,
                    id: 1,
                }),
            ] {
                page(&conn, filter, search.as_ref(), before, 20).unwrap();
            }
        }
    }
    let team = trubka_protocol::directory::DirectoryContact {
        id: 7,
        version: 2,
        deleted: false,
        fields: trubka_protocol::directory::ContactFields::from_draft(draft.clone(), None),
        updated_by: Some("Борис".into()),
        updated_at: None,
    };
    let page = trubka_protocol::directory::DirectoryPage {
        version: 2,
        contacts: vec![team],
        more: false,
    };
    store::directory::apply_page(&mut conn, &parser, &page, 6).unwrap();
    let team_id = store::directory::local_id(&conn, 7).unwrap().unwrap();
    store::directory::meta(&conn, team_id).unwrap();
    store::directory::version(&conn).unwrap();
    store::directory::team_count(&conn).unwrap();
    store::directory::remember_crm(&conn, "+78121234567", &[], 7).unwrap();
    store::directory::crm_for(&conn, "+78121234567", 7).unwrap();
    contacts::delete(&conn, id).unwrap();

    let mut statements: BTreeSet<String> = seen.lock().unwrap().drain(..).collect();
    // The detector itself must see a full scan: this probe is expected in `bad`.
    let probe = "SELECT view FROM calls WHERE pbx_name = 'Иван'".to_owned();
    statements.insert(probe.clone());
    let mut bad = Vec::new();
    let mut checked = 0;
    for sql in &statements {
        // FTS5 reads its own one-row settings table when it (re)connects to a full-text
        // index, as it does after a migration altered the schema: SQLite's statement, not ours.
        if sql.starts_with("SELECT k, v FROM 'main'.'") && sql.ends_with("_config'") {
            continue;
        }
        let head = sql.trim_start().to_ascii_uppercase();
        if !["SELECT", "UPDATE", "DELETE", "INSERT"]
            .iter()
            .any(|k| head.starts_with(k))
        {
            continue;
        }
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let details: Vec<String> = stmt
            .query_map([], |row| row.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        checked += 1;
        for detail in details {
            let full_scan = detail.starts_with("SCAN ")
                && !detail.contains("USING")
                && !detail.contains("VIRTUAL TABLE");
            if full_scan {
                bad.push(format!("{detail}  ←  {sql}"));
            }
        }
    }
    assert!(checked > 30, "only {checked} statements traced");
    assert!(
        bad.iter().any(|b| b.ends_with(&probe)),
        "the probe was not flagged: {bad:?}"
    );
    bad.retain(|b| !b.ends_with(&probe));
    assert!(
        bad.is_empty(),
        "statements without an index:\n{}",
        bad.join("\n")
    );
}
