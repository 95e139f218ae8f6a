//! Reading one exported file into validated petition records and a complete row report. The records leave a
//! batch at a time, so storage writes one batch while the next is validated; nothing here touches the database.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use chrono::NaiveDate;
use polars::prelude::StringChunked;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FileError;
use super::csv_stream::{CsvPieces, ImportSource};
use super::encoding::{TextEncoding, decode};
pub use super::report::ImportReport;
use super::seen::SeenIds;
use super::table::{FileFormat, RawTable, RowNumbers, read_csv, read_parquet};
use super::validate::{RowCells, validate_row};
use super::vocabulary::{FIELDS, REQUIRED_FIELDS, Vocabulary, normalise};
use super::xlsx::read_xlsx;
use crate::domain::account::Scope;
use crate::domain::petition::PetitionRecord;
use crate::domain::text::csv_text_cell;

/// Rows validated between two progress reports (and held as text at once).
const BATCH_ROWS: usize = 50_000;

/// One problem with one cell: the spreadsheet row (the header is row 1), the column as the file names it,
/// the value found and why it is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub reason: String,
}

/// A mapping file for layouts the vocabulary does not know: `[columns]` field = "header in the file".
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    pub columns: BTreeMap<String, String>,
}

impl ColumnMapping {
    pub fn parse(text: &str) -> Result<Self, FileError> {
        let mapping: Self =
            toml::from_str(text).map_err(|e| FileError::Mapping(format!("mapping file: {e}")))?;
        if let Some(unknown) = mapping
            .columns
            .keys()
            .find(|f| !FIELDS.contains(&f.as_str()))
        {
            return Err(FileError::Mapping(format!(
                "mapping file: '{unknown}' is not a record field; the fields are {}",
                FIELDS.join(", ")
            )));
        }
        Ok(mapping)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub encoding: Option<TextEncoding>,
    pub format: Option<FileFormat>,
    pub sheet: Option<String>,
    pub mapping: Option<ColumnMapping>,
    /// The importing user's regions: a row located outside them is a row error (everywhere by default).
    pub scope: Scope,
}

/// A file read and validated: how many records were valid, every row error, and the rejected rows as CSV.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub format: FileFormat,
    pub encoding: Option<TextEncoding>,
    pub rows: usize,
    /// Valid records: the ones handed to the sink, unless a row error stopped the handing over.
    pub valid: usize,
    pub rejected_rows: usize,
    pub errors: Vec<RowError>,
    /// The rejected rows as they were, with their row number and reasons; empty when none.
    pub rejects_csv: String,
}

pub fn read_table(
    bytes: &[u8],
    format: FileFormat,
    options: &ImportOptions,
    vocabulary: &Vocabulary,
) -> Result<(RawTable, Option<TextEncoding>), FileError> {
    match format {
        FileFormat::Csv => {
            let (text, encoding) = decode(bytes, options.encoding)?;
            Ok((read_csv(&text)?, Some(encoding)))
        }
        FileFormat::Parquet => Ok((read_parquet(bytes)?, None)),
        FileFormat::Xlsx => Ok((
            read_xlsx(bytes, options.sheet.as_deref(), vocabulary)?,
            None,
        )),
    }
}

/// Record field → column index, from the mapping file first and the vocabulary's header names second.
fn resolve_columns(
    headers: &[String],
    mapping: Option<&ColumnMapping>,
    vocabulary: &Vocabulary,
) -> Result<Vec<(&'static str, usize)>, FileError> {
    let mut resolved: Vec<(&'static str, usize)> = Vec::new();
    for &field in FIELDS {
        let mapped = mapping.and_then(|m| m.columns.get(field));
        let found: Vec<usize> = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| match mapped {
                Some(m) => normalise(h) == normalise(m),
                None => vocabulary.columns.canonical(h) == Some(field),
            })
            .map(|(i, _)| i)
            .collect();
        match (found.as_slice(), mapped) {
            ([i], _) => resolved.push((field, *i)),
            ([], Some(m)) => {
                return Err(FileError::Columns(format!(
                    "the mapping names column '{m}' for {field}, but the file has no such column; its columns are {headers:?}"
                )));
            }
            ([], None) => {}
            (many, _) => {
                let names: Vec<&str> = many.iter().map(|&i| headers[i].as_str()).collect();
                return Err(FileError::Columns(format!(
                    "several columns name {field}: {names:?}"
                )));
            }
        }
    }
    let missing: Vec<&str> = REQUIRED_FIELDS
        .iter()
        .copied()
        .filter(|f| !resolved.iter().any(|(r, _)| r == f))
        .collect();
    if !missing.is_empty() {
        return Err(FileError::Columns(format!(
            "no column for {}; the file's columns are {headers:?} (Chinese or English headers, or a mapping file)",
            missing.join(", ")
        )));
    }
    Ok(resolved)
}

