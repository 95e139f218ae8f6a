//! The synthetic data set as an XLSX workbook, laid out as county systems export it: one sheet, the Chinese
//! header in row 1, headcounts as numbers and every other cell as the text the export shows.

use rust_xlsxwriter::{Workbook, XlsxError};

use super::generate::{GenerateOptions, HEADERS, rows};

/// Data rows one sheet can hold (1 048 576 rows, the header among them).
pub const MAX_XLSX_RECORDS: usize = 1_048_575;

/// Column of the headcount (人数) in [`HEADERS`].
const HEADCOUNT: usize = 5;

fn sheet_error(e: XlsxError) -> String {
    format!("cannot write the workbook: {e}")
}

/// The generated rows as the bytes of an .xlsx file.
pub fn xlsx_bytes(options: &GenerateOptions) -> Result<Vec<u8>, String> {
    if options.records > MAX_XLSX_RECORDS {
        return Err(format!(
            "an XLSX sheet holds at most {MAX_XLSX_RECORDS} records; {} asked (write csv or parquet)",
            options.records
        ));
    }
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("信访记录").map_err(sheet_error)?;
    for (col, header) in HEADERS.iter().enumerate() {
        sheet
            .write_string(0, col as u16, *header)
            .map_err(sheet_error)?;
    }
    for (i, row) in rows(options).enumerate() {
        let r = i as u32 + 1;
        for (col, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            // A bad headcount such as "1e9" stays the text it was, as an export would show it.
            match cell.parse::<i64>() {
                Ok(n) if col == HEADCOUNT => sheet.write_number(r, col as u16, n as f64),
                _ => sheet.write_string(r, col as u16, cell.as_str()),
            }
            .map_err(sheet_error)?;
        }
    }
    book.save_to_buffer().map_err(sheet_error)
}
