//! The factor table as CSV (UTF-8 with a byte-order mark, so spreadsheet programs on Chinese
//! Windows read it correctly) and as JSON; numbers are written in full, exactly as stored.

use serde::Serialize;

use super::{Lang, ReportData};
use crate::domain::text::csv_text_cell;

#[derive(Debug, Serialize)]
pub struct FactorRow {
    pub factor: String,
    pub name: String,
    pub dimension: String,
    pub veto: bool,
    pub weight: f64,
    pub probability_source: String,
    pub probability: f64,
    pub impact: f64,
    pub degree: f64,
    pub contribution: f64,
    pub level: String,
    pub residual_probability: f64,
    pub residual_impact: f64,
    pub residual_degree: f64,
    pub residual_contribution: f64,
    pub residual_level: String,
    pub experts: usize,
    pub spread: Option<u8>,
    pub disagreement: bool,
    pub measures: String,
}

const HEADER: [&str; 20] = [
    "factor",
    "name",
    "dimension",
    "veto",
    "weight",
    "probability_source",
    "probability",
    "impact",
    "degree",
    "contribution",
    "level",
    "residual_probability",
    "residual_impact",
    "residual_degree",
    "residual_contribution",
    "residual_level",
    "experts",
    "spread",
    "disagreement",
    "measures",
];

pub fn rows(data: &ReportData, lang: Lang) -> Vec<FactorRow> {
    data.result
        .factors
        .iter()
        .map(|f| FactorRow {
            factor: f.id.clone(),
            name: lang.name(&f.name),
            dimension: f.dimension.clone(),
            veto: f.veto,
            weight: f.weight,
            probability_source: serde_json::to_value(f.evidence.probability_source)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            probability: f.initial.probability.value,
            impact: f.initial.impact.value,
            degree: f.initial.degree,
            contribution: f.initial.contribution,
            level: f.initial.level.as_str().to_owned(),
            residual_probability: f.residual.probability.value,
            residual_impact: f.residual.impact.value,
            residual_degree: f.residual.degree,
            residual_contribution: f.residual.contribution,
            residual_level: f.residual.level.as_str().to_owned(),
            experts: f.expert_count,
            spread: f.spread,
            disagreement: f.disagreement,
            measures: f.measures.join(" "),
        })
        .collect()
}

/// A text cell: names and ids come from model files and users, so none may reach a spreadsheet as a formula.
fn field(value: &str) -> String {
    csv_text_cell(value)
}

pub fn csv(data: &ReportData, lang: Lang) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    out.push_str(&HEADER.join(","));
    out.push_str("\r\n");
    for r in rows(data, lang) {
        let cells = [
            field(&r.factor),
            field(&r.name),
            field(&r.dimension),
            r.veto.to_string(),
            r.weight.to_string(),
            field(&r.probability_source),
            r.probability.to_string(),
            r.impact.to_string(),
            r.degree.to_string(),
            r.contribution.to_string(),
            r.level,
            r.residual_probability.to_string(),
            r.residual_impact.to_string(),
            r.residual_degree.to_string(),
            r.residual_contribution.to_string(),
            r.residual_level,
            r.experts.to_string(),
            r.spread.map(|s| s.to_string()).unwrap_or_default(),
            r.disagreement.to_string(),
            field(&r.measures),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

#[derive(Serialize)]
struct FactorTable {
    assessment_id: String,
    content_hash: String,
    model_id: String,
    model_hash: String,
    r: f64,
    level: String,
    residual_r: f64,
    residual_level: String,
    factors: Vec<FactorRow>,
}

pub fn json(data: &ReportData, lang: Lang) -> Vec<u8> {
    let table = FactorTable {
        assessment_id: data.meta.assessment_id.to_string(),
        content_hash: data.meta.content_hash.clone(),
        model_id: data.result.model.id.clone(),
        model_hash: data.result.model.hash.clone(),
        r: data.result.initial.r,
        level: data.result.initial.level.as_str().to_owned(),
        residual_r: data.result.residual.outcome.r,
        residual_level: data.result.residual.outcome.level.as_str().to_owned(),
        factors: rows(data, lang),
    };
    serde_json::to_vec_pretty(&table).unwrap_or_default()
}
