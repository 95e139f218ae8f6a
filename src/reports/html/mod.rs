//! The HTML report: one self-contained, printable file — styles, the bundled font cut to the
//! report's characters (for the text and the inline SVG charts), every chart inline; nothing is
//! fetched from the network and there is no script.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::charts::{self, Chart, ChartFormat};
use super::fonts::FAMILY;
use super::outline::{self, ReportWriter};
use super::webfont;
use super::{Lang, ReportData, ReportError};

const STYLE: &str = "
body { font-family: 'wenping-sans', 'Noto Sans CJK SC', sans-serif; margin: 2.5em auto; max-width: 60em; color: #212121; line-height: 1.6; }
h1 { font-size: 1.7em; border-bottom: 3px solid #1565c0; padding-bottom: .3em; }
h2 { font-size: 1.3em; margin-top: 2em; border-left: 6px solid #1565c0; padding-left: .5em; page-break-after: avoid; }
h3 { font-size: 1.05em; }
table { border-collapse: collapse; width: 100%; margin: .8em 0; font-size: .9em; page-break-inside: avoid; }
th, td { border: 1px solid #bdbdbd; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #eceff1; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.2em 0; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; border: 1px solid #e0e0e0; }
figcaption { font-weight: bold; margin: .3em 0; }
.gate { border: 2px solid #1565c0; padding: .8em 1em; background: #e3f2fd; }
.warn { border: 2px solid #c62828; padding: .6em 1em; background: #ffebee; }
td { word-break: break-word; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-before: auto; } }
";

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The HTML being written.
struct Doc {
    out: String,
    figures: usize,
}

impl ReportWriter for Doc {
    fn heading(&mut self, text: &str) {
        self.out.push_str(&format!("<h2>{}</h2>\n", esc(text)));
    }

    fn paragraph(&mut self, text: &str) {
        self.out.push_str(&format!("<p>{}</p>\n", esc(text)));
    }

    fn bullet(&mut self, text: &str) {
        self.out.push_str(&format!("<p>• {}</p>\n", esc(text)));
    }

    fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        self.out.push_str("<table><thead><tr>");
        for h in header {
            self.out.push_str(&format!("<th>{}</th>", esc(h)));
        }
        self.out.push_str("</tr></thead><tbody>\n");
        for row in rows {
            self.out.push_str("<tr>");
            for cell in row {
                match cell.strip_prefix('#') {
                    Some(number) => self
                        .out
                        .push_str(&format!("<td class=\"n\">{}</td>", esc(number))),
                    None => self.out.push_str(&format!("<td>{}</td>", esc(cell))),
                }
            }
            self.out.push_str("</tr>\n");
        }
        self.out.push_str("</tbody></table>\n");
    }

    /// The chart inline as SVG, so it stays vector and its text selectable.
    fn figure(&mut self, chart: Chart, data: &ReportData, lang: Lang) -> Result<(), ReportError> {
        let svg = charts::render(chart, ChartFormat::Svg, data, lang)?;
        self.figures += 1;
        let number = self.figures;
        let svg = String::from_utf8_lossy(&svg);
        // The XML declaration is not allowed inside HTML.
        let svg = svg.trim_start();
        let svg = if svg.starts_with("<?xml") {
            svg.split_once("?>").map(|(_, s)| s).unwrap_or(svg)
        } else {
            svg
        };
        let caption = outline::caption(number, chart, lang);
        self.out.push_str(&format!(
            "<figure><figcaption>{}</figcaption>{svg}</figure>\n",
            esc(&caption)
        ));
        Ok(())
    }

    fn framed(&mut self, lines: &[String], warning: bool) {
        self.out.push_str(if warning {
            "<div class=\"warn\">"
        } else {
            "<div class=\"gate\">"
        });
        for (i, line) in lines.iter().enumerate() {
            if i == 0 && !warning {
                self.out
                    .push_str(&format!("<p><strong>{}</strong></p>", esc(line)));
            } else {
                self.out.push_str(&format!("<p>{}</p>", esc(line)));
            }
        }
        self.out.push_str("</div>\n");
    }
}

/// The whole report; the same assessment and language give the same bytes.
pub fn render(data: &ReportData, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let mut doc = Doc {
        out: String::new(),
        figures: 0,
    };
    outline::write(&mut doc, data, lang)?;
    let title = outline::title(data, lang);
    // Only the glyphs of this report's characters: the title's and every chart's text are in the body.
    let font = STANDARD.encode(webfont::subset(&format!("{title}{}", doc.out))?);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>\n@font-face {{ font-family: '{FAMILY}'; src: url(data:font/otf;base64,{font}) format('opentype'); }}\n{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n{body}</body>\n</html>\n",
        lang = if lang == Lang::Zh { "zh-CN" } else { "en" },
        title = esc(&title),
        body = doc.out,
    );
    Ok(html.into_bytes())
}
