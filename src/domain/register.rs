//! What the decision register shows beside each decision, and how its decisions break down.

use uuid::Uuid;

/// A decision's state at a glance: its newest assessment, its resolution in force, what is overdue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegisterExtras {
    pub latest_assessment: Option<Uuid>,
    /// low | medium | high, as the newest assessment recorded them.
    pub initial_level: Option<String>,
    pub residual_level: Option<String>,
    pub residual_r: Option<f64>,
    /// The resolution in force was reopened for review by a later change or a petition spike.
    pub needs_review: bool,
    /// The outcome of the resolution in force, if any.
    pub outcome: Option<String>,
    /// Checklist items past their due date and unfinished.
    pub overdue_items: i64,
    /// Follow-up alerts of the resolution in force.
    pub alerts: i64,
}

/// How many decisions of a kind stand at a status with a residual level (none before the first assessment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakdown {
    pub kind: String,
    pub status: String,
    pub residual_level: Option<String>,
    pub decisions: i64,
}
