//! Factor contributions cᵢ = wᵢ·rᵢ, largest first, with the cumulative share of R (Pareto).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Chart, DrawResult, GRID, INITIAL, INK, MEDIUM, clip, font};
use crate::reports::fonts::Fonts;
use crate::reports::{Lang, ReportData};

use super::{BAR_BOTTOM as BOTTOM, BAR_LEFT as LEFT, BAR_RIGHT as RIGHT, BAR_TOP as TOP};

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ReportData,
    lang: Lang,
    fonts: &Fonts,
) -> DrawResult<DB> {
    let title = Chart::Contributions.title(lang);
    root.draw(&Text::new(title, (24, 20), font(fonts, title, 24.0)))?;
    let mut factors: Vec<_> = data.result.factors.iter().collect();
    factors.sort_by(|a, b| b.initial.contribution.total_cmp(&a.initial.contribution));
    let total = data.result.initial.r.max(f64::MIN_POSITIVE);
    let largest = factors
        .first()
        .map(|f| f.initial.contribution)
        .unwrap_or(0.0)
        .max(f64::MIN_POSITIVE);
    let n = factors.len().max(1) as i32;
    let row = (BOTTOM - TOP) / n;
    let x_of = |share: f64| LEFT + ((RIGHT - LEFT) as f64 * share.clamp(0.0, 1.0)).round() as i32;

    for tick in 0..=4 {
        let share = f64::from(tick) / 4.0;
        let x = x_of(share);
        root.draw(&PathElement::new(
            vec![(x, TOP - 8), (x, BOTTOM)],
            GRID.stroke_width(1),
        ))?;
        let label = format!("{:.0}%", share * 100.0);
        root.draw(&Text::new(
            label.clone(),
            (x, TOP - 12),
            font(fonts, &label, 13.0)
                .color(&MEDIUM)
                .pos(Pos::new(HPos::Center, VPos::Bottom)),
        ))?;
    }
    let mut cumulative = 0.0;
    let mut line = Vec::new();
    for (i, factor) in factors.iter().enumerate() {
        let y = TOP + row * i as i32;
        let c = factor.initial.contribution;
        root.draw(&Rectangle::new(
            [(LEFT, y + 4), (x_of(c / largest), y + row - 4)],
            INITIAL.mix(0.8).filled(),
        ))?;
        let value = format!("{c:.4}");
        root.draw(&Text::new(
            value.clone(),
            (x_of(c / largest) + 6, y + row / 2),
            font(fonts, &value, 13.0).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        let name = clip(&lang.name(&factor.name), 16);
        root.draw(&Text::new(
            name.clone(),
            (LEFT - 10, y + row / 2),
            font(fonts, &name, 16.0).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        cumulative += c;
        line.push((x_of(cumulative / total), y + row / 2));
    }
    root.draw(&PathElement::new(line.clone(), MEDIUM.stroke_width(3)))?;
    for p in &line {
        root.draw(&Circle::new(*p, 4, MEDIUM.filled()))?;
    }
    let note = lang.pick(
        "蓝条：贡献 cᵢ（按最大值缩放）；橙线：累计占 R 的比例（上方刻度）",
        "bars: contribution cᵢ (scaled to the largest); line: cumulative share of R (top scale)",
    );
    root.draw(&Text::new(
        note,
        (24, 612),
        font(fonts, note, 14.0).color(&INK.mix(0.7)),
    ))?;
    Ok(())
}
