//! Reconciliation against the real PBX simulator: each kind of gap the webhooks leave (no end,
//! no notification at all for a missed call, no recording) is filled from the history APIs
//! as ordinary events with the webhook ids, and nothing is stored twice, whether the webhook
//! comes first or the history does. After a long outage the first run reaches back to before
//! it. Accounts outside Moscow reconcile the same, their local times read in their zone.

use std::collections::{HashMap, HashSet};

use serde_json::json;
use trubka_core::{CallEvent, EventKind, Outcome};
use trubka_relay::NewAgent;

use crate::support::{ANNA_EXT, ANNA_UIS, Pbx, UIS_HOOK, until_kind};
use trubka_sim::BackfillConfig;

/// Every notification kind: a call that drops them all reaches the relay only through history.
const EVERY_NOTIFICATION: [&str; 6] = [
    "started",
    "ringing",
    "answered",
    "leg_ended",
    "ended",
    "recording",
];

/// A relay whose PBXs' history holds two days of calls it never heard of (it was down).
async fn relay_with_two_days_of_unheard_calls() -> Pbx {
    Pbx::start(
        |relay| relay.reconcile.window_secs = 3600,
        |sim| {
            sim.backfill = Some(BackfillConfig {
                uis_calls: 4,
                sipuni_calls: 3,
                days: 2,
            })
        },
    )
    .await
}

fn anna(new: &mut NewAgent) {
    new.uis_employee = Some(ANNA_UIS.to_owned());
    new.sipuni_ext = Some(ANNA_EXT.to_owned());
}

fn supervisor(new: &mut NewAgent) {
    new.supervisor = true;
}

/// (kind, discriminator) of every event of `call_id`, to compare logs.
fn facts(events: &[CallEvent], call_id: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.call_id.0 == call_id)
        .map(|e| e.id.0.clone())
        .collect()
}

/// How many events of each kind the call has.
fn kinds(events: &[CallEvent], call_id: &str) -> HashMap<EventKind, usize> {
    let mut counts = HashMap::new();
    for event in events.iter().filter(|e| e.call_id.0 == call_id) {
        *counts.entry(event.kind).or_insert(0) += 1;
    }
    counts
}

#[tokio::test]
async fn complete_webhooks_leave_nothing_to_add() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    let boss = pbx.agent("Мария", supervisor);
    let mut stream = pbx.listen(&boss).await;
    let answered = pbx
        .sim_call(json!({"provider": "uis", "employee": ANNA_UIS}))
        .await;
    until_kind(&mut stream, &answered, EventKind::Recording).await;
    let missed = pbx
        .sim_call(json!({"provider": "uis", "employee": ANNA_UIS, "outcome": "missed"}))
        .await;
    pbx.delivered(&missed, "Потерянный звонок").await;
    let sipuni = pbx
        .sim_call(json!({"provider": "sipuni", "employee": ANNA_EXT}))
        .await;
    until_kind(&mut stream, &sipuni, EventKind::Recording).await;
    let before = pbx.all_events(&boss).await;

    let report = pbx.reconciler.run_once().await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.rows >= 3, "{report:?}");
    assert_eq!(report.ids, Vec::<String>::new(), "webhooks said it all");
    assert_eq!(pbx.all_events(&boss).await.len(), before.len());
    pbx.stop().await;
}

#[tokio::test]
async fn a_uis_call_that_never_got_its_end_gets_it_from_the_report() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    let token = pbx.agent("Анна", anna);
    let mut stream = pbx.listen(&token).await;
    let call = pbx
        .sim_call(json!({"provider": "uis", "employee": ANNA_UIS, "drop_notifications": ["ended"]}))
        .await;
    let seen = until_kind(&mut stream, &call, EventKind::Recording).await;
    assert!(seen.iter().all(|e| e.kind != EventKind::Ended));

    let report = pbx.reconciler.run_once().await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.ids, vec![format!("{call}:ended:call")]);
    let ended = crate::support::next_of(&mut stream, &call).await;
    assert_eq!(ended.kind, EventKind::Ended);
    assert_eq!(ended.outcome, Some(Outcome::Answered));
    assert_eq!(
        ended.employee.as_ref().unwrap().id.as_deref(),
        Some(ANNA_UIS)
    );
    assert!(ended.durations.talk.unwrap() > 0);
    let raw: serde_json::Value = serde_json::from_str(&ended.raw).unwrap();
    assert_eq!(raw["source"], "get.calls_report", "raw is the history row");

    let again = pbx.reconciler.run_once().await;
    assert!(again.ids.is_empty(), "{:?}", again.ids);
    assert!(
        pbx.metrics
            .reconcile_events
            .load(std::sync::atomic::Ordering::Relaxed)
            == 1
    );
    pbx.stop().await;
}

