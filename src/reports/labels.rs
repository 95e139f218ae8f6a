//! The words of charts and reports in Chinese (default) and English.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::scoring::model::{Level, Model, Names};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// The categories of the bundled petition vocabulary, canonical name → the names it accepts.
static CATEGORY_NAMES: LazyLock<BTreeMap<String, Vec<String>>> = LazyLock::new(|| {
    #[derive(Deserialize)]
    struct Vocabulary {
        categories: BTreeMap<String, Vec<String>>,
    }
    toml::from_str::<Vocabulary>(include_str!("../../assets/petition-vocabulary.toml"))
        .map(|v| v.categories)
        .unwrap_or_default()
});

impl Lang {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "zh" => Some(Self::Zh),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }

    /// Picks the Chinese or the English text.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Zh => zh,
            Self::En => en,
        }
    }

    /// A canonical petition category in words: in Chinese, the first name the petition vocabulary
    /// lists for it; in English, the canonical name spaced out.
    pub fn category(self, canonical: &str) -> String {
        match self {
            Self::Zh => CATEGORY_NAMES
                .get(canonical)
                .and_then(|names| names.first())
                .cloned()
                .unwrap_or_else(|| canonical.to_owned()),
            Self::En => canonical.replace('_', " "),
        }
    }

    pub fn name(self, names: &Names) -> String {
        self.pick(&names.zh, &names.en).to_owned()
    }

    /// A level in the model's own words where it names its levels (A/B/C …), else the usual ones.
    pub fn level(self, model: &Model, level: Level) -> String {
        if let Some(names) = &model.spec().levels.names {
            let names = match level {
                Level::Low => &names.low,
                Level::Medium => &names.medium,
                Level::High => &names.high,
            };
            return self.name(names);
        }
        match level {
            Level::Low => self.pick("低风险", "low"),
            Level::Medium => self.pick("中风险", "medium"),
            Level::High => self.pick("高风险", "high"),
        }
        .to_owned()
    }
}
