//! Weights of a model: direct weights, AHP blocks (with CR and the most inconsistent pair), global weights.

use std::collections::BTreeSet;

use super::ahp::{self, MAX_ORDER, RECIPROCAL_TOLERANCE};
use super::error::ModelErrorKind as K;
use super::model::{AhpBlock, AhpBlockReport, FactorWeight, ModelSpec};
use super::validate::{Problems, WEIGHT_SUM_TOLERANCE};

/// Validates an AHP block over `expected` ids and returns weights in `expected` order.
// The reciprocal check reads (i, j) against (j, i), which is clearer by index.
#[allow(clippy::needless_range_loop)]
fn ahp_block(
    spec: &ModelSpec,
    block: &AhpBlock,
    name: &str,
    path: &str,
    expected: &[&str],
    reports: &mut Vec<AhpBlockReport>,
    p: &mut Problems,
) -> Option<Vec<f64>> {
    let order: BTreeSet<&str> = block.order.iter().map(String::as_str).collect();
    let wanted: BTreeSet<&str> = expected.iter().copied().collect();
    if order.len() != block.order.len() || order != wanted {
        p.push((
            format!("{path}.order"),
            K::AhpMatrix {
                block: name.into(),
                message: format!(
                    "order {:?} must list each of {:?} exactly once",
                    block.order, expected
                ),
            },
        ));
        return None;
    }
    if block.order.len() > MAX_ORDER {
        p.push((
            format!("{path}.matrix"),
            K::AhpMatrix {
                block: name.into(),
                message: format!(
                    "order {} exceeds {MAX_ORDER}, the end of the RI table",
                    block.order.len()
                ),
            },
        ));
        return None;
    }
    let m = &block.matrix;
    let n = block.order.len();
    if m.len() != n || m.iter().any(|r| r.len() != n) {
        let shape: Vec<usize> = m.iter().map(Vec::len).collect();
        p.push((
            format!("{path}.matrix"),
            K::AhpMatrix {
                block: name.into(),
                message: format!(
                    "matrix must be square {n}×{n} to match its order; row lengths are {shape:?}"
                ),
            },
        ));
        return None;
    }
    let mut entry_ok = true;
    for i in 0..n {
        for j in 0..n {
            let a = m[i][j];
            if !(a.is_finite() && a > 0.0) {
                entry_ok = false;
                p.push((
                    format!("{path}.matrix[{i}]"),
                    K::AhpMatrix {
                        block: name.into(),
                        message: format!(
                            "judgment ({}, {}) = {a} is not positive",
                            block.order[i], block.order[j]
                        ),
                    },
                ));
            } else if i == j && (a - 1.0).abs() > RECIPROCAL_TOLERANCE {
                entry_ok = false;
                p.push((
                    format!("{path}.matrix[{i}]"),
                    K::AhpMatrix {
                        block: name.into(),
                        message: format!(
                            "diagonal judgment of {} is {a}, must be 1",
                            block.order[i]
                        ),
                    },
                ));
            } else if i < j
                && m[j][i].is_finite()
                && (a * m[j][i] - 1.0).abs() > RECIPROCAL_TOLERANCE
            {
                entry_ok = false;
                p.push((format!("{path}.matrix[{j}]"), K::AhpMatrix { block: name.into(), message: format!("not reciprocal: ({}, {}) = {a} but ({}, {}) = {}; their product must be 1", block.order[i], block.order[j], block.order[j], block.order[i], m[j][i]) }));
            }
        }
    }
    if !entry_ok {
        return None;
    }
    let limit = spec.analysis_numbers().consistency_limit;
    let result = match ahp::ahp_with_table(m, spec.ri_table, limit) {
        Ok(r) => r,
        Err(e) => {
            p.push((
                format!("{path}.matrix"),
                K::AhpMatrix {
                    block: name.into(),
                    message: e.to_string(),
                },
            ));
            return None;
        }
    };
    if !result.consistent
        && let Some(pair) = &result.most_inconsistent_pair
    {
        p.push((
            format!("{path}.matrix[{}]", pair.i),
            K::AhpInconsistent {
                block: name.into(),
                cr: result.cr,
                limit,
                a: block.order[pair.i].clone(),
                b: block.order[pair.j].clone(),
                judgment: pair.judgment,
                implied: pair.implied,
            },
        ));
    }
    // Weights in the order of `expected`, which is the file order of dimensions or factors.
    let weights = expected
        .iter()
        .map(|id| {
            block
                .order
                .iter()
                .position(|o| o == id)
                .map_or(0.0, |k| result.weights[k])
        })
        .collect();
    reports.push(AhpBlockReport {
        block: name.into(),
        order: block.order.clone(),
        result,
    });
    Some(weights)
}