#[tokio::test]
async fn a_missed_uis_call_nobody_was_notified_of_reaches_the_employee_and_the_line() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    let anna_token = pbx.agent("Анна", anna);
    let watcher = pbx.agent("Линия", |new| new.lines = vec![crate::common::line()]);
    let mut anna_stream = pbx.listen(&anna_token).await;
    let mut line_stream = pbx.listen(&watcher).await;
    let call = pbx
        .sim_call(
            json!({"provider": "uis", "employee": ANNA_UIS, "outcome": "missed",
                         "from": "+7 926 123-45-67", "drop_notifications": EVERY_NOTIFICATION}),
        )
        .await;
    let deliveries = pbx.delivered(&call, "Потерянный звонок").await;
    assert!(
        deliveries.iter().all(|d| d["attempts"] == 0),
        "{deliveries:?}"
    );

    let report = pbx.reconciler.run_once().await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(
        report.ids,
        vec![format!("{call}:started:call"), format!("{call}:ended:call")]
    );
    let ended = crate::support::next_of(&mut anna_stream, &call).await;
    assert_eq!(ended.kind, EventKind::Ended);
    assert_eq!(ended.outcome, Some(Outcome::Missed));
    assert_eq!(ended.contact.phone.as_ref().unwrap().e164(), "+79261234567");
    let started = crate::support::next_of(&mut line_stream, &call).await;
    assert_eq!(started.kind, EventKind::Started);
    assert_eq!(started.line.as_deref(), Some(crate::common::LINE));
    let ended = crate::support::next_of(&mut line_stream, &call).await;
    assert_eq!(ended.kind, EventKind::Ended);
    assert!(pbx.reconciler.run_once().await.ids.is_empty());
    pbx.stop().await;
}

#[tokio::test]
async fn a_uis_recording_that_never_arrived_is_linked_from_the_report() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    let token = pbx.agent("Анна", anna);
    let mut stream = pbx.listen(&token).await;
    let call = pbx
        .sim_call(
            json!({"provider": "uis", "employee": ANNA_UIS, "shape": "nested",
                         "drop_notifications": ["recording"]}),
        )
        .await;
    let seen = until_kind(&mut stream, &call, EventKind::Ended).await;
    pbx.delivered(&call, "Записанный разговор").await;
    assert!(seen.iter().all(|e| e.kind != EventKind::Recording));

    let report = pbx.reconciler.run_once().await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.ids.len(), 1, "{:?}", report.ids);
    assert!(report.ids[0].starts_with(&format!("{call}:recording:h")));
    let recording = crate::support::next_of(&mut stream, &call).await;
    assert_eq!(recording.kind, EventKind::Recording);
    let link = &recording.recordings[0];
    assert!(
        link.starts_with(&pbx.sim_url("/system/media/talk/")),
        "{link}"
    );
    let audio = pbx.http.get(link).send().await.unwrap();
    assert_eq!(audio.status().as_u16(), 200, "the link plays");
    assert!(pbx.reconciler.run_once().await.ids.is_empty());
    pbx.stop().await;
}

