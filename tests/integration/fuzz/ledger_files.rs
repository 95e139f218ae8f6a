//! A township's concern ledger (民情台账) as the ledger import reads it (`ledger::sheet::read_sheet`, then
//! `ledger::import::check_rows`), over mutated ledgers in GBK and UTF-8: the file is refused saying why, or every
//! row is read or refused naming its cell.

use std::fmt;

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use wenping::ledger::import::check_rows;
use wenping::ledger::sheet::read_sheet;
use wenping::ledger::vocabulary::VOCABULARY;

use super::mutate::{apply, edits, shown};
use super::{CorpusCase, corpus_dir, corpus_files, found_cases, fuzz};

#[derive(Clone)]
pub struct LedgerFile {
    name: String,
    bytes: Vec<u8>,
}

impl fmt::Debug for LedgerFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, shown(&self.bytes))
    }
}

impl CorpusCase for LedgerFile {
    fn file_name(&self) -> String {
        self.name
            .rsplit('/')
            .next()
            .unwrap_or("ledger.csv")
            .to_owned()
    }
    fn bytes(&self) -> Vec<u8> {
        self.bytes.clone()
    }
}

fn read(case: &LedgerFile) -> Result<usize, TestCaseError> {
    let sheet = match read_sheet(&case.name, &case.bytes, &VOCABULARY) {
        Ok(sheet) => sheet,
        Err(error) => {
            prop_assert!(!error.to_string().trim().is_empty(), "{error:?}");
            return Ok(0);
        }
    };
    let now = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
    let checked = check_rows(&sheet, &VOCABULARY, now);
    prop_assert_eq!(checked.len(), sheet.rows.len());
    let mut read = 0;
    for row in &checked {
        prop_assert!(
            row.row >= 2,
            "a row error names the header row: {}",
            row.row
        );
        prop_assert_eq!(row.entry.is_some(), row.errors.is_empty());
        for error in &row.errors {
            prop_assert!(!error.message.trim().is_empty());
        }
        read += usize::from(row.entry.is_some());
    }
    Ok(read)
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = corpus_files(&corpus_dir().join("ledger"));
    seeds.extend(found_cases("ledger_files"));
    assert!(seeds.len() >= 3, "the ledger corpus is missing");
    seeds
}

#[test]
fn every_ledger_seed_is_read_with_its_good_rows() {
    for (name, bytes) in corpus_files(&corpus_dir().join("ledger")) {
        let read = read(&LedgerFile {
            name: name.clone(),
            bytes,
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(read > 0, "{name}: no row read");
    }
    for (name, bytes) in found_cases("ledger_files") {
        read(&LedgerFile {
            name: name.clone(),
            bytes,
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn mutated_ledgers_are_read_or_refused_never_a_panic() {
    let seeds = seeds();
    let count = seeds.len();
    let strategy = (0..count, edits()).prop_map(move |(k, edits)| LedgerFile {
        name: seeds[k].0.clone(),
        bytes: apply(&seeds[k].1, &edits),
    });
    fuzz("ledger_files", 48, strategy, |case| read(&case).map(|_| ()));
}
