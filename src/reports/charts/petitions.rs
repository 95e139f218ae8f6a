//! Petition trend: petitions per month in the decision's regions, stacked by category.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::bands::{Frame, legend_entry};
use super::{Chart, DrawResult, clip, font};
use crate::reports::fonts::Fonts;
use crate::reports::{Lang, ReportData};

/// Distinguishable category colours, reused in order when there are more categories.
const PALETTE: [RGBColor; 10] = [
    RGBColor(21, 101, 192),
    RGBColor(239, 108, 0),
    RGBColor(46, 125, 50),
    RGBColor(198, 40, 40),
    RGBColor(106, 27, 154),
    RGBColor(0, 131, 143),
    RGBColor(173, 20, 87),
    RGBColor(130, 119, 23),
    RGBColor(78, 52, 46),
    RGBColor(84, 110, 122),
];

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ReportData,
    lang: Lang,
    fonts: &Fonts,
) -> DrawResult<DB> {
    let title = Chart::Petitions.title(lang);
    root.draw(&Text::new(title, (24, 20), font(fonts, title, 24.0)))?;
    let trend = &data.petition_trend;
    let categories = data.petition_categories();
    let most = trend.iter().map(|m| m.petitions).max().unwrap_or(0).max(1);
    // Round the axis up to a multiple of 4 so the grid labels are whole numbers.
    let top = (most + 3) / 4 * 4;
    let frame = Frame {
        left: 80,
        right: 740,
        top_px: 80,
        bottom_px: 560,
        top: top as f64,
    };
    frame.grid(root, fonts, |v| format!("{v:.0}"))?;
    let n = trend.len().max(1) as i32;
    let slot = (frame.right - frame.left) / n;
    let width = (slot * 3 / 4).max(2);
    for (i, month) in trend.iter().enumerate() {
        let x0 = frame.left + slot * i as i32 + (slot - width) / 2;
        let mut below = 0;
        for (c, category) in categories.iter().enumerate() {
            let count = month.by_category.get(category).copied().unwrap_or(0);
            if count == 0 {
                continue;
            }
            let color = PALETTE[c % PALETTE.len()];
            root.draw(&Rectangle::new(
                [
                    (x0, frame.y((below + count) as f64)),
                    (x0 + width, frame.y(below as f64)),
                ],
                color.mix(0.85).filled(),
            ))?;
            below += count;
        }
        // Label every month when they fit, else every other one.
        if n <= 12 || i % 2 == 0 {
            let label = month.month.clone();
            root.draw(&Text::new(
                label.clone(),
                (x0 + width / 2, frame.bottom_px + 8),
                font(fonts, &label, 12.0).pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
        }
    }
    for (c, category) in categories.iter().enumerate().take(24) {
        legend_entry(
            root,
            fonts,
            (770, 90 + 22 * c as i32),
            PALETTE[c % PALETTE.len()].mix(0.85),
            &clip(&lang.category(category), 12),
        )?;
    }
    let note = lang.pick("纵轴：信访件数", "vertical: petitions");
    root.draw(&Text::new(note, (24, 612), font(fonts, note, 14.0)))
}
