//! Chapters 4–6: analysis by dimension, risk identification, single-factor estimation.

use super::{ReportWriter, n4};
use crate::reports::charts::Chart;
use crate::reports::labels::Group;
use crate::reports::{Lang, ReportData, ReportError};
use crate::scoring::assessment::FactorAssessment;

/// Where a factor's probability came from, with the value read: "决策属性：签约率 85%".
fn probability_evidence(f: &FactorAssessment, lang: Lang) -> String {
    let e = &f.evidence;
    let source = lang.word_of(Group::EvidenceSources, &e.probability_source);
    let value = lang.evidence_reading(e);
    match value {
        Some(value) => format!("{source}{}{value}", lang.colon()),
        None => source,
    }
}

/// A dimension's name by its id, from the assessment.
fn dimension_name(data: &ReportData, id: &str, lang: Lang) -> String {
    data.result
        .dimensions
        .iter()
        .find(|d| d.id == id)
        .map(|d| lang.name(&d.name))
        .unwrap_or_else(|| id.to_owned())
}

pub(super) fn write(
    doc: &mut impl ReportWriter,
    data: &ReportData,
    lang: Lang,
) -> Result<(), ReportError> {
    let r = &data.result;

    doc.heading(lang.pick("四、分维度分析", "4 Analysis by dimension"));
    doc.figure(Chart::Radar, data, lang)?;
    let dims: Vec<Vec<String>> = r
        .dimensions
        .iter()
        .map(|dim| {
            vec![
                lang.name(&dim.name),
                n4(dim.weight),
                n4(dim.initial_score),
                n4(dim.initial_normalised.unwrap_or(0.0)),
                n4(dim.residual_score),
                n4(dim.residual_normalised.unwrap_or(0.0)),
            ]
        })
        .collect();
    doc.table(
        &[
            lang.pick("维度", "dimension"),
            lang.pick("权重", "weight"),
            lang.pick("得分", "score"),
            lang.pick("得分/权重", "score/weight"),
            lang.pick("措施后得分", "after measures"),
            lang.pick("措施后得分/权重", "after/weight"),
        ],
        &dims,
    );

    doc.heading(lang.pick("五、风险识别", "5 Risk identification"));
    let identified: Vec<Vec<String>> = r
        .factors
        .iter()
        .enumerate()
        .map(|(i, f)| {
            vec![
                format!("#{}", i + 1),
                lang.name(&f.name),
                dimension_name(data, &f.dimension, lang),
                probability_evidence(f, lang),
                if f.veto {
                    lang.yes_no(true)
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    doc.table(
        &[
            "#",
            lang.pick("风险因素", "factor"),
            lang.pick("维度", "dimension"),
            lang.pick("概率依据", "probability evidence"),
            lang.pick("否决项", "veto"),
        ],
        &identified,
    );

    doc.heading(lang.pick("六、单因素风险估计", "6 Single-factor estimation"));
    let factors: Vec<Vec<String>> = r
        .factors
        .iter()
        .enumerate()
        .map(|(i, f)| {
            vec![
                format!("#{}", i + 1),
                lang.name(&f.name),
                n4(f.initial.probability.value),
                n4(f.initial.impact.value),
                n4(f.initial.degree),
                n4(f.weight),
                n4(f.initial.contribution),
                lang.level(&data.model, f.initial.level),
                f.expert_count.to_string(),
            ]
        })
        .collect();
    doc.table(
        &[
            "#",
            lang.pick("风险因素", "factor"),
            "P",
            "I",
            "rᵢ",
            "wᵢ",
            "cᵢ",
            lang.pick("等级", "level"),
            lang.pick("专家数", "experts"),
        ],
        &factors,
    );
    doc.figure(Chart::Matrix, data, lang)?;
    doc.figure(Chart::Contributions, data, lang)?;

    Ok(())
}
