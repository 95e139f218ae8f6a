//! Semantic validation of a [`ModelSpec`]: collects every problem with the key path it belongs to.

use std::collections::BTreeSet;

use super::error::ModelErrorKind as K;
use super::model::{DerivedModel, EvidenceRule, HearingRule, Level, Method, ModelSpec};
use super::simulation::MAX_DRAWS;
use super::weights::{dimension_weights, factor_weights};

/// Weights must sum to 1 within this.
pub const WEIGHT_SUM_TOLERANCE: f64 = 1e-6;

pub(crate) type Problems = Vec<(String, K)>;

pub(crate) fn validate(spec: &ModelSpec) -> Result<DerivedModel, Problems> {
    let mut p = Problems::new();
    check_ids(spec, &mut p);
    check_scales(spec, &mut p);
    check_levels(spec, &mut p);
    let factor_matrix = check_factor_matrix(spec, &mut p);
    let fuzzy_levels = check_fuzzy(spec, &mut p);
    check_panel_and_consultation(spec, &mut p);
    check_analysis_numbers(spec, &mut p);
    let mut ahp_blocks = Vec::new();
    let dimension_weights = dimension_weights(spec, &mut ahp_blocks, &mut p);
    let factor_weights = factor_weights(spec, &dimension_weights, &mut ahp_blocks, &mut p);
    check_evidence(spec, &mut p);
    check_measures(spec, &mut p);
    if p.is_empty() {
        Ok(DerivedModel {
            dimension_weights,
            factor_weights,
            ahp_blocks,
            factor_matrix,
            fuzzy_levels,
        })
    } else {
        Err(p)
    }
}

fn check_ids(spec: &ModelSpec, p: &mut Problems) {
    let groups: [(&str, &str, Vec<&str>); 3] = [
        (
            "dimensions",
            "dimension",
            spec.dimensions.iter().map(|d| d.id.as_str()).collect(),
        ),
        (
            "factors",
            "factor",
            spec.factors.iter().map(|f| f.id.as_str()).collect(),
        ),
        (
            "measures",
            "measure",
            spec.measures.iter().map(|m| m.id.as_str()).collect(),
        ),
    ];
    if spec.id.trim().is_empty() {
        p.push((
            "id".into(),
            K::DuplicateId {
                what: "model".into(),
                id: String::new(),
            },
        ));
    }
    for (section, what, ids) in groups {
        let mut seen = BTreeSet::new();
        for (k, id) in ids.iter().enumerate() {
            if id.trim().is_empty() || !seen.insert(*id) {
                p.push((
                    format!("{section}[{k}].id"),
                    K::DuplicateId {
                        what: what.into(),
                        id: (*id).into(),
                    },
                ));
            }
        }
    }
}

fn check_scales(spec: &ModelSpec, p: &mut Problems) {
    for (name, scale) in [
        ("probability", &spec.grades.probability),
        ("impact", &spec.grades.impact),
    ] {
        let path = format!("grades.{name}.values");
        let v = &scale.values;
        let problem = if v.len() != 5 {
            Some(format!("has {} values, expected 5 (grades 1..5)", v.len()))
        } else if let Some(x) = v.iter().find(|x| !(**x > 0.0 && **x <= 1.0)) {
            Some(format!("value {x} is not in (0, 1]"))
        } else if v.windows(2).any(|w| w[1] <= w[0]) {
            Some(format!("values {v:?} are not strictly increasing"))
        } else {
            None
        };
        if let Some(message) = problem {
            p.push((
                path,
                K::GradeScale {
                    scale: name.into(),
                    message,
                },
            ));
        }
    }
}

fn check_levels(spec: &ModelSpec, p: &mut Problems) {
    let l = &spec.levels;
    if !(l.medium > 0.0 && l.medium < l.high && l.high <= 1.0) {
        p.push((
            "levels.medium".into(),
            K::Thresholds {
                medium: l.medium,
                high: l.high,
            },
        ));
    }
}

