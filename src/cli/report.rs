//! `wenping report ID --format html --out FILE`: a stored assessment's report or chart, on disk.

use std::path::Path;

use anyhow::Context;
use uuid::Uuid;

use crate::reports::charts::{self, Chart, ChartFormat};
use crate::reports::{Lang, ReportData, ReportMeta, docx, html, pdf, table};
use crate::storage::Db;

pub async fn write(db: &Db, id: Uuid, format: &str, lang: &str, out: &Path) -> anyhow::Result<()> {
    let lang = Lang::parse(lang).with_context(|| format!("--lang must be zh or en, not {lang}"))?;
    let stored = db.assessment(id).await?;
    let snapshot = db.model_snapshot(&stored.head.model_hash).await?;
    let meta = ReportMeta {
        assessment_id: stored.head.id,
        content_hash: stored.head.content_hash.clone(),
        created_at: stored.head.created_at,
        author: stored.head.author.clone(),
    };
    let data = ReportData::from_stored(meta, &stored.inputs, &stored.result, &snapshot)?;
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
            let chart = Chart::parse(name).with_context(|| {
                format!("unknown chart {name}: radar, contributions, matrix or tornado")
            })?;
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
