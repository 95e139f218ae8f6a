//! The appendices: sensitivity, uncertainty, scenario comparison, quality findings, provenance, and the concerns
//! still open when the assessment was made.

mod provenance;
mod quality;
mod scenarios;
mod sensitivity;
mod uncertainty;

use super::ReportWriter;
use crate::reports::{Lang, ReportData, ReportError};

pub(super) fn write(
    doc: &mut impl ReportWriter,
    data: &ReportData,
    lang: Lang,
) -> Result<(), ReportError> {
    sensitivity::write(doc, data, lang)?;
    uncertainty::write(doc, data, lang)?;
    scenarios::write(doc, data, lang)?;
    quality::write(doc, data, lang);
    provenance::write(doc, data, lang)?;
    super::concerns::appendix(doc, data, lang);
    Ok(())
}
