//! Faults, on the real server binary over a real SQLite file: a `kill -9` in the middle
//! of acknowledged writes loses none of them and leaves an intact database, and SIGTERM
//! under load fails no request the server had accepted and stops inside the grace
//! period. Each test starts its own server on a free loopback port and stops it.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ADMIN: &str = "admin@localhost";

/// A scratch directory with the database file.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "tenantry-{name}-{}-{}",
            std::process::id(),
            domain::now_ms()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn db_url(&self) -> String {
        format!("sqlite://{}/faults.db?mode=rwc", self.0.display())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The server binary with the settings the scripts give it, on `port`.
fn server(scratch: &Scratch, port: u16) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_server"));
    cmd.env("DATABASE_URL", scratch.db_url())
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("TENANTRY_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("LEPTOS_OUTPUT_NAME", "tenantry")
        .env("LEPTOS_SITE_ROOT", scratch.0.display().to_string())
        .env("LEPTOS_SITE_PKG_DIR", "pkg")
        .env("TENANTRY_BOOTSTRAP_ADMIN_EMAIL", ADMIN)
        .env(
            "TENANTRY_BOOTSTRAP_ADMIN_PASSWORD",
            "faults-bootstrap-password",
        )
        .env(
            "TENANTRY_SECRET_KEY_FILE",
            scratch.0.join("secret.key").display().to_string(),
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// Starts the server and waits until it answers.
async fn start(scratch: &Scratch, port: u16, extra: &[(&str, &str)]) -> Child {
    let mut cmd = server(scratch, port);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the server binary starts");
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = http
            .get(format!("http://127.0.0.1:{port}/login"))
            .send()
            .await
        {
            if r.status().is_success() {
                return child;
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the server exited at start: {status}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    panic!("the server did not become ready");
}

/// An API token of the bootstrap admin, from the server's own command line.
fn admin_token(scratch: &Scratch) -> String {
    let out = server(scratch, 0)
        .args(["admin", "token", "--email", ADMIN, "--ttl", "1d"])
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert!(out.status.success(), "admin token: {out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

async fn sqlite(scratch: &Scratch) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect(&scratch.db_url()).await.unwrap()
}

/// Issue 13: twenty times, four clients create users through the REST API while the
/// server is killed with SIGKILL somewhere in a run of 1,000 writes. Every write the
/// server acknowledged (201) is in the database after the crash, and SQLite's
/// integrity check passes before the next round restarts the server on the same file.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_acknowledged_writes_loses_none() {
    let scratch = Scratch::new("kill9");
    let port = free_port();
    let mut child = start(&scratch, port, &[]).await;
    let token = admin_token(&scratch);
    let http = reqwest::Client::new();
    let (mut acked_total, mut lost_total, mut intact) = (0usize, 0usize, 0usize);
    const ROUNDS: usize = 20;
    for round in 0..ROUNDS {
        if round > 0 {
            child = start(&scratch, port, &[]).await;
        }
        // Kill somewhere between the 100th and the 900th acknowledgement of this round.
        let kill_at = 100 + (round * 397) % 800;
        let acked = Arc::new(Mutex::new(Vec::<String>::new()));
        let sent = Arc::new(AtomicUsize::new(0));
        let mut writers = Vec::new();
        for w in 0..4 {
            let (http, token, acked, sent) =
                (http.clone(), token.clone(), acked.clone(), sent.clone());
            writers.push(tokio::spawn(async move {
                loop {
                    let i = sent.fetch_add(1, Ordering::SeqCst);
                    if i >= 1000 {
                        return;
                    }
                    let email = format!("r{round}-w{w}-{i}@faults.test");
                    let res = http
                        .post(format!("http://127.0.0.1:{port}/api/v1/users"))
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(format!(r#"{{"email":"{email}"}}"#))
                        .send()
                        .await;
                    match res {
                        Ok(r) if r.status().as_u16() == 201 => acked.lock().unwrap().push(email),
                        Ok(r) => panic!("round {round}: unexpected {}", r.status()),
                        // The server is gone: this write was never acknowledged.
                        Err(_) => return,
                    }
                }
            }));
        }
        while acked.lock().unwrap().len() < kill_at {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        for w in writers {
            w.await.unwrap();
        }
        let acked = acked.lock().unwrap().clone();
        let pool = sqlite(&scratch).await;
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&pool)
            .await
            .unwrap();
        if check == "ok" {
            intact += 1;
        }
        let stored: std::collections::HashSet<String> =
            sqlx::query_scalar("SELECT email FROM users WHERE email LIKE $1")
                .bind(format!("r{round}-%"))
                .fetch_all(&pool)
                .await
                .unwrap()
                .into_iter()
                .collect();
        pool.close().await;
        let lost = acked.iter().filter(|e| !stored.contains(*e)).count();
        acked_total += acked.len();
        lost_total += lost;
        assert_eq!(check, "ok", "round {round}: integrity check");
        assert_eq!(lost, 0, "round {round}: acknowledged writes lost");
    }
    println!(
        "kill -9: {ROUNDS} rounds, {acked_total} acknowledged writes, {lost_total} lost, integrity ok {intact}/{ROUNDS}"
    );
}

/// Issue 13: SIGTERM while eight clients keep reading and writing. Every request the
/// server had accepted gets a complete, successful answer (requests that find the
/// listener closed were never accepted; a load balancer would have moved them), and the
/// process exits cleanly inside its grace period.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_load_drains_inside_the_grace_period() {
    let scratch = Scratch::new("sigterm");
    let port = free_port();
    let grace = 5;
    let grace_env = grace.to_string();
    let mut child = start(
        &scratch,
        port,
        &[("TENANTRY_SHUTDOWN_GRACE_SECONDS", grace_env.as_str())],
    )
    .await;
    let token = admin_token(&scratch);
    let http = reqwest::Client::new();
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed, refused) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(Mutex::new(Vec::<String>::new())),
        Arc::new(AtomicUsize::new(0)),
    );
    let mut clients = Vec::new();
    for c in 0..8 {
        let (http, token, stop, ok, failed, refused) = (
            http.clone(),
            token.clone(),
            stop.clone(),
            ok.clone(),
            failed.clone(),
            refused.clone(),
        );
        clients.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                i += 1;
                let req = if i % 10 == 0 {
                    http.post(format!("http://127.0.0.1:{port}/api/v1/users"))
                        .header("content-type", "application/json")
                        .body(format!(r#"{{"email":"c{c}-{i}@drain.test"}}"#))
                } else {
                    http.get(format!("http://127.0.0.1:{port}/api/v1/tenants"))
                };
                match req.bearer_auth(&token).send().await {
                    Ok(r) if r.status().is_success() => match r.bytes().await {
                        Ok(_) => {
                            ok.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(e) => failed.lock().unwrap().push(format!("body cut: {e}")),
                    },
                    Ok(r) => failed
                        .lock()
                        .unwrap()
                        .push(format!("status {}", r.status())),
                    Err(e) if e.is_connect() => {
                        refused.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    Err(e) => failed.lock().unwrap().push(format!("{e:?}")),
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = ok.load(Ordering::SeqCst);
    let sent_at = Instant::now();
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            sent_at.elapsed() < Duration::from_secs(grace + 5),
            "the server is still running long after its grace period"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let drained_in = sent_at.elapsed();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.await.unwrap();
    }
    let failed = failed.lock().unwrap().clone();
    println!(
        "SIGTERM under load: {} requests answered ({before} before the signal), {} failed, {} refused after the listener closed; drained in {} ms (grace {grace} s), exit {status}",
        ok.load(Ordering::SeqCst),
        failed.len(),
        refused.load(Ordering::SeqCst),
        drained_in.as_millis()
    );
    assert!(before > 50, "the load ran before the signal: {before}");
    assert!(failed.is_empty(), "failed requests: {failed:?}");
    assert!(status.success(), "a clean exit: {status}");
    assert!(
        drained_in < Duration::from_secs(grace),
        "drained inside the grace period: {drained_in:?}"
    );
}
