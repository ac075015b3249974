//! Call control (issue 11): hold, resume, hang-up, transfers and a supervisor's coach, on the
//! agent's own call only, through the PBX API with the key the relay keeps.
//!
//! Order of the checks, so that nothing reaches the PBX for a call the agent may not touch:
//! the PBX of the call must offer the action ([`offered`], from
//! `trubka_pbx::capabilities`), else [`ControlError::NotSupported`]; the call must be the
//! agent's ([`own`]; a supervisor may coach any agent's call), else
//! [`ControlError::NotYours`]; it must not have ended (by its stored events, then for UIS by
//! `list.calls`), else [`ControlError::Ended`]. Only then is the PBX asked; its refusal is
//! returned as the [`PbxError`] it is. The whole action, every PBX request of it included,
//! has `pbx_timeout_secs` ([`deadline`]); past it the answer is [`ControlError::Timeout`].

pub(crate) mod deadline;
pub(crate) mod notice;
pub(crate) mod own;
pub(crate) mod transfer;

use trubka_core::{ParsedNumber, Provider};
use trubka_pbx::capabilities::{Capabilities, capabilities};
use trubka_pbx::sipuni::SpyMode;
use trubka_pbx::uis::{ActiveCall, ActiveLeg, CallSessionId, Message};
use trubka_pbx::{PbxError, UisMnemonic};
use trubka_protocol::control::{CallActions, CoachMode, ControlAction, ControlRequest};

use crate::agents::Agent;
use crate::relay::AppState;
use crate::store::StoreError;
use deadline::{Progress, Stage};
use notice::Done;
use own::{StoredCall, split_call_id, stored_call};

/// What the contact hears while on hold: UIS `hold.call` requires a message.
const HOLD_MESSAGE: &str = "Пожалуйста, оставайтесь на линии.";

/// The live UIS leg state of a party that left the call.
const DISCONNECTED: &str = "Разъединено";

/// Why an action was not done; every text is for the agent, in Russian.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ControlError {
    #[error("{0}")]
    NotYours(String),
    #[error("{0}")]
    Ended(String),
    #[error("{0}")]
    NotSupported(String),
    #[error("{0}")]
    NotConfigured(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    BadRequest(String),
    /// A transfer to a name that is no agent's; the text lists the names there are.
    #[error("{0}")]
    UnknownAgent(String),
    #[error("{0}")]
    Pbx(PbxError),
    /// The PBX did not confirm the action within `pbx_timeout_secs`; the text says what state
    /// the call may be in and what to do ([`deadline::timed_out`]).
    #[error("{0}")]
    Timeout(String),
    #[error("{0}")]
    Store(StoreError),
}

impl From<PbxError> for ControlError {
    fn from(error: PbxError) -> ControlError {
        match error {
            // The session is over at UIS: the same answer as for an ended call.
            PbxError::Uis {
                mnemonic: UisMnemonic::CallSessionNotFound,
                ..
            } => ControlError::Ended(error.user_message()),
            other => ControlError::Pbx(other),
        }
    }
}

fn not_yours() -> ControlError {
    ControlError::NotYours(
        "Это не ваш звонок: управлять можно только звонком, в котором вы участвуете".to_owned(),
    )
}

fn ended() -> ControlError {
    ControlError::Ended("Звонок уже завершён".to_owned())
}

/// What `provider` lets `agent` do with a call (coach only for supervisors).
pub(crate) fn offered(call_id: &str, provider: Provider, agent: &Agent) -> CallActions {
    let can = capabilities(provider);
    let mut actions = Vec::new();
    if can.hold {
        actions.extend([ControlAction::Hold, ControlAction::Resume]);
    }
    if can.hang_up {
        actions.push(ControlAction::Hangup);
    }
    if can.blind_transfer || can.attended_transfer {
        actions.push(ControlAction::Transfer);
    }
    if can.attended_transfer {
        actions.extend([
            ControlAction::TransferComplete,
            ControlAction::TransferCancel,
        ]);
    }
    let mut coach_modes = Vec::new();
    if can.listen {
        coach_modes.push(CoachMode::Listen);
    }
    if can.whisper {
        coach_modes.push(CoachMode::Whisper);
    }
    if agent.supervisor && (can.coach || !coach_modes.is_empty()) {
        actions.push(ControlAction::Coach);
    }
    CallActions {
        call_id: call_id.to_owned(),
        provider: provider.as_str().to_owned(),
        actions,
        blind_transfer: can.blind_transfer,
        attended_transfer: can.attended_transfer,
        coach_modes,
    }
}

