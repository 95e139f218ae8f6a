//! The decision gate: the model's rule applied to the residual level.

use serde::{Deserialize, Serialize};

use super::assessment::LevelOutcome;
use super::model::{GateRule, Level, Model, Names, Phase};

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

/// A chosen measure the approval depends on: it needs an owner and a due date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duty {
    pub measure: String,
    pub name: Names,
    pub usual_owner: Names,
    pub phase: Phase,
    pub factors: Vec<String>,
    /// Without this measure alone the residual level would be higher.
    pub level_depends_on_it: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateRecommendation {
    pub rule: GateRule,
    /// The residual level the gate reads.
    pub level: Level,
    pub outcome: GateOutcome,
    pub reasons: Vec<Names>,
    /// Measures that need an owner and a due date before the outcome holds (empty when it is a refusal).
    pub duties: Vec<Duty>,
}

/// `depends[k]`: whether the residual level rises when chosen measure k alone is dropped.
pub(crate) fn recommend(
    model: &Model,
    initial: &LevelOutcome,
    residual: &LevelOutcome,
    measures: &[String],
    depends: &[bool],
) -> GateRecommendation {
    let rule = model.spec().gate.rule;
    let level = residual.level;
    let outcome = match (rule, level) {
        (GateRule::Ndrc2492, Level::High | Level::Medium) => GateOutcome::NotApproved,
        (GateRule::Ndrc2492, Level::Low) => GateOutcome::ApprovableWithControls,
        (GateRule::MajorDecision, Level::High) => GateOutcome::DoNotImplement,
        (GateRule::MajorDecision, Level::Medium) => GateOutcome::ImplementAfterMitigation,
        (GateRule::MajorDecision, Level::Low) => GateOutcome::MayImplement,
    };
    let mut reasons = vec![outcome_reason(rule, level, outcome)];
    if initial.level != residual.level || !measures.is_empty() {
        reasons.push(Names {
            zh: format!(
                "采取 {} 项措施后，风险等级由{}变为{}（R {:.4} → {:.4}）",
                measures.len(),
                zh_level(initial.level),
                zh_level(residual.level),
                initial.r,
                residual.r
            ),
            en: format!(
                "with {} measure(s) the level moves from {} to {} (R {:.4} → {:.4})",
                measures.len(),
                initial.level.as_str(),
                residual.level.as_str(),
                initial.r,
                residual.r
            ),
        });
    }
    for v in &residual.veto {
        reasons.push(Names {
            zh: format!("否决项“{}”单项风险为高，整体等级定为高", v.name.zh),
            en: format!(
                "veto factor `{}` is itself at high level, which lifts the overall level to high",
                v.factor
            ),
        });
    }
    let needs_duties = matches!(
        outcome,
        GateOutcome::ApprovableWithControls
            | GateOutcome::ImplementAfterMitigation
            | GateOutcome::MayImplement
    );
    let duties = if needs_duties {
        measures
            .iter()
            .zip(depends.iter().copied().chain(std::iter::repeat(false)))
            .filter_map(|(id, level_depends_on_it)| {
                model.measure(id).map(|m| Duty {
                    measure: m.id.clone(),
                    name: m.name.clone(),
                    usual_owner: m.owner.clone(),
                    phase: m.phase,
                    factors: m
                        .effects
                        .iter()
                        .map(|e| e.factor.clone())
                        .collect::<std::collections::BTreeSet<_>>()
                        .into_iter()
                        .collect(),
                    level_depends_on_it,
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    GateRecommendation {
        rule,
        level,
        outcome,
        reasons,
        duties,
    }
}

fn zh_level(level: Level) -> &'static str {
    match level {
        Level::Low => "低",
        Level::Medium => "中",
        Level::High => "高",
    }
}

fn outcome_reason(rule: GateRule, level: Level, outcome: GateOutcome) -> Names {
    let (rule_zh, rule_en) = match rule {
        GateRule::Ndrc2492 => ("发改投资〔2012〕2492号", "ndrc-2492"),
        GateRule::MajorDecision => ("重大决策", "major-decision"),
    };
    let (zh, en) = match outcome {
        GateOutcome::NotApproved => ("不予审批", "not approved"),
        GateOutcome::ApprovableWithControls => (
            "落实可靠防控措施后可予审批，批复须列明责任",
            "approvable with reliable controls; the approval lists the duties",
        ),
        GateOutcome::DoNotImplement => (
            "暂缓或不予实施，调整方案后重新评估",
            "do not implement; redesign and reassess",
        ),
        GateOutcome::ImplementAfterMitigation => (
            "落实防范化解措施后方可实施",
            "implement only after the mitigation plan is in place",
        ),
        GateOutcome::MayImplement => (
            "可以实施，妥善处理合理诉求",
            "may implement; handle reasonable demands",
        ),
    };
    Names {
        zh: format!("按{rule_zh}规则，措施后风险等级为{}：{zh}", zh_level(level)),
        en: format!("under {rule_en}, residual level {}: {en}", level.as_str()),
    }
}
