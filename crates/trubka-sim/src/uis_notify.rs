//! UIS notifications («Уведомления»): what UIS sends for each moment of a call.
//!
//! For each moment the builder collects every variable UIS knows at that moment (reference
//! A.6.3), picks the template the account configured for the event type
//! ([`crate::uis_templates`]) and fills it ([`crate::template`]). Variables a template names
//! but the event does not have come out as `null`, as in UIS.
//!
//! Moments map to event types like this: the start to «Входящий звонок на виртуальный номер»
//! or «Исходящий звонок»; a leg ringing to «Ожидание ответа» (with `leg_id`); an answer to
//! «Начало разговора» (with `leg_ids`); the end of a conversation to «Окончание разговора»;
//! the end of the call to «Завершение звонка» (with durations, `is_lost`, record links), and
//! for a lost incoming call also to «Потерянный звонок»; a ready recording to «Записанный
//! разговор» (with `file_link` served by the simulator).

use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{Value, json};
use url::Url;

use crate::{
    account, cast,
    config::Employee,
    recordings,
    scenario::{CallPlan, Direction, Leg, Moment, NotificationKind, Outcome, Routing, secs},
    sender::{Hook, Outgoing, Payload},
    template::{Vars, render_json, render_query},
    uis_setup::UisSetup,
    uis_templates::{TemplateFormat, UisEvent},
};

/// Account-level facts the notifications need.
#[derive(Debug, Clone)]
pub struct UisContext<'a> {
    /// `app_id`.
    pub app_id: u64,
    /// The simulator's public base URL, for `file_link`.
    pub public_url: &'a Url,
    /// Which notifications the account has configured.
    pub setup: UisSetup,
    /// Whether «Потерянный звонок» is configured (the default setup).
    pub lost_call_notification: bool,
    /// The contact's `communication_number` (how many times they have been in touch).
    pub communication_number: u32,
    /// The account's time zone, which notification times are local to.
    pub utc_offset: FixedOffset,
}

const GROUP_ID: u64 = account::UIS_GROUP.0;
/// Auto tag UIS puts on conversations of a minute or longer.
const LONG_TALK_TAG: (u64, &str) = (456, "Целевой");

/// UIS's time format in notifications: account time zone, microseconds.
fn uis_time(at: DateTime<Utc>, offset: FixedOffset) -> String {
    account::local(at, offset)
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string()
}

/// The Data API's time format: account time zone, whole seconds.
pub fn data_api_time(at: DateTime<Utc>, offset: FixedOffset) -> String {
    account::local(at, offset)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// The scenario a call went through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallScenario {
    /// `scenario_id`.
    pub id: u64,
    /// `scenario_name`.
    pub name: String,
    /// Its operations (id, name).
    pub operations: &'static [(u64, &'static str)],
}

/// The scenario a call went through: the one the Call API asked for, else the incoming
/// scenario for incoming calls; outgoing calls have none.
pub fn scenario(plan: &CallPlan) -> Option<CallScenario> {
    match &plan.origin.routing {
        Some(Routing::Uis { id, name }) => Some(CallScenario {
            id: *id,
            name: name.clone(),
            operations: account::uis_scenario(*id).map_or(&[][..], |s| s.operations),
        }),
        _ if plan.direction == Direction::In => {
            let s = account::incoming_scenario();
            Some(CallScenario {
                id: s.id,
                name: s.name.to_owned(),
                operations: s.operations,
            })
        }
        _ => None,
    }
}

/// Every notification the call produces, in order, with its offset on the call's timeline.
pub fn notifications(plan: &CallPlan, ctx: &UisContext<'_>) -> Vec<Outgoing> {
    let mut out = Vec::new();
    for &(at_ms, moment) in &plan.moments {
        let events: &[UisEvent] = match moment {
            Moment::Started if plan.direction == Direction::In => &[UisEvent::IncomingCall],
            Moment::Started => &[UisEvent::OutgoingCall],
            Moment::Ringing(_) => &[UisEvent::WaitingAnswer],
            Moment::Answered(_) => &[UisEvent::TalkStarted],
            Moment::TalkEnded(_) => &[UisEvent::TalkFinished],
            Moment::Ended if is_lost(plan) => &[UisEvent::CallFinished, UisEvent::LostCall],
            Moment::Ended => &[UisEvent::CallFinished],
            Moment::Recorded(_) => &[UisEvent::CallRecorded],
        };
        for &event in events {
            // Only what the account configured is sent.
            let Some(configured) =
                ctx.setup
                    .notification(event, plan.delivery.shape, ctx.lost_call_notification)
            else {
                continue;
            };
            let tpl = configured.template;
            let vars = variables(plan, ctx, moment, event, tpl.name, at_ms);
            let payload = match tpl.format {
                TemplateFormat::Json => Payload::Json(render_json(tpl.text, &vars)),
                TemplateFormat::Query => Payload::Query(render_query(tpl.text, &vars)),
            };
            out.push(Outgoing {
                at_ms,
                hook: Hook::Uis(configured.path),
                payload,
                what: event.lk_name().to_owned(),
                kind: notification_kind(event),
            });
        }
    }
    out
}