fn check_factor_matrix(spec: &ModelSpec, p: &mut Problems) -> Vec<Vec<Level>> {
    let rows = &spec.factor_matrix.rows;
    if rows.len() != 5 || rows.iter().any(|r| r.len() != 5) {
        let shape: Vec<usize> = rows.iter().map(Vec::len).collect();
        p.push((
            "factor_matrix.rows".into(),
            K::FactorMatrix {
                message: format!(
                    "must be 5×5 (probability rows × impact columns); row lengths are {shape:?}"
                ),
            },
        ));
    }
    let mut out = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let mut levels = Vec::new();
        for (c, cell) in row.iter().enumerate() {
            match Level::parse(cell) {
                Some(l) => levels.push(l),
                None => p.push((
                    format!("factor_matrix.rows[{r}][{c}]"),
                    K::FactorMatrix { message: format!("unknown level `{cell}` at probability {}, impact {} (use low, medium, high)", r + 1, c + 1) },
                )),
            }
        }
        out.push(levels);
    }
    // A level that falls as a grade rises would let a measure raise the level.
    for p_ in 0..out.len() {
        for q in 0..out[p_].len() {
            let here = out[p_][q];
            let up = out
                .get(p_ + 1)
                .and_then(|r| r.get(q))
                .is_some_and(|l| *l < here);
            let right = out[p_].get(q + 1).is_some_and(|l| *l < here);
            if up || right {
                p.push((
                    format!("factor_matrix.rows[{p_}]"),
                    K::FactorMatrix { message: format!("level falls as a grade rises after probability {}, impact {}: levels must not decrease along rows or columns", p_ + 1, q + 1) },
                ));
            }
        }
    }
    out
}

fn check_fuzzy(spec: &ModelSpec, p: &mut Problems) -> Option<Vec<Level>> {
    let fuzzy = match (&spec.fuzzy, spec.method) {
        (Some(f), _) => f,
        (None, Method::Fuzzy) => {
            p.push((
                "method".into(),
                K::Section {
                    section: "fuzzy".into(),
                    message: "method = \"fuzzy\" needs a [fuzzy] section with grade_levels".into(),
                },
            ));
            return None;
        }
        (None, Method::Index) => return None,
    };
    let levels: Vec<Option<Level>> = fuzzy.grade_levels.iter().map(|s| Level::parse(s)).collect();
    if levels.len() != 5 || levels.iter().any(Option::is_none) {
        p.push((
            "fuzzy.grade_levels".into(),
            K::Section {
                section: "fuzzy".into(),
                message: format!(
                    "grade_levels {:?} must be 5 of low, medium, high",
                    fuzzy.grade_levels
                ),
            },
        ));
        return None;
    }
    Some(levels.into_iter().flatten().collect())
}

fn check_panel_and_consultation(spec: &ModelSpec, p: &mut Problems) {
    let panel = &spec.panel;
    let me = panel.missing_evidence;
    if !(1..=5).contains(&me.probability) || !(1..=5).contains(&me.impact) {
        p.push((
            "panel.missing_evidence".into(),
            K::Section {
                section: "panel".into(),
                message: "missing_evidence grades must be in 1..5".into(),
            },
        ));
    }
    if !(1..=4).contains(&panel.disagreement_spread) || panel.min_experts == 0 {
        p.push((
            "panel".into(),
            K::Section {
                section: "panel".into(),
                message: "disagreement_spread must be in 1..4 and min_experts at least 1".into(),
            },
        ));
    }
    let c = &spec.consultation;
    if c.min_public_notice_days
        .is_some_and(|d| !(d.is_finite() && d >= 0.0))
    {
        p.push((
            "consultation.min_public_notice_days".into(),
            K::Section {
                section: "consultation".into(),
                message: "min_public_notice_days must be a non-negative number".into(),
            },
        ));
    }
    let share_ok = c.hearing_support_below.is_some_and(|s| s > 0.0 && s <= 1.0);
    if c.hearing == HearingRule::WhenMostObject && !share_ok {
        p.push((
            "consultation.hearing".into(),
            K::Section {
                section: "consultation".into(),
                message: "hearing = \"when_most_object\" needs hearing_support_below in (0, 1]"
                    .into(),
            },
        ));
    }
}

/// The tables a model file must declare; a snapshot of a model written before they existed lacks them.
pub(crate) fn missing_declarations(spec: &ModelSpec) -> Problems {
    let mut p = Problems::new();
    if spec.ahp.is_none() {
        p.push((
            "ahp".into(),
            K::Section {
                section: "ahp".into(),
                message:
                    "missing: a model file declares [ahp] with consistency_limit and its provenance"
                        .into(),
            },
        ));
    }
    if spec.uncertainty.is_none() {
        p.push((
            "uncertainty".into(),
            K::Section {
                section: "uncertainty".into(),
                message: "missing: a model file declares [uncertainty] with order_holds_share, order_draws, order_seed, report_draws, report_seed and its provenance".into(),
            },
        ));
    }
    p
}

