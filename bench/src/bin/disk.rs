//! R4's figures: how many single-row transactions SQLite commits per second in the
//! console's settings (WAL, synchronous=FULL), next to how many raw `write` + `fdatasync`
//! pairs the same disk does. Each commit in WAL mode with FULL costs one fdatasync of
//! the log, so the ratio says how close the database comes to the disk's own limit.
//!
//! usage: disk <dir> [seconds]; prints `raw_per_s=… sqlite_per_s=…`.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};
use std::io::Write;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().ok_or("usage: disk <dir> [seconds]")?);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(5);
    let span = Duration::from_secs(seconds);

    let raw_path = dir.join("raw.bin");
    let mut file = std::fs::File::create(&raw_path)?;
    let start = Instant::now();
    let mut raw = 0u64;
    while start.elapsed() < span {
        file.write_all(&[7u8; 100])?;
        file.sync_data()?;
        raw += 1;
    }
    let raw_per_s = raw as f64 / start.elapsed().as_secs_f64();
    drop(file);
    std::fs::remove_file(&raw_path)?;

    let db_path = dir.join("commits.db");
    let mut conn = SqliteConnectOptions::new()
        .filename(&db_path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .connect()
        .await?;
    sqlx::query("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        .execute(&mut conn)
        .await?;
    let start = Instant::now();
    let mut commits = 0u64;
    while start.elapsed() < span {
        let mut tx = conn.begin().await?;
        sqlx::query("INSERT INTO t (v) VALUES ($1)")
            .bind("a row of about the size of an audit record")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        commits += 1;
    }
    let sqlite_per_s = commits as f64 / start.elapsed().as_secs_f64();
    conn.close().await?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("commits.db{suffix}")));
    }
    println!("raw_per_s={raw_per_s:.0} sqlite_per_s={sqlite_per_s:.0}");
    Ok(())
}
