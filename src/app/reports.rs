//! Reports and charts of a stored assessment, made from immutable records only — the assessment with its
//! model, the resolutions signed against it, the newest assessment of each scenario made up to it — so the same
//! assessment and language always give the same bytes. Rendering runs off the async workers.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::restore::{Restored, record, restore_in_scope};
use super::{AppError, Context, authorize};
use crate::auth::permission::ReadReports;
use crate::domain::principal::Principal;
use crate::reports::charts::{self, Chart, ChartFormat};
use crate::reports::{Lang, ReportData, ReportSources, docx, html, pdf, table};

/// Assessments of one decision looked at for the scenario comparison.
const SCENARIO_LOOKBACK: u32 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Html,
    Pdf,
    Docx,
    Csv,
    Json,
}

impl ReportFormat {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "html" => Some(Self::Html),
            "pdf" => Some(Self::Pdf),
            "docx" => Some(Self::Docx),
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Html => "html",
            Self::Pdf => "pdf",
            Self::Docx => "docx",
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }
}

/// A rendered report and what its file is named after.
pub struct RenderedReport {
    pub bytes: Vec<u8>,
    pub assessment_id: Uuid,
    /// The decision's title, for the file name.
    pub title: String,
}

/// The report's facts: the assessment restored, and the other immutable records it shows.
pub async fn report_data(
    ctx: &Context,
    principal: &Principal,
    assessment_id: Uuid,
) -> Result<ReportData, AppError> {
    authorize::<ReadReports>(principal)?;
    let Restored {
        record: this,
        model,
    } = restore_in_scope(ctx, principal, assessment_id).await?;
    let decision_id = this.head.decision_id;
    let mut resolutions: Vec<_> = ctx
        .db
        .resolutions(decision_id)
        .await?
        .into_iter()
        .filter(|r| r.assessment_id == this.head.id)
        .collect();
    resolutions.reverse();
    // `seq` orders assessments exactly; later ones never change what this report shows.
    let heads = ctx
        .db
        .assessments_of(decision_id, Some(this.head.seq + 1), SCENARIO_LOOKBACK)
        .await?;
    let mut newest = BTreeMap::new();
    for head in heads {
        newest
            .entry(head.scenario_id)
            .or_insert((head.seq, head.id));
    }
    let mut chosen: Vec<(i64, Uuid)> = newest.into_values().collect();
    chosen.sort();
    let mut scenario_records = Vec::with_capacity(chosen.len());
    for (_, id) in chosen {
        if id == this.head.id {
            scenario_records.push(this.clone());
        } else {
            scenario_records.push(record(ctx.db.assessment(id).await?).await?);
        }
    }
    let sources = ReportSources {
        record: this,
        model,
        resolutions,
        scenario_records,
    };
    tokio::task::spawn_blocking(move || ReportData::from_sources(sources))
        .await
        .map_err(|e| AppError::internal_msg("loading a report", e))?
        .map_err(AppError::internal)
}

/// The assessment's report in a format and language.
pub async fn report(
    ctx: &Context,
    principal: &Principal,
    assessment_id: Uuid,
    format: ReportFormat,
    lang: Lang,
) -> Result<RenderedReport, AppError> {
    let data = report_data(ctx, principal, assessment_id).await?;
    let title = data.inputs.decision.fields.title.clone();
    let assessment_id = data.meta.assessment_id;
    let bytes = tokio::task::spawn_blocking(move || match format {
        ReportFormat::Html => html::render(&data, lang),
        ReportFormat::Docx => docx::render(&data, lang),
        ReportFormat::Pdf => pdf::render(&data, lang),
        ReportFormat::Csv => Ok(table::csv(&data, lang)),
        ReportFormat::Json => Ok(table::json(&data, lang)),
    })
    .await
    .map_err(|e| AppError::internal_msg("rendering a report", e))?
    .map_err(AppError::internal)?;
    Ok(RenderedReport {
        bytes,
        assessment_id,
        title,
    })
}

/// One chart of the assessment; 404 when the assessment has no data for it (no petition data read, say).
pub async fn chart(
    ctx: &Context,
    principal: &Principal,
    assessment_id: Uuid,
    chart: Chart,
    format: ChartFormat,
    lang: Lang,
) -> Result<Vec<u8>, AppError> {
    let data = report_data(ctx, principal, assessment_id).await?;
    if !chart.available(&data) {
        return Err(AppError::NotFound(format!(
            "assessment {assessment_id} has no data for the {} chart",
            chart.slug()
        )));
    }
    tokio::task::spawn_blocking(move || charts::render(chart, format, &data, lang))
        .await
        .map_err(|e| AppError::internal_msg("drawing a chart", e))?
        .map_err(AppError::internal)
}
