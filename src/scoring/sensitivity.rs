//! Flip points and weight intervals, exact from the linear form of R: replacing one factor's grade or
//! weight moves R along a line, so where the level changes is solved, never searched by re-running the engine.

use serde::{Deserialize, Serialize};

use super::assessment::{Assessment, FactorScore, LevelOutcome};
use super::model::{Level, Method, Model};
use super::tornado::{TornadoBar, tornado};

/// What the levels in a sensitivity or simulation result are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LevelBasis {
    /// The model's own rule: bands on R, lifted to high by a veto factor (method = "index").
    IndexBands,
    /// method = "fuzzy": the model reads its level from the fuzzy composition of each expert's votes, which
    /// a change of an aggregated grade does not determine; these results apply the model's R bands and veto
    /// to R instead, as an indicator next to the fuzzy level, not as that level.
    IndexBandsOfFuzzyModel,
}

impl LevelBasis {
    pub fn of(model: &Model) -> LevelBasis {
        match model.spec().method {
            Method::Index => LevelBasis::IndexBands,
            Method::Fuzzy => LevelBasis::IndexBandsOfFuzzyModel,
        }
    }
}

/// The level on the basis: bands on R, or high when a veto factor is at high.
pub(crate) fn basis_level(model: &Model, r: f64, vetoed: bool) -> Level {
    if vetoed {
        Level::High
    } else {
        model.spec().levels.level_of(r)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    pub basis: LevelBasis,
    /// Of the initial outcome (before measures).
    pub initial: LevelSensitivity,
    /// Of the residual outcome (the chosen measures applied); grades are the residual grades.
    pub residual: LevelSensitivity,
    /// Of the initial outcome, widest swing first.
    pub tornado: Vec<TornadoBar>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelSensitivity {
    pub r: f64,
    /// The level on the basis (for index models, the assessment's level).
    pub level: Level,
    /// In the model's factor order.
    pub flip_points: Vec<FactorFlips>,
    /// In the model's factor order.
    pub weight_intervals: Vec<WeightInterval>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorFlips {
    pub factor: String,
    pub probability: AxisFlips,
    pub impact: AxisFlips,
}

/// Replacing the factor's grade on one axis by g sets that axis's value to the scale value of g; the other
/// axis keeps its aggregated value, the other factors keep their contributions and their veto status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AxisFlips {
    /// The matrix grade now (nearest to the aggregated value); changes count from it.
    pub grade: u8,
    /// The grade nearest to the current one whose level is higher; None if no grade in 1..5 raises it.
    pub up: Option<GradeFlip>,
    /// The grade nearest to the current one whose level is lower; None if no grade in 1..5 lowers it.
    pub down: Option<GradeFlip>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeFlip {
    pub grade: u8,
    /// grade − current grade (0 is possible: the aggregate of mixed grades sits between grade values).
    pub change: i8,
    pub r: f64,
    pub level: Level,
}

/// The weights wᵢ ∈ [lo, hi] for which the level holds, the others rescaled by (1 − wᵢ′)/(1 − wᵢ).
/// Inside (lo, hi) the level holds; just outside it changes, unless the bound is 0 or 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightInterval {
    pub factor: String,
    pub weight: f64,
    pub lo: f64,
    pub hi: f64,
}

pub fn sensitivity(model: &Model, assessment: &Assessment) -> Sensitivity {
    let initial: Vec<&FactorScore> = assessment.factors.iter().map(|f| &f.initial).collect();
    let residual: Vec<&FactorScore> = assessment.factors.iter().map(|f| &f.residual).collect();
    Sensitivity {
        basis: LevelBasis::of(model),
        initial: level_sensitivity(model, assessment, &initial, &assessment.initial),
        residual: level_sensitivity(model, assessment, &residual, &assessment.residual.outcome),
        tornado: tornado(model, assessment),
    }
}

fn level_sensitivity(
    model: &Model,
    assessment: &Assessment,
    scores: &[&FactorScore],
    outcome: &LevelOutcome,
) -> LevelSensitivity {
    let vetoed = !outcome.veto.is_empty();
    let level = basis_level(model, outcome.r, vetoed);
    let flip_points = assessment
        .factors
        .iter()
        .zip(scores)
        .map(|(f, s)| {
            // Veto by any other factor stays whatever this factor's grade becomes.
            let vetoed_by_others = outcome.veto.iter().any(|v| v.factor != f.id);
            let at = |p: f64, q: f64, pg: u8, qg: u8| {
                let r = outcome.r - s.contribution + f.weight * p * q;
                let own = f.veto && model.matrix_level(pg, qg) == Level::High;
                (r, basis_level(model, r, vetoed_by_others || own))
            };
            let grades = &model.spec().grades;
            let (p, q) = (&s.probability, &s.impact);
            FactorFlips {
                factor: f.id.clone(),
                probability: axis_flips(p.matrix_grade, level, |g| {
                    at(grades.probability.value(g), q.value, g, q.matrix_grade)
                }),
                impact: axis_flips(q.matrix_grade, level, |g| {
                    at(p.value, grades.impact.value(g), p.matrix_grade, g)
                }),
            }
        })
        .collect();
    let weight_intervals = assessment
        .factors
        .iter()
        .zip(scores)
        .map(|(f, s)| {
            let (lo, hi) = if vetoed {
                (0.0, 1.0)
            } else {
                weight_interval(model, outcome.r, f.weight, s.degree, level)
            };
            WeightInterval {
                factor: f.id.clone(),
                weight: f.weight,
                lo,
                hi,
            }
        })
        .collect();
    LevelSensitivity {
        r: outcome.r,
        level,
        flip_points,
        weight_intervals,
    }
}

fn axis_flips(grade: u8, level: Level, at: impl Fn(u8) -> (f64, Level)) -> AxisFlips {
    let outcomes: Vec<(u8, f64, Level)> = (1u8..=5)
        .map(|g| {
            let (r, l) = at(g);
            (g, r, l)
        })
        .collect();
    let nearest = |wanted: &dyn Fn(Level) -> bool| {
        outcomes
            .iter()
            .filter(|(_, _, l)| wanted(*l))
            .min_by_key(|(g, _, _)| (g.abs_diff(grade), *g))
            .map(|&(g, r, l)| GradeFlip {
                grade: g,
                change: i8::try_from(i16::from(g) - i16::from(grade)).unwrap_or(0),
                r,
                level: l,
            })
    };
    AxisFlips {
        grade,
        up: nearest(&|l| l > level),
        down: nearest(&|l| l < level),
    }
}

/// Below this |rᵢ − ρ| the line is flat but for rounding, and a bound solved from rounding would be spurious.
const FLAT_SLOPE: f64 = 1e-12;

/// R(w′) = ρ + w′(rᵢ − ρ) with ρ = (R − wᵢrᵢ)/(1 − wᵢ), the others' weighted mean degree; solved against
/// the band of the current level.
fn weight_interval(model: &Model, r: f64, w: f64, degree: f64, level: Level) -> (f64, f64) {
    if 1.0 - w <= f64::EPSILON {
        // The others weigh nothing, so there are no proportions to rescale: the weight cannot move.
        return (w, w);
    }
    let bands = &model.spec().levels;
    let rho = (r - w * degree) / (1.0 - w);
    let slope = degree - rho;
    let (floor, ceiling) = match level {
        Level::Low => (f64::NEG_INFINITY, bands.medium),
        Level::Medium => (bands.medium, bands.high),
        Level::High => (bands.high, f64::INFINITY),
    };
    if slope.abs() < FLAT_SLOPE {
        return (0.0, 1.0);
    }
    let a = (floor - rho) / slope;
    let b = (ceiling - rho) / slope;
    let (lo, hi) = if slope > 0.0 { (a, b) } else { (b, a) };
    // w itself lies inside by construction; min/max only absorb rounding.
    (lo.clamp(0.0, 1.0).min(w), hi.clamp(0.0, 1.0).max(w))
}

#[cfg(test)]
#[path = "sensitivity_tests.rs"]
mod tests;
