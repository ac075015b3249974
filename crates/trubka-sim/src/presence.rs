//! Employees' presence: the status each PBX keeps for an employee, which decides whether
//! incoming calls ring them.
//!
//! UIS: the account's statuses are what `get.statuses` lists (docs
//! `data_api/employee/get_statuses`): the standard ones with their mnemonics and two custom
//! break statuses an admin might add («Обед», «Обучение», no mnemonic, as the docs say of
//! custom statuses). Each status says which calls it lets through in
//! `in_external_allowed_call_directions`; an employee rings on incoming external calls when
//! their status lists `in` there. `update.employees` with `status_id` sets it.
//!
//! Sipuni: `workplace/setUserStatus` sets a code per internal number (0 free, 1 break, 2 auto
//! dialing, 3 manual dialing, 4 away — reference B.2.3); only a free employee rings.
//!
//! Every employee starts available on both PBXs.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
};

use crate::{config::Employee, scenario::Provider};

/// One status of the UIS account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UisStatus {
    pub id: u64,
    pub name: &'static str,
    /// Set for the standard statuses only.
    pub mnemonic: Option<&'static str>,
    pub description: &'static str,
    pub color: &'static str,
    /// `in_external_allowed_call_directions`.
    pub in_external: &'static [&'static str],
    /// «Рабочее время».
    pub is_worktime: bool,
}

/// The id of «Доступен», every employee's status at the start.
pub const UIS_AVAILABLE: u64 = 1;

/// The account's statuses, in `get.statuses` order.
pub const UIS_STATUSES: &[UisStatus] = &[
    UisStatus {
        id: UIS_AVAILABLE,
        name: "Доступен",
        mnemonic: Some("available"),
        description: "Принимает и совершает звонки",
        color: "#48b882",
        in_external: &["in", "out"],
        is_worktime: true,
    },
    UisStatus {
        id: 2,
        name: "Перерыв",
        mnemonic: Some("break"),
        description: "Перерыв",
        color: "#f5a623",
        in_external: &[],
        is_worktime: true,
    },
    UisStatus {
        id: 3,
        name: "Не беспокоить",
        mnemonic: Some("do_not_disturb"),
        description: "Только исходящие звонки",
        color: "#e94b35",
        in_external: &["out"],
        is_worktime: true,
    },
    UisStatus {
        id: 4,
        name: "Нет на месте",
        mnemonic: Some("not_at_workplace"),
        description: "Отошёл",
        color: "#9b9b9b",
        in_external: &[],
        is_worktime: true,
    },
    UisStatus {
        id: 5,
        name: "Нет на работе",
        mnemonic: Some("not_at_work"),
        description: "Вне рабочего времени",
        color: "#4a4a4a",
        in_external: &[],
        is_worktime: false,
    },
    UisStatus {
        id: 6,
        name: "Исходящий обзвон",
        mnemonic: Some("auto_out_call"),
        description: "Участвует в исходящем обзвоне",
        color: "#4a90e2",
        in_external: &["out"],
        is_worktime: true,
    },
    UisStatus {
        id: 7,
        name: "Обед",
        mnemonic: None,
        description: "Перерыв на обед",
        color: "#f8e71c",
        in_external: &[],
        is_worktime: true,
    },
    UisStatus {
        id: 8,
        name: "Обучение",
        mnemonic: None,
        description: "Обучение, звонки не поступают",
        color: "#bd10e0",
        in_external: &[],
        is_worktime: true,
    },
];

/// A UIS status by id.
pub fn uis_status(id: u64) -> Option<&'static UisStatus> {
    UIS_STATUSES.iter().find(|s| s.id == id)
}

/// The Sipuni status codes of `workplace/setUserStatus` and how the operators list words them.
pub const SIPUNI_STATUSES: &[(u8, &str)] = &[
    (0, "Свободен"),
    (1, "Перерыв"),
    (2, "Автообзвон"),
    (3, "Ручной обзвон"),
    (4, "Отошёл"),
];

/// The code of a free Sipuni employee.
pub const SIPUNI_FREE: u8 = 0;

/// Who is in which status, per PBX.
#[derive(Debug, Default)]
pub struct Presence {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// UIS `status_id` by employee id; absent means available.
    uis: HashMap<u64, u64>,
    /// Sipuni status code by internal number; absent means free.
    sipuni: HashMap<String, u8>,
}

impl Presence {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Plain maps; a poisoned lock still holds consistent values.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The UIS status id of an employee.
    pub fn uis(&self, employee_id: u64) -> u64 {
        self.lock()
            .uis
            .get(&employee_id)
            .copied()
            .unwrap_or(UIS_AVAILABLE)
    }

    /// Sets the UIS status of an employee (the id must be one of [`UIS_STATUSES`]).
    pub fn set_uis(&self, employee_id: u64, status_id: u64) {
        self.lock().uis.insert(employee_id, status_id);
    }

    /// The Sipuni status code of an internal number.
    pub fn sipuni(&self, extension: &str) -> u8 {
        self.lock()
            .sipuni
            .get(extension)
            .copied()
            .unwrap_or(SIPUNI_FREE)
    }

    /// Sets the Sipuni status code of an internal number.
    pub fn set_sipuni(&self, extension: &str, code: u8) {
        self.lock().sipuni.insert(extension.to_owned(), code);
    }

    /// Whether an incoming call of `provider` may ring `employee`.
    pub fn takes_calls(&self, provider: Provider, employee: &Employee) -> bool {
        match provider {
            Provider::Uis => {
                uis_status(self.uis(employee.id)).is_none_or(|s| s.in_external.contains(&"in"))
            }
            Provider::Sipuni => self.sipuni(&employee.extension) == SIPUNI_FREE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cast;

    #[test]
    fn only_statuses_letting_incoming_calls_in_take_calls() {
        let presence = Presence::default();
        let employee = &cast::default_employees()[0];
        assert!(presence.takes_calls(Provider::Uis, employee));
        for status in UIS_STATUSES {
            presence.set_uis(employee.id, status.id);
            assert_eq!(
                presence.takes_calls(Provider::Uis, employee),
                status.mnemonic == Some("available"),
                "{}",
                status.name
            );
        }
        assert!(presence.takes_calls(Provider::Sipuni, employee));
        presence.set_sipuni(&employee.extension, 1);
        assert!(!presence.takes_calls(Provider::Sipuni, employee));
    }
}
