//! The decision register (决策台账): search by title, filter by kind, status, residual level and region, sort,
//! page, and export of the filtered list as CSV or XLSX. A dashboard card opens it with its preset (`card=`).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::error::PageError;
use super::i18n::Tr;
use super::layout::Layout;
use super::viewer::Viewer;
use super::{html, url_encode};
use crate::app::register::{self, Card};
use crate::domain::decision::{
    Decision, DecisionFilter, DecisionKind, DecisionPosition, DecisionSort, DecisionStatus,
};
use crate::domain::gate::Level;
use crate::domain::register::RegisterExtras;
use crate::domain::text::csv_text_cell;
use crate::http::AppState;
use crate::http::cursor;
use crate::reports::labels::Group;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/decisions", web::get().to(register_page))
        .route("/decisions/export.csv", web::get().to(export_csv))
        .route("/decisions/export.xlsx", web::get().to(export_xlsx));
}

/// Decisions on one page of the register.
const PAGE: u32 = 25;
/// The most rows an export writes; a larger register is narrowed by its filters first.
const EXPORT_MAX: usize = 20_000;

/// The register's query, as the filter form and the cards send it; an empty field means "any".
#[derive(Debug, Default, Deserialize)]
pub struct RegisterQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    card: String,
    #[serde(default)]
    cursor: String,
}

/// Where a page ended, inside the opaque cursor.
#[derive(Serialize, Deserialize)]
struct Position {
    seq: i64,
    title: String,
    sort: String,
}

impl RegisterQuery {
    /// The filter this query asks for, or the field that is not understood.
    fn filter(&self, tr: Tr, ctx: &crate::app::Context) -> Result<DecisionFilter, PageError> {
        let refuse = |field: &str| PageError::Refused {
            tr,
            status: StatusCode::BAD_REQUEST,
            reason: format!("{}{}", tr.t("register.bad_filter"), field),
        };
        let mut filter = DecisionFilter::all(PAGE);
        let q = self.q.trim();
        if !q.is_empty() {
            filter.title_contains = Some(q.chars().take(200).collect());
        }
        if !self.kind.is_empty() {
            filter.kind = Some(DecisionKind::parse(&self.kind).ok_or_else(|| refuse("kind"))?);
        }
        if !self.status.is_empty() {
            filter.statuses =
                vec![DecisionStatus::parse(&self.status).ok_or_else(|| refuse("status"))?];
        }
        if !self.level.is_empty() {
            filter.residual_level = Some(Level::parse(&self.level).ok_or_else(|| refuse("level"))?);
        }
        let region = self.region.trim();
        if !region.is_empty() {
            if !region.bytes().all(|b| b.is_ascii_digit()) || region.len() > 12 {
                return Err(refuse("region"));
            }
            filter.region_prefix = Some(region.to_owned());
        }
        (filter.sort, filter.descending) = match self.sort.as_str() {
            "" | "newest" => (DecisionSort::Created, true),
            "oldest" => (DecisionSort::Created, false),
            "title" => (DecisionSort::Title, false),
            _ => return Err(refuse("sort")),
        };
        if !self.card.is_empty() {
            Card::parse(&self.card)
                .ok_or_else(|| refuse("card"))?
                .apply(&mut filter, ctx);
        }
        if !self.cursor.is_empty() {
            let position: Position = cursor::decode(&self.cursor).map_err(|_| refuse("cursor"))?;
            if position.sort != self.sort {
                return Err(refuse("cursor"));
            }
            filter.after = Some(DecisionPosition {
                seq: position.seq,
                title: position.title,
            });
        }
        Ok(filter)
    }

