//! What a UIS address-book contact becomes in the team directory's fields — no I/O. A change
//! at UIS is laid over the contact with [`crate::directory::merge::three_way`], `base` being
//! what UIS gave at the last sync: an agent's added number, note or extra field survives every
//! sync, and an edit at UIS still reaches every desktop (the tests below play both).

use trubka_pbx::uis::UisContact;
use trubka_protocol::directory::{ContactFields, WirePhone};

/// The extra field naming the contact's personal manager at UIS.
pub(crate) const MANAGER_FIELD: &str = "Персональный менеджер";
/// The extra field listing the contact's address-book groups.
pub(crate) const GROUPS_FIELD: &str = "Группы";
/// The extra field of the `n`-th e-mail (from the second): UIS keeps up to ten.
fn email_field(n: usize) -> String {
    format!("E-mail {n}")
}

/// The directory's fields of `contact`: its name (or organisation), the organisation as the
/// company (unless it is the name), the first e-mail, every phone number (UIS's E.164 digits get their `+`), and the
/// personal manager, the groups and further e-mails as extra fields.
pub(crate) fn fields_of(contact: &UisContact) -> ContactFields {
    let name = contact.display_name().unwrap_or_default();
    // An organisation's own contact is named after it: the company would only repeat it.
    let company = contact
        .organization_name
        .clone()
        .filter(|organization| *organization != name);
    let mut fields = ContactFields {
        name,
        company,
        email: contact.emails.first().cloned(),
        phones: contact
            .phone_numbers
            .iter()
            .map(|number| WirePhone {
                raw: with_plus(number),
                label: None,
            })
            .collect(),
        ..ContactFields::default()
    };
    if let Some(manager) = &contact.personal_manager_full_name {
        fields
            .fields
            .insert(MANAGER_FIELD.to_owned(), manager.clone());
    }
    if !contact.groups.is_empty() {
        fields
            .fields
            .insert(GROUPS_FIELD.to_owned(), contact.groups.join(", "));
    }
    for (index, email) in contact.emails.iter().enumerate().skip(1) {
        fields.fields.insert(email_field(index + 1), email.clone());
    }
    fields
}

/// UIS writes numbers as E.164 digits without `+` (`79261234567`, `375291234567`); read in
/// the relay's region they could be taken for national ones, so they get the `+`. Shorter
/// digit strings (extensions) and anything with other characters stay as written.
fn with_plus(number: &str) -> String {
    let number = number.trim();
    if (11..=15).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit()) {
        format!("+{number}")
    } else {
        number.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::merge::three_way;
    use trubka_contacts::numbers::NumberParser;

    fn parser() -> NumberParser {
        NumberParser::new("RU").unwrap()
    }

    fn olga() -> UisContact {
        UisContact {
            id: 31245,
            last_name: Some("Васильева".into()),
            first_name: Some("Ольга".into()),
            full_name: Some("Васильева Ольга".into()),
            emails: vec!["olga@example.ru".into(), "o.v@work.ru".into()],
            phone_numbers: vec!["79261234567".into(), "375291234567".into(), "201".into()],
            organization_name: Some("ООО «Вектор»".into()),
            personal_manager_full_name: Some("Смирнова Анна".into()),
            groups: vec!["VIP".into(), "Опт".into()],
            ..UisContact::default()
        }
    }

    fn phone(raw: &str) -> WirePhone {
        WirePhone {
            raw: raw.into(),
            label: None,
        }
    }

    #[test]
    fn a_uis_contact_becomes_the_directorys_fields() {
        let fields = fields_of(&olga());
        assert_eq!(fields.name, "Васильева Ольга");
        assert_eq!(fields.company.as_deref(), Some("ООО «Вектор»"));
        assert_eq!(fields.email.as_deref(), Some("olga@example.ru"));
        let raws: Vec<&str> = fields.phones.iter().map(|p| p.raw.as_str()).collect();
        assert_eq!(raws, ["+79261234567", "+375291234567", "201"]);
        assert_eq!(fields.fields[MANAGER_FIELD], "Смирнова Анна");
        assert_eq!(fields.fields[GROUPS_FIELD], "VIP, Опт");
        assert_eq!(fields.fields["E-mail 2"], "o.v@work.ru");
    }

    #[test]
    fn an_organisations_own_contact_does_not_repeat_its_name_as_the_company() {
        let company = UisContact {
            id: 31247,
            full_name: Some("ООО «Балтснаб»".into()),
            organization_name: Some("ООО «Балтснаб»".into()),
            phone_numbers: vec!["78123334455".into()],
            ..UisContact::default()
        };
        let fields = fields_of(&company);
        assert_eq!(fields.name, "ООО «Балтснаб»");
        assert_eq!(fields.company, None);
    }

    #[test]
    fn what_uis_changed_wins_and_what_agents_changed_stays() {
        let parser = parser();
        let base = fields_of(&olga());
        // Since the last sync an agent wrote a note, a position and a number of her own…
        let mut ours = base.clone();
        ours.notes = Some("Звонить после 18:00".into());
        ours.position = Some("Закупщик".into());
        ours.phones.push(phone("8 (495) 111-22-33"));
        ours.company = Some("Вектор".into());
        // …and at UIS her e-mail changed, the Belarusian number and the extension went, a
        // new mobile came.
        let mut now = olga();
        now.emails = vec!["olga@vector.ru".into()];
        now.phone_numbers = vec!["79261234567".into(), "79037654321".into()];
        let theirs = fields_of(&now);
        let merged = three_way(&parser, &base, &ours, &theirs);
        assert_eq!(merged.email.as_deref(), Some("olga@vector.ru"));
        assert_eq!(
            merged.company.as_deref(),
            Some("Вектор"),
            "UIS did not change it"
        );
        assert_eq!(merged.notes.as_deref(), Some("Звонить после 18:00"));
        assert_eq!(merged.position.as_deref(), Some("Закупщик"));
        assert!(!merged.fields.contains_key("E-mail 2"), "gone at UIS");
        let raws: Vec<&str> = merged.phones.iter().map(|p| p.raw.as_str()).collect();
        assert_eq!(raws, ["+79261234567", "8 (495) 111-22-33", "+79037654321"]);
    }

    #[test]
    fn met_for_the_first_time_uis_adds_and_takes_nothing_away() {
        let parser = parser();
        let ours = ContactFields {
            name: "Васильева Ольга".into(),
            email: Some("old@example.ru".into()),
            notes: Some("из CSV".into()),
            phones: vec![phone("8 926 123-45-67"), phone("+7 812 000-00-00")],
            ..ContactFields::default()
        };
        let merged = three_way(
            &parser,
            &ContactFields::default(),
            &ours,
            &fields_of(&olga()),
        );
        assert_eq!(merged.email.as_deref(), Some("olga@example.ru"));
        assert_eq!(merged.notes.as_deref(), Some("из CSV"));
        let raws: Vec<&str> = merged.phones.iter().map(|p| p.raw.as_str()).collect();
        // The same mobile in another form is not added twice.
        assert_eq!(
            raws,
            [
                "8 926 123-45-67",
                "+7 812 000-00-00",
                "+375291234567",
                "201"
            ]
        );
    }

    #[test]
    fn nothing_changed_at_uis_leaves_the_contact_as_it_is() {
        let parser = parser();
        let base = fields_of(&olga());
        let mut ours = base.clone();
        ours.name = "Ольга Васильева (опт)".into();
        ours.phones.clear();
        assert_eq!(three_way(&parser, &base, &ours, &base), ours);
    }
}
