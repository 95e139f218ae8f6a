//! The decision page: the facts, the regions by name, the scenarios, each expert's rating progress, the newest
//! assessment (both matrices side by side, the charts, the quality findings, the gate's recommendation), the
//! checklist, the resolution, the alerts and the history.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::assessment_view::{AssessmentView, view};
use super::error::{PageError, path_id};
use super::html;
use super::i18n::{Group, Tr};
use super::layout::Layout;
use super::viewer::Viewer;
use crate::app::overview::{self, DecisionOverview};
use crate::auth::permission::{
    Assess, Permission, RateFactors, ReadReports, Resolve, WriteDecisions,
};
use crate::domain::principal::Principal;
use crate::http::AppState;
use crate::reports::labels::serde_id;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/decisions/{id}", web::get().to(decision_page));
}

pub struct Fact {
    pub label: String,
    pub value: String,
}

pub struct ScenarioRow {
    pub name: String,
    pub baseline: bool,
    pub measures: usize,
}

pub struct RatingRow {
    pub expert: String,
    pub rated: usize,
    pub of: usize,
    pub complete: bool,
    pub at: String,
}

pub struct ItemRow {
    pub measure: String,
    pub owner: String,
    pub lead: String,
    pub due: String,
    pub status: String,
    pub overdue: bool,
    pub assigned: bool,
}

pub struct ResolutionView {
    pub outcome: String,
    pub conditions: String,
    pub gate: String,
    pub override_reason: Option<String>,
    pub needs_review: bool,
    pub review_reasons: Vec<String>,
    pub author: String,
    pub at: String,
}

pub struct AlertRow {
    pub region: String,
    pub month: String,
    pub count: i64,
    pub z: String,
}

pub struct HistoryRow {
    pub at: String,
    pub actor: String,
    pub what: String,
}

pub struct HeadRow {
    pub href: String,
    pub at: String,
    pub initial: (String, String),
    pub residual: (String, String),
    pub residual_r: String,
}

/// What the reader may do here, so the page shows only that (the server still checks each).
pub struct Can {
    pub edit: bool,
    pub rate: bool,
    pub assess: bool,
    pub resolve: bool,
    pub reports: bool,
    pub ledger: bool,
}

#[derive(Template)]
#[template(path = "decision.html")]
struct DecisionPage {
    layout: Layout,
    id: String,
    title: String,
    kind: String,
    status: String,
    archived: bool,
    description: String,
    facts: Vec<Fact>,
    attributes: Vec<Fact>,
    regions: Vec<(String, String)>,
    scenarios: Vec<ScenarioRow>,
    ratings: Vec<RatingRow>,
    summary: Option<AssessmentView>,
    assessments: Vec<HeadRow>,
    checklist: Vec<ItemRow>,
    overdue: usize,
    resolution: Option<ResolutionView>,
    alerts: Vec<AlertRow>,
    history: Vec<HistoryRow>,
    can: Can,
    charts: bool,
}

fn holds<P: Permission>(p: &Principal) -> bool {
    p.has_any(P::ROLES)
}

fn history_row(tr: Tr, e: &crate::domain::audit::AuditEntry) -> HistoryRow {
    HistoryRow {
        at: e.at.format("%Y-%m-%d %H:%M").to_string(),
        actor: e.actor.clone(),
        what: format!(
            "{}{}",
            tr.t_or(&format!("audit_entity.{}", e.entity), "audit_entity.other"),
            tr.t_or(&format!("audit_action.{}", e.action), "audit_action.other")
        ),
    }
}

