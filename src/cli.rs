//! The `wenping` command line: each command is a small function calling into the library.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{Overrides, Settings};
use crate::startup::Application;
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
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Check the model files in DIR (default: the configured models folder)
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
    }
}

async fn serve(settings: &Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    let addr = app.local_addr();
    println!("wenping listening on http://{addr} (API docs: http://{addr}/api/docs/)");
    tracing::info!(%addr, database = %redact(&settings.database_url), "serving");
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
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

/// For now this lists the model files; validating their content arrives with the scoring engine.
fn check_models(dir: &Path) -> anyhow::Result<()> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read models folder {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    for file in &files {
        println!("{}", file.display());
    }
    println!("{} model file(s) in {}", files.len(), dir.display());
    Ok(())
}
