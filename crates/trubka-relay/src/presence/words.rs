//! How each PBX's statuses read as Trubka's four (available, break, do not disturb, offline)
//! and back: pure functions over what trubka-pbx returns.
//!
//! UIS: the standard statuses by `mnemonic` (`available`; `break`; `do_not_disturb`;
//! `not_at_workplace`, `not_at_work` and `unknown` are offline; `auto_out_call` takes no
//! incoming calls, so it reads as do not disturb with its name as the reason); an admin's
//! own status (no mnemonic) is a break whose reason is its name. Writing: a break with a
//! reason is the admin's status of that name; offline is `not_at_work`.
//!
//! Sipuni: `setUserStatus` codes 0 free, 1 break, 4 away (offline); there is no "do not
//! disturb" and no reasons of its own. Read back from the operators list's `Status` words.

use trubka_pbx::sipuni::SipuniStatus;
use trubka_pbx::uis::EmployeeStatus;
use trubka_protocol::control::PresenceStatus;

/// A status as Trubka shows it: its kind and the reason (or the PBX's own name).
pub(crate) type Reading = (PresenceStatus, Option<String>);

/// Why a status cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum WordsError {
    /// A break reason that is none of the admin's; the text lists those there are.
    #[error("{0}")]
    UnknownReason(String),
    /// The PBX has no such status.
    #[error("{0}")]
    NotSupported(String),
}

/// Trubka's reading of the UIS status `status`.
pub(crate) fn from_uis(status: &EmployeeStatus) -> Reading {
    match status.mnemonic.as_deref() {
        Some("available") => (PresenceStatus::Available, None),
        Some("break") => (PresenceStatus::Break, None),
        Some("do_not_disturb") => (PresenceStatus::Dnd, None),
        Some("not_at_workplace" | "not_at_work" | "unknown") => (PresenceStatus::Offline, None),
        Some(_) if status.takes_incoming_calls() => {
            (PresenceStatus::Available, Some(status.name.clone()))
        }
        Some(_) => (PresenceStatus::Dnd, Some(status.name.clone())),
        None => (PresenceStatus::Break, Some(status.name.clone())),
    }
}

/// The admin's break reasons: the account's own statuses (no mnemonic) an employee may pick.
pub(crate) fn break_reasons(statuses: &[EmployeeStatus]) -> Vec<String> {
    statuses
        .iter()
        .filter(|s| s.mnemonic.is_none() && !s.is_deleted && s.is_select_allowed != Some(false))
        .map(|s| s.name.clone())
        .collect()
}

/// The UIS `status_id` to write for `status` (and `reason`, for a break).
pub(crate) fn to_uis(
    statuses: &[EmployeeStatus],
    status: PresenceStatus,
    reason: Option<&str>,
) -> Result<u64, WordsError> {
    let live = || statuses.iter().filter(|s| !s.is_deleted);
    if let (PresenceStatus::Break, Some(reason)) = (status, reason) {
        let wanted = reason.trim().to_lowercase();
        return live()
            .find(|s| s.mnemonic.is_none() && s.name.trim().to_lowercase() == wanted)
            .map(|s| s.id)
            .ok_or_else(|| {
                WordsError::UnknownReason(format!(
                    "Причины перерыва «{}» нет в кабинете UIS; есть: {}",
                    reason.trim(),
                    break_reasons(statuses).join(", ")
                ))
            });
    }
    let mnemonic = match status {
        PresenceStatus::Available => "available",
        PresenceStatus::Break => "break",
        PresenceStatus::Dnd => "do_not_disturb",
        PresenceStatus::Offline => "not_at_work",
    };
    live()
        .find(|s| s.mnemonic.as_deref() == Some(mnemonic))
        .map(|s| s.id)
        .ok_or_else(|| {
            WordsError::NotSupported(format!(
                "В кабинете UIS нет статуса «{mnemonic}»: проверьте статусы сотрудников"
            ))
        })
}

/// The Sipuni code to write for `status`.
pub(crate) fn to_sipuni(status: PresenceStatus) -> Result<SipuniStatus, WordsError> {
    match status {
        PresenceStatus::Available => Ok(SipuniStatus::Free),
        PresenceStatus::Break => Ok(SipuniStatus::Break),
        PresenceStatus::Offline => Ok(SipuniStatus::Away),
        PresenceStatus::Dnd => Err(WordsError::NotSupported(
            "В Sipuni нет статуса «Не беспокоить»: выберите перерыв".to_owned(),
        )),
    }
}

