//! Appendix B: the seeded Monte Carlo — how likely each level is when the expert ratings are
//! drawn from their panel's range instead of taken at their aggregate.

use crate::reports::charts::Chart;
use crate::reports::outline::{ReportWriter, n4};
use crate::reports::{Lang, ReportData, ReportError};
use crate::scoring::histogram::edge_label;
use crate::scoring::simulation::LevelDistribution;

fn percent(p: f64) -> String {
    format!("#{:.2}%", p * 100.0)
}

fn row(label: &str, d: &LevelDistribution) -> Vec<String> {
    vec![
        label.to_owned(),
        percent(d.p_low),
        percent(d.p_medium),
        percent(d.p_high),
        n4(d.r_quantiles.p5),
        n4(d.r_quantiles.p50),
        n4(d.r_quantiles.p95),
    ]
}

pub(super) fn write(
    doc: &mut impl ReportWriter,
    data: &ReportData,
    lang: Lang,
) -> Result<(), ReportError> {
    doc.heading(lang.pick("附录二　不确定性分析", "Appendix B Uncertainty"));
    let Some(sim) = data.simulation() else {
        doc.paragraph(lang.pick(
            "本次评估的记录输入无法进行模拟，故未作不确定性分析。",
            "The recorded inputs of this assessment cannot be simulated; no uncertainty analysis.",
        ));
        return Ok(());
    };
    let (sep, stop) = (lang.pick("，", ", "), lang.pick("。", ". "));
    doc.paragraph(&format!(
        "{} {}{sep}{} {}{stop}{}",
        lang.pick("蒙特卡罗模拟：抽样次数", "Monte Carlo simulation: draws"),
        sim.draws,
        lang.pick("随机种子", "seed"),
        sim.seed,
        lang.pick(
            "专家评定的概率和影响等级按专家意见的范围取三角分布抽样，权重不扰动；同一评估和参数得到同样的结果。",
            "Expert-rated probability and impact grades are drawn from triangular distributions over the panel's range; weights are not perturbed; the same assessment and parameters give the same result.",
        )
    ));
    doc.figure(Chart::MonteCarlo, data, lang)?;
    doc.table(
        &[
            "",
            lang.pick("低风险概率", "P(low)"),
            lang.pick("中风险概率", "P(medium)"),
            lang.pick("高风险概率", "P(high)"),
            "R 5%",
            "R 50%",
            "R 95%",
        ],
        &[
            row(lang.pick("初始风险", "initial"), &sim.initial),
            row(lang.pick("落实措施后", "after measures"), &sim.residual),
        ],
    );
    let bins: Vec<Vec<String>> = sim
        .residual
        .histogram
        .iter()
        .zip(&sim.initial.histogram)
        .filter(|(r, i)| r.count > 0 || i.count > 0)
        .map(|(r, i)| {
            vec![
                format!("{}–{}", edge_label(r.from), edge_label(r.to)),
                format!("#{}", i.count),
                format!("#{}", r.count),
            ]
        })
        .collect();
    doc.table(
        &[
            lang.pick("R 区间", "R interval"),
            lang.pick("初始风险次数", "draws, initial"),
            lang.pick("措施后次数", "draws, after measures"),
        ],
        &bins,
    );
    Ok(())
}
