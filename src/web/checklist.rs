//! The mitigation checklist (防范化解措施清单) of a decision: put measures of the model's catalogue on it, and
//! give each its owner unit, lead person, due date, progress and evidence. A measure counts in a new
//! assessment's residual level only once it has an owner unit and a due date; the page says so.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::error::{PageError, path_id};
use super::i18n::{Group, Tr};
use super::layout::Layout;
use super::viewer::Viewer;
use super::{html, see_other};
use crate::app::checklist::{self, ChecklistSheet};
use crate::app::{AppError, Precondition};
use crate::auth::permission::{Permission, WriteDecisions};
use crate::domain::checklist::{ItemFields, ItemStatus};
use crate::http::AppState;
use crate::reports::labels::serde_id;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/decisions/{id}/checklist", web::get().to(checklist_page))
        .route("/decisions/{id}/checklist", web::post().to(add))
        .route("/decisions/{id}/checklist/{item}", web::post().to(change));
}

const STATUSES: [ItemStatus; 4] = [
    ItemStatus::Planned,
    ItemStatus::InProgress,
    ItemStatus::Done,
    ItemStatus::Verified,
];

pub struct ItemView {
    pub id: String,
    pub version: i64,
    pub measure: String,
    pub owner: String,
    pub lead: String,
    pub due: String,
    pub status: String,
    pub evidence: String,
    pub overdue: bool,
    pub assigned: bool,
    pub error: Option<String>,
}

pub struct MeasureChoice {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub on_list: bool,
}

#[derive(Template)]
#[template(path = "checklist.html")]
struct ChecklistPage {
    layout: Layout,
    decision_id: String,
    title: String,
    items: Vec<ItemView>,
    catalogue: Vec<MeasureChoice>,
    statuses: Vec<(String, String)>,
    can_edit: bool,
    error: Option<String>,
}

fn page(
    viewer: &Viewer,
    sheet: &ChecklistSheet,
    error: Option<String>,
    failed: Option<(Uuid, String)>,
) -> ChecklistPage {
    let tr = viewer.tr;
    let name_of = |id: &str| {
        sheet
            .catalogue
            .iter()
            .find(|m| m.id == id)
            .map(|m| tr.lang.name(&m.name))
            .unwrap_or_else(|| tr.t("assessment.unknown_measure"))
    };
    let can_edit = viewer
        .principal
        .as_ref()
        .is_some_and(|p| p.has_any(WriteDecisions::ROLES))
        && !sheet.decision.archived;
    ChecklistPage {
        layout: Layout::new(viewer, tr.t("decision.checklist"), "nav.decisions"),
        decision_id: sheet.decision.id.to_string(),
        title: sheet.decision.fields.title.clone(),
        items: sheet
            .checklist
            .items
            .iter()
            .map(|i| ItemView {
                id: i.id.to_string(),
                version: i.version,
                measure: name_of(&i.fields.measure),
                owner: i.fields.owner_unit.clone().unwrap_or_default(),
                lead: i.fields.lead_person.clone().unwrap_or_default(),
                due: i.fields.due_date.map(|d| d.to_string()).unwrap_or_default(),
                status: serde_id(&i.fields.status),
                evidence: i.fields.evidence_note.clone(),
                overdue: i.overdue,
                assigned: i.assigned,
                error: failed
                    .as_ref()
                    .filter(|(id, _)| *id == i.id)
                    .map(|(_, e)| e.clone()),
            })
            .collect(),
        catalogue: sheet
            .catalogue
            .iter()
            .map(|m| MeasureChoice {
                id: m.id.clone(),
                name: tr.lang.name(&m.name),
                owner: tr.lang.name(&m.owner),
                on_list: sheet
                    .checklist
                    .items
                    .iter()
                    .any(|i| i.fields.measure == m.id),
            })
            .collect(),
        statuses: STATUSES
            .iter()
            .map(|s| {
                (
                    s.as_str().to_owned(),
                    tr.word(Group::ChecklistStatuses, s.as_str()),
                )
            })
            .collect(),
        can_edit,
        error,
    }
}

