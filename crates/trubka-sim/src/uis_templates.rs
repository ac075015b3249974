//! The UIS cabinet's notification settings: which template each event type is sent with.
//!
//! The relay's admin configures one HTTP notification per event type, each with its own URL
//! (`/hooks/uis/{token}/{kind}`) and body template. Integrators write those templates in a few
//! families, and the relay must understand all of them, so every call picks a [`UisShape`]:
//!
//! - [`UisShape::Nested`]: the six templates of the Omnidesk guide, verbatim (objects
//!   `contact_info`, `employee_info`, `call_info`, `call_record_file_info`), the Salebot
//!   template for «Потерянный звонок», and for «Входящий звонок на виртуальный номер», which
//!   Omnidesk does not configure, a template in the same style with that event's variables
//!   (reference A.6.2 #1, plus `direction` and `call_source`, which every `call_info` has).
//! - [`UisShape::Flat`]: the four Usedesk templates verbatim; the other event types flat with
//!   the variables of reference A.6.2.
//! - [`UisShape::Query`]: GET notifications: the three EnvyCRM query templates verbatim; the
//!   other event types in the same style with the A.6.2 variables.
//!
//! `notification_mnemonic` values are not documented anywhere (reference, open question 4);
//! the simulator fills the variable with its own codes from [`UisEvent::mnemonic`] so that
//! nobody can mistake them for real ones: receivers must not depend on them.

use serde::{Deserialize, Serialize};

/// A family of templates, as one integrator writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UisShape {
    /// Omnidesk-style nested JSON.
    #[default]
    Nested,
    /// Usedesk-style flat JSON.
    Flat,
    /// EnvyCRM-style GET query strings.
    Query,
}

impl UisShape {
    /// Every shape, for drawing one.
    pub const ALL: [Self; 3] = [Self::Nested, Self::Flat, Self::Query];
}

/// A UIS event type (LK «Тип события»).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UisEvent {
    /// «Входящий звонок на виртуальный номер».
    IncomingCall,
    /// «Исходящий звонок».
    OutgoingCall,
    /// «Ожидание ответа»: a leg rings.
    WaitingAnswer,
    /// «Начало разговора».
    TalkStarted,
    /// «Окончание разговора».
    TalkFinished,
    /// «Завершение звонка».
    CallFinished,
    /// «Потерянный звонок».
    LostCall,
    /// «Записанный разговор».
    CallRecorded,
}

impl UisEvent {
    /// The `{kind}` of the relay URL this event type is configured with.
    pub fn kind(self) -> &'static str {
        match self {
            Self::IncomingCall | Self::OutgoingCall => "started",
            Self::WaitingAnswer => "ringing",
            Self::TalkStarted => "answered",
            Self::TalkFinished => "leg_ended",
            Self::CallFinished | Self::LostCall => "ended",
            Self::CallRecorded => "recording",
        }
    }

    /// The event type's name in the cabinet.
    pub fn lk_name(self) -> &'static str {
        match self {
            Self::IncomingCall => "Входящий звонок на виртуальный номер",
            Self::OutgoingCall => "Исходящий звонок",
            Self::WaitingAnswer => "Ожидание ответа",
            Self::TalkStarted => "Начало разговора",
            Self::TalkFinished => "Окончание разговора",
            Self::CallFinished => "Завершение звонка",
            Self::LostCall => "Потерянный звонок",
            Self::CallRecorded => "Записанный разговор",
        }
    }

    /// The simulator's stand-in for `notification_mnemonic` (real values are unknown).
    pub fn mnemonic(self) -> &'static str {
        match self {
            Self::IncomingCall => "sim_incoming_call",
            Self::OutgoingCall => "sim_outgoing_call",
            Self::WaitingAnswer => "sim_waiting_answer",
            Self::TalkStarted => "sim_talk_started",
            Self::TalkFinished => "sim_talk_finished",
            Self::CallFinished => "sim_call_finished",
            Self::LostCall => "sim_lost_call",
            Self::CallRecorded => "sim_call_recorded",
        }
    }
}

/// How a template's text is filled and sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateFormat {
    /// POST with a JSON body.
    Json,
    /// GET with a query string.
    Query,
}

/// One configured notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    /// «Название уведомления», the value of `notification_name`.
    pub name: &'static str,
    /// JSON body or query string.
    pub format: TemplateFormat,
    /// The body template with `{{variable}}` placeholders.
    pub text: &'static str,
}

