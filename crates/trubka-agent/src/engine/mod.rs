//! The façade: what the CLI and the desktop shell call. One [`Engine`] per profile.
//!
//! - sign in ([`Engine::login`]), start/stop the stream ([`Engine::start`], [`Engine::stop`]),
//!   nudge it after sleep or a network change ([`Engine::reconnect_now`]);
//! - watch the connection ([`Engine::status`]) and card/follow-up updates
//!   ([`Engine::subscribe`] → [`EngineEvent`]);
//! - read history, cards, follow-ups; dial (directly or through a scenario by name); manage
//!   contacts (in [`contacts`]; team contacts through the relay in [`team`]); keep the team
//!   directory's copy in step (in [`directory`]); send offline requests to UIS (in
//!   [`requests`]); hold, transfer and hang up calls and set the agent's status (in
//!   [`control`]).
//!
//! All SQLite work runs on the store thread; nothing here blocks an async worker.

pub mod away;
pub mod calls;
pub mod cases;
pub mod contacts;
mod control;
pub mod directory;
mod me;
pub mod requests;
pub mod team;

use std::sync::{Arc, Mutex, RwLock};

use serde::Serialize;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;
use trubka_core::{CallEvent, EventKind};
use trubka_protocol::control::{AgentPresence, ControlNotice};
use trubka_protocol::directory::CrmContact;

use crate::backoff::Backoff;
use crate::calls::CallView;
use crate::cards::{self, Card};
use crate::contacts::ContactError;
use crate::contacts::import_csv::CsvError;
use crate::dial::{self, DialError};
use crate::followups::{self, Badge, FollowUp};
use crate::invite::Invite;
use crate::numbers::{NumberError, NumberParser};
use crate::profile::{Profile, ProfileError};
use crate::relay_api::{AgentMe, ApiError, CallRoute, DialAccepted, RelayApi};
use crate::relay_client::{self, ClientControl, ConnectionStatus, Delivery, StreamSink};
use crate::settings::AgentSettings;
use crate::store::calls::{self as call_sql, LiveCalls, StreamPosition};
use crate::store::directory as directory_sql;
use crate::store::history::{HistoryCursor, HistoryFilter, Search};
use crate::store::settings::{self as kv, ResumePoint};
use crate::store::{Store, StoreError, millis};
use crate::tokens::{FileTokens, TokenStore};
use away::{AwayLog, AwaySummary};
use directory::{DirectoryStatus, DirectorySync};

/// Everything the façade can fail with.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Dial(#[from] DialError),
    #[error(transparent)]
    Contact(#[from] ContactError),
    #[error(transparent)]
    Number(#[from] NumberError),
    #[error("cannot read contacts: {0}")]
    Csv(#[from] CsvError),
    #[error("cannot write contacts: {0}")]
    Export(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "not signed in: run `trubka-cli login --invite LINK` (or `--relay URL --token TOKEN`) \
         first"
    )]
    NotSignedIn,
    #[error("cannot keep the agent token: {0}")]
    Token(#[from] crate::tokens::TokenError),
    #[error("no open follow-up for {0}")]
    NoOpenFollowUp(String),
    #[error("no call {0} in the local history")]
    NoSuchCall(String),
    #[error(
        "the relay keeps saying more directory changes follow version {0} but sends none newer"
    )]
    DirectoryStalled(u64),
    /// A team contact changed on the relay after the edit started (409).
    #[error(
        "Контакт изменил(а) {by} после того, как вы начали правку: обновите и повторите / \
         {by} changed this contact after you started editing: refresh and try again"
    )]
    EditConflict { by: String },
    /// The relay lets only supervisors delete team contacts (403).
    #[error(
        "Удалять контакты команды может только супервизор: попросите его / Only a supervisor \
         may delete team contacts: ask one"
    )]
    NotSupervisor,
    #[error("no team contact {0} on the relay (deleted meanwhile?)")]
    NoSuchTeamContact(i64),
    #[error("contact #{0} is private, not the team's")]
    NotTeamContact(i64),
}

