//! The analysis numbers a model declares in `[ahp]` and `[uncertainty]`, as the engine reads them, and what
//! wenping ran with for models written before it asked for them.

use super::order::OrderCheck;
use super::simulation::SimulationRequest;
use super::spec::ModelSpec;

/// The numbers of `[ahp]` and `[uncertainty]` as the engine reads them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnalysisNumbers {
    pub consistency_limit: f64,
    pub order_holds_share: f64,
    pub order_draws: u32,
    pub order_seed: u64,
    pub report_draws: u32,
    pub report_seed: u64,
}

/// What wenping used for models written before they declared `[ahp]` and `[uncertainty]`. A historical fact
/// of the software, not a domain number: snapshots of assessments made then are restored, replayed and
/// reported with exactly what computed them (Saaty's 0.10; the order check and report Monte Carlo as fixed).
pub const BEFORE_DECLARED: AnalysisNumbers = AnalysisNumbers {
    consistency_limit: 0.10,
    order_holds_share: 0.95,
    order_draws: 2_000,
    order_seed: 1,
    report_draws: 10_000,
    report_seed: 1,
};

impl ModelSpec {
    /// The declared numbers; those of a table a snapshot lacks are [`BEFORE_DECLARED`]'s.
    pub fn analysis_numbers(&self) -> AnalysisNumbers {
        let mut n = BEFORE_DECLARED;
        if let Some(a) = &self.ahp {
            n.consistency_limit = a.consistency_limit;
        }
        if let Some(u) = &self.uncertainty {
            n.order_holds_share = u.order_holds_share;
            n.order_draws = u.order_draws;
            n.order_seed = u.order_seed;
            n.report_draws = u.report_draws;
            n.report_seed = u.report_seed;
        }
        n
    }
}

impl AnalysisNumbers {
    /// The scenario comparison's order check.
    pub fn order_check(&self) -> OrderCheck {
        OrderCheck {
            holds_share: self.order_holds_share,
            draws: self.order_draws,
            seed: self.order_seed,
        }
    }

    /// The report's Monte Carlo: the ratings' spread only, the weights as they are.
    pub fn report_simulation(&self) -> SimulationRequest {
        SimulationRequest {
            draws: self.report_draws,
            seed: self.report_seed,
            weight_noise: None,
        }
    }
}
