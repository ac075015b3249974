//! The names of trubka-core's call enums — [`Direction`], [`CallStatus`], [`Outcome`] — at
//! the agent's two edges: JSON (the stored and sent [`crate::calls::CallView`]) and SQLite
//! columns. trubka-core has no serde, so its `as_str`/`parse` are the one spelling, and
//! everything inside the agent compares the enums, never their text.

use serde::{Deserialize, Deserializer, Serializer};
use trubka_core::{CallStatus, Direction, Outcome};

/// An enum with one lowercase name per value.
pub trait Named: Sized + Copy {
    /// What it is, for error messages.
    const WHAT: &'static str;
    fn name(self) -> &'static str;
    fn from_name(text: &str) -> Option<Self>;
}

/// Each core enum's own `as_str` and `parse` are its names.
macro_rules! named {
    ($($enum:ty => $what:literal),* $(,)?) => {$(
        impl Named for $enum {
            const WHAT: &'static str = $what;
            fn name(self) -> &'static str {
                self.as_str()
            }
            fn from_name(text: &str) -> Option<Self> {
                <$enum>::parse(text)
            }
        }
    )*};
}

named! {
    Direction => "call direction",
    CallStatus => "call status",
    Outcome => "call outcome",
}

/// `#[serde(with = "crate::call_enums::one")]` on a field of a [`Named`] type.
pub mod one {
    use super::*;

    pub fn serialize<T: Named, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(value.name())
    }

    pub fn deserialize<'de, T: Named, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        let text = String::deserialize(deserializer)?;
        T::from_name(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown {} `{text}`", T::WHAT)))
    }
}

/// `#[serde(with = "crate::call_enums::maybe")]` on an `Option` of a [`Named`] type.
pub mod maybe {
    use super::*;

    pub fn serialize<T: Named, S: Serializer>(
        value: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => serializer.serialize_some(value.name()),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Named, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<T>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|text| {
                T::from_name(&text).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown {} `{text}`", T::WHAT))
                })
            })
            .transpose()
    }
}

/// The value of a text column holding a [`Named`] enum, for `row.get_ref(i)` readers.
pub fn from_column<T: Named>(text: &str) -> rusqlite::Result<T> {
    T::from_name(text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("unknown {} `{text}`", T::WHAT).into(),
        )
    })
}

/// The text a [`Named`] enum is stored as in a column.
pub fn column<T: Named>(value: T) -> &'static str {
    value.name()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Sample {
        #[serde(with = "one")]
        direction: Direction,
        #[serde(with = "maybe", default)]
        outcome: Option<Outcome>,
    }

    #[test]
    fn the_enums_read_back_by_the_core_names_and_refuse_others() {
        for direction in Direction::ALL {
            for outcome in Outcome::ALL.map(Some).into_iter().chain([None]) {
                let sample = Sample { direction, outcome };
                let json = serde_json::to_string(&sample).unwrap();
                assert!(
                    json.contains(&format!("\"{}\"", direction.as_str())),
                    "{json}"
                );
                assert_eq!(serde_json::from_str::<Sample>(&json).unwrap(), sample);
            }
        }
        let bad = serde_json::from_str::<Sample>(r#"{"direction":"sideways"}"#).unwrap_err();
        assert!(
            bad.to_string()
                .contains("unknown call direction `sideways`"),
            "{bad}"
        );
        for status in CallStatus::ALL {
            assert_eq!(from_column::<CallStatus>(column(status)).unwrap(), status);
        }
        assert!(from_column::<Outcome>("Answered").is_err());
    }
}
