//! Store benchmark (not a test): fills a profile with N contacts and N calls, then measures
//! number lookup and history page latency through the engine façade (what the desktop app
//! calls), the CSV import rate, the desktop's side of a first team directory sync (pages of
//! 5,000 decoded from JSON and applied, as the sync does), and memory.
//!
//! `cargo run --release -p trubka-agent --bin trubka-agent-bench -- [--contacts N] [--calls N]
//!  [--import N] [--directory N] [--dir DIR]`

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use trubka_agent::Engine;
use trubka_agent::contacts::{ContactDraft, PhoneEntry};
use trubka_agent::engine::HistoryRequest;
use trubka_agent::numbers::NumberParser;
use trubka_agent::profile::Profile;
use trubka_agent::store::calls::{LiveCalls, apply_event_in};
use trubka_agent::store::history::{HistoryCursor, HistoryFilter};
use trubka_agent::store::{contacts, directory, open_connection};
use trubka_core::{
    CallEvent, CallId, Contact, Direction, Durations, Employee, EventKind, Outcome, PhoneNumber,
    Provider,
};
use trubka_protocol::directory::{ContactFields, DirectoryContact, DirectoryPage, WirePhone};

#[derive(Clone)]
struct Args {
    contacts: usize,
    calls: usize,
    import: usize,
    directory: usize,
    dir: Option<PathBuf>,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        contacts: 1_000_000,
        calls: 1_000_000,
        import: 100_000,
        directory: 1_000_000,
        dir: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--contacts" => a.contacts = value.parse()?,
            "--calls" => a.calls = value.parse()?,
            "--import" => a.import = value.parse()?,
            "--directory" => a.directory = value.parse()?,
            "--dir" => a.dir = Some(PathBuf::from(value)),
            other => anyhow::bail!("unknown option {other}"),
        }
    }
    Ok(a)
}

/// The `i`-th generated mobile number, `+79XXXXXXXXX`.
fn number(i: usize) -> String {
    format!("+79{:09}", (i * 7_919) % 1_000_000_000)
}

fn pct(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    samples[((samples.len() as f64 * p).ceil() as usize)
        .saturating_sub(1)
        .min(samples.len() - 1)]
}

fn report(name: &str, samples: &mut [Duration]) {
    println!(
        "{name}: n={} p50={:.3} ms p99={:.3} ms max={:.3} ms",
        samples.len(),
        pct(samples, 0.50).as_secs_f64() * 1e3,
        pct(samples, 0.99).as_secs_f64() * 1e3,
        pct(samples, 1.0).as_secs_f64() * 1e3
    );
}

