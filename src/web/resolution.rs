//! The committee's resolution (决策记录): the gate's recommendation and its reasons are shown before anything is
//! submitted; an outcome the gate does not allow needs a reason, which is recorded and shown in every report.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::assessment_view::{AssessmentView, view};
use super::error::{PageError, path_id};
use super::i18n::{Group, Tr};
use super::layout::Layout;
use super::viewer::Viewer;
use super::{html, see_other};
use crate::app::overview::{self, DecisionOverview};
use crate::app::{AppError, resolutions};
use crate::auth::permission::Resolve;
use crate::domain::principal::Principal;
use crate::domain::resolution::{Outcome, ResolutionRequest};
use crate::http::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/decisions/{id}/resolve", web::get().to(resolve_page))
        .route("/decisions/{id}/resolve", web::post().to(resolve));
}

const OUTCOMES: [Outcome; 4] = [
    Outcome::Implement,
    Outcome::ImplementAfterMitigation,
    Outcome::Postpone,
    Outcome::Reject,
];

pub struct OutcomeChoice {
    pub value: &'static str,
    pub label: String,
    /// The gate allows it; otherwise it needs an override reason.
    pub allowed: bool,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "resolution.html")]
struct ResolvePage {
    layout: Layout,
    decision_id: String,
    title: String,
    s: AssessmentView,
    charts: bool,
    outcomes: Vec<OutcomeChoice>,
    conditions: String,
    override_reason: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct ResolveForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    assessment_id: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    conditions: String,
    #[serde(default)]
    override_reason: String,
}

/// The decision with its newest assessment; a decision not assessed yet cannot be resolved.
async fn assessed(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    tr: Tr,
) -> Result<DecisionOverview, PageError> {
    let o = overview::decision(&state.ctx, principal, id)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    if o.latest.is_none() {
        return Err(PageError::Refused {
            tr,
            status: StatusCode::CONFLICT,
            reason: tr.t("resolve.not_assessed"),
        });
    }
    Ok(o)
}

fn page(
    viewer: &Viewer,
    o: &DecisionOverview,
    form: &ResolveForm,
    error: Option<String>,
) -> Option<ResolvePage> {
    let tr = viewer.tr;
    let latest = o.latest.as_ref()?;
    let gate = latest.record.result.gate.outcome;
    Some(ResolvePage {
        layout: Layout::new(viewer, tr.t("decision.resolve"), "nav.decisions"),
        decision_id: o.decision.id.to_string(),
        title: o.decision.fields.title.clone(),
        s: view(tr, latest),
        charts: false,
        outcomes: OUTCOMES
            .iter()
            .map(|outcome| OutcomeChoice {
                value: outcome.as_str(),
                label: tr.word(Group::ResolutionOutcomes, outcome.as_str()),
                allowed: outcome.allowed_by(gate),
                checked: form.outcome == outcome.as_str(),
            })
            .collect(),
        conditions: form.conditions.clone(),
        override_reason: form.override_reason.clone(),
        error,
    })
}

fn render(
    viewer: &Viewer,
    o: &DecisionOverview,
    form: &ResolveForm,
    error: Option<String>,
) -> HttpResponse {
    let status = match error {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    match page(viewer, o, form, error) {
        Some(p) => html(status, p.render()),
        None => actix_web::ResponseError::error_response(&PageError::not_found(viewer.tr)),
    }
}

async fn resolve_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.holding::<Resolve>()?;
    let tr = viewer.tr;
    let o = assessed(&state, principal, path_id(&id, tr)?, tr).await?;
    Ok(render(&viewer, &o, &ResolveForm::default(), None))
}

async fn resolve(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<ResolveForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    // The role is checked before the form is read, so a reader who may not resolve learns that first.
    viewer.holding::<Resolve>()?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let o = assessed(&state, principal, id, tr).await?;
    let Some(outcome) = Outcome::parse(&form.outcome) else {
        return Ok(render(
            &viewer,
            &o,
            &form,
            Some(tr.t("resolve.pick_outcome")),
        ));
    };
    // The assessment the committee read on the page, not whatever is newest when the form arrives.
    let Ok(assessment_id) = Uuid::parse_str(&form.assessment_id) else {
        return Ok(render(&viewer, &o, &form, Some(tr.t("error.stale"))));
    };
    let gate = o
        .latest
        .as_ref()
        .map(|l| l.record.result.gate.outcome)
        .filter(|_| {
            o.latest
                .as_ref()
                .is_some_and(|l| l.record.head.id == assessment_id)
        });
    let Some(gate) = gate else {
        return Ok(render(
            &viewer,
            &o,
            &form,
            Some(tr.t("resolve.newer_assessment")),
        ));
    };
    let reason = form.override_reason.trim();
    // The reason field is only for an outcome the gate does not allow.
    let override_reason = (!outcome.allowed_by(gate)).then(|| reason.to_owned());
    if override_reason.as_deref() == Some("") {
        return Ok(render(
            &viewer,
            &o,
            &form,
            Some(tr.t("resolve.reason_needed")),
        ));
    }
    let request = ResolutionRequest {
        outcome,
        conditions: form.conditions.trim().to_owned(),
        assessment_id,
        override_reason,
    };
    match resolutions::resolve(&state.ctx, principal, id, || Ok(request)).await {
        Ok(_) => Ok(see_other(&format!("/decisions/{id}"))),
        Err(AppError::Invalid(errors)) => Ok(render(
            &viewer,
            &o,
            &form,
            Some(super::refusal::invalid(tr, &errors)),
        )),
        Err(AppError::Conflict(_)) => Ok(render(
            &viewer,
            &o,
            &form,
            Some(tr.t("resolve.reason_needed")),
        )),
        Err(other) => Err(PageError::from_app(other, tr)),
    }
}
