//! XLSX exports read by their real cells. The archive is checked before anything in it is parsed, the sheet
//! is streamed a cell at a time, and rows with nothing in them are not kept, so memory follows what the file
//! holds rather than the grid its cell references span.

use std::borrow::Cow;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{Data, DataRef, DataType, Dimensions, Reader, Xlsx, open_workbook_from_rs};
use polars::prelude::{DataFrame, IntoColumn, IntoSeries, PlSmallStr, StringChunkedBuilder};

use super::FileError;
use super::table::{FileFormat, RawTable, RowNumbers};
use super::vocabulary::Vocabulary;

mod archive;
use archive::check_archive;

/// What the sheet reader asks of the vocabulary of the file it reads (petition exports, concern ledgers).
pub trait SheetVocabulary {
    /// Whether a header cell names a field the import reads: the header is the first top row with three.
    fn names_field(&self, header: &str) -> bool;
    /// Whether a date-time cell keeps its time of day. A petition export's dates are days, while a ledger's
    /// 登记时间 is the hour a concern was heard.
    fn keeps_time(&self) -> bool {
        false
    }
}

impl SheetVocabulary for Vocabulary {
    fn names_field(&self, header: &str) -> bool {
        self.columns.canonical(header).is_some()
    }
}

/// Columns a sheet may use (A to IV, Excel 2003's width): an export has a few dozen, and each column costs
/// a slot in every kept row.
pub const MAX_COLUMNS: u32 = 256;
/// Rows a sheet may have: Excel's own limit, so any sheet a spreadsheet program saves fits.
pub const MAX_ROWS: u32 = 1_048_576;
/// Kept rows × columns (16 bytes each, filled or not): a full sheet of 16 columns, the 12 of an export that
/// `petitions generate` writes and a few more; about 256 MiB of table at most.
pub const MAX_TABLE_CELLS: usize = 16 * MAX_ROWS as usize;
fn unreadable(reason: impl ToString) -> FileError {
    FileError::Unreadable {
        format: FileFormat::Xlsx.as_str(),
        reason: reason.to_string(),
    }
}

fn too_large(reason: String) -> FileError {
    FileError::TooLarge(reason)
}

/// What to do with a sheet that really holds more than an import reads.
const SPLIT_IT: &str = "save the sheet as CSV, or split it";

/// A cell as text: integral numbers without ".0", dates as dates (with their time of day when `keeps_time`
/// and it is not midnight), everything else as the sheet shows it.
fn cell_text<'c>(cell: &'c DataRef<'_>, keeps_time: bool) -> Option<Cow<'c, str>> {
    match cell {
        DataRef::Empty => None,
        DataRef::SharedString(s) => Some(Cow::Borrowed(s)),
        DataRef::String(s) => Some(Cow::Borrowed(s.as_str())),
        // Integral numbers (codes, headcounts) must not come out as "330199001.0".
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
            Some(Cow::Owned(format!("{}", *f as i64)))
        }
        DataRef::DateTime(_) | DataRef::DateTimeIso(_) => {
            Some(Cow::Owned(match (keeps_time, cell.as_datetime()) {
                (true, Some(t)) if t.time() != chrono::NaiveTime::MIN => {
                    t.format("%Y-%m-%d %H:%M:%S").to_string()
                }
                _ => cell
                    .as_date()
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| Data::from(cell.clone()).to_string()),
            }))
        }
        other => Some(Cow::Owned(Data::from(other.clone()).to_string())),
    }
}

/// One sheet row's non-empty cells: (column, text), in the order the sheet gives them.
type RowCells = Vec<(u32, String)>;

/// The text of a row's cell in `col` (the last one, should the sheet name a cell twice).
fn text_at(cells: &RowCells, col: u32) -> Option<&str> {
    cells
        .iter()
        .rev()
        .find(|c| c.0 == col)
        .map(|c| c.1.as_str())
}

/// The data rows as text columns, over every column a non-empty cell of the sheet uses.
struct Table {
    /// The leftmost column in use; `columns[k]` holds column `left + k`.
    left: u32,
    columns: Vec<StringChunkedBuilder>,
    /// 1-based sheet row of each kept row.
    rows: Vec<u32>,
}

impl Table {
    fn new(left: u32, right: u32) -> Self {
        Self {
            left,
            columns: (left..=right).map(|_| Self::column(0)).collect(),
            rows: Vec::new(),
        }
    }

