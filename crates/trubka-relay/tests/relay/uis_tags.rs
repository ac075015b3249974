//! Tags of notes set on the call at UIS too (issue 13, item 3), against the real simulator:
//! the note is stored and answered while the UIS Data API is down, the tagging waits and
//! goes through when UIS is back (tags made by name, or found when the cabinet has them);
//! a key without the right to create tags keeps the tag waiting until the admin makes it in
//! the cabinet; Sipuni calls queue nothing. Retries are one second apart here
//! (`[cases] uis_tag_retry_secs = 1`).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use trubka_core::EventKind;
use trubka_pbx::{UisClient, UisConfig};
use trubka_relay::RelayConfig;
use trubka_relay::metrics::actions::TagOutcome;

use crate::common::{WAIT, read_json};
use crate::support::{ANNA_EXT, Pbx, anna, until_kind};

/// A TCP forwarder to the simulator's Data API that can be switched off: while off, every
/// connection is closed at once, as a PBX that cannot be reached.
struct Outage {
    up: Arc<AtomicBool>,
    target: Arc<OnceLock<SocketAddr>>,
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Outage {
    async fn start_down() -> Outage {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(false));
        let target: Arc<OnceLock<SocketAddr>> = Arc::new(OnceLock::new());
        let task = tokio::spawn({
            let up = Arc::clone(&up);
            let target = Arc::clone(&target);
            async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    let to = target.get().copied();
                    if !up.load(Ordering::SeqCst) {
                        drop(inbound);
                        continue;
                    }
                    let Some(to) = to else { continue };
                    tokio::spawn(async move {
                        if let Ok(mut outbound) = TcpStream::connect(to).await {
                            let _ =
                                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    });
                }
            }
        });
        Outage {
            up,
            target,
            addr,
            task,
        }
    }

    /// Points the relay's Data API at the forwarder, and the forwarder at the simulator.
    fn route(&self, config: &mut RelayConfig) {
        let url = url::Url::parse(&config.uis.data_api_url).unwrap();
        let sim = SocketAddr::new(
            url.host_str().unwrap().parse().unwrap(),
            url.port().unwrap(),
        );
        let _ = self.target.set(sim);
        config.uis.data_api_url = format!("http://{}{}", self.addr, url.path());
    }
}

fn quick_retries(config: &mut RelayConfig) {
    config.cases.uis_tag_retry_secs = 1;
}

/// Sets the admin's tags as `trubka-relay tags set` does.
fn set_tags(pbx: &Pbx, tags: &[&str]) {
    let config = RelayConfig {
        data_dir: pbx.config.data_dir.clone(),
        ..RelayConfig::default()
    };
    let command = trubka_relay::cli::TagsCommand::Set {
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    };
    trubka_relay::cli::tags(&config, &command, &mut Vec::new()).unwrap();
}

/// A call to Anna, over and stored at the relay.
async fn finished_call(pbx: &Pbx, token: &str, provider: &str) -> String {
    let mut stream = pbx.listen(token).await;
    let call_id = pbx
        .sim_call(json!({"provider": provider, "from": "+7 926 123-45-67",
                         "employee": ANNA_EXT, "ivr_seconds": 1, "ring_seconds": 1,
                         "talk_seconds": 30}))
        .await;
    until_kind(&mut stream, &call_id, EventKind::Ended).await;
    stream.close().await;
    call_id
}

async fn note(pbx: &Pbx, token: &str, call_id: &str, tags: &[&str]) -> (u16, Value) {
    let response = pbx
        .http
        .post(pbx.relay_url(&format!("/v1/calls/{call_id}/notes")))
        .bearer_auth(token)
        .json(&json!({"text": "Просит доставку на завтра", "tags": tags}))
        .send()
        .await
        .unwrap();
    read_json(response).await
}

