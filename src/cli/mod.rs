//! The `wenping` command line: each command is a small function calling into the library.

mod petitions;
mod report;
mod users;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{Overrides, Settings};
use crate::scoring;
use crate::startup::{Application, load_models};
use crate::storage::{Db, redact};
use crate::telemetry;

#[derive(Debug, Parser)]
#[command(
    name = "wenping",
    version,
    about = "稳评 — social-stability risk assessment of major decisions"
)]
pub struct Cli {
    #[command(flatten)]
    pub overrides: Overrides,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (applies pending migrations first)
    Serve,
    /// Apply pending database migrations and exit
    Migrate,
    /// Work with risk-model files
    Models {
        #[command(subcommand)]
        command: ModelsCommand,
    },
    /// Manage users and API tokens
    Users {
        #[command(subcommand)]
        command: users::UsersCommand,
    },
    /// Write the report or a chart of a stored assessment to a file
    Report {
        /// The assessment's id
        assessment_id: uuid::Uuid,
        /// html, pdf, docx, csv or json; or a chart as radar.png, matrix.svg, contributions.png, tornado.svg …
        #[arg(long, default_value = "html")]
        format: String,
        /// zh (default) or en
        #[arg(long, default_value = "zh")]
        lang: String,
        /// Where to write it
        #[arg(long)]
        out: PathBuf,
    },
    /// Import, generate and inspect petition (信访) data
    Petitions {
        #[command(subcommand)]
        command: petitions::PetitionsCommand,
    },
    /// The region table (division codes with population) that petition rates use
    Regions {
        #[command(subcommand)]
        command: petitions::RegionsCommand,
    },
    /// Score a decision offline from a JSON file (decision kind, attributes, ratings, measures)
    Assess {
        /// The input file, e.g. examples/assess-land.json
        file: PathBuf,
        /// Print the whole assessment as JSON instead of a table
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Validate the model files in DIR (default: the configured models folder); exits
    /// non-zero when any file has an error
    Check {
        /// Folder of model files
        dir: Option<PathBuf>,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(&cli.overrides)?;
    telemetry::init(settings.log_format);
    match cli.command {
        Command::Serve => serve(&settings).await,
        Command::Migrate => migrate(&settings).await,
        Command::Models {
            command: ModelsCommand::Check { dir },
        } => check_models(dir.as_deref().unwrap_or(&settings.models_dir)),
        Command::Assess { file, json } => assess(&settings.models_dir, &file, json),
        Command::Report {
            assessment_id,
            format,
            lang,
            out,
        } => {
            let db = open_migrated(&settings).await?;
            crate::reports::fonts::init(settings.font.as_deref())?;
            let result = report::write(&db, assessment_id, &format, &lang, &out).await;
            db.close().await;
            result
        }
        Command::Petitions {
            command: command @ petitions::PetitionsCommand::Generate { .. },
        } => petitions::run_generate(command),
        Command::Petitions { command } => {
            let db = open_migrated(&settings).await?;
            let result = petitions::run(&db, command).await;
            db.close().await;
            result
        }
        Command::Regions { command } => {
            let db = open_migrated(&settings).await?;
            let result = petitions::run_regions(&db, command).await;
            db.close().await;
            result
        }
        Command::Users { command } => {
            let db = open_migrated(&settings).await?;
            let result = users::run(&db, command).await;
            db.close().await;
            result
        }
    }
}

async fn serve(settings: &Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    let addr = app.local_addr();
    // The server must not die if whoever started it closed stdout, so write errors are ignored.
    let mut out = std::io::stdout();
    let _ = writeln!(
        out,
        "wenping listening on http://{addr} (API docs: http://{addr}/api/docs/)"
    );
    if app.db().count_users().await? == 0 {
        let _ = writeln!(
            out,
            "No users yet. Create the first administrator with:\n  wenping users add NAME --role admin\n\
             (it prints a generated password once; sign in with POST /api/v1/session)"
        );
    }
    let _ = out.flush();
    tracing::info!(%addr, database = %redact(&settings.database_url), "serving");
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

/// The configured database with its migrations applied, for commands that work on its data.
async fn open_migrated(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(&settings.database_url)
        .await
        .with_context(|| format!("cannot open database {}", redact(&settings.database_url)))?;
    db.migrate().await?;
    Ok(db)
}

async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let db = Db::connect(&settings.database_url)
        .await
        .with_context(|| format!("cannot open database {}", redact(&settings.database_url)))?;
    let applied = db.migrate().await?;
    println!(
        "{applied} migration(s) applied to {} database {}",
        db.backend(),
        redact(&settings.database_url)
    );
    db.close().await;
    Ok(())
}

/// Prints each valid model with its identity and every error of every invalid one.
fn check_models(dir: &Path) -> anyhow::Result<()> {
    let (models, errors) = scoring::load_dir(dir);
    for model in &models {
        println!(
            "ok     {} v{} ({} factors) sha256:{}",
            model.id(),
            model.spec().version,
            model.spec().factors.len(),
            model.hash()
        );
    }
    for error in &errors {
        println!("error  {error}");
    }
    if errors.is_empty() {
        println!("{} model(s) in {} are valid", models.len(), dir.display());
        Ok(())
    } else {
        anyhow::bail!(
            "{} error(s) in the models of {}",
            errors.len(),
            dir.display()
        )
    }
}

fn assess(models_dir: &Path, file: &Path, json: bool) -> anyhow::Result<()> {
    let models = load_models(models_dir)?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let input = scoring::OfflineAssessmentFile::from_json(&text)
        .with_context(|| format!("{} is not a valid assessment input", file.display()))?;
    let model = input.pick_model(&models).with_context(|| {
        format!(
            "no model in {} for decision kind {}",
            models_dir.display(),
            input.kind.as_str()
        )
    })?;
    let assessment = scoring::assess(model, &input.inputs)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&assessment)?);
    } else {
        print!("{}", scoring::render_table(&assessment));
    }
    Ok(())
}