    /// A column holding a null for each of the `rows` rows so far.
    fn column(rows: usize) -> StringChunkedBuilder {
        let mut column = StringChunkedBuilder::new(PlSmallStr::EMPTY, rows);
        for _ in 0..rows {
            column.append_null();
        }
        column
    }

    fn right(&self) -> u32 {
        self.left + self.columns.len() as u32 - 1
    }

    /// Keeps one non-empty row (blank rows are never kept), refusing the sheet once the table would pass
    /// [`MAX_TABLE_CELLS`].
    fn push(&mut self, row: u32, cells: &RowCells) -> Result<(), FileError> {
        let left = cells.iter().map(|c| c.0).fold(self.left, u32::min);
        let right = cells.iter().map(|c| c.0).fold(self.right(), u32::max);
        let width = (right - left + 1) as usize;
        let rows = self.rows.len() + 1;
        if rows.saturating_mul(width) > MAX_TABLE_CELLS {
            return Err(too_large(format!(
                "by row {} the sheet has {rows} non-empty rows over {width} columns, more than the \
                 {MAX_TABLE_CELLS} cells an import reads: {SPLIT_IT}",
                row + 1
            )));
        }
        if left < self.left {
            let added: Vec<_> = (left..self.left)
                .map(|_| Self::column(self.rows.len()))
                .collect();
            self.columns.splice(0..0, added);
            self.left = left;
        }
        for _ in self.right()..right {
            self.columns.push(Self::column(self.rows.len()));
        }
        for (k, column) in self.columns.iter_mut().enumerate() {
            match text_at(cells, self.left + k as u32) {
                Some(text) => column.append_value(text),
                None => column.append_null(),
            }
        }
        self.rows.push(row + 1);
        Ok(())
    }

    /// The table under the header's names (`column_N` where the header cell is empty).
    fn finish(self, header: &RowCells) -> Result<RawTable, FileError> {
        let headers: Vec<String> = (0..self.columns.len())
            .map(|k| match text_at(header, self.left + k as u32) {
                Some(name) => name.to_owned(),
                None => format!("column_{}", k + 1),
            })
            .collect();
        for (k, name) in headers.iter().enumerate() {
            if let Some(first) = headers[..k].iter().position(|h| h == name) {
                return Err(FileError::Columns(format!(
                    "the header names '{name}' twice, in columns {} and {}",
                    column_letters(self.left + first as u32),
                    column_letters(self.left + k as u32)
                )));
            }
        }
        let columns = self
            .columns
            .into_iter()
            .zip(&headers)
            .map(|(column, name)| {
                column
                    .finish()
                    .with_name(PlSmallStr::from_str(name))
                    .into_series()
                    .into_column()
            })
            .collect();
        let frame = DataFrame::new(self.rows.len(), columns).map_err(unreadable)?;
        Ok(RawTable {
            frame,
            headers,
            rows: RowNumbers::Listed(self.rows),
        })
    }
}

/// The rows of a sheet as they stream in: the top ones are held until the header is known, the rest go
/// straight into the table.
enum SheetRows<'v> {
    Top {
        rows: Vec<(u32, RowCells)>,
        vocabulary: &'v dyn SheetVocabulary,
    },
    Data {
        header: (u32, RowCells),
        table: Table,
    },
}

/// Header rows are looked for among this many rows from the first non-empty one.
const HEADER_SEARCH_ROWS: u32 = 10;

impl SheetRows<'_> {
    fn add(&mut self, row: u32, cells: RowCells) -> Result<(), FileError> {
        match self {
            Self::Top { rows, vocabulary } => {
                let past_search = rows
                    .first()
                    .is_some_and(|(top, _)| row >= top + HEADER_SEARCH_ROWS);
                if !past_search {
                    rows.push((row, cells));
                    return Ok(());
                }
                let (header, mut table) = header_and_table(std::mem::take(rows), *vocabulary)?;
                table.push(row, &cells)?;
                *self = Self::Data { header, table };
                Ok(())
            }
            Self::Data { table, .. } => table.push(row, &cells),
        }
    }

    fn finish(self) -> Result<((u32, RowCells), Table), FileError> {
        match self {
            Self::Top { rows, .. } if rows.is_empty() => {
                Err(FileError::Columns("the sheet is empty".into()))
            }
            Self::Top { rows, vocabulary } => header_and_table(rows, vocabulary),
            Self::Data { header, table } => Ok((header, table)),
        }
    }
}