/// Waits (bounded by [`WAIT`]) until the tagger's queue counts (pending, done, failed).
async fn until_counts(tagger: &trubka_relay::uis_tags::Tagger, want: (u64, u64, u64)) {
    let mut last = None;
    let reached = tokio::time::timeout(WAIT, async {
        loop {
            let now = tagger.counts().await.unwrap();
            if now == want {
                return;
            }
            last = Some(now);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(reached.is_ok(), "queue {last:?}, wanted {want:?}");
}

/// The UIS Data API as the cabinet sees it: straight at the simulator.
fn cabinet(pbx: &Pbx) -> UisClient {
    UisClient::new(UisConfig {
        call_api_url: pbx.config.uis.call_api_url.clone(),
        data_api_url: format!("http://{}/uis/dataapi/v2.0", pbx.sim_addr),
        access_token: crate::support::UIS_KEY.to_owned(),
        ..UisConfig::default()
    })
    .unwrap()
}

/// The names and types of the tags UIS reports on the call.
async fn reported_tags(pbx: &Pbx, call_id: &str) -> Vec<(String, String)> {
    let session: u64 = call_id.strip_prefix("uis:").unwrap().parse().unwrap();
    let local = chrono::Utc::now() + chrono::Duration::hours(3);
    let format = "%Y-%m-%d %H:%M:%S";
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "get.calls_report", "params": {
        "access_token": crate::support::UIS_KEY,
        "date_from": (local - chrono::Duration::hours(1)).format(format).to_string(),
        "date_till": (local + chrono::Duration::hours(1)).format(format).to_string(),
        "fields": ["id", "tags"],
        "filter": {"field": "id", "operator": "=", "value": session}}});
    let response = pbx
        .http
        .post(pbx.sim_url("/uis/dataapi/v2.0"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let (_, answer) = read_json(response).await;
    let row = &answer["result"]["data"][0];
    row["tags"]
        .as_array()
        .unwrap_or_else(|| panic!("a report row of {call_id}: {answer}"))
        .iter()
        .map(|t| {
            (
                t["tag_name"].as_str().unwrap().to_owned(),
                t["tag_type"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn methods(requests: &[Value], method: &str) -> usize {
    requests.iter().filter(|r| r["operation"] == method).count()
}

#[tokio::test]
async fn a_note_saved_while_uis_is_down_tags_the_call_when_it_is_back() {
    let outage = Outage::start_down().await;
    let pbx = Pbx::start(
        |config| {
            quick_retries(config);
            outage.route(config);
        },
        |_| {},
    )
    .await;
    let tagger = &pbx.tagger;
    let anna_token = pbx.agent("Анна", anna);
    set_tags(&pbx, &["Доставка", "Возврат", "Жалоба"]);
    let call_id = finished_call(&pbx, &anna_token, "uis").await;

    // UIS is unreachable: the note is stored and answered all the same.
    let (status, body) = note(&pbx, &anna_token, &call_id, &["Доставка", "Возврат"]).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["tags"], json!(["Доставка", "Возврат"]));
    let retried = tokio::time::timeout(WAIT, async {
        while pbx.metrics.actions.uis_tags(TagOutcome::Retried) < 2 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(retried.is_ok(), "the tagger tried while UIS was down");
    assert_eq!(tagger.counts().await.unwrap(), (2, 0, 0));
    assert!(reported_tags(&pbx, &call_id).await.is_empty());
    assert_eq!(
        methods(&pbx.sim_requests("uis_data_api").await, "get.tags"),
        0
    );

    // UIS is back: both tags are made by name and set on the call.
    outage.up.store(true, Ordering::SeqCst);
    until_counts(tagger, (0, 2, 0)).await;
    let mut reported = reported_tags(&pbx, &call_id).await;
    reported.sort();
    assert_eq!(
        reported,
        [
            ("Возврат".to_owned(), "manual".to_owned()),
            ("Доставка".to_owned(), "manual".to_owned())
        ]
    );
    let requests = pbx.sim_requests("uis_data_api").await;
    assert_eq!(methods(&requests, "create.tags"), 2);
    assert_eq!(methods(&requests, "set.tag_communications"), 2);

    // A tag the cabinet has already is found by name, not made; a tag set before is not sent
    // again; the known id of «Доставка» needs no lookup.
    let complaint = cabinet(&pbx).create_tag("Жалоба").await.unwrap();
    let (status, body) = note(&pbx, &anna_token, &call_id, &["Жалоба", "Доставка"]).await;
    assert_eq!(status, 201, "{body}");
    until_counts(tagger, (0, 3, 0)).await;
    let requests = pbx.sim_requests("uis_data_api").await;
    // Two made by the relay, one by the cabinet; a lookup for each of the three names.
    assert_eq!(methods(&requests, "create.tags"), 3);
    assert_eq!(methods(&requests, "get.tags"), 3);
    let set = requests
        .iter()
        .rfind(|r| r["operation"] == "set.tag_communications")
        .unwrap();
    assert_eq!(set["params"]["params"]["tag_id"], json!(complaint));
    assert_eq!(set["params"]["params"]["communication_type"], "call");
    assert_eq!(reported_tags(&pbx, &call_id).await.len(), 3);

    let metrics = pbx
        .http
        .get(pbx.relay_url("/metrics"))
        .send()
        .await
        .unwrap();
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains("trubka_relay_uis_tags_total{outcome=\"tagged\"} 3\n"),
        "{text}"
    );
    outage.task.abort();
    pbx.stop().await;
}

#[tokio::test]
async fn a_key_without_the_right_to_make_tags_waits_for_the_admin_and_sipuni_queues_nothing() {
    let pbx = Pbx::start(quick_retries, |sim| {
        sim.uis.forbidden_methods = vec!["create.tags".to_owned()];
    })
    .await;
    let tagger = &pbx.tagger;
    let anna_token = pbx.agent("Анна", anna);
    set_tags(&pbx, &["Доставка"]);

    let sipuni_call = finished_call(&pbx, &anna_token, "sipuni").await;
    let (status, _) = note(&pbx, &anna_token, &sipuni_call, &["Доставка"]).await;
    assert_eq!(status, 201);
    assert_eq!(tagger.counts().await.unwrap(), (0, 0, 0));

    let call_id = finished_call(&pbx, &anna_token, "uis").await;
    let (status, body) = note(&pbx, &anna_token, &call_id, &["Доставка"]).await;
    assert_eq!(status, 201, "{body}");
    // Refused `forbidden` (the admin can give the key the right): asked again, a second later,
    // and the tag still waits rather than being given up.
    let refused = tokio::time::timeout(WAIT, async {
        loop {
            let requests = pbx.sim_requests("uis_data_api").await;
            let create: Vec<&Value> = requests
                .iter()
                .filter(|r| r["operation"] == "create.tags")
                .collect();
            if create.len() >= 2 {
                return create
                    .iter()
                    .map(|r| r["outcome"].clone())
                    .collect::<Vec<_>>();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("create.tags was asked twice");
    assert!(refused.iter().all(|o| o != "ok"), "{refused:?}");
    assert_eq!(tagger.counts().await.unwrap(), (1, 0, 0));
    assert_eq!(pbx.metrics.actions.uis_tags(TagOutcome::Failed), 0);
    assert!(reported_tags(&pbx, &call_id).await.is_empty());
    pbx.stop().await;
}