const fn json(name: &'static str, text: &'static str) -> Template {
    Template {
        name,
        format: TemplateFormat::Json,
        text,
    }
}

const fn query(name: &'static str, text: &'static str) -> Template {
    Template {
        name,
        format: TemplateFormat::Query,
        text,
    }
}

/// The template an account of `shape` has configured for `event`.
pub fn template(shape: UisShape, event: UisEvent) -> Template {
    use UisEvent::*;
    match (shape, event) {
        (UisShape::Nested, IncomingCall) => json("Входящий звонок", NESTED_INCOMING),
        (UisShape::Nested, OutgoingCall) => json("Исходящий звонок", OMNIDESK_OUTGOING_CALL),
        (UisShape::Nested, WaitingAnswer) => json("Исходящее плечо", OMNIDESK_OUTGOING_LEG),
        (UisShape::Nested, TalkStarted) => json("Поднятие трубки", OMNIDESK_PICKUP),
        (UisShape::Nested, TalkFinished) => json("Завершение плеча", OMNIDESK_LEG_END),
        (UisShape::Nested, CallFinished) => json("Завершение звонка", OMNIDESK_CALL_END),
        (UisShape::Nested, LostCall) => json("Потерянный звонок", SALEBOT_LOST),
        (UisShape::Nested, CallRecorded) => json("Записанный разговор", OMNIDESK_RECORD),
        (UisShape::Flat, IncomingCall) => {
            json("Входящий звонок на виртуальный номер", USEDESK_INCOMING)
        }
        (UisShape::Flat, OutgoingCall) => json("Исходящий звонок", USEDESK_OUTGOING),
        (UisShape::Flat, WaitingAnswer) => json("Ожидание ответа", FLAT_WAITING_ANSWER),
        (UisShape::Flat, TalkStarted) => json("Начало разговора", USEDESK_TALK_STARTED),
        (UisShape::Flat, TalkFinished) => json("Окончание разговора", FLAT_TALK_FINISHED),
        (UisShape::Flat, CallFinished) => json("Завершение звонка", USEDESK_CALL_FINISHED),
        (UisShape::Flat, LostCall) => json("Потерянный звонок", FLAT_LOST),
        (UisShape::Flat, CallRecorded) => json("Записанный разговор", FLAT_RECORDED),
        (UisShape::Query, IncomingCall) => query("Входящий звонок", ENVY_INCOMING),
        (UisShape::Query, OutgoingCall) => query("Исходящий звонок", ENVY_OUTGOING),
        (UisShape::Query, WaitingAnswer) => query("Ожидание ответа", QUERY_WAITING_ANSWER),
        (UisShape::Query, TalkStarted) => query("Начало разговора", QUERY_TALK_STARTED),
        (UisShape::Query, TalkFinished) => query("Окончание разговора", QUERY_TALK_FINISHED),
        (UisShape::Query, CallFinished) => query("Завершение звонка", ENVY_CALL_END),
        (UisShape::Query, LostCall) => query("Потерянный звонок", QUERY_LOST),
        (UisShape::Query, CallRecorded) => query("Записанный разговор", QUERY_RECORDED),
    }
}

// --- Templates from the seed guides, verbatim (trailing spaces trimmed). ---

/// Omnidesk «Поднятие трубки» (sent for «Начало разговора»).
pub const OMNIDESK_PICKUP: &str = r#"{ "notification_name":{{notification_name}}, "virtual_phone_number":{{virtual_phone_number}}, "notification_time":{{notification_time}}, "external_id": {{external_id}}, "contact_info":{ "contact_phone_number":{{contact_phone_number}}, "communication_number":{{communication_number}}, "contact_id": {{contact_id}}, "contact_full_name": {{contact_full_name}} }, "employee_info": { "employee_full_name": {{employee_full_name}}, "employee_id": {{employee_id}} }, "call_info": { "call_source": {{call_source}}, "direction": {{direction}}, "call_session_id":{{call_session_id}}, "scenario_name": {{scenario_name}}, "talk_time_duration": {{talk_time_duration}}, "total_time_duration": {{total_time_duration}}, "wait_time_duration": {{wait_time_duration}}, "tag_names": {{tag_names}}, "is_lost" : {{is_lost}} }, "call_record_file_info": { "file_link": {{file_link}}, "call_record_duration": {{file_duration}} }, "leg_id": {{leg_id}}, "leg_ids": {{leg_ids}} }"#;

