//! Call cards: what the agent sees about each live call, built from the call's view, the
//! agent's own employee mapping (`/v1/me`) and the address book (team and private contacts
//! alike); for a number no contact knows, what the relay's CRM lookup said about it.
//!
//! "Here" is the agent's own leg: the UIS employee id on UIS calls, the Sipuni extension on
//! Sipuni calls. A card withdraws when a colleague answered and the agent did not.

use rusqlite::Connection;
use serde::Serialize;
use trubka_core::{CallStatus, Direction, PhoneNumber, Provider};
use trubka_protocol::directory::CrmContact;

use crate::calls::CallView;
use crate::contacts::field_label;
use crate::contacts::matching;
use crate::contacts::team::FoundContact;
use crate::numbers::NumberParser;
use crate::relay_api::AgentMe;
use crate::settings::AgentSettings;
use crate::store::{StoreError, calls, directory};

/// Where the call is, from this agent's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardState {
    /// The agent's phone rings.
    RingingHere,
    /// The call rings elsewhere (menu, queue, a colleague's phone) and nobody answered yet.
    Ringing,
    /// An outgoing call is being dialled.
    Dialing,
    /// The agent is talking.
    AnsweredHere,
    /// Someone is talking, and it is not known to be the agent or a colleague.
    Talking,
    /// A colleague answered: the card withdraws.
    AnsweredElsewhere,
    /// The call is over.
    Ended,
    /// An incoming call nobody answered.
    Missed,
}

impl CardState {
    /// Russian words for the terminal view.
    pub fn label(self) -> &'static str {
        match self {
            CardState::RingingHere => "звонит",
            CardState::Ringing => "в очереди",
            CardState::Dialing => "набор номера",
            CardState::AnsweredHere => "разговор",
            CardState::Talking => "идёт разговор",
            CardState::AnsweredElsewhere => "ответил коллега",
            CardState::Ended => "завершён",
            CardState::Missed => "пропущен",
        }
    }
}

/// The state of `view` for agent `me` (no mapping known: nothing is "here" or "elsewhere").
pub fn card_state(view: &CallView, me: Option<&AgentMe>) -> CardState {
    let provider = view.provider.as_deref().and_then(Provider::parse);
    let mine = |leg: &&crate::calls::LegView| {
        me.is_some_and(|me| me.is_me(provider, &leg.employee.to_employee()))
    };
    let my_leg = view.legs.iter().find(mine);
    let someone_else_answered = me.is_some()
        && view
            .legs
            .iter()
            .any(|l| l.answered_at.is_some() && !mine(&l));
    let i_answered = my_leg.is_some_and(|l| l.answered_at.is_some());
    let outgoing = view.direction == Direction::Out;
    if view.is_ended() {
        return if view.talked() && someone_else_answered && !i_answered {
            CardState::AnsweredElsewhere
        } else if view.missed {
            CardState::Missed
        } else {
            CardState::Ended
        };
    }
    // My leg ended while a colleague talks on: I handed the call over (a transfer).
    let i_left = i_answered && my_leg.is_some_and(|l| l.ended_at.is_some());
    if view.status == CallStatus::Talking {
        return if i_left && someone_else_answered {
            CardState::AnsweredElsewhere
        } else if i_answered || (outgoing && (my_leg.is_some() || view.legs.is_empty())) {
            CardState::AnsweredHere
        } else if someone_else_answered {
            CardState::AnsweredElsewhere
        } else {
            CardState::Talking
        };
    }
    if outgoing {
        CardState::Dialing
    } else if my_leg.is_some_and(|l| l.rang_at.is_some() && l.ended_at.is_none())
        || (me.is_none() && !view.legs.is_empty())
    {
        CardState::RingingHere
    } else {
        CardState::Ringing
    }
}

/// One contact field shown on a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardField {
    pub key: String,
    pub label: String,
    pub value: String,
}

