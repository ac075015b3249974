//! «Открывать контакт при ответе» (seed 003 point 2): when this agent answers an incoming
//! call, the main window shows the caller's contact, or the new-contact form prefilled with
//! the number when no contact knows it — once per call.
//!
//! The decision lives in the shell's event pump, not in the card window: the card window may
//! stay hidden (popup mode «never» or «on answer» with a card never shown), and the pump sees
//! every update exactly once, including whether it is live or replayed after a reconnect.

use std::collections::VecDeque;

use crate::dto::CardDto;
use crate::dto::calls::CardStateDto;

/// How many answered calls are remembered. A call is answered once and ends within hours, so
/// a few hundred cover every call that can still send updates; the oldest is forgotten first.
const REMEMBERED_CALLS: usize = 512;

/// The calls this agent answered that were already seen by the pump, so that a call opens the
/// main window at most once however many updates it sends.
#[derive(Debug, Default)]
pub struct AnswerWatch {
    seen: VecDeque<String>,
}

impl AnswerWatch {
    /// What to open in the main window for this card update (the `open-in-main` target), if
    /// anything: only the first update saying this agent answered an incoming call, only when
    /// it is live and the preference is on. A replayed answer is remembered too, so a call
    /// answered while the app was away does not open the contact when it goes on live.
    pub fn target(&mut self, card: &CardDto, live: bool, enabled: bool) -> Option<String> {
        if card.state != CardStateDto::AnsweredHere || card.call.direction != "in" {
            return None;
        }
        if self.seen.iter().any(|id| *id == card.call.call_id) {
            return None;
        }
        if self.seen.len() >= REMEMBERED_CALLS {
            self.seen.pop_front();
        }
        self.seen.push_back(card.call.call_id.clone());
        if live && enabled {
            contact_target(card)
        } else {
            None
        }
    }
}

/// The card's own «Открыть контакт» / «+ Создать контакт» target: the best matching contact,
/// else the new-contact form with the call and its number; nothing for a hidden number.
pub fn contact_target(card: &CardDto) -> Option<String> {
    if let Some(id) = card.contact_id {
        return Some(format!("contact:{id}"));
    }
    let number = card
        .call
        .phone
        .as_deref()
        .unwrap_or(card.call.phone_raw.trim());
    (!number.is_empty()).then(|| format!("new-contact:{}|{number}", card.call.call_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::calls::CallDto;

    fn card(id: &str, state: CardStateDto, contact: Option<i64>) -> CardDto {
        let call = CallDto {
            call_id: id.to_owned(),
            provider: Some("uis".to_owned()),
            direction: "in".to_owned(),
            status: "talking".to_owned(),
            outcome: None,
            missed: false,
            phone: Some("+79261234567".to_owned()),
            phone_raw: "79261234567".to_owned(),
            number: "+7 926 123-45-67".to_owned(),
            name: None,
            line: None,
            started_at: "2026-12-07T10:00:00+00:00".to_owned(),
            answered_at: None,
            ended_at: None,
            wait: None,
            talk: None,
            answered_by: None,
            answered_legs: Vec::new(),
            recordings: Vec::new(),
            scenario: None,
            tags: Vec::new(),
        };
        CardDto {
            call,
            state,
            withdrawn: false,
            title: "Клиент".to_owned(),
            number: "+7 926 123-45-67".to_owned(),
            contact_id: contact,
            company: None,
            explanation: None,
            team_contact: false,
            updated_by: None,
            updated_at: None,
            from_crm: false,
            crm_url: None,
            several_matches: false,
            fields: Vec::new(),
            recent_calls: Vec::new(),
            followup: None,
            received_ms: 0,
        }
    }

    #[test]
    fn answered_here_opens_the_contact_once() {
        let mut watch = AnswerWatch::default();
        let ringing = card("uis:1", CardStateDto::RingingHere, Some(7));
        assert_eq!(watch.target(&ringing, true, true), None);
        let answered = card("uis:1", CardStateDto::AnsweredHere, Some(7));
        assert_eq!(
            watch.target(&answered, true, true).as_deref(),
            Some("contact:7")
        );
        // Later updates of the same call (a transfer notice, the recording) open nothing.
        assert_eq!(watch.target(&answered, true, true), None);
        let ended = card("uis:1", CardStateDto::Ended, Some(7));
        assert_eq!(watch.target(&ended, true, true), None);
    }

    #[test]
    fn an_unknown_caller_opens_the_new_contact_form_with_the_number() {
        let mut watch = AnswerWatch::default();
        let answered = card("uis:2", CardStateDto::AnsweredHere, None);
        assert_eq!(
            watch.target(&answered, true, true).as_deref(),
            Some("new-contact:uis:2|+79261234567")
        );
        let mut hidden = card("uis:3", CardStateDto::AnsweredHere, None);
        hidden.call.phone = None;
        hidden.call.phone_raw = " ".to_owned();
        assert_eq!(watch.target(&hidden, true, true), None);
    }

    #[test]
    fn a_colleagues_answer_opens_nothing() {
        let mut watch = AnswerWatch::default();
        for state in [
            CardStateDto::AnsweredElsewhere,
            CardStateDto::Talking,
            CardStateDto::Missed,
        ] {
            assert_eq!(
                watch.target(&card("uis:4", state, Some(7)), true, true),
                None
            );
        }
    }

    #[test]
    fn an_answered_outgoing_call_opens_nothing() {
        let mut watch = AnswerWatch::default();
        let mut out = card("uis:5", CardStateDto::AnsweredHere, Some(7));
        out.call.direction = "out".to_owned();
        assert_eq!(watch.target(&out, true, true), None);
    }

    #[test]
    fn a_replayed_answer_opens_nothing_then_or_when_it_goes_on_live() {
        let mut watch = AnswerWatch::default();
        let answered = card("uis:6", CardStateDto::AnsweredHere, Some(7));
        assert_eq!(watch.target(&answered, false, true), None);
        // After the replay the ongoing call is sent again as live.
        assert_eq!(watch.target(&answered, true, true), None);
    }

    #[test]
    fn with_the_setting_off_nothing_opens_even_if_it_is_turned_on_mid_call() {
        let mut watch = AnswerWatch::default();
        let answered = card("uis:8", CardStateDto::AnsweredHere, Some(7));
        assert_eq!(watch.target(&answered, true, false), None);
        assert_eq!(watch.target(&answered, true, true), None);
        // The next call, with the setting on, opens.
        let next = card("uis:9", CardStateDto::AnsweredHere, Some(8));
        assert_eq!(
            watch.target(&next, true, true).as_deref(),
            Some("contact:8")
        );
    }

    #[test]
    fn the_memory_is_bounded_and_forgets_the_oldest_call() {
        let mut watch = AnswerWatch::default();
        for i in 0..=REMEMBERED_CALLS {
            let c = card(&format!("uis:{i}"), CardStateDto::AnsweredHere, Some(1));
            assert!(watch.target(&c, true, true).is_some());
        }
        assert_eq!(watch.seen.len(), REMEMBERED_CALLS);
        assert_eq!(watch.seen.front().map(String::as_str), Some("uis:1"));
    }
}
