//! Scenario comparison (方案比选): the scenarios side by side with both residuals, per-factor deltas, the
//! cheapest plan of each, whether their order holds, the tornado and Monte Carlo charts of the newest
//! assessment, and a what-if panel: change an attribute or tick a measure and R, the levels and the flip points
//! are scored again at once (a fragment fetched by the page's script, or the whole page without script), with
//! nothing stored until the planner saves it as a scenario.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::decision_form::{AttributeInput, attribute_inputs, attributes_from, typed_value};
use super::error::{PageError, path_id};
use super::i18n::{Group, Tr};
use super::layout::Layout;
use super::viewer::Viewer;
use super::{html, see_other};
use crate::app::comparison::{
    self, CompareRequest, Comparison, DEFAULT_WEIGHT_NOISE, WhatIf, WhatIfRequest,
};
use crate::app::overview::{self, DecisionOverview};
use crate::app::{AppError, scenarios};
use crate::auth::permission::{Permission, ReadReports, WriteDecisions};
use crate::domain::gate::Level;
use crate::domain::scenario::ScenarioFields;
use crate::http::AppState;
use crate::reports::labels::serde_id;
use crate::scoring::Model;
use crate::scoring::sensitivity::AxisFlips;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/decisions/{id}/compare", web::get().to(compare_page))
        .route("/decisions/{id}/what-if", web::post().to(what_if))
        .route("/decisions/{id}/scenarios", web::post().to(save_scenario));
}

