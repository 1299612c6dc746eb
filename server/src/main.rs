//! The `server` binary: see `server::run` for what it does.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    server::run().await
}
