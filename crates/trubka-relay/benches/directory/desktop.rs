//! Desktops: real `trubka_agent` engines, each on its own profile folder (its own SQLite file
//! and store thread), signed in to the relay with an agent's token.

use std::path::Path;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use trubka_agent::Engine;
use trubka_agent::engine::directory::DirectoryStatus;
use trubka_agent::numbers::NumberParser;
use trubka_agent::profile::Profile;
use trubka_agent::relay_client::ConnectionStatus;
use trubka_agent::store::{directory, open_connection};
use trubka_protocol::directory::DirectoryPage;

use crate::people;

/// An engine on a new profile in `dir`, signed in to `base` with `token`, stream not started.
///
/// With `holds`, the profile is first marked as holding the directory up to that version
/// (an empty page of that version applied, as the sync applies pages), so that the engine
/// syncs only the changes made after it: many desktops on one machine cannot each hold a
/// copy of a million contacts. Applying a change costs the same indexed writes either way.
pub(crate) async fn signed_in(dir: &Path, base: &str, token: &str, holds: Option<u64>) -> Engine {
    let profile = Profile::at(dir).expect("profile folder");
    if let Some(version) = holds {
        let path = profile.database_path();
        tokio::task::spawn_blocking(move || {
            let mut conn = open_connection(&path).expect("profile database");
            let parser = NumberParser::new("RU").expect("region");
            let page = DirectoryPage {
                version,
                contacts: Vec::new(),
                more: false,
            };
            directory::apply_page(&mut conn, &parser, &page, 0).expect("version stored");
        })
        .await
        .expect("seeding task");
    }
    let engine = Engine::open(profile).await.expect("engine opens");
    engine.login(base, token).await.expect("signed in");
    engine
}

/// The first sync of an empty desktop: `Engine::sync_directory` from version 0.
pub(crate) async fn first_sync(engine: &Engine) -> (Duration, DirectoryStatus) {
    let started = Instant::now();
    let status = engine.sync_directory().await.expect("the directory syncs");
    (started.elapsed(), status)
}

/// Starts the stream and waits (bounded) until it is live.
pub(crate) async fn connect(engine: &Engine) {
    engine.start().expect("stream starts");
    let mut status = engine.status();
    let live = tokio::time::timeout(Duration::from_secs(120), async {
        loop {
            if matches!(
                *status.borrow_and_update(),
                ConnectionStatus::Connected { .. }
            ) {
                return;
            }
            if status.changed().await.is_err() {
                return;
            }
        }
    })
    .await;
    assert!(live.is_ok(), "the stream did not connect in 2 minutes");
}

/// What `count` lookups through the engine took (ms) and how many found no one. Half the
/// numbers are asked in E.164, half as an agent types them (`8 9XX …`); every one belongs to
/// one of the first `contacts` generated contacts.
pub(crate) async fn lookups(engine: &Engine, contacts: usize, count: usize) -> (Vec<f64>, usize) {
    let mut rng = StdRng::seed_from_u64(7);
    let mut took = Vec::with_capacity(count);
    let mut missed = 0;
    for n in 0..count {
        let i = rng.random_range(0..contacts);
        let number = if n % 2 == 0 {
            people::mobile(i)
        } else {
            people::mobile_typed(i)
        };
        let started = Instant::now();
        let lookup = engine.find_contacts(&number).await.expect("lookup");
        took.push(started.elapsed().as_secs_f64() * 1e3);
        if lookup.matches.is_empty() {
            missed += 1;
        }
    }
    (took, missed)
}
