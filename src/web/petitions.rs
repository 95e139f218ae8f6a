//! Petition analytics (信访分析): pick a region and a category, see the monthly trend, the rate per thousand
//! residents against the parent region, the shares and the spike months. Administrators upload an export
//! here and watch its import.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Datelike;
use serde::Deserialize;

use super::error::{PageError, path_id};
use super::i18n::{Group, Tr};
use super::layout::Layout;
use super::viewer::Viewer;
use super::{html, see_other};
use crate::app::petitions::{self, Submitted};
use crate::auth::permission::{ImportPetitions, Permission, ReadPetitions};
use crate::http::AppState;
use crate::petitions::import::ImportReport;
use crate::petitions::indicators::{PetitionStats, StatsQuery};
use crate::reports::labels::vocabulary;
use crate::reports::numbers::percent;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/petitions", web::get().to(analytics))
        .route("/petitions/import", web::post().to(upload))
        .route("/petitions/imports/{id}", web::get().to(import_page));
}

/// Months the page shows by default, ending with the current one.
const DEFAULT_MONTHS: i32 = 36;

#[derive(Deserialize, Default)]
struct StatsForm {
    #[serde(default)]
    region: String,
    #[serde(default)]
    category: String,
    /// yyyy-mm
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// One month's bar of the trend chart, laid out for an inline SVG.
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub h: f64,
    pub month: String,
    pub count: i64,
    pub spike: bool,
    /// A year label under January bars.
    pub year: Option<String>,
}

pub struct StatsView {
    pub region: String,
    pub total: i64,
    pub population: String,
    pub rate: String,
    pub parent_rate: String,
    pub ratio: String,
    pub trend: String,
    pub shares: Vec<(String, String)>,
    pub spikes: Vec<String>,
    pub bars: Vec<Bar>,
    pub max: i64,
    pub width: f64,
    pub collective: i64,
}

pub struct ImportRow {
    pub href: String,
    pub file: String,
    pub status: String,
    pub ok: bool,
    pub rows: usize,
    pub new: usize,
    pub rejected: usize,
}

#[derive(Template)]
#[template(path = "petitions.html")]
struct AnalyticsPage {
    layout: Layout,
    regions: Vec<(String, String, bool)>,
    categories: Vec<(String, String, bool)>,
    from: String,
    to: String,
    stats: Option<StatsView>,
    error: Option<String>,
    can_read: bool,
    can_import: bool,
    imports: Vec<ImportRow>,
}

fn yyyymm(raw: &str) -> Option<i32> {
    let (y, m) = raw.trim().split_once('-')?;
    let (y, m): (i32, i32) = (y.parse().ok()?, m.parse().ok()?);
    ((1900..=9999).contains(&y) && (1..=12).contains(&m)).then_some(y * 100 + m)
}

fn label(month: i32) -> String {
    format!("{:04}-{:02}", month / 100, month % 100)
}

fn months_back(month: i32, back: i32) -> i32 {
    let index = (month / 100) * 12 + (month % 100 - 1) - back;
    (index / 12) * 100 + index % 12 + 1
}

const CHART_HEIGHT: f64 = 160.0;
const BAR: f64 = 14.0;

fn stats_view(tr: Tr, s: &PetitionStats, region: String) -> StatsView {
    let max = s
        .monthly
        .iter()
        .map(|m| m.petitions)
        .max()
        .unwrap_or(0)
        .max(1);
    let bars = s
        .monthly
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let h = m.petitions as f64 / max as f64 * CHART_HEIGHT;
            Bar {
                x: 40.0 + k as f64 * BAR,
                y: 10.0 + CHART_HEIGHT - h,
                h,
                month: m.month.clone(),
                count: m.petitions,
                spike: s.spike_months.contains(&m.month),
                year: m.month.ends_with("-01").then(|| m.month[..4].to_owned()),
            }
        })
        .collect::<Vec<_>>();
    let per_thousand = |v: Option<f64>| v.map(|r| format!("{r:.2}‰")).unwrap_or_else(|| "—".into());
    StatsView {
        region,
        total: s.totals.petitions,
        population: s
            .population
            .map(|p| tr.lang.count("people", p as f64))
            .unwrap_or_else(|| "—".into()),
        rate: per_thousand(s.rate_per_1000),
        parent_rate: per_thousand(s.parent_rate_per_1000),
        ratio: s
            .ratio_to_parent
            .map(|r| format!("{r:.2}"))
            .unwrap_or_else(|| "—".into()),
        trend: tr
            .t("petitions.trend_text")
            .replace("{months}", &s.trend.months.to_string())
            .replace("{last}", &s.trend.last.to_string())
            .replace("{previous}", &s.trend.previous.to_string())
            .replace("{change}", &format!("{:+.0}%", s.trend.change * 100.0)),
        shares: vec![
            (tr.t("petitions.repeat"), percent(s.shares.repeat)),
            (tr.t("petitions.escalated"), percent(s.shares.escalated)),
            (tr.t("petitions.overdue"), percent(s.shares.overdue)),
            (
                tr.t("petitions.dissatisfied"),
                percent(s.shares.dissatisfied),
            ),
        ],
        spikes: s.spike_months.clone(),
        width: 40.0 + bars.len() as f64 * BAR + 10.0,
        bars,
        max,
        collective: s.totals.collective,
    }
}

