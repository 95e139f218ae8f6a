//! Appendix D: the quality findings in the report's language.

use crate::reports::findings::finding_text;
use crate::reports::labels::Group;
use crate::reports::outline::ReportWriter;
use crate::reports::{Lang, ReportData};

pub(super) fn write(doc: &mut impl ReportWriter, data: &ReportData, lang: Lang) {
    doc.heading(lang.pick("附录四　评估质量检查", "Appendix D Quality findings"));
    let findings: Vec<Vec<String>> = data
        .result
        .quality
        .iter()
        .map(|q| {
            vec![
                lang.word_of(Group::Severities, &q.severity),
                finding_text(lang, &data.model, &data.inputs, &data.result, q),
            ]
        })
        .collect();
    doc.table(
        &[lang.pick("级别", "severity"), lang.pick("发现", "finding")],
        &findings,
    );
}