/// A call card.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Card {
    pub call: CallView,
    pub state: CardState,
    /// A colleague took the call: hide the card.
    pub withdrawn: bool,
    /// What to call the other party: the best contact's name, else the PBX's name for them,
    /// else the number.
    pub title: String,
    /// The number for people to read (`+7 926 123-45-67`), or what the PBX sent.
    pub number: String,
    /// Every matching contact, best first, each saying whether it is the team's or private.
    pub contacts: Vec<FoundContact>,
    /// What the CRM knows about the number, when no contact matched (the relay's
    /// `call_contact` frame, kept locally).
    pub crm: Vec<CrmContact>,
    /// «Открыть в CRM»: the best contact's CRM link, else the CRM answer's.
    pub crm_url: Option<String>,
    /// More than one contact has this number: the card says so.
    pub several_matches: bool,
    /// The best contact's fields chosen in settings.
    pub fields: Vec<CardField>,
    /// The name the PBX gave, when no contact matched.
    pub pbx_name: Option<String>,
    /// The caller's previous calls, newest first.
    pub recent_calls: Vec<CallView>,
}

/// A caller in one line: `Иван Петров (+7 926 123-45-67)`, or just the number when that is
/// all the title says.
pub fn who(title: &str, number: &str) -> String {
    if title == number {
        number.to_owned()
    } else {
        format!("{title} ({number})")
    }
}

/// The number of a call for people to read.
pub fn display_number(view: &CallView) -> String {
    match view.phone.as_deref().and_then(PhoneNumber::from_e164) {
        Some(number) => number.international(),
        None if view.phone_raw.trim().is_empty() => "скрытый номер".to_owned(),
        None => view.phone_raw.clone(),
    }
}

/// Builds the card of `view`.
pub fn build(
    conn: &Connection,
    parser: &NumberParser,
    settings: &AgentSettings,
    view: CallView,
    now_ms: i64,
) -> Result<Card, StoreError> {
    let keys = match view.phone.as_deref().and_then(PhoneNumber::from_e164) {
        Some(number) => Some(parser.keys_of(&number)),
        None => parser.keys(&view.phone_raw).ok(),
    };
    let contacts = match &keys {
        Some(keys) => matching::find(conn, keys)?,
        None => Vec::new(),
    };
    let recent_calls = match &view.phone {
        Some(e164) if settings.recent_calls > 0 => {
            calls::recent_with(conn, e164, &view.call_id, settings.recent_calls)?
        }
        _ => Vec::new(),
    };
    let crm = match (&keys, contacts.is_empty()) {
        (Some(keys), true) => directory::crm_for(conn, crm_key(keys), now_ms)?,
        _ => Vec::new(),
    };
    let shown = |value: &dyn Fn(&str) -> Option<String>| -> Vec<CardField> {
        settings
            .card_fields
            .iter()
            .filter_map(|key| {
                value(key).map(|value| CardField {
                    key: key.clone(),
                    label: field_label(key).to_owned(),
                    value,
                })
            })
            .collect()
    };
    let fields = match (contacts.first(), crm.first()) {
        (Some(best), _) => shown(&|key| best.contact().field(key).map(str::to_owned)),
        (None, Some(client)) => shown(&|key| crm_field(client, key)),
        (None, None) => Vec::new(),
    };
    let crm_url = match contacts.first() {
        Some(best) => best.meta.crm_url.clone(),
        None => crm.iter().find_map(|c| c.url.clone()),
    };
    let number = display_number(&view);
    let title = contacts
        .first()
        .map(|m| m.contact().display_name().to_owned())
        .or_else(|| {
            crm.first()
                .map(|c| c.name.clone())
                .filter(|n| !n.is_empty())
        })
        .or_else(|| view.pbx_name.clone())
        .unwrap_or_else(|| number.clone());
    let state = card_state(&view, settings.me.as_ref());
    Ok(Card {
        state,
        withdrawn: state == CardState::AnsweredElsewhere,
        title,
        number,
        several_matches: contacts.len() > 1,
        pbx_name: if contacts.is_empty() {
            view.pbx_name.clone()
        } else {
            None
        },
        contacts,
        crm,
        crm_url,
        fields,
        recent_calls,
        call: view,
    })
}

/// The key a CRM answer is kept under: the number in E.164 as the relay's `call_contact`
/// names it, else the text the call carried.
pub fn crm_key(keys: &crate::numbers::NumberKeys) -> &str {
    keys.e164.as_deref().unwrap_or(&keys.raw)
}

/// A card field of a CRM answer: its company and email, else one of its own fields.
fn crm_field(client: &CrmContact, key: &str) -> Option<String> {
    match key {
        "company" => client.company.clone(),
        "email" => client.email.clone(),
        _ => client.fields.get(key).cloned(),
    }
    .filter(|v| !v.trim().is_empty())
}