/// Omnidesk «Завершение плеча» (sent for «Окончание разговора»).
pub const OMNIDESK_LEG_END: &str = r#"{ "notification_name":{{notification_name}}, "virtual_phone_number":{{virtual_phone_number}}, "notification_time":{{notification_time}}, "external_id": {{external_id}}, "contact_info":{ "contact_phone_number":{{contact_phone_number}}, "communication_number":{{communication_number}}, "contact_id": {{contact_id}}, "contact_full_name": {{contact_full_name}} }, "employee_info": { "employee_full_name": {{employee_full_name}}, "employee_id": {{employee_id}} }, "call_info": { "call_source": {{call_source}}, "direction": {{direction}}, "call_session_id":{{call_session_id}}, "scenario_name": {{scenario_name}}, "is_operator":{{is_operator}}, "talk_time_duration": {{talk_time_duration}}, "total_time_duration": {{total_time_duration}}, "wait_time_duration": {{wait_time_duration}}, "tag_names": {{tag_names}}, "is_lost" : {{is_lost}} }, "call_record_file_info": { "file_link": {{file_link}}, "call_record_duration": {{file_duration}} }, "leg_id": {{leg_id}}, "leg_ids": {{leg_ids}} }"#;

/// Omnidesk «Завершение звонка».
pub const OMNIDESK_CALL_END: &str = r#"{ "notification_name":{{notification_name}}, "virtual_phone_number":{{virtual_phone_number}}, "notification_time":{{notification_time}}, "external_id": {{external_id}}, "contact_info":{ "contact_phone_number":{{contact_phone_number}}, "communication_number":{{communication_number}}, "contact_id": {{contact_id}}, "contact_full_name": {{contact_full_name}} }, "employee_info": { "employee_full_name": {{employee_full_name}}, "employee_id": {{employee_id}} }, "call_info": { "call_source": {{call_source}}, "direction": {{direction}}, "call_session_id":{{call_session_id}}, "scenario_name": {{scenario_name}}, "talk_time_duration": {{talk_time_duration}}, "total_time_duration": {{total_time_duration}}, "wait_time_duration": {{wait_time_duration}}, "tag_names": {{tag_names}}, "is_lost" : {{is_lost}} }, "call_record_file_info": { "file_link": {{file_link}}, "call_record_duration": {{file_duration}} }, "leg_id": {{leg_id}}, "leg_ids": {{leg_ids}}, "last_scenario_operation_name":{{last_scenario_operation_name}}, "group_ids":{{group_ids}} }"#;

/// Omnidesk «Записанный разговор».
pub const OMNIDESK_RECORD: &str = r#"{ "notification_name":{{notification_name}}, "virtual_phone_number":{{virtual_phone_number}}, "notification_time":{{notification_time}}, "external_id": {{external_id}}, "contact_info":{ "contact_phone_number":{{contact_phone_number}}, "communication_number":{{communication_number}}, "contact_id": {{contact_id}}, "contact_full_name": {{contact_full_name}} }, "employee_info": { "employee_full_name": {{employee_full_name}}, "employee_id": {{employee_id}} }, "call_info": { "call_source": {{call_source}}, "direction": {{direction}}, "call_session_id":{{call_session_id}}, "scenario_name": {{scenario_name}}, "talk_time_duration": {{talk_time_duration}}, "total_time_duration": {{total_time_duration}}, "wait_time_duration": {{wait_time_duration}}, "tag_names": {{tag_names}}, "is_lost" : {{is_lost}} }, "call_record_file_info": { "file_link": {{file_link}}, "call_record_duration": {{file_duration}}, "record_file_links": {{record_file_links}} }, "leg_id": {{leg_id}}, "leg_ids": {{leg_ids}} }"#;