/// Picks the header among the top rows (the first in which three cells name a known field, else the
/// first row) and starts the table with the rows below it; title rows above it only widen the table.
fn header_and_table(
    rows: Vec<(u32, RowCells)>,
    vocabulary: &dyn SheetVocabulary,
) -> Result<((u32, RowCells), Table), FileError> {
    let index = rows
        .iter()
        .position(|(_, cells)| {
            let known = cells
                .iter()
                .filter(|(_, h)| vocabulary.names_field(h))
                .count();
            known >= 3
        })
        .unwrap_or(0);
    let columns = || rows.iter().flat_map(|(_, cells)| cells.iter().map(|c| c.0));
    let (Some(left), Some(right)) = (columns().min(), columns().max()) else {
        return Err(FileError::Columns("the sheet is empty".into()));
    };
    let mut table = Table::new(left, right);
    let mut rows = rows.into_iter().skip(index);
    let Some(header) = rows.next() else {
        return Err(FileError::Columns("the sheet is empty".into()));
    };
    for (row, cells) in rows {
        table.push(row, &cells)?;
    }
    Ok((header, table))
}

/// Reads the named sheet (or the first). Title rows and merged group headers above the real header are
/// skipped: the header is the first of the top rows in which most cells name a known field.
pub fn read_xlsx(
    bytes: &[u8],
    sheet: Option<&str>,
    vocabulary: &dyn SheetVocabulary,
) -> Result<RawTable, FileError> {
    check_archive(bytes)?;
    // calamine's cell references overflow (a panic under overflow checks) on absurd row numbers: such a
    // workbook is unreadable, not a crash.
    catch_unwind(AssertUnwindSafe(|| read_sheet(bytes, sheet, vocabulary))).unwrap_or_else(|_| {
        Err(unreadable(
            "a cell reference is out of range (the workbook is malformed)",
        ))
    })
}

fn read_sheet(
    bytes: &[u8],
    sheet: Option<&str>,
    vocabulary: &dyn SheetVocabulary,
) -> Result<RawTable, FileError> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| {
                FileError::Columns(format!("no sheet named '{s}'; the sheets are {names:?}"))
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| FileError::Columns("the workbook has no sheets".into()))?,
    };
    let merged = match book.worksheet_merge_cells(&name) {
        Some(found) => found.map_err(unreadable)?,
        None => Vec::new(),
    };
    let mut reader = book.worksheet_cells_reader(&name).map_err(unreadable)?;
    let mut rows = SheetRows::Top {
        rows: Vec::new(),
        vocabulary,
    };
    let mut current: Option<(u32, RowCells)> = None;
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let (row, col) = cell.get_position();
        check_position(row, col)?;
        let Some(text) = cell_text(cell.get_value(), vocabulary.keeps_time()) else {
            continue;
        };
        let text = text.into_owned();
        match &mut current {
            Some((r, cells)) if *r == row => {
                cells.push((col, text));
                continue;
            }
            Some((r, _)) if row < *r => {
                return Err(unreadable(format!(
                    "row {} comes after row {}: the sheet's rows are out of order",
                    row + 1,
                    *r + 1
                )));
            }
            _ => {}
        }
        if let Some((r, cells)) = current.replace((row, vec![(col, text)])) {
            rows.add(r, cells)?;
        }
    }
    if let Some((r, cells)) = current {
        rows.add(r, cells)?;
    }
    let ((header_row, header), table) = rows.finish()?;
    refuse_merged_header(&merged, header_row, &header)?;
    table.finish(&header)
}

/// A cell outside the grid an import reads refuses the sheet before anything is kept for it.
fn check_position(row: u32, col: u32) -> Result<(), FileError> {
    if col >= MAX_COLUMNS {
        return Err(too_large(format!(
            "cell {} is beyond column {}, the last of the {MAX_COLUMNS} an import reads: clear the cells \
             right of the export's columns",
            cell_name(row, col),
            column_letters(MAX_COLUMNS - 1)
        )));
    }
    if row >= MAX_ROWS {
        return Err(too_large(format!(
            "cell {} is beyond row {MAX_ROWS}, the last a sheet has",
            cell_name(row, col)
        )));
    }
    Ok(())
}

/// `A`, `B`, …, `IV`, … for a 0-based column.
fn column_letters(col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = u64::from(col) + 1;
    while c > 0 {
        letters.push(char::from(b'A' + ((c - 1) % 26) as u8));
        c = (c - 1) / 26;
    }
    letters.into_iter().rev().collect()
}

/// `A1`-style name of a 0-based cell.
fn cell_name(row: u32, col: u32) -> String {
    format!("{}{}", column_letters(col), u64::from(row) + 1)
}