#[tokio::test]
async fn a_sipuni_call_without_its_hangup_gets_the_end_and_the_recording_from_the_export() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    let token = pbx.agent("Анна", anna);
    let mut stream = pbx.listen(&token).await;
    let call = pbx
        .sim_call(
            json!({"provider": "sipuni", "employee": ANNA_EXT, "drop_notifications": ["ended"]}),
        )
        .await;
    until_kind(&mut stream, &call, EventKind::Answered).await;
    pbx.delivered(&call, "event 2").await;

    let report = pbx.reconciler.run_once().await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.ids.len(), 2, "{:?}", report.ids);
    assert_eq!(report.ids[0], format!("{call}:ended:call"));
    assert!(report.ids[1].starts_with(&format!("{call}:recording:h")));
    let ended = crate::support::next_of(&mut stream, &call).await;
    assert_eq!(ended.outcome, Some(Outcome::Answered));
    assert_eq!(
        ended.employee.as_ref().unwrap().extension.as_deref(),
        Some(ANNA_EXT)
    );
    let raw: serde_json::Value = serde_json::from_str(&ended.raw).unwrap();
    assert_eq!(raw["source"], "statistic/export");
    let recording = crate::support::next_of(&mut stream, &call).await;
    assert_eq!(recording.kind, EventKind::Recording);
    // The link is the one Sipuni itself serves (and signs) for the call.
    let audio = pbx.http.get(&recording.recordings[0]).send().await.unwrap();
    assert_eq!(audio.status().as_u16(), 200, "{}", recording.recordings[0]);
    assert!(pbx.reconciler.run_once().await.ids.is_empty());
    pbx.stop().await;
}

#[tokio::test]
async fn a_missed_sipuni_call_is_matched_to_its_webhooks_or_stands_alone() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    let token = pbx.agent("Анна", anna);
    let boss = pbx.agent("Мария", supervisor);
    let mut stream = pbx.listen(&token).await;
    // Event 1 arrived, event 2 did not: the export row (no «ID записи» for a missed call) is
    // matched to the call by its start and the caller.
    let rang = pbx
        .sim_call(
            json!({"provider": "sipuni", "employee": ANNA_EXT, "outcome": "missed",
                         "from": "+7 916 111-22-33", "drop_notifications": ["ended"]}),
        )
        .await;
    until_kind(&mut stream, &rang, EventKind::Ringing).await;
    pbx.delivered(&rang, "event 2").await;
    // Nothing arrived at all: the call gets an id of its own.
    let silent = pbx
        .sim_call(
            json!({"provider": "sipuni", "employee": ANNA_EXT, "outcome": "missed",
                         "from": "+7 903 555-12-12",
                         "drop_notifications": ["started", "ringing", "ended"]}),
        )
        .await;
    pbx.delivered(&silent, "event 2").await;

    let report = pbx.reconciler.run_once().await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(
        report.ids.contains(&format!("{rang}:ended:call")),
        "{:?}",
        report.ids
    );
    let own: Vec<&String> = report
        .ids
        .iter()
        .filter(|id| id.contains(".trubka-"))
        .collect();
    assert_eq!(
        own.len(),
        2,
        "started and ended of the silent call: {:?}",
        report.ids
    );
    assert_eq!(report.ids.len(), 3, "{:?}", report.ids);

    let ended = crate::support::next_of(&mut stream, &rang).await;
    assert_eq!(ended.outcome, Some(Outcome::Missed));
    let events = pbx.all_events(&boss).await;
    let alone: Vec<&CallEvent> = events
        .iter()
        .filter(|e| e.call_id.0.contains(".trubka-"))
        .collect();
    assert_eq!(alone[1].outcome, Some(Outcome::Missed));
    assert_eq!(
        alone[1].contact.phone.as_ref().unwrap().e164(),
        "+79035551212"
    );
    assert_eq!(
        alone[1].employee.as_ref().unwrap().extension.as_deref(),
        Some(ANNA_EXT),
        "the employee rung sees it"
    );
    assert!(pbx.reconciler.run_once().await.ids.is_empty());
    pbx.stop().await;
}