/// Omnidesk «Исходящее плечо» (sent for «Ожидание ответа»: the PBX dials a leg out).
pub const OMNIDESK_OUTGOING_LEG: &str = r#"{ "notification_name":{{notification_name}}, "virtual_phone_number":{{virtual_phone_number}}, "notification_time":{{notification_time}}, "external_id": {{external_id}}, "contact_info":{ "contact_phone_number":{{contact_phone_number}}, "communication_number":{{communication_number}}, "contact_id": {{contact_id}}, "contact_full_name": {{contact_full_name}} }, "employee_info": { "employee_full_name": {{employee_full_name}}, "employee_id": {{employee_id}} }, "call_info": { "call_source": {{call_source}}, "direction": {{direction}}, "call_session_id":{{call_session_id}}, "scenario_name": {{scenario_name}}, "talk_time_duration": {{talk_time_duration}}, "total_time_duration": {{total_time_duration}}, "wait_time_duration": {{wait_time_duration}}, "tag_names": {{tag_names}}, "is_lost" : {{is_lost}} }, "call_record_file_info": { "file_link": {{file_link}}, "call_record_duration": {{file_duration}} }, "leg_id": {{leg_id}}, "leg_ids": {{leg_ids}} }"#;

/// Omnidesk «Исходящий звонок».
pub const OMNIDESK_OUTGOING_CALL: &str = r#"{ "notification_name":{{notification_name}}, "virtual_phone_number":{{virtual_phone_number}}, "notification_time":{{notification_time}}, "external_id": {{external_id}}, "contact_info":{ "contact_phone_number":{{contact_phone_number}}, "communication_number":{{communication_number}}, "contact_id": {{contact_id}}, "contact_full_name": {{contact_full_name}} }, "employee_info": { "employee_full_name": {{employee_full_name}}, "employee_id": {{employee_id}} }, "call_info": { "call_source": {{call_source}}, "direction": {{direction}}, "call_session_id":{{call_session_id}}, "scenario_name": {{scenario_name}}, "talk_time_duration": {{talk_time_duration}}, "total_time_duration": {{total_time_duration}}, "wait_time_duration": {{wait_time_duration}}, "tag_names": {{tag_names}}, "is_lost" : {{is_lost}} }, "call_record_file_info": { "file_link": {{file_link}}, "call_record_duration": {{file_duration}} }, "leg_id": {{leg_id}}, "leg_ids": {{leg_ids}} }"#;

/// Usedesk «Входящий звонок на виртуальный номер».
pub const USEDESK_INCOMING: &str = r#"{
"ud_channel_token":"ud-7c1f9a52e04b4b8d",
"app_id":{{app_id}},
"call_session_id":{{call_session_id}},
"call_source":{{call_source}},
"called_phone_number":{{called_phone_number}},
"calling_phone_number":{{calling_phone_number}},
"communication_id":{{communication_id}},
"communication_type":{{communication_type}},
"contact_full_name":{{contact_full_name}},
"contact_group_ids":{{contact_group_ids}},
"contact_id":{{contact_id}},
"contact_phone_number":{{contact_phone_number}},
"cpn_region_id":{{cpn_region_id}},
"cpn_region_name":{{cpn_region_name}},
"direction":{{direction}},
"external_id":{{external_id}},
"notification_mnemonic":{{notification_mnemonic}},
"notification_name":{{notification_name}},
"notification_time":{{notification_time}},
"notification_timestamp":{{notification_timestamp}},
"scenario_id":{{scenario_id}},
"scenario_name":{{scenario_name}},
"start_time":{{start_time}},
"tp_project":{{tp_project}},
"virtual_phone_number":{{virtual_phone_number}},
"visitor_country":{{visitor_country}}
}"#;

/// Usedesk «Исходящий звонок».
pub const USEDESK_OUTGOING: &str = r#"{
"ud_channel_token":"ud-7c1f9a52e04b4b8d",
"app_id":{{app_id}},
"call_session_id":{{call_session_id}},
"call_source":{{call_source}},
"called_phone_number":{{called_phone_number}},
"calling_phone_number":{{calling_phone_number}},
"communication_id":{{communication_id}},
"communication_type":{{communication_type}},
"contact_full_name":{{contact_full_name}},
"contact_group_ids":{{contact_group_ids}},
"contact_id":{{contact_id}},
"contact_phone_number":{{contact_phone_number}},
"cpn_region_id":{{cpn_region_id}},
"cpn_region_name":{{cpn_region_name}},
"direction":{{direction}},
"employee_full_name":{{employee_full_name}},
"employee_group_ids":{{employee_group_ids}},
"employee_id":{{employee_id}},
"employee_phone_number":{{employee_phone_number}},
"extension_phone_number":{{extension_phone_number}},
"external_id":{{external_id}},
"notification_mnemonic":{{notification_mnemonic}},
"notification_name":{{notification_name}},
"notification_time":{{notification_time}},
"notification_timestamp":{{notification_timestamp}},
"start_time":{{start_time}},
"tp_project":{{tp_project}},
"virtual_phone_number":{{virtual_phone_number}},
"visitor_country":{{visitor_country}}
}"#;

