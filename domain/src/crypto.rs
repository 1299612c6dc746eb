//! Random secrets and their stored hashes, shared by every kind of credential (console
//! API tokens, connection secrets, data-plane tokens, generated passwords). Kept apart so
//! that those modules depend on this one and not on each other.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// `bytes` random bytes (from the OS generator) as lowercase hex.
pub fn random_text(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// How stale a token's `last_used_at` may get before a use records it again. A read
/// must not write: recording every use would commit (and fsync) once per API GET.
pub const LAST_USED_GRANULARITY_MS: i64 = 5 * 60 * 1000;

/// True when a use at `now` should be written down, given the recorded last use.
pub fn last_use_is_stale(last_used_at: Option<i64>, now: i64) -> bool {
    last_used_at.is_none_or(|at| now - at >= LAST_USED_GRANULARITY_MS)
}
