//! Seeded Monte Carlo of R and the level: expert-rated grades drawn from triangular distributions over the
//! panel's range, optional multiplicative weight noise. Per-factor constants are set up once; a draw
//! allocates nothing.

use serde::{Deserialize, Serialize};

use super::assessment::{EvidenceSource, FactorScore};
use super::engine::{assess, gather_all, measure_steps};
use super::error::InputErrors;
use super::evidence::FactorEvidence;
use super::grades::{lowered, nearest_grade};
use super::histogram;
pub use super::histogram::HistogramBin;
use super::inputs::AssessmentInputs;
use super::model::{GradeScale, Level, Model};
use super::sensitivity::{LevelBasis, basis_level};
use crate::rng::Rng;

pub const MAX_DRAWS: u32 = 1_000_000;
/// Weight noise above this could zero a weight; the HTTP layer refuses it, here it is clamped.
pub const MAX_WEIGHT_NOISE: f64 = 0.95;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulationRequest {
    /// 1..=1 000 000; clamped into that range here (the caller refuses values outside it).
    pub draws: u32,
    pub seed: u64,
    /// Each global weight is multiplied by 1 + noise·U(−1, 1), then all are renormalised to sum 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_noise: Option<f64>,
}

/// Top-level numbers are of the residual outcome (the chosen measures applied; the gate reads it);
/// `initial` is the same draws before measures (the same random numbers drive both).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    pub draws: u32,
    pub seed: u64,
    pub weight_noise: f64,
    pub basis: LevelBasis,
    #[serde(flatten)]
    pub residual: LevelDistribution,
    pub initial: LevelDistribution,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelDistribution {
    pub p_low: f64,
    pub p_medium: f64,
    pub p_high: f64,
    pub r_quantiles: RQuantiles,
    /// 20 equal bins over [0, 1]; the last includes 1.
    pub histogram: Vec<HistogramBin>,
    /// The unperturbed assessment.
    pub deterministic: DeterministicOutcome,
}

/// Nearest-rank quantiles of the drawn R.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RQuantiles {
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeterministicOutcome {
    pub r: f64,
    /// On the basis (for index models, the assessment's level).
    pub level: Level,
}

/// One axis of a factor: its aggregated value, or a triangular law on the continuous grade scale 1..5
/// whose value is the scale interpolated linearly between grades.
#[derive(Debug, Clone, Copy)]
enum Axis {
    Fixed { value: f64, grade: u8 },
    Triangular { a: f64, c: f64, b: f64 },
}

#[derive(Debug, Clone, Copy)]
struct FactorLaw {
    weight: f64,
    veto: bool,
    p: Axis,
    q: Axis,
}

pub fn simulate(
    model: &Model,
    inputs: &AssessmentInputs,
    request: &SimulationRequest,
) -> Result<Simulation, InputErrors> {
    let assessment = assess(model, inputs)?;
    let evidence = gather_all(model, inputs);
    let steps = measure_steps(model, &inputs.measures);
    let laws = |residual: bool| -> Vec<FactorLaw> {
        assessment
            .factors
            .iter()
            .zip(&evidence)
            .zip(&steps)
            .map(|((f, ev), &step)| {
                let (s, step) = if residual {
                    (&f.residual, step)
                } else {
                    (&f.initial, (0, 0))
                };
                let drawn = f.evidence.probability_source == EvidenceSource::Expert;
                let (p_law, q_law) = expert_ranges(inputs, &f.id, ev, step);
                let grades = &model.spec().grades;
                FactorLaw {
                    weight: f.weight,
                    veto: f.veto,
                    p: axis(s, true, drawn.then_some(p_law), &grades.probability),
                    q: axis(
                        s,
                        false,
                        (drawn && f.evidence.impact_source == EvidenceSource::Expert)
                            .then_some(q_law),
                        &grades.impact,
                    ),
                }
            })
            .collect()
    };
    let (initial_laws, residual_laws) = (laws(false), laws(true));
    let draws = request.draws.clamp(1, MAX_DRAWS);
    let noise = request
        .weight_noise
        .filter(|x| x.is_finite())
        .unwrap_or(0.0)
        .clamp(0.0, MAX_WEIGHT_NOISE);
    let base: Vec<f64> = initial_laws.iter().map(|l| l.weight).collect();
    let mut weights = base.clone();
    let mut rng = Rng::new(request.seed);
    let n = draws as usize;
    let (mut r_initial, mut r_residual) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut l_initial, mut l_residual) = ([0u32; 3], [0u32; 3]);
    let mut us: Vec<(f64, f64)> = vec![(0.0, 0.0); base.len()];
    for _ in 0..draws {
        if noise > 0.0 {
            perturb_weights(&mut rng, &base, noise, &mut weights);
        }
        for u in us.iter_mut() {
            *u = (rng.unit(), rng.unit());
        }
        for (laws, rs, counts) in [
            (&initial_laws, &mut r_initial, &mut l_initial),
            (&residual_laws, &mut r_residual, &mut l_residual),
        ] {
            let (r, level) = draw_outcome(model, laws, &weights, &us);
            rs.push(r);
            counts[level as usize] += 1;
        }
    }
    let det = |o: &super::assessment::LevelOutcome| DeterministicOutcome {
        r: o.r,
        level: basis_level(model, o.r, !o.veto.is_empty()),
    };
    let levels = &model.spec().levels;
    let edges = histogram::edges(&[&r_initial, &r_residual], &[levels.medium, levels.high]);
    Ok(Simulation {
        draws,
        seed: request.seed,
        weight_noise: noise,
        basis: LevelBasis::of(model),
        residual: distribution(
            r_residual,
            l_residual,
            det(&assessment.residual.outcome),
            &edges,
        ),
        initial: distribution(r_initial, l_initial, det(&assessment.initial), &edges),
    })
}

