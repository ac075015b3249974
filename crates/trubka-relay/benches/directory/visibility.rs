//! A change made by one agent, seen by every other connected agent: the editor renames a
//! team contact over HTTP (`PUT /v1/directory/contacts/{id}`, as the app does); each desktop
//! engine hears the `directory` frame, syncs, and the bench asks its lookup for the
//! contact's number until the new name comes back. Latency runs from the moment the relay's
//! answer reached the editor to the moment that desktop's lookup returned the new name.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Barrier;
use tokio::task::JoinSet;
use trubka_agent::Engine;
use trubka_agent::relay_api::RelayApi;
use trubka_protocol::directory::{ContactUpdate, DirectoryId};

/// Longest wait for one desktop to see one change.
const SEE_WITHIN: Duration = Duration::from_secs(30);
/// Pause between edits, so that each is measured on its own.
const BETWEEN_EDITS: Duration = Duration::from_millis(1_500);

/// Per desktop (in `engines` order), the latency of each edit in ms; `None` where the change
/// was not seen within [`SEE_WITHIN`].
pub(crate) async fn measure(
    editor: &RelayApi,
    engines: &[Engine],
    contact_ids: &[DirectoryId],
) -> Vec<Vec<Option<f64>>> {
    let mut per_engine = vec![Vec::with_capacity(contact_ids.len()); engines.len()];
    for (edit, &id) in contact_ids.iter().enumerate() {
        let before = editor
            .directory_contact(id)
            .await
            .expect("the contact to edit");
        let mut fields = before.contact.fields.clone();
        let number = fields
            .phones
            .first()
            .expect("generated contacts have a phone")
            .raw
            .clone();
        let name = format!("{} (правка {})", fields.name, edit + 1);
        fields.name = name.clone();

        let ready = Arc::new(Barrier::new(engines.len() + 1));
        let mut watchers = JoinSet::new();
        for (index, engine) in engines.iter().enumerate() {
            let (engine, ready) = (engine.clone(), Arc::clone(&ready));
            let (name, number) = (name.clone(), number.clone());
            watchers.spawn(async move { (index, watch(engine, ready, name, number).await) });
        }
        // Every desktop has looked once and is waiting for its copy to change.
        ready.wait().await;
        let update = ContactUpdate {
            base_version: Some(before.contact.version),
            fields,
        };
        editor
            .update_directory_contact(id, &update)
            .await
            .expect("the edit is accepted");
        let answered = Instant::now();
        while let Some(joined) = watchers.join_next().await {
            let (index, seen) = joined.expect("watcher task");
            per_engine[index]
                .push(seen.map(|at| at.saturating_duration_since(answered).as_secs_f64() * 1e3));
        }
        tokio::time::sleep(BETWEEN_EDITS).await;
    }
    per_engine
}

/// When `engine`'s lookup of `number` first shows `name`: checked once before the edit, then
/// after every change of the engine's directory status (a page applied, a sync ended).
async fn watch(
    engine: Engine,
    ready: Arc<Barrier>,
    name: String,
    number: String,
) -> Option<Instant> {
    let mut status = engine.directory_status();
    let shows = async |engine: &Engine| {
        engine
            .find_contacts(&number)
            .await
            .is_ok_and(|lookup| lookup.matches.iter().any(|m| m.contact().name == name))
    };
    let early = shows(&engine).await;
    ready.wait().await;
    if early {
        return Some(Instant::now());
    }
    let deadline = tokio::time::Instant::now() + SEE_WITHIN;
    loop {
        match tokio::time::timeout_at(deadline, status.changed()).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) | Err(_) => return None,
        }
        status.borrow_and_update();
        if shows(&engine).await {
            return Some(Instant::now());
        }
    }
}
