//! What the concern ledger (民情台账) gives an assessment: the model's ledger-indicator factors over the concerns
//! registered for the decision, the counts of open and overdue ones (attributes `concerns_open` and
//! `concerns_overdue`, which the quality findings read), and the snapshot the assessment records so that a replay
//! still matches after the ledger moves on.

use std::collections::BTreeMap;

use serde_json::json;
use uuid::Uuid;

use super::{AppError, Context};
use crate::domain::attributes::AttributeValue;
use crate::domain::concern::ConcernFilter;
use crate::domain::concern::{Concern, Satisfaction};
use crate::domain::ledger::{ConcernFacts, ConcernLine, measures};
use crate::scoring::Model;
use crate::scoring::record::LedgerEvidence;
use crate::scoring::spec::{EvidenceRule, LedgerIndicator, LedgerRule};

/// The ledger's part of an assessment's inputs.
#[derive(Debug, Clone, Default)]
pub struct LedgerInputs {
    /// factor id → indicator value
    pub indicators: BTreeMap<String, f64>,
    /// `concerns_open`, `concerns_overdue`
    pub attributes: BTreeMap<String, AttributeValue>,
    pub evidence: Option<LedgerEvidence>,
}

/// A ledger indicator over the decision's concerns; none when it has nothing to count.
pub fn indicator(rule: &LedgerRule, concerns: &[Concern]) -> Option<f64> {
    if concerns.is_empty() {
        return None;
    }
    let in_topics = |c: &&Concern| rule.topics.contains(&c.topic);
    let all = concerns.len() as f64;
    match rule.indicator {
        LedgerIndicator::OpenShare => Some(
            concerns
                .iter()
                .filter(in_topics)
                .filter(|c| c.state.open())
                .count() as f64
                / all,
        ),
        LedgerIndicator::OverdueShare => Some(
            concerns
                .iter()
                .filter(in_topics)
                .filter(|c| c.overdue)
                .count() as f64
                / all,
        ),
        LedgerIndicator::DissatisfiedShare => {
            let called: Vec<&Concern> = concerns
                .iter()
                .filter(in_topics)
                .filter(|c| c.satisfaction.is_some())
                .collect();
            (!called.is_empty()).then(|| {
                called
                    .iter()
                    .filter(|c| c.satisfaction == Some(Satisfaction::Dissatisfied))
                    .count() as f64
                    / called.len() as f64
            })
        }
    }
}

/// Reads the concerns registered for `decision_id` (wherever their region: a concern about the decision counts)
/// and computes the model's ledger factors from them; nothing when none is registered.
pub async fn ledger_inputs(
    ctx: &Context,
    model: &Model,
    decision_id: Uuid,
) -> Result<LedgerInputs, AppError> {
    let today = ctx.clock().today();
    let filter = ConcernFilter {
        decision: Some(decision_id),
        ..Default::default()
    };
    let concerns: Vec<Concern> = ctx
        .db
        .concerns(&filter, today)
        .await?
        .into_iter()
        .map(|s| s.concern)
        .collect();
    if concerns.is_empty() {
        return Ok(LedgerInputs::default());
    }
    let mut out = LedgerInputs::default();
    let mut factors = BTreeMap::new();
    for f in &model.spec().factors {
        if let EvidenceRule::Ledger(rule) = &f.evidence {
            let value = indicator(rule, &concerns);
            if let Some(v) = value {
                out.indicators.insert(f.id.clone(), v);
            }
            factors.insert(
                f.id.clone(),
                json!({"indicator": rule.indicator.name(), "topics": rule.topics, "value": value}),
            );
        }
    }
    let facts: Vec<ConcernFacts> = concerns.iter().map(ConcernFacts::from).collect();
    let counted = measures(&facts, today);
    out.attributes.insert(
        "concerns_open".into(),
        AttributeValue::Number(counted.open as f64),
    );
    out.attributes.insert(
        "concerns_overdue".into(),
        AttributeValue::Number(counted.overdue as f64),
    );
    let mut lines: Vec<ConcernLine> = concerns.iter().map(ConcernLine::from).collect();
    lines.sort_by(|a, b| {
        a.received_at
            .cmp(&b.received_at)
            .then(a.number.cmp(&b.number))
    });
    out.evidence = Some(LedgerEvidence {
        read_at: ctx.clock().now(),
        measures: counted,
        factors,
        concerns: lines,
    });
    Ok(out)
}
