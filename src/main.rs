use clap::Parser;

/// mimalloc rather than glibc's malloc: see the note on the dependency in Cargo.toml. Counted while serving, for
/// `/metrics` (`wenping::memory`).
#[global_allocator]
static ALLOCATOR: wenping::memory::Counting<mimalloc::MiMalloc> =
    wenping::memory::Counting(mimalloc::MiMalloc);

// mimalloc's option `mi_option_purge_delay`, index 15 of `mi_option_e` in the mimalloc.h (v2 and v3) that
// libmimalloc-sys bundles, which names no constant for it.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

#[allow(unsafe_code)]
unsafe extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// Linux's `PR_SET_THP_DISABLE` (linux/prctl.h).
#[cfg(target_os = "linux")]
const PR_SET_THP_DISABLE: std::ffi::c_int = 41;

#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
unsafe extern "C" {
    fn prctl(option: std::ffi::c_int, ...) -> std::ffi::c_int;
}

/// Transparent huge pages off for this process. mimalloc asks the kernel for 2 MiB pages on its segments
/// (`MADV_HUGEPAGE`, honoured under the `madvise` setting this machine has, as under `always`), and khugepaged keeps
/// gathering the 4 KiB pages mimalloc hands back into whole 2 MiB ones again (up to 511 of 512 of them empty):
/// three minutes into the soak's load an instance held 403 MiB for 99 MiB of heap in use, 172 MiB of it huge
/// pages, and kept creeping up; with them off, 316 MiB for 73 MiB, and what the allocator keeps beside the heap
/// stays level for the hour (docs/benchmarks.md, soak). mimalloc's own switch (`MIMALLOC_ALLOW_THP=0`) is read
/// before `main`, and its `no_thp` feature only drops the request, which a kernel set to `always` does not need;
/// so the process turns them off here, for every command, before the first large allocation.
#[cfg(target_os = "linux")]
fn no_transparent_huge_pages() {
    // SAFETY: prctl with PR_SET_THP_DISABLE only sets a flag of this process's memory map; its result is ignored
    // (an older kernel without it keeps huge pages, as before).
    #[allow(unsafe_code)]
    unsafe {
        prctl(
            PR_SET_THP_DISABLE,
            1 as std::ffi::c_ulong,
            0 as std::ffi::c_ulong,
            0 as std::ffi::c_ulong,
            0 as std::ffi::c_ulong,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn no_transparent_huge_pages() {}

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
    no_transparent_huge_pages();
    let cli = wenping::cli::Cli::parse();
    if matches!(cli.command, wenping::cli::Command::Serve { .. }) {
        wenping::memory::count_from_now();
    }
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
