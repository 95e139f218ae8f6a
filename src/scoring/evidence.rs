//! A factor's evidence rule applied to the inputs: the (probability, impact) grade units it yields.

use super::assessment::{EvidenceSource, EvidenceUsed};
use super::inputs::AssessmentInputs;
use super::model::{EvidenceRule, FactorSpec, GradePair};

/// One expert's grades of a factor.
#[derive(Debug, Clone)]
pub(crate) struct ExpertGrades {
    pub expert: String,
    pub probability: u8,
    pub impact: u8,
}

/// Grade units of a factor: each unit is one (probability, impact) pair; aggregation runs over units.
#[derive(Debug, Clone)]
pub(crate) struct FactorEvidence {
    pub units: Vec<(u8, u8)>,
    pub evidence: EvidenceUsed,
    pub experts: Vec<ExpertGrades>,
}

/// grades[k] where k = number of breakpoints ≤ value.
pub(crate) fn map_breakpoints(value: f64, breakpoints: &[f64], grades: &[u8]) -> u8 {
    let k = breakpoints.partition_point(|&b| b <= value);
    grades.get(k).or(grades.last()).copied().unwrap_or(1)
}

pub(crate) fn gather(
    factor: &FactorSpec,
    inputs: &AssessmentInputs,
    missing: GradePair,
) -> FactorEvidence {
    let experts: Vec<ExpertGrades> = inputs
        .ratings
        .iter()
        .filter_map(|(expert, ratings)| {
            ratings.get(&factor.id).map(|r| ExpertGrades {
                expert: expert.clone(),
                probability: r.probability,
                impact: r.impact,
            })
        })
        .collect();
    let (source, name, raw, breakpoints, grades, stated_impact) = match &factor.evidence {
        EvidenceRule::Expert => return from_experts(experts, None, missing, None),
        EvidenceRule::Attribute(a) => (
            EvidenceSource::Attribute,
            a.attribute.clone(),
            inputs.attributes.get(&a.attribute).map(|v| v.as_f64()),
            &a.breakpoints,
            &a.grades,
            a.impact,
        ),
        EvidenceRule::Petition(p) => (
            EvidenceSource::Petition,
            p.indicator.name().to_string(),
            inputs.indicators.get(&factor.id).copied(),
            &p.breakpoints,
            &p.grades,
            p.impact,
        ),
        EvidenceRule::Ledger(l) => (
            EvidenceSource::Ledger,
            l.indicator.name().to_string(),
            inputs.indicators.get(&factor.id).copied(),
            &l.breakpoints,
            &l.grades,
            l.impact,
        ),
    };
    let Some(raw) = raw else {
        let why = match source {
            EvidenceSource::Attribute => format!("attribute `{name}` not given"),
            EvidenceSource::Ledger => format!("ledger indicator `{name}` not given"),
            _ => format!("petition indicator `{name}` not given"),
        };
        return from_experts(experts, stated_impact, missing, Some(why));
    };
    let p = map_breakpoints(raw, breakpoints, grades);
    let (units, impact_source) = match stated_impact {
        Some(q) => (vec![(p, q)], EvidenceSource::Stated),
        None if !experts.is_empty() => (
            experts.iter().map(|e| (p, e.impact)).collect(),
            EvidenceSource::Expert,
        ),
        None => (vec![(p, missing.impact)], EvidenceSource::Assumed),
    };
    FactorEvidence {
        units,
        evidence: EvidenceUsed {
            probability_source: source,
            impact_source,
            name: Some(name),
            raw_value: Some(raw),
            mapped_grade: Some(p),
            fallback: None,
        },
        experts,
    }
}

/// Expert units, or the assumed grades when nobody rated the factor.
fn from_experts(
    experts: Vec<ExpertGrades>,
    stated_impact: Option<u8>,
    missing: GradePair,
    fallback: Option<String>,
) -> FactorEvidence {
    let stated_source = EvidenceSource::Stated;
    let (units, probability_source, impact_source) = if experts.is_empty() {
        let q = stated_impact.unwrap_or(missing.impact);
        let qs = if stated_impact.is_some() {
            stated_source
        } else {
            EvidenceSource::Assumed
        };
        (vec![(missing.probability, q)], EvidenceSource::Assumed, qs)
    } else {
        let units = experts
            .iter()
            .map(|e| (e.probability, stated_impact.unwrap_or(e.impact)))
            .collect();
        let qs = if stated_impact.is_some() {
            stated_source
        } else {
            EvidenceSource::Expert
        };
        (units, EvidenceSource::Expert, qs)
    };
    FactorEvidence {
        units,
        evidence: EvidenceUsed {
            probability_source,
            impact_source,
            name: None,
            raw_value: None,
            mapped_grade: None,
            fallback,
        },
        experts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breakpoints_count_values_at_or_above() {
        let b = [0.8, 0.9, 1.0, 1.1];
        let g = [5, 4, 3, 2, 1];
        assert_eq!(map_breakpoints(0.5, &b, &g), 5);
        assert_eq!(map_breakpoints(0.8, &b, &g), 4);
        assert_eq!(map_breakpoints(1.0, &b, &g), 2);
        assert_eq!(map_breakpoints(0.95, &b, &g), 3);
        assert_eq!(map_breakpoints(1.1, &b, &g), 1);
    }
}