#[tokio::test]
async fn a_call_from_a_hidden_number_reaches_history_whichever_way_sipuni_reads_anonymous() {
    for hides in [false, true] {
        let pbx = Pbx::start(|_| {}, |sim| sim.sipuni.anonymous_hides = hides).await;
        let boss = pbx.agent("Мария", supervisor);
        // No webhook at all: only the export knows the call.
        let call = pbx
            .sim_call(
                json!({"provider": "sipuni", "employee": ANNA_EXT, "outcome": "missed",
                       "from": "anonymous",
                       "drop_notifications": ["started", "ringing", "ended"]}),
            )
            .await;
        pbx.delivered(&call, "event 2").await;
        let report = pbx.reconciler.run_once().await;
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.ids.len(), 2, "hides={hides}: {:?}", report.ids);
        let events = pbx.all_events(&boss).await;
        let ended = events
            .iter()
            .find(|e| e.call_id.0.contains(".trubka-") && e.outcome.is_some())
            .unwrap_or_else(|| panic!("hides={hides}: no ended event in {events:?}"));
        assert_eq!(ended.outcome, Some(Outcome::Missed));
        assert!(ended.contact.phone.is_none(), "{:?}", ended.contact);
        // Asked both ways, the call is stored once.
        assert!(pbx.reconciler.run_once().await.ids.is_empty());
        pbx.stop().await;
    }
}

/// History first, webhooks later: the relay reconciles while the simulator's webhooks wait
/// in its backlog; when it starts serving they arrive, and none repeats a stored fact.
#[tokio::test]
async fn history_first_then_webhooks_stores_each_fact_once() {
    let mut pbx = Pbx::start_paused(|_| {}, |_| {}).await;
    let boss = pbx.agent("Мария", supervisor);
    let uis_answered = pbx
        .sim_call(json!({"provider": "uis", "employee": ANNA_UIS}))
        .await;
    let uis_missed = pbx
        .sim_call(json!({"provider": "uis", "employee": ANNA_UIS, "outcome": "missed"}))
        .await;
    let sipuni_answered = pbx
        .sim_call(json!({"provider": "sipuni", "employee": ANNA_EXT}))
        .await;
    let report = pbx.reconciler.run_once().await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    for call in [&uis_answered, &uis_missed, &sipuni_answered] {
        assert!(
            report.ids.contains(&format!("{call}:ended:call")),
            "{call}: {:?}",
            report.ids
        );
    }
    assert_eq!(
        report
            .ids
            .iter()
            .filter(|id| id.contains(":recording:"))
            .count(),
        2,
        "{:?}",
        report.ids
    );

    pbx.serve();
    pbx.delivered(&uis_answered, "Записанный разговор").await;
    pbx.delivered(&uis_missed, "Потерянный звонок").await;
    pbx.delivered(&sipuni_answered, "event 2").await;
    // Every webhook was answered (stored or known) once delivered.
    let events = pbx.all_events(&boss).await;
    for call in [&uis_answered, &uis_missed, &sipuni_answered] {
        let counts = kinds(&events, call);
        assert_eq!(
            counts.get(&EventKind::Ended),
            Some(&1),
            "{call}: {:?}",
            facts(&events, call)
        );
        assert!(
            counts.get(&EventKind::Started).copied().unwrap_or(0) <= 1,
            "{call}"
        );
        assert!(
            counts.get(&EventKind::Recording).copied().unwrap_or(0) <= 1,
            "{call}"
        );
        assert!(
            counts.get(&EventKind::LegEnded).copied().unwrap_or(0) <= 1,
            "{call}"
        );
    }
    assert_eq!(
        kinds(&events, &uis_answered).get(&EventKind::Recording),
        Some(&1)
    );
    assert_eq!(
        kinds(&events, &sipuni_answered).get(&EventKind::Recording),
        Some(&1)
    );
    let duplicates = pbx
        .metrics
        .events_duplicate
        .load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        duplicates >= 6,
        "late webhooks were recognised: {duplicates}"
    );
    assert!(pbx.reconciler.run_once().await.ids.is_empty());
    pbx.stop().await;
}