fn page(viewer: &Viewer, principal: &Principal, o: DecisionOverview) -> DecisionPage {
    let tr = viewer.tr;
    let d = &o.decision;
    let f = &d.fields;
    let mut facts = vec![
        Fact {
            label: tr.t("decision.responsible_unit"),
            value: f.responsible_unit.clone(),
        },
        Fact {
            label: tr.t("decision.affected_households"),
            value: f.affected.households.to_string(),
        },
        Fact {
            label: tr.t("decision.affected_people"),
            value: f.affected.people.to_string(),
        },
    ];
    if let Some(budget) = f.budget_yuan {
        facts.push(Fact {
            label: tr.t("decision.budget"),
            value: tr.lang.money(budget),
        });
    }
    if let Some(start) = f.planned_start {
        facts.push(Fact {
            label: tr.t("decision.planned_start"),
            value: start.to_string(),
        });
    }
    facts.push(Fact {
        label: tr.t("decision.registered"),
        value: d.created_at.format("%Y-%m-%d").to_string(),
    });
    let attributes = f
        .attributes
        .iter()
        .map(|(name, value)| Fact {
            label: tr.word(Group::Attributes, name),
            value: tr.lang.attribute_value(name, *value),
        })
        .collect();
    let measure_name = |id: &str| match &o.latest {
        Some(r) => r
            .model
            .measure(id)
            .map(|m| tr.lang.name(&m.name))
            .unwrap_or_else(|| tr.t("assessment.unknown_measure")),
        None => tr.t("assessment.unknown_measure"),
    };
    let checklist = o
        .checklist
        .items
        .iter()
        .map(|i| ItemRow {
            measure: measure_name(&i.fields.measure),
            owner: i.fields.owner_unit.clone().unwrap_or_default(),
            lead: i.fields.lead_person.clone().unwrap_or_default(),
            due: i.fields.due_date.map(|d| d.to_string()).unwrap_or_default(),
            status: tr.word(Group::ChecklistStatuses, &serde_id(&i.fields.status)),
            overdue: i.overdue,
            assigned: i.assigned,
        })
        .collect();
    let resolution = o.resolutions.first().map(|r| ResolutionView {
        outcome: tr.word(Group::ResolutionOutcomes, &serde_id(&r.outcome)),
        conditions: r.conditions.clone(),
        gate: tr.word(Group::GateOutcomes, &serde_id(&r.gate_outcome)),
        override_reason: r.override_reason.clone(),
        needs_review: r.needs_review,
        review_reasons: r
            .review_reasons
            .iter()
            .map(|x| review_reason(tr, x))
            .collect(),
        author: r.author.clone(),
        at: r.created_at.format("%Y-%m-%d %H:%M").to_string(),
    });
    let region_name = |code: &str| o.region_names.get(code).cloned().unwrap_or_default();
    DecisionPage {
        layout: Layout::new(viewer, f.title.clone(), "nav.decisions"),
        id: d.id.to_string(),
        title: f.title.clone(),
        kind: tr.word(Group::DecisionKinds, f.kind.as_str()),
        status: tr.word(Group::DecisionStatuses, f.status.as_str()),
        archived: d.archived,
        description: f.description.clone(),
        facts,
        attributes,
        regions: f
            .regions
            .iter()
            .map(|r| (r.as_str().to_owned(), region_name(r.as_str())))
            .collect(),
        scenarios: o
            .scenarios
            .iter()
            .map(|s| ScenarioRow {
                name: if s.baseline {
                    tr.t("decision.baseline")
                } else {
                    s.fields.name.clone()
                },
                baseline: s.baseline,
                measures: s.fields.measures.len(),
            })
            .collect(),
        ratings: o
            .ratings
            .iter()
            .map(|r| RatingRow {
                expert: r.expert.clone(),
                rated: r.rated,
                of: o.factors,
                complete: r.rated >= o.factors,
                at: r.recorded_at.format("%Y-%m-%d %H:%M").to_string(),
            })
            .collect(),
        summary: o.latest.as_ref().map(|r| view(tr, r)),
        assessments: o
            .assessments
            .iter()
            .map(|h| HeadRow {
                href: format!("/assessments/{}", h.id),
                at: h.created_at.format("%Y-%m-%d %H:%M").to_string(),
                initial: (
                    h.initial_level.clone(),
                    tr.word(Group::Levels, &h.initial_level),
                ),
                residual: (
                    h.residual_level.clone(),
                    tr.word(Group::Levels, &h.residual_level),
                ),
                residual_r: format!("{:.3}", h.residual_r),
            })
            .collect(),
        overdue: o.checklist.overdue(),
        checklist,
        resolution,
        alerts: o
            .alerts
            .iter()
            .map(|a| AlertRow {
                region: match region_name(&a.region) {
                    n if n.is_empty() => a.region.clone(),
                    n => format!("{n}（{}）", a.region),
                },
                month: a.month.clone(),
                count: a.count,
                z: format!("{:.1}", a.z),
            })
            .collect(),
        history: o.history.iter().map(|e| history_row(tr, e)).collect(),
        can: Can {
            edit: holds::<WriteDecisions>(principal) && !d.archived,
            rate: holds::<RateFactors>(principal) && !d.archived,
            assess: holds::<Assess>(principal) && !d.archived,
            resolve: holds::<Resolve>(principal) && !d.archived,
            reports: holds::<ReadReports>(principal),
            ledger: holds::<crate::auth::permission::ReadConcerns>(principal),
        },
        charts: holds::<ReadReports>(principal),
    }
}