fn check_analysis_numbers(spec: &ModelSpec, p: &mut Problems) {
    let mut refuse = |section: &str, key: &str, message: String| {
        p.push((
            format!("{section}.{key}"),
            K::Section {
                section: section.into(),
                message,
            },
        ));
    };
    if let Some(a) = &spec.ahp
        && !(a.consistency_limit > 0.0 && a.consistency_limit < 1.0)
    {
        refuse(
            "ahp",
            "consistency_limit",
            format!(
                "consistency_limit {} must be in (0, 1)",
                a.consistency_limit
            ),
        );
    }
    let Some(u) = &spec.uncertainty else {
        return;
    };
    // At most half the draws keeping an order is no evidence that it holds.
    if !(u.order_holds_share > 0.5 && u.order_holds_share <= 1.0) {
        refuse(
            "uncertainty",
            "order_holds_share",
            format!(
                "order_holds_share {} must be in (0.5, 1]",
                u.order_holds_share
            ),
        );
    }
    for (key, draws) in [
        ("order_draws", u.order_draws),
        ("report_draws", u.report_draws),
    ] {
        if !(1..=MAX_DRAWS).contains(&draws) {
            refuse(
                "uncertainty",
                key,
                format!("{key} {draws} must be in 1..={MAX_DRAWS}, the simulation's limits"),
            );
        }
    }
}

fn check_evidence(spec: &ModelSpec, p: &mut Problems) {
    for (k, f) in spec.factors.iter().enumerate() {
        let path = format!("factors[{k}].evidence");
        let (breakpoints, grades, impact) = match &f.evidence {
            EvidenceRule::Expert => continue,
            EvidenceRule::Attribute(a) => {
                if a.attribute.trim().is_empty() {
                    p.push((
                        path.clone(),
                        K::Evidence {
                            factor: f.id.clone(),
                            message: "attribute name is empty".into(),
                        },
                    ));
                }
                (&a.breakpoints, &a.grades, a.impact)
            }
            EvidenceRule::Petition(r) => {
                if r.window_months == 0 || r.categories.is_empty() {
                    p.push((path.clone(), K::Evidence { factor: f.id.clone(), message: "a petition indicator needs categories and a window of at least one month".into() }));
                }
                (&r.breakpoints, &r.grades, r.impact)
            }
            EvidenceRule::Ledger(r) => {
                if r.topics.is_empty() {
                    p.push((
                        path.clone(),
                        K::Evidence {
                            factor: f.id.clone(),
                            message: "a ledger indicator needs at least one topic".into(),
                        },
                    ));
                }
                (&r.breakpoints, &r.grades, r.impact)
            }
        };
        if breakpoints.iter().any(|b| !b.is_finite())
            || breakpoints.windows(2).any(|w| w[1] <= w[0])
        {
            p.push((
                format!("{path}.breakpoints"),
                K::BreakpointsUnsorted {
                    factor: f.id.clone(),
                    breakpoints: breakpoints.clone(),
                },
            ));
        }
        if grades.len() != breakpoints.len() + 1 {
            p.push((
                format!("{path}.grades"),
                K::Evidence {
                    factor: f.id.clone(),
                    message: format!(
                        "{} breakpoints need {} grades, found {}",
                        breakpoints.len(),
                        breakpoints.len() + 1,
                        grades.len()
                    ),
                },
            ));
        }
        if let Some(g) = grades
            .iter()
            .chain(impact.as_ref())
            .find(|g| !(1..=5).contains(*g))
        {
            p.push((
                format!("{path}.grades"),
                K::Evidence {
                    factor: f.id.clone(),
                    message: format!("grade {g} is outside 1..5"),
                },
            ));
        }
    }
}

fn check_measures(spec: &ModelSpec, p: &mut Problems) {
    for (k, m) in spec.measures.iter().enumerate() {
        if m.effects.is_empty() {
            p.push((
                format!("measures[{k}].effects"),
                K::Measure {
                    measure: m.id.clone(),
                    message: "addresses no factor".into(),
                },
            ));
        }
        if !(m.cost.is_finite() && m.cost >= 0.0) {
            p.push((
                format!("measures[{k}].cost"),
                K::Measure {
                    measure: m.id.clone(),
                    message: format!("cost {} must be a non-negative number", m.cost),
                },
            ));
        }
        for (e, effect) in m.effects.iter().enumerate() {
            if !spec.factors.iter().any(|f| f.id == effect.factor) {
                p.push((
                    format!("measures[{k}].effects[{e}].factor"),
                    K::UnknownFactorInMeasure {
                        measure: m.id.clone(),
                        factor: effect.factor.clone(),
                    },
                ));
            }
            if !(1..=4).contains(&effect.steps) {
                p.push((
                    format!("measures[{k}].effects[{e}].steps"),
                    K::Measure {
                        measure: m.id.clone(),
                        message: format!("steps {} must be in 1..4", effect.steps),
                    },
                ));
            }
        }
    }
}