type LevelWord = (&'static str, String);

fn level(tr: Tr, model: &Model, l: Level) -> LevelWord {
    (l.as_str(), tr.lang.level(model, l))
}

pub struct ScenarioColumn {
    pub name: String,
    pub r: String,
    pub initial: LevelWord,
    pub carried_r: String,
    pub carried: LevelWord,
    pub measures: usize,
    pub recorded_r: String,
    pub recorded: LevelWord,
    pub uncounted: Vec<String>,
    pub plan: String,
    pub plan_cost: String,
    pub plan_reached: bool,
}

pub struct DeltaRow {
    pub factor: String,
    /// Contribution change against the first scenario, per scenario after the first.
    pub deltas: Vec<(String, &'static str)>,
}

pub struct FlipRow {
    pub factor: String,
    pub what: String,
}

/// The what-if panel's result.
pub struct WhatIfView {
    pub r: String,
    pub initial: LevelWord,
    pub residual_r: String,
    pub residual: LevelWord,
    pub recorded_r: String,
    pub recorded: LevelWord,
    pub uncounted: Vec<String>,
    pub gate: String,
    pub flips: Vec<FlipRow>,
}

pub struct MeasureBox {
    pub id: String,
    pub name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "comparison.html")]
struct ComparePage {
    layout: Layout,
    /// The reader's words, under the name the what-if fragment uses.
    layout_tr: Tr,
    decision_id: String,
    title: String,
    columns: Vec<ScenarioColumn>,
    deltas: Vec<DeltaRow>,
    order: String,
    charts: Option<String>,
    scenarios: Vec<(String, String, bool)>,
    attributes: Vec<AttributeInput>,
    measures: Vec<MeasureBox>,
    result: Option<WhatIfView>,
    error: Option<String>,
    can_save: bool,
    name: String,
}

#[derive(Template)]
#[template(path = "what_if_result.html")]
struct WhatIfFragment {
    layout_tr: Tr,
    result: Option<WhatIfView>,
    error: Option<String>,
}

fn measure_names(tr: Tr, model: &Model, ids: &[String]) -> String {
    ids.iter()
        .map(|m| {
            model
                .measure(m)
                .map(|s| tr.lang.name(&s.name))
                .unwrap_or_else(|| tr.t("assessment.unknown_measure"))
        })
        .collect::<Vec<_>>()
        .join(tr.lang.pick("、", ", "))
}

fn columns(tr: Tr, model: &Model, c: &Comparison) -> Vec<ScenarioColumn> {
    c.scenarios
        .iter()
        .map(|s| ScenarioColumn {
            name: if s.baseline {
                tr.t("decision.baseline")
            } else {
                s.name.clone()
            },
            r: format!("{:.3}", s.r),
            initial: level(tr, model, s.initial_level),
            carried_r: format!("{:.3}", s.residual_if_carried_out.r),
            carried: level(tr, model, s.residual_if_carried_out.level),
            measures: s.residual_if_carried_out.measures.len(),
            recorded_r: format!("{:.3}", s.residual_recorded_now.residual.r),
            recorded: level(tr, model, s.residual_recorded_now.residual.level),
            uncounted: s
                .residual_recorded_now
                .uncounted_measures
                .iter()
                .map(|u| {
                    format!(
                        "{}（{}）",
                        measure_names(tr, model, std::slice::from_ref(&u.measure)),
                        tr.word(Group::UncountedReasons, &u.reason)
                    )
                })
                .collect(),
            plan: measure_names(tr, model, &s.cheapest_plan.measures),
            plan_cost: format!("{:.1}", s.cheapest_plan.cost),
            plan_reached: s.cheapest_plan.reached,
        })
        .collect()
}

fn deltas(tr: Tr, model: &Model, c: &Comparison) -> Vec<DeltaRow> {
    model
        .spec()
        .factors
        .iter()
        .enumerate()
        .map(|(k, f)| DeltaRow {
            factor: tr.lang.name(&f.name),
            deltas: c
                .scenarios
                .iter()
                .skip(1)
                .map(|s| {
                    let d = s
                        .factor_deltas
                        .get(k)
                        .map(|d| d.contribution_delta)
                        .unwrap_or(0.0);
                    let class = if d > 1e-9 {
                        "up"
                    } else if d < -1e-9 {
                        "down"
                    } else {
                        "same"
                    };
                    (format!("{d:+.4}"), class)
                })
                .collect(),
        })
        .collect()
}

/// "probability 3 → 4: high" for the nearest grade on each axis that changes the level after measures.
fn flips(tr: Tr, model: &Model, w: &WhatIf) -> Vec<FlipRow> {
    let axis = |name: &str, a: &AxisFlips| -> Vec<String> {
        [a.up.as_ref(), a.down.as_ref()]
            .into_iter()
            .flatten()
            .filter(|g| g.change.abs() <= 1)
            .map(|g| {
                format!(
                    "{name} {} → {}：{}（R {:.3}）",
                    a.grade,
                    g.grade,
                    tr.lang.level(model, g.level),
                    g.r
                )
            })
            .collect()
    };
    w.sensitivity
        .residual
        .flip_points
        .iter()
        .filter_map(|f| {
            let mut what = axis(&tr.t("assessment.probability"), &f.probability);
            what.extend(axis(&tr.t("assessment.impact"), &f.impact));
            let name = model
                .spec()
                .factors
                .iter()
                .find(|s| s.id == f.factor)
                .map(|s| tr.lang.name(&s.name))?;
            (!what.is_empty()).then(|| FlipRow {
                factor: name,
                what: what.join(tr.lang.pick("；", "; ")),
            })
        })
        .collect()
}

fn what_if_view(tr: Tr, w: &WhatIf) -> WhatIfView {
    let m = &w.model;
    let a = &w.assessment;
    WhatIfView {
        r: format!("{:.3}", a.initial.r),
        initial: level(tr, m, a.initial.level),
        residual_r: format!("{:.3}", a.residual.outcome.r),
        residual: level(tr, m, a.residual.outcome.level),
        recorded_r: format!("{:.3}", w.recorded_now.residual.r),
        recorded: level(tr, m, w.recorded_now.residual.level),
        uncounted: w
            .recorded_now
            .uncounted_measures
            .iter()
            .map(|u| measure_names(tr, m, std::slice::from_ref(&u.measure)))
            .collect(),
        gate: tr.word(Group::GateOutcomes, &serde_id(&a.gate.outcome)),
        flips: flips(tr, m, w),
    }
}

/// The what-if form as posted: the scenario it starts from, `attr.NAME` values, `measure.ID` ticks.
#[derive(Deserialize, Default)]
struct WhatIfForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    name: String,
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

impl WhatIfForm {
    fn measures(&self) -> Vec<String> {
        self.rest
            .keys()
            .filter_map(|k| k.strip_prefix("measure."))
            .map(str::to_owned)
            .collect()
    }
}

/// The what-if request of a form, or the refusal to show.
fn request_of(form: &WhatIfForm, tr: Tr) -> Result<WhatIfRequest, String> {
    let from = match form.from.as_str() {
        "" => None,
        raw => Some(Uuid::parse_str(raw).map_err(|_| tr.t("compare.bad_scenario"))?),
    };
    let overrides = attributes_from(tr, &form.rest).map_err(|errors| {
        errors
            .into_iter()
            .map(|(_, m)| m)
            .collect::<Vec<_>>()
            .join(" ")
    })?;
    Ok(WhatIfRequest {
        from,
        overrides,
        measures: form.measures(),
    })
}

fn refusal(error: AppError, tr: Tr) -> Result<String, PageError> {
    match error {
        AppError::Invalid(errors) => Ok(super::refusal::invalid(tr, &errors)),
        AppError::Conflict(_) => Ok(tr.t("compare.cannot_score")),
        other => Err(PageError::from_app(other, tr)),
    }
}

async fn full_page(
    viewer: &Viewer,
    state: &AppState,
    id: Uuid,
    form: &WhatIfForm,
    result: Option<WhatIfView>,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let tr = viewer.tr;
    let principal = viewer.signed_in()?;
    let o: DecisionOverview = overview::decision(&state.ctx, principal, id)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    let request = CompareRequest {
        scenarios: None,
        target: Level::Low,
        weight_noise: DEFAULT_WEIGHT_NOISE,
        model: None,
    };
    let c = comparison::compare(&state.ctx, principal, id, request)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    let model = state
        .ctx
        .models()
        .by_hash(&c.model_hash)
        .cloned()
        .ok_or(PageError::Internal { tr })?;
    let from = o
        .scenarios
        .iter()
        .find(|s| s.id.to_string() == form.from)
        .or_else(|| o.scenarios.iter().find(|s| s.baseline));
    // The panel starts from the chosen scenario's attributes and measures, or from what was posted.
    let mut typed = form.rest.clone();
    if typed.is_empty() {
        let attributes = match from {
            Some(s) => s.fields.attributes(&o.decision.fields.attributes),
            None => o.decision.fields.attributes.clone(),
        };
        for (name, value) in attributes {
            typed.insert(format!("attr.{name}"), typed_value(&name, value));
        }
        for m in from.map(|s| s.fields.measures.clone()).unwrap_or_default() {
            typed.insert(format!("measure.{m}"), "on".into());
        }
    }
    let order = if c.order.holds {
        tr.t("compare.order_holds")
    } else {
        tr.t("compare.order_uncertain")
    };
    let page = ComparePage {
        layout: Layout::new(viewer, tr.t("decision.compare"), "nav.decisions"),
        layout_tr: tr,
        decision_id: id.to_string(),
        title: o.decision.fields.title.clone(),
        columns: columns(tr, &model, &c),
        deltas: deltas(tr, &model, &c),
        order: format!("{order}（{:.0}%）", c.order.same_order_share * 100.0),
        charts: o
            .latest
            .as_ref()
            .filter(|_| principal.has_any(ReadReports::ROLES))
            .map(|l| l.record.head.id.to_string()),
        scenarios: o
            .scenarios
            .iter()
            .map(|s| {
                let name = if s.baseline {
                    tr.t("decision.baseline")
                } else {
                    s.fields.name.clone()
                };
                (s.id.to_string(), name, from.is_some_and(|f| f.id == s.id))
            })
            .collect(),
        // Only what the model reads can move R, the levels or the flip points.
        attributes: {
            let read = model.attributes_read();
            attribute_inputs(tr, &typed)
                .into_iter()
                .filter(|a| read.contains(&a.name.as_str()))
                .collect()
        },
        measures: model
            .spec()
            .measures
            .iter()
            .map(|m| MeasureBox {
                id: m.id.clone(),
                name: tr.lang.name(&m.name),
                checked: typed.contains_key(&format!("measure.{}", m.id)),
            })
            .collect(),
        result,
        error,
        can_save: principal.has_any(WriteDecisions::ROLES) && !o.decision.archived,
        name: form.name.clone(),
    };
    Ok(html(StatusCode::OK, page.render()))
}

#[derive(Deserialize)]
struct FromQuery {
    #[serde(default)]
    from: String,
}

async fn compare_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<FromQuery>,
) -> Result<HttpResponse, PageError> {
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let form = WhatIfForm {
        from: query.into_inner().from,
        ..WhatIfForm::default()
    };
    full_page(&viewer, &state, id, &form, None, None).await
}

