//! The `server` binary: see `server::run` for what it does.

/// mimalloc instead of the system allocator: a page render allocates a great deal (the
/// view tree, the HTML, the rows), and a profile of the tenant list page under load
/// showed a fifth of the time in glibc's malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    server::run().await
}