/// The relay kind of an event type (the last segment of its URL).
fn notification_kind(event: UisEvent) -> NotificationKind {
    match event {
        UisEvent::IncomingCall | UisEvent::OutgoingCall => NotificationKind::Started,
        UisEvent::WaitingAnswer => NotificationKind::Ringing,
        UisEvent::TalkStarted => NotificationKind::Answered,
        UisEvent::TalkFinished => NotificationKind::LegEnded,
        UisEvent::CallFinished | UisEvent::LostCall => NotificationKind::Ended,
        UisEvent::CallRecorded => NotificationKind::Recording,
    }
}

/// Whether UIS counts the call as lost: an incoming call nobody talked on.
pub fn is_lost(plan: &CallPlan) -> bool {
    plan.direction == Direction::In && !plan.answered()
}

fn employee_vars(vars: &mut Vars, ctx: &UisContext<'_>, employee: &Employee) {
    vars.insert("employee_id", json!(employee.id));
    vars.insert("employee_full_name", json!(employee.name));
    vars.insert(
        "employee_phone_number",
        json!(account::uis_employee_phone(ctx.app_id, employee)),
    );
    vars.insert("extension_phone_number", json!(employee.extension));
    vars.insert("employee_group_ids", json!([GROUP_ID]));
}

fn leg_vars(vars: &mut Vars, plan: &CallPlan, leg: &Leg) {
    vars.insert("leg_id", json!(leg.leg_id));
    vars.insert("leg_ids", json!([plan.session_leg_id, leg.leg_id]));
}

fn record_links(plan: &CallPlan, ctx: &UisContext<'_>) -> Vec<String> {
    (0..plan.legs.len())
        .filter_map(|i| plan.uis_record_id(i))
        .map(|id| recordings::uis_link(ctx.public_url, plan.session_id(), &id))
        .collect()
}

/// The auto tag of a call as (ids, names): «Целевой» for a conversation of a minute or more.
pub fn tags(plan: &CallPlan) -> (Value, Value) {
    if plan.talk_seconds() >= 60 {
        (json!([LONG_TALK_TAG.0]), json!([LONG_TALK_TAG.1]))
    } else {
        (json!([]), json!([]))
    }
}

/// The Data API's `finish_reason` of a finished call, also in «Завершение звонка».
pub fn finish_reason(plan: &CallPlan) -> &'static str {
    match (plan.direction, plan.outcome) {
        (_, Outcome::Answered) if plan.session_id().is_multiple_of(3) => "operator_disconnects",
        (_, Outcome::Answered) => "subscriber_disconnects",
        (Direction::In, Outcome::Missed) => "no_success_operator_call",
        (Direction::In, Outcome::Busy) => "employee_busy",
        (Direction::In, Outcome::Cancelled) => "subscriber_disconnects",
        (Direction::Out, _) => "no_success_subscriber_call",
    }
}

fn names<'a>(legs: impl Iterator<Item = &'a Leg>) -> Value {
    let mut seen: Vec<&str> = Vec::new();
    for leg in legs {
        if !seen.contains(&leg.employee.name.as_str()) {
            seen.push(&leg.employee.name);
        }
    }
    json!(seen)
}

