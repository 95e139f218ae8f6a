//! The committee's resolution (决策记录) and what the decision gate allows it to resolve.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::gate::GateOutcome;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 实施
    Implement,
    /// 落实措施后实施
    ImplementAfterMitigation,
    /// 暂缓实施
    Postpone,
    /// 不予实施
    Reject,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Implement => "implement",
            Self::ImplementAfterMitigation => "implement_after_mitigation",
            Self::Postpone => "postpone",
            Self::Reject => "reject",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(raw.to_owned())).ok()
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Implement => "实施",
            Self::ImplementAfterMitigation => "落实防范化解措施后实施",
            Self::Postpone => "暂缓实施",
            Self::Reject => "不予实施",
        }
    }

    /// Whether the gate allows the committee this outcome. Postponing and rejecting are always allowed: the
    /// gate only restrains going ahead, and at medium under `major-decision` only going ahead at once.
    pub fn allowed_by(self, gate: GateOutcome) -> bool {
        use GateOutcome::*;
        match (self, gate) {
            (Self::Postpone | Self::Reject, _) => true,
            (_, NotApproved | DoNotImplement) => false,
            (Self::Implement, ImplementAfterMitigation) => false,
            _ => true,
        }
    }
}

/// What the committee submits.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolutionRequest {
    pub outcome: Outcome,
    /// Conditions attached to the outcome.
    #[serde(default)]
    pub conditions: String,
    /// The assessment the resolution is signed against; it must be of this decision.
    pub assessment_id: Uuid,
    /// Required to resolve what the gate forbids; recorded and shown prominently in reports.
    #[serde(default)]
    pub override_reason: Option<String>,
}

/// A resolution as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Resolution {
    pub id: Uuid,
    pub decision_id: Uuid,
    pub outcome: Outcome,
    pub conditions: String,
    pub assessment_id: Uuid,
    /// The content hash of the assessment signed against.
    pub assessment_hash: String,
    /// The gate's recommendation in that assessment.
    #[schema(value_type = String)]
    pub gate_outcome: GateOutcome,
    pub residual_level: String,
    /// Present when the committee overrode the gate.
    pub override_reason: Option<String>,
    /// The petition categories follow-up watches in the decision's regions (those of the model's
    /// petition factors); empty = all categories.
    pub watched_categories: Vec<String>,
    pub author: String,
    pub created_at: DateTime<Utc>,
    /// A later material change reopened review.
    pub needs_review: bool,
    pub review_reasons: Vec<String>,
}

/// A spike month found after a resolution.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Alert {
    pub id: Uuid,
    pub decision_id: Uuid,
    pub resolution_id: Uuid,
    /// The decision's affected region whose petitions spiked.
    pub region: String,
    /// yyyy-mm
    pub month: String,
    pub count: i64,
    /// Mean and standard deviation of the monthly counts before the resolution.
    pub baseline_mean: f64,
    pub baseline_sd: f64,
    pub z: f64,
    /// The categories counted; empty = all.
    pub categories: Vec<String>,
    pub created_at: DateTime<Utc>,
}

/// A spike about to be recorded.
#[derive(Debug, Clone)]
pub struct NewAlert {
    pub region: String,
    /// yyyymm
    pub month: i32,
    pub count: i64,
    pub baseline_mean: f64,
    pub baseline_sd: f64,
    pub z: f64,
    pub categories: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gate_restrains_only_going_ahead() {
        use GateOutcome::*;
        for gate in [
            NotApproved,
            ApprovableWithControls,
            DoNotImplement,
            ImplementAfterMitigation,
            MayImplement,
        ] {
            assert!(Outcome::Postpone.allowed_by(gate));
            assert!(Outcome::Reject.allowed_by(gate));
        }
        assert!(!Outcome::Implement.allowed_by(NotApproved));
        assert!(!Outcome::Implement.allowed_by(DoNotImplement));
        assert!(!Outcome::Implement.allowed_by(ImplementAfterMitigation));
        assert!(Outcome::ImplementAfterMitigation.allowed_by(ImplementAfterMitigation));
        assert!(Outcome::Implement.allowed_by(MayImplement));
        assert!(Outcome::Implement.allowed_by(ApprovableWithControls));
    }
}