/// Trubka's reading of the status word Sipuni's operators list shows, when it is one it
/// knows (`Свободен`, `Перерыв`, `Отошёл`, the dialing ones).
pub(crate) fn from_sipuni(word: &str) -> Option<Reading> {
    let lower = word.trim().to_lowercase();
    let has = |parts: &[&str]| parts.iter().any(|p| lower.contains(p));
    if has(&["свобод", "free"]) {
        Some((PresenceStatus::Available, None))
    } else if has(&["перерыв", "break"]) {
        Some((PresenceStatus::Break, None))
    } else if has(&["отош", "away", "offline"]) {
        Some((PresenceStatus::Offline, None))
    } else if has(&["обзвон", "dial"]) {
        Some((PresenceStatus::Dnd, Some(word.trim().to_owned())))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(id: u64, name: &str, mnemonic: Option<&str>, incoming: bool) -> EmployeeStatus {
        EmployeeStatus {
            id,
            name: name.to_owned(),
            mnemonic: mnemonic.map(str::to_owned),
            description: None,
            color: None,
            is_deleted: false,
            in_external_allowed_call_directions: if incoming {
                vec!["in".to_owned(), "out".to_owned()]
            } else {
                Vec::new()
            },
            is_select_allowed: None,
            is_worktime: None,
        }
    }

    fn account() -> Vec<EmployeeStatus> {
        let mut gone = status(9, "Старый", None, false);
        gone.is_deleted = true;
        vec![
            status(1, "Доступен", Some("available"), true),
            status(2, "Перерыв", Some("break"), false),
            status(3, "Не беспокоить", Some("do_not_disturb"), false),
            status(5, "Нет на работе", Some("not_at_work"), false),
            status(6, "Исходящий обзвон", Some("auto_out_call"), false),
            status(7, "Обед", None, false),
            gone,
        ]
    }

    #[test]
    fn uis_statuses_read_as_trubkas_four_and_write_back() {
        let statuses = account();
        let read: Vec<Reading> = statuses.iter().map(from_uis).collect();
        assert_eq!(read[0], (PresenceStatus::Available, None));
        assert_eq!(read[2], (PresenceStatus::Dnd, None));
        assert_eq!(read[3], (PresenceStatus::Offline, None));
        assert_eq!(
            read[4],
            (PresenceStatus::Dnd, Some("Исходящий обзвон".to_owned()))
        );
        assert_eq!(read[5], (PresenceStatus::Break, Some("Обед".to_owned())));
        assert_eq!(break_reasons(&statuses), ["Обед"]);

        assert_eq!(to_uis(&statuses, PresenceStatus::Available, None), Ok(1));
        assert_eq!(to_uis(&statuses, PresenceStatus::Break, None), Ok(2));
        assert_eq!(
            to_uis(&statuses, PresenceStatus::Break, Some(" обед ")),
            Ok(7)
        );
        assert_eq!(to_uis(&statuses, PresenceStatus::Offline, None), Ok(5));
        let Err(WordsError::UnknownReason(text)) =
            to_uis(&statuses, PresenceStatus::Break, Some("Старый"))
        else {
            panic!("a deleted status is no reason")
        };
        assert!(text.contains("Обед"), "{text}");
    }

    #[test]
    fn sipuni_has_no_do_not_disturb_and_reads_its_words() {
        assert_eq!(to_sipuni(PresenceStatus::Break), Ok(SipuniStatus::Break));
        assert_eq!(to_sipuni(PresenceStatus::Offline), Ok(SipuniStatus::Away));
        assert!(to_sipuni(PresenceStatus::Dnd).is_err());
        assert_eq!(
            from_sipuni("Свободен"),
            Some((PresenceStatus::Available, None))
        );
        assert_eq!(from_sipuni("Отошёл"), Some((PresenceStatus::Offline, None)));
        assert_eq!(
            from_sipuni("Ручной обзвон"),
            Some((PresenceStatus::Dnd, Some("Ручной обзвон".to_owned())))
        );
        assert_eq!(from_sipuni("???"), None);
    }
}
