//! The committee's resolution (决策记录) and what the decision gate allows it to resolve.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::scoring::GateOutcome;

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

    /// Why the gate forbids this outcome, or None when it allows it. Postponing and rejecting are
    /// always allowed: the gate only restrains going ahead.
    pub fn forbidden_by(self, gate: GateOutcome) -> Option<&'static str> {
        use GateOutcome::*;
        match (self, gate) {
            (Self::Postpone | Self::Reject, _) => None,
            (_, NotApproved) => Some(
                "under ndrc-2492 a residual level of medium or high is not approved: the project may not go ahead",
            ),
            (_, DoNotImplement) => Some(
                "the residual level is high: the decision may not be implemented; redesign and reassess",
            ),
            (Self::Implement, ImplementAfterMitigation) => Some(
                "the residual level is medium: implement only after the mitigation plan is in place (implement_after_mitigation)",
            ),
            _ => None,
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
            assert!(Outcome::Postpone.forbidden_by(gate).is_none());
            assert!(Outcome::Reject.forbidden_by(gate).is_none());
        }
        assert!(Outcome::Implement.forbidden_by(NotApproved).is_some());
        assert!(Outcome::Implement.forbidden_by(DoNotImplement).is_some());
        assert!(
            Outcome::Implement
                .forbidden_by(ImplementAfterMitigation)
                .is_some()
        );
        assert!(
            Outcome::ImplementAfterMitigation
                .forbidden_by(ImplementAfterMitigation)
                .is_none()
        );
        assert!(Outcome::Implement.forbidden_by(MayImplement).is_none());
        assert!(
            Outcome::Implement
                .forbidden_by(ApprovableWithControls)
                .is_none()
        );
    }
}
