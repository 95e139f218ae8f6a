//! The chapters of the standard 稳评 report outline (DESIGN §7), in order, written once for
//! every format through [`ReportWriter`].

mod analysis;
mod appendix;
mod concerns;
mod conclusion;
mod consultations;
mod facts;
mod mitigation;
mod petitions;
mod resolution;

use super::charts::Chart;
use super::{Lang, ReportData, ReportError};

/// What a report format must be able to write.
pub trait ReportWriter {
    fn heading(&mut self, text: &str);
    fn paragraph(&mut self, text: &str);
    fn bullet(&mut self, text: &str);
    /// Cells starting with `#` are numbers (right-aligned, the `#` dropped).
    fn table(&mut self, header: &[&str], rows: &[Vec<String>]);
    /// A chart with its caption; figures are numbered in the order written.
    fn figure(&mut self, chart: Chart, data: &ReportData, lang: Lang) -> Result<(), ReportError>;
    /// A framed block: the recommendation, or a warning.
    fn framed(&mut self, lines: &[String], warning: bool);
}

/// The report's title: "社会稳定风险评估报告：<decision>".
pub fn title(data: &ReportData, lang: Lang) -> String {
    format!(
        "{}{}{}",
        lang.pick(
            "社会稳定风险评估报告",
            "Social-stability risk assessment report"
        ),
        lang.colon(),
        data.inputs.decision.fields.title
    )
}

/// A figure's caption: "图 3　<chart title>".
pub fn caption(number: usize, chart: Chart, lang: Lang) -> String {
    format!(
        "{} {number}{}{}",
        lang.pick("图", "Figure"),
        lang.pick("\u{3000}", ". "),
        chart.title(lang)
    )
}

fn n4(x: f64) -> String {
    format!("#{x:.4}")
}

/// Writes the whole outline, chapter by chapter.
pub fn write(
    doc: &mut impl ReportWriter,
    data: &ReportData,
    lang: Lang,
) -> Result<(), ReportError> {
    // An override of the gate is the first thing a reader sees.
    resolution::banner(doc, data, lang);
    facts::write(doc, data, lang)?;
    analysis::write(doc, data, lang)?;
    mitigation::write(doc, data, lang);
    conclusion::write(doc, data, lang);
    appendix::write(doc, data, lang)
}
