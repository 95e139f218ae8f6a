//! Petition (信访) data: importing exports (at once, or in the background when large), reading import reports,
//! the statistics of regions in scope, and the region table rates are computed against. Every import is
//! followed by the follow-up check of the decisions going ahead.

use std::sync::Arc;

use uuid::Uuid;

use super::followup;
use super::petition_evidence::RegionHistory;
use super::{AppError, Context, authorize};
use crate::auth::permission::{ImportPetitions, Permission, ReadPetitions};
use crate::domain::petition::Region;
use crate::domain::principal::Principal;
use crate::petitions::csv_stream::ImportSource;
use crate::petitions::import::{ImportOptions, ImportReport};
use crate::petitions::indicators::{PetitionStats, StatsQuery};
use crate::petitions::jobs::{ImportStatus, QueuedImport, enqueue};
use crate::petitions::service::{ImportError, Progress, import_file};
use crate::petitions::vocabulary;
use crate::storage::StorageError;

/// A petition export as uploaded or read from disk.
pub struct Upload {
    pub file_name: String,
    pub source: ImportSource,
    pub options: ImportOptions,
    /// Import the valid rows and keep the rejects; otherwise the file imports whole or not at all.
    pub skip_invalid: bool,
}

/// What became of a submitted upload.
pub enum Submitted {
    /// Imported (or refused) at once; the report says which.
    Done(Box<ImportReport>),
    /// Large: queued for import in the background.
    Queued(ImportStatus),
}

fn import_error(error: ImportError) -> AppError {
    match error {
        ImportError::Storage(e) => e.into(),
        ImportError::Internal(m) => AppError::internal_msg("petition import", m),
    }
}

/// The follow-up rule with the petition vocabulary's numbers, as every import runs it in its transaction.
pub fn follow_up_rule() -> Result<followup::Rule, AppError> {
    let vocabulary = vocabulary().map_err(|e| AppError::internal_msg("petition vocabulary", e))?;
    Ok(followup::Rule::new(vocabulary.analysis.clone()))
}

/// Imports a file now, as the caller (a scoped admin imports only petitions of their regions), with
/// `progress` told of the rows read; then runs the follow-up check. The report says whether it was refused.
pub async fn import_now(
    ctx: &Context,
    principal: &Principal,
    mut upload: Upload,
    progress: Progress,
) -> Result<ImportReport, AppError> {
    authorize::<ImportPetitions>(principal)?;
    upload.options.scope = principal.scope.clone();
    let report = import_file(
        &ctx.db,
        &upload.file_name,
        upload.source,
        upload.options,
        upload.skip_invalid,
        &principal.username,
        ctx.clock().today(),
        progress,
        &follow_up_rule()?,
    )
    .await
    .map_err(import_error);
    // Whatever came of it: an error says nothing of what committed, and forgetting costs one read.
    ctx.petition_data_changed();
    report
}

/// Imports a file at once, or — when it is larger than the background threshold — queues it and answers with
/// its status.
pub async fn submit(
    ctx: &Context,
    principal: &Principal,
    mut upload: Upload,
) -> Result<Submitted, AppError> {
    authorize::<ImportPetitions>(principal)?;
    let bytes = match upload.source {
        ImportSource::Bytes(bytes) => bytes,
        // A file on the server's disk is the command line's, which imports at once.
        ImportSource::File(_) => {
            let report = import_now(ctx, principal, upload, Box::new(|_, _| {})).await?;
            return Ok(Submitted::Done(Box::new(report)));
        }
    };
    if bytes.len() <= ctx.petitions.async_threshold_bytes {
        let upload = Upload {
            source: ImportSource::Bytes(bytes),
            ..upload
        };
        let report = import_now(ctx, principal, upload, Box::new(|_, _| {})).await?;
        return Ok(Submitted::Done(Box::new(report)));
    }
    upload.options.scope = principal.scope.clone();
    let id = Uuid::new_v4();
    let status = ImportStatus::queued(id, &upload.file_name);
    let job = QueuedImport {
        id,
        file_name: upload.file_name,
        bytes,
        options: upload.options,
        skip_invalid: upload.skip_invalid,
        actor: principal.username.clone(),
        today: ctx.clock().today(),
    };
    let waker = ctx.import_waker.clone().unwrap_or_default();
    enqueue(&ctx.db, &waker, job)
        .await
        .map_err(|e| AppError::internal_msg("queueing a petition import", e))?;
    Ok(Submitted::Queued(status))
}

/// An import's status (queued, running, succeeded, failed) and, once it has run, its report.
pub async fn status(
    ctx: &Context,
    principal: &Principal,
    id: Uuid,
) -> Result<ImportStatus, AppError> {
    authorize::<ImportPetitions>(principal)?;
    // The job first: it is marked done in the import's own transaction, so a job read as done always finds
    // its import below, and one that finishes in between is found finished.
    let job = ctx.db.import_job(id).await?;
    match (ctx.db.petition_import(id).await, job) {
        (Ok(stored), job) => ImportStatus::finished(&stored, job.as_ref())
            .map_err(|e| AppError::internal_msg("petition import status", e)),
        (Err(StorageError::NotFound(_)), Some(job)) => Ok(ImportStatus::pending(&job)),
        (Err(e), _) => Err(e.into()),
    }
}

/// The rows an import rejected, as CSV; 404 when it rejected none.
pub async fn rejects(ctx: &Context, principal: &Principal, id: Uuid) -> Result<String, AppError> {
    authorize::<ImportPetitions>(principal)?;
    ctx.db
        .petition_import(id)
        .await?
        .rejects_csv
        .ok_or_else(|| AppError::NotFound("this import rejected no rows".into()))
}

