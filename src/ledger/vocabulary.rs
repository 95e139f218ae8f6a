//! The concern vocabulary of `assets/concern-vocabulary.toml`: topics, channels, states and satisfaction with
//! their synonyms, the headers that name each ledger field, and the default answer deadline.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::domain::concern::{Channel, ConcernState, Satisfaction};

const VOCABULARY_TOML: &str = include_str!("../../assets/concern-vocabulary.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConcernVocabulary {
    /// Days from assignment to the answer when the assignment names no due date.
    pub default_due_days: i64,
    /// Hours east of UTC of the times a ledger writes without a zone, and of the times the export writes.
    pub utc_offset_hours: i32,
    pub topics: BTreeMap<String, Vec<String>>,
    pub channels: BTreeMap<String, Vec<String>>,
    pub states: BTreeMap<String, Vec<String>>,
    pub satisfaction: BTreeMap<String, Vec<String>>,
    pub columns: BTreeMap<String, Vec<String>>,
}

fn normal(s: &str) -> String {
    s.trim().to_lowercase()
}

fn find<'a>(table: &'a BTreeMap<String, Vec<String>>, raw: &str) -> Option<&'a str> {
    let raw = normal(raw);
    table
        .iter()
        .find(|(id, names)| normal(id) == raw || names.iter().any(|n| normal(n) == raw))
        .map(|(id, _)| id.as_str())
}

impl ConcernVocabulary {
    pub fn knows_topic(&self, id: &str) -> bool {
        self.topics.contains_key(id)
    }

    /// The topic id a ledger's word names.
    pub fn topic(&self, raw: &str) -> Option<&str> {
        find(&self.topics, raw)
    }

    pub fn channel(&self, raw: &str) -> Option<Channel> {
        find(&self.channels, raw).and_then(Channel::parse)
    }

    pub fn state(&self, raw: &str) -> Option<ConcernState> {
        find(&self.states, raw).and_then(ConcernState::parse)
    }

    pub fn satisfaction(&self, raw: &str) -> Option<Satisfaction> {
        find(&self.satisfaction, raw).and_then(Satisfaction::parse)
    }

    /// The ledger field a column header names.
    pub fn field_of_header(&self, header: &str) -> Option<&str> {
        find(&self.columns, header)
    }

    /// The header an export writes for a ledger field: the first the vocabulary lists for it.
    pub fn header(&self, field: &str) -> Option<&str> {
        self.columns
            .get(field)
            .and_then(|names| names.first())
            .map(String::as_str)
    }

    /// The zone of the times a ledger writes without one.
    pub fn local_offset(&self) -> chrono::FixedOffset {
        use chrono::Offset;
        // Within a day of UTC, as FixedOffset requires.
        chrono::FixedOffset::east_opt(self.utc_offset_hours.clamp(-23, 23) * 3600)
            .unwrap_or_else(|| chrono::Utc.fix())
    }
}

/// The vocabulary built into the binary. A unit test guards the file; were it broken all the same, the vocabulary
/// is empty and every topic is refused by name rather than the server stopping.
pub static VOCABULARY: LazyLock<ConcernVocabulary> = LazyLock::new(|| {
    toml::from_str(VOCABULARY_TOML).unwrap_or_else(|e| {
        tracing::error!(error = %e, "assets/concern-vocabulary.toml cannot be read");
        ConcernVocabulary {
            default_due_days: 7,
            utc_offset_hours: 8,
            topics: BTreeMap::new(),
            channels: BTreeMap::new(),
            states: BTreeMap::new(),
            satisfaction: BTreeMap::new(),
            columns: BTreeMap::new(),
        }
    })
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vocabulary_reads_and_names_only_known_ids() {
        let v: ConcernVocabulary = toml::from_str(VOCABULARY_TOML).unwrap();
        assert!(v.default_due_days > 0);
        assert!((-12..=14).contains(&v.utc_offset_hours));
        for id in v.channels.keys() {
            assert!(Channel::parse(id).is_some(), "channel {id}");
        }
        for id in v.states.keys() {
            assert!(ConcernState::parse(id).is_some(), "state {id}");
        }
        for id in v.satisfaction.keys() {
            assert!(Satisfaction::parse(id).is_some(), "satisfaction {id}");
        }
        assert_eq!(VOCABULARY.topic("补偿标准"), Some("compensation"));
        assert_eq!(VOCABULARY.channel("12345热线"), Some(Channel::Hotline));
        assert_eq!(
            VOCABULARY.field_of_header(" 反映人 "),
            Some("resident_name")
        );
    }
}
