//! The concern ledger's files: the vocabulary townships' sheets are read with.

pub mod vocabulary;
