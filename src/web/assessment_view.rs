//! An assessment as the pages show it, in the reader's language: the initial and residual probability × impact
//! matrices (each cell with the factors in it), the factors with their evidence, the gate's recommendation in the
//! committee's words, the quality findings and the largest contributions. Built from the stored record and the
//! model it was computed with, so it always shows what was recorded.

use super::i18n::{Group, Tr};
use crate::app::restore::Restored;
use crate::domain::gate::Level;
use crate::reports::findings::finding_text;
use crate::reports::labels::serde_id;
use crate::scoring::assessment::{FactorAssessment, FactorScore};
use crate::scoring::{Assessment, Model};

/// One cell of a 5 × 5 matrix.
pub struct Cell {
    pub zone: &'static str,
    pub zone_word: String,
    pub factors: Vec<String>,
    /// The factor names as JSON, for the script that lists them on a click.
    pub factors_json: String,
    pub caption: String,
}

/// A probability × impact matrix: rows from probability 5 down to 1, columns impact 1 to 5.
pub struct Matrix {
    /// Element id prefix, unique on the page.
    pub id: &'static str,
    pub title: String,
    pub rows: Vec<(u8, Vec<Cell>)>,
}

pub struct FactorRow {
    pub name: String,
    pub dimension: String,
    pub veto: bool,
    pub weight: String,
    pub p: String,
    pub i: String,
    pub initial_level: (&'static str, String),
    pub residual_level: (&'static str, String),
    pub contribution: String,
    pub residual_contribution: String,
    pub evidence: String,
    pub measures: String,
    pub disagreement: bool,
}

pub struct Finding {
    pub severity: String,
    pub severity_id: String,
    pub text: String,
}

pub struct AssessmentView {
    pub id: String,
    pub decision_id: String,
    pub created: String,
    pub author: String,
    pub model: String,
    pub method: String,
    pub initial_r: String,
    pub residual_r: String,
    pub initial_level: (&'static str, String),
    pub residual_level: (&'static str, String),
    pub gate_rule: String,
    pub gate_outcome: String,
    pub gate_reasons: Vec<String>,
    pub duties: Vec<String>,
    pub veto: Vec<String>,
    pub matrices: Vec<Matrix>,
    pub factors: Vec<FactorRow>,
    /// The five largest contributions after measures... and before: (name, initial c, share of R).
    pub top: Vec<(String, String, String)>,
    pub findings: Vec<Finding>,
    pub measures: Vec<String>,
    pub content_hash: String,
}

pub fn level_id(level: Level) -> &'static str {
    level.as_str()
}

fn level(tr: Tr, model: &Model, l: Level) -> (&'static str, String) {
    (level_id(l), tr.lang.level(model, l))
}

fn names(tr: Tr, n: &crate::scoring::model::Names) -> String {
    tr.lang.name(n)
}

fn matrix(
    tr: Tr,
    model: &Model,
    a: &Assessment,
    id: &'static str,
    title: String,
    score: fn(&FactorAssessment) -> &FactorScore,
) -> Matrix {
    let rows = (1..=5u8)
        .rev()
        .map(|p| {
            let cells = (1..=5u8)
                .map(|q| {
                    let zone = model.matrix_level(p, q);
                    let factors: Vec<String> = a
                        .factors
                        .iter()
                        .filter(|f| {
                            let s = score(f);
                            s.probability.matrix_grade == p && s.impact.matrix_grade == q
                        })
                        .map(|f| names(tr, &f.name))
                        .collect();
                    Cell {
                        zone: level_id(zone),
                        zone_word: tr.lang.level(model, zone),
                        factors_json: serde_json::to_string(&factors).unwrap_or_default(),
                        caption: format!(
                            "{} {p} × {} {q}",
                            tr.t("assessment.probability"),
                            tr.t("assessment.impact")
                        ),
                        factors,
                    }
                })
                .collect();
            (p, cells)
        })
        .collect();
    Matrix { id, title, rows }
}

fn evidence(tr: Tr, f: &FactorAssessment) -> String {
    let e = &f.evidence;
    let mut text = format!(
        "{}：{} / {}：{}",
        tr.t("assessment.probability"),
        tr.word(Group::EvidenceSources, &serde_id(&e.probability_source)),
        tr.t("assessment.impact"),
        tr.word(Group::EvidenceSources, &serde_id(&e.impact_source)),
    );
    if let Some(reading) = tr.lang.evidence_reading(e) {
        text.push_str(&format!("（{reading}）"));
    }
    if f.expert_count > 0 {
        text.push_str(&format!(
            " · {} {}",
            f.expert_count,
            tr.t("assessment.experts")
        ));
    }
    text
}

/// The view of a restored assessment.
pub fn view(tr: Tr, restored: &Restored) -> AssessmentView {
    let model = &restored.model;
    let record = &restored.record;
    let a = &record.result;
    let dimension_name = |id: &str| {
        a.dimensions
            .iter()
            .find(|d| d.id == id)
            .map(|d| names(tr, &d.name))
            .unwrap_or_default()
    };
    let measure_name = |id: &str| {
        model
            .measure(id)
            .map(|m| names(tr, &m.name))
            .unwrap_or_else(|| tr.t("assessment.unknown_measure"))
    };
    let factors = a
        .factors
        .iter()
        .map(|f| FactorRow {
            name: names(tr, &f.name),
            dimension: dimension_name(&f.dimension),
            veto: f.veto,
            weight: format!("{:.3}", f.weight),
            p: format!("{:.1}", f.initial.probability.grade),
            i: format!("{:.1}", f.initial.impact.grade),
            initial_level: level(tr, model, f.initial.level),
            residual_level: level(tr, model, f.residual.level),
            contribution: format!("{:.4}", f.initial.contribution),
            residual_contribution: format!("{:.4}", f.residual.contribution),
            evidence: evidence(tr, f),
            measures: f
                .measures
                .iter()
                .map(|m| measure_name(m))
                .collect::<Vec<_>>()
                .join(tr.lang.pick("、", ", ")),
            disagreement: f.disagreement,
        })
        .collect();
    let mut by_contribution: Vec<&FactorAssessment> = a.factors.iter().collect();
    by_contribution.sort_by(|x, y| y.initial.contribution.total_cmp(&x.initial.contribution));
    let top = by_contribution
        .iter()
        .take(5)
        .map(|f| {
            let share = if a.initial.r > 0.0 {
                f.initial.contribution / a.initial.r * 100.0
            } else {
                0.0
            };
            (
                names(tr, &f.name),
                format!("{:.4}", f.initial.contribution),
                format!("{share:.1}%"),
            )
        })
        .collect();
    AssessmentView {
        id: record.head.id.to_string(),
        decision_id: record.head.decision_id.to_string(),
        created: record.head.created_at.format("%Y-%m-%d %H:%M").to_string(),
        author: record.head.author.clone(),
        model: format!("{} {}", names(tr, &model.spec().name), model.spec().version),
        method: tr.word(Group::Methods, &serde_id(&a.model.method)),
        initial_r: format!("{:.3}", a.initial.r),
        residual_r: format!("{:.3}", a.residual.outcome.r),
        initial_level: level(tr, model, a.initial.level),
        residual_level: level(tr, model, a.residual.outcome.level),
        gate_rule: tr.word(Group::GateRules, &serde_id(&a.gate.rule)),
        gate_outcome: tr.word(Group::GateOutcomes, &serde_id(&a.gate.outcome)),
        gate_reasons: a.gate.reasons.iter().map(|r| names(tr, r)).collect(),
        duties: a
            .gate
            .duties
            .iter()
            .map(|d| format!("{}（{}）", names(tr, &d.name), names(tr, &d.usual_owner)))
            .collect(),
        veto: a
            .residual
            .outcome
            .veto
            .iter()
            .map(|v| names(tr, &v.name))
            .collect(),
        matrices: vec![
            matrix(
                tr,
                model,
                a,
                "initial",
                tr.t("assessment.matrix_initial"),
                |f| &f.initial,
            ),
            matrix(
                tr,
                model,
                a,
                "residual",
                tr.t("assessment.matrix_residual"),
                |f| &f.residual,
            ),
        ],
        factors,
        top,
        findings: a
            .quality
            .iter()
            .map(|q| Finding {
                severity: tr.word(Group::Severities, &serde_id(&q.severity)),
                severity_id: serde_id(&q.severity),
                text: finding_text(tr.lang, model, &record.inputs, a, q),
            })
            .collect(),
        measures: a
            .residual
            .measures
            .iter()
            .map(|m| measure_name(m))
            .collect(),
        content_hash: record.head.content_hash.clone(),
    }
}
