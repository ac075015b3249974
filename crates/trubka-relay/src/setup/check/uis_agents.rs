//! Every agent's UIS mapping against the account: the employee id (`get.employees`), the
//! employee phones the agent is recognised by (the employees' `phone_numbers` and
//! `extension.extension_phone_number`, which is what UIS puts in `employee_phone_number`), and
//! the agent's own caller ID (`get.virtual_numbers`). A mistake here shows up only on a real
//! call (a card that never pops, a call from the wrong number), so each is named with the
//! agent and the `agent edit` that fixes it.

use std::io::{self, Write};

use trubka_core::{PhoneParser, tr};
use trubka_pbx::uis::Employee;

use crate::agents::Agent;
use crate::pbx::UisApi;

use super::{Mark, Report};

pub(super) async fn check(
    report: &mut Report<'_, impl Write>,
    uis: &UisApi,
    agents: &[Agent],
    region: &str,
) -> io::Result<()> {
    let needs_employees = agents
        .iter()
        .any(|a| a.uis_employee.is_some() || !a.employee_phones.is_empty());
    if needs_employees {
        match uis.client.employees().await {
            Ok(employees) => check_employees(report, agents, &employees, region)?,
            Err(e) => report.pbx_failure("UIS Data API (get.employees)", &e)?,
        }
    }
    let with_number: Vec<&Agent> = agents
        .iter()
        .filter(|a| a.virtual_number.is_some())
        .collect();
    if with_number.is_empty() {
        return Ok(());
    }
    match uis.client.virtual_numbers().await {
        Ok(numbers) => {
            let digits: Vec<String> = numbers
                .iter()
                .map(|n| only_digits(&n.virtual_phone_number))
                .collect();
            for agent in with_number {
                let number = agent.virtual_number.as_deref().unwrap_or_default();
                if digits.contains(&only_digits(number)) {
                    continue;
                }
                let (name, word) = (&agent.name, shell_word(&agent.name));
                report.line(
                    Mark::Fail,
                    &tr!(
                        report.lang,
                        "Оператор «{name}»: виртуального номера {number} (его номер для \
                         исходящих) нет в аккаунте UIS — укажите один из номеров раздела \
                         «Виртуальные номера»: trubka-relay agent edit {word} --virtual-number \
                         НОМЕР (пустое значение — номер релея)",
                        "Agent «{name}»: the virtual number {number} (their number for outgoing \
                         calls) is not in the UIS account — give one of the numbers of \
                         «Виртуальные номера» (Virtual numbers): trubka-relay agent edit {word} \
                         --virtual-number NUMBER (an empty value means the relay's number)"
                    ),
                )?;
            }
        }
        Err(e) => report.pbx_failure("UIS Data API (get.virtual_numbers)", &e)?,
    }
    Ok(())
}

fn check_employees(
    report: &mut Report<'_, impl Write>,
    agents: &[Agent],
    employees: &[Employee],
    region: &str,
) -> io::Result<()> {
    // The agent's phones were written in the relay's region; read the account's the same way.
    let phones = PhoneParser::new(region).unwrap_or_else(|_| PhoneParser::russia());
    let lines_of = |employee: &Employee| -> Vec<String> {
        employee
            .phone_numbers
            .iter()
            .map(|p| p.phone_number.as_str())
            .chain(
                employee
                    .extension
                    .as_ref()
                    .and_then(|e| e.extension_phone_number.as_deref()),
            )
            .filter_map(|raw| phones.employee_line(raw))
            .collect()
    };
    let lang = report.lang;
    let unnamed = lang.pick("без имени", "unnamed");
    let mut problems = 0;
    let mut checked = 0;
    for agent in agents {
        let (agent_name, name) = (&agent.name, shell_word(&agent.name));
        let employee = match agent.uis_employee.as_deref().map(str::trim) {
            None => None,
            Some(id) => match employees.iter().find(|e| e.id.to_string() == id) {
                Some(employee) => Some(employee),
                None => {
                    problems += 1;
                    report.line(
                        Mark::Fail,
                        &tr!(
                            lang,
                            "Оператор «{agent_name}»: сотрудника UIS с ID {id} нет в аккаунте — \
                             найдите ID в «Сотрудники» и исправьте: trubka-relay agent edit \
                             {name} --uis-employee ID",
                            "Agent «{agent_name}»: the UIS employee with ID {id} is not in the \
                             account — find the ID in «Сотрудники» (Employees) and fix it: \
                             trubka-relay agent edit {name} --uis-employee ID"
                        ),
                    )?;
                    continue;
                }
            },
        };
        if employee.is_some() || !agent.employee_phones.is_empty() {
            checked += 1;
        }
        for phone in &agent.employee_phones {
            let key = phones.employee_line(phone).unwrap_or_else(|| phone.clone());
            if let Some(employee) = employee
                && lines_of(employee).contains(&key)
            {
                continue;
            }
            let owner = employees.iter().find(|e| lines_of(e).contains(&key));
            problems += 1;
            let whose = match (owner, employee) {
                (Some(owner), _) => {
                    let (full, id) = (owner.full_name.as_deref().unwrap_or(unnamed), owner.id);
                    tr!(
                        lang,
                        "это телефон другого сотрудника UIS — «{full}» (ID {id})",
                        "it is another UIS employee's phone — «{full}» (ID {id})"
                    )
                }
                (None, Some(employee)) => {
                    let (full, id) = (
                        employee.full_name.as_deref().unwrap_or(unnamed),
                        employee.id,
                    );
                    tr!(
                        lang,
                        "его нет ни у сотрудника {id} («{full}»), ни у других сотрудников UIS",
                        "no UIS employee has it, neither employee {id} («{full}») nor another"
                    )
                }
                (None, None) => lang
                    .pick(
                        "его нет ни у одного сотрудника UIS",
                        "no UIS employee has it",
                    )
                    .to_owned(),
            };
            report.line(
                Mark::Fail,
                &tr!(
                    lang,
                    "Оператор «{agent_name}»: телефон сотрудника {phone} — {whose}. Телефоны и \
                     SIP-линии сотрудника видны в «Сотрудники»; исправьте: trubka-relay agent \
                     edit {name} --employee-phone НОМЕР",
                    "Agent «{agent_name}»: the employee phone {phone} — {whose}. An employee's \
                     phones and SIP lines are shown in «Сотрудники» (Employees); fix it: \
                     trubka-relay agent edit {name} --employee-phone NUMBER"
                ),
            )?;
        }
    }
    if problems == 0 && checked > 0 {
        report.line(
            Mark::Ok,
            &tr!(
                lang,
                "Сотрудники UIS всех операторов найдены ({checked}), их телефоны совпадают",
                "The UIS employees of all agents are found ({checked}), their phones match"
            ),
        )?;
    }
    Ok(())
}

fn only_digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// The agent's name as the command line needs it: quoted when it has spaces or quotes.
pub(super) fn shell_word(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        name.to_owned()
    } else {
        format!("'{}'", name.replace('\'', "'\\''"))
    }
}
