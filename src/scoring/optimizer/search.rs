//! Branch and bound over the catalogue, and the frontier.

use super::{Candidate, Found, Rescorer, Steps, add, cheaper, closer};
use crate::scoring::model::Level;

pub(super) struct Search<'a> {
    rescorer: &'a Rescorer<'a>,
    candidates: &'a [Candidate],
    budget: f64,
    /// suffix[i]: the steps of candidates i.. all together, for the bound "even all the rest is not enough".
    suffix: Vec<Steps>,
}

impl<'a> Search<'a> {
    pub(super) fn new(
        rescorer: &'a Rescorer<'a>,
        candidates: &'a [Candidate],
        budget: f64,
    ) -> Search<'a> {
        let n_factors = rescorer.model.spec().factors.len();
        let mut suffix = vec![vec![(0, 0); n_factors]; candidates.len() + 1];
        for i in (0..candidates.len()).rev() {
            let mut s = suffix[i + 1].clone();
            add(&mut s, &candidates[i]);
            suffix[i] = s;
        }
        Search {
            rescorer,
            candidates,
            budget,
            suffix,
        }
    }

    fn with_rest(&self, steps: &[(u8, u8)], i: usize) -> (f64, Level) {
        let mut all = steps.to_vec();
        for (slot, extra) in all.iter_mut().zip(&self.suffix[i]) {
            slot.0 = slot.0.saturating_add(extra.0).min(super::MAX_STEPS);
            slot.1 = slot.1.saturating_add(extra.1).min(super::MAX_STEPS);
        }
        self.rescorer.eval(&all)
    }

    fn zero(&self) -> Steps {
        vec![(0, 0); self.rescorer.model.spec().factors.len()]
    }

    /// The least-cost set within the budget whose level is at most `target`.
    pub(super) fn least_cost(&self, target: Level) -> Option<Found> {
        let mut best = None;
        self.least_cost_from(0, self.zero(), 0.0, &mut Vec::new(), target, &mut best);
        best
    }

    fn least_cost_from(
        &self,
        i: usize,
        steps: Steps,
        cost: f64,
        set: &mut Vec<usize>,
        target: Level,
        best: &mut Option<Found>,
    ) {
        if cost > self.budget || best.as_ref().is_some_and(|b| cost > b.cost) {
            return;
        }
        let (r, level) = self.rescorer.eval(&steps);
        if level <= target {
            let here = Found {
                cost,
                r,
                level,
                set: set.clone(),
            };
            if best.as_ref().is_none_or(|b| cheaper(&here, b)) {
                *best = Some(here);
            }
            // Costs are not negative: a superset is never cheaper, nor as cheap with fewer measures.
            return;
        }
        if i == self.candidates.len()
            || (self.rescorer.monotone && self.with_rest(&steps, i).1 > target)
        {
            return;
        }
        let mut more = steps.clone();
        add(&mut more, &self.candidates[i]);
        set.push(i);
        let c = cost + self.candidates[i].cost;
        self.least_cost_from(i + 1, more, c, set, target, best);
        set.pop();
        self.least_cost_from(i + 1, steps, cost, set, target, best);
    }

    /// Within the budget, the set with the lowest R, then the lowest cost (R never rises with a measure).
    pub(super) fn closest(&self) -> Found {
        let zero = self.zero();
        let (r, level) = self.rescorer.eval(&zero);
        let mut best = Found {
            cost: 0.0,
            r,
            level,
            set: Vec::new(),
        };
        self.closest_from(0, zero, 0.0, &mut Vec::new(), &mut best);
        best
    }

    fn closest_from(
        &self,
        i: usize,
        steps: Steps,
        cost: f64,
        set: &mut Vec<usize>,
        best: &mut Found,
    ) {
        if cost > self.budget {
            return;
        }
        let (r, level) = self.rescorer.eval(&steps);
        let here = Found {
            cost,
            r,
            level,
            set: set.clone(),
        };
        if closer(&here, best) {
            *best = here;
        }
        if i == self.candidates.len() || self.with_rest(&steps, i).0 > best.r {
            return;
        }
        let mut more = steps.clone();
        add(&mut more, &self.candidates[i]);
        set.push(i);
        let c = cost + self.candidates[i].cost;
        self.closest_from(i + 1, more, c, set, best);
        set.pop();
        self.closest_from(i + 1, steps, cost, set, best);
    }

    /// Every subset, then the points that lower R below every cheaper (or as cheap) point.
    pub(super) fn exact_frontier(&self) -> Vec<Found> {
        let mut all = Vec::new();
        self.enumerate(0, self.zero(), 0.0, &mut Vec::new(), &mut all);
        all.sort_by(|a, b| {
            a.cost
                .total_cmp(&b.cost)
                .then(a.r.total_cmp(&b.r))
                .then(a.set.len().cmp(&b.set.len()))
                .then(a.set.cmp(&b.set))
        });
        pareto(all)
    }

    fn enumerate(
        &self,
        i: usize,
        steps: Steps,
        cost: f64,
        set: &mut Vec<usize>,
        out: &mut Vec<Found>,
    ) {
        if i == self.candidates.len() {
            let (r, level) = self.rescorer.eval(&steps);
            out.push(Found {
                cost,
                r,
                level,
                set: set.clone(),
            });
            return;
        }
        let mut more = steps.clone();
        add(&mut more, &self.candidates[i]);
        set.push(i);
        self.enumerate(i + 1, more, cost + self.candidates[i].cost, set, out);
        set.pop();
        self.enumerate(i + 1, steps, cost, set, out);
    }

    /// Greedy: add the measure that lowers R most per unit cost (free ones first), until none lowers R.
    pub(super) fn greedy_frontier(&self) -> Vec<Found> {
        let mut steps = self.zero();
        let (r, level) = self.rescorer.eval(&steps);
        let mut points = vec![Found {
            cost: 0.0,
            r,
            level,
            set: Vec::new(),
        }];
        let mut chosen = vec![false; self.candidates.len()];
        loop {
            let current = points.last().map_or(r, |p| p.r);
            let mut pick: Option<(f64, usize, Steps, f64, Level)> = None;
            for (i, c) in self
                .candidates
                .iter()
                .enumerate()
                .filter(|(i, _)| !chosen[*i])
            {
                let mut more = steps.clone();
                add(&mut more, c);
                let (r2, l2) = self.rescorer.eval(&more);
                let gain = current - r2;
                if gain <= 0.0 {
                    continue;
                }
                let ratio = if c.cost > 0.0 {
                    gain / c.cost
                } else {
                    f64::INFINITY
                };
                if pick.as_ref().is_none_or(|p| ratio > p.0) {
                    pick = Some((ratio, i, more, r2, l2));
                }
            }
            let Some((_, i, more, r2, l2)) = pick else {
                break;
            };
            chosen[i] = true;
            steps = more;
            let last = points.last().map(|p| (p.cost, p.set.clone()));
            let (cost, mut set) = last.unwrap_or((0.0, Vec::new()));
            set.push(i);
            set.sort_unstable();
            points.push(Found {
                cost: cost + self.candidates[i].cost,
                r: r2,
                level: l2,
                set,
            });
        }
        points
    }
}

/// Keeps, in (cost, R) order, each point whose R is below that of every point before it.
fn pareto(sorted: Vec<Found>) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    for f in sorted {
        if out.last().is_none_or(|last| f.r < last.r) {
            out.push(f);
        }
    }
    out
}