/// One batch of rows as text cells (column-major), for the row checks.
struct Batch<'a> {
    cells: &'a [Vec<Option<&'a str>>],
    columns: &'a [(&'static str, usize)],
    headers: &'a [String],
    /// Spreadsheet row numbers of the table's rows, and where the batch starts among them.
    rows: &'a RowNumbers,
    offset: usize,
}

/// One non-blank row checked: its index in the batch, its record when valid, and how many errors it has.
struct Checked {
    i: usize,
    record: Option<PetitionRecord>,
    errors: usize,
}

impl Batch<'_> {
    /// Spreadsheet row number of the batch's row `i`.
    fn row(&self, i: usize) -> usize {
        self.rows.of(self.offset + i)
    }

    fn header_of(&self, field: &str) -> String {
        self.columns
            .iter()
            .find(|(f, _)| *f == field)
            .map(|&(_, c)| self.headers[c].clone())
            .unwrap_or_else(|| field.to_owned())
    }

    /// Validates rows `range` (blank rows are skipped) and checks them against the importer's scope.
    fn check(
        &self,
        range: std::ops::Range<usize>,
        vocabulary: &Vocabulary,
        today: NaiveDate,
        scope: &Scope,
    ) -> (Vec<Checked>, Vec<RowError>) {
        let mut checked = Vec::with_capacity(range.len());
        let mut errors = Vec::new();
        for i in range {
            if self
                .cells
                .iter()
                .all(|c| c[i].is_none_or(|v| v.trim().is_empty()))
            {
                continue;
            }
            let row_cells = RowCells {
                row: self.row(i),
                cells: self
                    .columns
                    .iter()
                    .map(|&(f, c)| (f, self.headers[c].as_str(), self.cells[c][i]))
                    .collect(),
            };
            let before = errors.len();
            let record = validate_row(&row_cells, vocabulary, today, &mut errors)
                .filter(|r| in_scope(r, &row_cells, scope, &mut errors));
            checked.push(Checked {
                i,
                record,
                errors: errors.len() - before,
            });
        }
        (checked, errors)
    }
}

/// A county office imports its own petitions only: a record located elsewhere is an error of its row.
fn in_scope(
    record: &PetitionRecord,
    cells: &RowCells<'_>,
    scope: &Scope,
    errors: &mut Vec<RowError>,
) -> bool {
    if scope.covers_code(&record.region_code) {
        return true;
    }
    errors.push(RowError {
        row: cells.row,
        column: cells.header("region_code"),
        value: record.region_code.clone(),
        reason: format!(
            "outside your regions ({}): petitions of other regions are imported by their own office",
            scope.prefixes().join(", ")
        ),
    });
    false
}

/// A file's rows as tables: a CSV file a piece at a time as it is read, the other formats whole.
enum Tables<'a> {
    Csv {
        pieces: CsvPieces<'a>,
        size: u64,
    },
    Whole {
        table: Option<RawTable>,
        rows: usize,
    },
}

impl<'a> Tables<'a> {
    fn open(
        source: &'a ImportSource,
        format: FileFormat,
        options: &ImportOptions,
        vocabulary: &Vocabulary,
    ) -> Result<(Self, Option<TextEncoding>), FileError> {
        if format == FileFormat::Csv {
            let pieces = CsvPieces::open(source, options.encoding)?;
            let encoding = pieces.encoding();
            let size = source.len()?;
            return Ok((Self::Csv { pieces, size }, Some(encoding)));
        }
        let bytes = source.whole()?;
        let (table, encoding) = read_table(&bytes, format, options, vocabulary)?;
        let rows = table.frame.height();
        Ok((
            Self::Whole {
                table: Some(table),
                rows,
            },
            encoding,
        ))
    }

    fn next(&mut self) -> Option<Result<RawTable, FileError>> {
        match self {
            Self::Csv { pieces, .. } => pieces.next(),
            Self::Whole { table, .. } => table.take().map(Ok),
        }
    }

    /// The rows of the whole file, estimated from the share of it read so far when it is read in pieces.
    fn estimate(&self, done: usize) -> usize {
        match self {
            Self::Csv { pieces, size } => match pieces.handed_bytes() {
                0 => done,
                read => ((done as u128 * u128::from(*size) / u128::from(read)) as usize).max(done),
            },
            Self::Whole { rows, .. } => *rows,
        }
    }
}

/// Where the valid records of a file go, a batch at a time while the rest is still being read, so storing
/// overlaps validating. `Break` means the receiver has given up (its store failed): reading stops there.
pub type RecordSink<'a> = &'a mut dyn FnMut(Vec<PetitionRecord>) -> ControlFlow<()>;

