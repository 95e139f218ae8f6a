//! The expert's rating sheet: one factor per row, probability and impact 1–5 with the scale's words, a note; a
//! block copied from a spreadsheet (factor, probability, impact, note per line, tab-separated) can be pasted
//! and fills the sheet before it is saved. Saving replaces the expert's own sheet through the same use case
//! as the JSON API.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::error::{PageError, path_id};
use super::i18n::Tr;
use super::layout::Layout;
use super::refusal;
use super::viewer::Viewer;
use super::{html, see_other};
use crate::app::AppError;
use crate::app::ratings::{self, SheetToFill};
use crate::domain::ratings::{FactorRating, RatingSheet};
use crate::http::AppState;
use crate::scoring::Model;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/decisions/{id}/rate", web::get().to(sheet_page))
        .route("/decisions/{id}/rate", web::post().to(save));
}

/// One factor's row as shown and as typed.
pub struct Row {
    pub id: String,
    pub name: String,
    pub dimension: String,
    pub p: String,
    pub i: String,
    pub note: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "rating.html")]
struct SheetPage {
    layout: Layout,
    decision_id: String,
    title: String,
    rows: Vec<Row>,
    probability_words: Vec<(u8, String)>,
    impact_words: Vec<(u8, String)>,
    paste: String,
    paste_errors: Vec<String>,
    errors: Vec<String>,
}

fn words(tr: Tr, scale: &str) -> Vec<(u8, String)> {
    (1..=5u8)
        .map(|g| (g, tr.t(&format!("scale.{scale}_{g}"))))
        .collect()
}

/// The model's factors in its order, filled from `values` (factor id → (p, i, note) as typed).
fn rows(tr: Tr, model: &Model, values: &BTreeMap<String, (String, String, String)>) -> Vec<Row> {
    let spec = model.spec();
    spec.factors
        .iter()
        .map(|f| {
            let (p, i, note) = values.get(&f.id).cloned().unwrap_or_default();
            Row {
                id: f.id.clone(),
                name: tr.lang.name(&f.name),
                dimension: spec
                    .dimensions
                    .iter()
                    .find(|d| d.id == f.dimension)
                    .map(|d| tr.lang.name(&d.name))
                    .unwrap_or_default(),
                p,
                i,
                note,
                error: None,
            }
        })
        .collect()
}

fn typed_of(sheet: &RatingSheet) -> BTreeMap<String, (String, String, String)> {
    sheet
        .iter()
        .map(|(id, r)| {
            (
                id.clone(),
                (
                    r.probability.to_string(),
                    r.impact.to_string(),
                    r.note.clone().unwrap_or_default(),
                ),
            )
        })
        .collect()
}

fn page(
    viewer: &Viewer,
    fill: &SheetToFill,
    rows: Vec<Row>,
    paste: String,
    paste_errors: Vec<String>,
    errors: Vec<String>,
) -> SheetPage {
    let tr = viewer.tr;
    SheetPage {
        layout: Layout::new(viewer, tr.t("rating.title"), "nav.decisions"),
        decision_id: fill.decision.id.to_string(),
        title: fill.decision.fields.title.clone(),
        rows,
        probability_words: words(tr, "probability"),
        impact_words: words(tr, "impact"),
        paste,
        paste_errors,
        errors,
    }
}

async fn sheet_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.signed_in()?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let fill = ratings::sheet_to_fill(&state.ctx, principal, id)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    let rows = rows(tr, &fill.model, &typed_of(&fill.current));
    let view = page(&viewer, &fill, rows, String::new(), Vec::new(), Vec::new());
    Ok(html(StatusCode::OK, view.render()))
}

/// The sheet as posted: `p.FACTOR`, `i.FACTOR`, `note.FACTOR`, the pasted block, and which button was pressed.
#[derive(Deserialize)]
struct SheetForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    paste: String,
    /// `fill` (fill the sheet from the pasted block) or `save`.
    #[serde(default)]
    action: String,
    #[serde(flatten)]
    cells: BTreeMap<String, String>,
}

/// A grade typed in a cell or pasted: 1–5, or a word of the scale.
fn grade(raw: &str, words: &[(u8, String)]) -> Option<u8> {
    let raw = raw.trim();
    raw.parse::<u8>()
        .ok()
        .filter(|g| (1..=5).contains(g))
        .or_else(|| words.iter().find(|(_, w)| w == raw).map(|(g, _)| *g))
}

