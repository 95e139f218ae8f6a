//! A realistic synthetic petition data set for tests, demos and benchmarks: one county with townships and
//! villages, seasonal volumes, categories in plausible proportions, land-dispute spikes in a few villages,
//! repeat petitioners and collective visits. The same seed and options give the same file, byte for byte.

use chrono::{Datelike, Duration, NaiveDate};

use crate::domain::petition::Region;

/// Headers of generated files: the Chinese export layout of county petition systems.
pub const HEADERS: [&str; 12] = [
    "信访编号",
    "登记日期",
    "信访形式",
    "问题属地",
    "信访事由",
    "人数",
    "是否集体访",
    "是否重复访",
    "是否越级访",
    "办理状态",
    "办结日期",
    "满意度",
];

/// Category names as sources spell them, with relative weights (synthetic, not measured).
const CATEGORIES: &[(&str, u32)] = &[
    ("征地拆迁", 9),
    ("土地征收", 7),
    ("房屋拆迁", 6),
    ("劳动社保", 7),
    ("拖欠工资", 8),
    ("企业改制", 3),
    ("农村农业", 12),
    ("涉法涉诉", 12),
    ("环境保护", 7),
    ("住房房产", 12),
    ("医疗卫生", 8),
    ("纪检监察", 5),
    ("其他", 4),
];
const CHANNELS: &[(&str, u32)] = &[
    ("来信", 20),
    ("信件", 5),
    ("来访", 30),
    ("电话", 15),
    ("网上信访", 30),
];
/// Relative volume by calendar month: peaks around the Spring Festival and year end.
const SEASON: [u32; 12] = [13, 12, 10, 9, 8, 8, 7, 8, 9, 9, 10, 12];
const DATE_SPELLINGS: usize = 5;

pub use crate::rng::Rng;

/// One item drawn with probability proportional to its weight.
fn weighted<'a>(rng: &mut Rng, items: &'a [(&'a str, u32)]) -> &'a str {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut pick = rng.below(u64::from(total)) as u32;
    for (name, w) in items {
        if pick < *w {
            return name;
        }
        pick -= w;
    }
    items.first().map(|(n, _)| *n).unwrap_or_default()
}

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub records: usize,
    pub seed: u64,
    /// The last day records may fall on; the set spans the 36 months before it.
    pub until: NaiveDate,
    pub with_errors: usize,
    /// County code (6 digits) of the synthetic county.
    pub county: String,
}

/// The county, 8 townships and 10 villages each, with populations.
pub fn regions(options: &GenerateOptions) -> Vec<Region> {
    let mut rng = Rng::new(options.seed ^ 0x5eed);
    let mut out = Vec::new();
    let mut county_population = 0;
    let mut townships = Vec::new();
    for t in 1..=8 {
        let code = format!("{}{t:03}", options.county);
        let mut township_population = 0;
        for v in 1..=10 {
            let population = 800 + rng.below(4_000) as i64;
            township_population += population;
            out.push(Region {
                code: format!("{code}{v:03}"),
                name: format!("第{t}镇第{v}村"),
                population,
                households: population * 10 / 28,
            });
        }
        county_population += township_population;
        townships.push(Region {
            name: format!("第{t}镇"),
            households: township_population * 10 / 28,
            population: township_population,
            code,
        });
    }
    let mut all = vec![Region {
        code: options.county.clone(),
        name: "合成县".into(),
        population: county_population,
        households: county_population * 10 / 28,
    }];
    all.extend(townships);
    all.extend(out);
    all
}

fn spell_date(date: NaiveDate, style: usize) -> String {
    let (y, m, d) = (date.year(), date.month(), date.day());
    match style % DATE_SPELLINGS {
        0 => format!("{y}-{m:02}-{d:02}"),
        1 => format!("{y}/{m}/{d}"),
        2 => format!("{y}年{m}月{d}日"),
        3 => format!("{y}{m:02}{d:02}"),
        _ => format!("{y}.{m:02}.{d:02}"),
    }
}

fn spell_flag(value: bool, style: u64) -> &'static str {
    match (style % 3, value) {
        (0, true) => "是",
        (0, false) => "否",
        (1, true) => "Y",
        (1, false) => "N",
        (_, true) => "1",
        (_, false) => "0",
    }
}

/// Rows of text cells in [`HEADERS`] order, located in the synthetic county of [`regions`]; `with_errors` rows
/// spread through the set are made invalid.
pub fn rows(options: &GenerateOptions) -> impl Iterator<Item = [String; 12]> + '_ {
    let villages: Vec<String> = regions(options)
        .into_iter()
        .map(|r| r.code)
        .filter(|c| c.len() == 12)
        .collect();
    rows_in(options, villages)
}

