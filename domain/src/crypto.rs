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

/// Seals stored credentials (cloud access keys, client secrets, SSH keys) with
/// AES-256-GCM under the key from `TENANTRY_SECRET_KEY`, so that a copy of the database
/// alone reveals none of them. Each value gets a fresh random nonce; the sealed text is
/// `v1:<hex nonce><hex ciphertext>`, the prefix leaving room for a key rotation.
#[derive(Clone)]
pub struct Sealer {
    cipher: std::sync::Arc<aes_gcm::Aes256Gcm>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

const SEAL_PREFIX: &str = "v1:";

impl Sealer {
    /// A sealer over a 32-byte key.
    pub fn new(key: &[u8; 32]) -> Self {
        use aes_gcm::KeyInit;
        Sealer {
            cipher: std::sync::Arc::new(aes_gcm::Aes256Gcm::new(key.into())),
        }
    }

    /// Reads a key written as 64 hexadecimal digits.
    pub fn from_hex(text: &str) -> Result<Self, String> {
        let bytes = hex::decode(text.trim()).map_err(|_| "expected 64 hexadecimal digits")?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "expected 64 hexadecimal digits (32 bytes)")?;
        Ok(Sealer::new(&key))
    }

    /// A new random key, as 64 hexadecimal digits (for `TENANTRY_SECRET_KEY`).
    pub fn generate_hex() -> String {
        random_text(32)
    }

    pub fn seal(&self, plain: &str) -> crate::DomainResult<String> {
        use aes_gcm::aead::Aead;
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(&nonce.into(), plain.as_bytes())
            .map_err(|_| crate::DomainError::Internal("sealing failed".into()))?;
        Ok(format!(
            "{SEAL_PREFIX}{}{}",
            hex::encode(nonce),
            hex::encode(sealed)
        ))
    }

    /// Opens a sealed value. A value sealed under another key (or altered) is an
    /// internal error: the stored secret cannot be used, and nothing about it is shown.
    pub fn open(&self, sealed: &str) -> crate::DomainResult<String> {
        use aes_gcm::aead::Aead;
        let broken = || {
            tracing::error!(
                "a stored secret does not open with the configured TENANTRY_SECRET_KEY"
            );
            crate::DomainError::Internal("secret does not open".into())
        };
        let body = sealed.strip_prefix(SEAL_PREFIX).ok_or_else(broken)?;
        let bytes = hex::decode(body).map_err(|_| broken())?;
        if bytes.len() < 12 {
            return Err(broken());
        }
        let (nonce, text) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| broken())?;
        let plain = self
            .cipher
            .decrypt(&nonce.into(), text)
            .map_err(|_| broken())?;
        String::from_utf8(plain).map_err(|_| broken())
    }
}

#[cfg(test)]
mod tests {
    use super::Sealer;

    #[test]
    fn sealed_values_open_only_with_their_key_and_never_repeat() {
        let a = Sealer::from_hex(&Sealer::generate_hex()).expect("key");
        let b = Sealer::from_hex(&Sealer::generate_hex()).expect("key");
        let one = a.seal("AKIA-secret").expect("seal");
        let two = a.seal("AKIA-secret").expect("seal");
        assert_ne!(one, two, "a fresh nonce each time");
        assert!(!one.contains("AKIA"));
        assert_eq!(a.open(&one).expect("open"), "AKIA-secret");
        assert!(b.open(&one).is_err(), "another key cannot open it");
        let mut tampered = one.clone();
        tampered.pop();
        tampered.push('0');
        assert!(a.open(&tampered).is_err() || tampered == one);
        assert!(Sealer::from_hex("abcd").is_err());
    }
}