/// What the engine tells its subscribers.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EngineEvent {
    /// A call card changed (new call, state change, late recording, …). A replayed change
    /// happened while the agent was away: show it, but do not pop or notify.
    Card { card: Box<Card>, delivery: Delivery },
    /// The replay after a reconnect is complete: what was missed while away, and the calls
    /// that started meanwhile and are still going on (these may pop now).
    CaughtUp(Box<AwaySummary>),
    /// Follow-ups changed; the new badge counts.
    Followups(Badge),
    /// The relay had lost our resume point: local history is kept, live data resumes.
    Resync { epoch: String, resync_count: u64 },
    /// The team directory's copy changed (a sync ran or failed, or this desktop wrote).
    Directory(DirectoryStatus),
    /// One of the team's cases changed (a `case` frame, or this desktop's claim or close).
    Case(Box<trubka_protocol::cases::CaseView>),
    /// An agent's status changed (the relay's `presence` frame; live only, never replayed).
    Presence(Box<AgentPresence>),
    /// Someone held, transferred or hung up a call this agent follows, or transfers one to
    /// this agent (the relay's `call_control` frame; live only).
    CallControl(Box<ControlNotice>),
}

/// A history request: filter, optional search text (a number in any format, its last digits,
/// or part of a name), page size and where the previous page ended.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct HistoryRequest {
    #[serde(default)]
    pub filter: HistoryFilter,
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default)]
    pub before: Option<HistoryCursor>,
    #[serde(default = "default_page")]
    pub limit: usize,
}

fn default_page() -> usize {
    50
}

impl Default for HistoryRequest {
    fn default() -> Self {
        HistoryRequest {
            filter: HistoryFilter::All,
            search: None,
            before: None,
            limit: default_page(),
        }
    }
}

/// A call in the history list.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    #[serde(flatten)]
    pub call: CallView,
    /// The best matching contact's name, if any.
    pub contact_name: Option<String>,
}

/// One page of history entries, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntries {
    pub entries: Vec<HistoryEntry>,
    /// Pass back as `before` for the next page; `None` on the last page.
    pub next: Option<HistoryCursor>,
}

/// A follow-up with who the caller is.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUpItem {
    #[serde(flatten)]
    pub followup: FollowUp,
    /// The number for people to read.
    pub number: String,
    /// The best matching contact's name, if any.
    pub contact_name: Option<String>,
}

pub(crate) struct Inner {
    profile: Profile,
    tokens: Box<dyn TokenStore>,
    store: Store,
    parser: NumberParser,
    settings: RwLock<AgentSettings>,
    events: broadcast::Sender<EngineEvent>,
    status: watch::Sender<ConnectionStatus>,
    client: Mutex<Option<(JoinHandle<()>, ClientControl)>>,
    backoff: Backoff,
    away: Mutex<AwayLog>,
    /// The folded states of the calls that got events last, used only on the store thread:
    /// a new event is applied to its call's state instead of refolding the stored events.
    live: Arc<Mutex<LiveCalls>>,
    directory: DirectorySync,
    /// Reads `/v1/me` again whenever the stream connects ([`me`]).
    me_refresh: Mutex<Option<JoinHandle<()>>>,
    /// The relay's HTTP client, kept while the relay and token stay the same: a new one per
    /// request would open a new connection (and TLS handshake) for every sync and write.
    api: Mutex<Option<RelayApi>>,
}

/// The desktop engine of one profile. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

fn now_ms() -> i64 {
    millis(chrono::Utc::now())
}

/// Reads search text as a number, trailing digits or a name.
pub fn classify_search(parser: &NumberParser, text: &str) -> Option<Search> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(number) = parser.parse(text) {
        return Some(Search::Number {
            e164: number.e164().to_owned(),
        });
    }
    let numeric = text
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let digits = call_sql::reversed_digits(text);
    if numeric && !digits.is_empty() {
        return Some(Search::Suffix { reversed: digits });
    }
    Some(Search::Name {
        text: text.to_owned(),
    })
}

impl Engine {
    /// Opens the profile's store and settings. The stream is not started: see [`Engine::start`].
    pub async fn open(profile: Profile) -> Result<Engine, EngineError> {
        Engine::open_with(profile, Backoff::default()).await
    }

    /// [`Engine::open`] with a custom reconnect backoff (tests use short delays).
    pub async fn open_with(profile: Profile, backoff: Backoff) -> Result<Engine, EngineError> {
        let tokens = Box::new(FileTokens(profile.clone()));
        Engine::open_with_tokens(profile, backoff, tokens).await
    }

