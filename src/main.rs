use clap::Parser;

/// mimalloc rather than glibc's malloc: see the note on the dependency in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
