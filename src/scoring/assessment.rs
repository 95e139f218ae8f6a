//! The engine's output: every number with its trace, factor → evidence → grades → rᵢ → wᵢ → cᵢ → R → level → gate.

use serde::{Deserialize, Serialize};

use super::gate::GateRecommendation;
use super::grades::GradeEstimate;
use super::model::{DecisionKind, Level, Method, Names};
use super::quality::QualityFinding;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub model: ModelRef,
    /// In the model's factor order.
    pub factors: Vec<FactorAssessment>,
    pub dimensions: Vec<DimensionScore>,
    /// Before measures.
    pub initial: LevelOutcome,
    /// With the chosen measures; the gate reads this.
    pub residual: ResidualOutcome,
    pub gate: GateRecommendation,
    pub quality: Vec<QualityFinding>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRef {
    pub id: String,
    pub version: String,
    pub kind: DecisionKind,
    pub hash: String,
    pub method: Method,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceSource {
    Expert,
    Attribute,
    Petition,
    /// A measure of the concern ledger (民情台账).
    Ledger,
    /// The impact grade stated by the model's evidence rule.
    Stated,
    /// No evidence: the model's `panel.missing_evidence` grades were assumed.
    Assumed,
}

/// Where a factor's probability and impact came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceUsed {
    pub probability_source: EvidenceSource,
    pub impact_source: EvidenceSource,
    /// Attribute or indicator name, when one was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_value: Option<f64>,
    /// Probability grade the breakpoints mapped the raw value to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapped_grade: Option<u8>,
    /// Why the rule's own source was not used, if it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorAssessment {
    pub id: String,
    pub name: Names,
    pub dimension: String,
    pub veto: bool,
    pub local_weight: f64,
    /// wᵢ = dimension weight × local weight
    pub weight: f64,
    pub evidence: EvidenceUsed,
    pub expert_count: usize,
    /// max − min grade across the experts, over probability and impact; None without experts.
    pub spread: Option<u8>,
    pub disagreement: bool,
    pub initial: FactorScore,
    pub residual: FactorScore,
    /// Chosen measures that address this factor.
    pub measures: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorScore {
    pub probability: GradeEstimate,
    pub impact: GradeEstimate,
    /// rᵢ = P(p)·I(q)
    pub degree: f64,
    /// cᵢ = wᵢ·rᵢ
    pub contribution: f64,
    /// From the 5×5 matrix at the matrix grades.
    pub level: Level,
    /// Share of votes per grade 1..5 (fuzzy method only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub membership: Option<Vec<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionScore {
    pub id: String,
    pub name: Names,
    pub weight: f64,
    /// Σ cᵢ over the dimension's factors.
    pub initial_score: f64,
    /// initial_score ÷ dimension weight, in [0, 1]; None for a zero weight.
    pub initial_normalised: Option<f64>,
    pub residual_score: f64,
    pub residual_normalised: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VetoReason {
    pub factor: String,
    pub name: Names,
    pub factor_level: Level,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FuzzyOutcome {
    /// B = W·M
    pub b: Vec<f64>,
    /// Σ k·bₖ
    pub grade_score: f64,
    pub max_membership_grade: u8,
    /// The grade the level was read from (per the model's `fuzzy.level_from`).
    pub level_grade: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelOutcome {
    /// R = Σ cᵢ, summed in factor order from the reported contributions.
    pub r: f64,
    /// Level from the thresholds (index) or the fuzzy result grade, before any veto.
    pub method_level: Level,
    /// The level after veto factors.
    pub level: Level,
    pub veto: Vec<VetoReason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fuzzy: Option<FuzzyOutcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResidualOutcome {
    pub measures: Vec<String>,
    #[serde(flatten)]
    pub outcome: LevelOutcome,
}
