//! Charts with plotters, as PNG or SVG, every label drawn with the bundled CJK font (or the
//! configured fallback). Each chart is a function drawing on any backend, so PNG and SVG show
//! exactly the same picture.

mod bands;
mod contributions;
mod matrix;
mod montecarlo;
mod petitions;
mod radar;
mod scenarios;
mod tornado;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::RGBColor;

use super::fonts::{CSS_FALLBACKS, FALLBACK_FAMILY, FAMILY, Fonts};
use super::{Lang, ReportData, ReportError};

pub const WIDTH: u32 = 960;

/// The plot frame of the horizontal-bar charts (contributions, tornado): labels left of LEFT.
pub const BAR_LEFT: i32 = 300;
pub const BAR_RIGHT: i32 = 900;
pub const BAR_TOP: i32 = 90;
pub const BAR_BOTTOM: i32 = 590;
pub const HEIGHT: u32 = 640;

pub const LOW: RGBColor = RGBColor(46, 125, 50);
pub const MEDIUM: RGBColor = RGBColor(249, 168, 37);
pub const HIGH: RGBColor = RGBColor(198, 40, 40);
pub const INITIAL: RGBColor = RGBColor(21, 101, 192);
pub const RESIDUAL: RGBColor = RGBColor(46, 125, 50);
pub const INK: RGBColor = RGBColor(33, 33, 33);
pub const GRID: RGBColor = RGBColor(200, 200, 200);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// Dimension radar, initial and residual overlaid.
    Radar,
    /// Factor contributions, largest first, with the cumulative share (Pareto).
    Contributions,
    /// The probability × impact matrix with the factors placed.
    Matrix,
    /// R with each factor one grade lower and higher.
    Tornado,
    /// Petitions per month in the decision's regions, by category.
    Petitions,
    /// R of each scenario of the decision, with the level bands.
    Scenarios,
    /// The seeded Monte Carlo's level probabilities and R distribution.
    MonteCarlo,
}

impl Chart {
    pub const ALL: [Chart; 7] = [
        Chart::Radar,
        Chart::Contributions,
        Chart::Matrix,
        Chart::Tornado,
        Chart::Petitions,
        Chart::Scenarios,
        Chart::MonteCarlo,
    ];

    /// The slugs, for messages and the API description.
    pub fn names() -> String {
        Self::ALL.map(Chart::slug).join(", ")
    }

    /// Whether the assessment has what the chart shows (petition data, a simulation).
    pub fn available(self, data: &ReportData) -> bool {
        match self {
            Chart::Petitions => !data.petition_trend.is_empty(),
            Chart::MonteCarlo => data.simulation().is_some(),
            _ => true,
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.slug() == raw)
    }

    pub fn slug(self) -> &'static str {
        match self {
            Chart::Radar => "radar",
            Chart::Contributions => "contributions",
            Chart::Matrix => "matrix",
            Chart::Tornado => "tornado",
            Chart::Petitions => "petitions",
            Chart::Scenarios => "scenarios",
            Chart::MonteCarlo => "montecarlo",
        }
    }

    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            Chart::Radar => lang.pick(
                "各维度风险得分（措施前后）",
                "Dimension scores before and after measures",
            ),
            Chart::Contributions => lang.pick(
                "风险因素贡献排序（帕累托图）",
                "Factor contributions (Pareto)",
            ),
            Chart::Matrix => lang.pick("风险概率—影响矩阵", "Probability × impact matrix"),
            Chart::Tornado => lang.pick(
                "敏感性龙卷风图（概率等级±1）",
                "Tornado: R with each probability grade ±1",
            ),
            Chart::Petitions => lang.pick(
                "信访趋势（按月、按类别）",
                "Petition trend by month and category",
            ),
            Chart::Scenarios => lang.pick(
                "方案比较：各方案风险指数 R 与等级区间",
                "Scenario comparison: R per scenario with the level bands",
            ),
            Chart::MonteCarlo => lang.pick(
                "蒙特卡罗模拟：风险等级分布",
                "Monte Carlo: distribution of the level",
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartFormat {
    Png,
    Svg,
}

/// A text style in the family that can draw `text`.
pub fn font<'a>(fonts: &Fonts, text: &str, size: f64) -> TextStyle<'a> {
    let family = fonts.family_for(text);
    (family, size).into_font().color(&INK)
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(
    chart: Chart,
    root: &DrawingArea<DB, Shift>,
    data: &ReportData,
    lang: Lang,
    fonts: &Fonts,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    match chart {
        Chart::Radar => radar::draw(root, data, lang, fonts),
        Chart::Contributions => contributions::draw(root, data, lang, fonts),
        Chart::Matrix => matrix::draw(root, data, lang, fonts),
        Chart::Tornado => tornado::draw(root, data, lang, fonts),
        Chart::Petitions => petitions::draw(root, data, lang, fonts),
        Chart::Scenarios => scenarios::draw(root, data, lang, fonts),
        Chart::MonteCarlo => montecarlo::draw(root, data, lang, fonts),
    }?;
    root.present()
}

/// Renders one chart; the same data and options give the same bytes.
pub fn render(
    chart: Chart,
    format: ChartFormat,
    data: &ReportData,
    lang: Lang,
) -> Result<Vec<u8>, ReportError> {
    let fonts = super::fonts::fonts()?;
    let failed = |e: String| ReportError::Chart(format!("{}: {e}", chart.slug()));
    match format {
        ChartFormat::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
                draw(chart, &root, data, lang, fonts).map_err(|e| failed(e.to_string()))?;
            }
            Ok(with_css_fallbacks(&svg).into_bytes())
        }
        ChartFormat::Png => {
            let mut pixels = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
            {
                let root =
                    BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
                draw(chart, &root, data, lang, fonts).map_err(|e| failed(e.to_string()))?;
            }
            let mut png = Vec::new();
            image::ImageEncoder::write_image(
                image::codecs::png::PngEncoder::new(&mut png),
                &pixels,
                WIDTH,
                HEIGHT,
                image::ColorType::Rgb8,
            )
            .map_err(|e| failed(e.to_string()))?;
            Ok(png)
        }
    }
}

/// A standalone SVG names fonts a viewer may have after the embedded families.
fn with_css_fallbacks(svg: &str) -> String {
    svg.replace(
        &format!("font-family=\"{FAMILY}\""),
        &format!("font-family=\"{FAMILY}, {CSS_FALLBACKS}\""),
    )
    .replace(
        &format!("font-family=\"{FALLBACK_FAMILY}\""),
        &format!("font-family=\"{FALLBACK_FAMILY}, {FAMILY}, {CSS_FALLBACKS}\""),
    )
}

/// Shortens a label to `max` characters, so long factor names do not overrun the plot.
pub fn clip(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_owned()
    } else {
        format!("{}…", label.chars().take(max - 1).collect::<String>())
    }
}

pub fn level_color(level: crate::scoring::model::Level) -> RGBColor {
    match level {
        crate::scoring::model::Level::Low => LOW,
        crate::scoring::model::Level::Medium => MEDIUM,
        crate::scoring::model::Level::High => HIGH,
    }
}
