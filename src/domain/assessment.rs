//! What every view of a stored assessment shows: its identity, author, model and the two levels. The full
//! record (inputs and the engine's result) is the scoring module's; this is the part lists and links need.

use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentHead {
    /// Position among all assessments; orders them exactly.
    pub seq: i64,
    pub id: Uuid,
    pub decision_id: Uuid,
    pub model_id: String,
    pub model_version: String,
    pub model_hash: String,
    /// SHA-256 (hex) of the canonical JSON of {inputs, model_hash, result}.
    pub content_hash: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub initial_r: f64,
    pub initial_level: String,
    pub residual_r: f64,
    pub residual_level: String,
    /// The measures the residual level counts.
    pub measures: Vec<String>,
    /// The scenario assessed; absent for assessments made before scenarios existed.
    pub scenario_id: Option<Uuid>,
}
