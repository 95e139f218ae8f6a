//! Chapters 7–8: the mitigation measures with the checklist as it stood (owners, deadlines,
//! progress), the proposed measures the residual level did not count, and the levels before and
//! after measures.

use super::{ReportWriter, n4};
use crate::reports::labels::Group;
use crate::reports::{Lang, ReportData};

fn factor_list(data: &ReportData, factors: &[String], lang: Lang) -> String {
    let names: Vec<String> = factors.iter().map(|f| data.factor_name(f, lang)).collect();
    lang.list(&names)
}

pub(super) fn write(doc: &mut impl ReportWriter, data: &ReportData, lang: Lang) {
    let r = &data.result;
    doc.heading(lang.pick(
        "七、风险防范化解措施",
        "7 Mitigation measures and checklist",
    ));
    if r.gate.duties.is_empty() {
        doc.paragraph(lang.pick(
            "本次评估未计入防范化解措施。",
            "No mitigation measures were counted in this assessment.",
        ));
    } else {
        let duties: Vec<Vec<String>> = r
            .gate
            .duties
            .iter()
            .map(|duty| {
                vec![
                    lang.name(&duty.name),
                    factor_list(data, &duty.factors, lang),
                    lang.name(&duty.usual_owner),
                    lang.word_of(Group::MeasurePhases, &duty.phase),
                    lang.yes_no(duty.level_depends_on_it),
                ]
            })
            .collect();
        doc.table(
            &[
                lang.pick("措施", "measure"),
                lang.pick("针对因素", "factors"),
                lang.pick("通常责任单位", "usual owner"),
                lang.pick("阶段", "phase"),
                lang.pick("等级依赖", "level depends on it"),
            ],
            &duties,
        );
    }

    doc.paragraph(lang.pick(
        "措施清单（评估时状态）：",
        "Checklist as it stood when the assessment was made:",
    ));
    let unassigned = lang.pick("未明确", "not assigned");
    let checklist: Vec<Vec<String>> = data
        .inputs
        .checklist
        .iter()
        .map(|item| {
            vec![
                data.measure_name(&item.measure, lang),
                factor_list(data, &item.factors, lang),
                item.owner_unit.clone().unwrap_or_else(|| unassigned.into()),
                item.lead_person
                    .clone()
                    .unwrap_or_else(|| unassigned.into()),
                item.due_date
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| unassigned.into()),
                lang.word(Group::ChecklistStatuses, &item.status),
                if item.overdue {
                    lang.pick("已逾期", "overdue").into()
                } else {
                    String::new()
                },
                item.evidence_note.clone(),
            ]
        })
        .collect();
    if checklist.is_empty() {
        doc.paragraph(lang.pick(
            "尚未建立措施清单：各项措施的责任单位、责任人和完成时限均未落实。",
            "No checklist yet: no measure has an owner unit, lead person or deadline.",
        ));
    } else {
        doc.table(
            &[
                lang.pick("措施", "measure"),
                lang.pick("针对因素", "factors"),
                lang.pick("责任单位", "owner unit"),
                lang.pick("责任人", "lead person"),
                lang.pick("完成时限", "deadline"),
                lang.pick("状态", "status"),
                lang.pick("逾期", "overdue"),
                lang.pick("落实情况说明", "evidence"),
            ],
            &checklist,
        );
    }
    let overdue = data.inputs.checklist.iter().filter(|i| i.overdue).count();
    if overdue > 0 {
        doc.framed(
            &[format!(
                "{}{}{overdue}",
                lang.pick("已逾期的措施", "Overdue checklist items"),
                lang.colon()
            )],
            true,
        );
    }
    let uncounted: Vec<Vec<String>> = data
        .inputs
        .scenario
        .iter()
        .flat_map(|s| &s.uncounted_measures)
        .map(|u| {
            vec![
                data.measure_name(&u.measure, lang),
                lang.word(Group::UncountedReasons, &u.reason),
            ]
        })
        .collect();
    if !uncounted.is_empty() {
        doc.paragraph(lang.pick(
            "以下拟采取的措施未计入措施后风险等级：",
            "These proposed measures were not counted in the level after measures:",
        ));
        doc.table(
            &[
                lang.pick("拟采取措施", "proposed measure"),
                lang.pick("未计入原因", "why not counted"),
            ],
            &uncounted,
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
                "{}{}{}",
                lang.pick("否决项", "Veto factor"),
                lang.colon(),
                lang.name(&veto.name)
            )],
            true,
        );
    }
}