/// [`rows`] located in `villages` (12-digit codes) instead: a village listed twice draws twice the petitions.
/// No villages, no rows.
pub fn rows_in(
    options: &GenerateOptions,
    villages: Vec<String>,
) -> impl Iterator<Item = [String; 12]> + '_ {
    let mut rng = Rng::new(options.seed);
    let records = if villages.is_empty() {
        0
    } else {
        options.records
    };
    // A few villages with land disputes: they get extra land petitions in spike months.
    let hot: Vec<String> = (0..3)
        .filter_map(|k| villages.get((k * 37 + options.seed as usize) % villages.len().max(1)))
        .cloned()
        .collect();
    let start = options.until - Duration::days(36 * 30);
    // Days from `start` through `until` itself: the last day is one records may fall on.
    let span = (options.until - start).num_days().max(0) as u64 + 1;
    let season_total: u32 = SEASON.iter().sum();
    let error_every = options
        .records
        .checked_div(options.with_errors)
        .map_or(usize::MAX, |n| n.max(1));
    // Land disputes flare up in three months of the span, in the hot villages only.
    let spike_starts: Vec<NaiveDate> = (1..=3)
        .map(|k| start + Duration::days((span as i64) * k / 4))
        .collect();
    (0..records).map(move |i| {
        let spike = rng.chance(6);
        // Seasonal date: draw a day, keep it with probability proportional to its month's weight.
        let received = if spike {
            spike_starts[rng.below(3) as usize] + Duration::days(rng.below(30) as i64)
        } else {
            loop {
                let d = start + Duration::days(rng.below(span) as i64);
                if rng.below(u64::from(season_total))
                    < u64::from(SEASON[d.month0() as usize]) * 12 / 13 + 1
                {
                    break d;
                }
            }
        };
        let village = if spike {
            &hot[rng.below(hot.len() as u64) as usize]
        } else {
            &villages[rng.below(villages.len() as u64) as usize]
        };
        let region = if rng.chance(30) {
            village[..9].to_owned()
        } else {
            village.clone()
        };
        let category = if spike {
            "征地拆迁"
        } else {
            weighted(&mut rng, CATEGORIES)
        };
        let headcount: u64 = match rng.below(100) {
            0..=69 => 1,
            70..=84 => 2 + rng.below(3),
            _ => 5 + rng.below(if spike { 60 } else { 25 }),
        };
        let repeated = rng.chance(if spike { 45 } else { 22 });
        let escalated = rng.chance(if repeated { 25 } else { 8 });
        let age = (options.until - received).num_days();
        let (status, concluded) = if age > 90 || rng.chance(40) {
            let took = 5 + rng.below(80) as i64;
            let done = (received + Duration::days(took)).min(options.until);
            (
                if rng.chance(75) {
                    "已办结"
                } else {
                    "已终结"
                },
                Some(done),
            )
        } else if rng.chance(50) {
            ("办理中", None)
        } else {
            ("已受理", None)
        };
        let satisfaction = match (concluded.is_some(), rng.below(10)) {
            (false, _) => "",
            (true, 0..=3) => "满意",
            (true, 4..=5) => "基本满意",
            (true, 6..=7) => "不满意",
            _ => "未评价",
        };
        let style = rng.next_u64();
        let mut row = [
            format!("GEN{:016x}{i:09}", options.seed),
            spell_date(received, style as usize),
            weighted(&mut rng, CHANNELS).to_owned(),
            region,
            category.to_owned(),
            headcount.to_string(),
            spell_flag(headcount >= 5, style >> 8).to_owned(),
            spell_flag(repeated, style >> 16).to_owned(),
            spell_flag(escalated, style >> 24).to_owned(),
            status.to_owned(),
            concluded.map(|d| d.to_string()).unwrap_or_default(),
            satisfaction.to_owned(),
        ];
        if options.with_errors > 0
            && i % error_every == error_every - 1
            && i / error_every < options.with_errors
        {
            spoil(&mut row, i / error_every, options);
        }
        row
    })
}

