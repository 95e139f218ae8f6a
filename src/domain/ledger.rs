//! The ledger's measures (DOMAIN "the concern ledger": response, on-time, satisfaction and reopen rates, median
//! days to close, share adopted), counted over any group of concerns: a decision's, a region's, an office's,
//! a month's.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::concern::{Channel, Concern, ConcernState, Satisfaction, overdue};

/// One concern as an assessment records it (no resident: the report prints none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConcernLine {
    pub number: String,
    pub channel: Channel,
    pub received_at: DateTime<Utc>,
    pub topic: String,
    pub content: String,
    pub state: ConcernState,
    pub office: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub answer: Option<String>,
    pub satisfaction: Option<Satisfaction>,
    pub adopted_measure: Option<String>,
    pub overdue: bool,
}

impl From<&Concern> for ConcernLine {
    fn from(c: &Concern) -> Self {
        Self {
            number: c.number.clone(),
            channel: c.channel,
            received_at: c.received_at,
            topic: c.topic.clone(),
            content: c.content.clone(),
            state: c.state,
            office: c.office.clone(),
            due_on: c.due_on,
            answer: c.answer.clone(),
            satisfaction: c.satisfaction,
            adopted_measure: c.adopted_measure.clone(),
            overdue: c.overdue,
        }
    }
}

/// The facts of one concern that the measures read.
#[derive(Debug, Clone, PartialEq)]
pub struct ConcernFacts {
    pub topic: String,
    pub state: ConcernState,
    pub received_at: DateTime<Utc>,
    pub due_on: Option<NaiveDate>,
    pub answered_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub reopen_count: i64,
    pub satisfaction: Option<Satisfaction>,
    pub adopted: bool,
}

impl From<&Concern> for ConcernFacts {
    fn from(c: &Concern) -> Self {
        Self {
            topic: c.topic.clone(),
            state: c.state,
            received_at: c.received_at,
            due_on: c.due_on,
            answered_at: c.answered_at,
            closed_at: c.closed_at,
            reopen_count: c.reopen_count,
            satisfaction: c.satisfaction,
            adopted: c.adopted_measure.is_some(),
        }
    }
}

/// The measures of one group. Rates are shares in 0..1 and absent when nothing is there to count.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
pub struct LedgerMeasures {
    /// Concerns registered.
    pub registered: u64,
    /// Answered at least once ÷ registered.
    pub response_rate: Option<f64>,
    /// Answered on or before the due date ÷ answered with a due date.
    pub on_time_rate: Option<f64>,
    /// Satisfied or basically satisfied ÷ called back.
    pub satisfaction_rate: Option<f64>,
    /// Reopened at least once ÷ answered.
    pub reopen_rate: Option<f64>,
    /// Median of (closed − received) in days over the closed ones.
    pub median_days_to_close: Option<f64>,
    /// Adopted into the plan ÷ answered.
    pub adopted_share: Option<f64>,
    /// Not closed.
    pub open: u64,
    /// Open, unanswered and past the due date.
    pub overdue: u64,
}

fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The measures of `concerns` on `today`.
pub fn measures<'a>(
    concerns: impl IntoIterator<Item = &'a ConcernFacts>,
    today: NaiveDate,
) -> LedgerMeasures {
    let mut registered = 0;
    let (mut answered, mut answered_due, mut on_time) = (0, 0, 0);
    let (mut called_back, mut satisfied) = (0, 0);
    let (mut reopened, mut adopted, mut open, mut late) = (0, 0, 0, 0);
    let mut days_to_close = Vec::new();
    for c in concerns {
        registered += 1;
        if let Some(at) = c.answered_at {
            answered += 1;
            if let Some(due) = c.due_on {
                answered_due += 1;
                if at.date_naive() <= due {
                    on_time += 1;
                }
            }
            if c.reopen_count > 0 {
                reopened += 1;
            }
            if c.adopted {
                adopted += 1;
            }
        }
        if let Some(s) = c.satisfaction {
            called_back += 1;
            if s.satisfied() {
                satisfied += 1;
            }
        }
        if c.state.open() {
            open += 1;
        }
        if overdue(c.state, c.due_on, today) {
            late += 1;
        }
        if let (ConcernState::Closed, Some(closed)) = (c.state, c.closed_at) {
            days_to_close.push((closed - c.received_at).num_seconds() as f64 / 86_400.0);
        }
    }
    days_to_close.sort_by(f64::total_cmp);
    let median = match days_to_close.len() {
        0 => None,
        n if n % 2 == 1 => Some(days_to_close[n / 2]),
        n => Some((days_to_close[n / 2 - 1] + days_to_close[n / 2]) / 2.0),
    };
    LedgerMeasures {
        registered,
        response_rate: share(answered, registered),
        on_time_rate: share(on_time, answered_due),
        satisfaction_rate: share(satisfied, called_back),
        reopen_rate: share(reopened, answered),
        median_days_to_close: median,
        adopted_share: share(adopted, answered),
        open,
        overdue: late,
    }
}

/// The measures of each group, keyed by the group's name (a month `YYYY-MM`, an office, a region code …).
pub fn grouped<'a, K: Ord>(
    concerns: impl IntoIterator<Item = (K, &'a ConcernFacts)>,
    today: NaiveDate,
) -> BTreeMap<K, LedgerMeasures> {
    let mut groups: BTreeMap<K, Vec<&ConcernFacts>> = BTreeMap::new();
    for (key, facts) in concerns {
        groups.entry(key).or_default().push(facts);
    }
    groups
        .into_iter()
        .map(|(k, v)| (k, measures(v, today)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        format!("{s}T08:00:00Z").parse().unwrap()
    }

    fn facts(state: ConcernState) -> ConcernFacts {
        ConcernFacts {
            topic: "compensation".into(),
            state,
            received_at: at("2026-11-01"),
            due_on: Some("2026-11-06".parse().unwrap()),
            answered_at: None,
            closed_at: None,
            reopen_count: 0,
            satisfaction: None,
            adopted: false,
        }
    }

    #[test]
    fn counts_by_hand() {
        let today: NaiveDate = "2026-11-20".parse().unwrap();
        let mut closed = facts(ConcernState::Closed);
        closed.answered_at = Some(at("2026-11-05"));
        closed.closed_at = Some(at("2026-11-09"));
        closed.satisfaction = Some(Satisfaction::Satisfied);
        closed.adopted = true;
        let mut late = facts(ConcernState::CalledBack);
        late.answered_at = Some(at("2026-11-10"));
        late.satisfaction = Some(Satisfaction::Dissatisfied);
        late.reopen_count = 1;
        let waiting = facts(ConcernState::Accepted);
        let m = measures([&closed, &late, &waiting], today);
        assert_eq!(m.registered, 3);
        assert_eq!(m.response_rate, Some(2.0 / 3.0));
        assert_eq!(m.on_time_rate, Some(0.5));
        assert_eq!(m.satisfaction_rate, Some(0.5));
        assert_eq!(m.reopen_rate, Some(0.5));
        assert_eq!(m.median_days_to_close, Some(8.0));
        assert_eq!(m.adopted_share, Some(0.5));
        assert_eq!((m.open, m.overdue), (2, 1));
    }
}
