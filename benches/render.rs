//! Scoring and report rendering for a 40-factor assessment (DESIGN §10 targets).
//! Run: `cargo bench --bench render` — prints Markdown tables of the medians and of the reports' sizes.

use std::time::{Duration, Instant};

use wenping::reports::charts::{self, Chart, ChartFormat};
use wenping::reports::{Lang, ReportData, ReportMeta, docx, html, pdf, table};
use wenping::scoring::assess;
use wenping::scoring::record::RecordedInputs;

#[path = "support/forty.rs"]
mod forty;
use forty::{forty_factor_model, inputs};

fn median(mut f: impl FnMut(), runs: usize) -> Duration {
    f(); // warm-up
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn main() {
    let model = forty_factor_model(8);
    let engine_inputs = inputs(&model);
    let result = assess(&model, &engine_inputs).unwrap_or_else(|e| panic!("{e}"));
    let assess_time = median(|| drop(assess(&model, &engine_inputs)), 2000);

    let decision = serde_json::json!({
        "id": "00000000-0000-0000-0000-000000000001", "title": "四十项因素基准评估", "kind": "other",
        "regions": ["330199001"], "version": 1, "archived": false,
        "created_at": "2026-11-30T00:00:00Z", "updated_at": "2026-11-30T00:00:00Z"
    });
    let recorded = serde_json::json!({
        "decision": decision, "attributes": {}, "ratings": engine_inputs.ratings,
        "indicators": {}, "measures": engine_inputs.measures
    });
    let recorded: RecordedInputs =
        serde_json::from_value(recorded).unwrap_or_else(|e| panic!("{e}"));
    let meta = ReportMeta {
        assessment_id: uuid::Uuid::nil(),
        content_hash: "0".repeat(64),
        created_at: chrono::DateTime::UNIX_EPOCH,
        author: "bench".into(),
    };
    let inputs_json = serde_json::to_string(&recorded).unwrap_or_default();
    let result_json = serde_json::to_string(&result).unwrap_or_default();
    let snapshot = serde_json::to_string(&model).unwrap_or_default();
    let load = || {
        ReportData::from_stored(meta.clone(), &inputs_json, &result_json, &snapshot)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let data = load();

    let mut rows = vec![(
        "assess, 40 factors, 5 experts (engine only)".to_owned(),
        assess_time,
    )];
    rows.push((
        "load the stored assessment for a report".into(),
        median(|| drop(load()), 50),
    ));
    rows.push((
        "HTML report, all charts inline".into(),
        median(|| drop(html::render(&data, Lang::Zh)), 30),
    ));
    rows.push((
        "DOCX report, all charts as PNG".into(),
        median(|| drop(docx::render(&data, Lang::Zh)), 20),
    ));
    // A failed render would time as fast as nothing, so the PDF must render once first.
    pdf::render(&data, Lang::Zh).unwrap_or_else(|e| panic!("{e}"));
    rows.push((
        "PDF report (typst), all charts as SVG".into(),
        median(|| drop(pdf::render(&data, Lang::Zh)), 10),
    ));
    rows.push((
        "CSV factor table".into(),
        median(|| drop(table::csv(&data, Lang::Zh)), 200),
    ));
    rows.push((
        "JSON factor table".into(),
        median(|| drop(table::json(&data, Lang::Zh)), 200),
    ));
    for chart in Chart::ALL {
        for (format, name) in [(ChartFormat::Svg, "svg"), (ChartFormat::Png, "png")] {
            let time = median(|| drop(charts::render(chart, format, &data, Lang::Zh)), 30);
            rows.push((format!("chart {}.{name}", chart.slug()), time));
        }
    }
    println!("| what (40 factors) | median |\n|---|---|");
    for (what, time) in rows {
        println!("| {what} | {:.3} ms |", time.as_secs_f64() * 1e3);
    }
    let size = |bytes: Result<Vec<u8>, wenping::reports::ReportError>| {
        bytes.map(|b| b.len()).unwrap_or_else(|e| panic!("{e}"))
    };
    println!("\n| report (40 factors) | bytes |\n|---|---|");
    for lang in [Lang::Zh, Lang::En] {
        let code = lang.code();
        println!("| HTML, {code} | {} |", size(html::render(&data, lang)));
        println!("| PDF, {code} | {} |", size(pdf::render(&data, lang)));
        println!("| DOCX, {code} | {} |", size(docx::render(&data, lang)));
    }
}