/// wᵢ·(1 + noise·U(−1, 1)), renormalised to sum 1; shared by the simulation and the order check.
pub(crate) fn perturb_weights(rng: &mut Rng, base: &[f64], noise: f64, out: &mut [f64]) {
    let mut sum = 0.0;
    for (o, w) in out.iter_mut().zip(base) {
        *o = w * (1.0 + noise * (2.0 * rng.unit() - 1.0));
        sum += *o;
    }
    if sum > 0.0 {
        out.iter_mut().for_each(|o| *o /= sum);
    }
}

/// (R, level) of one draw; factor order and w·(P·I) as in the engine, so a draw without spread or noise
/// reproduces the engine's R exactly.
fn draw_outcome(model: &Model, laws: &[FactorLaw], w: &[f64], us: &[(f64, f64)]) -> (f64, Level) {
    let grades = &model.spec().grades;
    let mut r = 0.0;
    let mut vetoed = false;
    for ((law, &wi), &(up, uq)) in laws.iter().zip(w).zip(us) {
        let p = law.p.at(up, &grades.probability);
        let q = law.q.at(uq, &grades.impact);
        r += wi * (p * q);
        // Only veto factors need their matrix grades: most factors skip the nearest-grade search.
        if law.veto && !vetoed {
            let pg = law.p.grade(p, &grades.probability);
            let qg = law.q.grade(q, &grades.impact);
            vetoed = model.matrix_level(pg, qg) == Level::High;
        }
    }
    (r, basis_level(model, r, vetoed))
}

impl Axis {
    /// The value at quantile u.
    fn at(self, u: f64, scale: &GradeScale) -> f64 {
        match self {
            Axis::Fixed { value, .. } => value,
            Axis::Triangular { a, c, b } => {
                let x = if u * (b - a) < c - a {
                    a + (u * (b - a) * (c - a)).sqrt()
                } else {
                    b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
                };
                interpolate(x, scale)
            }
        }
    }

    /// The matrix grade of a value drawn from this axis.
    fn grade(self, value: f64, scale: &GradeScale) -> u8 {
        match self {
            Axis::Fixed { grade, .. } => grade,
            Axis::Triangular { .. } => nearest_grade(value, scale),
        }
    }
}

/// The scale's value at a continuous grade x ∈ [1, 5].
fn interpolate(x: f64, scale: &GradeScale) -> f64 {
    let below = x.floor().clamp(1.0, 5.0) as u8;
    let lo = scale.value(below);
    let hi = scale.value((below + 1).min(5));
    lo + (x - f64::from(below)) * (hi - lo)
}

/// The continuous grade whose interpolated value is `value` (the aggregate lies within the panel's range).
fn grade_of_value(value: f64, scale: &GradeScale) -> f64 {
    for g in 1u8..5 {
        let (lo, hi) = (scale.value(g), scale.value(g + 1));
        if value <= hi {
            return f64::from(g) + ((value - lo) / (hi - lo)).clamp(0.0, 1.0);
        }
    }
    5.0
}

/// (min, max) grade of the experts' units per axis, after the steps, widened on the probability axis by
/// any stated low/high (a stated range is read as a range of the probability grade).
fn expert_ranges(
    inputs: &AssessmentInputs,
    factor: &str,
    ev: &FactorEvidence,
    (dp, dq): (u8, u8),
) -> ((u8, u8), (u8, u8)) {
    let span = |xs: &mut dyn Iterator<Item = u8>| {
        xs.fold((5u8, 1u8), |(lo, hi), g| (lo.min(g), hi.max(g)))
    };
    let stated = ev
        .experts
        .iter()
        .filter_map(|e| inputs.ratings.get(&e.expert)?.get(factor))
        .flat_map(|r| [r.low, r.high].into_iter().flatten());
    let p = span(
        &mut ev
            .units
            .iter()
            .map(|u| u.0)
            .chain(stated)
            .map(|g| lowered(g, dp)),
    );
    let q = span(&mut ev.units.iter().map(|u| lowered(u.1, dq)));
    (p, q)
}

fn axis(s: &FactorScore, probability: bool, range: Option<(u8, u8)>, scale: &GradeScale) -> Axis {
    let est = if probability {
        &s.probability
    } else {
        &s.impact
    };
    match range {
        Some((lo, hi)) if lo < hi => {
            let (a, b) = (f64::from(lo), f64::from(hi));
            let c = grade_of_value(est.value, scale).clamp(a, b);
            Axis::Triangular { a, c, b }
        }
        _ => Axis::Fixed {
            value: est.value,
            grade: est.matrix_grade,
        },
    }
}

fn distribution(
    mut rs: Vec<f64>,
    counts: [u32; 3],
    deterministic: DeterministicOutcome,
    edges: &[f64],
) -> LevelDistribution {
    let n = rs.len().max(1);
    let histogram = histogram::count(&rs, edges);
    rs.sort_by(f64::total_cmp);
    let quantile = |p: f64| {
        let rank = ((p * n as f64).ceil() as usize).clamp(1, n);
        rs.get(rank - 1).copied().unwrap_or(deterministic.r)
    };
    let share = |c: u32| f64::from(c) / n as f64;
    LevelDistribution {
        p_low: share(counts[0]),
        p_medium: share(counts[1]),
        p_high: share(counts[2]),
        r_quantiles: RQuantiles {
            p5: quantile(0.05),
            p50: quantile(0.5),
            p95: quantile(0.95),
        },
        histogram,
        deterministic,
    }
}

#[cfg(test)]
#[path = "simulation_tests.rs"]
mod tests;