/// Usedesk «Начало разговора».
pub const USEDESK_TALK_STARTED: &str = r#"{
"ud_channel_token":"ud-7c1f9a52e04b4b8d",
"answer_time":{{answer_time}},
"app_id":{{app_id}},
"call_session_id":{{call_session_id}},
"call_source":{{call_source}},
"called_phone_number":{{called_phone_number}},
"calling_phone_number":{{calling_phone_number}},
"communication_id":{{communication_id}},
"communication_type":{{communication_type}},
"contact_full_name":{{contact_full_name}},
"contact_group_ids":{{contact_group_ids}},
"contact_id":{{contact_id}},
"contact_phone_number":{{contact_phone_number}},
"cpn_region_id":{{cpn_region_id}},
"cpn_region_name":{{cpn_region_name}},
"direction":{{direction}},
"employee_full_name":{{employee_full_name}},
"employee_group_ids":{{employee_group_ids}},
"employee_id":{{employee_id}},
"employee_phone_number":{{employee_phone_number}},
"extension_phone_number":{{extension_phone_number}},
"external_id":{{external_id}},
"leg_ids":{{leg_ids}},
"notification_mnemonic":{{notification_mnemonic}},
"notification_name":{{notification_name}},
"notification_time":{{notification_time}},
"notification_timestamp":{{notification_timestamp}},
"scenario_id":{{scenario_id}},
"scenario_name":{{scenario_name}},
"start_time":{{start_time}},
"tp_project":{{tp_project}},
"virtual_phone_number":{{virtual_phone_number}},
"visitor_country":{{visitor_country}}
}"#;

/// Usedesk «Завершение звонка».
pub const USEDESK_CALL_FINISHED: &str = r#"{
"ud_channel_token":"ud-7c1f9a52e04b4b8d",
"app_id":{{app_id}},
"call_session_id":{{call_session_id}},
"call_source":{{call_source}},
"called_phone_number":{{called_phone_number}},
"calling_phone_number":{{calling_phone_number}},
"clean_talk_time_duration":{{clean_talk_time_duration}},
"communication_id":{{communication_id}},
"communication_type":{{communication_type}},
"connection_time":{{connection_time}},
"contact_full_name":{{contact_full_name}},
"contact_group_ids":{{contact_group_ids}},
"contact_id":{{contact_id}},
"contact_phone_number":{{contact_phone_number}},
"cpn_region_id":{{cpn_region_id}},
"cpn_region_name":{{cpn_region_name}},
"direction":{{direction}},
"employee_full_name":{{employee_full_name}},
"employee_full_names":{{employee_full_names}},
"employee_group_ids":{{employee_group_ids}},
"employee_id":{{employee_id}},
"employee_ids":{{employee_ids}},
"employee_phone_number":{{employee_phone_number}},
"extension_phone_number":{{extension_phone_number}},
"external_id":{{external_id}},
"finish_reason":{{finish_reason}},
"finish_time":{{finish_time}},
"first_answered_employee_full_name":{{first_answered_employee_full_name}},
"first_answered_employee_id":{{first_answered_employee_id}},
"first_talked_employee_full_name":{{first_talked_employee_full_name}},
"first_talked_employee_id":{{first_talked_employee_id}},
"group_ids":{{group_ids}},
"is_lost":{{is_lost}},
"is_transfer":{{is_transfer}},
"last_answered_employee_full_name":{{last_answered_employee_full_name}},
"last_answered_employee_id":{{last_answered_employee_id}},
"last_scenario_operation_id":{{last_scenario_operation_id}},
"last_scenario_operation_name":{{last_scenario_operation_name}},
"last_talked_employee_full_name":{{last_talked_employee_full_name}},
"last_talked_employee_id":{{last_talked_employee_id}},
"lost_reason":{{lost_reason}},
"noanswered_employee_full_names":{{noanswered_employee_full_names}},
"notification_mnemonic":{{notification_mnemonic}},
"notification_name":{{notification_name}},
"notification_time":{{notification_time}},
"notification_timestamp":{{notification_timestamp}},
"operator_rating":{{operator_rating}},
"postprocess_time_duration":{{postprocess_time_duration}},
"record_file_links":{{record_file_links}},
"scenario_id":{{scenario_id}},
"scenario_name":{{scenario_name}},
"scenario_operation_ids":{{scenario_operation_ids}},
"scenario_operation_names":{{scenario_operation_names}},
"start_time":{{start_time}},
"tag_ids":{{tag_ids}},
"tag_names":{{tag_names}},
"talk_time_duration":{{talk_time_duration}},
"talked_employee_full_names":{{talked_employee_full_names}},
"toc_group_ids":{{toc_group_ids}},
"total_time_duration":{{total_time_duration}},
"total_wait_time_duration":{{total_wait_time_duration}},
"tp_project":{{tp_project}},
"virtual_phone_number":{{virtual_phone_number}},
"visitor_country":{{visitor_country}},
"wait_time_duration":{{wait_time_duration}}
}"#;

