//! Appendix C: the decision's scenarios side by side, each by its newest assessment made up to
//! this one (so later assessments never change this report).

use crate::reports::charts::Chart;
use crate::reports::outline::{ReportWriter, n4};
use crate::reports::{Lang, ReportData, ReportError};

pub(super) fn write(
    doc: &mut impl ReportWriter,
    data: &ReportData,
    lang: Lang,
) -> Result<(), ReportError> {
    doc.heading(lang.pick("附录三　方案比较", "Appendix C Scenario comparison"));
    if data.scenarios.len() < 2 {
        doc.paragraph(lang.pick(
            "截至本次评估，该决策事项只评估了一个方案，无可比较的其他方案。",
            "Up to this assessment only one scenario of the decision was assessed; there is nothing to compare.",
        ));
    } else {
        doc.paragraph(lang.pick(
            "各方案取截至本次评估时最新的一次评估。",
            "Each scenario by its newest assessment made up to this one.",
        ));
        doc.figure(Chart::Scenarios, data, lang)?;
    }
    let rows: Vec<Vec<String>> = data
        .scenarios
        .iter()
        .map(|s| {
            let mut name = data.scenario_name(s, lang);
            if s.reported {
                name.push_str(lang.pick("（本报告）", " (this report)"));
            }
            vec![
                name,
                if s.baseline {
                    lang.yes_no(true)
                } else {
                    String::new()
                },
                n4(s.r),
                lang.level(&data.model, s.level),
                n4(s.residual_r),
                lang.level(&data.model, s.residual_level),
                s.assessment_id.to_string(),
            ]
        })
        .collect();
    doc.table(
        &[
            lang.pick("方案", "scenario"),
            lang.pick("基准", "baseline"),
            lang.pick("初始 R", "initial R"),
            lang.pick("初始等级", "initial level"),
            lang.pick("措施后 R", "R after measures"),
            lang.pick("措施后等级", "level after measures"),
            lang.pick("评估编号", "assessment"),
        ],
        &rows,
    );
    Ok(())
}
