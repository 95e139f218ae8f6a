//! The dashboard (工作台): number cards that each open the filtered register behind them, and the register's
//! decisions by kind, status and level.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::error::PageError;
use super::html;
use super::layout::Layout;
use super::viewer::Viewer;
use crate::app::register::{self, Card};
use crate::auth::permission::{Permission, ReadDecisions};
use crate::domain::decision::{DecisionKind, DecisionStatus};
use crate::http::AppState;
use crate::reports::labels::Group;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(dashboard));
}

pub struct CardView {
    pub label: String,
    pub count: i64,
    pub href: String,
    /// A card that asks for attention when it is not zero.
    pub alert: bool,
}

pub struct BreakdownRow {
    pub kind: String,
    /// Decisions of the kind per status, in the lifecycle's order.
    pub by_status: Vec<i64>,
    /// Decisions of the kind per residual level: low, medium, high, not assessed.
    pub by_level: Vec<i64>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    cards: Vec<CardView>,
    statuses: Vec<String>,
    levels: Vec<String>,
    rows: Vec<BreakdownRow>,
    /// The reader may not read decisions (an administrator, an office): the page says where to go instead.
    no_register: bool,
    /// Links for a reader without the register: administration, and the concern ledger for an office.
    admin_links: bool,
    ledger_links: bool,
}

async fn dashboard(viewer: Viewer, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let principal = viewer.signed_in()?;
    let tr = viewer.tr;
    let layout = Layout::new(&viewer, tr.t("dashboard.title"), "nav.dashboard");
    if !principal.has_any(ReadDecisions::ROLES) {
        let page = DashboardPage {
            layout,
            cards: Vec::new(),
            statuses: Vec::new(),
            levels: Vec::new(),
            rows: Vec::new(),
            no_register: true,
            admin_links: principal.has_any(crate::auth::permission::ManageUsers::ROLES),
            ledger_links: principal.has_any(crate::auth::permission::ReadConcerns::ROLES),
        };
        return Ok(html(StatusCode::OK, page.render()));
    }
    let summary = register::dashboard(&state.ctx, principal)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    let cards = summary
        .cards
        .iter()
        .map(|(card, count)| CardView {
            label: tr.t(&format!("card.{}", card.as_str())),
            count: *count,
            href: format!("/decisions?card={}", card.as_str()),
            alert: *count > 0
                && matches!(
                    card,
                    Card::ResidualHigh | Card::NeedsReview | Card::Overdue | Card::Alerted
                ),
        })
        .collect();
    let statuses = DecisionStatus::ALL;
    let mut by_kind: BTreeMap<usize, BreakdownRow> = BTreeMap::new();
    for b in &summary.breakdown {
        let Some(kind) = DecisionKind::parse(&b.kind) else {
            continue;
        };
        let position = DecisionKind::ALL
            .iter()
            .position(|k| *k == kind)
            .unwrap_or(0);
        let row = by_kind.entry(position).or_insert_with(|| BreakdownRow {
            kind: tr.word(Group::DecisionKinds, kind.as_str()),
            by_status: vec![0; statuses.len()],
            by_level: vec![0; 4],
        });
        if let Some(s) = statuses.iter().position(|s| s.as_str() == b.status) {
            row.by_status[s] += b.decisions;
        }
        let level = match b.residual_level.as_deref() {
            Some("low") => 0,
            Some("medium") => 1,
            Some("high") => 2,
            _ => 3,
        };
        row.by_level[level] += b.decisions;
    }
    let page = DashboardPage {
        layout,
        cards,
        statuses: statuses
            .iter()
            .map(|s| tr.word(Group::DecisionStatuses, s.as_str()))
            .collect(),
        levels: ["low", "medium", "high"]
            .iter()
            .map(|l| tr.word(Group::Levels, l))
            .chain([tr.t("register.not_assessed")])
            .collect(),
        rows: by_kind.into_values().collect(),
        no_register: false,
        admin_links: false,
        ledger_links: false,
    };
    Ok(html(StatusCode::OK, page.render()))
}
