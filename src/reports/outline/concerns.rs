//! Chapter 3's concerns heard from residents (民情台账) about the decision, as the assessment read them: the
//! ledger's measures and a table of how each concern was answered and whether it was adopted into the plan; and
//! the appendix of concerns still open at the time of the assessment.

use super::ReportWriter;
use crate::domain::concern::ConcernState;
use crate::domain::text::shortened;
use crate::reports::labels::Group;
use crate::reports::numbers::{decimal, percent};
use crate::reports::{Lang, ReportData};

fn rate(value: Option<f64>) -> String {
    value.map(percent).unwrap_or_else(|| "—".into())
}

pub(super) fn write(doc: &mut impl ReportWriter, data: &ReportData, lang: Lang) {
    let Some(ledger) = &data.inputs.ledger else {
        doc.paragraph(lang.pick(
            "群众诉求：评估时民情台账中没有涉及本决策的诉求登记。",
            "Concerns: when the assessment was made, the concern ledger held none about this decision.",
        ));
        return;
    };
    let m = &ledger.measures;
    doc.paragraph(&format!(
        "{}{}",
        lang.pick(
            "群众诉求（民情台账）",
            "Concerns heard from residents (concern ledger)"
        ),
        lang.colon()
    ));
    doc.table(
        &[
            lang.pick("登记件数", "registered"),
            lang.pick("答复率", "response rate"),
            lang.pick("按期答复率", "on-time rate"),
            lang.pick("满意率", "satisfaction rate"),
            lang.pick("复号率", "reopen rate"),
            lang.pick("办结天数中位数", "median days to close"),
            lang.pick("采纳占比", "share adopted"),
            lang.pick("未销号", "open"),
            lang.pick("逾期未答复", "overdue"),
        ],
        &[vec![
            format!("#{}", m.registered),
            format!("#{}", rate(m.response_rate)),
            format!("#{}", rate(m.on_time_rate)),
            format!("#{}", rate(m.satisfaction_rate)),
            format!("#{}", rate(m.reopen_rate)),
            format!(
                "#{}",
                m.median_days_to_close
                    .map(|d| decimal(d, 1))
                    .unwrap_or_else(|| "—".into())
            ),
            format!("#{}", rate(m.adopted_share)),
            format!("#{}", m.open),
            format!("#{}", m.overdue),
        ]],
    );
    let rows: Vec<Vec<String>> = ledger
        .concerns
        .iter()
        .map(|c| {
            vec![
                c.number.clone(),
                c.received_at.format("%Y-%m-%d").to_string(),
                lang.word(Group::ConcernTopics, &c.topic),
                shortened(&c.content, 40),
                lang.word(Group::ConcernStates, c.state.as_str()),
                c.answer
                    .as_deref()
                    .map(|a| shortened(a, 40))
                    .unwrap_or_default(),
                c.adopted_measure
                    .as_deref()
                    .map(|m| measure_name(data, m, lang))
                    .unwrap_or_else(|| lang.yes_no(false)),
            ]
        })
        .collect();
    doc.table(
        &[
            lang.pick("编号", "number"),
            lang.pick("受理日期", "received"),
            lang.pick("类别", "topic"),
            lang.pick("诉求内容", "concern"),
            lang.pick("办理状态", "state"),
            lang.pick("答复", "answer"),
            lang.pick("采纳为措施", "adopted as measure"),
        ],
        &rows,
    );
}

fn measure_name(data: &ReportData, id: &str, lang: Lang) -> String {
    data.model
        .measure(id)
        .map(|m| lang.name(&m.name))
        .unwrap_or_else(|| id.to_owned())
}

/// The appendix: every concern about the decision still open when the assessment was made.
pub(in crate::reports::outline) fn appendix(
    doc: &mut impl ReportWriter,
    data: &ReportData,
    lang: Lang,
) {
    let Some(ledger) = &data.inputs.ledger else {
        return;
    };
    let open: Vec<_> = ledger
        .concerns
        .iter()
        .filter(|c| c.state != ConcernState::Closed)
        .collect();
    doc.heading(lang.pick(
        "附录六　评估时未办结的群众诉求",
        "Appendix F Concerns still open at the time of the assessment",
    ));
    if open.is_empty() {
        doc.paragraph(lang.pick(
            "评估时涉及本决策的群众诉求均已销号。",
            "Every concern about the decision was closed when the assessment was made.",
        ));
        return;
    }
    let rows: Vec<Vec<String>> = open
        .iter()
        .map(|c| {
            vec![
                c.number.clone(),
                c.received_at.format("%Y-%m-%d").to_string(),
                lang.word(Group::ConcernTopics, &c.topic),
                shortened(&c.content, 60),
                lang.word(Group::ConcernStates, c.state.as_str()),
                c.office.clone().unwrap_or_else(|| "—".into()),
                c.due_on
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "—".into()),
                lang.yes_no(c.overdue),
            ]
        })
        .collect();
    doc.table(
        &[
            lang.pick("编号", "number"),
            lang.pick("受理日期", "received"),
            lang.pick("类别", "topic"),
            lang.pick("诉求内容", "concern"),
            lang.pick("办理状态", "state"),
            lang.pick("承办单位", "office"),
            lang.pick("答复期限", "due"),
            lang.pick("是否逾期", "overdue"),
        ],
        &rows,
    );
}
