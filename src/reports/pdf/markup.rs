//! The report outline written as Typst markup; every piece of report text goes through [`esc`],
//! so a decision titled `#import` or `*重点*` prints as typed instead of being evaluated.

use super::super::charts::{self, Chart, ChartFormat};
use super::super::outline::{self, ReportWriter};
use super::super::{Lang, ReportData, ReportError};

/// Escapes text for Typst markup: every ASCII punctuation character gets a backslash (Typst reads
/// `\` + any character as that character), line breaks become spaces.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The base of a subscript letter or digit (the formulas' wᵢ, rₖ), which typst can set itself.
fn subscript_base(c: char) -> Option<char> {
    match c {
        'ᵢ' => Some('i'),
        'ⱼ' => Some('j'),
        'ₖ' => Some('k'),
        '₀'..='₉' => char::from_u32(u32::from(c) - 0x2080 + u32::from('0')),
        _ => None,
    }
}

/// Report text as markup, escaped. Characters that no report font has would be dropped by typst:
/// subscripts are set by typst (`#sub`), anything else appears as its code point (the
/// provenance appendix names it too).
pub fn shown(raw: &str) -> String {
    let missing = match super::super::fonts::fonts() {
        Ok(fonts) => fonts.missing([raw]),
        Err(_) => Default::default(),
    };
    if missing.is_empty() {
        return esc(raw);
    }
    raw.chars()
        .map(|c| match (missing.contains(&c), subscript_base(c)) {
            (false, _) => esc(&c.to_string()),
            (true, Some(base)) => format!("#sub[{base}]"),
            (true, None) => esc(&format!("〔U+{:04X}〕", u32::from(c))),
        })
        .collect()
}

/// Typst markup of the report body, and the chart SVGs it refers to by path.
pub struct Markup {
    pub out: String,
    /// `(path, svg)` of each chart, in order, for the World to serve.
    pub charts: Vec<(String, Vec<u8>)>,
    /// The bundled font's real family name, which replaces the charts' `wenping-sans`.
    pub family: String,
}

impl Markup {
    pub fn new(family: &str) -> Self {
        Self {
            out: String::new(),
            charts: Vec::new(),
            family: family.to_owned(),
        }
    }
}

impl ReportWriter for Markup {
    fn heading(&mut self, text: &str) {
        self.out.push_str(&format!("\n= {}\n\n", shown(text)));
    }

    fn paragraph(&mut self, text: &str) {
        self.out.push_str(&format!("\n{}\n\n", shown(text)));
    }

    fn bullet(&mut self, text: &str) {
        self.out.push_str(&format!("- {}\n", shown(text)));
    }

    fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        let mut t = format!("\n#table(columns: {}, table.header(", header.len().max(1));
        for h in header {
            t.push_str(&format!("[*{}*], ", shown(h)));
        }
        t.push_str("),\n");
        for row in rows {
            for cell in row {
                match cell.strip_prefix('#') {
                    Some(number) => {
                        t.push_str(&format!("table.cell(align: right)[{}], ", shown(number)))
                    }
                    None => t.push_str(&format!("[{}], ", shown(cell))),
                }
            }
            t.push('\n');
        }
        t.push_str(")\n\n");
        self.out.push_str(&t);
    }

    /// The SVG chart as a vector image; its text is drawn with the bundled font of the World.
    fn figure(&mut self, chart: Chart, data: &ReportData, lang: Lang) -> Result<(), ReportError> {
        let svg = charts::render(chart, ChartFormat::Svg, data, lang)?;
        let number = self.charts.len() + 1;
        // typst looks SVG families up in its font book, which knows the font by its real name.
        let svg = String::from_utf8_lossy(&svg).replace(super::super::fonts::FAMILY, &self.family);
        let path = format!("/charts/{number}-{}.svg", chart.slug());
        let caption = outline::caption(number, chart, lang);
        self.out.push_str(&format!(
            "\n#figure(image(\"{path}\", width: 100%), caption: [{}], numbering: none)\n\n",
            shown(&caption)
        ));
        self.charts.push((path, svg.into_bytes()));
        Ok(())
    }

    fn framed(&mut self, lines: &[String], warning: bool) {
        let (fill, stroke) = if warning {
            ("#ffebee", "#c62828")
        } else {
            ("#e3f2fd", "#1565c0")
        };
        self.out.push_str(&format!(
            "\n#block(width: 100%, inset: 10pt, fill: rgb(\"{fill}\"), stroke: 1.5pt + rgb(\"{stroke}\"))[\n"
        ));
        for (i, line) in lines.iter().enumerate() {
            if i == 0 && !warning {
                self.out.push_str(&format!("*{}*\n\n", shown(line)));
            } else {
                self.out.push_str(&format!("{}\n\n", shown(line)));
            }
        }
        self.out.push_str("]\n\n");
    }
}

#[cfg(test)]
mod tests {
    use super::{esc, shown};

    #[test]
    fn typst_special_characters_are_escaped() {
        assert_eq!(esc("#let x = 1"), "\\#let x \\= 1");
        assert_eq!(
            esc("*R* = -0.5 // [a] $b$"),
            "\\*R\\* \\= \\-0\\.5 \\/\\/ \\[a\\] \\$b\\$"
        );
        assert_eq!(esc("城关镇\n东片区"), "城关镇 东片区");
        assert_eq!(shown("𠀀村"), "〔U\\+20000〕村");
        assert_eq!(shown("Σ wᵢ(x)"), "Σ w#sub[i]\\(x\\)");
        assert_eq!(
            esc("@ref <label> `raw` _x_ ~ \\"),
            "\\@ref \\<label\\> \\`raw\\` \\_x\\_ \\~ \\\\"
        );
    }
}