/// Petition indicators of regions (all inside the caller's scope; another answers 404, as if it did not
/// exist), categories and window. The parent baseline is used only when the parents are inside the scope too.
pub async fn stats(
    ctx: &Context,
    principal: &Principal,
    query: StatsQuery,
) -> Result<PetitionStats, AppError> {
    Ok(PetitionStats::clone(
        &*stats_shared(ctx, principal, query).await?,
    ))
}

/// The figures [`stats`] returns, as the instance keeps them: callers of the same query, scope and data version
/// get the same `Arc`, so a transport may keep what it made of them (their JSON) by that `Arc`.
pub async fn stats_shared(
    ctx: &Context,
    principal: &Principal,
    query: StatsQuery,
) -> Result<Arc<PetitionStats>, AppError> {
    authorize::<ReadPetitions>(principal)?;
    if let Some(outside) = query
        .regions
        .iter()
        .find(|code| !principal.scope.covers_code(code))
    {
        return Err(AppError::NotFound(format!(
            "no petition statistics for region {outside}"
        )));
    }
    // Rollups change only when an import commits, so a replica's lag delays a new import's figures, no more.
    // The figures depend on the query, the scope (which parents serve as baseline) and the data's version only,
    // so a version read stands in for the rollups and populations while nothing was imported or changed.
    let key = format!(
        "{:?}|{:?}|{}|{}|{:?}",
        query.regions,
        query.categories,
        query.from,
        query.to,
        principal.scope.prefixes()
    );
    // Read where the figures are read: a version from the primary could label a lagging replica's figures.
    // At most once a second: another instance's import shows here within that, as on a lagging replica.
    let imported_here = ctx.background_imports_finished();
    let version = if ctx.background_import_running() {
        ctx.reader().petition_data_version().await?
    } else {
        ctx.petition_version
            .get_or_read(imported_here, async || {
                Ok::<_, AppError>(ctx.reader().petition_data_version().await?)
            })
            .await?
    };
    if let Some((at, stats)) = ctx.petition_stats.get(&key)
        && at == version
    {
        return Ok(stats);
    }
    let history = RegionHistory::load(
        ctx.reader(),
        query.regions,
        query.categories.as_deref(),
        query.to,
        &principal.scope,
    )
    .await?;
    let stats = Arc::new(history.stats(query.categories, query.from));
    ctx.petition_stats.insert(key, (version, stats.clone()));
    Ok(stats)
}

/// Inserts or replaces regions (code, name, population, households) by code; returns how many.
pub async fn import_regions(
    ctx: &Context,
    principal: &Principal,
    regions: &[Region],
) -> Result<usize, AppError> {
    authorize::<ImportPetitions>(principal)?;
    let count = ctx.db.upsert_regions(regions).await?;
    ctx.petition_data_changed();
    Ok(count)
}

/// The newest imports with their reports, newest first, for the administrators who run them.
pub async fn recent(
    ctx: &Context,
    principal: &Principal,
    limit: u32,
) -> Result<Vec<ImportReport>, AppError> {
    authorize::<ImportPetitions>(principal)?;
    // An upload leads to its own import's page (by id, the primary); this list may lag behind it.
    ctx.reader()
        .recent_petition_imports(i64::from(limit))
        .await?
        .iter()
        .map(|stored| {
            serde_json::from_str(&stored.report).map_err(|e| {
                AppError::internal_msg(&format!("petition import {}: stored report", stored.id), e)
            })
        })
        .collect()
}

/// The regions the petition pages offer: those of the region table in the caller's scope. Whoever reads or
/// imports petitions may see them.
pub async fn regions(ctx: &Context, principal: &Principal) -> Result<Vec<Region>, AppError> {
    if !principal.has_any(ImportPetitions::ROLES) {
        authorize::<ReadPetitions>(principal)?;
    }
    let mut regions = ctx.db.all_regions(super::register::PICKER_REGIONS).await?;
    regions.retain(|r| principal.scope.covers_code(&r.code));
    Ok(regions)
}

/// What an export to Parquet wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParquetExport {
    pub files: usize,
    pub records: usize,
}

/// Writes the petition history the caller may read under `dir` as Parquet, one file per year and county
/// (`year=YYYY/region=CCCCCC/petitions.parquet`), a row group at a time: memory holds one group however
/// large the history.
pub async fn export_parquet(
    ctx: &Context,
    principal: &Principal,
    dir: &std::path::Path,
) -> Result<ParquetExport, AppError> {
    use crate::petitions::parquet_export::{PartitionWriter, ROWS_PER_GROUP, partition_path};
    authorize::<ReadPetitions>(principal)?;
    let scope = &principal.scope;
    let mut export = ParquetExport {
        files: 0,
        records: 0,
    };
    // An export reads what is committed, however long ago: the read database serves it when there is one.
    let reader = ctx.reader();
    for (year, county) in reader.petition_county_years().await? {
        // A county office's export holds its county; a township's, its townships' records of it.
        let overlaps =
            scope.covers_code(&county) || scope.prefixes().iter().any(|p| p.starts_with(&county));
        if !overlaps {
            continue;
        }
        let mut writer = PartitionWriter::create(partition_path(dir, year, &county))
            .map_err(|e| AppError::internal_msg("petition export", e))?;
        reader
            .each_petition_of(&county, year, ROWS_PER_GROUP, &mut |mut batch| {
                batch.retain(|r| scope.covers_code(&r.region_code));
                writer.write(&batch)
            })
            .await?;
        let written = writer
            .finish()
            .map_err(|e| AppError::internal_msg("petition export", e))?;
        if written > 0 {
            export.files += 1;
            export.records += written;
        }
    }
    Ok(export)
}