/// Reads and validates a whole file, handing each batch's valid records to `sink` and calling
/// `progress(done, total)` after each batch. Once a row error makes the file unacceptable (no `skip_invalid`),
/// no more records are handed over, but every row is still checked for the report.
#[allow(clippy::too_many_arguments)]
pub fn parse_file(
    name: &str,
    source: &ImportSource,
    options: &ImportOptions,
    vocabulary: &Vocabulary,
    today: NaiveDate,
    skip_invalid: bool,
    progress: &mut dyn FnMut(usize, usize),
    sink: RecordSink<'_>,
) -> Result<ParsedFile, FileError> {
    let format = options
        .format
        .unwrap_or_else(|| FileFormat::from_name(name));
    let (mut tables, encoding) = Tables::open(source, format, options, vocabulary)?;
    let mut valid = 0;
    let mut errors = Vec::new();
    let mut rejects = String::new();
    let mut rejected_rows = 0;
    let mut seen = SeenIds::default();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut columns = None;
    let mut headers = Vec::new();
    let mut done = 0;
    'file: while let Some(table) = tables.next() {
        let table = table?;
        if columns.is_none() {
            columns = Some(resolve_columns(
                &table.headers,
                options.mapping.as_ref(),
                vocabulary,
            )?);
            headers = table.headers.clone();
        }
        let Some(columns) = &columns else { break };
        let total = table.frame.height();
        if done == 0 {
            // The first piece tells how many records the file holds, near enough to size the id table once.
            let expected = tables.estimate(total);
            seen.reserve(expected + expected / 8);
        }
        let texts: Vec<&StringChunked> = table
            .frame
            .columns()
            .iter()
            .map(|c| c.str())
            .collect::<Result<_, _>>()
            .map_err(|e| FileError::Unreadable {
                format: format.as_str(),
                reason: e.to_string(),
            })?;
        let mut offset = 0;
        while offset < total {
            let len = BATCH_ROWS.min(total - offset);
            let slices: Vec<StringChunked> =
                texts.iter().map(|c| c.slice(offset as i64, len)).collect();
            let cells: Vec<Vec<Option<&str>>> = slices.iter().map(|s| s.iter().collect()).collect();
            let batch = Batch {
                cells: &cells,
                columns,
                headers: &headers,
                rows: &table.rows,
                offset,
            };
            // Rows are checked on every core; duplicates, the report and the rejects follow in file order.
            let parts: Vec<(Vec<Checked>, Vec<RowError>)> = std::thread::scope(|s| {
                let share = len.div_ceil(threads);
                let workers: Vec<_> = (0..len)
                    .step_by(share.max(1))
                    .map(|start| {
                        let batch = &batch;
                        let scope = &options.scope;
                        s.spawn(move || {
                            batch.check(start..(start + share).min(len), vocabulary, today, scope)
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    // A worker that panicked must not pass for one that found no rows.
                    .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            });
            let mut records = Vec::with_capacity(len);
            for (checked, mut found) in parts {
                let mut found = found.drain(..);
                for Checked {
                    i,
                    record,
                    errors: n,
                } in checked
                {
                    let row = batch.row(i);
                    let before = errors.len();
                    errors.extend(found.by_ref().take(n));
                    if let Some(record) = record {
                        match seen.insert(&record.source_id, row) {
                            Some(first) => errors.push(RowError {
                                row,
                                column: batch.header_of("source_id"),
                                value: record.source_id.clone(),
                                reason: format!("duplicate source id: row {first} has it too"),
                            }),
                            None => records.push(record),
                        }
                    }
                    if errors.len() > before {
                        rejected_rows += 1;
                        if rejects.is_empty() {
                            let header: Vec<String> =
                                headers.iter().map(|h| csv_text_cell(h)).collect();
                            rejects.push_str(&format!("row,{},errors\n", header.join(",")));
                        }
                        let values: Vec<String> = cells
                            .iter()
                            .map(|c| csv_text_cell(c[i].unwrap_or("")))
                            .collect();
                        let reasons: Vec<String> = errors[before..]
                            .iter()
                            .map(|e| format!("{}: {}", e.column, e.reason))
                            .collect();
                        rejects.push_str(&format!(
                            "{row},{},{}\n",
                            values.join(","),
                            csv_text_cell(&reasons.join("; "))
                        ));
                    }
                }
            }
            valid += records.len();
            let acceptable = skip_invalid || errors.is_empty();
            if acceptable && !records.is_empty() && sink(records).is_break() {
                break 'file;
            }
            offset += len;
            progress(done + offset, tables.estimate(done + offset));
        }
        done += total;
    }
    if done == 0 {
        return Err(FileError::NoRows);
    }
    Ok(ParsedFile {
        format,
        encoding,
        rows: valid + rejected_rows,
        valid,
        rejected_rows,
        errors,
        rejects_csv: rejects,
    })
}