    /// This query as a query string, without the cursor, for the links of the page.
    fn without_cursor(&self) -> String {
        [
            ("q", &self.q),
            ("kind", &self.kind),
            ("status", &self.status),
            ("level", &self.level),
            ("region", &self.region),
            ("sort", &self.sort),
            ("card", &self.card),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices(tr: Tr, group: Group, ids: &[&str], current: &str) -> Vec<Choice> {
    ids.iter()
        .map(|id| Choice {
            value: (*id).to_owned(),
            label: tr.word(group, id),
            selected: *id == current,
        })
        .collect()
}

/// One decision as a row of the register.
pub struct Row {
    pub href: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub regions: String,
    pub initial: Option<(String, String)>,
    pub residual: Option<(String, String)>,
    pub residual_r: String,
    pub outcome: String,
    pub flags: Vec<String>,
    pub created: String,
}

fn level_cell(tr: Tr, level: Option<&str>) -> Option<(String, String)> {
    level.map(|l| (l.to_owned(), tr.word(Group::Levels, l)))
}

fn row(tr: Tr, d: &Decision, e: &RegisterExtras, names: &HashMap<String, String>) -> Row {
    let mut flags = Vec::new();
    if e.needs_review {
        flags.push(tr.t("register.flag_review"));
    }
    if e.overdue_items > 0 {
        flags.push(format!(
            "{} {}",
            tr.t("register.flag_overdue"),
            e.overdue_items
        ));
    }
    if e.alerts > 0 {
        flags.push(format!("{} {}", tr.t("register.flag_alerts"), e.alerts));
    }
    Row {
        href: format!("/decisions/{}", d.id),
        title: d.fields.title.clone(),
        kind: tr.word(Group::DecisionKinds, d.fields.kind.as_str()),
        status: tr.word(Group::DecisionStatuses, d.fields.status.as_str()),
        regions: d
            .fields
            .regions
            .iter()
            .map(|r| match names.get(r.as_str()) {
                Some(name) => format!("{name}（{}）", r.as_str()),
                None => r.as_str().to_owned(),
            })
            .collect::<Vec<_>>()
            .join(tr.lang.pick("、", ", ")),
        initial: level_cell(tr, e.initial_level.as_deref()),
        residual: level_cell(tr, e.residual_level.as_deref()),
        residual_r: e.residual_r.map(|r| format!("{r:.3}")).unwrap_or_default(),
        outcome: e
            .outcome
            .as_deref()
            .map(|o| tr.word(Group::ResolutionOutcomes, o))
            .unwrap_or_default(),
        flags,
        created: d.created_at.format("%Y-%m-%d").to_string(),
    }
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    layout: Layout,
    q: String,
    region: String,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    levels: Vec<Choice>,
    sorts: Vec<Choice>,
    card: Option<String>,
    card_value: String,
    rows: Vec<Row>,
    total: i64,
    next_href: Option<String>,
    first_href: Option<String>,
    export_query: String,
    regions: Vec<(String, String)>,
    can_create: bool,
}

async fn register_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<RegisterQuery>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.signed_in()?;
    let tr = viewer.tr;
    let filter = query.filter(tr, &state.ctx)?;
    let fail = |e| PageError::from_app(e, tr);
    let page = register::page(&state.ctx, principal, filter)
        .await
        .map_err(fail)?;
    let regions = register::regions(&state.ctx, principal)
        .await
        .map_err(fail)?;
    let base = query.without_cursor();
    let next_href = page.next.as_ref().map(|p| {
        let position = Position {
            seq: p.seq,
            title: p.title.clone(),
            sort: query.sort.clone(),
        };
        let cursor = url_encode(&cursor::encode(&position));
        match base.is_empty() {
            true => format!("/decisions?cursor={cursor}"),
            false => format!("/decisions?{base}&cursor={cursor}"),
        }
    });
    let first_href = (!query.cursor.is_empty()).then(|| format!("/decisions?{base}"));
    let rows = page
        .entries
        .iter()
        .map(|(d, e)| row(tr, d, e, &page.region_names))
        .collect();
    let view = RegisterPage {
        layout: Layout::new(&viewer, tr.t("register.title"), "nav.decisions"),
        q: query.q.clone(),
        region: query.region.clone(),
        kinds: choices(
            tr,
            Group::DecisionKinds,
            &DecisionKind::ALL.map(DecisionKind::as_str),
            &query.kind,
        ),
        statuses: choices(
            tr,
            Group::DecisionStatuses,
            &DecisionStatus::ALL.map(DecisionStatus::as_str),
            &query.status,
        ),
        levels: choices(tr, Group::Levels, &["low", "medium", "high"], &query.level),
        sorts: ["newest", "oldest", "title"]
            .iter()
            .map(|s| Choice {
                value: (*s).to_owned(),
                label: tr.t(&format!("register.sort_{s}")),
                selected: *s == query.sort || (query.sort.is_empty() && *s == "newest"),
            })
            .collect(),
        card: Card::parse(&query.card).map(|c| tr.t(&format!("card.{}", c.as_str()))),
        card_value: query.card.clone(),
        rows,
        total: page.total,
        next_href,
        first_href,
        export_query: base,
        regions: regions.into_iter().map(|r| (r.code, r.name)).collect(),
        can_create: principal.has_any(
            <crate::auth::permission::WriteDecisions as crate::auth::permission::Permission>::ROLES,
        ),
    };
    Ok(html(StatusCode::OK, view.render()))
}

/// Every decision the query finds (without paging), as rows of text in the reader's language.
async fn export_rows(
    viewer: &Viewer,
    state: &AppState,
    query: &RegisterQuery,
) -> Result<(Vec<&'static str>, Vec<Vec<String>>), PageError> {
    let principal = viewer.signed_in()?;
    let tr = viewer.tr;
    let mut filter = query.filter(tr, &state.ctx)?;
    filter.limit = 200;
    filter.after = None;
    let mut out = Vec::new();
    loop {
        let page = register::page(&state.ctx, principal, filter.clone())
            .await
            .map_err(|e| PageError::from_app(e, tr))?;
        for (d, e) in &page.entries {
            let r = row(tr, d, e, &page.region_names);
            out.push(vec![
                d.id.to_string(),
                r.title,
                r.kind,
                r.status,
                r.regions,
                r.initial.map(|l| l.1).unwrap_or_default(),
                r.residual.map(|l| l.1).unwrap_or_default(),
                r.residual_r,
                r.outcome,
                r.flags.join(tr.lang.pick("；", "; ")),
                r.created,
            ]);
        }
        match page.next {
            Some(next) if out.len() < EXPORT_MAX => filter.after = Some(next),
            _ => break,
        }
    }
    let headers = [
        "export.id",
        "register.title_col",
        "register.kind",
        "register.status",
        "register.regions",
        "register.initial",
        "register.residual",
        "register.residual_r",
        "register.outcome",
        "register.flags",
        "register.created",
    ];
    Ok((headers.to_vec(), out))
}

fn attachment(name: &str) -> ContentDisposition {
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(name.to_owned())],
    }
}

