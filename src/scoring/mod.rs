//! Risk models and the scoring engine: model files → validated [`Model`]; inputs → [`Assessment`].
//! Pure: no IO (model files are read at start, by `startup::models`), no async, no database.

pub mod ahp;
pub mod assessment;
pub mod bundled;
pub mod canonical;
pub mod engine;
pub mod entropy;
pub mod error;
mod evidence;
pub mod fuzzy;
pub mod gate;
pub mod grades;
pub mod histogram;
pub mod inputs;
pub mod load;
pub mod model;
pub mod numbers;
pub mod optimizer;
pub mod order;
pub mod quality;
pub mod record;
pub mod sensitivity;
pub mod simulation;
mod spans;
pub mod spec;
#[cfg(test)]
mod test_support;
pub mod tornado;
mod validate;
mod weights;

pub use ahp::{AhpResult, InconsistentPair, RiTable, ahp, ahp_group};
pub use assessment::{
    Assessment, DimensionScore, EvidenceSource, EvidenceUsed, FactorAssessment, FactorScore,
    FuzzyOutcome, LevelOutcome, ModelRef, ResidualOutcome, VetoReason,
};
pub use bundled::bundled_models;
pub use engine::assess;
pub use entropy::entropy_weights;
pub use error::{InputError, InputErrors, MethodError, ModelError, ModelErrorKind, ModelErrors};
pub use fuzzy::{FceResult, fce};
pub use gate::{Duty, GateOutcome, GateRecommendation};
pub use grades::GradeEstimate;
pub use inputs::{AssessmentInputs, AttributeValue, ExpertRating};
pub use model::{
    Aggregation, DecisionKind, GateRule, Level, Method, Model, ModelSpec, ModelSummary, Names,
};
pub use numbers::{AnalysisNumbers, BEFORE_DECLARED};
pub use optimizer::{FrontierMethod, FrontierPoint, MitigationPlan, mitigation_plan};
pub use order::{OrderCheck, OrderStability, order_stability};
pub use quality::{QualityCode, QualityFinding, Severity};
pub use sensitivity::{LevelBasis, Sensitivity, sensitivity};
pub use simulation::{Simulation, SimulationRequest, simulate};