/// The kinds of bad rows met in real exports, in turn.
fn spoil(row: &mut [String; 12], k: usize, options: &GenerateOptions) {
    match k % 8 {
        0 => row[1] = "2023-02-30".into(),
        1 => row[3] = row[3][..row[3].len() - 1].to_owned(),
        2 => row[5] = "0".into(),
        3 => row[5] = "-3".into(),
        4 => row[5] = "1e9".into(),
        5 => row[4] = "天气预报".into(),
        6 => row[1] = (options.until + Duration::days(400)).to_string(),
        _ => row[0] = format!("GEN{:016x}{:09}", options.seed, 0),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The whole set as CSV text.
pub fn csv_text(options: &GenerateOptions) -> String {
    csv_of(options.records, rows(options))
}

/// [`csv_text`] of the set located in `villages` (see [`rows_in`]).
pub fn csv_text_in(options: &GenerateOptions, villages: Vec<String>) -> String {
    csv_of(options.records, rows_in(options, villages))
}

/// One row as a CSV line, its line end included.
fn csv_line(cells: &[String]) -> String {
    let mut line = cells
        .iter()
        .map(|c| csv_field(c))
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

/// Rows in [`HEADERS`] order as CSV text under the header line.
pub fn csv_of(records: usize, rows: impl Iterator<Item = [String; 12]>) -> String {
    let mut out = String::with_capacity(records * 110);
    out.push_str(&HEADERS.join(","));
    out.push('\n');
    for row in rows {
        out.push_str(&csv_line(&row));
    }
    out
}

/// [`csv_text`] written line by line as it is made, each line as `encode` spells it: memory stays flat
/// however many records are asked for.
pub fn write_csv(
    options: &GenerateOptions,
    out: &mut impl std::io::Write,
    encode: impl Fn(&str) -> Vec<u8>,
) -> std::io::Result<()> {
    let mut header = HEADERS.join(",");
    header.push('\n');
    out.write_all(&encode(&header))?;
    for row in rows(options) {
        out.write_all(&encode(&csv_line(&row)))?;
    }
    out.flush()
}

/// Records per Parquet row group written by [`write_parquet`].
const ROWS_PER_GROUP: usize = 100_000;

/// The set as a DataFrame of text columns, for Parquet.
pub fn frame(options: &GenerateOptions) -> Result<polars::prelude::DataFrame, String> {
    frame_of(rows(options), options.records)
}

fn frame_of(
    rows: impl Iterator<Item = [String; 12]>,
    capacity: usize,
) -> Result<polars::prelude::DataFrame, String> {
    use polars::prelude::{Column, DataFrame, PlSmallStr};
    let mut columns: Vec<Vec<String>> = vec![Vec::with_capacity(capacity); HEADERS.len()];
    let mut height = 0;
    for row in rows {
        for (k, cell) in row.into_iter().enumerate() {
            columns[k].push(cell);
        }
        height += 1;
    }
    let columns = HEADERS
        .iter()
        .zip(columns)
        .map(|(h, values)| Column::new(PlSmallStr::from_str(h), values))
        .collect();
    DataFrame::new(height, columns).map_err(|e| e.to_string())
}

/// The set as Parquet, a row group at a time as it is made.
pub fn write_parquet(options: &GenerateOptions, out: impl std::io::Write) -> Result<(), String> {
    let mut rows = rows(options).peekable();
    let first = frame_of(rows.by_ref().take(ROWS_PER_GROUP), ROWS_PER_GROUP)?;
    let mut writer = polars_io::parquet::write::ParquetWriter::new(out)
        .batched(first.schema())
        .map_err(|e| e.to_string())?;
    writer.write_batch(&first).map_err(|e| e.to_string())?;
    while rows.peek().is_some() {
        let group = frame_of(rows.by_ref().take(ROWS_PER_GROUP), ROWS_PER_GROUP)?;
        writer.write_batch(&group).map_err(|e| e.to_string())?;
    }
    writer.finish().map_err(|e| e.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn options(seed: u64) -> GenerateOptions {
        GenerateOptions {
            records: 500,
            seed,
            until: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
            with_errors: 0,
            county: "330299".into(),
        }
    }

    #[test]
    fn records_reach_the_last_day_and_never_pass_it() {
        let until = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let options = GenerateOptions {
            records: 20_000,
            until,
            ..options(3)
        };
        let received: Vec<NaiveDate> = rows(&options)
            .map(|row| crate::petitions::validate::parse_date(&row[1]).unwrap())
            .collect();
        assert_eq!(received.iter().max(), Some(&until));
        assert!(
            received
                .iter()
                .all(|d| *d >= until - Duration::days(36 * 30))
        );
    }

    #[test]
    fn rows_fall_in_the_villages_given_and_none_without_villages() {
        let villages = vec![
            "330199002002".to_owned(),
            "330199002002".to_owned(),
            "330199003001".to_owned(),
        ];
        let regions: Vec<String> = rows_in(&options(4), villages.clone())
            .map(|r| r[3].clone())
            .collect();
        assert_eq!(regions.len(), 500);
        assert!(
            regions
                .iter()
                .all(|r| r.len() >= 9 && villages.iter().any(|v| v.starts_with(r.as_str())))
        );
        assert_eq!(rows_in(&options(4), Vec::new()).count(), 0);
    }

    #[test]
    fn the_same_seed_gives_the_same_rows_and_another_seed_does_not() {
        assert_eq!(csv_text(&options(7)), csv_text(&options(7)));
        assert_ne!(csv_text(&options(7)), csv_text(&options(8)));
    }
}
