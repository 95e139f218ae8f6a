//! The scoring engine: (model, inputs) → assessment. Pure and deterministic.

use super::assessment::{
    Assessment, DimensionScore, FactorAssessment, FactorScore, FuzzyOutcome, LevelOutcome,
    ModelRef, ResidualOutcome, VetoReason,
};
use super::error::InputErrors;
use super::evidence::{FactorEvidence, gather};
use super::fuzzy::{compose, membership, vote};
use super::gate::recommend;
use super::grades::{aggregate, lowered};
use super::inputs::AssessmentInputs;
use super::model::{FuzzyLevelFrom, GradeAxis, Level, Method, Model};
use super::quality::{consultation_findings, factor_findings};

/// Grade steps a set of measures takes off each factor: (probability, impact).
type Steps = Vec<(u8, u8)>;

pub fn assess(model: &Model, inputs: &AssessmentInputs) -> Result<Assessment, InputErrors> {
    inputs.check(model)?;
    let spec = model.spec();
    let evidence = gather_all(model, inputs);
    let none: Steps = vec![(0, 0); spec.factors.len()];
    let chosen = measure_steps(model, &inputs.measures);
    let initial_scores = score_factors(model, &evidence, &none);
    let residual_scores = score_factors(model, &evidence, &chosen);
    let initial = outcome(model, &initial_scores);
    let residual = outcome(model, &residual_scores);
    // A duty is one the residual level depends on: dropping that measure alone raises the level.
    let depends: Vec<bool> = (0..inputs.measures.len())
        .map(|k| {
            let others: Vec<String> = inputs
                .measures
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != k)
                .map(|(_, m)| m.clone())
                .collect();
            outcome(
                model,
                &score_factors(model, &evidence, &measure_steps(model, &others)),
            )
            .level
                > residual.level
        })
        .collect();
    let gate = recommend(model, &initial, &residual, &inputs.measures, &depends);

    let weights = &model.derived().factor_weights;
    let mut factors = Vec::with_capacity(spec.factors.len());
    let mut quality = Vec::new();
    for (k, ((f, ev), (init, resid))) in spec
        .factors
        .iter()
        .zip(&evidence)
        .zip(initial_scores.into_iter().zip(residual_scores))
        .enumerate()
    {
        let spread = expert_spread(ev);
        let fa = FactorAssessment {
            id: f.id.clone(),
            name: f.name.clone(),
            dimension: f.dimension.clone(),
            veto: f.veto,
            local_weight: weights[k].local,
            weight: weights[k].global,
            evidence: ev.evidence.clone(),
            expert_count: ev.experts.len(),
            spread,
            disagreement: spread.is_some_and(|s| s >= spec.panel.disagreement_spread),
            initial: init,
            residual: resid,
            measures: inputs
                .measures
                .iter()
                .filter(|m| {
                    model
                        .measure(m)
                        .is_some_and(|x| x.effects.iter().any(|e| e.factor == f.id))
                })
                .cloned()
                .collect(),
        };
        quality.extend(factor_findings(model, &fa, &ev.experts));
        factors.push(fa);
    }
    quality.extend(consultation_findings(model, inputs));
    let dimensions = dimension_scores(model, &factors);
    Ok(Assessment {
        model: ModelRef {
            id: spec.id.clone(),
            version: spec.version.clone(),
            kind: spec.kind,
            hash: model.hash().to_string(),
            method: spec.method,
        },
        factors,
        dimensions,
        initial,
        residual: ResidualOutcome {
            measures: inputs.measures.clone(),
            outcome: residual,
        },
        gate,
        quality,
    })
}

/// Sums the steps of the named measures per factor (unknown ids were rejected by the input check).
pub(crate) fn measure_steps(model: &Model, measures: &[String]) -> Steps {
    let mut steps: Steps = vec![(0, 0); model.spec().factors.len()];
    for effect in measures
        .iter()
        .filter_map(|m| model.measure(m))
        .flat_map(|m| &m.effects)
    {
        if let Some(k) = model.factor_index(&effect.factor) {
            let slot = &mut steps[k];
            match effect.on {
                GradeAxis::Probability => slot.0 = slot.0.saturating_add(effect.steps),
                GradeAxis::Impact => slot.1 = slot.1.saturating_add(effect.steps),
            }
        }
    }
    steps
}

fn score_factors(
    model: &Model,
    evidence: &[FactorEvidence],
    steps: &[(u8, u8)],
) -> Vec<FactorScore> {
    evidence
        .iter()
        .zip(steps)
        .zip(&model.derived().factor_weights)
        .filter_map(|((ev, &step), w)| score_factor(model, ev, step, w.global))
        .collect()
}

/// Evidence of every factor, as [`assess`] gathers it (for callers that rescore many step sets).
pub(crate) fn gather_all(model: &Model, inputs: &AssessmentInputs) -> Vec<FactorEvidence> {
    let spec = model.spec();
    spec.factors
        .iter()
        .map(|f| gather(f, inputs, spec.panel.missing_evidence))
        .collect()
}

