//! The words of charts and reports in Chinese (default) and English. The vocabulary — what each id
//! of the domain (decision kinds, levels, evidence sources, attributes, petition categories …) is
//! called — lives in one data file, assets/labels.toml, embedded in the binary and read here, so
//! the reports and the web pages name things alike. The sentences of the report are the chapters'.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::scoring::model::{Level, Model, Names};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// A group of assets/labels.toml: one kind of id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    DecisionKinds,
    DecisionStatuses,
    Methods,
    Levels,
    GateRules,
    GateOutcomes,
    GateReasons,
    ResolutionOutcomes,
    ChecklistStatuses,
    UncountedReasons,
    MeasurePhases,
    EvidenceSources,
    Severities,
    Quality,
    Booleans,
    Attributes,
    PetitionIndicators,
    PetitionCategories,
    PetitionChannels,
    LedgerIndicators,
    ConcernTopics,
    ConcernChannels,
    ConcernStates,
    ConcernActions,
    Satisfaction,
    ConsultationKinds,
    Units,
}

impl Group {
    pub const ALL: [Group; 27] = [
        Group::DecisionKinds,
        Group::DecisionStatuses,
        Group::Methods,
        Group::Levels,
        Group::GateRules,
        Group::GateOutcomes,
        Group::GateReasons,
        Group::ResolutionOutcomes,
        Group::ChecklistStatuses,
        Group::UncountedReasons,
        Group::MeasurePhases,
        Group::EvidenceSources,
        Group::Severities,
        Group::Quality,
        Group::Booleans,
        Group::Attributes,
        Group::PetitionIndicators,
        Group::PetitionCategories,
        Group::PetitionChannels,
        Group::LedgerIndicators,
        Group::ConcernTopics,
        Group::ConcernChannels,
        Group::ConcernStates,
        Group::ConcernActions,
        Group::Satisfaction,
        Group::ConsultationKinds,
        Group::Units,
    ];

    /// The group's table name in assets/labels.toml.
    pub fn key(self) -> &'static str {
        match self {
            Group::DecisionKinds => "decision_kinds",
            Group::DecisionStatuses => "decision_statuses",
            Group::Methods => "methods",
            Group::Levels => "levels",
            Group::GateRules => "gate_rules",
            Group::GateOutcomes => "gate_outcomes",
            Group::GateReasons => "gate_reasons",
            Group::ResolutionOutcomes => "resolution_outcomes",
            Group::ChecklistStatuses => "checklist_statuses",
            Group::UncountedReasons => "uncounted_reasons",
            Group::MeasurePhases => "measure_phases",
            Group::EvidenceSources => "evidence_sources",
            Group::Severities => "severities",
            Group::Quality => "quality",
            Group::Booleans => "booleans",
            Group::Attributes => "attributes",
            Group::PetitionIndicators => "petition_indicators",
            Group::PetitionCategories => "petition_categories",
            Group::PetitionChannels => "petition_channels",
            Group::LedgerIndicators => "ledger_indicators",
            Group::ConcernTopics => "concern_topics",
            Group::ConcernChannels => "concern_channels",
            Group::ConcernStates => "concern_states",
            Group::ConcernActions => "concern_actions",
            Group::Satisfaction => "satisfaction",
            Group::ConsultationKinds => "consultation_kinds",
            Group::Units => "units",
        }
    }
}

/// How a value of an attribute or petition indicator is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// 0.62 → 62%
    Share,
    /// A plain number, two places at most.
    Ratio,
    Days,
    Months,
    People,
    Petitions,
    Concerns,
    /// 是 / 否
    Flag,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    pub zh: String,
    pub en: String,
    #[serde(default)]
    pub unit: Option<Unit>,
}

/// A provenance text of a model and how each language shows it (the rule: assets/labels.toml).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvenanceLabel {
    pub text: String,
    #[serde(default)]
    pub zh: Option<String>,
    #[serde(default)]
    pub en: Option<String>,
    /// The Chinese citation an English report keeps next to the gloss.
    #[serde(default)]
    pub cite: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Vocabulary {
    #[serde(default)]
    pub provenance: Vec<ProvenanceLabel>,
    #[serde(flatten)]
    pub groups: BTreeMap<String, BTreeMap<String, Label>>,
}

