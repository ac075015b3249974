//! The UIS account's address book («Адресная книга»; docs `data_api/contact/get_contacts`,
//! `create_contacts`): what `get.contacts` lists, what the simulator's «cabinet» endpoints
//! (`/sim/uis/contacts`) change, and whom the UIS notifications name.
//!
//! The book starts with the cast's known callers ([`cast::CALLERS`] with a name and a
//! `contact_id`), each in the group «Клиенты» (`301`, the `contact_group_ids` the
//! notifications have always carried). A person's name is split into first and last name; a
//! name that reads as an organisation («ООО «Балтснаб»») becomes the contact's organisation
//! with no person names. `full_name` is «Фамилия Имя Отчество» (the missing parts left out),
//! or, with no person names, the organisation's name: the name the notifications carry in
//! `contact_full_name`, so a caller reads the same in both.
//!
//! Numbers are stored as UIS writes them, E.164 digits without `+`
//! ([`cast::uis_number`]). A number belongs to one contact at most (the simulator's rule, so
//! a caller resolves to one name); organisations and groups are kept by name and get ids the
//! first time a contact names them.

use std::{
    collections::BTreeMap,
    sync::{Mutex, MutexGuard},
};

use serde::Deserialize;
use serde_json::{Value, json};

use crate::{cast, config::Employee};

/// The group every cast contact is in (`contact_group_ids` of the notifications).
pub const CLIENTS_GROUP: (u64, &str) = (301, "Клиенты");

/// The id the first organisation gets; later ones count up.
const FIRST_ORGANIZATION_ID: u64 = 8_101;

/// The id the first group made by a contact gets; later ones count up.
const FIRST_GROUP_ID: u64 = 302;

/// The most phone numbers, and the most e-mail addresses, a contact has (the docs' maximum).
pub const MAX_ITEMS: usize = 10;

/// The longest name part, organisation or group name accepted (the docs give none; the
/// cabinet's fields are single lines).
const MAX_NAME_CHARS: usize = 255;

/// Words that start an organisation's name rather than a person's.
const ORGANIZATION_FORMS: &[&str] = &["ООО", "АО", "ПАО", "ЗАО", "ОАО", "ИП", "ЧУП", "НКО"];

/// One contact of the address book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookContact {
    pub id: u64,
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub patronymic: Option<String>,
    pub emails: Vec<String>,
    /// E.164 digits without `+`.
    pub phone_numbers: Vec<String>,
    /// The employee's id and full name.
    pub personal_manager: Option<(u64, String)>,
    /// Id and name.
    pub organization: Option<(u64, String)>,
    /// Ids and names.
    pub groups: Vec<(u64, String)>,
}

impl BookContact {
    /// «Фамилия Имя Отчество» without the missing parts; the organisation's name for a
    /// contact with no person names.
    pub fn full_name(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.last_name, &self.first_name, &self.patronymic]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        if parts.is_empty() {
            self.organization.as_ref().map(|(_, name)| name.clone())
        } else {
            Some(parts.join(" "))
        }
    }

    /// The contact as a `get.contacts` row with every field.
    pub fn row(&self) -> Value {
        json!({
            "id": self.id,
            "last_name": self.last_name,
            "first_name": self.first_name,
            "patronymic": self.patronymic,
            "full_name": self.full_name(),
            "emails": self.emails,
            "phone_numbers": self.phone_numbers,
            "personal_manager_id": self.personal_manager.as_ref().map(|m| m.0),
            "personal_manager_full_name": self.personal_manager.as_ref().map(|m| &m.1),
            "organization_id": self.organization.as_ref().map(|o| o.0),
            "organization_name": self.organization.as_ref().map(|o| &o.1),
            "groups": self.groups.iter()
                .map(|(id, name)| json!({"group_id": id, "group_name": name}))
                .collect::<Vec<_>>(),
        })
    }
}

/// What the notifications need of the contact a number belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownNumber {
    /// `contact_id`.
    pub contact_id: u64,
    /// `contact_full_name`.
    pub full_name: Option<String>,
    /// `contact_group_ids`.
    pub group_ids: Vec<u64>,
}

/// The body of `PUT /sim/uis/contacts/{id}`: the cabinet's contact form. Every field is
/// optional; what is left out is empty in the stored contact (the whole contact is replaced).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactForm {
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub patronymic: Option<String>,
    /// As people type them; stored as E.164 digits.
    #[serde(default)]
    pub phone_numbers: Vec<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    pub organization_name: Option<String>,
    /// Group names; a name the account has not is a new group.
    #[serde(default)]
    pub groups: Vec<String>,
    /// An employee's full name as `get.employees` gives it.
    pub personal_manager_full_name: Option<String>,
    /// Or the employee's id.
    pub personal_manager_id: Option<u64>,
}

