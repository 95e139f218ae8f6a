//! An independent hand computation of the index method from a model file: weights from its
//! (consistent) AHP blocks or direct weights, grade values, thresholds, breakpoints and measure
//! steps, read with the `toml` crate — never through the engine.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::panels::Ratings;

enum Rule {
    Expert,
    Attribute {
        name: String,
        breakpoints: Vec<f64>,
        grades: Vec<u8>,
        impact: Option<u8>,
    },
    /// No petition data exists yet, so the experts' grades stand in (impact may be stated).
    Petition {
        impact: Option<u8>,
    },
}

struct HandFactor {
    id: String,
    weight: f64,
    veto: bool,
    rule: Rule,
}

/// What the test reads from a model file: grade values, thresholds, weights, rules, measures.
pub struct HandModel {
    probability: Vec<f64>,
    impact: Vec<f64>,
    medium: f64,
    high: f64,
    matrix: Vec<Vec<String>>,
    factors: Vec<HandFactor>,
    /// measure → factor → (probability steps, impact steps)
    measures: BTreeMap<String, BTreeMap<String, (u8, u8)>>,
}

fn number(v: &toml::Value) -> f64 {
    match v {
        toml::Value::Integer(i) => *i as f64,
        toml::Value::Float(f) => *f,
        toml::Value::String(s) => {
            let (a, b) = s.split_once('/').unwrap();
            a.parse::<f64>().unwrap() / b.parse::<f64>().unwrap()
        }
        other => panic!("not a judgment: {other}"),
    }
}

fn numbers(v: &toml::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(number).collect()
}

/// Weights of a consistent pairwise matrix, by id: its first column, normalised. Consistency
/// (aᵢⱼ·aⱼₖ = aᵢₖ) is checked, for only then is that column the principal eigenvector.
fn consistent_weights(block: &toml::Value) -> BTreeMap<String, f64> {
    let order: Vec<String> = block["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let m: Vec<Vec<f64>> = block["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .map(numbers)
        .collect();
    let n = order.len();
    for i in 0..n {
        for j in 0..n {
            for k in 0..n {
                assert!(
                    (m[i][j] * m[j][k] - m[i][k]).abs() < 1e-12,
                    "inconsistent block"
                );
            }
        }
    }
    let total: f64 = m.iter().map(|row| row[0]).sum();
    order
        .into_iter()
        .zip(m.iter().map(|row| row[0] / total))
        .collect()
}

pub fn hand_model(path: &Path) -> HandModel {
    let file: toml::Value = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let dimension_weight = consistent_weights(&file["dimension_ahp"]);
    let mut local = BTreeMap::new();
    for d in file["dimensions"].as_array().unwrap() {
        if let Some(block) = d.get("factor_ahp") {
            local.extend(consistent_weights(block));
        }
    }
    let grades = |v: &toml::Value| -> Vec<u8> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_integer().unwrap() as u8)
            .collect()
    };
    let factors = file["factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let id = f["id"].as_str().unwrap().to_owned();
            let local = f.get("weight").map(number).unwrap_or_else(|| local[&id]);
            let ev = &f["evidence"];
            let impact = ev.get("impact").map(|q| q.as_integer().unwrap() as u8);
            let rule = match ev["source"].as_str().unwrap() {
                "expert" => Rule::Expert,
                "attribute" => Rule::Attribute {
                    name: ev["attribute"].as_str().unwrap().to_owned(),
                    breakpoints: numbers(&ev["breakpoints"]),
                    grades: grades(&ev["grades"]),
                    impact,
                },
                _ => Rule::Petition { impact },
            };
            HandFactor {
                weight: dimension_weight[f["dimension"].as_str().unwrap()] * local,
                veto: f.get("veto").is_some_and(|v| v.as_bool().unwrap()),
                id,
                rule,
            }
        })
        .collect();
    let mut measures: BTreeMap<String, BTreeMap<String, (u8, u8)>> = BTreeMap::new();
    for m in file["measures"].as_array().unwrap() {
        let entry = measures
            .entry(m["id"].as_str().unwrap().to_owned())
            .or_default();
        for e in m["effects"].as_array().unwrap() {
            let steps = entry
                .entry(e["factor"].as_str().unwrap().to_owned())
                .or_default();
            let n = e["steps"].as_integer().unwrap() as u8;
            match e["on"].as_str().unwrap() {
                "probability" => steps.0 += n,
                _ => steps.1 += n,
            }
        }
    }
    HandModel {
        probability: numbers(&file["grades"]["probability"]["values"]),
        impact: numbers(&file["grades"]["impact"]["values"]),
        medium: number(&file["levels"]["medium"]),
        high: number(&file["levels"]["high"]),
        matrix: file["factor_matrix"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r.as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l.as_str().unwrap().to_owned())
                    .collect()
            })
            .collect(),
        factors,
        measures,
    }
}

impl HandModel {
    /// R and the level, with the given measures' grade steps taken off.
    pub fn assess(
        &self,
        ratings: &Ratings,
        attributes: &Value,
        chosen: &[&str],
    ) -> (f64, &'static str) {
        let lower = |g: u8, steps: u8| g.saturating_sub(steps).max(1);
        let mean = |xs: Vec<f64>| xs.iter().sum::<f64>() / xs.len() as f64;
        let mut r = 0.0;
        let mut vetoed = false;
        for f in &self.factors {
            let (dp, dq) = chosen
                .iter()
                .filter_map(|m| self.measures[*m].get(&f.id))
                .fold((0, 0), |a, s| (a.0 + s.0, a.1 + s.1));
            let experts: Vec<(u8, u8)> = ratings
                .values()
                .filter_map(|sheet| sheet.get(f.id.as_str()).copied())
                .collect();
            let expert_p = || {
                mean(
                    experts
                        .iter()
                        .map(|e| self.probability[usize::from(lower(e.0, dp)) - 1])
                        .collect(),
                )
            };
            let impact_of = |stated: Option<u8>| match stated {
                Some(q) => self.impact[usize::from(lower(q, dq)) - 1],
                None => mean(
                    experts
                        .iter()
                        .map(|e| self.impact[usize::from(lower(e.1, dq)) - 1])
                        .collect(),
                ),
            };
            let (p, q, grades) = match &f.rule {
                Rule::Expert => (expert_p(), impact_of(None), experts[0]),
                Rule::Petition { impact } => (expert_p(), impact_of(*impact), experts[0]),
                Rule::Attribute {
                    name,
                    breakpoints,
                    grades,
                    impact,
                } => {
                    let value = attributes[name].as_f64().unwrap_or_else(|| {
                        f64::from(u8::from(attributes[name].as_bool().unwrap()))
                    });
                    let g = grades[breakpoints.iter().filter(|b| **b <= value).count()];
                    let stated = impact.unwrap_or(experts[0].1);
                    (
                        self.probability[usize::from(lower(g, dp)) - 1],
                        impact_of(*impact),
                        (lower(g, dp), lower(stated, dq)),
                    )
                }
            };
            if f.veto {
                // The test's veto factors are rated unanimously, so their grades are exact.
                assert!(experts.iter().all(|e| *e == experts[0]), "{}", f.id);
                vetoed |=
                    self.matrix[usize::from(grades.0) - 1][usize::from(grades.1) - 1] == "high";
            }
            r += f.weight * p * q;
        }
        let level = if vetoed || r >= self.high {
            "high"
        } else if r >= self.medium {
            "medium"
        } else {
            "low"
        };
        (r, level)
    }
}