#[tokio::test]
async fn after_a_long_outage_the_first_run_reaches_back_to_before_it() {
    let pbx = relay_with_two_days_of_unheard_calls().await;
    // The last thing it heard before going down, three days ago.
    let hook = pbx.relay_url(&format!("/hooks/uis/{UIS_HOOK}"));
    let posted = pbx
        .http
        .post(hook)
        .json(&crate::common::uis_started(1))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status().as_u16(), 200);
    let three_days_ago = chrono::Utc::now() - chrono::TimeDelta::days(3);
    let db = rusqlite::Connection::open(pbx.config.database_path()).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    db.execute(
        "UPDATE events SET received_at = ?1",
        [three_days_ago.timestamp_millis()],
    )
    .unwrap();
    drop(db);

    let report = pbx.reconciler.run_once().await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let calls: HashSet<&str> = report
        .ids
        .iter()
        .filter_map(|id| id.rsplitn(3, ':').nth(2))
        .collect();
    assert_eq!(calls.len(), 7, "every call of the outage: {:?}", report.ids);
    assert!(
        calls.iter().filter(|c| c.starts_with("uis:")).count() == 4,
        "{calls:?}"
    );
    // Caught up: the next run looks the usual hour back and finds nothing new.
    assert!(pbx.reconciler.run_once().await.ids.is_empty());
    pbx.stop().await;
}

#[tokio::test]
async fn a_fresh_relay_does_not_import_old_history_as_news() {
    let pbx = relay_with_two_days_of_unheard_calls().await;
    let report = pbx.reconciler.run_once().await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // Back-filled calls ended at least an hour ago: outside the window of a relay that has
    // never heard anything.
    assert!(report.ids.is_empty(), "{:?}", report.ids);
    pbx.stop().await;
}

#[tokio::test]
async fn accounts_outside_moscow_reconcile_in_their_own_time_zone() {
    // Both accounts in Yekaterinburg (UTC+5), and the relay told so.
    let zone = chrono::FixedOffset::east_opt(5 * 3600).unwrap();
    let pbx = Pbx::start(
        |relay| {
            relay.uis.utc_offset = zone;
            relay.sipuni.utc_offset = zone;
        },
        |sim| {
            sim.uis.utc_offset = zone;
            sim.sipuni.utc_offset = zone;
        },
    )
    .await;
    let boss = pbx.agent("Мария", supervisor);
    let mut stream = pbx.listen(&boss).await;

    // Complete webhooks: the history adds nothing, so each call was recognised.
    let answered = pbx
        .sim_call(json!({"provider": "uis", "employee": ANNA_UIS}))
        .await;
    until_kind(&mut stream, &answered, EventKind::Recording).await;
    let sipuni = pbx
        .sim_call(json!({"provider": "sipuni", "employee": ANNA_EXT}))
        .await;
    until_kind(&mut stream, &sipuni, EventKind::Recording).await;
    let report = pbx.reconciler.run_once().await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.rows >= 2, "{report:?}");
    assert_eq!(report.ids, Vec::<String>::new(), "webhooks said it all");

    // A UIS call nobody was notified of and a Sipuni call without its hang-up: found in the
    // last minutes of local time, and stored at the right instant.
    let missed = pbx
        .sim_call(
            json!({"provider": "uis", "employee": ANNA_UIS, "outcome": "missed",
                         "drop_notifications": EVERY_NOTIFICATION}),
        )
        .await;
    pbx.delivered(&missed, "Потерянный звонок").await;
    let unended = pbx
        .sim_call(
            json!({"provider": "sipuni", "employee": ANNA_EXT, "drop_notifications": ["ended"]}),
        )
        .await;
    until_kind(&mut stream, &unended, EventKind::Answered).await;
    pbx.delivered(&unended, "event 2").await;
    let report = pbx.reconciler.run_once().await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(
        report.ids.contains(&format!("{missed}:ended:call")),
        "{:?}",
        report.ids
    );
    assert!(
        report.ids.contains(&format!("{unended}:ended:call")),
        "{:?}",
        report.ids
    );
    let now = chrono::Utc::now();
    for call in [&missed, &unended] {
        let events = until_kind(&mut stream, call, EventKind::Ended).await;
        let ended = events.last().unwrap();
        let off = (now - ended.at).num_minutes().abs();
        assert!(
            off < 10,
            "{call} ended {off} minutes away from now: {}",
            ended.at
        );
    }
    pbx.stop().await;
}