/// Refuses what the PBX cannot do, in words that say what it can.
fn check_supported(
    provider: Provider,
    agent: &Agent,
    request: &ControlRequest,
) -> Result<(), ControlError> {
    let can: Capabilities = capabilities(provider);
    let pbx = match provider {
        Provider::Uis => "UIS",
        Provider::Sipuni => "Sipuni",
    };
    let refuse = |what: &str| {
        Err(ControlError::NotSupported(format!(
            "{pbx} не позволяет {what} через API; для звонков {pbx} Trubka предлагает только \
             то, что умеет АТС"
        )))
    };
    match request {
        ControlRequest::Hold | ControlRequest::Resume if !can.hold => {
            refuse("ставить звонок на удержание")
        }
        ControlRequest::Hangup if !can.hang_up => refuse("завершать звонок"),
        ControlRequest::Transfer { attended: true, .. } if !can.attended_transfer => {
            refuse("переводить звонок с консультацией")
        }
        ControlRequest::Transfer {
            attended: false, ..
        } if !can.blind_transfer => refuse("переводить звонок"),
        ControlRequest::TransferComplete | ControlRequest::TransferCancel
            if !can.attended_transfer =>
        {
            refuse("переводить звонок с консультацией")
        }
        ControlRequest::Coach { .. } if !agent.supervisor => Err(ControlError::Forbidden(
            "Подключаться к звонкам операторов может только супервизор".to_owned(),
        )),
        ControlRequest::Coach { mode: Some(_), .. } if !(can.listen || can.whisper) => refuse(
            "выбирать режим прослушивания: тренер подключается так, как настроено в кабинете",
        ),
        ControlRequest::Coach { mode: None, .. } if !can.coach => Err(ControlError::BadRequest(
            format!("для звонков {pbx} укажите режим: \"mode\": \"listen\" или \"whisper\""),
        )),
        _ => Ok(()),
    }
}

/// Does `request` on the call `call_id` as `agent`, then tells the call's followers.
pub(crate) async fn act(
    state: &AppState,
    agent: &Agent,
    call_id: &str,
    request: &ControlRequest,
) -> Result<(), ControlError> {
    let done = perform(state, agent, call_id, request).await?;
    notice::announce(state, agent, call_id, request.action(), &done).await;
    Ok(())
}

/// [`checked_and_sent`] within the one deadline of the action.
async fn perform(
    state: &AppState,
    agent: &Agent,
    call_id: &str,
    request: &ControlRequest,
) -> Result<Done, ControlError> {
    let progress = Progress::default();
    let action = checked_and_sent(state, agent, call_id, request, &progress);
    let result = deadline::within(state.pbx.timeout, request, &progress, action).await;
    if matches!(result, Err(ControlError::Timeout(_))) && progress.stage() == Stage::Held {
        // A transfer stopped after the PBX accepted the hold: the caller is on hold, which
        // every card of the call shows, so the agent has «Снять с удержания» at hand.
        let done = Done::default();
        notice::announce(state, agent, call_id, ControlAction::Hold, &done).await;
    }
    result
}

