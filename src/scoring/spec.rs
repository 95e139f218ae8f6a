//! What a model file declares: [`ModelSpec`] and its parts, exactly as written (hashed for identity).

use serde::{Deserialize, Deserializer, Serialize};

use super::ahp::RiTable;

pub use crate::domain::decision::DecisionKind;
pub use crate::domain::gate::{GateRule, Level};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 综合风险指数 R = Σ wᵢ rᵢ
    #[default]
    Index,
    /// 模糊综合评价 B = W·M
    Fuzzy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    #[default]
    Mean,
    Median,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    pub zh: String,
    pub en: String,
}

/// Everything a model file declares; hashed canonically for the model's identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    pub id: String,
    pub version: String,
    pub kind: DecisionKind,
    pub name: Names,
    #[serde(default)]
    pub method: Method,
    pub provenance: Vec<String>,
    pub ri_table: RiTable,
    pub grades: GradeScales,
    pub levels: LevelBands,
    pub factor_matrix: FactorMatrix,
    pub panel: PanelRules,
    pub gate: GateSpec,
    pub consultation: ConsultationRules,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuzzy: Option<FuzzySpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension_ahp: Option<AhpBlock>,
    /// Required in a model file; absent only in snapshots of models written before it was declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ahp: Option<AhpRules>,
    /// Required in a model file; absent only in snapshots of models written before it was declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<UncertaintyRules>,
    pub dimensions: Vec<DimensionSpec>,
    pub factors: Vec<FactorSpec>,
    #[serde(default)]
    pub measures: Vec<MeasureSpec>,
}

/// When an AHP block's judgments are consistent enough to weigh with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AhpRules {
    /// A block of order 3 or more is acceptable when CR < this; 0 < limit < 1.
    pub consistency_limit: f64,
    pub provenance: String,
}

/// The seeded Monte Carlo runs that judge results: the scenario comparison's order check and the report's
/// uncertainty appendix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncertaintyRules {
    /// The scenarios' order holds when at least this share of perturbed draws keeps it; 0.5 < share ≤ 1.
    pub order_holds_share: f64,
    pub order_draws: u32,
    pub order_seed: u64,
    pub report_draws: u32,
    pub report_seed: u64,
    pub provenance: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeScales {
    pub probability: GradeScale,
    pub impact: GradeScale,
}

/// Values of grades 1..5, strictly increasing in (0, 1].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeScale {
    pub values: Vec<f64>,
    pub provenance: String,
}