/// Fills `values` from a block copied from a spreadsheet: one factor per line — its name (either language) or
/// id, then probability, impact and an optional note, separated by tabs (or, failing tabs, by commas). A header
/// line, blank lines and lines that name no factor are reported, never guessed.
fn paste_into(
    tr: Tr,
    model: &Model,
    block: &str,
    values: &mut BTreeMap<String, (String, String, String)>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (n, line) in block.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = if line.contains('\t') {
            line.split('\t').collect()
        } else {
            line.split([',', '，']).collect()
        };
        let key = cells.first().map(|c| c.trim()).unwrap_or_default();
        let factor = model
            .spec()
            .factors
            .iter()
            .find(|f| f.id == key || f.name.zh == key || f.name.en == key);
        let at = tr.t("rating.line").replace("{n}", &(n + 1).to_string());
        let Some(factor) = factor else {
            // A copied header row ("因素 可能性 影响") is skipped, not reported.
            let header = n == 0
                && cells
                    .get(1)
                    .is_some_and(|c| c.trim().parse::<u8>().is_err());
            if !header {
                problems.push(format!("{at}：{}「{key}」", tr.t("rating.no_factor")));
            }
            continue;
        };
        let cell = |k: usize| {
            cells
                .get(k)
                .map(|c| c.trim().to_owned())
                .unwrap_or_default()
        };
        // The sheet holds grades as digits, so a scale word pasted from a spreadsheet is stored as its grade.
        let (Some(p), Some(i)) = (
            grade(&cell(1), &words(tr, "probability")),
            grade(&cell(2), &words(tr, "impact")),
        ) else {
            problems.push(format!("{at}：{}", tr.t("rating.bad_grades")));
            continue;
        };
        values.insert(factor.id.clone(), (p.to_string(), i.to_string(), cell(3)));
    }
    problems
}

async fn save(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<SheetForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let fill = ratings::sheet_to_fill(&state.ctx, principal, id)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    let form = form.into_inner();
    let cell = |prefix: &str, factor: &str| {
        form.cells
            .get(&format!("{prefix}.{factor}"))
            .cloned()
            .unwrap_or_default()
    };
    let mut values: BTreeMap<String, (String, String, String)> = fill
        .model
        .spec()
        .factors
        .iter()
        .map(|f| {
            (
                f.id.clone(),
                (cell("p", &f.id), cell("i", &f.id), cell("note", &f.id)),
            )
        })
        .collect();
    if form.action == "fill" {
        let problems = paste_into(tr, &fill.model, &form.paste, &mut values);
        let rows = rows(tr, &fill.model, &values);
        let view = page(
            &viewer,
            &fill,
            rows,
            form.paste.clone(),
            problems,
            Vec::new(),
        );
        return Ok(html(StatusCode::OK, view.render()));
    }
    let (pw, iw) = (words(tr, "probability"), words(tr, "impact"));
    let mut sheet = RatingSheet::new();
    let mut rows = rows(tr, &fill.model, &values);
    let mut errors = Vec::new();
    for row in &mut rows {
        match (row.p.trim().is_empty(), row.i.trim().is_empty()) {
            (true, true) => continue,
            (false, false) => {}
            _ => {
                row.error = Some(tr.t("rating.both"));
                continue;
            }
        }
        match (grade(&row.p, &pw), grade(&row.i, &iw)) {
            (Some(probability), Some(impact)) => {
                let note = row.note.trim();
                sheet.insert(
                    row.id.clone(),
                    FactorRating {
                        probability,
                        impact,
                        low: None,
                        high: None,
                        note: (!note.is_empty()).then(|| note.to_owned()),
                    },
                );
            }
            _ => row.error = Some(tr.t("rating.bad_grades")),
        }
    }
    if rows.iter().any(|r| r.error.is_some()) {
        errors.push(tr.t("form.not_saved"));
    } else {
        let username = principal.username.clone();
        match ratings::rate(&state.ctx, principal, id, &username, sheet).await {
            Ok(_) => return Ok(see_other(&format!("/decisions/{id}"))),
            Err(AppError::Invalid(found)) => {
                for e in found.0 {
                    let factor = e.field.split('.').next().unwrap_or_default().to_owned();
                    match rows.iter_mut().find(|r| r.id == factor) {
                        Some(row) => row.error = Some(refusal::sentence(tr, &e.message)),
                        None => errors.push(refusal::field(tr, &e)),
                    }
                }
            }
            Err(other) => return Err(PageError::from_app(other, tr)),
        }
    }
    let view = page(&viewer, &fill, rows, form.paste.clone(), Vec::new(), errors);
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, view.render()))
}