/// Salebot «Потерянный звонок» (the A.6.2 lost-call variables, contact nested).
pub const SALEBOT_LOST: &str = r#"{ "external_id":{{external_id}},
"notification_name":{{notification_name}},
"virtual_phone_number":{{virtual_phone_number}},
"notification_time":{{notification_time}},
"scenario_name": {{scenario_name}},
"wait_time_duration" : {{wait_time_duration}},
"employee_ids":{{employee_ids}},
"contact_info":{
"contact_phone_number":{{contact_phone_number}},
"communication_number":{{communication_number}},
"contact_id": {{contact_id}}, "contact_full_name":{{contact_full_name}}
},
"call_session_id":{{call_session_id}}
}"#;

/// EnvyCRM «Входящий звонок» (GET).
pub const ENVY_INCOMING: &str = r#"event=call_start
&direction={{direction}}
&line_number={{virtual_phone_number}}
&client_number={{contact_phone_number}}
&call_hash={{call_session_id}}"#;

/// EnvyCRM «Исходящий звонок» (GET).
pub const ENVY_OUTGOING: &str = r#"event=call_start
&direction={{direction}}
&line_number={{virtual_phone_number}}
&client_number={{contact_phone_number}}
&extension={{employee_phone_number}}
&call_hash={{call_session_id}}"#;

/// EnvyCRM «Завершение звонка» (GET).
pub const ENVY_CALL_END: &str = r#"event=call_end
&line_number={{virtual_phone_number}}
&client_number={{contact_phone_number}}
&extension={{employee_phone_number}}
&call_hash={{call_session_id}}
&direction={{direction}}
&talk_time_duration={{talk_time_duration}}
&record_links={{record_file_links}}"#;

// --- The event types the guides do not configure, with the variables of reference A.6.2. ---

/// «Входящий звонок на виртуальный номер» in the Omnidesk style (A.6.2 #1).
pub const NESTED_INCOMING: &str = r#"{ "notification_name":{{notification_name}}, "notification_mnemonic":{{notification_mnemonic}}, "virtual_phone_number":{{virtual_phone_number}}, "notification_time":{{notification_time}}, "external_id": {{external_id}}, "contact_info":{ "contact_phone_number":{{contact_phone_number}}, "communication_number":{{communication_number}}, "contact_id": {{contact_id}}, "contact_full_name": {{contact_full_name}} }, "call_info": { "call_source": {{call_source}}, "direction": {{direction}}, "call_session_id":{{call_session_id}}, "scenario_name": {{scenario_name}} } }"#;

/// «Ожидание ответа», flat (A.6.2 #3).
pub const FLAT_WAITING_ANSWER: &str = r#"{
"notification_name":{{notification_name}},
"notification_mnemonic":{{notification_mnemonic}},
"virtual_phone_number":{{virtual_phone_number}},
"notification_time":{{notification_time}},
"external_id":{{external_id}},
"contact_phone_number":{{contact_phone_number}},
"contact_id":{{contact_id}},
"employee_full_name":{{employee_full_name}},
"employee_id":{{employee_id}},
"call_source":{{call_source}},
"call_session_id":{{call_session_id}},
"direction":{{direction}},
"leg_id":{{leg_id}}
}"#;

