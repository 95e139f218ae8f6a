//! The DOCX report: an editable Word document for the offices that edit a report before signing
//! it — real headings (Word's "heading" styles, so the outline shows in the navigation pane),
//! real tables, and the charts as PNG images.

use docx_rs::{
    AlignmentType, Docx, Paragraph, Pic, Run, RunFonts, Shading, Style, StyleType, Table,
    TableCell, TableRow, WidthType,
};

use super::charts::{self, Chart, ChartFormat, HEIGHT, WIDTH};
use super::outline::{self, ReportWriter};
use super::{Lang, ReportData, ReportError};

/// The body font of Chinese official documents; Word and LibreOffice substitute if it is absent.
const BODY_FONT: &str = "宋体";
const HEADING_FONT: &str = "黑体";
/// Content width of an A4 page with 2.5 cm margins, in EMU (what images are sized in).
const CONTENT_WIDTH_EMU: u32 = 5_760_720;

struct Writer {
    docx: Docx,
    /// Images get our own ids: the library's counter is per process, which would make the same
    /// report come out different on a second render.
    images: usize,
}

fn run(text: &str) -> Run {
    Run::new().add_text(text)
}

impl ReportWriter for Writer {
    fn heading(&mut self, text: &str) {
        let heading = Paragraph::new().style("Heading1").add_run(run(text));
        self.docx = std::mem::take(&mut self.docx).add_paragraph(heading);
    }

    fn paragraph(&mut self, text: &str) {
        self.docx =
            std::mem::take(&mut self.docx).add_paragraph(Paragraph::new().add_run(run(text)));
    }

    fn bullet(&mut self, text: &str) {
        self.paragraph(&format!("• {text}"));
    }

    fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        let cell = |text: &str, head: bool| {
            let (text, align) = match text.strip_prefix('#') {
                Some(number) => (number, AlignmentType::Right),
                None => (text, AlignmentType::Left),
            };
            let mut r = run(text).size(20);
            if head {
                r = r.bold();
            }
            let mut cell = TableCell::new().add_paragraph(Paragraph::new().align(align).add_run(r));
            if head {
                cell = cell.shading(Shading::new().fill("ECEFF1"));
            }
            cell
        };
        let mut table_rows = vec![TableRow::new(
            header.iter().map(|h| cell(h, true)).collect(),
        )];
        table_rows.extend(
            rows.iter()
                .map(|row| TableRow::new(row.iter().map(|c| cell(c, false)).collect())),
        );
        let table = Table::new(table_rows).width(5000, WidthType::Pct);
        self.docx = std::mem::take(&mut self.docx).add_table(table);
    }

    fn figure(&mut self, chart: Chart, data: &ReportData, lang: Lang) -> Result<(), ReportError> {
        let png = charts::render(chart, ChartFormat::Png, data, lang)?;
        self.images += 1;
        let number = self.images;
        let mut pic = Pic::new_with_dimensions(png, WIDTH, HEIGHT)
            .size(CONTENT_WIDTH_EMU, CONTENT_WIDTH_EMU / WIDTH * HEIGHT);
        pic.id = format!("rIdWenpingChart{}", self.images);
        let caption = outline::caption(number, chart, lang);
        self.docx = std::mem::take(&mut self.docx)
            .add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_run(Run::new().add_image(pic)),
            )
            .add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_run(run(&caption).bold()),
            );
        Ok(())
    }

    fn framed(&mut self, lines: &[String], warning: bool) {
        let fill = if warning { "FFEBEE" } else { "E3F2FD" };
        let cell = lines.iter().enumerate().fold(
            TableCell::new().shading(Shading::new().fill(fill)),
            |cell, (i, line)| {
                let r = if i == 0 { run(line).bold() } else { run(line) };
                cell.add_paragraph(Paragraph::new().add_run(r))
            },
        );
        let table = Table::new(vec![TableRow::new(vec![cell])]).width(5000, WidthType::Pct);
        self.docx = std::mem::take(&mut self.docx).add_table(table);
    }
}

/// The whole report as a .docx; the same assessment and language give the same bytes.
pub fn render(data: &ReportData, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let title = outline::title(data, lang);
    let fonts = |name: &str| RunFonts::new().east_asia(name).ascii(name).hi_ansi(name);
    let docx = Docx::new()
        .default_fonts(fonts(BODY_FONT))
        .default_size(21)
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .size(36)
                .bold()
                .fonts(fonts(HEADING_FONT)),
        )
        .add_style(
            Style::new("Heading1", StyleType::Paragraph)
                .name("heading 1")
                .size(30)
                .bold()
                .outline_lvl(0)
                .fonts(fonts(HEADING_FONT)),
        )
        // The document's dates are the assessment's, not the render's, to keep bytes identical.
        .created_at(&data.meta.created_at.to_rfc3339())
        .updated_at(&data.meta.created_at.to_rfc3339())
        .add_paragraph(Paragraph::new().style("Title").add_run(run(&title)));
    let mut writer = Writer { docx, images: 0 };
    outline::write(&mut writer, data, lang)?;
    let mut out = std::io::Cursor::new(Vec::new());
    writer
        .docx
        .build()
        .pack(&mut out)
        .map_err(|e| ReportError::Write(e.to_string()))?;
    Ok(out.into_inner())
}