pub const LABELS_TOML: &str = include_str!("../../assets/labels.toml");

static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(|| {
    toml::from_str(LABELS_TOML).unwrap_or_else(|e| {
        // A unit test parses the file, so this is only reachable with a broken build.
        tracing::error!(error = %e, "assets/labels.toml cannot be read; ids are shown instead of words");
        Vocabulary::default()
    })
});

/// The whole vocabulary, for pages that list it.
pub fn vocabulary() -> &'static Vocabulary {
    &VOCABULARY
}

/// The label of `id` in `group`, if assets/labels.toml has one.
pub fn label(group: Group, id: &str) -> Option<&'static Label> {
    VOCABULARY.groups.get(group.key())?.get(id)
}

/// An enum's id as it is serialised (`land_requisition`, `before_decision` …).
pub fn serde_id<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

const DEFAULT_ZH: &str = "默认值，须结合本地实际确认";
const DEFAULT_EN: &str = "default, confirm locally";

/// "DESIGN §4.1" → what `cite(number)` makes of "4.1".
fn replace_design_refs(text: &str, cite: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("DESIGN §") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "DESIGN §".len()..];
        let len = after
            .char_indices()
            .take_while(|(i, c)| {
                c.is_ascii_digit()
                    || (*c == '.' && after[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
            })
            .count();
        out.push_str(&cite(&after[..len]));
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

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

    pub fn name(self, names: &Names) -> String {
        self.pick(&names.zh, &names.en).to_owned()
    }

    /// The word for `id` in `group`; an id without a label is shown as it is, and logged (the
    /// language tests fail on it).
    pub fn word(self, group: Group, id: &str) -> String {
        match label(group, id) {
            Some(l) => self.pick(&l.zh, &l.en).to_owned(),
            None => {
                tracing::warn!(group = group.key(), id, "no label in assets/labels.toml");
                id.to_owned()
            }
        }
    }

    /// The word for an enum value of the domain, by its serialised id.
    pub fn word_of<T: Serialize>(self, group: Group, value: &T) -> String {
        self.word(group, &serde_id(value))
    }

    /// A labelled sentence with its `{placeholders}` filled in.
    pub fn fill(self, group: Group, id: &str, values: &[(&str, &str)]) -> String {
        values
            .iter()
            .fold(self.word(group, id), |text, (key, value)| {
                text.replace(&format!("{{{key}}}"), value)
            })
    }

    pub fn yes_no(self, value: bool) -> String {
        self.word(Group::Booleans, if value { "true" } else { "false" })
    }

    /// A canonical petition category in words.
    pub fn category(self, canonical: &str) -> String {
        self.word(Group::PetitionCategories, canonical)
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
        self.word(Group::Levels, level.as_str())
    }

    /// "：" or ": ".
    pub fn colon(self) -> &'static str {
        self.pick("：", ": ")
    }

    /// Items of a list, joined as the language joins them.
    pub fn list<S: AsRef<str>>(self, items: &[S]) -> String {
        let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
        items.join(self.pick("、", ", "))
    }

    /// Text in brackets: （…） in Chinese, (…) in English.
    pub fn bracket(self, text: &str) -> String {
        match self {
            Self::Zh => format!("（{text}）"),
            Self::En => format!(" ({text})"),
        }
    }

    /// A model's provenance text as this language shows it (the rule: assets/labels.toml).
    pub fn provenance(self, text: &str) -> String {
        let known = VOCABULARY.provenance.iter().find(|p| p.text == text);
        match self {
            Self::Zh => match known.and_then(|p| p.zh.as_ref()) {
                Some(zh) => zh.clone(),
                None => replace_design_refs(&text.replace(DEFAULT_EN, DEFAULT_ZH), |n| {
                    format!("docs/design.md 第 {n} 节")
                }),
            },
            Self::En => match known.and_then(|p| p.en.as_ref()) {
                Some(en) => match known.and_then(|p| p.cite.as_ref()) {
                    Some(cite) => format!("{en} [{cite}]"),
                    None => en.clone(),
                },
                None => replace_design_refs(text, |n| format!("docs/design.md §{n}")),
            },
        }
    }
}

#[cfg(test)]
#[path = "labels_tests.rs"]
mod tests;
