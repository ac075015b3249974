//! UIS (CoMagic, CallGear, Novofon) «Уведомления» → CallEvents.
//!
//! UIS lets the admin write each notification's body, so one event arrives in many shapes:
//! the nested default templates (`contact_info`, `employee_info`, `call_info`,
//! `call_record_file_info`; Omnidesk's guide), flat JSON (Usedesk, Planfix), flat JSON with a
//! nested contact (Salebot), and GET query templates (EnvyCRM: `event=call_start&call_hash=…`).
//! Values are JSON literals, strings holding numbers, `null`, arrays, or doubled quotes;
//! everything is coerced (see `coerce`) and unknown fields are kept in `raw`.
//!
//! - [`parse_uis`] / [`parse_uis_with`]: a notification → its events.
//! - [`parse_route_request`]: an interactive call processing request → [`RouteRequest`].
//!
//! # Which kind a notification is
//!
//! The kind in the hook URL wins; then an explicit `kind`/`event` field; then the exact
//! notification name; then `notification_mnemonic` when it is one of the event words; then the
//! name's stems; then the fields carrying a value (details in `kind`):
//!
//! | notification (name, `event` word, or fields) | kind | also |
//! |---|---|---|
//! | «Входящий звонок на виртуальный номер», «Входящий звонок», Inbound call…; `event=call_start`, `incoming_call_started` | `started` | direction `in` unless the payload says otherwise |
//! | «Исходящий звонок», Outbound call; `outgoing_call_started` | `started` | direction `out` |
//! | «Ожидание ответа», Waiting for the answer; `ringing`; only `leg_id` set | `ringing` | |
//! | «Исходящее плечо» (Omnidesk: the leg dialling the contact) | `ringing` | direction `out` |
//! | «Начало разговора», Talk started, «Поднятие трубки» (Omnidesk); `conversation_started`, `answer`; only `leg_ids`/`answer_time` set | `answered` | |
//! | «Окончание разговора», Talk finished, «Завершение плеча» (Omnidesk); `talk_finished`; `talk_time_duration` without a total | `leg_ended` | outcome `answered` if talk > 0, else `no_answer` |
//! | «Завершение звонка», Call finished; `event=call_end`, `call_finished`; `total_time_duration`/`finish_time`/`finish_reason` set | `ended` | outcome from `is_lost`/`lost_reason`/talk time; plus one `recording` per link |
//! | «Потерянный звонок», Lost call, «Пропущенный звонок»; `lost`; Salebot's template (`wait_time_duration`, `employee_ids`, no talk) | `ended` | outcome `missed` (`no_answer` for outgoing calls) |
//! | «Записанный разговор», Call recording completed; `record_ready`; `file_link` set | `recording` | one event per link |
//!
//! Names the admin made up are read by their stems (`запис…` → recording, `потерян…` /
//! `пропущен…` → lost, `плеч…` + `заверш…` → leg ended, `ожидан…` → ringing, `поднят…` /
//! `ответ…` → answered, `заверш…` / `оконч…` → ended, `входящ…` / `исходящ…` → started).
//!
//! # The other fields
//!
//! - direction: `is_internal` true → `internal`; else `direction` (`in`/`out`); else what the
//!   name implies; else `in`;
//! - contact: `contact_phone_number`, else EnvyCRM's `client_number`, else the calling
//!   (incoming) or called (outgoing) number, as E.164 through the phone parser, with
//!   `contact_full_name`; line: `virtual_phone_number` / `line_number`;
//! - employee: `employee_id` + `employee_full_name` (top level or `employee_info`), else the
//!   last talked / last answered / first talked / first answered employee of «Завершение
//!   звонка», else the only element of `employee_ids`; extension from `extension_phone_number`
//!   (EnvyCRM's `extension` only when it is a short internal number: its guide fills it with
//!   the employee's phone);
//! - outcome (`ended`): `lost_reason` mentioning busy → `busy`; lost (by name, `is_lost` or a
//!   `lost_reason`) or zero talk → `missed` (`no_answer` for outgoing); talk > 0 or
//!   `is_lost: false` → `answered`. (`leg_ended`): talk > 0 → `answered`, zero talk → `no_answer`;
//! - durations: `wait_time_duration`, `talk_time_duration`, `total_time_duration`;
//!   recordings: `file_link`, `record_file_links`, EnvyCRM's `record_links` (web links only,
//!   each once); scenario: `scenario_name`; tags: `tag_names`.
//!
//! # Event ids
//!
//! `uis:{call_session_id}:{kind}:{discriminator}`, with the discriminator:
//!
//! - `started`, `ended`: `call`: there is one of each per call, so the same event reported by
//!   two notifications (a «Потерянный звонок» and a «Завершение звонка», or two integrations'
//!   templates) is stored once;
//! - `ringing`, `answered`, `leg_ended`: the `leg_id`, else the sorted `leg_ids` joined by `-`,
//!   else `emp{employee_id}`, else `ext{extension}`, else a digest of the employee's name,
//!   else `call`. Two employees rung on one call have two legs (or two ids), so two events;
//! - `recording`: a digest of the link (`h` + 16 hex digits of FNV-1a 64), so the same file
//!   announced by several notifications is one event; `none` for a recording notification
//!   without a link.
//!
//! Values that are not short plain tokens are replaced by their digest. Nothing time-based
//! is used: UIS retries are undocumented, and a retry must not get a new id even if its
//! `notification_time` changed.
//!
//! # Times
//!
//! `at` is `notification_time` (local time in the account's zone, [`ParseOptions::utc_offset`],
//! Moscow by default, unless it carries an offset), else `notification_timestamp`, else the
//! time of the moment itself (`answer_time`, `finish_time`), else `start_time`, else
//! [`ParseOptions::received_at`], else the Unix epoch. The wall clock is never read.

mod convert;
mod kind;
mod route;

pub use kind::{UIS_URL_KINDS, uis_url_kind};
pub use route::{RouteRequest, parse_route_request};
use trubka_core::{CallEvent, EventKind, PhoneParser};

use crate::hook::{HookRequest, PayloadError};
use crate::options::ParseOptions;
use crate::payload::{self, Fields};

/// Parses a UIS notification with the default [`ParseOptions`] (Moscow time, no receive time).
///
/// `kind_hint` is the kind named in the hook URL (`/hooks/uis/{token}/{kind}`), if any.
pub fn parse_uis(
    request: &HookRequest<'_>,
    kind_hint: Option<EventKind>,
    phones: &PhoneParser,
) -> Result<Vec<CallEvent>, PayloadError> {
    parse_uis_with(request, kind_hint, phones, &ParseOptions::default())
}

/// Parses a UIS notification into its events (at least one on success).
///
/// Errors: `malformed_body` (neither JSON nor form), `missing_call_id`, `bad_call_id`,
/// `unknown_kind` (with the fields seen and how to fix the template or URL).
pub fn parse_uis_with(
    request: &HookRequest<'_>,
    kind_hint: Option<EventKind>,
    phones: &PhoneParser,
    options: &ParseOptions,
) -> Result<Vec<CallEvent>, PayloadError> {
    let payload = payload::read(request)?;
    let fields = Fields::new(&payload.fields);
    let call_id = convert::call_id(&fields)?;
    let detection = kind::detect(&fields, kind_hint)?;
    Ok(convert::events(
        &fields,
        &call_id,
        detection,
        &payload.raw,
        phones,
        options,
    ))
}
