//! The PDF report, typeset in-process by typst used as a library.
//!
//! Why typst and not a headless browser printing the HTML: it is pure Rust inside the service
//! binary (no Chromium to install, patch, sandbox and keep alive on a government server, no
//! subprocess or network port), it renders from an explicit World we fill ourselves — the bundled
//! font, the chart SVGs, the assessment's own date — so the output depends on nothing on the
//! machine and comes out byte-identical, and it gives what a signed report needs natively: real
//! embedded CJK text, vector charts, page numbers, a table of contents and PDF bookmarks.

mod markup;
mod world;

use typst::diag::SourceDiagnostic;
use typst::foundations::Smart;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use super::outline;
use super::{Lang, ReportData, ReportError};
use markup::{Markup, esc, shown};
use world::{ReportWorld, typst_date};

/// `(path, svg)` of each chart the markup refers to.
pub type ChartFiles = Vec<(String, Vec<u8>)>;

/// Page setup and styles; `{family}` and the rest are filled in by [`preamble`].
const STYLE: &str = r##"#set page(paper: "a4", margin: (x: 2.5cm, y: 2.5cm), numbering: "1 / 1", number-align: center)
#set par(justify: false, leading: 0.8em)
#set heading(numbering: none)
#show heading: set text(size: 14pt, fill: rgb("#1565c0"))
#show heading: set block(above: 1.8em, below: 0.9em)
#set table(stroke: 0.5pt + rgb("#bdbdbd"), inset: 4pt, fill: (_, y) => if y == 0 { rgb("#eceff1") })
#show table: set text(size: 8.5pt)
#show figure.caption: set text(weight: "bold")
"##;

fn preamble(data: &ReportData, lang: Lang, family: &str, title: &str) -> String {
    let at = data.meta.created_at;
    // The document's date is the assessment's, never the clock's, so renders stay identical.
    let date = format!(
        "datetime(year: {}, month: {}, day: {}, hour: {}, minute: {}, second: {})",
        at.format("%Y"),
        at.format("%-m"),
        at.format("%-d"),
        at.format("%-H"),
        at.format("%-M"),
        at.format("%-S"),
    );
    let (code, region) = match lang {
        Lang::Zh => ("zh", "cn"),
        Lang::En => ("en", "gb"),
    };
    format!(
        "#set document(title: [{title}], date: {date})\n\
         #set text(font: \"{family}\", size: 10.5pt, lang: \"{code}\", region: \"{region}\")\n\
         {STYLE}\n\
         #align(center, text(size: 20pt, fill: rgb(\"#0d47a1\"))[{title}])\n\
         #align(center)[{subtitle}]\n\n\
         #outline(title: [{contents}], depth: 1)\n\
         #pagebreak()\n",
        title = shown(title),
        subtitle = esc(&format!(
            "{} {}{}{}",
            lang.pick("评估编号", "Assessment"),
            data.meta.assessment_id,
            lang.pick("\u{3000}", ", "),
            at.format("%Y-%m-%d")
        )),
        contents = esc(lang.pick("目录", "Contents")),
    )
}

fn diagnostics(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The Typst source of the report and its chart files (exposed for tests and debugging).
pub fn markup(data: &ReportData, lang: Lang) -> Result<(String, ChartFiles), ReportError> {
    let family = world::family()?;
    let mut body = Markup::new(family);
    outline::write(&mut body, data, lang)?;
    let title = outline::title(data, lang);
    let source = preamble(data, lang, family, &title) + &body.out;
    Ok((source, body.charts))
}

/// The whole report as a PDF; the same assessment and language give the same bytes.
pub fn render(data: &ReportData, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let (source, charts) = markup(data, lang)?;
    let world = ReportWorld::new(source, charts, data.meta.created_at)?;
    let compiled = typst::compile::<PagedDocument>(&world).output;
    // Each report is compiled once: drop typst's memoised results so memory stays flat.
    typst::comemo::evict(0);
    let document = compiled.map_err(|e| ReportError::Write(diagnostics(&e)))?;
    let options = PdfOptions {
        // A stable identifier, so the PDF's /ID does not change between renders.
        ident: Smart::Custom(format!(
            "wenping-{}-{}",
            data.meta.assessment_id,
            lang.code()
        )),
        timestamp: typst_date(data.meta.created_at).map(Timestamp::new_utc),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|e| ReportError::Write(diagnostics(&e)))
}
