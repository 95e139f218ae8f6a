//! The decision register as people read it: the dashboard's cards (each a count of the decisions a filter
//! finds, so a card opens exactly the list behind it), the breakdown by kind, status and level, and a page of
//! decisions with what stands beside each.

use std::collections::HashMap;

use chrono::Duration;

use super::{AppError, Context, authorize};
use crate::auth::permission::ReadDecisions;
use crate::domain::decision::{Decision, DecisionFilter, DecisionPosition, DecisionStatus};
use crate::domain::gate::Level;
use crate::domain::petition::Region;
use crate::domain::principal::Principal;
use crate::domain::register::{Breakdown, RegisterExtras};

/// What the dashboard counts; each is a preset of the register's filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Card {
    /// Registered, not yet assessed.
    AwaitingAssessment,
    /// Assessed, the committee has not resolved yet.
    AwaitingCommittee,
    ResidualHigh,
    ResidualMedium,
    /// The resolution in force was reopened for review.
    NeedsReview,
    /// Checklist items past due and unfinished.
    Overdue,
    /// Follow-up alerts on the resolution in force.
    Alerted,
    /// Resolved in the last 30 days.
    RecentlyResolved,
}

/// How far back "recent" resolutions go.
const RECENT_DAYS: i64 = 30;

impl Card {
    pub const ALL: [Card; 8] = [
        Card::AwaitingAssessment,
        Card::AwaitingCommittee,
        Card::ResidualHigh,
        Card::ResidualMedium,
        Card::NeedsReview,
        Card::Overdue,
        Card::Alerted,
        Card::RecentlyResolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Card::AwaitingAssessment => "awaiting_assessment",
            Card::AwaitingCommittee => "awaiting_committee",
            Card::ResidualHigh => "residual_high",
            Card::ResidualMedium => "residual_medium",
            Card::NeedsReview => "needs_review",
            Card::Overdue => "overdue",
            Card::Alerted => "alerted",
            Card::RecentlyResolved => "recently_resolved",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == raw)
    }

    /// Narrows `filter` to the card's decisions, as of the context's clock.
    pub fn apply(self, filter: &mut DecisionFilter, ctx: &Context) {
        match self {
            Card::AwaitingAssessment => {
                filter.statuses = vec![DecisionStatus::Draft, DecisionStatus::Assessing]
            }
            Card::AwaitingCommittee => filter.statuses = vec![DecisionStatus::Assessed],
            Card::ResidualHigh => filter.residual_level = Some(Level::High),
            Card::ResidualMedium => filter.residual_level = Some(Level::Medium),
            Card::NeedsReview => filter.needs_review = true,
            Card::Overdue => filter.overdue_on = Some(ctx.clock().today()),
            Card::Alerted => filter.alerted = true,
            Card::RecentlyResolved => {
                filter.resolved_since = Some(ctx.clock().now() - Duration::days(RECENT_DAYS))
            }
        }
    }
}

pub struct Dashboard {
    /// Every card with the number of decisions behind it.
    pub cards: Vec<(Card, i64)>,
    pub breakdown: Vec<Breakdown>,
}

/// The caller's dashboard: the cards and the breakdown, over the decisions in their scope.
pub async fn dashboard(ctx: &Context, principal: &Principal) -> Result<Dashboard, AppError> {
    authorize::<ReadDecisions>(principal)?;
    let reader = ctx.reader();
    let mut cards = Vec::with_capacity(Card::ALL.len());
    for card in Card::ALL {
        let mut filter = DecisionFilter::all(1);
        filter.scope = principal.scope.clone();
        card.apply(&mut filter, ctx);
        cards.push((card, reader.count_decisions(&filter).await?));
    }
    let breakdown = reader.register_breakdown(&principal.scope).await?;
    Ok(Dashboard { cards, breakdown })
}

/// A page of the register.
pub struct RegisterPage {
    pub entries: Vec<(Decision, RegisterExtras)>,
    /// Where the next page starts; none on the last.
    pub next: Option<DecisionPosition>,
    /// How many decisions the filter finds in all.
    pub total: i64,
    /// Division code → name, for the regions of the page's decisions the region table knows.
    pub region_names: HashMap<String, String>,
}

/// One page of the decisions in the caller's scope that pass the filter, with what stands beside each.
pub async fn page(
    ctx: &Context,
    principal: &Principal,
    mut filter: DecisionFilter,
) -> Result<RegisterPage, AppError> {
    authorize::<ReadDecisions>(principal)?;
    filter.scope = principal.scope.clone();
    // The register is a list: a replica's lag may hide a decision registered a moment ago, which its own page
    // (read from the primary) shows.
    let reader = ctx.reader();
    let (decisions, next) = reader.decisions(&filter).await?;
    let total = reader.count_decisions(&filter).await?;
    let ids: Vec<_> = decisions.iter().map(|d| d.id).collect();
    let mut extras = reader.register_extras(&ids, ctx.clock().today()).await?;
    let mut codes: Vec<String> = decisions
        .iter()
        .flat_map(|d| d.fields.regions.iter().map(|r| r.as_str().to_owned()))
        .collect();
    codes.sort();
    codes.dedup();
    let region_names = reader
        .regions(&codes)
        .await?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect();
    let entries = decisions
        .into_iter()
        .map(|d| {
            let e = extras.remove(&d.id).unwrap_or_default();
            (d, e)
        })
        .collect();
    Ok(RegisterPage {
        entries,
        next,
        total,
        region_names,
    })
}

/// At most this many regions are offered in a picker; a province types the code instead.
pub(crate) const PICKER_REGIONS: i64 = 5_000;

/// The regions of the caller's scope that the region table knows, for the pages' pickers (by code and by name).
pub async fn regions(ctx: &Context, principal: &Principal) -> Result<Vec<Region>, AppError> {
    authorize::<ReadDecisions>(principal)?;
    let mut regions = ctx.db.all_regions(PICKER_REGIONS).await?;
    regions.retain(|r| principal.scope.covers_code(&r.code));
    Ok(regions)
}
