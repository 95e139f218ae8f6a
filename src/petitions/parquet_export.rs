//! The petition history as Parquet files partitioned by year and county, the layout polars scans with hive
//! partitioning (`year=2025/region=330102/petitions.parquet`): where a province's history goes when it has
//! outgrown one database (docs/scale.md). Columns are the record's fields under their own names, in the ids
//! the importer reads back; dates are ISO text, since this build of polars carries no date type.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use polars::prelude::{Column, DataFrame, PlSmallStr};
use polars_io::parquet::write::{BatchedWriter, ParquetWriter};

use crate::domain::petition::PetitionRecord;

/// Records per row group, and per batch read from the database.
pub const ROWS_PER_GROUP: usize = 100_000;

/// The file of one county's records of one year under `dir`.
pub fn partition_path(dir: &Path, year: i32, county: &str) -> PathBuf {
    dir.join(format!("year={year}"))
        .join(format!("region={county}"))
        .join("petitions.parquet")
}

/// One partition's file, written a row group at a time.
pub struct PartitionWriter {
    path: PathBuf,
    writer: Option<BatchedWriter<BufWriter<File>>>,
    rows: usize,
}

fn failed(path: &Path, e: impl std::fmt::Display) -> String {
    format!("cannot write {}: {e}", path.display())
}

impl PartitionWriter {
    pub fn create(path: PathBuf) -> Result<Self, String> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| failed(parent, e))?;
        }
        Ok(Self {
            path,
            writer: None,
            rows: 0,
        })
    }

    pub fn write(&mut self, records: &[PetitionRecord]) -> Result<(), String> {
        let frame = frame(records).map_err(|e| failed(&self.path, e))?;
        let writer = match &mut self.writer {
            Some(writer) => writer,
            None => {
                let file = File::create(&self.path).map_err(|e| failed(&self.path, e))?;
                let writer = ParquetWriter::new(BufWriter::new(file))
                    .batched(frame.schema())
                    .map_err(|e| failed(&self.path, e))?;
                self.writer.insert(writer)
            }
        };
        writer
            .write_batch(&frame)
            .map_err(|e| failed(&self.path, e))?;
        self.rows += records.len();
        Ok(())
    }

    /// Closes the file; the records written.
    pub fn finish(self) -> Result<usize, String> {
        if let Some(writer) = &self.writer {
            writer.finish().map_err(|e| failed(&self.path, e))?;
        }
        Ok(self.rows)
    }
}

fn text(name: &str, values: Vec<String>) -> Column {
    Column::new(PlSmallStr::from_str(name), values)
}

fn optional(name: &str, values: Vec<Option<String>>) -> Column {
    Column::new(PlSmallStr::from_str(name), values)
}

fn flags(name: &str, values: Vec<bool>) -> Column {
    Column::new(PlSmallStr::from_str(name), values)
}

fn frame(records: &[PetitionRecord]) -> Result<DataFrame, polars::prelude::PolarsError> {
    let of = |f: fn(&PetitionRecord) -> String| records.iter().map(f).collect::<Vec<_>>();
    let optional_of =
        |f: fn(&PetitionRecord) -> Option<String>| records.iter().map(f).collect::<Vec<_>>();
    let flags_of = |f: fn(&PetitionRecord) -> bool| records.iter().map(f).collect::<Vec<_>>();
    let columns = vec![
        text("source_id", of(|r| r.source_id.clone())),
        text("received_on", of(|r| r.received_on.to_string())),
        text("channel", of(|r| r.channel.as_str().to_owned())),
        text("region_code", of(|r| r.region_code.clone())),
        text("category", of(|r| r.category.clone())),
        optional("subcategory", optional_of(|r| r.subcategory.clone())),
        Column::new(
            PlSmallStr::from_static("headcount"),
            records.iter().map(|r| r.headcount).collect::<Vec<i32>>(),
        ),
        flags("collective", flags_of(|r| r.collective)),
        flags("repeated", flags_of(|r| r.repeated)),
        flags("escalated", flags_of(|r| r.escalated)),
        text("status", of(|r| r.status.as_str().to_owned())),
        optional("due_on", optional_of(|r| r.due_on.map(|d| d.to_string()))),
        optional(
            "concluded_on",
            optional_of(|r| r.concluded_on.map(|d| d.to_string())),
        ),
        text("satisfaction", of(|r| r.satisfaction.as_str().to_owned())),
        flags("overdue", flags_of(|r| r.overdue)),
        optional(
            "decision_id",
            optional_of(|r| r.decision_id.map(|d| d.to_string())),
        ),
    ];
    DataFrame::new(records.len(), columns)
}
