//! The `server` binary: see `server::run` for what it does.

/// mimalloc instead of the system allocator: a page render allocates a great deal (the
/// view tree, the HTML, the rows), and a profile of the tenant list page under load
/// showed a fifth of the time in glibc's malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    no_transparent_huge_pages();
    server::run().await
}

/// Turns transparent huge pages off for the whole process, so that its memory after
/// warm-up stays where it settled. mimalloc asks for huge pages on its arena: the kernel
/// then backs a 2 MB range as soon as any 64 KB of it is used, and khugepaged, which walks
/// that 1 GiB arena about once every 11 minutes (4,096 pages per 10 s by default), puts
/// back together the huge pages mimalloc had partly given back. In the soak of
/// `scripts/bench.sh` that was the server's RSS rising in 2 MB steps 11 minutes after
/// start (AnonHugePages 18 → 30 MB), at any load. Without huge pages the RSS stays flat,
/// and lower (55 MB against 66 MB at the same load): a page render's working set is far
/// too small to gain from them. The flag covers every mapping of the process, SQLite's
/// too, and is set before the server allocates anything that lasts.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::thread::disable_transparent_huge_pages(true) {
        // Logging starts later, in `server::run`; this is a memory figure, not a fault.
        eprintln!("could not turn transparent huge pages off ({e}); memory may grow in steps");
    }
}
