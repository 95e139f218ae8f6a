//! The ledger's measures as a page (台账统计): the rates and counts by month, office, region or topic in a table,
//! and by month as a chart of the rates.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::concerns::Choice;
use super::error::PageError;
use super::html;
use super::i18n::{Group, Tr};
use super::layout::Layout;
use super::viewer::Viewer;
use crate::app::concerns::{self, ConcernQuery, GroupBy};
use crate::auth::permission::ReadConcerns;
use crate::domain::ledger::LedgerMeasures;
use crate::http::AppState;
use crate::reports::numbers::percent;

/// One group's measures as the stats table shows them.
pub struct MeasureRow {
    pub key: String,
    pub registered: u64,
    pub response: String,
    pub on_time: String,
    pub satisfaction: String,
    pub reopen: String,
    pub median_days: String,
    pub adopted: String,
    pub open: u64,
    pub overdue: u64,
}

fn rate(v: Option<f64>) -> String {
    v.map(percent).unwrap_or_else(|| "—".into())
}

fn measure_row(key: String, m: &LedgerMeasures) -> MeasureRow {
    MeasureRow {
        key,
        registered: m.registered,
        response: rate(m.response_rate),
        on_time: rate(m.on_time_rate),
        satisfaction: rate(m.satisfaction_rate),
        reopen: rate(m.reopen_rate),
        median_days: m
            .median_days_to_close
            .map(|d| crate::reports::numbers::decimal(d, 1))
            .unwrap_or_else(|| "—".into()),
        adopted: rate(m.adopted_share),
        open: m.open,
        overdue: m.overdue,
    }
}

#[derive(Template)]
#[template(path = "concern_stats.html")]
struct StatsPage {
    layout: Layout,
    groups: Vec<Choice>,
    total: MeasureRow,
    rows: Vec<MeasureRow>,
    chart: String,
    legend: Vec<(String, &'static str)>,
}

/// The rates of each month as lines on a 0–100 % scale: an SVG drawn here, small enough to read.
fn month_chart(tr: Tr, months: &[(String, LedgerMeasures)]) -> String {
    const W: f64 = 720.0;
    const H: f64 = 240.0;
    const LEFT: f64 = 44.0;
    const BOTTOM: f64 = 28.0;
    let n = months.len().max(1);
    let step = (W - LEFT - 12.0) / (n.max(2) - 1) as f64;
    let x = |k: usize| LEFT + step * k as f64;
    let y = |v: f64| 8.0 + (H - BOTTOM - 8.0) * (1.0 - v.clamp(0.0, 1.0));
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"chart-title\"><title id=\"chart-title\">{}</title>",
        tr.t("ledger.chart_title")
    );
    for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
        svg.push_str(&format!(
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y0:.1}\" y2=\"{y0:.1}\" class=\"grid\"/><text x=\"{}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"end\">{}%</text>",
            W - 12.0,
            LEFT - 4.0,
            y(t) + 4.0,
            (t * 100.0) as i32,
            y0 = y(t)
        ));
    }
    for (k, (month, _)) in months.iter().enumerate() {
        if n <= 12 || k % (n / 12 + 1) == 0 {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{}\" class=\"tick\" text-anchor=\"middle\">{month}</text>",
                x(k),
                H - 8.0
            ));
        }
    }
    type Pick = fn(&LedgerMeasures) -> Option<f64>;
    let series: [(Pick, &str); 4] = [
        (|m| m.response_rate, "s1"),
        (|m| m.on_time_rate, "s2"),
        (|m| m.satisfaction_rate, "s3"),
        (|m| m.reopen_rate, "s4"),
    ];
    for (pick, class) in series {
        let points: Vec<(f64, f64)> = months
            .iter()
            .enumerate()
            .filter_map(|(k, (_, m))| pick(m).map(|v| (x(k), y(v))))
            .collect();
        if !points.is_empty() {
            let joined: Vec<String> = points
                .iter()
                .map(|(a, b)| format!("{a:.1},{b:.1}"))
                .collect();
            svg.push_str(&format!(
                "<polyline class=\"line {class}\" fill=\"none\" points=\"{}\"/>",
                joined.join(" ")
            ));
            // A dot per month, so that a single month still shows.
            for (a, b) in points {
                svg.push_str(&format!(
                    "<circle class=\"dot {class}\" cx=\"{a:.1}\" cy=\"{b:.1}\" r=\"3.5\"/>"
                ));
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

pub(super) async fn stats_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<ConcernQuery>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.holding::<ReadConcerns>()?;
    let tr = viewer.tr;
    let bad = |e: crate::domain::FieldError| PageError::Refused {
        tr,
        status: StatusCode::BAD_REQUEST,
        reason: super::refusal::field(tr, &e),
    };
    let group_by = query.group_by().map_err(bad)?;
    let filter = query.to_filter(state.ctx.clock().today()).map_err(bad)?;
    let stats = concerns::stats(&state.ctx, principal, filter, group_by)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    let group_name = |key: &str| match group_by {
        GroupBy::Topic => tr.word(Group::ConcernTopics, key),
        GroupBy::Office if key.is_empty() => tr.t("ledger.unassigned"),
        _ => key.to_owned(),
    };
    let months: Vec<(String, LedgerMeasures)> = stats
        .groups
        .iter()
        .map(|(k, m)| (k.clone(), m.clone()))
        .collect();
    let selected = match group_by {
        GroupBy::Month => "month",
        GroupBy::Office => "office",
        GroupBy::Region => "region",
        GroupBy::Decision => "decision",
        GroupBy::Topic => "topic",
    };
    let page = StatsPage {
        layout: Layout::new(&viewer, tr.t("ledger.stats"), "nav.ledger"),
        groups: ["month", "office", "region", "topic"]
            .iter()
            .map(|g| Choice {
                value: (*g).to_owned(),
                label: tr.t(&format!("ledger.by_{g}")),
                selected: *g == selected,
            })
            .collect(),
        total: measure_row(tr.t("ledger.all"), &stats.total),
        rows: stats
            .groups
            .iter()
            .map(|(k, m)| measure_row(group_name(k), m))
            .collect(),
        chart: if group_by == GroupBy::Month && !months.is_empty() {
            month_chart(tr, &months)
        } else {
            String::new()
        },
        legend: vec![
            (tr.t("ledger.response_rate"), "s1"),
            (tr.t("ledger.on_time_rate"), "s2"),
            (tr.t("ledger.satisfaction_rate"), "s3"),
            (tr.t("ledger.reopen_rate"), "s4"),
        ],
    };
    Ok(html(StatusCode::OK, page.render()))
}
