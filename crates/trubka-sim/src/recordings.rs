//! Call recordings the simulator serves itself, as real MP3 audio.
//!
//! UIS links have the real shape `GET /system/media/talk/{communication_id}/{hash}/` (as
//! `https://app.uiscom.ru/system/media/talk/…`; the hash is a `call_records` entry), so a
//! client that builds links from the calls report with `media_base` pointed at the simulator
//! fetches them here; `GET /recordings/{hash}.mp3` serves the same audio. Sipuni events link
//! `GET /sipuni/api/crm/record?id=<call_id>&hash=…`, shaped like Sipuni's own
//! `https://sipuni.com/api/crm/record?id=…&hash=…`; the Sipuni API's `statistic/record` serves
//! it too ([`crate::api::sipuni`]). Audio is encoded on request from the
//! registered duration ([`crate::mp3`]); byte ranges are honoured so that every `<audio>`
//! element (WebKit included) can play and seek it. The registry keeps the newest
//! [`CAPACITY`] recordings.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
};

use axum::{
    Router,
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;
use url::Url;

use crate::mp3::{self, Voice};

/// How many recordings the registry keeps (as many as the history keeps calls; a
/// recording is rendered on request, so an entry is only its length and voice).
pub const CAPACITY: usize = crate::history::CAPACITY;

/// One recording: how long it is, what it sounds like, and for Sipuni links the hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    /// Length in seconds.
    pub seconds: u32,
    /// What it sounds like.
    pub voice: Voice,
    /// The `hash` a Sipuni link must carry; `None` for UIS recordings.
    pub sipuni_hash: Option<String>,
    /// The UIS call session (`communication_id`) a UIS recording belongs to.
    pub uis_session: Option<u64>,
}

#[derive(Debug, Default)]
struct Store {
    by_id: HashMap<String, Recording>,
    order: VecDeque<String>,
}

/// The registry of recordings, shared by the call runners and the HTTP handlers.
///
/// A `std` mutex is enough: the critical sections are a map insert or lookup, never held
/// across an `.await`.
#[derive(Debug, Default)]
pub struct Recordings {
    store: Mutex<Store>,
}

impl Recordings {
    /// Registers (or replaces) a recording, dropping the oldest beyond [`CAPACITY`].
    pub fn insert(&self, id: String, recording: Recording) {
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        if store.by_id.insert(id.clone(), recording).is_none() {
            store.order.push_back(id);
        }
        while store.order.len() > CAPACITY {
            if let Some(old) = store.order.pop_front() {
                store.by_id.remove(&old);
            }
        }
    }

    /// Looks a recording up.
    pub fn get(&self, id: &str) -> Option<Recording> {
        let store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        store.by_id.get(id).cloned()
    }
}

/// The link UIS puts in `file_link` / `record_file_links`, and the one a client builds from
/// `call_records`: `{base}system/media/talk/{communication_id}/{hash}/`.
pub fn uis_link(base: &Url, communication_id: u64, hash: &str) -> String {
    let path = format!("system/media/talk/{communication_id}/{hash}/");
    base.join(&path)
        .map_or_else(|_| format!("{base}{path}"), String::from)
}

/// The link Sipuni puts in `call_record_link`.
pub fn sipuni_link(base: &Url, call_id: &str, hash: &str) -> String {
    let mut url = base
        .join("sipuni/api/crm/record")
        .unwrap_or_else(|_| base.clone());
    url.query_pairs_mut()
        .append_pair("id", call_id)
        .append_pair("hash", hash);
    url.into()
}

/// The recording routes, with their state applied.
pub fn routes(recordings: Arc<Recordings>) -> Router {
    Router::new()
        .route("/recordings/{file}", get(recording_file))
        .route("/system/media/talk/{session}/{hash}", get(uis_talk))
        .route("/system/media/talk/{session}/{hash}/", get(uis_talk))
        .route("/sipuni/api/crm/record", get(sipuni_record))
        .with_state(recordings)
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "no such recording\n").into_response()
}

async fn recording_file(
    State(recordings): State<Arc<Recordings>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(id) = file.strip_suffix(".mp3") else {
        return not_found();
    };
    match recordings.get(id) {
        Some(recording) => audio(&recording, &headers, id),
        None => not_found(),
    }
}

