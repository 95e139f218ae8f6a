//! The `wenping` command line: each command is a small function calling into the library.

pub mod assess;
mod concerns;
mod demo;
mod petitions;
mod report;
mod users;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::app::{self, Context};
use crate::config::{Overrides, Settings, redact};
use crate::domain::principal::Principal;
use crate::startup::{self, Application};
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
    Serve {
        /// On an empty database, first make a demo county (regions, petitions, decisions at every stage) and
        /// print one account per role with its password; a database with data is served as it is
        #[arg(long)]
        demo: bool,
    },
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
    /// The concern ledger (民情台账): import the ledgers townships keep
    Concerns {
        #[command(subcommand)]
        command: concerns::ConcernsCommand,
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
        Command::Serve { demo } => serve(&settings, demo).await,
        Command::Migrate => migrate(&settings).await,
        Command::Models {
            command: ModelsCommand::Check { dir },
        } => check_models(dir.as_deref().or(settings.models_dir.as_deref())),
        Command::Assess { file, json } => {
            let models = startup::models::load(settings.models_dir.as_deref())?;
            assess::run(&models, &file, json)
        }
        Command::Report {
            assessment_id,
            format,
            lang,
            out,
        } => {
            with_context(&settings, |ctx| async move {
                report::write(&ctx, assessment_id, &format, &lang, &out).await
            })
            .await
        }
        Command::Petitions {
            command: command @ petitions::PetitionsCommand::Generate { .. },
        } => petitions::run_generate(command),
        Command::Petitions { command } => {
            with_context(&settings, |ctx| async move {
                petitions::run(&ctx, command).await
            })
            .await
        }
        Command::Concerns { command } => {
            with_context(&settings, |ctx| async move {
                concerns::run(&ctx, command).await
            })
            .await
        }
        Command::Regions { command } => {
            with_context(&settings, |ctx| async move {
                petitions::run_regions(&ctx, command).await
            })
            .await
        }
        Command::Users { command } => {
            with_context(
                &settings,
                |ctx| async move { users::run(&ctx, command).await },
            )
            .await
        }
    }
}

/// Runs a command on the use cases' context of the configured database and models, and closes it after.
async fn with_context<F, Fut>(settings: &Settings, command: F) -> anyhow::Result<()>
where
    F: FnOnce(Context) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let ctx = startup::open(settings).await?;
    let result = command(ctx.clone()).await;
    ctx.close().await;
    result
}

async fn serve(settings: &Settings, demo: bool) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    let addr = app.local_addr();
    // The server starts answering once it runs below; a demo is made before, so no one sees half of it.
    let demo = if demo {
        tracing::info!("making the demo county");
        let seeded = app::demo::seed(app.context(), &Principal::operator()).await;
        Some(seeded.context(
            "the demo county could not be made, and the database may hold part of it: empty it (or name \
             another database) before running `serve --demo` again",
        )?)
    } else {
        None
    };
    // The server must not die if whoever started it closed stdout, so write errors are ignored.
    let mut out = std::io::stdout();
    let _ = writeln!(
        out,
        "wenping listening on http://{addr} (API docs: http://{addr}/api/docs/)"
    );
    if let Some(demo) = &demo {
        let _ = demo::print(&mut out, demo, addr);
    } else if app::accounts::count(app.context()).await? == 0 {
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

async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let (applied, backend) = startup::migrate(settings).await?;
    println!(
        "{applied} migration(s) applied to {backend} database {}",
        redact(&settings.database_url)
    );
    Ok(())
}

/// Prints each valid model with its identity and every error of every invalid one.
fn check_models(dir: Option<&Path>) -> anyhow::Result<()> {
    let dir = dir.unwrap_or(Path::new(startup::models::DEFAULT_FOLDER));
    let (models, errors) = startup::models::read_folder(dir);
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
