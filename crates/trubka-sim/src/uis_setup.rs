//! Which UIS notifications an account has configured, as each integration guide sets them up.
//!
//! A real account sends exactly the notifications its admin created: the seed guides in
//! shared/seeds say which (name, event type, method, body template, URL). The simulator follows
//! them literally, so a test against a profile proves what a call center that followed that
//! guide gets, not what our own setup would send:
//!
//! - [`UisSetup::Trubka`] (default): `trubka-relay uis-templates`, one notification per event
//!   type, each to the URL that names its kind (`/hooks/uis/{token}/{kind}`), in the template
//!   families of [`crate::uis_templates`].
//! - [`UisSetup::Omnidesk`] (seed 003, point 2): six POST notifications to one URL, named
//!   «Поднятие трубки», «Завершение плеча», «Завершение звонка», «Записанный разговор»,
//!   «Исходящее плечо», «Исходящий звонок». The guide shows the event types only in a GIF; we
//!   read them as «Начало разговора», «Окончание разговора», «Завершение звонка»,
//!   «Записанный разговор», «Ожидание ответа» and «Исходящий звонок» (docs/protocol.md). No
//!   notification for an incoming call's start.
//! - [`UisSetup::Usedesk`] (seed 001): four POST notifications, each to its own URL whose last
//!   word names it (`incoming_call_started`, `outgoing_call_started`, `conversation_started`,
//!   `call_finished`).
//! - [`UisSetup::Salebot`] (seed 000): one POST notification with the guide's flat template, to
//!   one URL. The guide names neither the notification nor its event type; its variables are
//!   exactly those of «Потерянный звонок» (reference A.6.2 #7), so that is the event type here,
//!   and the name is the admin's own («Salebot»), which tells the relay nothing.
//! - [`UisSetup::SalebotAll`]: the other plausible reading of seed 000 («после совершения
//!   звонка … будут приходить следующие уведомления», plural): the same template and name on
//!   every event type whose variables it uses: the starts, the end and the lost call.
//! - [`UisSetup::Envycrm`] (seed 004, step 3): three GET notifications to one URL: «Входящий
//!   звонок», «Исходящий звонок», «Завершение звонка», with `event=call_start|call_end` and
//!   `extension={{employee_phone_number}}`.

use std::{fmt, str::FromStr};

use crate::uis_templates::{self, Template, UisEvent, UisShape};

/// An account's notification setup, after one integration guide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UisSetup {
    /// What `trubka-relay uis-templates` prints.
    #[default]
    Trubka,
    /// Seed 003.
    Omnidesk,
    /// Seed 001.
    Usedesk,
    /// Seed 000.
    Salebot,
    /// Seed 000, read as the template on several event types.
    SalebotAll,
    /// Seed 004.
    Envycrm,
}

impl UisSetup {
    /// Every setup, in `--uis-setup` order.
    pub const ALL: [Self; 6] = [
        Self::Trubka,
        Self::Omnidesk,
        Self::Usedesk,
        Self::Salebot,
        Self::SalebotAll,
        Self::Envycrm,
    ];

