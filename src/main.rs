use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = wenping::cli::Cli::parse();
    match wenping::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("wenping: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
