//! Dimension radar: each dimension's score as a share of its weight, before and after measures.

use std::f64::consts::PI;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Chart, DrawResult, GRID, INITIAL, INK, RESIDUAL, font};
use crate::reports::fonts::Fonts;
use crate::reports::{Lang, ReportData};

const RADIUS: f64 = 220.0;

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ReportData,
    lang: Lang,
    fonts: &Fonts,
) -> DrawResult<DB> {
    let title = Chart::Radar.title(lang);
    root.draw(&Text::new(title, (24, 20), font(fonts, title, 24.0)))?;
    let (cx, cy) = (400.0, 350.0);
    let dims = &data.result.dimensions;
    let n = dims.len().max(3);
    let point = |k: usize, share: f64| {
        let angle = -PI / 2.0 + 2.0 * PI * k as f64 / n as f64;
        let r = RADIUS * share.clamp(0.0, 1.0);
        (
            (cx + r * angle.cos()).round() as i32,
            (cy + r * angle.sin()).round() as i32,
        )
    };
    for ring in 1..=5 {
        let share = f64::from(ring) / 5.0;
        let mut outline: Vec<(i32, i32)> = (0..n).map(|k| point(k, share)).collect();
        outline.push(point(0, share));
        root.draw(&PathElement::new(outline, GRID.stroke_width(1)))?;
        let label = format!("{share:.1}");
        let (x, y) = point(0, share);
        root.draw(&Text::new(
            label.clone(),
            (x + 6, y + 2),
            font(fonts, &label, 13.0),
        ))?;
    }
    for (k, dim) in dims.iter().enumerate() {
        root.draw(&PathElement::new(
            vec![point(k, 0.0), point(k, 1.0)],
            GRID.stroke_width(1),
        ))?;
        let label = format!(
            "{} {:.2}",
            lang.name(&dim.name),
            dim.initial_normalised.unwrap_or(0.0)
        );
        let (x, y) = point(k, 1.16);
        let style = font(fonts, &label, 18.0).pos(Pos::new(HPos::Center, VPos::Center));
        root.draw(&Text::new(label, (x, y), style))?;
    }
    let series = [
        (
            lang.pick("措施前", "before measures"),
            INITIAL,
            dims.iter()
                .map(|d| d.initial_normalised.unwrap_or(0.0))
                .collect::<Vec<_>>(),
        ),
        (
            lang.pick("措施后", "after measures"),
            RESIDUAL,
            dims.iter()
                .map(|d| d.residual_normalised.unwrap_or(0.0))
                .collect(),
        ),
    ];
    for (i, (name, color, shares)) in series.iter().enumerate() {
        let outline: Vec<(i32, i32)> = shares
            .iter()
            .enumerate()
            .map(|(k, s)| point(k, *s))
            .collect();
        root.draw(&Polygon::new(outline.clone(), color.mix(0.18).filled()))?;
        let mut closed = outline.clone();
        closed.extend(outline.first().copied());
        root.draw(&PathElement::new(closed, color.stroke_width(3)))?;
        for p in &outline {
            root.draw(&Circle::new(*p, 4, color.filled()))?;
        }
        let y = 90 + 34 * i as i32;
        root.draw(&Rectangle::new([(720, y), (748, y + 18)], color.filled()))?;
        root.draw(&Text::new(
            name.to_string(),
            (758, y),
            font(fonts, name, 18.0),
        ))?;
    }
    let note = lang.pick(
        "刻度：维度得分 ÷ 维度权重",
        "scale: dimension score ÷ dimension weight",
    );
    root.draw(&Text::new(
        note,
        (24, 610),
        font(fonts, note, 14.0).color(&INK.mix(0.7)),
    ))?;
    Ok(())
}
