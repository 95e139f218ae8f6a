//! Chapters 4–8: analysis by dimension, risk identification, single-factor estimation,
//! mitigation, levels before and after measures.

use super::{ReportWriter, n4};
use crate::reports::charts::Chart;
use crate::reports::{Lang, ReportData, ReportError};

pub(super) fn write(
    doc: &mut impl ReportWriter,
    data: &ReportData,
    lang: Lang,
) -> Result<(), ReportError> {
    let r = &data.result;

    doc.heading(lang.pick("四、分维度分析", "4 Analysis by dimension"));
    doc.figure(Chart::Radar, 1, data, lang)?;
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
                f.dimension.clone(),
                format!("{:?}", f.evidence.probability_source).to_lowercase(),
                if f.veto { lang.pick("是", "yes") } else { "" }.into(),
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
    doc.figure(Chart::Matrix, 2, data, lang)?;
    doc.figure(Chart::Contributions, 3, data, lang)?;

    doc.heading(lang.pick(
        "七、风险防范化解措施",
        "7 Mitigation measures and checklist",
    ));
    if r.gate.duties.is_empty() {
        doc.paragraph(lang.pick(
            "本次评估未选择防范化解措施。",
            "No mitigation measures were chosen in this assessment.",
        ));
    } else {
        let duties: Vec<Vec<String>> = r
            .gate
            .duties
            .iter()
            .map(|duty| {
                vec![
                    lang.name(&duty.name),
                    duty.factors
                        .iter()
                        .map(|f| data.factor_name(f, lang))
                        .collect::<Vec<_>>()
                        .join("、"),
                    lang.name(&duty.usual_owner),
                    format!("{:?}", duty.phase),
                    lang.pick("待明确", "to be assigned").into(),
                    if duty.level_depends_on_it {
                        lang.pick("是", "yes")
                    } else {
                        lang.pick("否", "no")
                    }
                    .into(),
                ]
            })
            .collect();
        doc.table(
            &[
                lang.pick("措施", "measure"),
                lang.pick("针对因素", "factors"),
                lang.pick("责任单位", "owner"),
                lang.pick("阶段", "phase"),
                lang.pick("完成时限", "deadline"),
                lang.pick("等级依赖", "level depends on it"),
            ],
            &duties,
        );
    }

    doc.heading(lang.pick("八、措施前后风险等级", "8 Level before and after measures"));
    doc.table(
        &["", "R", lang.pick("等级", "level")],
        &[
            vec![
                lang.pick("初始风险", "initial").into(),
                n4(r.initial.r),
                lang.level(&data.model, r.initial.level),
            ],
            vec![
                lang.pick("落实措施后", "after measures").into(),
                n4(r.residual.outcome.r),
                lang.level(&data.model, r.residual.outcome.level),
            ],
        ],
    );
    for veto in &r.initial.veto {
        doc.framed(
            &[format!(
                "{}：{}",
                lang.pick("否决项", "Veto factor"),
                lang.name(&veto.name)
            )],
            true,
        );
    }

    Ok(())
}