async fn export_csv(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<RegisterQuery>,
) -> Result<HttpResponse, PageError> {
    let (headers, rows) = export_rows(&viewer, &state, &query).await?;
    // A byte-order mark, so that a spreadsheet program opens the Chinese as UTF-8.
    let mut text = String::from("\u{feff}");
    let head: Vec<String> = headers
        .iter()
        .map(|k| csv_text_cell(&viewer.tr.t(k)))
        .collect();
    text.push_str(&head.join(","));
    text.push_str("\r\n");
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| csv_text_cell(c)).collect();
        text.push_str(&cells.join(","));
        text.push_str("\r\n");
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, attachment("decisions.csv")))
        .body(text))
}

async fn export_xlsx(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<RegisterQuery>,
) -> Result<HttpResponse, PageError> {
    let tr = viewer.tr;
    let (headers, rows) = export_rows(&viewer, &state, &query).await?;
    let bytes = xlsx(tr, &headers, &rows).map_err(|error| {
        tracing::error!(%error, "the register's workbook could not be written");
        PageError::Internal { tr }
    })?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((header::CONTENT_DISPOSITION, attachment("decisions.xlsx")))
        .body(bytes))
}

fn xlsx(
    tr: Tr,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(tr.t("register.sheet"))?;
    for (c, key) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, tr.t(key), &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            // Strings, never formulas: a title that starts with `=` stays text.
            sheet.write_string(r as u32 + 1, c as u16, cell)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}
