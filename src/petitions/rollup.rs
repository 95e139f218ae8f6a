//! Rollup changes of an import: each new record adds to, and each replaced record first subtracts from, its
//! month × category in every region prefix it lies in; polars sums the contributions by key.

use polars::prelude::{Column, DataFrame, IntoLazy, PlSmallStr, col};

use crate::domain::petition::{
    PetitionRecord, RollupCounts, RollupRow, month_key, rollup_prefixes,
};

const COUNT_COLUMNS: [&str; 8] = [
    "petitions",
    "collective",
    "headcount",
    "collective_headcount",
    "repeated",
    "escalated",
    "overdue",
    "dissatisfied",
];

fn counts_array(c: &RollupCounts) -> [i64; 8] {
    [
        c.petitions,
        c.collective,
        c.headcount,
        c.collective_headcount,
        c.repeated,
        c.escalated,
        c.overdue,
        c.dissatisfied,
    ]
}

/// The rollup rows to add for these changes: (the record as stored before, if any; the record now).
/// Keys whose sums do not change are left out.
pub fn rollup_changes(
    changes: &[(Option<PetitionRecord>, PetitionRecord)],
) -> Result<Vec<RollupRow>, String> {
    let mut prefixes: Vec<&str> = Vec::new();
    let mut categories: Vec<&str> = Vec::new();
    let mut months: Vec<i32> = Vec::new();
    let mut sums: [Vec<i64>; 8] = Default::default();
    let signed = changes.iter().flat_map(|(old, new)| {
        old.as_ref()
            .map(|o| (o, -1))
            .into_iter()
            .chain(std::iter::once((new, 1)))
    });
    for (record, sign) in signed {
        let counts = counts_array(&RollupCounts::of(record, sign));
        for prefix in rollup_prefixes(&record.region_code) {
            prefixes.push(prefix);
            categories.push(&record.category);
            months.push(month_key(record.received_on));
            for (k, v) in counts.iter().enumerate() {
                sums[k].push(*v);
            }
        }
    }
    if months.is_empty() {
        return Ok(Vec::new());
    }
    let height = months.len();
    let mut columns = vec![
        Column::new(PlSmallStr::from_static("region_prefix"), prefixes),
        Column::new(PlSmallStr::from_static("category"), categories),
        Column::new(PlSmallStr::from_static("month"), months),
    ];
    for (name, values) in COUNT_COLUMNS.iter().zip(sums) {
        columns.push(Column::new(PlSmallStr::from_static(name), values));
    }
    let frame = DataFrame::new(height, columns).map_err(|e| e.to_string())?;
    let summed = frame
        .lazy()
        .group_by([col("region_prefix"), col("category"), col("month")])
        .agg(
            COUNT_COLUMNS
                .iter()
                .map(|c| col(*c).sum())
                .collect::<Vec<_>>(),
        )
        .collect()
        .map_err(|e| e.to_string())?;
    read_rows(&summed).map_err(|e| e.to_string())
}

fn read_rows(frame: &DataFrame) -> polars::prelude::PolarsResult<Vec<RollupRow>> {
    let prefix = frame.column("region_prefix")?.str()?;
    let category = frame.column("category")?.str()?;
    let month = frame.column("month")?.i32()?;
    let counts = COUNT_COLUMNS
        .iter()
        .map(|c| frame.column(c).and_then(|c| c.i64()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut rows = Vec::with_capacity(frame.height());
    for i in 0..frame.height() {
        let v: Vec<i64> = counts.iter().map(|c| c.get(i).unwrap_or(0)).collect();
        let counts = RollupCounts {
            petitions: v[0],
            collective: v[1],
            headcount: v[2],
            collective_headcount: v[3],
            repeated: v[4],
            escalated: v[5],
            overdue: v[6],
            dissatisfied: v[7],
        };
        if counts == RollupCounts::default() {
            continue;
        }
        rows.push(RollupRow {
            region_prefix: prefix.get(i).unwrap_or_default().to_owned(),
            category: category.get(i).unwrap_or_default().to_owned(),
            month: month.get(i).unwrap_or_default(),
            counts,
        });
    }
    rows.sort_by(|a, b| {
        (&a.region_prefix, &a.category, a.month).cmp(&(&b.region_prefix, &b.category, b.month))
    });
    Ok(rows)
}
