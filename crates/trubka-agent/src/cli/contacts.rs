//! `trubka-cli contacts …`: the address book, team and private. A contact added while
//! signed in to a relay goes to the team directory unless `--private`; edits, numbers and
//! deletes of a team contact go to the relay; `sync` fetches the directory's changes now.

use std::collections::BTreeMap;

use super::args::ContactsAction;
use super::commands::{CliError, json_line};
use super::render;
use crate::contacts::{ContactDraft, PhoneEntry};
use crate::engine::Engine;
use crate::engine::contacts::ExportFormat;

/// Runs one `contacts` subcommand.
pub async fn run(engine: &Engine, action: ContactsAction) -> Result<(), CliError> {
    match action {
        ContactsAction::Import { file, json } => {
            let report = engine.import_contacts(&file).await?;
            if json {
                json_line(&report)?;
            } else {
                println!("{}", render::import_report(&report));
            }
        }
        ContactsAction::Export { file } => {
            let count = engine
                .export_contacts(&file, ExportFormat::for_path(&file))
                .await?;
            println!("Выгружено контактов: {count} → {}", file.display());
        }
        ContactsAction::Find {
            number,
            explain,
            json,
        } => {
            let lookup = engine.find_contacts(&number).await?;
            if json {
                json_line(&lookup)?;
            } else {
                println!("{}", render::lookup(&lookup, explain));
            }
        }
        ContactsAction::Search { text } => {
            for entry in engine.search_contacts(&text, 50).await? {
                let contact = &entry.contact;
                let numbers: Vec<&str> = contact.phones().map(|n| n.raw.as_str()).collect();
                println!(
                    "#{} {} {} — {}",
                    contact.id,
                    contact.display_name(),
                    numbers.join(", "),
                    render::whose(&entry.meta)
                );
            }
        }
        ContactsAction::Add {
            name,
            phones,
            company,
            email,
            position,
            notes,
            fields,
            crm_url,
            private,
            team,
        } => {
            let mut extra = BTreeMap::new();
            for (key, value) in parse_fields(&fields)? {
                extra.insert(key, value);
            }
            let draft = ContactDraft {
                name,
                company,
                email,
                position,
                notes,
                phones: phones.into_iter().map(PhoneEntry::new).collect(),
                fields: extra,
            };
            if team || (!private && engine.team_by_default()) {
                let entry = engine.create_team_contact(draft, crm_url).await?;
                println!(
                    "Контакт #{} сохранён в справочнике команды / saved to the team directory",
                    entry.contact.id
                );
            } else {
                let id = engine.add_contact(draft).await?;
                println!("Контакт #{id} сохранён как личный / saved as private");
            }
        }
        ContactsAction::Edit {
            id,
            name,
            phones,
            company,
            email,
            position,
            notes,
            fields,
            crm_url,
        } => {
            let entry = engine
                .contact_entry(id)
                .await?
                .ok_or(crate::store::StoreError::NoSuchContact(id))
                .map_err(crate::engine::EngineError::from)?;
            let mut draft = entry.contact.to_draft();
            let keep = |new: Option<String>, old: &mut Option<String>| {
                if let Some(new) = new {
                    *old = Some(new);
                }
            };
            if let Some(name) = name {
                draft.name = name;
            }
            keep(company, &mut draft.company);
            keep(email, &mut draft.email);
            keep(position, &mut draft.position);
            keep(notes, &mut draft.notes);
            if !phones.is_empty() {
                draft.phones = phones.into_iter().map(PhoneEntry::new).collect();
            }
            for (key, value) in parse_fields(&fields)? {
                if value.is_empty() {
                    draft.fields.remove(&key);
                } else {
                    draft.fields.insert(key, value);
                }
            }
            match entry.meta.team {
                Some(team) => {
                    let crm_url = crm_url.or(entry.meta.crm_url);
                    engine
                        .update_team_contact(team.id, Some(team.version), draft, crm_url)
                        .await?;
                    println!("Контакт команды #{id} изменён / team contact changed");
                }
                None => {
                    engine.update_contact(id, draft).await?;
                    println!("Контакт #{id} изменён / contact changed");
                }
            }
        }
        ContactsAction::Attach { id, phone, label } => {
            engine.attach_number(id, &phone, label).await?;
            println!("Номер {phone} добавлен к контакту #{id}");
        }
        ContactsAction::FromCall { call_id, name } => {
            let id = engine.contact_from_call(&call_id, &name).await?;
            println!("Контакт #{id} создан из звонка {call_id}");
        }
        ContactsAction::Delete { id } => {
            engine.delete_contact(id).await?;
            println!("Контакт #{id} удалён");
        }
        ContactsAction::Sync => {
            let status = engine.sync_directory().await?;
            println!("{}", render::directory_status(&status));
        }
        ContactsAction::History { id } => {
            let team = engine
                .contact_meta(id)
                .await?
                .team
                .ok_or(crate::engine::EngineError::NotTeamContact(id))?;
            let found = engine.contact_history(team.id).await?;
            println!("{}", render::contact_history(&found));
        }
    }
    Ok(())
}

/// `KEY=VALUE` arguments.
fn parse_fields(fields: &[String]) -> Result<Vec<(String, String)>, CliError> {
    fields
        .iter()
        .map(|field| {
            field
                .split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .ok_or_else(|| CliError::Usage(format!("--field {field}: expected KEY=VALUE")))
        })
        .collect()
}