/// A header with merged cells is a two-level header (a group over several fields, or a name spanning two
/// rows): which column holds which field is then a guess, so the sheet is refused with the cells named.
/// Merged title rows above the header are fine.
fn refuse_merged_header(
    merged: &[Dimensions],
    header: u32,
    header_cells: &RowCells,
) -> Result<(), FileError> {
    let touching: Vec<String> = merged
        .iter()
        .filter(|d| d.start.0 <= header && header <= d.end.0)
        .map(|d| {
            let text = text_at(header_cells, d.start.1).unwrap_or_default();
            format!(
                "{}:{} '{text}'",
                cell_name(d.start.0, d.start.1),
                cell_name(d.end.0, d.end.1)
            )
        })
        .collect();
    if touching.is_empty() {
        return Ok(());
    }
    Err(FileError::Columns(format!(
        "the header row {} has merged cells ({}): save the sheet with a single header row and one column \
         per field (信访编号, 登记日期, … or 台账编号, 登记时间, …), without merged header cells",
        header + 1,
        touching.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::petitions::vocabulary;
    use std::io::Read;

    /// A small workbook with `from` replaced by `to` in its sheet's XML.
    fn edited_workbook(from: &str, to: &str) -> Vec<u8> {
        use std::io::Write;
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in crate::petitions::generate::HEADERS.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
            sheet.write_string(1, c as u16, "x").unwrap();
        }
        let original = book.save_to_buffer().unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(&original[..])).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..archive.len() {
            let mut part = archive.by_index(i).unwrap();
            let mut text = String::new();
            part.read_to_string(&mut text).unwrap();
            let name = part.name().to_owned();
            out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            if name.ends_with("sheet1.xml") {
                assert!(text.contains(from), "{text}");
                text = text.replace(from, to);
            }
            out.write_all(text.as_bytes()).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn an_absurd_cell_reference_is_an_unreadable_workbook_not_a_crash() {
        for (from, to) in [
            ("r=\"A2\"", "r=\"A99999999999999\""),
            ("r=\"A2\"", "r=\"AAAAAAAAAAAAAAA2\""),
            ("<row r=\"2\"", "<row r=\"99999999999999\""),
        ] {
            let bytes = edited_workbook(from, to);
            match read_xlsx(&bytes, None, vocabulary().unwrap()) {
                Err(FileError::Unreadable { .. } | FileError::TooLarge(_)) => {}
                Err(other) => panic!("{to}: {other}"),
                Ok(table) => panic!("{to}: read {:?}", table.rows),
            }
        }
        let rows_out_of_order = edited_workbook("r=\"B2\"", "r=\"B1\"");
        let refused = read_xlsx(&rows_out_of_order, None, vocabulary().unwrap());
        assert!(matches!(refused, Err(FileError::Unreadable { .. })));
    }

    #[test]
    fn columns_are_named_as_a_spreadsheet_names_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(MAX_COLUMNS - 1), "IV");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn rows_keep_their_sheet_numbers_and_blank_rows_cost_nothing() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 1, "县信访局 2024 年登记表").unwrap();
        let header = [
            "信访编号",
            "登记日期",
            "信访形式",
            "区划代码",
            "问题类别",
            "人数",
            "办理状态",
        ];
        for (c, h) in header.iter().enumerate() {
            sheet.write_string(2, c as u16 + 1, *h).unwrap();
        }
        sheet.write_string(3, 1, "A1").unwrap();
        sheet.write_number(3, 6, 3.0).unwrap();
        sheet.write_string(6, 1, "A2").unwrap();
        // Past the header's last column: a column of its own, as in a sheet read whole.
        sheet.write_string(900_000, 9, "备注").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let table = read_xlsx(&bytes, None, vocabulary().unwrap()).unwrap();
        assert_eq!(table.rows, RowNumbers::Listed(vec![4, 7, 900_001]));
        assert_eq!(&table.headers[..2], ["信访编号", "登记日期"]);
        assert_eq!(table.headers[7..], ["column_8", "column_9"]);
        let ids = table
            .frame
            .column("信访编号")
            .unwrap()
            .str()
            .unwrap()
            .clone();
        assert_eq!(ids.get(0), Some("A1"));
        assert_eq!(ids.get(1), Some("A2"));
        assert_eq!(ids.get(2), None);
        let people = table.frame.column("人数").unwrap().str().unwrap().clone();
        assert_eq!(people.get(0), Some("3"));
    }
}
