//! The petition vocabulary of `assets/petition-vocabulary.toml`: canonical categories, channels, statuses and
//! satisfaction grades with their synonyms, the headers that name each record field, and the numbers the
//! petition analysis reads (spikes, trend, follow-up baseline).

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
    analysis: PetitionAnalysis,
    categories: BTreeMap<String, Vec<String>>,
    channels: BTreeMap<String, Vec<String>>,
    statuses: BTreeMap<String, Vec<String>>,
    satisfaction: BTreeMap<String, Vec<String>>,
    columns: BTreeMap<String, Vec<String>>,
}

/// The `[analysis]` numbers: when a month is a spike, what the trend compares, how much history follow-up needs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PetitionAnalysis {
    /// A month is a spike when its count lies more than this many standard deviations above the mean.
    pub spike_deviations: f64,
    /// The trend compares the last this many months with as many before them.
    pub trend_months: u16,
    /// Follow-up compares with the months before the resolution only when there are at least this many.
    pub min_baseline_months: u16,
    pub provenance: String,
}

impl PetitionAnalysis {
    /// Every value in range, or an error naming the key.
    fn check(&self) -> Result<(), String> {
        if !(self.spike_deviations.is_finite() && self.spike_deviations > 0.0) {
            return Err(format!(
                "[analysis] spike_deviations must be a positive number, found {}",
                self.spike_deviations
            ));
        }
        for (key, months) in [
            ("trend_months", self.trend_months),
            ("min_baseline_months", self.min_baseline_months),
        ] {
            if months == 0 {
                return Err(format!("[analysis] {key} must be at least 1 month"));
            }
        }
        Ok(())
    }
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
    pub analysis: PetitionAnalysis,
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
        file.analysis.check()?;
        Ok(Self {
            max_headcount: file.max_headcount,
            default_due_days: file.default_due_days,
            collective_headcount: file.collective_headcount,
            analysis: file.analysis,
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

    #[test]
    fn a_bad_analysis_number_is_refused_naming_its_key() {
        let with = |key: &str, value: &str| {
            let line = VOCABULARY_TOML
                .lines()
                .find(|l| l.starts_with(&format!("{key} =")))
                .unwrap();
            Vocabulary::parse(&VOCABULARY_TOML.replacen(line, &format!("{key} = {value}"), 1))
        };
        assert_eq!(
            with("spike_deviations", "2.5")
                .unwrap()
                .analysis
                .spike_deviations,
            2.5
        );
        for (key, value) in [
            ("spike_deviations", "0.0"),
            ("spike_deviations", "nan"),
            ("trend_months", "0"),
            ("min_baseline_months", "0"),
        ] {
            let error = with(key, value).unwrap_err();
            assert!(error.contains(&format!("[analysis] {key}")), "{error}");
        }
        let error = with("trend_months", "-6").unwrap_err();
        assert!(error.contains("trend_months"), "{error}");
        let without = VOCABULARY_TOML.replacen("min_baseline_months", "# min_baseline_months", 1);
        let error = Vocabulary::parse(&without).unwrap_err();
        assert!(error.contains("min_baseline_months"), "{error}");
    }
}
