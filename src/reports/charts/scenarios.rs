//! Scenario comparison: R of each scenario before and after measures, over the level bands.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::bands::{Frame, legend_entry};
use super::{Chart, DrawResult, INITIAL, RESIDUAL, clip, font};
use crate::reports::fonts::Fonts;
use crate::reports::{Lang, ReportData};

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ReportData,
    lang: Lang,
    fonts: &Fonts,
) -> DrawResult<DB> {
    let title = Chart::Scenarios.title(lang);
    root.draw(&Text::new(title, (24, 20), font(fonts, title, 24.0)))?;
    let levels = &data.model.spec().levels;
    let largest = data
        .scenarios
        .iter()
        .map(|s| s.r.max(s.residual_r))
        .fold(levels.high * 1.25, f64::max);
    let frame = Frame {
        left: 90,
        right: 860,
        top_px: 80,
        bottom_px: 540,
        // Rounded up to a multiple of 0.2, so the four grid steps are round numbers (0.15, 0.2 or 0.25).
        top: ((largest * 1.1 / 0.2).ceil() * 0.2).min(1.0),
    };
    frame.level_bands(root, data, lang, fonts)?;
    frame.grid(root, fonts, |v| format!("{v:.2}"))?;
    let n = data.scenarios.len().max(1) as i32;
    let slot = (frame.right - frame.left) / n;
    let bar = (slot / 4).min(60);
    for (i, s) in data.scenarios.iter().enumerate() {
        let centre = frame.left + slot * i as i32 + slot / 2;
        for (r, color, x0) in [
            (s.r, INITIAL, centre - bar - 2),
            (s.residual_r, RESIDUAL, centre + 2),
        ] {
            root.draw(&Rectangle::new(
                [(x0, frame.y(r)), (x0 + bar, frame.bottom_px)],
                color.mix(0.85).filled(),
            ))?;
            let value = format!("{r:.4}");
            root.draw(&Text::new(
                value.clone(),
                (x0 + bar / 2, frame.y(r) - 4),
                font(fonts, &value, 12.0).pos(Pos::new(HPos::Center, VPos::Bottom)),
            ))?;
        }
        let mut name = clip(&data.scenario_name(s, lang), (slot / 16).max(4) as usize);
        if s.reported {
            name.push('*');
        }
        root.draw(&Text::new(
            name.clone(),
            (centre, frame.bottom_px + 10),
            font(fonts, &name, 15.0).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    legend_entry(
        root,
        fonts,
        (90, 600),
        INITIAL.mix(0.85),
        lang.pick("初始 R", "initial R"),
    )?;
    legend_entry(
        root,
        fonts,
        (250, 600),
        RESIDUAL.mix(0.85),
        lang.pick("措施后 R", "R after measures"),
    )?;
    let note = lang.pick("* 本报告的评估", "* this report's assessment");
    root.draw(&Text::new(
        note,
        (480, 600),
        font(fonts, note, 14.0).pos(Pos::new(HPos::Left, VPos::Center)),
    ))
}
