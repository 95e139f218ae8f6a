//! A ledger file as rows of cells by column: XLSX through the petition import's bounded sheet reader, CSV in
//! UTF-8 or GBK through its encoding detection and CSV reader, so a township's sheet is held to the same limits
//! as a county's export. The headers are matched to columns by the concern vocabulary.

use crate::petitions::FileError;
use crate::petitions::encoding::{TextEncoding, decode};
use crate::petitions::table::{RawTable, read_csv};
use crate::petitions::xlsx::{SheetVocabulary, read_xlsx};

use super::columns::Column;
use super::vocabulary::ConcernVocabulary;

/// Data rows one import reads: all of them are checked and stored in one transaction, so a township's
/// ledger of some years fits and a county's petition export (which has its own import) does not.
pub const MAX_LEDGER_ROWS: usize = 20_000;

impl SheetVocabulary for ConcernVocabulary {
    fn names_field(&self, header: &str) -> bool {
        self.field_of_header(header).is_some()
    }

    fn keeps_time(&self) -> bool {
        true
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerFormat {
    Csv,
    Xlsx,
}

impl LedgerFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }

    /// By the name's extension, else by the content: an XLSX file is a zip archive.
    fn of(file_name: &str, bytes: &[u8]) -> Result<Self, FileError> {
        let lower = file_name.to_ascii_lowercase();
        if lower.ends_with(".xls") || lower.ends_with(".et") {
            return Err(FileError::Unreadable {
                format: "xls",
                reason: "a workbook of Excel 97–2003 (or WPS) is not read: save it as .xlsx or CSV"
                    .into(),
            });
        }
        if lower.ends_with(".parquet") {
            return Err(FileError::Unreadable {
                format: "parquet",
                reason: "a ledger is read from XLSX or CSV".into(),
            });
        }
        if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") || bytes.starts_with(b"PK\x03\x04")
        {
            Ok(Self::Xlsx)
        } else {
            Ok(Self::Csv)
        }
    }
}

/// One data row: its spreadsheet number (the header is row 1) and its non-empty cells, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    pub row: usize,
    pub cells: Vec<(Column, String)>,
}

impl SheetRow {
    pub fn get(&self, column: Column) -> Option<&str> {
        self.cells
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, v)| v.as_str())
    }
}

/// A ledger file read: the columns found and its rows.
#[derive(Debug, Clone)]
pub struct LedgerSheet {
    pub format: LedgerFormat,
    /// A CSV file's encoding, as detected.
    pub encoding: Option<TextEncoding>,
    /// The columns read, each with its header as the file writes it.
    pub columns: Vec<(Column, String)>,
    /// Headers that name no column (a 备注, a 序号): their cells are not read.
    pub ignored: Vec<String>,
    /// The rows with something in them; blank rows are not kept.
    pub rows: Vec<SheetRow>,
}

impl LedgerSheet {
    /// The header of `column` as the file writes it; the vocabulary's when the file has no such column.
    pub fn header(&self, column: Column) -> &str {
        self.columns
            .iter()
            .find(|(c, _)| *c == column)
            .map_or(column.header(), |(_, h)| h.as_str())
    }
}

/// Reads a ledger file; a file that cannot be a ledger (unreadable, no 台账编号 column, too many rows) is
/// refused whole.
pub fn read_sheet(
    file_name: &str,
    bytes: &[u8],
    vocabulary: &ConcernVocabulary,
) -> Result<LedgerSheet, FileError> {
    let format = LedgerFormat::of(file_name, bytes)?;
    let (table, encoding) = match format {
        LedgerFormat::Csv => {
            let (text, encoding) = decode(bytes, None)?;
            (read_csv(&text)?, Some(encoding))
        }
        LedgerFormat::Xlsx => (read_xlsx(bytes, None, vocabulary)?, None),
    };
    let (columns, ignored) = match_columns(&table.headers)?;
    let rows = rows_of(&table, &columns, format)?;
    if rows.is_empty() {
        return Err(FileError::NoRows);
    }
    Ok(LedgerSheet {
        format,
        encoding,
        columns: columns
            .iter()
            .map(|&(c, i)| (c, table.headers[i].clone()))
            .collect(),
        ignored,
        rows,
    })
}

/// Each column found with the index of its header, and the headers naming none.
type Matched = (Vec<(Column, usize)>, Vec<String>);