/// Why the cabinet did not store a contact.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum BookError {
    #[error("a contact needs a last name, a first name or an organisation name")]
    NoName,
    #[error("a contact needs at least one phone number")]
    NoNumber,
    #[error("{field}: at most {MAX_ITEMS} items")]
    TooMany { field: &'static str },
    #[error("{field}: {value:?} is blank or longer than {MAX_NAME_CHARS} characters")]
    InvalidText { field: &'static str, value: String },
    #[error("phone_numbers: {0:?} is not a phone number")]
    InvalidNumber(String),
    #[error("emails: {0:?} is not an e-mail address")]
    InvalidEmail(String),
    #[error("{field}: {value:?} is given twice")]
    Duplicate { field: &'static str, value: String },
    #[error("no employee {0:?} to be the personal manager")]
    UnknownEmployee(String),
    #[error("phone number {number} belongs to contact {contact_id}")]
    NumberTaken { number: String, contact_id: u64 },
    #[error("no contact {0}")]
    NotFound(u64),
}

impl BookError {
    /// A stable machine-readable code for the HTTP error body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoName => "missing_name",
            Self::NoNumber => "missing_phone_number",
            Self::TooMany { .. } => "too_many_items",
            Self::InvalidText { .. } => "invalid_text",
            Self::InvalidNumber(_) => "invalid_number",
            Self::InvalidEmail(_) => "invalid_email",
            Self::Duplicate { .. } => "duplicate_item",
            Self::UnknownEmployee(_) => "unknown_employee",
            Self::NumberTaken { .. } => "number_taken",
            Self::NotFound(_) => "contact_not_found",
        }
    }
}

/// A form checked: trimmed texts, numbers normalised, the manager found.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Checked {
    last_name: Option<String>,
    first_name: Option<String>,
    patronymic: Option<String>,
    phone_numbers: Vec<String>,
    emails: Vec<String>,
    organization: Option<String>,
    groups: Vec<String>,
    personal_manager: Option<(u64, String)>,
}

