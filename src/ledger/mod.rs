//! The concern ledger's files: the vocabulary townships' sheets are read with, reading a ledger they keep
//! (XLSX or CSV, through the petition import's bounded readers) row by row, and writing the ledger out.

pub mod columns;
pub mod export;
pub mod import;
pub mod rows;
pub mod sheet;
pub mod vocabulary;