async fn decision_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.signed_in()?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let o = overview::decision(&state.ctx, principal, id)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    let page = page(&viewer, principal, o);
    Ok(html(StatusCode::OK, page.render()))
}

/// A review reason in the reader's language. The reasons are stored as the English sentences the use cases
/// write (app/ratings.rs, app/decisions.rs, app/followup.rs); each known form is put into words, and an unknown
/// one is named only in general.
pub(super) fn review_reason(tr: Tr, reason: &str) -> String {
    if !tr.is_zh() {
        return reason.to_owned();
    }
    if let Some(expert) = reason.strip_suffix("'s ratings changed after the resolution") {
        return tr.t("review.ratings").replace("{expert}", expert);
    }
    if let Some(what) = reason
        .strip_prefix("the decision's ")
        .and_then(|r| r.strip_suffix(" changed after the resolution"))
    {
        return tr.t_or(&format!("review.changed_{what}"), "review.other");
    }
    if let Some(rest) = reason.strip_prefix("petition spike in region ") {
        // "{region} in {month}: {count} petitions against a pre-decision mean of {mean} (z {z})"
        let (region, rest) = rest.split_once(" in ").unwrap_or((rest, ""));
        let (month, rest) = rest.split_once(": ").unwrap_or((rest, ""));
        let count = rest.split(' ').next().unwrap_or_default();
        let mean = rest
            .split("mean of ")
            .nth(1)
            .and_then(|m| m.split(' ').next())
            .unwrap_or_default();
        return tr
            .t("review.spike")
            .replace("{region}", region)
            .replace("{month}", month)
            .replace("{count}", count)
            .replace("{mean}", mean);
    }
    tr.t("review.other")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::Lang;

    #[test]
    fn every_review_reason_the_use_cases_write_reads_in_chinese() {
        let tr = Tr::new(Lang::Zh);
        for (reason, expected) in [
            (
                "expert.li's ratings changed after the resolution",
                "expert.li",
            ),
            (
                "the decision's attributes changed after the resolution",
                "评估要素",
            ),
            (
                "the decision's regions changed after the resolution",
                "涉及地区",
            ),
            (
                "petition spike in region 330199002002 in 2026-12: 60 petitions against a pre-decision mean of 4.2 (z 9.1)",
                "330199002002",
            ),
        ] {
            let words = review_reason(tr, reason);
            assert!(words.contains(expected), "{reason} → {words}");
            assert!(
                !words.contains("after the resolution") && !words.contains("⟦"),
                "{words}"
            );
        }
    }
}
