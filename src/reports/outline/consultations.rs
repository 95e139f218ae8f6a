//! Chapter 3's consultations (征求意见): each record as the assessment read it — the notice and its days, the
//! survey's sample, response, shares and 95 % margin, the forums and visits, the hearing's points and outcome —
//! and where each consultation fact the model read came from.

use super::ReportWriter;
use crate::domain::consultation::{Attendance, ConsultationEntry, ConsultationFields};
use crate::reports::labels::Group;
use crate::reports::numbers::percent;
use crate::reports::{Lang, ReportData};
use crate::scoring::record::AttributeSource;

fn people(groups: &[Attendance], lang: Lang) -> String {
    let parts: Vec<String> = groups
        .iter()
        .map(|g| format!("{} {}", g.group, lang.count("people", f64::from(g.count))))
        .collect();
    lang.list(&parts)
}

/// What the record says, in one cell.
fn summary(entry: &ConsultationEntry, lang: Lang) -> String {
    let f = &entry.figures;
    let sep = lang.pick("；", "; ");
    match &entry.fields {
        ConsultationFields::PublicNotice { place, .. } => format!(
            "{place}{sep}{} {}{sep}{} {}",
            lang.pick("公示", "posted for"),
            lang.count("days", f.notice_days.unwrap_or(0) as f64),
            lang.pick("其中工作日", "working days"),
            f.notice_working_days.unwrap_or(0)
        ),
        ConsultationFields::Questionnaire {
            population,
            sample_planned,
            returned,
            support,
            neutral,
            oppose,
            ..
        } => {
            let Some(s) = f.survey else {
                return String::new();
            };
            let response = lang.bracket(&format!(
                "{} {}",
                lang.pick("回收率", "response"),
                percent(s.response_rate)
            ));
            let confidence = lang.bracket(lang.pick("95% 置信水平", "95% confidence"));
            format!(
                "{} {population}{sep}{} {sample_planned}{sep}{} {returned}{response}{sep}{} {support} / {neutral} / {oppose}{sep}{} {} ± {}{confidence}{sep}{} {}",
                lang.pick("调查总体", "population"),
                lang.pick("计划样本", "sample planned"),
                lang.pick("有效回收", "returned"),
                lang.pick("支持/中立/反对", "support/neutral/oppose"),
                lang.pick("支持率", "support"),
                percent(s.support_share),
                percent(s.margin_95),
                lang.pick("误差 ±5% 所需样本", "sample for ±5%"),
                s.sample_for_5_percent,
            )
        }
        ConsultationFields::Forum {
            place, attendees, ..
        }
        | ConsultationFields::Visit {
            place, attendees, ..
        } => format!("{place}{sep}{}", people(attendees, lang)),
        ConsultationFields::Hearing {
            place,
            participants,
            outcome,
            ..
        } => format!(
            "{place}{sep}{}{sep}{}{}{outcome}",
            people(participants, lang),
            lang.pick("结论", "outcome"),
            lang.colon()
        ),
    }
}

fn day_of(entry: &ConsultationEntry) -> String {
    match &entry.fields {
        ConsultationFields::PublicNotice {
            first_day,
            last_day,
            ..
        } => format!("{first_day} – {last_day}"),
        other => other.day().to_string(),
    }
}

pub(super) fn write(doc: &mut impl ReportWriter, data: &ReportData, lang: Lang) {
    let records = &data.inputs.consultations;
    if records.is_empty() {
        doc.paragraph(lang.pick(
            "征求意见：评估时未登记征求意见记录（公示、问卷调查、座谈会、走访、听证会）；下表所列征求意见情况为手工填写。",
            "Consultation: no consultation records (notice, questionnaire, forum, visit, hearing) were registered when the assessment was made; the facts below were typed in.",
        ));
        return;
    }
    doc.paragraph(lang.pick(
        "征求意见：评估时登记的征求意见记录如下，问卷支持率及其误差按回收问卷计算（含有限总体校正）。",
        "Consultation: the records registered when the assessment was made; the survey's support share and margin are computed from the returned questionnaires (with the finite-population correction).",
    ));
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            vec![
                lang.word(Group::ConsultationKinds, r.fields.kind()),
                day_of(r),
                summary(r, lang),
                format!("#{}", r.fields.attachments().len()),
            ]
        })
        .collect();
    doc.table(
        &[
            lang.pick("方式", "kind"),
            lang.pick("日期", "date"),
            lang.pick("情况", "what was recorded"),
            lang.pick("附件", "attachments"),
        ],
        &rows,
    );
    for r in records {
        if let ConsultationFields::Hearing { points, .. } = &r.fields {
            for point in points {
                doc.bullet(&format!(
                    "{}{}{point}",
                    lang.pick("听证会提出的意见", "raised at the hearing"),
                    lang.colon()
                ));
            }
        }
    }
}

/// Where a consultation fact the assessment read came from: the record (kind and day), the concern ledger, a
/// scenario, or typed in.
pub(super) fn source_of(data: &ReportData, attribute: &str, lang: Lang) -> String {
    match data.inputs.attribute_sources.get(attribute) {
        Some(AttributeSource::Consultation { kind, day, .. }) => {
            format!(
                "{}{}",
                lang.word(Group::ConsultationKinds, kind),
                lang.bracket(&day.to_string())
            )
        }
        Some(AttributeSource::Ledger) => lang.pick("民情台账", "concern ledger").to_owned(),
        Some(AttributeSource::Scenario) => lang.pick("方案设定", "scenario").to_owned(),
        Some(AttributeSource::Typed) | None => lang.pick("手工填写", "typed in").to_owned(),
    }
}
