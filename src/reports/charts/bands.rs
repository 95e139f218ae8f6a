//! A vertical value frame shared by the column charts: grid, tick labels and, for R, the model's
//! level bands drawn behind the columns.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{DrawResult, GRID, HIGH, INK, LOW, MEDIUM, font};
use crate::reports::fonts::Fonts;
use crate::reports::{Lang, ReportData};
use crate::scoring::model::Level;

/// A column chart's plot frame in pixels and its value range `0..=top`.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub left: i32,
    pub right: i32,
    pub top_px: i32,
    pub bottom_px: i32,
    pub top: f64,
}

impl Frame {
    pub fn y(&self, v: f64) -> i32 {
        let share = (v / self.top.max(f64::MIN_POSITIVE)).clamp(0.0, 1.0);
        self.bottom_px - ((self.bottom_px - self.top_px) as f64 * share).round() as i32
    }

    /// Horizontal grid lines with their values at the left.
    pub fn grid<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        fonts: &Fonts,
        label: impl Fn(f64) -> String,
    ) -> DrawResult<DB> {
        for tick in 0..=4 {
            let v = self.top * f64::from(tick) / 4.0;
            let y = self.y(v);
            root.draw(&PathElement::new(
                vec![(self.left, y), (self.right, y)],
                GRID.stroke_width(1),
            ))?;
            let text = label(v);
            root.draw(&Text::new(
                text.clone(),
                (self.left - 8, y),
                font(fonts, &text, 13.0).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
        }
        Ok(())
    }

    /// The model's level bands on an R axis, named at the right edge.
    pub fn level_bands<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        data: &ReportData,
        lang: Lang,
        fonts: &Fonts,
    ) -> DrawResult<DB> {
        let levels = &data.model.spec().levels;
        let bands = [
            (Level::Low, 0.0, levels.medium, LOW),
            (Level::Medium, levels.medium, levels.high, MEDIUM),
            (Level::High, levels.high, self.top, HIGH),
        ];
        for (level, from, to, color) in bands {
            if from >= self.top {
                continue;
            }
            let (y_from, y_to) = (self.y(from), self.y(to.min(self.top)));
            root.draw(&Rectangle::new(
                [(self.left, y_to), (self.right, y_from)],
                color.mix(0.12).filled(),
            ))?;
            let name = lang.level(&data.model, level);
            root.draw(&Text::new(
                name.clone(),
                (self.right + 6, (y_from + y_to) / 2),
                font(fonts, &name, 13.0)
                    .color(&color)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        root.draw(&PathElement::new(
            vec![(self.left, self.bottom_px), (self.right, self.bottom_px)],
            INK.stroke_width(1),
        ))
    }
}

/// A small coloured square with its name, for legends.
pub fn legend_entry<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fonts: &Fonts,
    at: (i32, i32),
    color: RGBAColor,
    name: &str,
) -> DrawResult<DB> {
    root.draw(&Rectangle::new(
        [(at.0, at.1 - 7), (at.0 + 14, at.1 + 7)],
        color.filled(),
    ))?;
    root.draw(&Text::new(
        name.to_owned(),
        (at.0 + 20, at.1),
        font(fonts, name, 14.0).pos(Pos::new(HPos::Left, VPos::Center)),
    ))
}
