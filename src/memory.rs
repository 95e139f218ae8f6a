//! What the service's memory is made of, for `/metrics` and the soak: the heap its code holds, counted by the
//! binary's allocator, beside the resident set the system sees. A resident set that grows while the heap in use
//! stays flat is the allocator keeping freed pages for reuse, not a leak; both growing is a leak.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

/// Off until [`count_from_now`]: the petition commands allocate and free millions of records on several
/// threads, and one shared counter would cost them its cache line on every allocation, for a figure only a
/// running service reports.
static COUNTING: AtomicBool = AtomicBool::new(false);
/// Bytes allocated and not yet freed since counting began.
static IN_USE: AtomicIsize = AtomicIsize::new(0);

/// An allocator that counts the bytes in use while counting is on, and otherwise is `A`.
pub struct Counting<A>(pub A);

fn add(bytes: isize) {
    if COUNTING.load(Ordering::Relaxed) {
        IN_USE.fetch_add(bytes, Ordering::Relaxed);
    }
}

// SAFETY: every call is passed to `A` unchanged; only the counter is added.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees for `layout` are `A::alloc`'s.
        let ptr = unsafe { self.0.alloc(layout) };
        if !ptr.is_null() {
            add(layout.size() as isize);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { self.0.alloc_zeroed(layout) };
        if !ptr.is_null() {
            add(layout.size() as isize);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `A` with `layout` (all allocations pass through here).
        unsafe { self.0.dealloc(ptr, layout) };
        add(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`, and `new_size` is the caller's to guarantee.
        let new = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            add(new_size as isize - layout.size() as isize);
        }
        new
    }
}

/// Starts counting the heap in use; called once, first thing, by a process that serves. Memory allocated
/// before and freed after makes the figure low by as much, a few bytes of parsed arguments.
pub fn count_from_now() {
    COUNTING.store(true, Ordering::Relaxed);
}

/// Bytes of heap in use, when this process counts them (the `wenping` binary's `serve`; not tests).
pub fn heap_in_use() -> Option<u64> {
    COUNTING
        .load(Ordering::Relaxed)
        .then(|| IN_USE.load(Ordering::Relaxed).max(0) as u64)
}

/// The process's resident set in bytes, as the system counts it (Linux; `None` elsewhere).
pub fn resident() -> Option<u64> {
    // VmRSS is in kB whatever the page size (statm counts pages, which are 64 KiB on some arm64 kernels); the
    // soak reads the same line from outside (scripts/soak.py).
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Both figures in Prometheus text format, each only when known.
pub fn render() -> String {
    let mut out = String::new();
    if let Some(bytes) = heap_in_use() {
        out.push_str(
            "# HELP wenping_heap_in_use_bytes Heap allocated by the service and not yet freed.\n\
             # TYPE wenping_heap_in_use_bytes gauge\n",
        );
        out.push_str(&format!("wenping_heap_in_use_bytes {bytes}\n"));
    }
    if let Some(bytes) = resident() {
        out.push_str(
            "# HELP process_resident_memory_bytes Resident memory size in bytes.\n\
             # TYPE process_resident_memory_bytes gauge\n",
        );
        out.push_str(&format!("process_resident_memory_bytes {bytes}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heap_in_use_is_what_was_allocated_and_not_yet_freed() {
        // The test binary's own allocator is the system's; this one counts only the calls made here.
        let counting = Counting(std::alloc::System);
        count_from_now();
        let before = heap_in_use().expect("counting");
        let small = Layout::from_size_align(1000, 8).unwrap();
        let large = Layout::from_size_align(3000, 8).unwrap();
        // SAFETY: each block is freed once, with the layout it has at that moment.
        unsafe {
            let block = counting.alloc(small);
            assert!(!block.is_null());
            assert_eq!(heap_in_use(), Some(before + 1000));
            let block = counting.realloc(block, small, 3000);
            assert!(!block.is_null());
            assert_eq!(heap_in_use(), Some(before + 3000));
            let zeroed = counting.alloc_zeroed(small);
            assert_eq!(heap_in_use(), Some(before + 4000));
            counting.dealloc(zeroed, small);
            counting.dealloc(block, large);
        }
        assert_eq!(heap_in_use(), Some(before));
        assert!(render().contains(&format!("wenping_heap_in_use_bytes {before}\n")));
    }

    #[test]
    fn the_resident_set_is_read_on_linux() {
        let bytes = resident().expect("/proc/self/statm");
        assert!(bytes > 1 << 20, "{bytes}");
        assert!(render().contains("process_resident_memory_bytes "));
    }
}
