//! Tornado: R with each factor's probability grade one lower and one higher, widest swing first.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Chart, DrawResult, GRID, HIGH, INITIAL, INK, LOW, clip, font};
use crate::reports::fonts::Fonts;
use crate::reports::{Lang, ReportData};

use super::{BAR_BOTTOM as BOTTOM, BAR_LEFT as LEFT, BAR_RIGHT as RIGHT, BAR_TOP as TOP};

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ReportData,
    lang: Lang,
    fonts: &Fonts,
) -> DrawResult<DB> {
    let title = Chart::Tornado.title(lang);
    root.draw(&Text::new(title, (24, 20), font(fonts, title, 24.0)))?;
    let bars = &data.sensitivity.tornado;
    let r = data.result.initial.r;
    let lo = bars.iter().map(|b| b.r_lower).fold(r, f64::min);
    let hi = bars.iter().map(|b| b.r_higher).fold(r, f64::max);
    let span = (hi - lo).max(1e-9);
    let x_of = |v: f64| LEFT + ((RIGHT - LEFT) as f64 * (v - lo) / span).round() as i32;
    let n = bars.len().max(1) as i32;
    let row = (BOTTOM - TOP) / n;

    for tick in 0..=4 {
        let v = lo + span * f64::from(tick) / 4.0;
        let x = x_of(v);
        root.draw(&PathElement::new(
            vec![(x, TOP - 8), (x, BOTTOM)],
            GRID.stroke_width(1),
        ))?;
        let label = format!("{v:.3}");
        root.draw(&Text::new(
            label.clone(),
            (x, BOTTOM + 8),
            font(fonts, &label, 13.0).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = TOP + row * i as i32;
        root.draw(&Rectangle::new(
            [(x_of(bar.r_lower), y + 4), (x_of(r), y + row - 4)],
            LOW.mix(0.75).filled(),
        ))?;
        root.draw(&Rectangle::new(
            [(x_of(r), y + 4), (x_of(bar.r_higher), y + row - 4)],
            HIGH.mix(0.75).filled(),
        ))?;
        let name = clip(&data.factor_name(&bar.factor, lang), 16);
        root.draw(&Text::new(
            name.clone(),
            (LEFT - 10, y + row / 2),
            font(fonts, &name, 16.0).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    let x = x_of(r);
    root.draw(&PathElement::new(
        vec![(x, TOP - 8), (x, BOTTOM)],
        INITIAL.stroke_width(2),
    ))?;
    let label = format!("R = {r:.4}");
    root.draw(&Text::new(
        label.clone(),
        (x, TOP - 12),
        font(fonts, &label, 15.0)
            .color(&INITIAL)
            .pos(Pos::new(HPos::Center, VPos::Bottom)),
    ))?;
    let note = lang.pick(
        "绿：概率降一级；红：概率升一级",
        "green: probability one grade lower; red: one grade higher",
    );
    root.draw(&Text::new(
        note,
        (24, 616),
        font(fonts, note, 14.0).color(&INK.mix(0.7)),
    ))?;
    Ok(())
}