/// The variables of the finished call («Завершение звонка», «Потерянный звонок»,
/// «Записанный разговор»).
fn end_vars(vars: &mut Vars, plan: &CallPlan, ctx: &UisContext<'_>) {
    let first = plan.first_answered().map(|i| &plan.legs[i]);
    let last = plan.last_answered().map(|i| &plan.legs[i]);
    let person = |leg: Option<&Leg>, field: fn(&Employee) -> Value| {
        leg.map_or(Value::Null, |l| field(&l.employee))
    };
    let id = |e: &Employee| json!(e.id);
    let name = |e: &Employee| json!(e.name);
    let talk = plan.talk_seconds();
    let (tag_ids, tag_names) = tags(plan);
    let mut employee_ids: Vec<u64> = Vec::new();
    for leg in &plan.legs {
        if !employee_ids.contains(&leg.employee.id) {
            employee_ids.push(leg.employee.id);
        }
    }
    let lost = is_lost(plan);
    vars.insert("talk_time_duration", json!(talk));
    vars.insert("clean_talk_time_duration", json!(talk));
    vars.insert("total_time_duration", json!(plan.total_seconds()));
    vars.insert("wait_time_duration", json!(secs(plan.wait_ms())));
    vars.insert("total_wait_time_duration", json!(secs(plan.wait_ms())));
    vars.insert("postprocess_time_duration", json!(0));
    vars.insert(
        "finish_time",
        json!(uis_time(plan.at(plan.end_ms), ctx.utc_offset)),
    );
    vars.insert("finish_reason", json!(finish_reason(plan)));
    vars.insert(
        "connection_time",
        first.and_then(|l| l.answer_ms).map_or(Value::Null, |ms| {
            json!(uis_time(plan.at(ms), ctx.utc_offset))
        }),
    );
    vars.insert("is_lost", json!(lost));
    vars.insert("is_transfer", json!(plan.transferred()));
    vars.insert(
        "lost_reason",
        if lost {
            json!(finish_reason(plan))
        } else {
            Value::Null
        },
    );
    vars.insert("employee_ids", json!(employee_ids));
    vars.insert("employee_full_names", names(plan.legs.iter()));
    vars.insert(
        "talked_employee_full_names",
        names(plan.legs.iter().filter(|l| l.answer_ms.is_some())),
    );
    vars.insert(
        "noanswered_employee_full_names",
        names(plan.legs.iter().filter(|l| l.answer_ms.is_none())),
    );
    vars.insert("first_answered_employee_id", person(first, id));
    vars.insert("first_answered_employee_full_name", person(first, name));
    vars.insert("first_talked_employee_id", person(first, id));
    vars.insert("first_talked_employee_full_name", person(first, name));
    vars.insert("last_answered_employee_id", person(last, id));
    vars.insert("last_answered_employee_full_name", person(last, name));
    vars.insert("last_talked_employee_id", person(last, id));
    vars.insert("last_talked_employee_full_name", person(last, name));
    vars.insert("operator_rating", Value::Null);
    vars.insert("record_file_links", json!(record_links(plan, ctx)));
    vars.insert("tag_ids", tag_ids);
    vars.insert("tag_names", tag_names);
    vars.insert(
        "leg_ids",
        json!(
            std::iter::once(plan.session_leg_id)
                .chain(plan.legs.iter().map(|l| l.leg_id))
                .collect::<Vec<_>>()
        ),
    );
    vars.insert(
        "group_ids",
        if plan.direction == Direction::In {
            json!([GROUP_ID])
        } else {
            json!([])
        },
    );
    vars.insert("toc_group_ids", json!([]));
    let operations = scenario(plan).map_or(&[][..], |s| s.operations);
    let last = operations.last();
    vars.insert("last_scenario_operation_id", json!(last.map(|op| op.0)));
    vars.insert("last_scenario_operation_name", json!(last.map(|op| op.1)));
    vars.insert(
        "scenario_operation_ids",
        json!(operations.iter().map(|op| op.0).collect::<Vec<_>>()),
    );
    vars.insert(
        "scenario_operation_names",
        json!(operations.iter().map(|op| op.1).collect::<Vec<_>>()),
    );
}