/// One factor scored with (probability, impact) steps taken off its units; None without units.
pub(crate) fn score_factor(
    model: &Model,
    ev: &FactorEvidence,
    (dp, dq): (u8, u8),
    weight: f64,
) -> Option<FactorScore> {
    let spec = model.spec();
    let how = spec.panel.aggregation;
    let units: Vec<(u8, u8)> = ev
        .units
        .iter()
        .map(|&(p, q)| (lowered(p, dp), lowered(q, dq)))
        .collect();
    let ps: Vec<u8> = units.iter().map(|u| u.0).collect();
    let qs: Vec<u8> = units.iter().map(|u| u.1).collect();
    let probability = aggregate(&ps, &spec.grades.probability, how)?;
    let impact = aggregate(&qs, &spec.grades.impact, how)?;
    let degree = probability.value * impact.value;
    let level = model.matrix_level(probability.matrix_grade, impact.matrix_grade);
    let membership = (spec.method == Method::Fuzzy)
        .then(|| membership(&units.iter().map(|&(p, q)| vote(p, q)).collect::<Vec<u8>>()));
    Some(FactorScore {
        probability,
        impact,
        degree,
        contribution: weight * degree,
        level,
        membership,
    })
}

/// The overall outcome of scored factors (in model order): R, method level, veto.
pub(crate) fn outcome(model: &Model, scores: &[FactorScore]) -> LevelOutcome {
    let spec = model.spec();
    // R is summed from the very contributions that are reported, so Σ cᵢ = R exactly.
    let r = scores.iter().fold(0.0, |acc, s| acc + s.contribution);
    let (method_level, fuzzy) = match (spec.method, &model.derived().fuzzy_levels) {
        (Method::Fuzzy, Some(levels)) => {
            let w: Vec<f64> = model
                .derived()
                .factor_weights
                .iter()
                .map(|f| f.global)
                .collect();
            let m: Vec<Vec<f64>> = scores
                .iter()
                .map(|s| s.membership.clone().unwrap_or_default())
                .collect();
            let result = compose(&w, &m, 5);
            let max_membership_grade = u8::try_from(result.max_membership_grade).unwrap_or(5);
            let level_grade = match spec.fuzzy.as_ref().map(|f| f.level_from) {
                Some(FuzzyLevelFrom::GradeScore) => round_half_up_grade(result.grade_score),
                _ => max_membership_grade,
            };
            let level = levels
                .get(usize::from(level_grade) - 1)
                .copied()
                .unwrap_or(Level::High);
            let outcome = FuzzyOutcome {
                b: result.b,
                grade_score: result.grade_score,
                max_membership_grade,
                level_grade,
            };
            (level, Some(outcome))
        }
        _ => (spec.levels.level_of(r), None),
    };
    let veto: Vec<VetoReason> = spec
        .factors
        .iter()
        .zip(scores)
        .filter(|(f, s)| f.veto && s.level == Level::High)
        .map(|(f, s)| VetoReason {
            factor: f.id.clone(),
            name: f.name.clone(),
            factor_level: s.level,
        })
        .collect();
    let level = if veto.is_empty() {
        method_level
    } else {
        Level::High
    };
    LevelOutcome {
        r,
        method_level,
        level,
        veto,
        fuzzy,
    }
}

/// Grade score rounded half up, within 1..5.
fn round_half_up_grade(score: f64) -> u8 {
    (1u8..=5)
        .rev()
        .find(|k| score >= f64::from(*k) - 0.5)
        .unwrap_or(1)
}

/// max − min grade over the experts who rated the factor, on whichever axis spreads more.
fn expert_spread(ev: &FactorEvidence) -> Option<u8> {
    let range = |g: fn(&super::evidence::ExpertGrades) -> u8| {
        let lo = ev.experts.iter().map(g).min()?;
        let hi = ev.experts.iter().map(g).max()?;
        Some(hi - lo)
    };
    Some(range(|e| e.probability)?.max(range(|e| e.impact)?))
}

fn dimension_scores(model: &Model, factors: &[FactorAssessment]) -> Vec<DimensionScore> {
    let spec = model.spec();
    spec.dimensions
        .iter()
        .zip(&model.derived().dimension_weights)
        .map(|(d, &weight)| {
            let members = || factors.iter().filter(|f| f.dimension == d.id);
            let initial_score = members().fold(0.0, |acc, f| acc + f.initial.contribution);
            let residual_score = members().fold(0.0, |acc, f| acc + f.residual.contribution);
            let normalise = |s: f64| (weight > 0.0).then(|| s / weight);
            DimensionScore {
                id: d.id.clone(),
                name: d.name.clone(),
                weight,
                initial_score,
                initial_normalised: normalise(initial_score),
                residual_score,
                residual_normalised: normalise(residual_score),
            }
        })
        .collect()
}