/// A trimmed text; blank is absent, as the cabinet saves an emptied field.
fn text(field: &'static str, value: Option<String>) -> Result<Option<String>, BookError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let trimmed = value.trim();
    if trimmed.chars().count() > MAX_NAME_CHARS {
        return Err(BookError::InvalidText { field, value });
    }
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

/// Refuses a list longer than the docs allow or with a repeated item.
fn distinct(field: &'static str, items: &[String]) -> Result<(), BookError> {
    if items.len() > MAX_ITEMS {
        return Err(BookError::TooMany { field });
    }
    for (i, item) in items.iter().enumerate() {
        if items[..i].contains(item) {
            return Err(BookError::Duplicate {
                field,
                value: item.clone(),
            });
        }
    }
    Ok(())
}

impl ContactForm {
    fn check(self, employees: &[Employee]) -> Result<Checked, BookError> {
        let last_name = text("last_name", self.last_name)?;
        let first_name = text("first_name", self.first_name)?;
        let patronymic = text("patronymic", self.patronymic)?;
        let organization = text("organization_name", self.organization_name)?;
        if last_name.is_none() && first_name.is_none() && organization.is_none() {
            return Err(BookError::NoName);
        }
        let phone_numbers = self
            .phone_numbers
            .iter()
            .map(|raw| {
                // UIS keeps E.164 numbers: no hidden numbers, no extensions, at most 15 digits.
                cast::uis_number(raw)
                    .filter(|n| !cast::is_extension(raw) && (7..=15).contains(&n.len()))
                    .ok_or_else(|| BookError::InvalidNumber(raw.clone()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if phone_numbers.is_empty() {
            return Err(BookError::NoNumber);
        }
        distinct("phone_numbers", &phone_numbers)?;
        let emails: Vec<String> = self.emails.iter().map(|e| e.trim().to_owned()).collect();
        if let Some(bad) = emails.iter().find(|e| !plausible_email(e)) {
            return Err(BookError::InvalidEmail(bad.clone()));
        }
        distinct("emails", &emails)?;
        let groups = self
            .groups
            .into_iter()
            .map(|g| {
                text("groups", Some(g.clone()))?.ok_or(BookError::InvalidText {
                    field: "groups",
                    value: g,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        distinct("groups", &groups)?;
        let manager = match (self.personal_manager_id, self.personal_manager_full_name) {
            (None, None) => None,
            (id, name) => {
                let name = name.map(|n| n.trim().to_owned());
                let found = employees.iter().find(|e| {
                    id.is_none_or(|id| e.id == id) && name.as_ref().is_none_or(|n| e.name == *n)
                });
                let Some(employee) = found else {
                    let asked = name.unwrap_or_else(|| id.unwrap_or_default().to_string());
                    return Err(BookError::UnknownEmployee(asked));
                };
                Some((employee.id, employee.name.clone()))
            }
        };
        Ok(Checked {
            last_name,
            first_name,
            patronymic,
            phone_numbers,
            emails,
            organization,
            groups,
            personal_manager: manager,
        })
    }
}

/// One `@` with text on both sides and no spaces: what the cabinet's field lets through.
fn plausible_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((user, domain)) => {
            !user.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

#[derive(Debug)]
struct Inner {
    contacts: BTreeMap<u64, BookContact>,
    organizations: Vec<(u64, String)>,
    groups: Vec<(u64, String)>,
}

impl Inner {
    /// The id of the organisation or group named `name`, made when there is none.
    fn id_of(list: &mut Vec<(u64, String)>, first: u64, name: &str) -> u64 {
        if let Some((id, _)) = list.iter().find(|(_, n)| n == name) {
            return *id;
        }
        let id = list
            .iter()
            .map(|(id, _)| id + 1)
            .max()
            .unwrap_or(first)
            .max(first);
        list.push((id, name.to_owned()));
        id
    }
}

/// The address book, behind a lock: the API reads it while the cabinet endpoints change it.
#[derive(Debug)]
pub struct AddressBook {
    inner: Mutex<Inner>,
}

/// Splits a cast caller's name into (last, first, patronymic, organisation).
type Split = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn split_name(name: &str) -> Split {
    let words: Vec<&str> = name.split_whitespace().collect();
    let organization = words
        .first()
        .is_some_and(|w| ORGANIZATION_FORMS.contains(w))
        || name.contains('«');
    if organization || words.is_empty() {
        return (None, None, None, Some(name.to_owned()));
    }
    // The cast writes people as «Имя [Отчество] Фамилия».
    let first = words[0].to_owned();
    match words.len() {
        1 => (None, Some(first), None, None),
        2 => (Some(words[1].to_owned()), Some(first), None, None),
        n => (
            Some(words[n - 1].to_owned()),
            Some(first),
            Some(words[1..n - 1].join(" ")),
            None,
        ),
    }
}

impl Default for AddressBook {
    /// The cast's known callers.
    fn default() -> Self {
        let mut inner = Inner {
            contacts: BTreeMap::new(),
            organizations: Vec::new(),
            groups: vec![(CLIENTS_GROUP.0, CLIENTS_GROUP.1.to_owned())],
        };
        for caller in cast::CALLERS {
            let (Some(name), Some(id)) = (caller.name, caller.contact_id) else {
                continue;
            };
            let (last_name, first_name, patronymic, organization) = split_name(name);
            let organization = organization.map(|org| {
                let org_id = Inner::id_of(&mut inner.organizations, FIRST_ORGANIZATION_ID, &org);
                (org_id, org)
            });
            let contact = BookContact {
                id,
                last_name,
                first_name,
                patronymic,
                emails: Vec::new(),
                phone_numbers: cast::uis_number(caller.typed).into_iter().collect(),
                personal_manager: None,
                organization,
                groups: vec![(CLIENTS_GROUP.0, CLIENTS_GROUP.1.to_owned())],
            };
            inner.contacts.insert(id, contact);
        }
        Self {
            inner: Mutex::new(inner),
        }
    }
}

impl AddressBook {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Each change is one insert or removal; a poisoned lock still holds whole values.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every contact, by id.
    pub fn list(&self) -> Vec<BookContact> {
        self.lock().contacts.values().cloned().collect()
    }

    /// The contact `number` (E.164 digits) belongs to.
    pub fn lookup(&self, number: &str) -> Option<KnownNumber> {
        let inner = self.lock();
        let contact = inner
            .contacts
            .values()
            .find(|c| c.phone_numbers.iter().any(|n| n == number))?;
        Some(KnownNumber {
            contact_id: contact.id,
            full_name: contact.full_name(),
            group_ids: contact.groups.iter().map(|g| g.0).collect(),
        })
    }

    /// Creates or replaces contact `id` from the cabinet's form; returns the stored contact
    /// and whether it is new.
    pub fn put(
        &self,
        id: u64,
        form: ContactForm,
        employees: &[Employee],
    ) -> Result<(BookContact, bool), BookError> {
        let checked = form.check(employees)?;
        let mut inner = self.lock();
        for number in &checked.phone_numbers {
            let owner = inner
                .contacts
                .values()
                .find(|c| c.id != id && c.phone_numbers.contains(number));
            if let Some(owner) = owner {
                return Err(BookError::NumberTaken {
                    number: number.clone(),
                    contact_id: owner.id,
                });
            }
        }
        let organization = checked.organization.map(|org| {
            let org_id = Inner::id_of(&mut inner.organizations, FIRST_ORGANIZATION_ID, &org);
            (org_id, org)
        });
        let groups = checked
            .groups
            .into_iter()
            .map(|g| (Inner::id_of(&mut inner.groups, FIRST_GROUP_ID, &g), g))
            .collect();
        let contact = BookContact {
            id,
            last_name: checked.last_name,
            first_name: checked.first_name,
            patronymic: checked.patronymic,
            emails: checked.emails,
            phone_numbers: checked.phone_numbers,
            personal_manager: checked.personal_manager,
            organization,
            groups,
        };
        let created = inner.contacts.insert(id, contact.clone()).is_none();
        Ok((contact, created))
    }

    /// Deletes contact `id`.
    pub fn delete(&self, id: u64) -> Result<(), BookError> {
        match self.lock().contacts.remove(&id) {
            Some(_) => Ok(()),
            None => Err(BookError::NotFound(id)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn employees() -> Vec<Employee> {
        cast::default_employees()
    }

    #[test]
    fn the_book_starts_with_the_casts_known_callers() {
        let book = AddressBook::default();
        let contacts = book.list();
        assert_eq!(contacts.len(), 6);
        let olga = &contacts[0];
        assert_eq!(olga.id, 31245);
        assert_eq!(
            (olga.last_name.as_deref(), olga.first_name.as_deref()),
            (Some("Васильева"), Some("Ольга"))
        );
        assert_eq!(olga.full_name().as_deref(), Some("Васильева Ольга"));
        assert_eq!(olga.phone_numbers, ["79261234567"]);
        let company = contacts.iter().find(|c| c.id == 31247).unwrap();
        assert_eq!(company.last_name, None);
        assert_eq!(company.full_name().as_deref(), Some("ООО «Балтснаб»"));
        assert_eq!(
            company.organization,
            Some((FIRST_ORGANIZATION_ID, "ООО «Балтснаб»".into()))
        );
        let known = book.lookup("78123334455").unwrap();
        assert_eq!((known.contact_id, known.group_ids), (31247, vec![301]));
        assert_eq!(book.lookup("79031234500"), None);
    }

    #[test]
    fn the_cabinet_puts_checks_and_deletes() {
        let book = AddressBook::default();
        let form = ContactForm {
            last_name: Some(" Петрова ".into()),
            first_name: Some("Ирина".into()),
            patronymic: Some("Олеговна".into()),
            phone_numbers: vec!["8 (903) 123-45-00".into()],
            emails: vec!["irina@example.ru".into()],
            groups: vec!["VIP".into(), "Клиенты".into()],
            personal_manager_full_name: Some("Игорь Петров".into()),
            ..ContactForm::default()
        };
        let (stored, created) = book.put(40001, form.clone(), &employees()).unwrap();
        assert!(created);
        assert_eq!(
            stored.full_name().as_deref(),
            Some("Петрова Ирина Олеговна")
        );
        assert_eq!(stored.phone_numbers, ["79031234500"]);
        assert_eq!(
            stored.groups,
            [(FIRST_GROUP_ID, "VIP".into()), (301, "Клиенты".into())]
        );
        assert_eq!(
            stored.personal_manager,
            Some((2339293, "Игорь Петров".into()))
        );
        let (_, created) = book.put(40001, form.clone(), &employees()).unwrap();
        assert!(!created);

        let refused = |change: fn(&mut ContactForm)| {
            let mut bad = form.clone();
            change(&mut bad);
            book.put(40002, bad, &employees()).unwrap_err().code()
        };
        assert_eq!(refused(|f| f.phone_numbers.clear()), "missing_phone_number");
        assert_eq!(
            refused(|f| {
                f.last_name = None;
                f.first_name = Some(" ".into());
            }),
            "missing_name"
        );
        assert_eq!(
            refused(|f| f.phone_numbers = vec!["202".into()]),
            "invalid_number"
        );
        assert_eq!(
            refused(|f| f.phone_numbers = vec!["+7 926 123-45-67".into()]),
            "number_taken"
        );
        assert_eq!(
            refused(|f| f.phone_numbers = (0..11).map(|i| format!("7495000000{i}")).collect()),
            "too_many_items"
        );
        assert_eq!(
            refused(|f| f.emails = vec!["a@b.ru".into(), "a@b.ru".into()]),
            "duplicate_item"
        );
        assert_eq!(refused(|f| f.emails = vec!["нет".into()]), "invalid_email");
        assert_eq!(
            refused(|f| f.personal_manager_id = Some(1)),
            "unknown_employee"
        );

        book.delete(40001).unwrap();
        assert_eq!(book.delete(40001).unwrap_err().code(), "contact_not_found");
        assert_eq!(book.lookup("79031234500"), None);
    }
}
