//! `trubka-relay tags set|list`: the admin's list of tags agents pick for their notes on
//! calls (`POST /v1/calls/{id}/notes` takes only these). Works on the database a running
//! relay uses; the next note is checked against the new list.

use std::io::Write;

use clap::Subcommand;
use trubka_core::{Lang, tr};

use super::CliError;
use crate::cases::notes::{store_tags, tags as stored_tags};
use crate::config::RelayConfig;
use crate::store::{Role, Store, open_connection, prepare_data_dir};

/// The longest tag, in characters: a word or two, shown on a button.
pub(crate) const MAX_TAG_CHARS: usize = 64;

#[derive(Debug, Subcommand)]
pub enum TagsCommand {
    /// Replace the list with TAGS, in this order (none: an empty list). Notes keep the tags
    /// they were written with.
    Set {
        /// The tags, each one argument: "Доставка" "Возврат" "Жалоба".
        tags: Vec<String>,
    },
    /// Print the list, one tag a line.
    List,
}

/// A tag list that cannot be kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagError {
    #[error("a tag is empty")]
    Empty,
    #[error("the tag «{0}» is longer than {MAX_TAG_CHARS} characters")]
    TooLong(String),
    #[error("the tag «{0}» is given twice")]
    Twice(String),
}

impl TagError {
    pub(crate) fn localized(&self, lang: Lang) -> String {
        match self {
            TagError::Empty => tr!(lang, "пустая метка", "a tag is empty"),
            TagError::TooLong(tag) => tr!(
                lang,
                "метка «{tag}» длиннее {MAX_TAG_CHARS} знаков",
                "the tag «{tag}» is longer than {MAX_TAG_CHARS} characters"
            ),
            TagError::Twice(tag) => tr!(
                lang,
                "метка «{tag}» указана дважды",
                "the tag «{tag}» is given twice"
            ),
        }
    }
}

/// The tags as given, trimmed, or why they cannot be kept.
pub(crate) fn checked_tags(names: &[String]) -> Result<Vec<String>, TagError> {
    let mut clean: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        let name = name.trim();
        if name.is_empty() {
            return Err(TagError::Empty);
        }
        if name.chars().count() > MAX_TAG_CHARS {
            return Err(TagError::TooLong(name.to_owned()));
        }
        if clean.iter().any(|c| c == name) {
            return Err(TagError::Twice(name.to_owned()));
        }
        clean.push(name.to_owned());
    }
    Ok(clean)
}

/// `tags set|list` against the database in `config.data_dir`.
pub fn tags(
    config: &RelayConfig,
    command: &TagsCommand,
    out: &mut impl Write,
) -> Result<(), CliError> {
    // Opening the store brings the schema up to date before the tags table is used.
    drop(Store::open(&config.data_dir)?);
    let path = prepare_data_dir(&config.data_dir)?;
    let mut conn = open_connection(&path, Role::Writer)?;
    let lang = config.language;
    match command {
        TagsCommand::Set { tags } => {
            let tags = checked_tags(tags)?;
            store_tags(&mut conn, &tags)?;
            let count = tags.len();
            writeln!(
                out,
                "{}",
                tr!(lang, "Меток в списке: {count}", "Tags on the list: {count}")
            )?;
        }
        TagsCommand::List => {
            let tags = stored_tags(&conn)?;
            if tags.is_empty() {
                writeln!(
                    out,
                    "{}",
                    lang.pick(
                        "Список меток пуст: trubka-relay tags set \"Доставка\" \"Возврат\"",
                        "The tag list is empty: trubka-relay tags set \"Delivery\" \"Return\""
                    )
                )?;
            }
            for tag in tags {
                writeln!(out, "{tag}")?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_trimmed_and_refused_when_empty_too_long_or_twice() {
        let names = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            checked_tags(&names(&[" Доставка ", "Возврат"])).unwrap(),
            ["Доставка", "Возврат"]
        );
        assert_eq!(checked_tags(&names(&["  "])), Err(TagError::Empty));
        assert_eq!(
            checked_tags(&names(&["Доставка", "Доставка "])),
            Err(TagError::Twice("Доставка".to_owned()))
        );
        let long = "я".repeat(MAX_TAG_CHARS + 1);
        assert!(matches!(checked_tags(&[long]), Err(TagError::TooLong(_))));
        assert!(TagError::Empty.localized(Lang::Ru).contains("пустая"));
    }
}