async fn recent_imports(
    state: &AppState,
    viewer: &Viewer,
    tr: Tr,
) -> Result<Vec<ImportRow>, PageError> {
    let Some(principal) = &viewer.principal else {
        return Ok(Vec::new());
    };
    if !principal.has_any(ImportPetitions::ROLES) {
        return Ok(Vec::new());
    }
    let reports = petitions::recent(&state.ctx, principal, 20)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    Ok(reports.iter().map(|r| import_row(tr, r)).collect())
}

fn import_row(tr: Tr, r: &ImportReport) -> ImportRow {
    ImportRow {
        href: format!("/petitions/imports/{}", r.id),
        file: r.file_name.clone(),
        status: tr.t(&format!("petitions.status_{}", r.status)),
        ok: r.accepted(),
        rows: r.rows,
        new: r.new,
        rejected: r.rejected,
    }
}

async fn analytics(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<StatsForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.signed_in()?;
    let tr = viewer.tr;
    let fail = |e| PageError::from_app(e, tr);
    let regions = petitions::regions(&state.ctx, principal)
        .await
        .map_err(fail)?;
    let region = if query.region.is_empty() {
        regions
            .iter()
            .map(|r| r.code.clone())
            .min_by_key(|c| c.len())
            .unwrap_or_default()
    } else {
        query.region.clone()
    };
    let today = state.ctx.clock().today();
    let now = today.year() * 100 + today.month() as i32;
    let to = yyyymm(&query.to).unwrap_or(now);
    let from = yyyymm(&query.from).unwrap_or_else(|| months_back(to, DEFAULT_MONTHS - 1));
    let can_read = principal.has_any(ReadPetitions::ROLES);
    let (stats, error) = if can_read && !region.is_empty() {
        let request = StatsQuery {
            regions: vec![region.clone()],
            categories: (!query.category.is_empty()).then(|| vec![query.category.clone()]),
            from,
            to,
        };
        match petitions::stats(&state.ctx, principal, request).await {
            Ok(s) => {
                let name = regions
                    .iter()
                    .find(|r| r.code == region)
                    .map(|r| format!("{}（{}）", r.name, r.code))
                    .unwrap_or_else(|| region.clone());
                (Some(stats_view(tr, &s, name)), None)
            }
            Err(crate::app::AppError::Invalid(errors)) => {
                (None, Some(super::refusal::invalid(tr, &errors)))
            }
            Err(e) => return Err(fail(e)),
        }
    } else {
        (None, None)
    };
    let categories = vocabulary()
        .groups
        .get(Group::PetitionCategories.key())
        .map(|g| {
            g.keys()
                .filter(|k| k.as_str() != "all")
                .map(|k| {
                    (
                        k.clone(),
                        tr.word(Group::PetitionCategories, k),
                        *k == query.category,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let page = AnalyticsPage {
        layout: Layout::new(&viewer, tr.t("petitions.title"), "nav.petitions"),
        regions: regions
            .iter()
            .map(|r| {
                (
                    r.code.clone(),
                    format!("{}（{}）", r.name, r.code),
                    r.code == region,
                )
            })
            .collect(),
        categories,
        from: label(from),
        to: label(to),
        stats,
        error,
        can_read,
        can_import: principal.has_any(ImportPetitions::ROLES),
        imports: recent_imports(&state, &viewer, tr).await?,
    };
    Ok(html(StatusCode::OK, page.render()))
}

async fn upload(
    viewer: Viewer,
    state: web::Data<AppState>,
    form: Multipart,
) -> Result<HttpResponse, PageError> {
    let tr = viewer.tr;
    viewer.signed_in()?;
    let (upload, csrf) = crate::http::petitions::read_upload_form(form)
        .await
        .map_err(|e| PageError::Refused {
            tr,
            status: StatusCode::BAD_REQUEST,
            reason: format!("{}（{e}）", tr.t("petitions.upload_refused")),
        })?;
    let principal = viewer.check_csrf(csrf.as_deref().unwrap_or_default())?;
    match petitions::submit(&state.ctx, principal, upload).await {
        Ok(Submitted::Done(report)) => Ok(see_other(&format!("/petitions/imports/{}", report.id))),
        Ok(Submitted::Queued(status)) => {
            Ok(see_other(&format!("/petitions/imports/{}", status.id)))
        }
        Err(e) => Err(PageError::from_app(e, tr)),
    }
}

#[derive(Template)]
#[template(path = "petition_import.html")]
struct ImportPage {
    layout: Layout,
    file: String,
    status: String,
    running: bool,
    report: Option<ImportReport>,
    error: Option<String>,
    rejects: Option<String>,
}

async fn import_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.signed_in()?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let status = petitions::status(&state.ctx, principal, id)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    let running = matches!(status.status.as_str(), "queued" | "running");
    let report = status.report.map(|r| *r);
    let mut layout = Layout::new(&viewer, tr.t("petitions.import_title"), "nav.petitions");
    // While the import runs, the page looks again every two seconds.
    layout.refresh = running.then_some(2);
    let page = ImportPage {
        layout,
        file: status.file_name,
        status: tr.t(&format!("petitions.status_{}", status.status)),
        running,
        rejects: report
            .as_ref()
            .filter(|r| r.rejected > 0)
            .map(|_| format!("/api/v1/petitions/imports/{id}/rejects")),
        report,
        error: status.error,
    };
    Ok(html(StatusCode::OK, page.render()))
}
