//! Risk levels and the decision gate (决策门槛): which outcome each jurisdiction's rule gives a residual level,
//! and those outcomes in the committee's words. The table and its wording live here only; the engine records
//! them in every assessment, the resolution checks against them and the reports print them.

use serde::{Deserialize, Serialize};

/// Risk level; the order is the rank the gate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Low,
    Medium,
    High,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "low" => Some(Level::Low),
            "medium" => Some(Level::Medium),
            "high" => Some(Level::High),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }

    /// 低 / 中 / 高
    pub fn zh(self) -> &'static str {
        match self {
            Level::Low => "低",
            Level::Medium => "中",
            Level::High => "高",
        }
    }
}

/// The gate rule a model declares; gate rules differ by jurisdiction (docs/design.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GateRule {
    /// 发改投资〔2012〕2492号: high or medium → not approved; low → approvable with reliable controls.
    #[serde(rename = "ndrc-2492")]
    Ndrc2492,
    /// 中办发〔2012〕2号 practice: high → do not implement; medium → after mitigation; low → may implement.
    #[serde(rename = "major-decision")]
    MajorDecision,
}

impl GateRule {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ndrc2492 => "ndrc-2492",
            Self::MajorDecision => "major-decision",
        }
    }

    /// The rule's name as a Chinese reader knows it.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Ndrc2492 => "发改投资〔2012〕2492号",
            Self::MajorDecision => "重大决策",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateOutcome {
    /// ndrc-2492, high or medium
    NotApproved,
    /// ndrc-2492, low: approval lists the duties
    ApprovableWithControls,
    /// major-decision, high: do not implement, or redesign and reassess
    DoNotImplement,
    /// major-decision, medium
    ImplementAfterMitigation,
    /// major-decision, low: handle reasonable demands
    MayImplement,
}

impl GateOutcome {
    /// The gate's rule table: what `rule` recommends at residual level `level`.
    pub fn of(rule: GateRule, level: Level) -> Self {
        match (rule, level) {
            (GateRule::Ndrc2492, Level::High | Level::Medium) => Self::NotApproved,
            (GateRule::Ndrc2492, Level::Low) => Self::ApprovableWithControls,
            (GateRule::MajorDecision, Level::High) => Self::DoNotImplement,
            (GateRule::MajorDecision, Level::Medium) => Self::ImplementAfterMitigation,
            (GateRule::MajorDecision, Level::Low) => Self::MayImplement,
        }
    }

    /// The outcome in the committee's words, (Chinese, English). Recorded in every assessment's gate reasons,
    /// so changing a word here changes new assessments only; stored ones keep theirs.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            Self::NotApproved => ("不予审批", "not approved"),
            Self::ApprovableWithControls => (
                "落实可靠防控措施后可予审批，批复须列明责任",
                "approvable with reliable controls; the approval lists the duties",
            ),
            Self::DoNotImplement => (
                "暂缓或不予实施，调整方案后重新评估",
                "do not implement; redesign and reassess",
            ),
            Self::ImplementAfterMitigation => (
                "落实防范化解措施后方可实施",
                "implement only after the mitigation plan is in place",
            ),
            Self::MayImplement => (
                "可以实施，妥善处理合理诉求",
                "may implement; handle reasonable demands",
            ),
        }
    }

    /// Whether the approval depends on assigned duties (an owner and a due date per measure).
    pub fn needs_duties(self) -> bool {
        matches!(
            self,
            Self::ApprovableWithControls | Self::ImplementAfterMitigation | Self::MayImplement
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_refuses_exactly_what_each_rule_forbids() {
        use GateOutcome::*;
        let ndrc = [Level::Low, Level::Medium, Level::High]
            .map(|l| GateOutcome::of(GateRule::Ndrc2492, l));
        assert_eq!(ndrc, [ApprovableWithControls, NotApproved, NotApproved]);
        let major = [Level::Low, Level::Medium, Level::High]
            .map(|l| GateOutcome::of(GateRule::MajorDecision, l));
        assert_eq!(
            major,
            [MayImplement, ImplementAfterMitigation, DoNotImplement]
        );
    }
}
