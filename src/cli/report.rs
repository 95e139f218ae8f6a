//! `wenping report ID --format html --out FILE`: a stored assessment's report or chart, on disk.

use std::path::Path;

use anyhow::Context as _;
use uuid::Uuid;

use crate::app::Context;
use crate::app::reports::{self, ReportFormat};
use crate::domain::principal::Principal;
use crate::reports::Lang;
use crate::reports::charts::{Chart, ChartFormat};

pub async fn write(
    ctx: &Context,
    id: Uuid,
    format: &str,
    lang: &str,
    out: &Path,
) -> anyhow::Result<()> {
    let lang = Lang::parse(lang).with_context(|| format!("--lang must be zh or en, not {lang}"))?;
    let operator = Principal::operator();
    let bytes = match ReportFormat::parse(format) {
        Some(format) => {
            reports::report(ctx, &operator, id, format, lang)
                .await?
                .bytes
        }
        None => {
            let (name, extension) = format.split_once('.').with_context(|| {
                format!("unknown format {format}: use html, pdf, docx, csv, json or CHART.png|svg")
            })?;
            let chart = Chart::parse(name)
                .with_context(|| format!("unknown chart {name}: {}", Chart::names()))?;
            let chart_format = match extension {
                "png" => ChartFormat::Png,
                "svg" => ChartFormat::Svg,
                _ => anyhow::bail!("charts come as png or svg, not {extension}"),
            };
            reports::chart(ctx, &operator, id, chart, chart_format, lang).await?
        }
    };
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!("wrote {} ({} bytes)", out.display(), bytes.len());
    Ok(())
}
