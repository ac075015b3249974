//! The PBX side: realistic notifications posted over keep-alive HTTP with fixed concurrency.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use clap::ValueEnum;
use tokio::task::JoinSet;
use trubka_relay::NewAgent;

/// Which PBX's notifications to post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Provider {
    Uis,
    Sipuni,
}

/// Nanoseconds since the run started, shared by the webhook senders (and the load bench's
/// stream readers).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock(Instant);

impl Clock {
    pub(crate) fn start() -> Clock {
        Clock(Instant::now())
    }

    pub(crate) fn now(self) -> u64 {
        self.0.elapsed().as_nanos() as u64
    }
}

/// The UIS employee id the webhooks address agent `agent` by.
pub(crate) fn uis_employee(agent: usize) -> String {
    (2_339_000 + agent).to_string()
}

/// The Sipuni extension the webhooks address agent `agent` by.
pub(crate) fn sipuni_ext(agent: usize) -> String {
    (1000 + agent).to_string()
}

/// Agent `agent` as the relay must know it for the webhooks addressed to it to reach it.
pub(crate) fn addressed_agent(agent: usize) -> NewAgent {
    NewAgent {
        name: format!("agent-{agent:04}"),
        uis_employee: Some(uis_employee(agent)),
        sipuni_ext: Some(sipuni_ext(agent)),
        ..NewAgent::default()
    }
}

/// UIS call session ids start here, so ids look like real ones.
pub(crate) const UIS_SESSION_BASE: usize = 1_000_000;

/// Send time and POST→200 duration of each webhook, in clock nanos.
pub(crate) struct Sent {
    pub(crate) at: Vec<AtomicU64>,
    pub(crate) acknowledged_after: Vec<AtomicU64>,
    pub(crate) failures: AtomicU64,
}

/// The caller of webhook `i` when each webhook is a new number (`7926…`, without the `+`).
pub(crate) fn new_number(i: usize) -> String {
    format!("7926{:07}", i % 10_000_000)
}

/// The body of webhook `i` from `number`, addressed to agent `agent`.
fn payload(provider: Provider, i: usize, agent: usize, number: &str) -> (String, &'static str) {
    match provider {
        Provider::Uis => {
            let session = UIS_SESSION_BASE + i;
            let body = serde_json::json!({
                "notification_name": "Ожидание ответа",
                "notification_time": "2026-05-12 10:17:02.215000",
                "call_session_id": session,
                "virtual_phone_number": "74951234567",
                "contact_phone_number": number,
                "contact_full_name": "Иван Петров",
                "employee_id": uis_employee(agent),
                "employee_full_name": format!("Сотрудник {agent}"),
                "call_source": "va",
                "direction": "in",
                "leg_id": i,
            });
            (body.to_string(), "application/json")
        }
        Provider::Sipuni => {
            let ext = sipuni_ext(agent);
            let body = serde_urlencoded::to_string([
                ("event", "1".to_owned()),
                ("call_id", format!("1774372584.{i}")),
                ("src_type", "1".to_owned()),
                ("src_num", number.to_owned()),
                ("dst_type", "2".to_owned()),
                ("dst_num", format!("070196{ext}")),
                ("short_dst_num", ext),
                ("pbxdstnum", "74951234567".to_owned()),
                ("timestamp", "1774372584".to_owned()),
                ("treeName", "Входящая".to_owned()),
                ("treeNumber", "000-1734442".to_owned()),
                ("channel", format!("SIP/070196100003-{i:08x}")),
                ("user_id", "070196".to_owned()),
            ])
            .expect("form encodes");
            (body, "application/x-www-form-urlencoded")
        }
    }
}

/// How webhooks are paced.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pace {
    /// Webhooks in flight at most.
    pub(crate) concurrency: usize,
    /// Webhooks per second offered (open loop), or as fast as answered (closed loop).
    pub(crate) rate: Option<f64>,
}

/// Posts `count` webhooks, webhook `i` from `number(i)`; returns when all were answered.
///
/// With a rate, webhook `i` is due at `i / rate` and its times are counted from when it was
/// due, not from when a worker got to send it: a relay that falls behind shows its backlog in
/// the latency instead of quietly slowing the generator down (coordinated omission).
pub(crate) async fn post_all(
    provider: Provider,
    url: &str,
    count: usize,
    agents: usize,
    pace: Pace,
    clock: Clock,
    number: fn(usize) -> String,
) -> Arc<Sent> {
    let concurrency = pace.concurrency;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .expect("client");
    let sent = Arc::new(Sent {
        at: (0..count).map(|_| AtomicU64::new(0)).collect(),
        acknowledged_after: (0..count).map(|_| AtomicU64::new(0)).collect(),
        failures: AtomicU64::new(0),
    });
    let next = Arc::new(AtomicUsize::new(0));
    let first = clock.now();
    let mut workers = JoinSet::new();
    for _ in 0..concurrency {
        let (http, url, sent, next) = (
            http.clone(),
            url.to_owned(),
            Arc::clone(&sent),
            Arc::clone(&next),
        );
        workers.spawn(async move {
            // Each worker takes the next index until all `count` are taken.
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let (body, content_type) = payload(provider, i, i % agents, &number(i));
                let started = match pace.rate {
                    Some(rate) => {
                        let due = (i as f64 / rate * 1e9) as u64 + first;
                        let now = clock.now();
                        if due > now {
                            tokio::time::sleep(std::time::Duration::from_nanos(due - now)).await;
                        }
                        due
                    }
                    None => clock.now(),
                };
                sent.at[i].store(started, Ordering::Relaxed);
                let response = http
                    .post(&url)
                    .header("content-type", content_type)
                    .body(body)
                    .send()
                    .await;
                match response {
                    Ok(response) if response.status().is_success() => {
                        sent.acknowledged_after[i].store(clock.now() - started, Ordering::Relaxed);
                        // Read the (tiny) body so the connection goes back to the pool.
                        let _ = response.bytes().await;
                    }
                    _ => {
                        sent.failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        });
    }
    while let Some(worker) = workers.join_next().await {
        worker.expect("worker task");
    }
    sent
}
