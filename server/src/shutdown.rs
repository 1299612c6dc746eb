//! Graceful shutdown: SIGTERM (or Ctrl-C) lets every accepted request finish.
//!
//! Closing a listening socket resets the connections the kernel has already accepted on
//! its behalf (the listen backlog), and closing an idle keep-alive connection races with
//! a client that has just sent its next request on it. Either way a client loses a
//! request the server could have answered. So the stop goes in three steps:
//!
//! 1. For [`DRAIN_NOTICE`] the server serves on as before, but every answer carries
//!    `Connection: close`, so clients close their keep-alive connections themselves.
//! 2. The listener stops completing new handshakes (on Linux a socket filter drops
//!    incoming SYNs: the client retries, then finds the port closed), while the accept
//!    loop takes in what the backlog still holds, for [`BACKLOG_DRAIN`].
//! 3. The accept loop stops and the requests in flight finish; after the grace period
//!    the server stops anyway, so that a request that never ends cannot hold a deploy.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Set once the stop signal arrives: answers then say `Connection: close`.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// How long a stopping server keeps serving new connections while its answers tell
/// clients to close them.
pub const DRAIN_NOTICE: Duration = Duration::from_millis(500);

/// How long the accept loop goes on taking in connections whose handshakes completed
/// before the listener stopped answering SYNs. On one host a handshake takes
/// microseconds; this is the margin for a busy accept loop.
pub const BACKLOG_DRAIN: Duration = Duration::from_millis(200);

/// A handle on the listening socket that stays reachable after `axum::serve` has taken
/// the listener: a duplicate descriptor of the same socket.
pub struct Listener {
    held: std::net::TcpListener,
}

impl Listener {
    /// Splits a bound listener into the one to serve on and the handle kept here.
    pub fn hold(
        listener: tokio::net::TcpListener,
    ) -> std::io::Result<(tokio::net::TcpListener, Listener)> {
        let std = listener.into_std()?;
        let held = std.try_clone()?;
        Ok((tokio::net::TcpListener::from_std(std)?, Listener { held }))
    }

    /// Stops new handshakes on the socket; handshakes already complete still reach the
    /// accept loop. Outside Linux there is no such filter and this does nothing.
    pub fn refuse_new_handshakes(&self) {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            use socket2::SockFilter;
            // Classic BPF over the TCP header: load the flags byte, keep SYN and ACK,
            // drop a segment whose flags are SYN without ACK, keep everything else.
            const LD_B_ABS: u16 = 0x30;
            const ALU_AND_K: u16 = 0x54;
            const JMP_JEQ_K: u16 = 0x15;
            const RET_K: u16 = 0x06;
            let program = [
                SockFilter::new(LD_B_ABS, 0, 0, 13),
                SockFilter::new(ALU_AND_K, 0, 0, 0x12),
                SockFilter::new(JMP_JEQ_K, 0, 1, 0x02),
                SockFilter::new(RET_K, 0, 0, 0),
                SockFilter::new(RET_K, 0, 0, u32::MAX),
            ];
            if let Err(e) = socket2::SockRef::from(&self.held).attach_filter(&program) {
                tracing::warn!(error = %e, "could not stop new handshakes before closing the listener");
            }
        }
    }
}

/// Resolves when the process is told to stop, after steps 1 and 2 above.
pub async fn stop_accepting(listener: &Listener) {
    signal().await;
    STOPPING.store(true, Ordering::Relaxed);
    tokio::time::sleep(DRAIN_NOTICE).await;
    listener.refuse_new_handshakes();
    tokio::time::sleep(BACKLOG_DRAIN).await;
    tracing::info!("stopping: no new connections, finishing the requests in flight");
}

/// Middleware: once stopping, every answer asks the client to close its connection.
pub async fn close_when_stopping(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut res = next.run(req).await;
    if STOPPING.load(Ordering::Relaxed) {
        res.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    }
    res
}

async fn signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
