//! The committee's resolutions signed against the assessment, and any override of the gate: a
//! box before chapter 1 and the record in chapter 9, so no reader of any format can miss it.

use super::ReportWriter;
use super::conclusion::gate_words;
use crate::domain::resolution::Outcome;
use crate::reports::data::SignedResolution;
use crate::reports::labels::Group;
use crate::reports::{Lang, ReportData};

fn outcome_words(outcome: Outcome, lang: Lang) -> String {
    lang.word(Group::ResolutionOutcomes, outcome.as_str())
}

/// When and by whom, in UTC as stored.
fn signed(r: &SignedResolution, lang: Lang) -> String {
    format!(
        "{}{}{}",
        r.author,
        lang.pick("，", ", "),
        r.created_at.format("%Y-%m-%d %H:%M UTC")
    )
}

fn override_lines(r: &SignedResolution, reason: &str, lang: Lang) -> Vec<String> {
    let colon = lang.colon();
    vec![
        lang.pick(
            "委员会决议未采纳评估的决策建议（越过决策关口）",
            "The committee resolved against the gate's recommendation (override)",
        )
        .to_owned(),
        format!(
            "{}{colon}{}",
            lang.pick("评估建议", "Gate recommendation"),
            gate_words(r.gate_outcome, lang)
        ),
        format!(
            "{}{colon}{}",
            lang.pick("委员会决议", "Resolved outcome"),
            outcome_words(r.outcome, lang)
        ),
        format!("{}{colon}{reason}", lang.pick("理由", "Reason")),
        format!(
            "{}{colon}{}",
            lang.pick("决议人及时间", "Signed by"),
            signed(r, lang)
        ),
    ]
}

/// Before chapter 1: every override, in a warning box.
pub(super) fn banner(doc: &mut impl ReportWriter, data: &ReportData, lang: Lang) {
    for r in &data.resolutions {
        if let Some(reason) = &r.override_reason {
            doc.framed(&override_lines(r, reason, lang), true);
        }
    }
}

/// In chapter 9: every resolution signed against this assessment, overrides boxed again.
pub(super) fn section(doc: &mut impl ReportWriter, data: &ReportData, lang: Lang) {
    if data.resolutions.is_empty() {
        doc.paragraph(lang.pick(
            "委员会尚未就本次评估作出决议。",
            "The committee has not resolved on this assessment.",
        ));
        return;
    }
    doc.paragraph(lang.pick(
        "委员会就本次评估作出的决议：",
        "The committee's resolutions on this assessment:",
    ));
    let rows: Vec<Vec<String>> = data
        .resolutions
        .iter()
        .map(|r| {
            vec![
                outcome_words(r.outcome, lang),
                r.conditions.clone(),
                gate_words(r.gate_outcome, lang),
                r.override_reason.clone().unwrap_or_default(),
                signed(r, lang),
            ]
        })
        .collect();
    doc.table(
        &[
            lang.pick("决议", "outcome"),
            lang.pick("附加条件", "conditions"),
            lang.pick("评估建议", "gate recommendation"),
            lang.pick("越过关口的理由", "override reason"),
            lang.pick("决议人及时间", "signed by"),
        ],
        &rows,
    );
    banner(doc, data, lang);
}