async fn checklist_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.signed_in()?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let sheet = checklist::sheet(&state.ctx, principal, id)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    Ok(html(
        StatusCode::OK,
        page(&viewer, &sheet, None, None).render(),
    ))
}

/// The refusal as words for the page; a refusal that is not about the form is the error page.
fn refusal(error: AppError, tr: Tr) -> Result<String, PageError> {
    match error {
        AppError::Invalid(errors) => Ok(super::refusal::invalid(tr, &errors)),
        AppError::Conflict(reason) => Ok(super::refusal::conflict(tr, &reason)),
        AppError::Stale { .. } => Ok(tr.t("error.stale")),
        other => Err(PageError::from_app(other, tr)),
    }
}

/// Measures ticked to be put on the checklist: `measure.ID` → "on".
#[derive(Deserialize)]
struct AddForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(flatten)]
    ticked: std::collections::BTreeMap<String, String>,
}

async fn add(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let measures: Vec<ItemFields> = form
        .ticked
        .keys()
        .filter_map(|k| k.strip_prefix("measure."))
        .map(|m| ItemFields {
            measure: m.to_owned(),
            owner_unit: None,
            lead_person: None,
            due_date: None,
            status: ItemStatus::Planned,
            evidence_note: String::new(),
        })
        .collect();
    let error = if measures.is_empty() {
        Some(tr.t("checklist.pick_one"))
    } else {
        match checklist::add(&state.ctx, principal, id, || Ok(measures)).await {
            Ok(_) => return Ok(see_other(&format!("/decisions/{id}/checklist"))),
            Err(e) => Some(refusal(e, tr)?),
        }
    };
    let sheet = checklist::sheet(&state.ctx, principal, id)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    Ok(html(
        StatusCode::UNPROCESSABLE_ENTITY,
        page(&viewer, &sheet, error, None).render(),
    ))
}

#[derive(Deserialize)]
struct ItemForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    owner_unit: String,
    #[serde(default)]
    lead_person: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    evidence_note: String,
}

fn optional(raw: &str) -> Option<String> {
    let raw = raw.trim();
    (!raw.is_empty()).then(|| raw.to_owned())
}

async fn change(
    viewer: Viewer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<ItemForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    let tr = viewer.tr;
    let (id, item) = path.into_inner();
    let (id, item) = (path_id(&id, tr)?, path_id(&item, tr)?);
    let due_date = match form.due_date.trim() {
        "" => Ok(None),
        raw => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| tr.t("form.bad_date")),
    };
    let status = STATUSES
        .into_iter()
        .find(|s| s.as_str() == form.status)
        .ok_or_else(|| tr.t("form.pick_status"));
    let error = match (due_date, status) {
        (Ok(due_date), Ok(status)) => {
            let based_on = Precondition::Etags(vec![format!("\"{}\"", form.version.trim())]);
            let edit = |current: &ItemFields| {
                Ok(ItemFields {
                    measure: current.measure.clone(),
                    owner_unit: optional(&form.owner_unit),
                    lead_person: optional(&form.lead_person),
                    due_date,
                    status,
                    evidence_note: form.evidence_note.trim().to_owned(),
                })
            };
            match checklist::change(&state.ctx, principal, id, item, Some(&based_on), edit).await {
                Ok(_) => return Ok(see_other(&format!("/decisions/{id}/checklist"))),
                Err(e) => refusal(e, tr)?,
            }
        }
        (Err(e), _) | (_, Err(e)) => e,
    };
    let sheet = checklist::sheet(&state.ctx, principal, id)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    Ok(html(
        StatusCode::UNPROCESSABLE_ENTITY,
        page(&viewer, &sheet, None, Some((item, error))).render(),
    ))
}