fn rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .filter(|l| l.starts_with("VmRSS") || l.starts_with("VmHWM"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join(", ")
}

fn call_event(i: usize, phone: &str, rng: &mut StdRng) -> CallEvent {
    let id = CallId::new(Provider::Uis, &i.to_string());
    let at = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()
        + chrono::Duration::seconds(i as i64 * 30);
    let answered = rng.random_bool(0.7);
    let direction = if rng.random_bool(0.75) {
        Direction::In
    } else {
        Direction::Out
    };
    CallEvent {
        id: id.event_id(EventKind::Ended, "0"),
        call_id: id,
        provider: Provider::Uis,
        kind: EventKind::Ended,
        direction,
        at,
        contact: Contact {
            phone: PhoneNumber::from_e164(phone),
            raw: phone[1..].to_owned(),
            name: None,
        },
        line: Some("+74951234567".into()),
        employee: Some(Employee {
            id: Some("100".into()),
            name: Some("Анна".into()),
            extension: None,
            phone: None,
        }),
        outcome: Some(if answered {
            Outcome::Answered
        } else {
            Outcome::Missed
        }),
        durations: Durations {
            wait: Some(5),
            talk: Some(if answered { 60 } else { 0 }),
            total: Some(65),
        },
        recordings: vec![],
        scenario: None,
        tags: vec![],
        raw: "{}".into(),
    }
}

fn fill(path: &Path, args: &Args) -> anyhow::Result<()> {
    let parser = NumberParser::default();
    let mut conn = open_connection(path)?;
    let started = Instant::now();
    for chunk in (0..args.contacts).collect::<Vec<_>>().chunks(10_000) {
        let tx = conn.transaction()?;
        for &i in chunk {
            let mut phones = vec![PhoneEntry::new(number(i))];
            if i % 4 == 0 {
                phones.push(PhoneEntry::new(format!(
                    "8 (812) {:03}-{:02}-{:02}",
                    i % 1000,
                    i % 100,
                    (i / 100) % 100
                )));
            }
            let draft = ContactDraft {
                name: format!("Контакт {i}"),
                company: (i % 3 == 0).then(|| format!("ООО Компания {}", i % 5000)),
                phones,
                ..ContactDraft::default()
            };
            contacts::insert(&tx, &draft.prepare(&parser)?, 0)?;
        }
        tx.commit()?;
    }
    println!(
        "filled {} contacts in {:.1} s",
        args.contacts,
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(7);
    // Live events commit one by one; the fill shares a commit per 10,000 calls, which writes
    // the same rows (the same fold and follow-up work per event) in a fraction of the time.
    let mut live = LiveCalls::default();
    for chunk in (0..args.calls).collect::<Vec<_>>().chunks(10_000) {
        let tx = conn.transaction()?;
        for &i in chunk {
            let phone = if rng.random_bool(0.6) {
                number(rng.random_range(0..args.contacts.max(1)))
            } else {
                number(args.contacts + rng.random_range(0..args.calls.max(1)))
            };
            let event = call_event(i, &phone, &mut rng);
            apply_event_in(&tx, &parser, &mut live, &event, None, 0)?;
        }
        tx.commit()?;
    }
    println!(
        "filled {} calls in {:.1} s",
        args.calls,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn write_csv(path: &Path, n: usize) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    out.write_all("\u{feff}ФИО;Телефон;Мобильный;Компания;E-mail;Город\n".as_bytes())?;
    for i in 0..n {
        writeln!(
            out,
            "Импорт {i};8 (495) {:03}-{:02}-{:02};{};ООО Импорт {};user{i}@example.ru;Москва",
            i % 1000,
            (i / 1000) % 100,
            (i / 100_000) % 100,
            number(5_000_000 + i),
            i % 100
        )?;
    }
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let temp = tempfile_dir()?;
    let root = args.dir.clone().unwrap_or_else(|| temp.clone());
    let profile = Profile::at(root.join("bench-profile"))?;
    let db = profile.database_path();
    if !db.exists() {
        let (path, a) = (db.clone(), args.clone());
        tokio::task::spawn_blocking(move || fill(&path, &a)).await??;
    }
    let engine = Engine::open(profile).await?;
    println!(
        "store: {:.0} MiB",
        std::fs::metadata(&db)?.len() as f64 / 1048576.0
    );

    let mut rng = StdRng::seed_from_u64(11);
    let mut lookups = Vec::with_capacity(20_000);
    let mut found = 0;
    for k in 0..20_000 {
        let i = rng.random_range(0..args.contacts * 2);
        let typed = if k % 2 == 0 {
            number(i)
        } else {
            format!("8 {}", &number(i)[2..])
        };
        let t = Instant::now();
        let lookup = engine.find_contacts(&typed).await?;
        lookups.push(t.elapsed());
        found += usize::from(!lookup.matches.is_empty());
    }
    report(
        "number lookup (engine.find_contacts, half known)",
        &mut lookups,
    );
    println!("  matched {found} of {}", lookups.len());

    // The same lookups on a connection of this thread: the SQL alone, without the hop to the
    // store thread and back (which is what a loaded machine's scheduler adds to the tail).
    let direct = open_connection(&db)?;
    let parser = NumberParser::default();
    let mut sql_only = Vec::with_capacity(20_000);
    for k in 0..20_000 {
        let i = rng.random_range(0..args.contacts * 2);
        let typed = if k % 2 == 0 {
            number(i)
        } else {
            format!("8 {}", &number(i)[2..])
        };
        let t = Instant::now();
        let keys = parser.keys(&typed)?;
        std::hint::black_box(trubka_agent::contacts::matching::find(&direct, &keys)?);
        sql_only.push(t.elapsed());
    }
    drop(direct);
    report(
        "number lookup (matching::find on a direct connection)",
        &mut sql_only,
    );

    let mut pages = Vec::with_capacity(4_000);
    let newest = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp_millis()
        + args.calls as i64 * 30_000;
    for k in 0..4_000 {
        let filter = [
            HistoryFilter::All,
            HistoryFilter::Missed,
            HistoryFilter::In,
            HistoryFilter::Out,
        ][k % 4];
        let before = (k % 8 >= 4).then(|| HistoryCursor {
            started_at: rng.random_range(0..newest.max(1)),
            id: i64::MAX,
        });
        let search = (k % 16 == 15).then(|| number(rng.random_range(0..args.contacts.max(1))));
        let t = Instant::now();
        let page = engine
            .history(HistoryRequest {
                filter,
                search,
                before,
                limit: 50,
            })
            .await?;
        pages.push(t.elapsed());
        std::hint::black_box(page);
    }
    report(
        "history page of 50 (engine.history, filters, deep cursors, number search)",
        &mut pages,
    );

    let import_dir = root.join("bench-import");
    let _ = std::fs::remove_dir_all(&import_dir);
    let csv = root.join("bench-import.csv");
    write_csv(&csv, args.import)?;
    let importer = Engine::open(Profile::at(&import_dir)?).await?;
    let t = Instant::now();
    let imported = importer.import_contacts(&csv).await?;
    let took = t.elapsed().as_secs_f64();
    println!(
        "import: {} contacts from CSV in {took:.2} s ({:.0} contacts/s), bad rows {}",
        imported.imported,
        imported.imported as f64 / took,
        imported.bad_rows.len()
    );
    let synced = root.join("bench-directory");
    let _ = std::fs::remove_dir_all(&synced);
    std::fs::create_dir_all(&synced)?;
    let n = args.directory;
    let path = synced.join("agent.sqlite");
    tokio::task::spawn_blocking(move || first_sync(&path, n)).await??;
    println!("memory: {}", rss());
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&temp);
    }
    Ok(())
}

/// Page `k` of a directory of `n` team contacts as the relay sends it (JSON).
fn directory_page(k: usize, n: usize) -> anyhow::Result<String> {
    const PAGE: usize = trubka_agent::engine::directory::PAGE;
    let first = k * PAGE;
    let contacts = (first..(first + PAGE).min(n))
        .map(|i| DirectoryContact {
            id: i as i64 + 1,
            version: i as u64 + 1,
            deleted: false,
            fields: ContactFields {
                name: format!("Клиент {i}"),
                company: (i % 3 == 0).then(|| format!("ООО Компания {}", i % 5000)),
                phones: vec![WirePhone {
                    raw: number(10_000_000 + i),
                    label: None,
                }],
                crm_url: (i % 2 == 0).then(|| format!("https://crm.example.com/c/{i}")),
                ..ContactFields::default()
            },
            updated_by: Some("import".into()),
            updated_at: Some("2026-12-07T06:00:00Z".into()),
        })
        .collect();
    let page = DirectoryPage {
        version: n as u64,
        contacts,
        more: first + PAGE < n,
    };
    Ok(serde_json::to_string(&page)?)
}

/// The desktop's side of a first sync of `n` team contacts into an empty store: each page
/// decoded and applied in its own transaction (`store::directory::apply_page`), as the sync
/// does on the store thread; then lookups of the synced numbers.
fn first_sync(path: &Path, n: usize) -> anyhow::Result<()> {
    let parser = NumberParser::default();
    let mut conn = open_connection(path)?;
    let pages = n.div_ceil(trubka_agent::engine::directory::PAGE);
    let bodies: Vec<String> = (0..pages)
        .map(|k| directory_page(k, n))
        .collect::<anyhow::Result<_>>()?;
    let started = Instant::now();
    let mut version = 0;
    for body in &bodies {
        let page: DirectoryPage = serde_json::from_str(body)?;
        version = directory::apply_page(&mut conn, &parser, &page, 0)?.version;
    }
    let took = started.elapsed().as_secs_f64();
    println!(
        "first directory sync: {} team contacts in {pages} pages, decoded and applied in \
         {took:.1} s ({:.0} contacts/s), version {version}",
        directory::team_count(&conn)?,
        n as f64 / took,
    );
    let mut rng = StdRng::seed_from_u64(13);
    let mut lookups = Vec::with_capacity(20_000);
    for _ in 0..20_000 {
        let keys = parser.keys(&number(10_000_000 + rng.random_range(0..n.max(1))))?;
        let t = Instant::now();
        std::hint::black_box(trubka_agent::contacts::matching::find(&conn, &keys)?);
        lookups.push(t.elapsed());
    }
    report("team contact lookup after the sync (SQL)", &mut lookups);
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("trubka-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