    /// [`Engine::open_with`] keeping the agent token in `tokens` instead of the profile's
    /// file (the desktop app's OS keyring).
    pub async fn open_with_tokens(
        profile: Profile,
        backoff: Backoff,
        tokens: Box<dyn TokenStore>,
    ) -> Result<Engine, EngineError> {
        let store = Store::open_async(&profile.database_path()).await?;
        let settings = store.call(|conn| AgentSettings::load(conn)).await?;
        let parser = NumberParser::new(&settings.default_region)?;
        let (events, _) = broadcast::channel(256);
        let (status, _) = watch::channel(ConnectionStatus::SignedOut);
        let directory = DirectorySync::open(&store).await?;
        let inner = Inner {
            profile,
            tokens,
            store,
            parser,
            settings: RwLock::new(settings),
            events,
            status,
            client: Mutex::new(None),
            me_refresh: Mutex::new(None),
            api: Mutex::new(None),
            backoff,
            away: Mutex::new(AwayLog::default()),
            live: Arc::new(Mutex::new(LiveCalls::default())),
            directory,
        };
        Ok(Engine {
            inner: Arc::new(inner),
        })
    }

    pub fn profile(&self) -> &Profile {
        &self.inner.profile
    }

    pub fn parser(&self) -> &NumberParser {
        &self.inner.parser
    }

    /// A copy of the current settings.
    pub fn settings(&self) -> AgentSettings {
        self.inner.settings.read().expect("settings lock").clone()
    }

    /// Changes settings (card fields, recent calls, …) and stores them.
    pub async fn update_settings(
        &self,
        change: impl FnOnce(&mut AgentSettings),
    ) -> Result<AgentSettings, EngineError> {
        let mut settings = self.settings();
        change(&mut settings);
        let saved = settings.clone();
        self.inner.store.call(move |conn| saved.save(conn)).await?;
        *self.inner.settings.write().expect("settings lock") = settings.clone();
        Ok(settings)
    }

    /// Connection state updates.
    pub fn status(&self) -> watch::Receiver<ConnectionStatus> {
        self.inner.status.subscribe()
    }