    /// The name `--uis-setup` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trubka => "trubka",
            Self::Omnidesk => "omnidesk",
            Self::Usedesk => "usedesk",
            Self::Salebot => "salebot",
            Self::SalebotAll => "salebot-all",
            Self::Envycrm => "envycrm",
        }
    }

    /// The notification the account has for `event`, if any. `shape` is the template family
    /// a call of the default setup was drawn with (the seed setups have one family each);
    /// `lost_call_notification` whether the default setup also has «Потерянный звонок».
    pub fn notification(
        self,
        event: UisEvent,
        shape: UisShape,
        lost_call_notification: bool,
    ) -> Option<Configured> {
        use UisEvent::*;
        use uis_templates::*;
        let json = |name, text| Template {
            name,
            format: TemplateFormat::Json,
            text,
        };
        let query = |name, text| Template {
            name,
            format: TemplateFormat::Query,
            text,
        };
        let single = |template| {
            Some(Configured {
                template,
                path: None,
            })
        };
        let word = |template, word| {
            Some(Configured {
                template,
                path: Some(word),
            })
        };
        match self {
            Self::Trubka => {
                if event == LostCall && !lost_call_notification {
                    return None;
                }
                Some(Configured {
                    template: template(shape, event),
                    path: Some(event.kind()),
                })
            }
            Self::Omnidesk => match event {
                TalkStarted => single(json("Поднятие трубки", OMNIDESK_PICKUP)),
                TalkFinished => single(json("Завершение плеча", OMNIDESK_LEG_END)),
                CallFinished => single(json("Завершение звонка", OMNIDESK_CALL_END)),
                CallRecorded => single(json("Записанный разговор", OMNIDESK_RECORD)),
                WaitingAnswer => single(json("Исходящее плечо", OMNIDESK_OUTGOING_LEG)),
                OutgoingCall => single(json("Исходящий звонок", OMNIDESK_OUTGOING_CALL)),
                IncomingCall | LostCall => None,
            },
            Self::Usedesk => match event {
                IncomingCall => word(
                    json("Входящий звонок на виртуальный номер", USEDESK_INCOMING),
                    "incoming_call_started",
                ),
                OutgoingCall => word(
                    json("Исходящий звонок", USEDESK_OUTGOING),
                    "outgoing_call_started",
                ),
                TalkStarted => word(
                    json("Начало разговора", USEDESK_TALK_STARTED),
                    "conversation_started",
                ),
                CallFinished => word(
                    json("Завершение звонка", USEDESK_CALL_FINISHED),
                    "call_finished",
                ),
                WaitingAnswer | TalkFinished | LostCall | CallRecorded => None,
            },
            Self::Salebot => match event {
                LostCall => single(json("Salebot", SALEBOT_LOST)),
                _ => None,
            },
            Self::SalebotAll => match event {
                IncomingCall | OutgoingCall | CallFinished | LostCall => {
                    single(json("Salebot", SALEBOT_LOST))
                }
                WaitingAnswer | TalkStarted | TalkFinished | CallRecorded => None,
            },
            Self::Envycrm => match event {
                IncomingCall => single(query("Входящий звонок", ENVY_INCOMING)),
                OutgoingCall => single(query("Исходящий звонок", ENVY_OUTGOING)),
                CallFinished => single(query("Завершение звонка", ENVY_CALL_END)),
                _ => None,
            },
        }
    }
}

/// One notification as the admin configured it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Configured {
    /// Name, method and body.
    pub template: Template,
    /// The last segment of its URL after `/hooks/uis/{token}`, or `None` for the one URL the
    /// guide gives for every notification.
    pub path: Option<&'static str>,
}

impl fmt::Display for UisSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown `--uis-setup` name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown UIS setup «{0}»; one of: trubka, omnidesk, usedesk, salebot, salebot-all, envycrm"
)]
pub struct UnknownSetup(pub String);

impl FromStr for UisSetup {
    type Err = UnknownSetup;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|setup| setup.as_str() == name)
            .ok_or_else(|| UnknownSetup(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What each guide configures: (event types with a notification, distinct URLs).
    fn configured(setup: UisSetup) -> (Vec<UisEvent>, Vec<Option<&'static str>>) {
        let events = [
            UisEvent::IncomingCall,
            UisEvent::OutgoingCall,
            UisEvent::WaitingAnswer,
            UisEvent::TalkStarted,
            UisEvent::TalkFinished,
            UisEvent::CallFinished,
            UisEvent::LostCall,
            UisEvent::CallRecorded,
        ];
        let mut with = Vec::new();
        let mut urls = Vec::new();
        for event in events {
            if let Some(c) = setup.notification(event, UisShape::Flat, true) {
                with.push(event);
                if !urls.contains(&c.path) {
                    urls.push(c.path);
                }
            }
        }
        (with, urls)
    }

    #[test]
    fn each_guide_configures_exactly_its_notifications() {
        let (events, urls) = configured(UisSetup::Omnidesk);
        assert_eq!(events.len(), 6);
        assert!(!events.contains(&UisEvent::IncomingCall));
        assert_eq!(urls, [None]);
        let (events, urls) = configured(UisSetup::Usedesk);
        assert_eq!(events.len(), 4);
        assert_eq!(urls.len(), 4);
        let (events, urls) = configured(UisSetup::Salebot);
        assert_eq!((events, urls), (vec![UisEvent::LostCall], vec![None]));
        let (events, urls) = configured(UisSetup::SalebotAll);
        assert_eq!(events.len(), 4);
        assert_eq!(urls, [None]);
        let (events, urls) = configured(UisSetup::Envycrm);
        assert_eq!(events.len(), 3);
        assert_eq!(urls, [None]);
        let (events, urls) = configured(UisSetup::Trubka);
        assert_eq!(events.len(), 8);
        assert_eq!(urls.len(), 6);
        assert!(
            UisSetup::Trubka
                .notification(UisEvent::LostCall, UisShape::Flat, false)
                .is_none()
        );
    }

    #[test]
    fn setups_parse_by_name() {
        for setup in UisSetup::ALL {
            assert_eq!(setup.as_str().parse(), Ok(setup));
        }
        assert_eq!(" EnvyCRM ".parse(), Ok(UisSetup::Envycrm));
        assert!("bitrix".parse::<UisSetup>().is_err());
    }
}
