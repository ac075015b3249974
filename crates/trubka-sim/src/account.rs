//! The simulated accounts' fixed catalogue: UIS scenarios, the employee group, Sipuni
//! schemes («схемы»), and how the catalogue is written in employee and number lists.
//!
//! Notifications, the Call API (`start.scenario_call`), the Data API (`get.scenarios`,
//! `get.virtual_numbers`, `get.employees`) and the Sipuni API (`callback/call_tree`,
//! `statistic/export`) all read it from here, so that ids agree everywhere.

use chrono::{DateTime, FixedOffset, Utc};

use crate::{config::Employee, request::Direction};

/// A scenario of the UIS virtual PBX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UisScenario {
    /// `scenario_id`.
    pub id: u64,
    /// `scenario_name`.
    pub name: &'static str,
    /// Incoming scenarios are attached to every line; outgoing ones are for
    /// `start.scenario_call`.
    pub direction: Direction,
    /// Its operations (`scenario_operation_ids`, `scenario_operation_names`).
    pub operations: &'static [(u64, &'static str)],
}

/// The account's scenarios; the first one handles incoming calls on every line.
pub const UIS_SCENARIOS: &[UisScenario] = &[
    UisScenario {
        id: 27091,
        name: "Входящие: основной",
        direction: Direction::In,
        operations: &[
            (150_301, "Голосовое приветствие"),
            (150_302, "Переадресация на группу"),
        ],
    },
    UisScenario {
        id: 27092,
        name: "Исходящий обзвон",
        direction: Direction::Out,
        operations: &[
            (150_311, "Звонок абоненту"),
            (150_312, "Переадресация на группу"),
        ],
    },
    UisScenario {
        id: 27093,
        name: "Опрос после покупки",
        direction: Direction::Out,
        operations: &[
            (150_321, "Голосовое меню"),
            (150_322, "Переадресация на сотрудника"),
        ],
    },
];

/// The scenario of incoming calls.
pub fn incoming_scenario() -> &'static UisScenario {
    &UIS_SCENARIOS[0]
}

/// A scenario by id.
pub fn uis_scenario(id: u64) -> Option<&'static UisScenario> {
    UIS_SCENARIOS.iter().find(|s| s.id == id)
}

/// The employee group incoming calls are distributed to: id and name.
pub const UIS_GROUP: (u64, &str) = (81001, "Операторы");

/// The account's name in `get.account`.
pub const UIS_ACCOUNT_NAME: &str = "ООО «Трубка» (демо)";

/// Moscow time, UTC+3 without daylight saving: the accounts' zone unless configured otherwise.
pub fn moscow_offset() -> FixedOffset {
    FixedOffset::east_opt(3 * 3600).expect("UTC+3 is a valid offset")
}

/// A moment in an account's time zone: the zone of UIS notification times, Data API dates
/// and the Sipuni export.
pub fn local(at: DateTime<Utc>, offset: FixedOffset) -> DateTime<FixedOffset> {
    at.with_timezone(&offset)
}

/// The zone `get.account` names for an account at `offset`: Russia's zone of that offset
/// (none of them has daylight saving), else a fixed `Etc/GMT±N` zone.
pub fn uis_timezone(offset: FixedOffset) -> String {
    let hours = offset.local_minus_utc() / 3600;
    let russian = match hours {
        2 => Some("Europe/Kaliningrad"),
        3 => Some("Europe/Moscow"),
        4 => Some("Europe/Samara"),
        5 => Some("Asia/Yekaterinburg"),
        6 => Some("Asia/Omsk"),
        7 => Some("Asia/Novosibirsk"),
        8 => Some("Asia/Irkutsk"),
        9 => Some("Asia/Yakutsk"),
        10 => Some("Asia/Vladivostok"),
        11 => Some("Asia/Magadan"),
        12 => Some("Asia/Kamchatka"),
        _ => None,
    };
    match russian {
        Some(zone) if offset.local_minus_utc() % 3600 == 0 => zone.to_owned(),
        // POSIX-style names count the other way: Etc/GMT-5 is UTC+5.
        _ => format!("Etc/GMT{:+}", -hours),
    }
}

/// The id `get.virtual_numbers` gives the n-th configured line.
pub fn uis_line_id(index: usize) -> u64 {
    90_001 + index as u64
}

/// The employee's SIP line as UIS shows it in `employee_phone_number`.
pub fn uis_employee_phone(app_id: u64, employee: &Employee) -> String {
    format!("0{app_id}{}", employee.extension)
}

/// A Sipuni scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SipuniTree {
    /// `treeNumber`, `tree`.
    pub number: &'static str,
    /// `treeName`, the export's «Схема».
    pub name: &'static str,
    /// Incoming or outgoing scheme.
    pub direction: Direction,
}

/// The cabinet's schemes: incoming calls go through the first, outgoing through the second;
/// the third is for callback orders (`callback/call_tree`).
pub const SIPUNI_TREES: &[SipuniTree] = &[
    SipuniTree {
        number: "000-1734442",
        name: "Входящая",
        direction: Direction::In,
    },
    SipuniTree {
        number: "000-1734445",
        name: "Исходящая",
        direction: Direction::Out,
    },
    SipuniTree {
        number: "000-913901",
        name: "Обратный звонок",
        direction: Direction::Out,
    },
];

/// The default scheme of a direction.
pub fn sipuni_default_tree(direction: Direction) -> &'static SipuniTree {
    match direction {
        Direction::In => &SIPUNI_TREES[0],
        Direction::Out => &SIPUNI_TREES[1],
    }
}

/// A scheme by number.
pub fn sipuni_tree(number: &str) -> Option<&'static SipuniTree> {
    SIPUNI_TREES.iter().find(|t| t.number == number.trim())
}

/// A name as Sipuni lists employees, surname first: «Анна Смирнова» → «Смирнова Анна».
pub fn surname_first(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    match words.as_slice() {
        [first, last] => format!("{last} {first}"),
        _ => name.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_lookups() {
        assert_eq!(incoming_scenario().direction, Direction::In);
        assert_eq!(uis_scenario(27092).unwrap().name, "Исходящий обзвон");
        assert!(uis_scenario(1).is_none());
        assert_eq!(sipuni_tree(" 000-913901 ").unwrap().name, "Обратный звонок");
        assert_eq!(sipuni_default_tree(Direction::Out).number, "000-1734445");
        assert_eq!(surname_first("Анна Смирнова"), "Смирнова Анна");
        assert_eq!(surname_first("Анна"), "Анна");
    }
}