async fn checked_and_sent(
    state: &AppState,
    agent: &Agent,
    call_id: &str,
    request: &ControlRequest,
    progress: &Progress,
) -> Result<Done, ControlError> {
    let (provider, _) = split_call_id(call_id).ok_or_else(not_yours)?;
    check_supported(provider, agent, request)?;
    let call = {
        let call_id = call_id.to_owned();
        state
            .reads
            .run(move |conn| stored_call(conn, &call_id))
            .await
            .map_err(ControlError::Store)?
    };
    let Some(call) = call else {
        return Err(not_yours());
    };
    let coaching = matches!(request, ControlRequest::Coach { .. });
    // A supervisor coaches other agents' calls; every other action needs the agent on it.
    if !coaching && !call.names(agent) {
        return Err(not_yours());
    }
    if call.ended() {
        return Err(ended());
    }
    match call.provider {
        Provider::Uis => uis(state, agent, &call, request, coaching, progress).await,
        Provider::Sipuni => sipuni(state, agent, &call, request, coaching).await,
    }
}

async fn uis(
    state: &AppState,
    agent: &Agent,
    call: &StoredCall,
    request: &ControlRequest,
    coaching: bool,
    progress: &Progress,
) -> Result<Done, ControlError> {
    let api = state.pbx.uis.as_ref().ok_or_else(|| {
        ControlError::NotConfigured(
            "Управление звонками UIS не настроено: в настройках релея не задан ключ API UIS \
             ([uis] api_key). Обратитесь к администратору релея."
                .to_owned(),
        )
    })?;
    let session = CallSessionId(call.pbx_id.parse().map_err(|_| not_yours())?);
    // The live legs decide: the agent may have transferred the call away meanwhile.
    let live = api.client.active_call(session).await?.ok_or_else(ended)?;
    // Every employee hung up: UIS still lists the session for a moment while it closes.
    if all_employees_left(&live) {
        return Err(ended());
    }
    if !coaching {
        let employee: Option<u64> = agent
            .uis_employee
            .as_deref()
            .and_then(|id| id.trim().parse().ok());
        let on_it = live.legs.iter().any(|leg| {
            leg.employee_id.is_some()
                && leg.employee_id == employee
                && leg.state.as_deref() != Some(DISCONNECTED)
        });
        if !on_it {
            return Err(not_yours());
        }
    }
    let hold = || Message::tts(HOLD_MESSAGE);
    let client = &api.client;
    let mut done = Done::default();
    match request {
        ControlRequest::Hold => client.hold_call(session, &hold()?).await?,
        ControlRequest::Resume => client.unhold_call(session).await?,
        ControlRequest::Hangup => client.release_call(session).await?,
        ControlRequest::Transfer { to, attended } => {
            let (to, colleague) = uis_target(state, to).await?;
            if colleague.is_none() {
                done.number = Some(to.clone());
            }
            done.colleague = colleague;
            transfer::uis_transfer(api, session, &to, *attended, &hold()?, progress).await?;
        }
        ControlRequest::TransferComplete => client.transfer_talk(session).await?,
        ControlRequest::TransferCancel => client.restore_talk(session).await?,
        ControlRequest::Coach { phone, .. } => {
            let phone = phone
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .or_else(|| {
                    agent
                        .employee_phones
                        .first()
                        .map(|p| p.trim_start_matches('+').to_owned())
                });
            client.add_coach(session, phone.as_deref()).await?;
        }
    }
    Ok(done)
}

/// Whether the call had employees and every one of them hung up.
fn all_employees_left(live: &ActiveCall) -> bool {
    let employees: Vec<&ActiveLeg> = live
        .legs
        .iter()
        .filter(|leg| leg.is_operator && leg.employee_id.is_some())
        .collect();
    !employees.is_empty()
        && employees
            .iter()
            .all(|leg| leg.state.as_deref() == Some(DISCONNECTED))
}

