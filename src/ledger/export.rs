//! The ledger as a township keeps it: one row per concern under the vocabulary's Chinese headers, ids in the
//! words of assets/labels.toml, times in local time, so an export reads back through the import's columns.
//! Residents come masked from the export use case; text that a spreadsheet would run stays text.

use chrono::{DateTime, Utc};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::columns::Column;
use super::vocabulary::VOCABULARY;
use crate::domain::concern::Concern;
use crate::domain::text::csv_text_cell;
use crate::reports::labels::{Group, Lang};

/// The headers, in [`Column::ALL`]'s order.
pub fn headers() -> Vec<&'static str> {
    Column::ALL.iter().map(|c| c.header()).collect()
}

/// One concern's cells, in [`Column::ALL`]'s order.
pub fn row(c: &Concern) -> Vec<String> {
    let offset = VOCABULARY.local_offset();
    let local =
        |t: DateTime<Utc>, format: &str| t.with_timezone(&offset).format(format).to_string();
    let day = |t: Option<DateTime<Utc>>| t.map(|t| local(t, "%Y-%m-%d")).unwrap_or_default();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let lang = Lang::Zh;
    Column::ALL
        .iter()
        .map(|column| match column {
            Column::Number => c.number.clone(),
            Column::Channel => lang.word(Group::ConcernChannels, c.channel.as_str()),
            Column::ReceivedAt => local(c.received_at, "%Y-%m-%d %H:%M"),
            Column::RegionCode => c.region.as_str().to_owned(),
            Column::Topic => lang.word(Group::ConcernTopics, &c.topic),
            Column::Content => c.content.clone(),
            Column::ResidentName => c
                .resident
                .as_ref()
                .and_then(|r| r.name.clone())
                .unwrap_or_default(),
            Column::ResidentPhone => c
                .resident
                .as_ref()
                .and_then(|r| r.phone.clone())
                .unwrap_or_default(),
            Column::DecisionId => c
                .decisions
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            Column::Office => text(&c.office),
            Column::Handler => text(&c.handler),
            Column::DueOn => c.due_on.map(|d| d.to_string()).unwrap_or_default(),
            Column::State => lang.word(Group::ConcernStates, c.state.as_str()),
            Column::Answer => text(&c.answer),
            Column::AnsweredOn => day(c.answered_at),
            Column::Satisfaction => c
                .satisfaction
                .map(|s| lang.word(Group::Satisfaction, s.as_str()))
                .unwrap_or_default(),
            Column::AdoptedMeasure => text(&c.adopted_measure),
            Column::ClosedOn => day(c.closed_at),
            Column::Reason => text(&c.last_reason),
        })
        .collect()
}

/// The ledger as CSV: UTF-8 with a byte-order mark, so a spreadsheet program opens the Chinese as such.
pub fn csv(concerns: &[Concern]) -> String {
    let mut out = String::from("\u{feff}");
    let mut line = |cells: Vec<String>| {
        let cells: Vec<String> = cells.iter().map(|c| csv_text_cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    };
    line(headers().into_iter().map(str::to_owned).collect());
    for c in concerns {
        line(row(c));
    }
    out
}

/// The ledger as an XLSX workbook of one sheet, every cell a string (never a formula).
pub fn xlsx(concerns: &[Concern]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("民情台账")?;
    for (k, header) in headers().into_iter().enumerate() {
        sheet.write_string_with_format(0, k as u16, header, &bold)?;
    }
    for (r, concern) in concerns.iter().enumerate() {
        for (k, cell) in row(concern).iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r as u32 + 1, k as u16, cell)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}
