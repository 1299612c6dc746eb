//! R1's yardstick: the most an axum server does per request on this machine, built in the
//! same profile as the console and pinned to the same core. The console's pages are
//! measured as a fraction of this, so that the figures mean the same on another machine.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::var("BENCH_ADDR").unwrap_or_else(|_| "127.0.0.1:3390".into());
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "Hello, World!" }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await
}
