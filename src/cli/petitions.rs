//! `wenping petitions import|generate` and `wenping regions import`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use crate::app::petitions::{self as use_cases, Upload};
use crate::app::{Clock, Context, SystemClock};
use crate::domain::petition::Region;
use crate::domain::principal::Principal;
use crate::domain::region::RegionCode;
use crate::petitions::csv_stream::ImportSource;
use crate::petitions::encoding::TextEncoding;
use crate::petitions::generate::{self, GenerateOptions};
use crate::petitions::import::{ColumnMapping, ImportOptions};

/// Row errors printed before the summary; the rejects file holds every rejected row.
const ERRORS_SHOWN: usize = 50;

#[derive(Debug, Subcommand)]
pub enum PetitionsCommand {
    /// Import a petition export (CSV UTF-8/GBK, Parquet, XLSX); exits non-zero when the file is refused
    Import {
        file: PathBuf,
        /// utf-8 or gbk (CSV; detected when absent)
        #[arg(long)]
        encoding: Option<String>,
        /// XLSX sheet (default: the first)
        #[arg(long)]
        sheet: Option<String>,
        /// A mapping file: `[columns]` field = "header in the file"
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// Import the valid rows and write the rejected ones to --rejects
        #[arg(long)]
        skip_invalid: bool,
        /// Where rejected rows go (default: FILE.rejects.csv)
        #[arg(long)]
        rejects: Option<PathBuf>,
        /// Print the whole report as JSON
        #[arg(long)]
        json: bool,
    },
    /// Write the stored petition history as Parquet under a folder, partitioned by year and county
    /// (year=YYYY/region=CCCCCC/petitions.parquet), for polars to scan
    Export {
        /// The folder to write into (created when missing)
        #[arg(long, value_name = "DIR")]
        parquet: PathBuf,
    },
    /// Write a realistic synthetic data set, the same for the same seed
    Generate {
        #[arg(long, default_value_t = 10_000)]
        records: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = OutputFormat::Csv)]
        format: OutputFormat,
        /// utf-8 or gbk (CSV)
        #[arg(long, default_value = "utf-8")]
        encoding: String,
        /// Add this many realistic bad rows
        #[arg(long, default_value_t = 0)]
        with_errors: usize,
        /// Last day of the data set (it spans the 36 months before); default today, so the set reaches the
        /// current month
        #[arg(long)]
        until: Option<NaiveDate>,
        /// County code of the synthetic county
        #[arg(long, default_value = "330299")]
        county: String,
        /// Also write the synthetic region table (code,name,population,households) here
        #[arg(long)]
        regions_out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    Csv,
    Parquet,
    Xlsx,
}

#[derive(Debug, Subcommand)]
pub enum RegionsCommand {
    /// Insert or update regions from a CSV file: code,name,population,households (UTF-8 or GBK)
    Import { file: PathBuf },
}

pub async fn run(ctx: &Context, command: PetitionsCommand) -> anyhow::Result<()> {
    match command {
        PetitionsCommand::Import {
            file,
            encoding,
            sheet,
            mapping,
            skip_invalid,
            rejects,
            json,
        } => {
            let options = ImportOptions {
                encoding: encoding
                    .as_deref()
                    .map(TextEncoding::parse)
                    .transpose()
                    .map_err(anyhow::Error::msg)?,
                format: None,
                sheet,
                mapping: match mapping {
                    Some(path) => Some(ColumnMapping::parse(&read_text(&path)?)?),
                    None => None,
                },
                // The command line acts for the operator of the machine, with no region scope.
                scope: Default::default(),
            };
            import(ctx, &file, options, skip_invalid, rejects, json).await
        }
        PetitionsCommand::Export { parquet } => {
            let export = use_cases::export_parquet(ctx, &Principal::operator(), &parquet).await?;
            println!(
                "{} records in {} files written under {}",
                export.records,
                export.files,
                parquet.display()
            );
            Ok(())
        }
        PetitionsCommand::Generate { .. } => run_generate(command),
    }
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

async fn import(
    ctx: &Context,
    file: &Path,
    options: ImportOptions,
    skip_invalid: bool,
    rejects: Option<PathBuf>,
    json: bool,
) -> anyhow::Result<()> {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} rows ({elapsed})")
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .progress_chars("=> "),
    );
    bar.set_message("validating");
    let progress_bar = bar.clone();
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Read as it is imported, so memory does not grow with the file; refused here if it cannot be opened.
    std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let upload = Upload {
        file_name: name,
        source: ImportSource::File(file.to_path_buf()),
        options,
        skip_invalid,
    };
    let operator = Principal::operator();
    let report = use_cases::import_now(
        ctx,
        &operator,
        upload,
        Box::new(move |done, total| {
            progress_bar.set_length(total as u64);
            progress_bar.set_position(done as u64);
        }),
    )
    .await?;
    bar.finish_and_clear();
    let mut out = std::io::stdout();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        for e in report.errors.iter().take(ERRORS_SHOWN) {
            writeln!(
                out,
                "row {:>7}  {}  '{}': {}",
                e.row, e.column, e.value, e.reason
            )?;
        }
        if report.errors.len() > ERRORS_SHOWN {
            writeln!(
                out,
                "… and {} more errors",
                report.errors.len() - ERRORS_SHOWN
            )?;
        }
        if let Some(error) = &report.file_error {
            writeln!(out, "error: {error}")?;
        }
        writeln!(
            out,
            "{}: {} rows, {} valid, {} rejected; {} new, {} updated, {} unchanged (import {})",
            report.status,
            report.rows,
            report.valid,
            report.rejected,
            report.new,
            report.updated,
            report.unchanged,
            report.id
        )?;
    }
    if report.rejected > 0 {
        let path = rejects.unwrap_or_else(|| file.with_extension("rejects.csv"));
        let csv = use_cases::rejects(ctx, &operator, report.id).await?;
        std::fs::write(&path, csv).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("rejected rows written to {}", path.display());
    }
    if !report.accepted() {
        anyhow::bail!("the file was refused; nothing was stored");
    }
    Ok(())
}

