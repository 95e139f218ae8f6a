//! The mitigation optimizer: the least-cost set of catalogue measures whose residual level is at most a
//! target, by branch and bound over the catalogue, and the cost-versus-R frontier.
//!
//! It starts from the inputs without their chosen measures (`inputs.measures` is ignored) and searches the
//! whole catalogue. Residual semantics are the engine's: each measure lowers grades by its steps, summed per
//! factor, never below 1; veto applies. Every factor is scored once per step pair at set-up, so a set costs
//! one sum over the factors.

use serde::{Deserialize, Serialize};

use super::assessment::FactorScore;
use super::engine::{gather_all, outcome, score_factor};
use super::error::InputErrors;
use super::inputs::AssessmentInputs;
use super::model::{FuzzyLevelFrom, GradeAxis, Level, Method, Model};

/// Catalogues up to this size get the exact frontier by enumeration; larger ones a greedy one.
pub const EXACT_FRONTIER_MAX: usize = 20;
/// Steps beyond this change nothing: grade 5 lowered by 4 is already 1.
const MAX_STEPS: u8 = 4;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MitigationPlan {
    pub target: Level,
    pub budget: Option<f64>,
    /// Whether some set within the budget reaches the target. When not, the set given is the one with the
    /// lowest residual R within the budget (then the lowest cost).
    pub reached: bool,
    /// Catalogue ids in id order.
    pub measures: Vec<String>,
    pub cost: f64,
    pub r: f64,
    pub level: Level,
    /// Without any measure.
    pub initial_r: f64,
    pub initial_level: Level,
    /// Pareto points of (cost, R), cheapest first, each lowering R below every cheaper point; not limited by
    /// the budget.
    pub frontier: Vec<FrontierPoint>,
    pub frontier_method: FrontierMethod,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontierPoint {
    pub cost: f64,
    pub r: f64,
    pub level: Level,
    pub measures: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrontierMethod {
    /// Every subset of the catalogue evaluated (catalogues of up to 20 measures).
    Exact,
    /// Measures added one at a time by R lowered per unit cost; an upper envelope, not guaranteed Pareto.
    Greedy,
}

/// Per factor, the score for each (probability, impact) step pair 0..=4.
struct Rescorer<'m> {
    model: &'m Model,
    scores: Vec<Vec<Option<FactorScore>>>,
    /// Whether adding a measure can never raise the level (not so for max-membership fuzzy models).
    monotone: bool,
}

type Steps = Vec<(u8, u8)>;

impl<'m> Rescorer<'m> {
    fn new(model: &'m Model, inputs: &AssessmentInputs) -> Rescorer<'m> {
        let evidence = gather_all(model, inputs);
        let weights = &model.derived().factor_weights;
        let scores = evidence
            .iter()
            .zip(weights)
            .map(|(ev, w)| {
                (0..25u8)
                    .map(|k| score_factor(model, ev, (k / 5, k % 5), w.global))
                    .collect()
            })
            .collect();
        let spec = model.spec();
        let monotone = spec.method == Method::Index
            || spec.fuzzy.as_ref().map(|f| f.level_from) == Some(FuzzyLevelFrom::GradeScore);
        Rescorer {
            model,
            scores,
            monotone,
        }
    }

    fn score(&self, k: usize, (dp, dq): (u8, u8)) -> Option<&FactorScore> {
        self.scores.get(k)?.get(usize::from(dp * 5 + dq))?.as_ref()
    }

    /// (R, level) with the given steps; the index method sums here, the fuzzy one goes through the engine.
    fn eval(&self, steps: &[(u8, u8)]) -> (f64, Level) {
        let spec = self.model.spec();
        if spec.method == Method::Index {
            let mut r = 0.0;
            let mut vetoed = false;
            for (k, (f, &s)) in spec.factors.iter().zip(steps).enumerate() {
                if let Some(score) = self.score(k, s) {
                    r += score.contribution;
                    vetoed |= f.veto && score.level == Level::High;
                }
            }
            let level = if vetoed {
                Level::High
            } else {
                spec.levels.level_of(r)
            };
            (r, level)
        } else {
            let scores: Vec<FactorScore> = steps
                .iter()
                .enumerate()
                .filter_map(|(k, &s)| self.score(k, s).cloned())
                .collect();
            let o = outcome(self.model, &scores);
            (o.r, o.level)
        }
    }
}

/// One catalogue measure as steps per factor.
struct Candidate {
    id: String,
    cost: f64,
    effects: Vec<(usize, GradeAxis, u8)>,
}

fn add(steps: &mut [(u8, u8)], c: &Candidate) {
    for &(k, on, n) in &c.effects {
        if let Some(slot) = steps.get_mut(k) {
            match on {
                GradeAxis::Probability => slot.0 = slot.0.saturating_add(n).min(MAX_STEPS),
                GradeAxis::Impact => slot.1 = slot.1.saturating_add(n).min(MAX_STEPS),
            }
        }
    }
}

/// A set found so far: (cost, R, level, candidate indices ascending = ids ascending).
#[derive(Debug, Clone)]
struct Found {
    cost: f64,
    r: f64,
    level: Level,
    set: Vec<usize>,
}

/// Cheaper first, then fewer measures, then the lexicographically smaller id list.
fn cheaper(a: &Found, b: &Found) -> bool {
    (a.cost, a.set.len()) < (b.cost, b.set.len())
        || ((a.cost, a.set.len()) == (b.cost, b.set.len()) && a.set < b.set)
}

/// Lower R first, then cheaper.
fn closer(a: &Found, b: &Found) -> bool {
    a.r < b.r || (a.r == b.r && cheaper(a, b))
}

pub fn mitigation_plan(
    model: &Model,
    inputs: &AssessmentInputs,
    target: Level,
    budget: Option<f64>,
) -> Result<MitigationPlan, InputErrors> {
    let without = AssessmentInputs {
        measures: Vec::new(),
        ..inputs.clone()
    };
    without.check(model)?;
    let rescorer = Rescorer::new(model, &without);
    let mut candidates: Vec<Candidate> = model
        .spec()
        .measures
        .iter()
        .map(|m| Candidate {
            id: m.id.clone(),
            cost: m.cost,
            effects: m
                .effects
                .iter()
                .filter_map(|e| Some((model.factor_index(&e.factor)?, e.on, e.steps)))
                .collect(),
        })
        .collect();
    // Index order is id order, so comparing index lists compares id lists.
    candidates.sort_by(|a, b| a.id.cmp(&b.id));
    let zero: Steps = vec![(0, 0); model.spec().factors.len()];
    let (initial_r, initial_level) = rescorer.eval(&zero);
    let search = Search::new(&rescorer, &candidates, budget.unwrap_or(f64::INFINITY));
    let best = search.least_cost(target);
    let reached = best.is_some();
    let plan = match best {
        Some(found) => found,
        None => search.closest(),
    };
    let (frontier, frontier_method) = if candidates.len() <= EXACT_FRONTIER_MAX {
        (search.exact_frontier(), FrontierMethod::Exact)
    } else {
        (search.greedy_frontier(), FrontierMethod::Greedy)
    };
    let ids = |set: &[usize]| set.iter().map(|&i| candidates[i].id.clone()).collect();
    Ok(MitigationPlan {
        target,
        budget,
        reached,
        measures: ids(&plan.set),
        cost: plan.cost,
        r: plan.r,
        level: plan.level,
        initial_r,
        initial_level,
        frontier: frontier
            .iter()
            .map(|f| FrontierPoint {
                cost: f.cost,
                r: f.r,
                level: f.level,
                measures: ids(&f.set),
            })
            .collect(),
        frontier_method,
    })
}

mod search;
use search::Search;

#[cfg(test)]
#[path = "optimizer_tests.rs"]
mod tests;
