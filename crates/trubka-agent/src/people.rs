//! How a person on a call or a case is named for the agent to read — on cards, in history and
//! in the team's cases — by one rule: the Trubka agent's name when the relay mapped one,
//! else the name the PBX gave, else the extension («доб. 201»), else the phone, else the PBX's
//! employee id.

use trubka_protocol::cases::PersonView;

use crate::calls::EmployeeView;

/// What is known of a person, borrowed from whichever view carries it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Who<'a> {
    /// The agent's name in Trubka.
    pub agent: Option<&'a str>,
    /// The name the PBX gave.
    pub name: Option<&'a str>,
    pub extension: Option<&'a str>,
    pub phone: Option<&'a str>,
    /// The PBX's employee id.
    pub id: Option<&'a str>,
}

impl<'a> From<&'a EmployeeView> for Who<'a> {
    fn from(e: &'a EmployeeView) -> Who<'a> {
        Who {
            agent: None,
            name: e.name.as_deref(),
            extension: e.extension.as_deref(),
            phone: e.phone.as_deref(),
            id: e.id.as_deref(),
        }
    }
}

impl<'a> From<&'a PersonView> for Who<'a> {
    fn from(p: &'a PersonView) -> Who<'a> {
        Who {
            agent: p.agent.as_deref(),
            name: p.name.as_deref(),
            extension: p.extension.as_deref(),
            phone: p.phone.as_deref(),
            id: p.employee_id.as_deref(),
        }
    }
}

/// The label of a person (see the module's rule).
pub fn label<'a>(who: impl Into<Who<'a>>) -> String {
    let who = who.into();
    let text = |t: Option<&str>| {
        t.map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    text(who.agent)
        .or_else(|| text(who.name))
        .or_else(|| text(who.extension).map(|e| format!("доб. {e}")))
        .or_else(|| text(who.phone))
        .or_else(|| text(who.id).map(|i| format!("сотрудник {i}")))
        .unwrap_or_else(|| "сотрудник".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_is_named_by_the_first_thing_known_in_the_rules_order() {
        let mut person = PersonView {
            employee_id: Some("2339292".into()),
            name: Some("Анна Смирнова".into()),
            extension: Some("201".into()),
            phone: Some("+79261234567".into()),
            agent: Some("Анна".into()),
        };
        assert_eq!(label(&person), "Анна");
        person.agent = Some("  ".into());
        assert_eq!(label(&person), "Анна Смирнова");
        person.name = None;
        assert_eq!(label(&person), "доб. 201");
        person.extension = None;
        assert_eq!(label(&person), "+79261234567");
        person.phone = None;
        assert_eq!(label(&person), "сотрудник 2339292");
        let employee = EmployeeView::default();
        assert_eq!(label(&employee), "сотрудник");
        let employee = EmployeeView {
            extension: Some("202".into()),
            ..EmployeeView::default()
        };
        assert_eq!(label(&employee), "доб. 202");
    }
}
