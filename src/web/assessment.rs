//! An assessment's page (every factor with its evidence, both matrices, the charts, the report downloads), the
//! committee brief (一页纸, one printable A4 page), and the planner's "assess now" button.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::assessment_view::{AssessmentView, view};
use super::error::{PageError, path_id};
use super::i18n::{Group, Tr};
use super::layout::Layout;
use super::viewer::Viewer;
use super::{html, see_other};
use crate::app::assessments::{self, AssessRequest};
use crate::app::overview;
use crate::auth::permission::{Permission, ReadReports};
use crate::http::AppState;
use crate::reports::labels::serde_id;
use crate::scoring::assessment::EvidenceSource;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/assessments/{id}", web::get().to(assessment_page))
        .route("/assessments/{id}/brief", web::get().to(brief_page))
        .route("/decisions/{id}/assess", web::post().to(assess));
}

/// A download of the assessment's report.
pub struct Download {
    pub href: String,
    pub label: &'static str,
}

fn downloads(tr: Tr, id: &str) -> Vec<Download> {
    let lang = tr.lang.code();
    [
        ("pdf", "PDF"),
        ("docx", "Word (DOCX)"),
        ("html", "HTML"),
        ("csv", "CSV"),
    ]
    .into_iter()
    .map(|(ext, label)| Download {
        href: format!("/api/v1/assessments/{id}/report.{ext}?lang={lang}"),
        label,
    })
    .collect()
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage {
    layout: Layout,
    title: String,
    s: AssessmentView,
    charts: bool,
    downloads: Vec<Download>,
}

async fn assessment_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.signed_in()?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let restored = overview::assessment(&state.ctx, principal, id)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    let title = restored.record.inputs.decision.fields.title.clone();
    let s = view(tr, &restored);
    let charts = principal.has_any(ReadReports::ROLES);
    let page = AssessmentPage {
        layout: Layout::new(
            &viewer,
            format!("{title} · {}", tr.t("assessment.title")),
            "nav.decisions",
        ),
        title,
        downloads: if charts {
            downloads(tr, &s.id)
        } else {
            Vec::new()
        },
        s,
        charts,
    };
    Ok(html(StatusCode::OK, page.render()))
}

/// One checklist line of the brief.
pub struct BriefItem {
    pub measure: String,
    pub owner: String,
    pub due: String,
    pub status: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "brief.html")]
struct BriefPage {
    layout: Layout,
    title: String,
    kind: String,
    regions: String,
    s: AssessmentView,
    checklist: Vec<BriefItem>,
    evidence: Vec<String>,
    today: String,
}

async fn brief_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.signed_in()?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let brief = overview::brief(&state.ctx, principal, id)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    let decision = &brief.restored.record.inputs.decision;
    let model = &brief.restored.model;
    let s = view(tr, &brief.restored);
    let checklist = brief
        .checklist
        .items
        .iter()
        .map(|i| BriefItem {
            measure: model
                .measure(&i.fields.measure)
                .map(|m| tr.lang.name(&m.name))
                .unwrap_or_else(|| tr.t("assessment.unknown_measure")),
            owner: [
                i.fields.owner_unit.clone().unwrap_or_default(),
                i.fields.lead_person.clone().unwrap_or_default(),
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" / "),
            due: i.fields.due_date.map(|d| d.to_string()).unwrap_or_default(),
            status: tr.word(Group::ChecklistStatuses, &serde_id(&i.fields.status)),
            overdue: i.overdue,
        })
        .collect();
    let inputs = &brief.restored.record.inputs;
    let mut evidence = vec![format!(
        "{}：{}",
        tr.t("brief.experts"),
        inputs.ratings.len()
    )];
    // The petition readings are named by the factor they inform; `inputs.indicators` is keyed by factor id.
    evidence.extend(
        brief
            .restored
            .record
            .result
            .factors
            .iter()
            .filter(|f| f.evidence.probability_source == EvidenceSource::Petition)
            .filter_map(|f| {
                let reading = tr.lang.evidence_reading(&f.evidence)?;
                Some(format!("{}：{reading}", tr.lang.name(&f.name)))
            }),
    );
    evidence.extend(inputs.attributes.iter().map(|(name, value)| {
        format!(
            "{}：{}",
            tr.word(Group::Attributes, name),
            tr.lang.attribute_value(name, *value)
        )
    }));
    let page = BriefPage {
        layout: Layout::new(&viewer, tr.t("brief.title"), "nav.decisions"),
        title: decision.fields.title.clone(),
        kind: tr.word(Group::DecisionKinds, decision.fields.kind.as_str()),
        regions: brief
            .regions
            .iter()
            .map(|(code, name)| {
                if name.is_empty() {
                    code.clone()
                } else {
                    name.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(tr.lang.pick("、", ", ")),
        s,
        checklist,
        evidence,
        today: brief.today.to_string(),
    };
    Ok(html(StatusCode::OK, page.render()))
}

#[derive(Deserialize)]
struct AssessForm {
    csrf_token: String,
}

async fn assess(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<AssessForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let request = AssessRequest {
        scenario_id: None,
        measures: None,
        model: None,
    };
    let record = assessments::assess(&state.ctx, principal, id, request)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    Ok(see_other(&format!("/assessments/{}", record.head.id)))
}