/// «Окончание разговора», flat (A.6.2 #5).
pub const FLAT_TALK_FINISHED: &str = r#"{
"notification_name":{{notification_name}},
"notification_mnemonic":{{notification_mnemonic}},
"virtual_phone_number":{{virtual_phone_number}},
"notification_time":{{notification_time}},
"external_id":{{external_id}},
"contact_phone_number":{{contact_phone_number}},
"communication_number":{{communication_number}},
"employee_full_name":{{employee_full_name}},
"employee_id":{{employee_id}},
"call_source":{{call_source}},
"call_session_id":{{call_session_id}},
"direction":{{direction}},
"scenario_name":{{scenario_name}},
"talk_time_duration":{{talk_time_duration}},
"leg_ids":{{leg_ids}}
}"#;

/// «Потерянный звонок», flat (A.6.2 #7).
pub const FLAT_LOST: &str = r#"{
"notification_name":{{notification_name}},
"notification_mnemonic":{{notification_mnemonic}},
"virtual_phone_number":{{virtual_phone_number}},
"notification_time":{{notification_time}},
"scenario_name":{{scenario_name}},
"wait_time_duration":{{wait_time_duration}},
"employee_ids":{{employee_ids}},
"contact_phone_number":{{contact_phone_number}},
"communication_number":{{communication_number}},
"contact_id":{{contact_id}},
"contact_full_name":{{contact_full_name}},
"call_session_id":{{call_session_id}}
}"#;

/// «Записанный разговор», flat (A.6.2 #8).
pub const FLAT_RECORDED: &str = r#"{
"notification_name":{{notification_name}},
"notification_mnemonic":{{notification_mnemonic}},
"virtual_phone_number":{{virtual_phone_number}},
"notification_time":{{notification_time}},
"scenario_name":{{scenario_name}},
"contact_phone_number":{{contact_phone_number}},
"communication_number":{{communication_number}},
"contact_id":{{contact_id}},
"contact_full_name":{{contact_full_name}},
"call_session_id":{{call_session_id}},
"employee_full_name":{{employee_full_name}},
"employee_id":{{employee_id}},
"file_link":{{file_link}},
"file_duration":{{file_duration}},
"tag_ids":{{tag_ids}},
"tag_names":{{tag_names}}
}"#;

/// «Ожидание ответа», GET (EnvyCRM style, A.6.2 #3 variables).
pub const QUERY_WAITING_ANSWER: &str = "event=call_ringing
&direction={{direction}}
&line_number={{virtual_phone_number}}
&client_number={{contact_phone_number}}
&extension={{employee_phone_number}}
&employee_id={{employee_id}}
&employee_full_name={{employee_full_name}}
&leg_id={{leg_id}}
&call_hash={{call_session_id}}";

/// «Начало разговора», GET (EnvyCRM style, A.6.2 #4 variables).
pub const QUERY_TALK_STARTED: &str = "event=call_answer
&direction={{direction}}
&line_number={{virtual_phone_number}}
&client_number={{contact_phone_number}}
&extension={{employee_phone_number}}
&employee_id={{employee_id}}
&employee_full_name={{employee_full_name}}
&leg_ids={{leg_ids}}
&call_hash={{call_session_id}}";

/// «Окончание разговора», GET (EnvyCRM style, A.6.2 #5 variables).
pub const QUERY_TALK_FINISHED: &str = "event=leg_end
&direction={{direction}}
&line_number={{virtual_phone_number}}
&client_number={{contact_phone_number}}
&extension={{employee_phone_number}}
&employee_id={{employee_id}}
&talk_time_duration={{talk_time_duration}}
&leg_ids={{leg_ids}}
&call_hash={{call_session_id}}";

/// «Потерянный звонок», GET (EnvyCRM style, A.6.2 #7 variables).
pub const QUERY_LOST: &str = "event=call_lost
&line_number={{virtual_phone_number}}
&client_number={{contact_phone_number}}
&wait_time_duration={{wait_time_duration}}
&employee_ids={{employee_ids}}
&call_hash={{call_session_id}}";

/// «Записанный разговор», GET (EnvyCRM style, A.6.2 #8 variables).
pub const QUERY_RECORDED: &str = "event=call_record
&line_number={{virtual_phone_number}}
&client_number={{contact_phone_number}}
&extension={{employee_phone_number}}
&employee_id={{employee_id}}
&file_link={{file_link}}
&file_duration={{file_duration}}
&call_hash={{call_session_id}}";
