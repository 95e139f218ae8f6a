//! `wenping report ID --format html --out FILE`: a stored assessment's report or chart, on disk.

use std::path::Path;

use anyhow::Context;
use uuid::Uuid;

use crate::reports::charts::{self, Chart, ChartFormat};
use crate::reports::{Lang, ReportData, docx, html, pdf, table};
use crate::storage::Db;

pub async fn write(db: &Db, id: Uuid, format: &str, lang: &str, out: &Path) -> anyhow::Result<()> {
    let lang = Lang::parse(lang).with_context(|| format!("--lang must be zh or en, not {lang}"))?;
    let sources = db.report_sources(db.assessment(id).await?).await?;
    let data = ReportData::from_sources(sources)?;
    let bytes = match format {
        "html" => html::render(&data, lang)?,
        "docx" => docx::render(&data, lang)?,
        "pdf" => pdf::render(&data, lang)?,
        "csv" => table::csv(&data, lang),
        "json" => table::json(&data, lang),
        chart => {
            let (name, extension) = chart.split_once('.').with_context(|| {
                format!("unknown format {chart}: use html, pdf, docx, csv, json or CHART.png|svg")
            })?;
            let chart = Chart::parse(name)
                .with_context(|| format!("unknown chart {name}: {}", Chart::names()))?;
            let format = match extension {
                "png" => ChartFormat::Png,
                "svg" => ChartFormat::Svg,
                _ => anyhow::bail!("charts come as png or svg, not {extension}"),
            };
            charts::render(chart, format, &data, lang)?
        }
    };
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!("wrote {} ({} bytes)", out.display(), bytes.len());
    Ok(())
}
