//! The UIS account's tags and the tags people set on calls (docs `data_api/tags`): what
//! `get.tags` lists, `create.tags` adds, and `set.tag_communications` /
//! `unset.tag_communications` put on and take off a finished call.
//!
//! The account starts with «Целевой», the tag the simulator's automatic rule puts on every
//! conversation of a minute or more (`uis_notify::tags`); that automatic tag belongs to the
//! call's plan, not to this store, so it cannot be taken off. Tags set by hand are kept here
//! with when they were set, and the calls report lists them after the automatic one as
//! `tag_type` `manual`.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard},
};

use chrono::{DateTime, Utc};

/// The automatic tag: id and name, as the notifications carry them.
pub const AUTO_TAG: (u64, &str) = (456, "Целевой");

/// The id the first created tag gets; later ones count up.
const FIRST_CREATED_ID: u64 = 515_114;

/// One tag of the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub id: u64,
    pub name: String,
    pub created: DateTime<Utc>,
}

/// A tag set on a call by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallTag {
    pub tag_id: u64,
    pub at: DateTime<Utc>,
}

#[derive(Debug)]
struct Inner {
    tags: Vec<Tag>,
    next_id: u64,
    /// Tags set by hand, by UIS call session id, in the order they were set.
    on_calls: HashMap<u64, Vec<CallTag>>,
}

/// The account's tags and the manual tags on calls.
#[derive(Debug)]
pub struct Tags {
    inner: Mutex<Inner>,
}

impl Default for Tags {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Inner {
                tags: vec![Tag {
                    id: AUTO_TAG.0,
                    name: AUTO_TAG.1.to_owned(),
                    created: DateTime::UNIX_EPOCH,
                }],
                next_id: FIRST_CREATED_ID,
                on_calls: HashMap::new(),
            }),
        }
    }
}

/// Why a tag was not set or taken off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagRefusal {
    /// No tag with that id (or, for a take-off, not on the call by hand).
    UnknownTag,
    /// The call has the tag already.
    Duplicate,
}

impl Tags {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Each change is one push or removal; a poisoned lock still holds whole values.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every tag, oldest first.
    pub fn list(&self) -> Vec<Tag> {
        self.lock().tags.clone()
    }

    /// Adds a tag named `name`; `None` when one of that name exists (names compare exactly).
    pub fn create(&self, name: &str, now: DateTime<Utc>) -> Option<u64> {
        let mut inner = self.lock();
        if inner.tags.iter().any(|t| t.name == name) {
            return None;
        }
        let id = inner.next_id;
        inner.next_id += 1;
        inner.tags.push(Tag {
            id,
            name: name.to_owned(),
            created: now,
        });
        Some(id)
    }

    /// The tag with `id`.
    pub fn get(&self, id: u64) -> Option<Tag> {
        self.lock().tags.iter().find(|t| t.id == id).cloned()
    }

    /// Sets `tag_id` on the call; `auto` says whether the call carries it automatically.
    pub fn set(
        &self,
        session: u64,
        tag_id: u64,
        auto: bool,
        now: DateTime<Utc>,
    ) -> Result<(), TagRefusal> {
        let mut inner = self.lock();
        if !inner.tags.iter().any(|t| t.id == tag_id) {
            return Err(TagRefusal::UnknownTag);
        }
        let on_call = inner.on_calls.entry(session).or_default();
        if auto || on_call.iter().any(|t| t.tag_id == tag_id) {
            return Err(TagRefusal::Duplicate);
        }
        on_call.push(CallTag { tag_id, at: now });
        Ok(())
    }

    /// Takes a tag set by hand off the call.
    pub fn unset(&self, session: u64, tag_id: u64) -> Result<(), TagRefusal> {
        let mut inner = self.lock();
        let on_call = inner.on_calls.get_mut(&session);
        let Some(on_call) = on_call else {
            return Err(TagRefusal::UnknownTag);
        };
        let before = on_call.len();
        on_call.retain(|t| t.tag_id != tag_id);
        if on_call.len() == before {
            return Err(TagRefusal::UnknownTag);
        }
        Ok(())
    }

    /// The tags set on a call by hand, with their names, in the order they were set.
    pub fn on_call(&self, session: u64) -> Vec<(Tag, DateTime<Utc>)> {
        let inner = self.lock();
        let Some(on_call) = inner.on_calls.get(&session) else {
            return Vec::new();
        };
        on_call
            .iter()
            .filter_map(|set| {
                let tag = inner.tags.iter().find(|t| t.id == set.tag_id)?;
                Some((tag.clone(), set.at))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_created_once_by_name_and_set_once_per_call() {
        let tags = Tags::default();
        let now = Utc::now();
        let id = tags.create("Доставка", now).unwrap();
        assert_eq!(id, FIRST_CREATED_ID);
        assert_eq!(tags.create("Доставка", now), None);
        assert_eq!(tags.create("Возврат", now), Some(FIRST_CREATED_ID + 1));
        assert_eq!(tags.set(7, 1, false, now), Err(TagRefusal::UnknownTag));
        assert_eq!(tags.set(7, id, false, now), Ok(()));
        assert_eq!(tags.set(7, id, false, now), Err(TagRefusal::Duplicate));
        assert_eq!(
            tags.set(7, AUTO_TAG.0, true, now),
            Err(TagRefusal::Duplicate)
        );
        assert_eq!(tags.on_call(7)[0].0.name, "Доставка");
        assert_eq!(tags.unset(7, AUTO_TAG.0), Err(TagRefusal::UnknownTag));
        assert_eq!(tags.unset(7, id), Ok(()));
        assert_eq!(tags.unset(7, id), Err(TagRefusal::UnknownTag));
        assert!(tags.on_call(7).is_empty());
    }
}