async fn uis_talk(
    State(recordings): State<Arc<Recordings>>,
    Path((session, hash)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let session = session.parse::<u64>().ok();
    match recordings.get(&hash) {
        Some(recording) if session.is_some() && recording.uis_session == session => {
            audio(&recording, &headers, &hash)
        }
        _ => not_found(),
    }
}

#[derive(Debug, Deserialize)]
struct SipuniRecordQuery {
    id: String,
    #[serde(default)]
    hash: String,
}

async fn sipuni_record(
    State(recordings): State<Arc<Recordings>>,
    Query(query): Query<SipuniRecordQuery>,
    headers: HeaderMap,
) -> Response {
    match recordings.get(&query.id) {
        Some(recording) if recording.sipuni_hash.as_deref() == Some(query.hash.as_str()) => {
            audio(&recording, &headers, &query.id)
        }
        Some(_) => (StatusCode::FORBIDDEN, "wrong hash\n").into_response(),
        None => not_found(),
    }
}

/// Serves a recording's audio (`audio/mpeg`), honouring a byte range.
pub fn serve(recording: &Recording, headers: &HeaderMap, name: &str) -> Response {
    audio(recording, headers, name)
}

/// Parses a single `bytes=a-b`, `bytes=a-` or `bytes=-n` range against `len`.
fn byte_range(headers: &HeaderMap, len: usize) -> Option<Result<(usize, usize), ()>> {
    let spec = headers
        .get(header::RANGE)?
        .to_str()
        .ok()?
        .strip_prefix("bytes=")?;
    if spec.contains(',') || len == 0 {
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let range = match (start.trim(), end.trim()) {
        ("", n) => {
            let n: usize = n.parse().ok()?;
            (len.saturating_sub(n), len - 1)
        }
        (a, "") => (a.parse().ok()?, len - 1),
        (a, b) => (a.parse().ok()?, b.parse::<usize>().ok()?.min(len - 1)),
    };
    Some(if range.0 <= range.1 && range.0 < len {
        Ok(range)
    } else {
        Err(())
    })
}

fn audio(recording: &Recording, headers: &HeaderMap, id: &str) -> Response {
    let body = mp3::encode(recording.voice, recording.seconds);
    let len = body.len();
    let disposition = HeaderValue::from_str(&format!("inline; filename=\"{id}.mp3\""))
        .unwrap_or(HeaderValue::from_static("inline"));
    let common = [
        (header::CONTENT_TYPE, HeaderValue::from_static("audio/mpeg")),
        (header::ACCEPT_RANGES, HeaderValue::from_static("bytes")),
        (header::CONTENT_DISPOSITION, disposition),
    ];
    match byte_range(headers, len) {
        None => (StatusCode::OK, common, body).into_response(),
        Some(Ok((start, end))) => {
            let range = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}"))
                .unwrap_or(HeaderValue::from_static("bytes */0"));
            (
                StatusCode::PARTIAL_CONTENT,
                common,
                [(header::CONTENT_RANGE, range)],
                body[start..=end].to_vec(),
            )
                .into_response()
        }
        Some(Err(())) => {
            let range = HeaderValue::from_str(&format!("bytes */{len}"))
                .unwrap_or(HeaderValue::from_static("bytes */0"));
            (
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, range)],
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(value: &str, len: usize) -> Option<Result<(usize, usize), ()>> {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_str(value).unwrap());
        byte_range(&headers, len)
    }

    #[test]
    fn ranges_are_parsed_like_browsers_send_them() {
        assert_eq!(range("bytes=0-", 100), Some(Ok((0, 99))));
        assert_eq!(range("bytes=10-19", 100), Some(Ok((10, 19))));
        assert_eq!(range("bytes=90-200", 100), Some(Ok((90, 99))));
        assert_eq!(range("bytes=-10", 100), Some(Ok((90, 99))));
        assert_eq!(range("bytes=100-", 100), Some(Err(())));
        assert_eq!(range("bytes=0-1,5-6", 100), None);
        assert_eq!(range("items=0-1", 100), None);
    }

    #[test]
    fn links_point_at_the_simulator() {
        let base = Url::parse("http://127.0.0.1:9000/").unwrap();
        assert_eq!(
            uis_link(&base, 1197843161, "abc"),
            "http://127.0.0.1:9000/system/media/talk/1197843161/abc/"
        );
        assert_eq!(
            sipuni_link(&base, "1774372584.533596", "93247a3b"),
            "http://127.0.0.1:9000/sipuni/api/crm/record?id=1774372584.533596&hash=93247a3b"
        );
    }

    #[test]
    fn the_registry_forgets_the_oldest() {
        let recordings = Recordings::default();
        let rec = Recording {
            seconds: 1,
            voice: Voice::Ringback,
            sipuni_hash: None,
            uis_session: None,
        };
        for i in 0..=CAPACITY {
            recordings.insert(i.to_string(), rec.clone());
        }
        assert!(recordings.get("0").is_none());
        assert!(recordings.get(&CAPACITY.to_string()).is_some());
    }
}
