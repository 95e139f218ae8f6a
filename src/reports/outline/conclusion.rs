//! Chapters 9–10: the recommendation in the committee's words with the committee's resolutions,
//! and the emergency-plan points.

use super::{ReportWriter, resolution};
use crate::reports::{Lang, ReportData};
use crate::scoring::GateOutcome;

/// The gate's outcome in the words a committee uses (the wording the assessment recorded), as a sentence.
pub(super) fn gate_words(outcome: GateOutcome, lang: Lang) -> String {
    let (zh, en) = outcome.words();
    match lang {
        Lang::Zh => format!("{zh}。"),
        Lang::En => {
            let mut sentence: String = en.chars().take(1).flat_map(char::to_uppercase).collect();
            sentence.extend(en.chars().skip(1));
            format!("{sentence}.")
        }
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
    let mut gate = vec![gate_words(r.gate.outcome, lang)];
    gate.extend(r.gate.reasons.iter().map(|reason| lang.name(reason)));
    doc.framed(&gate, false);
    resolution::section(doc, data, lang);

    doc.heading(lang.pick("十、应急处置要点", "10 Emergency-plan points"));
    for (zh, en) in EMERGENCY_POINTS {
        doc.bullet(lang.pick(zh, en));
    }
}
