//! Reports and charts, made from a stored assessment only — never from live tables — so the
//! same assessment and options always give the same bytes.

pub mod charts;
pub mod data;
pub mod docx;
pub mod findings;
pub mod fonts;
pub mod html;
pub mod labels;
pub mod numbers;
pub mod outline;
pub mod pdf;
pub mod table;
pub mod webfont;

pub use data::{ReportData, ReportMeta, ReportSources};
pub use labels::Lang;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("the stored assessment cannot be read: {0}")]
    Stored(String),
    #[error("chart {0}")]
    Chart(String),
    #[error(transparent)]
    Font(#[from] fonts::FontError),
    #[error(transparent)]
    WebFont(#[from] webfont::WebFontError),
    #[error("cannot write the report: {0}")]
    Write(String),
}
