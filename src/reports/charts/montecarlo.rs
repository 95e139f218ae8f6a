//! Monte Carlo level distribution: P(low / medium / high) before and after measures (left), and
//! the drawn R after measures over the level bands (right).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::bands::{Frame, legend_entry};
use super::{Chart, DrawResult, GRID, INITIAL, INK, RESIDUAL, font, level_color};
use crate::reports::fonts::Fonts;
use crate::reports::{Lang, ReportData};
use crate::scoring::histogram::edge_label;
use crate::scoring::model::Level;

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ReportData,
    lang: Lang,
    fonts: &Fonts,
) -> DrawResult<DB> {
    let title = Chart::MonteCarlo.title(lang);
    root.draw(&Text::new(title, (24, 20), font(fonts, title, 24.0)))?;
    let Some(sim) = data.simulation() else {
        return Ok(());
    };

    // Left: the probability of each level.
    let left = Frame {
        left: 80,
        right: 420,
        top_px: 90,
        bottom_px: 540,
        top: 1.0,
    };
    left.grid(root, fonts, |v| format!("{:.0}%", v * 100.0))?;
    let levels = [
        (Level::Low, sim.initial.p_low, sim.residual.p_low),
        (Level::Medium, sim.initial.p_medium, sim.residual.p_medium),
        (Level::High, sim.initial.p_high, sim.residual.p_high),
    ];
    let slot = (left.right - left.left) / 3;
    for (i, (level, initial, residual)) in levels.into_iter().enumerate() {
        let centre = left.left + slot * i as i32 + slot / 2;
        for (p, color, x0) in [
            (initial, INITIAL, centre - 36),
            (residual, RESIDUAL, centre + 2),
        ] {
            root.draw(&Rectangle::new(
                [(x0, left.y(p)), (x0 + 34, left.bottom_px)],
                color.mix(0.85).filled(),
            ))?;
            let value = format!("{:.1}%", p * 100.0);
            root.draw(&Text::new(
                value.clone(),
                (x0 + 17, left.y(p) - 4),
                font(fonts, &value, 12.0).pos(Pos::new(HPos::Center, VPos::Bottom)),
            ))?;
        }
        let name = lang.level(&data.model, level);
        root.draw(&Text::new(
            name.clone(),
            (centre, left.bottom_px + 10),
            font(fonts, &name, 15.0)
                .color(&level_color(level))
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }

    // Right: the histogram after measures, zoomed to the bins drawn into (and one either side).
    let bins = &sim.residual.histogram;
    let used: Vec<usize> = (0..bins.len())
        .filter(|&i| bins[i].count > 0 || sim.initial.histogram.get(i).is_some_and(|b| b.count > 0))
        .collect();
    let first = used.first().copied().unwrap_or(0).saturating_sub(1);
    let last = (used.last().copied().unwrap_or(0) + 1).min(bins.len().saturating_sub(1));
    let shown = &bins[first..=last.max(first)];
    let most = shown.iter().map(|b| b.count).max().unwrap_or(1).max(1);
    let (x0, x1, top_px, bottom_px) = (520, 900, 90, 540);
    let (lo, hi) = (
        shown.first().map(|b| b.from).unwrap_or(0.0),
        shown.last().map(|b| b.to).unwrap_or(1.0),
    );
    let x_of = |r: f64| x0 + ((x1 - x0) as f64 * ((r - lo) / (hi - lo).max(1e-9))).round() as i32;
    let thresholds = &data.model.spec().levels;
    for (level, from, to) in [
        (Level::Low, lo, thresholds.medium),
        (Level::Medium, thresholds.medium, thresholds.high),
        (Level::High, thresholds.high, hi),
    ] {
        let (from, to) = (from.max(lo), to.min(hi));
        if from < to {
            root.draw(&Rectangle::new(
                [(x_of(from), top_px), (x_of(to), bottom_px)],
                level_color(level).mix(0.12).filled(),
            ))?;
        }
    }
    let y_of = |count: u32| {
        bottom_px
            - ((bottom_px - top_px) as f64 * f64::from(count) / f64::from(most)).round() as i32
    };
    for bin in shown {
        root.draw(&Rectangle::new(
            [
                (x_of(bin.from) + 1, y_of(bin.count)),
                (x_of(bin.to) - 1, bottom_px),
            ],
            RESIDUAL.mix(0.85).filled(),
        ))?;
        if bin.count > 0 {
            let count = bin.count.to_string();
            root.draw(&Text::new(
                count.clone(),
                ((x_of(bin.from) + x_of(bin.to)) / 2, y_of(bin.count) - 4),
                font(fonts, &count, 12.0).pos(Pos::new(HPos::Center, VPos::Bottom)),
            ))?;
        }
    }
    root.draw(&PathElement::new(
        vec![(x0, bottom_px), (x1, bottom_px)],
        INK.stroke_width(1),
    ))?;
    for bin in shown.iter().step_by(shown.len().div_ceil(6).max(1)) {
        let label = edge_label(bin.from);
        root.draw(&PathElement::new(
            vec![(x_of(bin.from), bottom_px), (x_of(bin.from), bottom_px + 5)],
            GRID.stroke_width(1),
        ))?;
        root.draw(&Text::new(
            label.clone(),
            (x_of(bin.from), bottom_px + 8),
            font(fonts, &label, 13.0).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    let axis = lang.pick("措施后 R 的分布（次数）", "R after measures (draws)");
    root.draw(&Text::new(
        axis,
        (x0, top_px - 20),
        font(fonts, axis, 14.0).pos(Pos::new(HPos::Left, VPos::Bottom)),
    ))?;

    legend_entry(
        root,
        fonts,
        (80, 605),
        INITIAL.mix(0.85),
        lang.pick("初始", "initial"),
    )?;
    legend_entry(
        root,
        fonts,
        (200, 605),
        RESIDUAL.mix(0.85),
        lang.pick("落实措施后", "after measures"),
    )?;
    let note = format!(
        "{} {}{}{} {}",
        lang.pick("抽样", "draws"),
        sim.draws,
        lang.pick("，", ", "),
        lang.pick("种子", "seed"),
        sim.seed
    );
    root.draw(&Text::new(
        note.clone(),
        (520, 605),
        font(fonts, &note, 14.0)
            .color(&INK.mix(0.7))
            .pos(Pos::new(HPos::Left, VPos::Center)),
    ))
}
