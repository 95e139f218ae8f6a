//! The petition vocabulary of `assets/petition-vocabulary.toml`: canonical categories, channels, statuses and
//! satisfaction grades with their synonyms, and the headers that name each record field.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use serde::Deserialize;

const VOCABULARY_TOML: &str = include_str!("../../assets/petition-vocabulary.toml");

/// Every record field the importer knows, in the order rejects and generated files list them.
pub const FIELDS: &[&str] = &[
    "source_id",
    "received_on",
    "channel",
    "region_code",
    "category",
    "subcategory",
    "headcount",
    "collective",
    "repeated",
    "escalated",
    "status",
    "due_on",
    "concluded_on",
    "satisfaction",
    "decision_id",
];

/// Fields a file must have a column for.
pub const REQUIRED_FIELDS: &[&str] = &[
    "source_id",
    "received_on",
    "channel",
    "region_code",
    "category",
    "headcount",
    "status",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VocabularyFile {
    max_headcount: i32,
    default_due_days: i64,
    collective_headcount: i32,
    categories: BTreeMap<String, Vec<String>>,
    channels: BTreeMap<String, Vec<String>>,
    statuses: BTreeMap<String, Vec<String>>,
    satisfaction: BTreeMap<String, Vec<String>>,
    columns: BTreeMap<String, Vec<String>>,
}

/// Synonym → canonical name, compared trimmed and case-insensitively.
#[derive(Debug, Clone, Default)]
pub struct Synonyms(HashMap<String, String>);

impl Synonyms {
    fn build(table: &BTreeMap<String, Vec<String>>) -> Result<Self, String> {
        let mut map = HashMap::new();
        for (canonical, names) in table {
            for name in names.iter().chain(std::iter::once(canonical)) {
                let key = normalise(name);
                if let Some(other) = map.insert(key, canonical.clone())
                    && &other != canonical
                {
                    return Err(format!("'{name}' names both {other} and {canonical}"));
                }
            }
        }
        Ok(Self(map))
    }

    pub fn canonical(&self, raw: &str) -> Option<&str> {
        // Most cells match as they are (Chinese has no case); only the rest pay for lower-casing.
        self.0
            .get(raw.trim())
            .or_else(|| self.0.get(&normalise(raw)))
            .map(String::as_str)
    }
}

pub fn normalise(raw: &str) -> String {
    raw.trim().trim_start_matches('\u{feff}').to_lowercase()
}

#[derive(Debug, Clone)]
pub struct Vocabulary {
    pub max_headcount: i32,
    pub default_due_days: i64,
    pub collective_headcount: i32,
    pub categories: Synonyms,
    /// Canonical category names, sorted.
    pub category_names: Vec<String>,
    pub channels: Synonyms,
    pub statuses: Synonyms,
    pub satisfaction: Synonyms,
    /// Header → record field.
    pub columns: Synonyms,
}

impl Vocabulary {
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: VocabularyFile = toml::from_str(text).map_err(|e| e.to_string())?;
        if let Some(unknown) = file.columns.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(format!("[columns] names an unknown field '{unknown}'"));
        }
        Ok(Self {
            max_headcount: file.max_headcount,
            default_due_days: file.default_due_days,
            collective_headcount: file.collective_headcount,
            categories: Synonyms::build(&file.categories)?,
            category_names: file.categories.keys().cloned().collect(),
            channels: Synonyms::build(&file.channels)?,
            statuses: Synonyms::build(&file.statuses)?,
            satisfaction: Synonyms::build(&file.satisfaction)?,
            columns: Synonyms::build(&file.columns)?,
        })
    }
}

static VOCABULARY: LazyLock<Result<Vocabulary, String>> =
    LazyLock::new(|| Vocabulary::parse(VOCABULARY_TOML));

/// The bundled vocabulary; an error only if the bundled file itself is broken (a unit test guards it).
pub fn vocabulary() -> Result<&'static Vocabulary, String> {
    VOCABULARY
        .as_ref()
        .map_err(|e| format!("assets/petition-vocabulary.toml: {e}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_bundled_vocabulary_maps_the_sample_names() {
        let v = vocabulary().unwrap();
        assert_eq!(
            v.categories.canonical("征地拆迁"),
            Some("land_requisition_demolition")
        );
        assert_eq!(
            v.categories.canonical("拖欠工资"),
            Some("labour_social_security")
        );
        assert_eq!(v.channels.canonical("网上信访"), Some("online"));
        assert_eq!(v.statuses.canonical("已终结"), Some("closed"));
        assert_eq!(v.columns.canonical(" 信访编号 "), Some("source_id"));
        assert_eq!(v.categories.canonical("nonsense"), None);
    }
}
