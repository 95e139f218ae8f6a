//! The 5×5 probability × impact matrix, cells coloured by the model's factor levels, each factor
//! placed by its matrix grades (numbered; the numbers are listed beside the matrix).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Chart, DrawResult, INK, clip, font, level_color};
use crate::reports::fonts::Fonts;
use crate::reports::{Lang, ReportData};
use crate::scoring::model::Level;

const CELL: i32 = 96;
const LEFT: i32 = 110;
const TOP: i32 = 70;

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ReportData,
    lang: Lang,
    fonts: &Fonts,
) -> DrawResult<DB> {
    let title = Chart::Matrix.title(lang);
    root.draw(&Text::new(title, (24, 20), font(fonts, title, 24.0)))?;
    let rows = &data.model.spec().factor_matrix.rows;
    // Probability 5 at the top, impact 1 at the left.
    for p in 1..=5usize {
        for q in 1..=5usize {
            let level = rows
                .get(p - 1)
                .and_then(|row| row.get(q - 1))
                .and_then(|l| Level::parse(l))
                .unwrap_or(Level::Low);
            let (x, y) = (LEFT + (q as i32 - 1) * CELL, TOP + (5 - p as i32) * CELL);
            root.draw(&Rectangle::new(
                [(x, y), (x + CELL, y + CELL)],
                level_color(level).mix(0.55).filled(),
            ))?;
            root.draw(&Rectangle::new(
                [(x, y), (x + CELL, y + CELL)],
                WHITE.stroke_width(2),
            ))?;
        }
        let label = p.to_string();
        let y = TOP + (5 - p as i32) * CELL + CELL / 2;
        root.draw(&Text::new(
            label.clone(),
            (LEFT - 16, y),
            font(fonts, &label, 18.0).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        let x = LEFT + (p as i32 - 1) * CELL + CELL / 2;
        root.draw(&Text::new(
            label.clone(),
            (x, TOP + 5 * CELL + 14),
            font(fonts, &label, 18.0).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    let p_axis = lang.pick("概率等级", "probability");
    root.draw(&Text::new(
        p_axis,
        (20, TOP + 5 * CELL / 2),
        font(fonts, p_axis, 18.0).pos(Pos::new(HPos::Left, VPos::Center)),
    ))?;
    let q_axis = lang.pick("影响等级", "impact");
    root.draw(&Text::new(
        q_axis,
        (LEFT + 5 * CELL / 2, TOP + 5 * CELL + 44),
        font(fonts, q_axis, 18.0).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;

    // Factors sharing a cell are stacked inside it.
    let mut in_cell = [[0i32; 5]; 5];
    for (i, factor) in data.result.factors.iter().enumerate() {
        let p = usize::from(factor.initial.probability.matrix_grade.clamp(1, 5));
        let q = usize::from(factor.initial.impact.matrix_grade.clamp(1, 5));
        let slot = in_cell[p - 1][q - 1];
        in_cell[p - 1][q - 1] += 1;
        let (x, y) = (
            LEFT + (q as i32 - 1) * CELL + 8 + (slot % 3) * 29,
            TOP + (5 - p as i32) * CELL + 8 + (slot / 3) * 26,
        );
        root.draw(&Circle::new((x + 11, y + 11), 12, WHITE.filled()))?;
        let number = (i + 1).to_string();
        root.draw(&Text::new(
            number.clone(),
            (x + 11, y + 11),
            font(fonts, &number, 15.0).pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
    }
    let legend_x = LEFT + 5 * CELL + 40;
    for (i, factor) in data.result.factors.iter().enumerate() {
        let label = format!("{} {}", i + 1, clip(&lang.name(&factor.name), 16));
        root.draw(&Text::new(
            label.clone(),
            (legend_x, TOP + 4 + 24 * i as i32),
            font(fonts, &label, 16.0).color(&INK),
        ))?;
    }
    Ok(())
}
