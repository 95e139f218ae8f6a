use clap::Parser;

/// mimalloc rather than glibc's malloc: see the note on the dependency in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// mimalloc's option `mi_option_purge_delay`, index 15 of `mi_option_e` in the mimalloc.h (v2 and v3) that
// libmimalloc-sys bundles, which names no constant for it.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

#[allow(unsafe_code)]
unsafe extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// A petition import allocates records on the validating threads and frees them on the writing one at a high
/// rate; mimalloc returns freed pages to the system 10 ms later by default, long enough to hold a third of an
/// import's peak memory (337 → 212 MB at 1 M rows, docs/benchmarks.md). The petition commands purge at once.
fn purge_freed_memory_at_once() {
    // SAFETY: mi_option_set only stores an integer option of the allocator linked into this binary.
    #[allow(unsafe_code)]
    unsafe {
        mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = wenping::cli::Cli::parse();
    if matches!(cli.command, wenping::cli::Command::Petitions { .. }) {
        purge_freed_memory_at_once();
    }
    match wenping::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("wenping: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
