//! Quality findings: what a reviewer must see about the evidence behind an assessment.

use serde::{Deserialize, Serialize};

use super::assessment::{EvidenceSource, FactorAssessment};
use super::evidence::ExpertGrades;
use super::inputs::AssessmentInputs;
use super::model::{EvidenceRule, HearingRule, Model, Names};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityCode {
    /// Attribute or petition evidence absent and no expert rated the factor.
    MissingEvidence,
    /// Attribute or petition evidence absent; expert ratings stood in.
    EvidenceFallback,
    /// An expert-rated factor nobody rated.
    Unrated,
    FewExperts,
    ExpertsDisagree,
    NoPublicNotice,
    PublicNoticeTooShort,
    NoSupportSurvey,
    HearingNotHeld,
    /// The survey's 95 % margin of error is wider than the model accepts.
    SurveySampleTooSmall,
    /// Concerns registered about the decision are still open.
    ConcernsOpen,
    /// Concerns about the decision are unanswered past their due date.
    ConcernsOverdue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Serious,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityFinding {
    pub code: QualityCode,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub factor: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub experts: Vec<String>,
    pub message: Names,
}

fn finding(
    code: QualityCode,
    severity: Severity,
    factor: Option<&str>,
    zh: String,
    en: String,
) -> QualityFinding {
    QualityFinding {
        code,
        severity,
        factor: factor.map(str::to_string),
        experts: Vec::new(),
        message: Names { zh, en },
    }
}

pub(crate) fn factor_findings(
    model: &Model,
    f: &FactorAssessment,
    experts: &[ExpertGrades],
) -> Vec<QualityFinding> {
    use QualityCode as C;
    let mut out = Vec::new();
    let spec = &model.spec().factors;
    let expert_rule = spec
        .iter()
        .find(|s| s.id == f.id)
        .is_some_and(|s| matches!(s.evidence, EvidenceRule::Expert));
    let id = Some(f.id.as_str());
    if f.evidence.probability_source == EvidenceSource::Assumed {
        let p = model.spec().panel.missing_evidence;
        let (code, zh, en) = if expert_rule {
            (C::Unrated, "无专家评分", "no expert rated this factor")
        } else {
            (
                C::MissingEvidence,
                "缺少评估依据且无专家评分",
                "its evidence is missing and no expert rated it",
            )
        };
        out.push(finding(
            code,
            Severity::Serious,
            id,
            format!(
                "风险因素“{}”{zh}，按假定等级（可能性 {}、影响 {}）计算",
                f.name.zh, p.probability, p.impact
            ),
            format!(
                "factor `{}`: {en}; assumed grades (probability {}, impact {}) were used",
                f.id, p.probability, p.impact
            ),
        ));
    } else if let Some(why) = &f.evidence.fallback {
        out.push(finding(
            C::EvidenceFallback,
            Severity::Warning,
            id,
            // `why` is English and names an id ("attribute `x` not given"): the Chinese says what was missing.
            format!(
                "风险因素“{}”缺少{}数据，改用专家评分",
                f.name.zh,
                if why.starts_with("attribute") {
                    "评估要素"
                } else {
                    "信访指标"
                }
            ),
            format!("factor `{}`: {why}; expert ratings were used instead", f.id),
        ));
    }
    let uses_experts =
        [f.evidence.probability_source, f.evidence.impact_source].contains(&EvidenceSource::Expert);
    let min = model.spec().panel.min_experts as usize;
    if uses_experts && f.expert_count < min {
        out.push(finding(
            C::FewExperts,
            Severity::Warning,
            id,
            format!(
                "风险因素“{}”仅有 {} 位专家评分（少于 {} 位）",
                f.name.zh, f.expert_count, min
            ),
            format!(
                "factor `{}` is rated by {} expert(s), fewer than {}",
                f.id, f.expert_count, min
            ),
        ));
    }
    if f.disagreement {
        let mut item = finding(
            C::ExpertsDisagree,
            Severity::Warning,
            id,
            format!(
                "专家对风险因素“{}”的评分相差 {} 级",
                f.name.zh,
                f.spread.unwrap_or(0)
            ),
            format!(
                "experts disagree on factor `{}` by {} grades",
                f.id,
                f.spread.unwrap_or(0)
            ),
        );
        item.experts = extreme_experts(experts);
        out.push(item);
    }
    out
}

/// The experts at both ends of the axis (probability or impact) with the wider spread.
fn extreme_experts(experts: &[ExpertGrades]) -> Vec<String> {
    let spread = |g: fn(&ExpertGrades) -> u8| {
        let lo = experts.iter().map(g).min().unwrap_or(0);
        let hi = experts.iter().map(g).max().unwrap_or(0);
        (hi - lo, lo, hi)
    };
    let p = spread(|e| e.probability);
    let q = spread(|e| e.impact);
    let (axis, (_, lo, hi)): (fn(&ExpertGrades) -> u8, _) = if p.0 >= q.0 {
        (|e| e.probability, p)
    } else {
        (|e| e.impact, q)
    };
    let mut names: Vec<String> = experts
        .iter()
        .filter(|e| axis(e) == lo || axis(e) == hi)
        .map(|e| e.expert.clone())
        .collect();
    names.sort();
    names
}

pub(crate) fn consultation_findings(
    model: &Model,
    inputs: &AssessmentInputs,
) -> Vec<QualityFinding> {
    use QualityCode as C;
    let rules = &model.spec().consultation;
    let attr = |name: &str| inputs.attributes.get(name).map(|v| v.as_f64());
    let mut out = Vec::new();
    match (attr("public_notice_days"), rules.min_public_notice_days) {
        (None, _) => out.push(finding(
            C::NoPublicNotice,
            Severity::Serious,
            None,
            "未记录公示天数（public_notice_days）".into(),
            "no public notice recorded (public_notice_days)".into(),
        )),
        (Some(days), Some(min)) if days < min => out.push(finding(
            C::PublicNoticeTooShort,
            Severity::Serious,
            None,
            format!("公示 {days} 天，少于模型要求的 {min} 天"),
            format!(
                "public notice of {days} days is shorter than the {min} days the model requires"
            ),
        )),
        _ => {}
    }
    let support = attr("support_rate");
    if rules.support_survey_required && support.is_none() {
        out.push(finding(
            C::NoSupportSurvey,
            Severity::Warning,
            None,
            "未记录问卷调查支持率（support_rate）".into(),
            "no survey support rate recorded (support_rate)".into(),
        ));
    }
    if let (Some(margin), Some(max)) = (attr("survey_margin"), rules.max_survey_margin)
        && margin > max
    {
        let (m, x) = (margin * 100.0, max * 100.0);
        out.push(finding(
            C::SurveySampleTooSmall,
            Severity::Warning,
            None,
            format!("问卷样本偏小：95% 置信水平下误差为 ±{m:.1}%，超过 ±{x:.1}%"),
            format!("the survey sample is too small: its 95% margin of error is ±{m:.1}%, wider than ±{x:.1}%"),
        ));
    }
    let most_oppose = match (attr("oppose_rate"), rules.hearing_oppose_above) {
        (Some(o), Some(above)) => o > above,
        _ => false,
    };
    let required = match rules.hearing {
        HearingRule::Always => true,
        HearingRule::Never => false,
        HearingRule::WhenMostObject => {
            most_oppose
                || match (support, rules.hearing_support_below) {
                    (Some(s), Some(below)) => s < below,
                    _ => false,
                }
        }
    };
    let held = attr("hearing_held").is_some_and(|h| h >= 1.0);
    if required && !held {
        out.push(finding(
            C::HearingNotHeld,
            Severity::Serious,
            None,
            "依规应当举行听证，但未记录已举行听证（hearing_held）".into(),
            "a hearing is required but none is recorded as held (hearing_held)".into(),
        ));
    }
    let count = |name: &str| attr(name).filter(|n| *n > 0.0).map(|n| n as u64);
    if let Some(n) = count("concerns_overdue") {
        out.push(finding(
            C::ConcernsOverdue,
            Severity::Serious,
            None,
            format!("民情台账中有 {n} 件涉及本决策的群众诉求逾期未答复"),
            format!("{n} concern(s) about the decision are unanswered past their due date"),
        ));
    }
    if let Some(n) = count("concerns_open") {
        out.push(finding(
            C::ConcernsOpen,
            Severity::Warning,
            None,
            format!("民情台账中有 {n} 件涉及本决策的群众诉求尚未销号"),
            format!("{n} concern(s) about the decision are still open"),
        ));
    }
    out
}