    /// Card, follow-up and resync updates from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.inner.events.subscribe()
    }

    fn api(&self) -> Result<RelayApi, EngineError> {
        self.inner.api()
    }

    /// Checks `token` with the relay's `/v1/me`, then stores the relay URL, the token and
    /// the agent's profile. Signing in to another relay or as another agent starts the
    /// stream afresh (local history stays).
    pub async fn login(&self, relay_url: &str, token: &str) -> Result<AgentMe, EngineError> {
        let api = RelayApi::new(relay_url, token)?;
        let me = api.me().await?;
        let before = self.settings();
        let relay = relay_url.trim().to_owned();
        let other_relay = before
            .relay_url
            .as_deref()
            .is_some_and(|old| old != relay.as_str());
        let fresh =
            before.relay_url.as_deref() != Some(relay.as_str()) || before.me.as_ref() != Some(&me);
        self.stop();
        self.inner.tokens.write(token.trim())?;
        let me_saved = me.clone();
        self.update_settings(move |s| {
            s.relay_url = Some(relay);
            s.me = Some(me_saved);
        })
        .await?;
        if fresh {
            self.inner
                .store
                .call(|conn| kv::clear_resume_point(conn))
                .await?;
        }
        if other_relay {
            // Team ids and versions are another directory's: the new relay's sync starts
            // from nothing. Private contacts stay.
            self.inner.store.call(directory_sql::forget).await?;
            self.inner.directory.reset();
        }
        Ok(me)
    }

    /// Signs in with a one-time invite link ([`crate::invite`]): exchanges its code for a new
    /// token (which replaces the agent's previous one on the relay), then signs in with it as
    /// [`Engine::login`] does.
    pub async fn login_with_invite(&self, invite: &Invite) -> Result<AgentMe, EngineError> {
        let token = crate::invite::redeem(invite).await?;
        self.login(&invite.relay, &token).await
    }

    /// Stops the stream and forgets the token.
    pub async fn logout(&self) -> Result<(), EngineError> {
        self.stop();
        self.inner.tokens.remove()?;
        self.inner.status.send_replace(ConnectionStatus::SignedOut);
        Ok(())
    }

    /// Starts the stream client (no-op when it runs).
    pub fn start(&self) -> Result<(), EngineError> {
        let mut client = self.inner.client.lock().expect("client lock");
        if client.as_ref().is_some_and(|(task, _)| !task.is_finished()) {
            return Ok(());
        }
        let api = match self.api() {
            Ok(api) => api,
            Err(e) => {
                self.inner.status.send_replace(ConnectionStatus::SignedOut);
                return Err(e);
            }
        };
        let control = ClientControl::default();
        let task = tokio::spawn(relay_client::run(
            api,
            self.inner.clone(),
            self.inner.status.clone(),
            control.clone(),
            self.inner.backoff,
        ));
        *client = Some((task, control));
        self.inner.directory.start(self.inner.clone());
        let refresh = me::refresh_on_connect(self.inner.clone());
        if let Some(old) = self
            .inner
            .me_refresh
            .lock()
            .expect("me lock")
            .replace(refresh)
        {
            old.abort();
        }
        Ok(())
    }

    /// Stops the stream client (and the directory sync it drives).
    pub fn stop(&self) {
        if let Some((task, _)) = self.inner.client.lock().expect("client lock").take() {
            task.abort();
        }
        if let Some(refresh) = self.inner.me_refresh.lock().expect("me lock").take() {
            refresh.abort();
        }
        self.inner.directory.stop();
    }

    /// Reconnects now instead of waiting (after OS resume or a network change).
    pub fn reconnect_now(&self) {
        if let Some((_, control)) = self.inner.client.lock().expect("client lock").as_ref() {
            control.reconnect_now();
        }
    }

    /// The stored resume point and resync count.
    pub async fn resume_point(&self) -> Result<ResumePoint, EngineError> {
        Ok(self.inner.resume_point().await?)
    }

    /// Applies one event as if it came from the stream (without a stream position) and
    /// returns the card. The stream client uses the same path with positions.
    pub async fn apply_event(&self, event: CallEvent) -> Result<Card, EngineError> {
        Ok(self.inner.apply_event(None, event, Delivery::Live).await?)
    }

    /// Places a call through the relay; `number` in any common format.
    pub async fn dial(&self, number: &str) -> Result<(String, DialAccepted), EngineError> {
        let api = self.api().map_err(|_| DialError::NotSignedIn)?;
        Ok(dial::dial(&api, &self.inner.parser, number).await?)
    }

    /// Places a call through the UIS scenario or Sipuni scheme called `scenario`.
    pub async fn dial_via(
        &self,
        number: &str,
        scenario: Option<&str>,
    ) -> Result<(String, DialAccepted), EngineError> {
        let api = self.api().map_err(|_| DialError::NotSignedIn)?;
        Ok(dial::dial_via(&api, &self.inner.parser, number, scenario).await?)
    }

    /// The scenarios and schemes this agent may call through, from the relay.
    pub async fn scenarios(&self) -> Result<Vec<CallRoute>, EngineError> {
        let api = self.api().map_err(|_| DialError::NotSignedIn)?;
        Ok(api.scenarios().await?)
    }
}

impl Inner {
    fn api(&self) -> Result<RelayApi, EngineError> {
        let relay = self
            .settings
            .read()
            .expect("settings lock")
            .relay_url
            .clone()
            .ok_or(EngineError::NotSignedIn)?;
        let token = self.tokens.read()?.ok_or(EngineError::NotSignedIn)?;
        let mut kept = self.api.lock().expect("api lock");
        if let Some(api) = kept.as_ref().filter(|api| api.is_for(&relay, &token)) {
            return Ok(api.clone());
        }
        let api = RelayApi::new(&relay, &token)?;
        *kept = Some(api.clone());
        Ok(api)
    }