/// Scores the panel; the script asks for the result alone (`X-Fragment`), a browser without script gets
/// the whole page with it.
async fn what_if(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<WhatIfForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let (result, error) = match request_of(&form, tr) {
        Ok(request) => match comparison::what_if(&state.ctx, principal, id, request).await {
            Ok(w) => (Some(what_if_view(tr, &w)), None),
            Err(e) => (None, Some(refusal(e, tr)?)),
        },
        Err(message) => (None, Some(message)),
    };
    if req.headers().contains_key("x-fragment") {
        let fragment = WhatIfFragment {
            layout_tr: tr,
            result,
            error,
        };
        return Ok(html(StatusCode::OK, fragment.render()));
    }
    full_page(&viewer, &state, id, &form, result, error).await
}

/// Saves the panel as a new scenario of the decision.
async fn save_scenario(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<WhatIfForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let error = match request_of(&form, tr) {
        Ok(request) => {
            let name = form.name.trim().to_owned();
            let fields = ScenarioFields {
                name,
                description: String::new(),
                overrides: request.overrides,
                ratings: None,
                measures: request.measures,
            };
            match scenarios::create(&state.ctx, principal, id, || Ok(fields)).await {
                Ok(_) => return Ok(see_other(&format!("/decisions/{id}/compare"))),
                Err(e) => refusal(e, tr)?,
            }
        }
        Err(message) => message,
    };
    full_page(&viewer, &state, id, &form, None, Some(error)).await
}