async fn sipuni(
    state: &AppState,
    agent: &Agent,
    call: &StoredCall,
    request: &ControlRequest,
    coaching: bool,
) -> Result<Done, ControlError> {
    if !coaching && call.left_by(agent) {
        return Err(not_yours());
    }
    let api = state.pbx.sipuni.as_ref().ok_or_else(|| {
        ControlError::NotConfigured(
            "Управление звонками Sipuni не настроено: в настройках релея не заданы номер \
             кабинета и ключ Sipuni ([sipuni] user, secret). Обратитесь к администратору \
             релея."
                .to_owned(),
        )
    })?;
    match request {
        ControlRequest::Hangup => api.client.hangup(&call.pbx_id).await?,
        ControlRequest::Coach {
            mode: Some(mode), ..
        } => {
            let sipnumber = agent.sipuni_ext.as_deref().ok_or_else(|| {
                ControlError::NotConfigured(format!(
                    "У супервизора «{}» не указан внутренний номер Sipuni (agent edit \
                     --sipuni-ext): Sipuni подключает к звонку по нему",
                    agent.name
                ))
            })?;
            let mode = match mode {
                CoachMode::Listen => SpyMode::Listen,
                CoachMode::Whisper => SpyMode::Whisper,
            };
            api.client.spy(&call.pbx_id, sipnumber, mode).await?;
        }
        // `check_supported` let through only what Sipuni can do.
        other => {
            return Err(ControlError::NotSupported(format!(
                "Sipuni не позволяет «{}» через API",
                other.action().as_str()
            )));
        }
    }
    Ok(Done::default())
}

/// The number UIS `make.call` rings for `to`: an agent's UIS internal number (by name, from
/// `get.employees`), or a number as typed (E.164 digits, or a short internal number as is).
async fn uis_target(state: &AppState, to: &str) -> Result<(String, Option<Agent>), ControlError> {
    let to = to.trim();
    if to.is_empty() {
        return Err(ControlError::BadRequest(
            "укажите, кому перевести звонок: \"to\" — имя оператора или номер".to_owned(),
        ));
    }
    let agents = state
        .reads
        .run(crate::store::agents::list)
        .await
        .map_err(ControlError::Store)?;
    let colleague = agents
        .iter()
        .filter(|a| a.is_active())
        .find(|a| a.name.trim().to_lowercase() == to.to_lowercase());
    if let Some(colleague) = colleague {
        let number = uis_number_of(state, colleague).await?;
        return Ok((number, Some(colleague.clone())));
    }
    let typed_number = to
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if !typed_number {
        let mut names: Vec<&str> = agents
            .iter()
            .filter(|a| a.is_active() && a.uis_employee.is_some())
            .map(|a| a.name.as_str())
            .collect();
        names.sort_unstable();
        return Err(ControlError::UnknownAgent(format!(
            "Оператора «{to}» нет; перевести можно: {}",
            names.join(", ")
        )));
    }
    let number = match state.phones.parse(to) {
        ParsedNumber::Phone { number, .. } => number.e164().trim_start_matches('+').to_owned(),
        _ => to.chars().filter(char::is_ascii_digit).collect(),
    };
    Ok((number, None))
}

/// A colleague's UIS internal number (else their first active phone), from `get.employees`.
async fn uis_number_of(state: &AppState, colleague: &Agent) -> Result<String, ControlError> {
    let missing = || {
        ControlError::NotConfigured(format!(
            "У оператора «{}» нет внутреннего номера UIS, на который можно перевести звонок: \
             проверьте его ID сотрудника UIS (agent edit --uis-employee) и номера в кабинете",
            colleague.name
        ))
    };
    let id: u64 = colleague
        .uis_employee
        .as_deref()
        .and_then(|id| id.trim().parse().ok())
        .ok_or_else(missing)?;
    let api = state.pbx.uis.as_ref().ok_or_else(missing)?;
    let employees = api.client.employees().await?;
    let employee = employees.iter().find(|e| e.id == id).ok_or_else(missing)?;
    employee
        .extension
        .as_ref()
        .and_then(|e| e.extension_phone_number.clone())
        .or_else(|| {
            employee
                .phone_numbers
                .iter()
                .find(|p| p.status.as_deref() != Some("inactive"))
                .map(|p| p.phone_number.clone())
        })
        .ok_or_else(missing)
}
