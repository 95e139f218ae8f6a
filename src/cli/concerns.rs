//! `wenping concerns import`: a township's ledger (民情台账) imported as the machine's operator.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Subcommand;

use crate::app::concern_import::{self, LedgerUpload};
use crate::app::{AppError, Context};
use crate::domain::principal::Principal;

#[derive(Debug, Subcommand)]
pub enum ConcernsCommand {
    /// Import a ledger (XLSX, or CSV in UTF-8 or GBK); exits non-zero when the file is refused
    Import {
        file: PathBuf,
        /// Import the valid rows and list the refused ones; otherwise all or nothing
        #[arg(long)]
        skip_invalid: bool,
        /// Print the whole report as JSON
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(ctx: &Context, command: ConcernsCommand) -> anyhow::Result<()> {
    let ConcernsCommand::Import {
        file,
        skip_invalid,
        json,
    } = command;
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let upload = LedgerUpload {
        file_name: file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        bytes,
        skip_invalid,
    };
    let mut out = std::io::stdout();
    // The command line acts for the operator of the machine: every role, no region scope.
    let report = match concern_import::import(ctx, &Principal::operator(), upload).await {
        Ok(report) => report,
        // One error a line, as the file names them: a refused ledger is read by whoever corrects it.
        Err(AppError::Invalid(errors)) => {
            for e in &errors.0 {
                writeln!(out, "{}: {}", e.field, e.message)?;
            }
            anyhow::bail!("the ledger was refused; nothing was stored");
        }
        Err(other) => return Err(other.into()),
    };
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(());
    }
    for e in &report.errors {
        writeln!(
            out,
            "row {}, column {}: “{}” '{}': {}",
            e.row, e.field, e.column, e.value, e.message
        )?;
    }
    if !report.ignored_columns.is_empty() {
        writeln!(
            out,
            "columns not read: {}",
            report.ignored_columns.join(", ")
        )?;
    }
    writeln!(
        out,
        "{} rows: {} imported, {} already in the ledger, {} rejected",
        report.rows, report.imported, report.already_present, report.rejected_rows
    )?;
    Ok(())
}