/// Column → index of its header; a column named twice or a required one missing refuses the file.
fn match_columns(headers: &[String]) -> Result<Matched, FileError> {
    let mut columns: Vec<(Column, usize)> = Vec::new();
    let mut ignored = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        match Column::of_header(header) {
            Some(column) => {
                if let Some(&(_, first)) = columns.iter().find(|(c, _)| *c == column) {
                    return Err(FileError::Columns(format!(
                        "the columns '{}' and '{header}' both name {}: keep one",
                        headers[first],
                        column.as_str()
                    )));
                }
                columns.push((column, i));
            }
            None => ignored.push(header.clone()),
        }
    }
    let missing: Vec<String> = Column::REQUIRED
        .into_iter()
        .filter(|r| !columns.iter().any(|(c, _)| c == r))
        .map(|c| format!("{} ({})", c.header(), c.as_str()))
        .collect();
    if !missing.is_empty() {
        return Err(FileError::Columns(format!(
            "no column for {}; the file's columns are {headers:?} (the headers a ledger may use are listed in \
             assets/concern-vocabulary.toml)",
            missing.join(", ")
        )));
    }
    Ok((columns, ignored))
}

fn rows_of(
    table: &RawTable,
    columns: &[(Column, usize)],
    format: LedgerFormat,
) -> Result<Vec<SheetRow>, FileError> {
    let unreadable = |e: polars::prelude::PolarsError| FileError::Unreadable {
        format: format.as_str(),
        reason: e.to_string(),
    };
    let texts = table
        .frame
        .columns()
        .iter()
        .map(|c| c.str().map_err(unreadable))
        .collect::<Result<Vec<_>, _>>()?;
    let mut rows = Vec::new();
    for i in 0..table.frame.height() {
        let cell = |index: usize| texts[index].get(i).map(str::trim).filter(|v| !v.is_empty());
        // A row with only ignored cells (a note under the table) is blank to the ledger too.
        let cells: Vec<(Column, String)> = columns
            .iter()
            .filter_map(|&(c, index)| cell(index).map(|v| (c, v.to_owned())))
            .collect();
        if cells.is_empty() {
            continue;
        }
        if rows.len() == MAX_LEDGER_ROWS {
            return Err(FileError::TooLarge(format!(
                "the ledger has more than {MAX_LEDGER_ROWS} rows, the most one import reads: split it by year or \
                 by township"
            )));
        }
        rows.push(SheetRow {
            row: table.rows.of(i),
            cells,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::ledger::vocabulary::VOCABULARY;

    #[test]
    fn a_gbk_csv_reads_by_its_chinese_headers_and_keeps_row_numbers() {
        let text = "编号,渠道,反映时间,区划代码,问题分类,诉求内容,备注\n\
                    MQ-1,走访,2025-03-05 09:30,330199001001,补偿,青苗补偿,\n\
                    ,,,,,,只有备注\n\
                    \n\
                    MQ-2,来信,2025/3/6,330199001001,安置,过渡房,\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let sheet = read_sheet("台账.csv", &gbk, &VOCABULARY).unwrap();
        assert_eq!(sheet.encoding, Some(TextEncoding::Gb18030));
        assert_eq!(sheet.ignored, vec!["备注".to_owned()]);
        assert_eq!(sheet.header(Column::ReceivedAt), "反映时间");
        let rows: Vec<(usize, Option<&str>)> = sheet
            .rows
            .iter()
            .map(|r| (r.row, r.get(Column::Number)))
            .collect();
        assert_eq!(rows, vec![(2, Some("MQ-1")), (5, Some("MQ-2"))]);
    }

    #[test]
    fn a_file_without_a_required_column_or_with_one_named_twice_is_refused_whole() {
        let missing = read_sheet("a.csv", "序号,渠道\n1,走访\n".as_bytes(), &VOCABULARY)
            .unwrap_err()
            .to_string();
        assert!(missing.contains("台账编号 (number)"), "{missing}");
        let twice = read_sheet(
            "a.csv",
            "台账编号,编号,渠道,登记时间,区划代码,类别,反映内容\n".as_bytes(),
            &VOCABULARY,
        )
        .unwrap_err()
        .to_string();
        assert!(twice.contains("both name number"), "{twice}");
        let old = read_sheet("a.xls", b"\xd0\xcf\x11\xe0", &VOCABULARY).unwrap_err();
        assert!(old.to_string().contains(".xlsx or CSV"), "{old}");
    }
}
