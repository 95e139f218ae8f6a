//! A quality finding in the reader's language, written from the assessment (the messages the engine stored
//! mix the languages and name factors and attributes by id). Shared by the reports' appendix and the pages.

use crate::reports::Lang;
use crate::reports::labels::{Group, serde_id};
use crate::reports::numbers::decimal;
use crate::scoring::assessment::Assessment;
use crate::scoring::model::{EvidenceRule, Model};
use crate::scoring::quality::{QualityCode, QualityFinding};
use crate::scoring::record::RecordedInputs;

/// The evidence a factor's rule reads, named: 决策属性“签约率”.
fn evidence_named(model: &Model, factor: &str, lang: Lang) -> String {
    let rule = model
        .spec()
        .factors
        .iter()
        .find(|f| f.id == factor)
        .map(|f| &f.evidence);
    match rule {
        Some(EvidenceRule::Attribute(a)) => lang.fill(
            Group::Quality,
            "attribute_evidence",
            &[("name", &lang.word(Group::Attributes, &a.attribute))],
        ),
        Some(EvidenceRule::Petition(p)) => lang.fill(
            Group::Quality,
            "petition_evidence",
            &[(
                "name",
                &lang.word(Group::PetitionIndicators, p.indicator.name()),
            )],
        ),
        Some(EvidenceRule::Ledger(l)) => lang.fill(
            Group::Quality,
            "ledger_evidence",
            &[(
                "name",
                &lang.word(Group::LedgerIndicators, l.indicator.name()),
            )],
        ),
        Some(EvidenceRule::Expert) | None => lang.word(Group::EvidenceSources, "expert"),
    }
}

/// The finding in the reader's language, written from its code and the assessment; the message the engine
/// stored stays as it was (a replay compares it) and is shown only for a factor the result no longer holds.
pub fn finding_text(
    lang: Lang,
    model: &Model,
    inputs: &RecordedInputs,
    result: &Assessment,
    q: &QualityFinding,
) -> String {
    use QualityCode as C;
    let spec = model.spec();
    let factor = q
        .factor
        .as_deref()
        .and_then(|id| result.factors.iter().find(|f| f.id == id));
    let Some(f) = factor else {
        if q.factor.is_some() {
            // A factor the result does not hold: only the stored words are left.
            return lang.name(&q.message);
        }
        let notice = inputs
            .attributes
            .get("public_notice_days")
            .map(|v| decimal(v.as_f64(), 1))
            .unwrap_or_default();
        let min = spec
            .consultation
            .min_public_notice_days
            .map(|m| decimal(m, 1))
            .unwrap_or_default();
        let attr = |name: &str| inputs.attributes.get(name).map(|v| v.as_f64());
        let percent = |v: Option<f64>| {
            v.map(|v| format!("{}%", decimal(v * 100.0, 1)))
                .unwrap_or_default()
        };
        let count = |name: &str| attr(name).map(|v| decimal(v, 0)).unwrap_or_default();
        let margin = percent(attr("survey_margin"));
        let max = percent(spec.consultation.max_survey_margin);
        let (open, overdue) = (count("concerns_open"), count("concerns_overdue"));
        return lang.fill(
            Group::Quality,
            &serde_id(&q.code),
            &[
                ("days", &notice),
                ("min", &min),
                ("margin", &margin),
                ("max", &max),
                ("open", &open),
                ("overdue", &overdue),
            ],
        );
    };
    let name = lang.name(&f.name);
    let missing = spec.panel.missing_evidence;
    let experts = if q.experts.is_empty() {
        "—".to_owned()
    } else {
        lang.list(&q.experts)
    };
    let values: Vec<(&str, String)> = match q.code {
        C::MissingEvidence | C::EvidenceFallback | C::Unrated => vec![
            ("evidence", evidence_named(model, &f.id, lang)),
            ("probability", missing.probability.to_string()),
            ("impact", missing.impact.to_string()),
        ],
        C::FewExperts => vec![
            ("count", f.expert_count.to_string()),
            ("min", spec.panel.min_experts.to_string()),
        ],
        C::ExpertsDisagree => vec![
            ("spread", f.spread.unwrap_or(0).to_string()),
            ("experts", experts),
        ],
        C::NoPublicNotice
        | C::PublicNoticeTooShort
        | C::NoSupportSurvey
        | C::HearingNotHeld
        | C::SurveySampleTooSmall
        | C::ConcernsOpen
        | C::ConcernsOverdue => Vec::new(),
    };
    let mut filled: Vec<(&str, &str)> = vec![("factor", &name)];
    filled.extend(values.iter().map(|(k, v)| (*k, v.as_str())));
    lang.fill(Group::Quality, &serde_id(&q.code), &filled)
}
