//! Chapters 9–10: the recommendation in the committee's words with the committee's resolutions,
//! and the emergency-plan points.

use super::{ReportWriter, resolution};
use crate::reports::labels::Group;
use crate::reports::{Lang, ReportData};
use crate::scoring::GateOutcome;
use crate::scoring::model::Level;

/// The gate's outcome in the words a committee uses, as a sentence.
pub(super) fn gate_words(outcome: GateOutcome, lang: Lang) -> String {
    let words = lang.word_of(Group::GateOutcomes, &outcome);
    match lang {
        Lang::Zh => format!("{words}。"),
        Lang::En => {
            let mut sentence: String = words.chars().take(1).flat_map(char::to_uppercase).collect();
            sentence.extend(words.chars().skip(1));
            format!("{sentence}.")
        }
    }
}

/// Why the gate recommends what it does, written from the assessment's numbers in the report's
/// language (the reasons the assessment stored name factors by id in English).
fn gate_reasons(data: &ReportData, lang: Lang) -> Vec<String> {
    let r = &data.result;
    let level = |l: Level| lang.level(&data.model, l);
    let mut reasons = vec![lang.fill(
        Group::GateReasons,
        "rule",
        &[
            ("rule", &lang.word(Group::GateRules, r.gate.rule.as_str())),
            ("level", &level(r.gate.level)),
            (
                "outcome",
                &lang.word_of(Group::GateOutcomes, &r.gate.outcome),
            ),
        ],
    )];
    let residual = &r.residual.outcome;
    if r.initial.level != residual.level || !r.residual.measures.is_empty() {
        reasons.push(lang.fill(
            Group::GateReasons,
            "measures",
            &[
                ("count", &r.residual.measures.len().to_string()),
                ("from", &level(r.initial.level)),
                ("to", &level(residual.level)),
                ("r_from", &format!("{:.4}", r.initial.r)),
                ("r_to", &format!("{:.4}", residual.r)),
            ],
        ));
    }
    for veto in &residual.veto {
        reasons.push(lang.fill(
            Group::GateReasons,
            "veto",
            &[
                ("factor", &lang.name(&veto.name)),
                ("high", &level(Level::High)),
            ],
        ));
    }
    reasons
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
    gate.extend(gate_reasons(data, lang));
    doc.framed(&gate, false);
    resolution::section(doc, data, lang);

    doc.heading(lang.pick("十、应急处置要点", "10 Emergency-plan points"));
    for (zh, en) in EMERGENCY_POINTS {
        doc.bullet(lang.pick(zh, en));
    }
}