/// Every variable UIS knows at `moment` for `event`.
fn variables(
    plan: &CallPlan,
    ctx: &UisContext<'_>,
    moment: Moment,
    event: UisEvent,
    notification_name: &str,
    at_ms: u64,
) -> Vars {
    let at = plan.at(at_ms);
    let session = plan.session_id();
    let incoming = plan.direction == Direction::In;
    let contact_number = plan.contact.uis.clone().map_or(Value::Null, Value::from);
    let line = json!(plan.line);
    let region = plan.contact.uis.as_deref().and_then(cast::region);

    let mut vars = Vars::new();
    vars.insert("notification_name", json!(notification_name));
    vars.insert("notification_mnemonic", json!(event.mnemonic()));
    vars.insert("notification_time", json!(uis_time(at, ctx.utc_offset)));
    vars.insert("notification_timestamp", json!(at.timestamp()));
    vars.insert("app_id", json!(ctx.app_id));
    vars.insert("call_session_id", json!(session));
    vars.insert("communication_id", json!(session));
    vars.insert("communication_type", json!("call"));
    vars.insert("communication_number", json!(ctx.communication_number));
    vars.insert("virtual_phone_number", line.clone());
    vars.insert("contact_phone_number", contact_number.clone());
    let (calling, called) = if incoming {
        (contact_number, line)
    } else {
        (line, contact_number)
    };
    vars.insert("calling_phone_number", calling);
    vars.insert("called_phone_number", called);
    vars.insert("contact_id", json!(plan.contact.contact_id));
    vars.insert("contact_full_name", json!(plan.contact.name));
    vars.insert("contact_group_ids", json!(plan.contact.group_ids));
    vars.insert("cpn_region_id", json!(region.map(|r| r.0)));
    vars.insert("cpn_region_name", json!(region.map(|r| r.1)));
    vars.insert("direction", json!(if incoming { "in" } else { "out" }));
    vars.insert("external_id", json!(plan.origin.external_id));
    vars.insert(
        "call_source",
        json!(plan.origin.source.uis_source(plan.direction)),
    );
    let scenario = scenario(plan);
    vars.insert("scenario_id", json!(scenario.as_ref().map(|s| s.id)));
    vars.insert("scenario_name", json!(scenario.map(|s| s.name)));
    vars.insert(
        "start_time",
        json!(uis_time(plan.started_at, ctx.utc_offset)),
    );
    vars.insert("tp_project", Value::Null);
    vars.insert("visitor_country", Value::Null);
    vars.insert("is_internal", json!(false));
    vars.insert("tag_ids", json!([]));
    vars.insert("tag_names", json!([]));
    vars.insert("is_lost", json!(false));

    // Durations so far, for the events before the end.
    let waited = plan.first_answered().and_then(|i| plan.legs[i].answer_ms);
    vars.insert("total_time_duration", json!(secs(at_ms)));
    vars.insert(
        "wait_time_duration",
        json!(secs(waited.filter(|&w| w <= at_ms).unwrap_or(at_ms))),
    );
    vars.insert(
        "talk_time_duration",
        json!(
            waited
                .filter(|&w| w <= at_ms)
                .map_or(0, |w| secs(at_ms - w))
        ),
    );

    match moment {
        Moment::Started => {
            if !incoming && let Some(leg) = plan.legs.first() {
                employee_vars(&mut vars, ctx, &leg.employee);
            }
        }
        Moment::Ringing(i) => {
            let leg = &plan.legs[i];
            employee_vars(&mut vars, ctx, &leg.employee);
            leg_vars(&mut vars, plan, leg);
        }
        Moment::Answered(i) => {
            let leg = &plan.legs[i];
            employee_vars(&mut vars, ctx, &leg.employee);
            leg_vars(&mut vars, plan, leg);
            vars.insert(
                "answer_time",
                json!(uis_time(
                    plan.at(leg.answer_ms.unwrap_or(at_ms)),
                    ctx.utc_offset
                )),
            );
        }
        Moment::TalkEnded(i) => {
            let leg = &plan.legs[i];
            employee_vars(&mut vars, ctx, &leg.employee);
            leg_vars(&mut vars, plan, leg);
            vars.insert("is_operator", json!(true));
            vars.insert("talk_time_duration", json!(leg.talk_seconds()));
        }
        Moment::Ended => {
            if let Some(i) = plan.final_leg() {
                employee_vars(&mut vars, ctx, &plan.legs[i].employee);
            }
            end_vars(&mut vars, plan, ctx);
        }
        Moment::Recorded(i) => {
            let leg = &plan.legs[i];
            employee_vars(&mut vars, ctx, &leg.employee);
            end_vars(&mut vars, plan, ctx);
            leg_vars(&mut vars, plan, leg);
            let link = plan
                .uis_record_id(i)
                .map(|id| recordings::uis_link(ctx.public_url, plan.session_id(), &id));
            vars.insert("file_link", json!(link));
            vars.insert("file_duration", json!(leg.talk_seconds()));
        }
    }
    vars
}
