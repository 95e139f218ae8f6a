//! Chapters 9–10: the recommendation in the committee's words with the committee's resolutions,
//! and the emergency-plan points.

use super::{ReportWriter, resolution};
use crate::reports::{Lang, ReportData};
use crate::scoring::GateOutcome;

/// The gate's outcome in the words a committee uses.
pub(super) fn gate_words(outcome: GateOutcome, lang: Lang) -> &'static str {
    match outcome {
        GateOutcome::NotApproved => lang.pick("不予审批（核准）。", "Not to be approved."),
        GateOutcome::ApprovableWithControls => lang.pick(
            "可予审批，须落实可靠的风险防范措施，审批文件应列明下列责任。",
            "Approvable with reliable controls; the approval must list the duties below.",
        ),
        GateOutcome::DoNotImplement => lang.pick(
            "不予实施；应调整方案后重新评估。",
            "Do not implement; redesign the decision and reassess.",
        ),
        GateOutcome::ImplementAfterMitigation => lang.pick(
            "在防范化解措施落实到位后方可实施。",
            "Implement only after the mitigation plan is in place.",
        ),
        GateOutcome::MayImplement => lang.pick(
            "可以实施，并妥善处理合理诉求。",
            "May implement; handle reasonable demands.",
        ),
    }
}

/// Emergency-plan points common to every kind of decision (DOMAIN: measures across all kinds).
const EMERGENCY_POINTS: [(&str, &str); 6] = [
    (
        "设立信访接待点，开展人民调解，及时就地化解矛盾。",
        "Open a petition reception point and people's mediation on site.",
    ),
    (
        "建立责任矩阵：明确牵头领导、责任部门和完成时限。",
        "Set a responsibility matrix: lead official, department, deadline.",
    ),
    (
        "制定应急预案，明确信息报送渠道和处置流程。",
        "Keep an emergency plan with an information reporting line.",
    ),
    (
        "制定舆情应对方案，及时发布权威信息。",
        "Prepare a media plan and publish authoritative information early.",
    ),
    (
        "群体性事件苗头出现时，第一时间报告并启动预案。",
        "Report at once and start the plan when signs of a mass incident appear.",
    ),
    (
        "实施后持续跟踪监测信访和社会反应。",
        "Monitor petitions and public reaction after implementation.",
    ),
];

pub(super) fn write(doc: &mut impl ReportWriter, data: &ReportData, lang: Lang) {
    let r = &data.result;
    doc.heading(lang.pick("九、评估结论与决策建议", "9 Conclusion and recommendation"));
    let mut gate = vec![gate_words(r.gate.outcome, lang).to_owned()];
    gate.extend(r.gate.reasons.iter().map(|reason| lang.name(reason)));
    doc.framed(&gate, false);
    resolution::section(doc, data, lang);

    doc.heading(lang.pick("十、应急处置要点", "10 Emergency-plan points"));
    for (zh, en) in EMERGENCY_POINTS {
        doc.bullet(lang.pick(zh, en));
    }
}