impl GradeScale {
    /// Value of grade g (1..5); grades are validated, so the fallback is never reached.
    pub fn value(&self, grade: u8) -> f64 {
        self.values
            .get(usize::from(grade.saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelBands {
    /// R ≥ medium → medium
    pub medium: f64,
    /// R ≥ high → high
    pub high: f64,
    pub provenance: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<LevelNames>,
}

impl LevelBands {
    pub fn level_of(&self, r: f64) -> Level {
        if r >= self.high {
            Level::High
        } else if r >= self.medium {
            Level::Medium
        } else {
            Level::Low
        }
    }
}

/// Local display names of the levels (e.g. A/B/C); the rank stays low < medium < high.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelNames {
    pub low: Names,
    pub medium: Names,
    pub high: Names,
}

/// rows[p-1][q-1] = level of a factor with probability grade p and impact grade q.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorMatrix {
    pub rows: Vec<Vec<String>>,
    pub provenance: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanelRules {
    #[serde(default)]
    pub aggregation: Aggregation,
    /// Fewer experts than this on a factor is a quality finding.
    pub min_experts: u32,
    /// A spread (max − min grade) of at least this flags disagreement.
    pub disagreement_spread: u8,
    /// Grades assumed for a factor with no evidence at all (flagged as missing evidence).
    pub missing_evidence: GradePair,
    pub provenance: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradePair {
    pub probability: u8,
    pub impact: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateSpec {
    pub rule: GateRule,
    pub provenance: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HearingRule {
    Always,
    Never,
    /// Required when the surveyed support rate is below `hearing_support_below` (most object).
    WhenMostObject,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsultationRules {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_public_notice_days: Option<f64>,
    pub hearing: HearingRule,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hearing_support_below: Option<f64>,
    /// With `when_most_object`: a hearing is also required when the surveyed oppose share is above this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hearing_oppose_above: Option<f64>,
    pub support_survey_required: bool,
    /// A survey whose 95 % margin of error is wider than this is flagged as too small a sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_survey_margin: Option<f64>,
    /// The law counts the notice in working days (Monday to Friday), not calendar days.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub notice_in_working_days: bool,
    pub provenance: String,
}

/// Which fuzzy result grade the level is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FuzzyLevelFrom {
    /// The grade of maximum membership (classic; a measure can move it up when votes regroup).
    #[default]
    MaxMembership,
    /// The grade score Σ k·bₖ rounded half up (monotone: a measure never raises it).
    GradeScore,
}

/// For `method = "fuzzy"`: level of each result grade 1..5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FuzzySpec {
    pub grade_levels: Vec<String>,
    #[serde(default)]
    pub level_from: FuzzyLevelFrom,
    pub provenance: String,
}

/// A pairwise-comparison matrix over `order` (dimension or factor ids).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AhpBlock {
    pub order: Vec<String>,
    #[serde(deserialize_with = "judgment_matrix")]
    pub matrix: Vec<Vec<f64>>,
    pub provenance: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionSpec {
    pub id: String,
    pub name: Names,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_ahp: Option<AhpBlock>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorSpec {
    pub id: String,
    pub name: Names,
    pub dimension: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    #[serde(default)]
    pub veto: bool,
    pub evidence: EvidenceRule,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum EvidenceRule {
    Expert,
    Attribute(AttributeRule),
    Petition(PetitionRule),
    Ledger(LedgerRule),
}

/// attribute value v → grades[k] where k = number of breakpoints ≤ v (booleans count as 0/1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeRule {
    pub attribute: String,
    pub breakpoints: Vec<f64>,
    pub grades: Vec<u8>,
    /// Stated impact grade; absent → the experts' impact ratings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<u8>,
    pub provenance: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PetitionIndicator {
    Count,
    #[serde(rename = "rate_per_1000")]
    RatePer1000,
    RatioToParent,
    Trend,
    CollectiveCount,
    CollectiveHeadcount,
    RepeatShare,
    EscalatedShare,
    OverdueShare,
    DissatisfiedShare,
    SpikeMonths,
}

impl PetitionIndicator {
    pub fn name(self) -> &'static str {
        match self {
            PetitionIndicator::Count => "count",
            PetitionIndicator::RatePer1000 => "rate_per_1000",
            PetitionIndicator::RatioToParent => "ratio_to_parent",
            PetitionIndicator::Trend => "trend",
            PetitionIndicator::CollectiveCount => "collective_count",
            PetitionIndicator::CollectiveHeadcount => "collective_headcount",
            PetitionIndicator::RepeatShare => "repeat_share",
            PetitionIndicator::EscalatedShare => "escalated_share",
            PetitionIndicator::OverdueShare => "overdue_share",
            PetitionIndicator::DissatisfiedShare => "dissatisfied_share",
            PetitionIndicator::SpikeMonths => "spike_months",
        }
    }
}

/// A petition indicator over categories and a window; its value is an assessment input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PetitionRule {
    pub indicator: PetitionIndicator,
    pub categories: Vec<String>,
    pub window_months: u32,
    pub breakpoints: Vec<f64>,
    pub grades: Vec<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<u8>,
    pub provenance: String,
}

/// A measure of the concern ledger (民情台账) over the concerns registered for the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerIndicator {
    /// Open concerns in the topics ÷ every concern registered for the decision.
    OpenShare,
    /// Open, unanswered and overdue concerns in the topics ÷ every concern registered for the decision.
    OverdueShare,
    /// Dissatisfied at the call-back ÷ called back, in the topics.
    DissatisfiedShare,
}

impl LedgerIndicator {
    pub fn name(self) -> &'static str {
        match self {
            LedgerIndicator::OpenShare => "open_share",
            LedgerIndicator::OverdueShare => "overdue_share",
            LedgerIndicator::DissatisfiedShare => "dissatisfied_share",
        }
    }
}

/// A ledger indicator over topics; its value, read when the assessment is made, is an assessment input (absent
/// when no concern is registered for the decision).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerRule {
    pub indicator: LedgerIndicator,
    /// Topic ids of `assets/concern-vocabulary.toml`.
    pub topics: Vec<String>,
    pub breakpoints: Vec<f64>,
    pub grades: Vec<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<u8>,
    pub provenance: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeAxis {
    Probability,
    Impact,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    BeforeDecision,
    BeforeImplementation,
    DuringImplementation,
    AfterImplementation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureSpec {
    pub id: String,
    pub name: Names,
    pub effects: Vec<MeasureEffect>,
    /// Relative cost, comparable within one model only.
    pub cost: f64,
    pub owner: Names,
    pub phase: Phase,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureEffect {
    pub factor: String,
    pub on: GradeAxis,
    pub steps: u8,
}

/// Accepts judgments as numbers or as "a/b" strings, so 1/3 can be written exactly.
fn judgment_matrix<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<f64>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Judgment {
        Number(f64),
        Text(String),
    }
    let rows: Vec<Vec<Judgment>> = Vec::deserialize(d)?;
    rows.into_iter()
        .map(|row| {
            row.into_iter()
                .map(|j| match j {
                    Judgment::Number(x) => Ok(x),
                    Judgment::Text(t) => parse_fraction(&t).ok_or_else(|| {
                        serde::de::Error::custom(format!(
                            "judgment \"{t}\" is neither a number nor a fraction such as \"1/3\""
                        ))
                    }),
                })
                .collect()
        })
        .collect()
}

fn parse_fraction(t: &str) -> Option<f64> {
    match t.split_once('/') {
        Some((a, b)) => Some(a.trim().parse::<f64>().ok()? / b.trim().parse::<f64>().ok()?),
        None => t.trim().parse().ok(),
    }
}