pub(crate) fn dimension_weights(
    spec: &ModelSpec,
    reports: &mut Vec<AhpBlockReport>,
    p: &mut Problems,
) -> Vec<f64> {
    let ids: Vec<&str> = spec.dimensions.iter().map(|d| d.id.as_str()).collect();
    if ids.is_empty() {
        p.push((
            "dimensions".into(),
            K::Weights {
                scope: "dimensions".into(),
                message: "a model needs at least one dimension".into(),
            },
        ));
        return Vec::new();
    }
    let direct: Vec<Option<f64>> = spec.dimensions.iter().map(|d| d.weight).collect();
    match &spec.dimension_ahp {
        Some(block) => {
            if let Some(k) = direct.iter().position(Option::is_some) {
                p.push((
                    format!("dimensions[{k}].weight"),
                    K::Weights {
                        scope: format!("dimension `{}`", ids[k]),
                        message:
                            "has a direct weight although [dimension_ahp] weighs the dimensions"
                                .into(),
                    },
                ));
            }
            ahp_block(spec, block, "dimensions", "dimension_ahp", &ids, reports, p)
                .unwrap_or_else(|| vec![0.0; ids.len()])
        }
        None => {
            let paths: Vec<String> = (0..ids.len()).map(|k| format!("dimensions[{k}]")).collect();
            direct_weights(&direct, &ids, &paths, "dimension", "dimensions", p)
        }
    }
}

/// Direct weights: each present, in [0, 1], summing to 1.
fn direct_weights(
    weights: &[Option<f64>],
    ids: &[&str],
    paths: &[String],
    what: &str,
    scope: &str,
    p: &mut Problems,
) -> Vec<f64> {
    let mut complete = true;
    for (k, w) in weights.iter().enumerate() {
        match w {
            None => {
                complete = false;
                p.push((
                    paths[k].clone(),
                    K::Weights {
                        scope: format!("{what} `{}`", ids[k]),
                        message: "has no weight and no AHP block weighs it".into(),
                    },
                ));
            }
            Some(x) if !(0.0..=1.0).contains(x) => {
                complete = false;
                p.push((
                    format!("{}.weight", paths[k]),
                    K::Weights {
                        scope: format!("{what} `{}`", ids[k]),
                        message: format!("weight {x} is not in [0, 1]"),
                    },
                ));
            }
            _ => {}
        }
    }
    let out: Vec<f64> = weights.iter().map(|w| w.unwrap_or(0.0)).collect();
    let sum: f64 = out.iter().sum();
    if complete && (sum - 1.0).abs() > WEIGHT_SUM_TOLERANCE {
        let first = paths
            .first()
            .map_or_else(String::new, |x| format!("{x}.weight"));
        p.push((
            first,
            K::WeightsSum {
                scope: scope.into(),
                sum,
            },
        ));
    }
    out
}

pub(crate) fn factor_weights(
    spec: &ModelSpec,
    dim_w: &[f64],
    reports: &mut Vec<AhpBlockReport>,
    p: &mut Problems,
) -> Vec<FactorWeight> {
    let mut local = vec![0.0; spec.factors.len()];
    for (k, f) in spec.factors.iter().enumerate() {
        if !spec.dimensions.iter().any(|d| d.id == f.dimension) {
            p.push((
                format!("factors[{k}].dimension"),
                K::UnknownDimension {
                    factor: f.id.clone(),
                    dimension: f.dimension.clone(),
                },
            ));
        }
    }
    for (d, dim) in spec.dimensions.iter().enumerate() {
        let members: Vec<usize> = (0..spec.factors.len())
            .filter(|&k| spec.factors[k].dimension == dim.id)
            .collect();
        if members.is_empty() {
            p.push((
                format!("dimensions[{d}]"),
                K::Weights {
                    scope: format!("dimension `{}`", dim.id),
                    message: "has no factors".into(),
                },
            ));
            continue;
        }
        let ids: Vec<&str> = members
            .iter()
            .map(|&k| spec.factors[k].id.as_str())
            .collect();
        let weights = match &dim.factor_ahp {
            Some(block) => {
                for &k in &members {
                    if spec.factors[k].weight.is_some() {
                        p.push((format!("factors[{k}].weight"), K::Weights { scope: format!("factor `{}`", spec.factors[k].id), message: format!("has a direct weight although dimension `{}` weighs its factors by AHP", dim.id) }));
                    }
                }
                let path = format!("dimensions[{d}].factor_ahp");
                ahp_block(spec, block, &dim.id, &path, &ids, reports, p)
                    .unwrap_or_else(|| vec![0.0; ids.len()])
            }
            None => {
                let direct: Vec<Option<f64>> =
                    members.iter().map(|&k| spec.factors[k].weight).collect();
                let paths: Vec<String> = members.iter().map(|k| format!("factors[{k}]")).collect();
                direct_weights(
                    &direct,
                    &ids,
                    &paths,
                    "factor",
                    &format!("factors of dimension `{}`", dim.id),
                    p,
                )
            }
        };
        for (m, &k) in members.iter().enumerate() {
            local[k] = weights[m];
        }
    }
    spec.factors
        .iter()
        .enumerate()
        .map(|(k, f)| {
            let d = spec
                .dimensions
                .iter()
                .position(|x| x.id == f.dimension)
                .unwrap_or(0);
            let dw = dim_w.get(d).copied().unwrap_or(0.0);
            FactorWeight {
                factor: f.id.clone(),
                dimension_index: d,
                local: local[k],
                global: dw * local[k],
            }
        })
        .collect()
}
