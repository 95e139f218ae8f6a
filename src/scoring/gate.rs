//! The decision gate: the model's rule applied to the residual level.

use serde::{Deserialize, Serialize};

use super::assessment::LevelOutcome;
use super::model::{GateRule, Level, Model, Names, Phase};

pub use crate::domain::gate::GateOutcome;

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
    let outcome = GateOutcome::of(rule, level);
    let mut reasons = vec![outcome_reason(rule, level, outcome)];
    if initial.level != residual.level || !measures.is_empty() {
        reasons.push(Names {
            zh: format!(
                "采取 {} 项措施后，风险等级由{}变为{}（R {:.4} → {:.4}）",
                measures.len(),
                initial.level.zh(),
                residual.level.zh(),
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
    let duties = if outcome.needs_duties() {
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

fn outcome_reason(rule: GateRule, level: Level, outcome: GateOutcome) -> Names {
    let (zh, en) = outcome.words();
    Names {
        zh: format!("按{}规则，措施后风险等级为{}：{zh}", rule.zh(), level.zh()),
        en: format!(
            "under {}, residual level {}: {en}",
            rule.as_str(),
            level.as_str()
        ),
    }
}
