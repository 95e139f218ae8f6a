//! Rollup changes of an import: each new record adds to, and each replaced record first subtracts from, its
//! month × category in every region prefix it lies in; polars sums the contributions by key.

use std::collections::HashMap;

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
    // Records first summed by their own region × category × month (a few tens of thousands of keys for a
    // million records), so the frame that polars groups by prefix stays small.
    let mut by_region: HashMap<(&str, &str, i32), [i64; 8]> = HashMap::new();
    let signed = changes.iter().flat_map(|(old, new)| {
        old.as_ref()
            .map(|o| (o, -1))
            .into_iter()
            .chain(std::iter::once((new, 1)))
    });
    for (record, sign) in signed {
        let counts = counts_array(&RollupCounts::of(record, sign));
        let key = (
            record.region_code.as_str(),
            record.category.as_str(),
            month_key(record.received_on),
        );
        let sum = by_region.entry(key).or_default();
        for (s, v) in sum.iter_mut().zip(counts) {
            *s += v;
        }
    }
    let mut prefixes: Vec<&str> = Vec::new();
    let mut categories: Vec<&str> = Vec::new();
    let mut months: Vec<i32> = Vec::new();
    let mut sums: [Vec<i64>; 8] = Default::default();
    for ((region, category, month), counts) in by_region {
        for prefix in rollup_prefixes(region) {
            prefixes.push(prefix);
            categories.push(category);
            months.push(month);
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::petition::{Channel, HandlingStatus, Satisfaction};

    fn record(id: &str, region: &str, headcount: i32) -> PetitionRecord {
        PetitionRecord {
            source_id: id.into(),
            received_on: NaiveDate::from_ymd_opt(2025, 3, 9).unwrap(),
            channel: Channel::parse("visit").unwrap(),
            region_code: region.into(),
            category: "land_requisition_demolition".into(),
            subcategory: None,
            headcount,
            collective: headcount >= 5,
            repeated: false,
            escalated: false,
            status: HandlingStatus::parse("accepted").unwrap(),
            due_on: None,
            concluded_on: None,
            satisfaction: Satisfaction::Unknown,
            overdue: false,
            decision_id: None,
        }
    }

    fn petitions(rows: &[RollupRow], prefix: &str) -> Option<(i64, i64)> {
        rows.iter()
            .find(|r| r.region_prefix == prefix)
            .map(|r| (r.counts.petitions, r.counts.headcount))
    }

    #[test]
    fn new_records_add_to_every_prefix_and_a_moved_record_nets_out_where_it_stays() {
        let rows = rollup_changes(&[
            (None, record("a", "330299001001", 1)),
            (None, record("b", "330299001002", 6)),
            (None, record("c", "330299002", 2)),
        ])
        .unwrap();
        assert_eq!(petitions(&rows, "330299"), Some((3, 9)));
        assert_eq!(petitions(&rows, "330299001"), Some((2, 7)));
        assert_eq!(petitions(&rows, "330299001002"), Some((1, 6)));
        assert_eq!(petitions(&rows, "330299002"), Some((1, 2)));
        assert_eq!(rows.len(), 5);

        // Record a moves to the next village of the same township: only the two villages change.
        let moved = rollup_changes(&[(
            Some(record("a", "330299001001", 1)),
            record("a", "330299001003", 1),
        )])
        .unwrap();
        assert_eq!(petitions(&moved, "330299001001"), Some((-1, -1)));
        assert_eq!(petitions(&moved, "330299001003"), Some((1, 1)));
        assert_eq!(moved.len(), 2, "{moved:?}");
    }
}
