//! Appendix A: the tornado, then the exact flip points and weight intervals of the level the gate
//! reads (after measures).

use crate::reports::charts::Chart;
use crate::reports::outline::{ReportWriter, n4};
use crate::reports::{Lang, ReportData, ReportError};
use crate::scoring::LevelBasis;
use crate::scoring::sensitivity::AxisFlips;

/// "grade 4 (+1) → high, R 0.5123", or a dash when no grade in 1..5 changes the level that way.
fn flip(axis: &AxisFlips, up: bool, data: &ReportData, lang: Lang) -> String {
    let found = if up { &axis.up } else { &axis.down };
    match found {
        Some(f) => format!(
            "{} {} ({:+}) → {}, R {:.4}",
            lang.pick("等级", "grade"),
            f.grade,
            f.change,
            lang.level(&data.model, f.level),
            f.r
        ),
        None => "—".to_owned(),
    }
}

pub(super) fn write(
    doc: &mut impl ReportWriter,
    data: &ReportData,
    lang: Lang,
) -> Result<(), ReportError> {
    doc.heading(lang.pick("附录一　敏感性分析", "Appendix A Sensitivity"));
    doc.figure(Chart::Tornado, data, lang)?;
    let bars: Vec<Vec<String>> = data
        .sensitivity
        .tornado
        .iter()
        .map(|b| {
            vec![
                data.factor_name(&b.factor, lang),
                n4(b.r_lower),
                n4(b.r_higher),
                n4(b.swing),
            ]
        })
        .collect();
    doc.table(
        &[
            lang.pick("风险因素", "factor"),
            lang.pick("概率降一级 R", "R, one grade lower"),
            lang.pick("概率升一级 R", "R, one grade higher"),
            lang.pick("摆幅", "swing"),
        ],
        &bars,
    );

    let residual = &data.sensitivity.residual;
    doc.paragraph(&format!(
        "{}{}{}",
        lang.pick(
            "风险等级翻转点：单个因素的概率或影响等级改变到何值时，措施后风险等级随之改变；由 R 的线性形式精确求得，“—”表示 1–5 级内不会改变",
            "Flip points: the grade of one factor's probability or impact at which the level after measures changes, solved exactly from the linear form of R; “—” means no grade in 1–5 changes it",
        ),
        lang.bracket(&format!(
            "R = {:.4}{}{}",
            residual.r,
            lang.pick("，", ", "),
            lang.level(&data.model, residual.level)
        )),
        lang.pick("。", ".")
    ));
    if data.sensitivity.basis == LevelBasis::IndexBandsOfFuzzyModel {
        doc.paragraph(lang.pick(
            "本模型以模糊综合评价定级；下列等级按模型的 R 分级阈值和否决项计算，作为参考指标。",
            "This model reads its level from fuzzy evaluation; the levels below apply its R bands and veto to R, as an indicator.",
        ));
    }
    let flips: Vec<Vec<String>> = residual
        .flip_points
        .iter()
        .map(|f| {
            vec![
                data.factor_name(&f.factor, lang),
                format!("#{}", f.probability.grade),
                flip(&f.probability, true, data, lang),
                flip(&f.probability, false, data, lang),
                format!("#{}", f.impact.grade),
                flip(&f.impact, true, data, lang),
                flip(&f.impact, false, data, lang),
            ]
        })
        .collect();
    doc.table(
        &[
            lang.pick("风险因素", "factor"),
            lang.pick("概率等级", "P grade"),
            lang.pick("概率上调翻转", "P up flips at"),
            lang.pick("概率下调翻转", "P down flips at"),
            lang.pick("影响等级", "I grade"),
            lang.pick("影响上调翻转", "I up flips at"),
            lang.pick("影响下调翻转", "I down flips at"),
        ],
        &flips,
    );
    doc.paragraph(lang.pick(
        "权重区间：其余权重按比例调整、总和保持为 1 时，措施后风险等级不变的权重范围。",
        "Weight intervals: the range of each weight, the others rescaled to keep the sum 1, within which the level after measures holds.",
    ));
    let weights: Vec<Vec<String>> = residual
        .weight_intervals
        .iter()
        .map(|w| {
            vec![
                data.factor_name(&w.factor, lang),
                n4(w.weight),
                n4(w.lo),
                n4(w.hi),
            ]
        })
        .collect();
    doc.table(
        &[
            lang.pick("风险因素", "factor"),
            lang.pick("权重", "weight"),
            lang.pick("下限", "lowest"),
            lang.pick("上限", "highest"),
        ],
        &weights,
    );
    Ok(())
}