    async fn apply_event(
        &self,
        position: Option<StreamPosition>,
        event: CallEvent,
        delivery: Delivery,
    ) -> Result<Card, StoreError> {
        let delivery = match (event.kind, delivery) {
            (EventKind::Update, Delivery::Live) => Delivery::Quiet,
            _ => delivery,
        };
        let parser = self.parser.clone();
        let settings = self.settings.read().expect("settings lock").clone();
        let live = Arc::clone(&self.live);
        let (card, duplicate, badge) = self
            .store
            .call(move |conn| {
                // A panic while applying may have left a state half-changed: start over.
                let mut live = live.lock().unwrap_or_else(|poisoned| {
                    let mut live = poisoned.into_inner();
                    live.clear();
                    live
                });
                let applied = call_sql::apply_event(
                    conn,
                    &parser,
                    &mut live,
                    &event,
                    position.as_ref(),
                    now_ms(),
                )?;
                let badge = if applied.followups.is_empty() {
                    None
                } else {
                    Some(followups::badge(conn)?)
                };
                let card = cards::build(conn, &parser, &settings, applied.view, now_ms())?;
                Ok::<_, StoreError>((card, applied.duplicate, badge))
            })
            .await?;
        if !duplicate {
            if delivery == Delivery::Replayed {
                self.away
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .record(&card);
            }
            let _ = self.events.send(EngineEvent::Card {
                card: Box::new(card.clone()),
                delivery,
            });
        }
        if let Some(badge) = badge {
            let _ = self.events.send(EngineEvent::Followups(badge));
        }
        Ok(card)
    }
}

impl StreamSink for Inner {
    async fn resume_point(&self) -> Result<ResumePoint, StoreError> {
        self.store.call(|conn| kv::resume_point(conn)).await
    }

    async fn apply(
        &self,
        position: StreamPosition,
        event: CallEvent,
        delivery: Delivery,
    ) -> Result<(), StoreError> {
        self.apply_event(Some(position), event, delivery)
            .await
            .map(|_| ())
    }

    async fn caught_up(&self, replayed: u64) {
        let summary = self
            .away
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take(replayed);
        tracing::info!(
            replayed,
            missed = summary.missed_total,
            ongoing = summary.ongoing.len(),
            "caught up with the relay"
        );
        // A CRM answer sent while the desktop was away is not replayed: ask the relay.
        for card in &summary.ongoing {
            if card.contacts.is_empty()
                && card.crm.is_empty()
                && let Some(e164) = &card.call.phone
            {
                self.directory
                    .look_up(card.call.call_id.clone(), e164.clone());
            }
        }
        let _ = self.events.send(EngineEvent::CaughtUp(Box::new(summary)));
    }

    async fn start_from(&self, epoch: String, head: u64) -> Result<(), StoreError> {
        self.store
            .call(move |conn| kv::start_from(conn, &epoch, head))
            .await
    }

    async fn directory(&self, version: u64) {
        self.directory.announced(version);
    }

    async fn call_contact(
        &self,
        call_id: String,
        number: String,
        contacts: Vec<CrmContact>,
    ) -> Result<(), StoreError> {
        let parser = self.parser.clone();
        let settings = self.settings.read().expect("settings lock").clone();
        let card = self
            .store
            .call(move |conn| {
                directory_sql::remember_crm(conn, &number, &contacts, now_ms())?;
                match call_sql::view_of(conn, &call_id)? {
                    Some(view) => cards::build(conn, &parser, &settings, view, now_ms()).map(Some),
                    None => Ok(None),
                }
            })
            .await?;
        // The card has popped already with the call's first event: this only fills it in.
        if let Some(card) = card {
            let _ = self.events.send(EngineEvent::Card {
                card: Box::new(card),
                delivery: Delivery::Quiet,
            });
        }
        Ok(())
    }

    async fn presence(&self, presence: AgentPresence) {
        let _ = self.events.send(EngineEvent::Presence(Box::new(presence)));
    }

    async fn call_control(&self, notice: ControlNotice) {
        let _ = self.events.send(EngineEvent::CallControl(Box::new(notice)));
    }

    async fn case(&self, view: trubka_protocol::cases::CaseView) -> Result<(), StoreError> {
        self.case_changed(view).await
    }

    async fn reset(&self, epoch: String, head: u64) -> Result<(), StoreError> {
        let stored = epoch.clone();
        let point = self
            .store
            .call(move |conn| {
                kv::mark_resync(conn, &stored, head, now_ms())?;
                kv::resume_point(conn)
            })
            .await?;
        let _ = self.events.send(EngineEvent::Resync {
            epoch,
            resync_count: point.resync_count,
        });
        Ok(())
    }
}