/// Generation needs no database.
pub fn run_generate(command: PetitionsCommand) -> anyhow::Result<()> {
    let PetitionsCommand::Generate {
        records,
        seed,
        out,
        format,
        encoding,
        with_errors,
        until,
        county,
        regions_out,
    } = command
    else {
        return Ok(());
    };
    let county = RegionCode::parse(&county).map_err(anyhow::Error::msg)?;
    anyhow::ensure!(
        county.as_str().len() == 6,
        "--county needs a 6-digit county code"
    );
    let options = GenerateOptions {
        records,
        seed,
        until: until.unwrap_or_else(|| SystemClock.today()),
        with_errors,
        county: county.as_str().to_owned(),
    };
    let encoding = TextEncoding::parse(&encoding).map_err(anyhow::Error::msg)?;
    match format {
        OutputFormat::Csv => {
            let file = std::fs::File::create(&out)
                .with_context(|| format!("cannot write {}", out.display()))?;
            let mut file = std::io::BufWriter::new(file);
            match encoding {
                TextEncoding::Utf8 => {
                    generate::write_csv(&options, &mut file, |line| line.as_bytes().to_vec())
                }
                TextEncoding::Gb18030 => generate::write_csv(&options, &mut file, |line| {
                    encoding_rs::GBK.encode(line).0.into_owned()
                }),
            }
            .with_context(|| format!("cannot write {}", out.display()))?;
        }
        OutputFormat::Parquet => {
            let file = std::fs::File::create(&out)
                .with_context(|| format!("cannot write {}", out.display()))?;
            generate::write_parquet(&options, std::io::BufWriter::new(file))
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("cannot write {}", out.display()))?;
        }
        OutputFormat::Xlsx => {
            let bytes =
                crate::petitions::workbook::xlsx_bytes(&options).map_err(anyhow::Error::msg)?;
            std::fs::write(&out, bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
        }
    }
    if let Some(path) = regions_out {
        let mut text = String::from("code,name,population,households\n");
        for r in generate::regions(&options) {
            text.push_str(&format!(
                "{},{},{},{}\n",
                r.code, r.name, r.population, r.households
            ));
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "{records} records (seed {seed}, {with_errors} bad) written to {}",
        out.display()
    );
    Ok(())
}

/// Reads `code,name,population,households` (headers in English or 代码,名称,人口,户数).
pub fn parse_regions(text: &str) -> anyhow::Result<Vec<Region>> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = lines.next().context("the region file is empty")?;
    let names: Vec<String> = header
        .trim_start_matches('\u{feff}')
        .split(',')
        .map(|h| h.trim().to_lowercase())
        .collect();
    let find = |options: &[&str]| names.iter().position(|h| options.contains(&h.as_str()));
    let (Some(code), Some(name), Some(population), Some(households)) = (
        find(&["code", "代码", "区划代码"]),
        find(&["name", "名称"]),
        find(&["population", "人口"]),
        find(&["households", "户数"]),
    ) else {
        anyhow::bail!(
            "the region file needs the columns code, name, population, households; found {names:?}"
        );
    };
    let mut regions = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in lines.enumerate() {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let cell = |k: usize| cells.get(k).copied().unwrap_or_default();
        let row = i + 2;
        let parsed = (
            RegionCode::parse(cell(code)),
            cell(population).parse::<i64>().ok().filter(|p| *p >= 0),
            cell(households).parse::<i64>().ok().filter(|h| *h >= 0),
        );
        match parsed {
            (Ok(c), Some(p), Some(h)) if !cell(name).is_empty() => regions.push(Region {
                code: c.as_str().to_owned(),
                name: cell(name).to_owned(),
                population: p,
                households: h,
            }),
            (Err(e), _, _) => errors.push(format!("row {row}: {e}")),
            _ => errors.push(format!(
                "row {row}: name, population and households must be given (numbers ≥ 0)"
            )),
        }
    }
    anyhow::ensure!(
        errors.is_empty(),
        "the region file has errors:\n  {}",
        errors.join("\n  ")
    );
    Ok(regions)
}

pub async fn run_regions(ctx: &Context, command: RegionsCommand) -> anyhow::Result<()> {
    let RegionsCommand::Import { file } = command;
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let (text, _) = crate::petitions::encoding::decode(&bytes, None)?;
    let regions = parse_regions(&text)?;
    let n = use_cases::import_regions(ctx, &Principal::operator(), &regions).await?;
    println!("{n} regions imported from {}", file.display());
    Ok(())
}
