//! Personal data at rest: sealed with XChaCha20-Poly1305 under a key that never enters the
//! database, and found again through keyed blind indexes (HMAC-SHA-256) so that a personal ID can
//! be looked up without being stored in the clear.

use std::fs;
use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use thiserror::Error;

pub mod signing;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;

#[derive(Debug, Error)]
pub enum VaultError {
    #[error("key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    #[error("the key must be 64 hexadecimal characters (32 bytes)")]
    BadKey,
    #[error("sealed data is damaged or was sealed under another key")]
    Open,
}

/// Holds the keys; cheap to clone behind an `Arc`.
pub struct Vault {
    cipher: XChaCha20Poly1305,
    index_key: [u8; 32],
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(..)")
    }
}

impl Vault {
    /// Derives the sealing and indexing keys from one 32-byte master key.
    pub fn from_master(master: &[u8; 32]) -> Self {
        let seal_key = derive(master, b"motcua/seal/v1");
        let index_key = derive(master, b"motcua/blind-index/v1");
        Vault {
            cipher: XChaCha20Poly1305::new((&seal_key).into()),
            index_key,
        }
    }

    /// Parses a master key written as 64 hex characters (as in `MOTCUA_MASTER_KEY`).
    pub fn from_hex(hex_key: &str) -> Result<Self, VaultError> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| VaultError::BadKey)?;
        let master: [u8; 32] = bytes.try_into().map_err(|_| VaultError::BadKey)?;
        Ok(Self::from_master(&master))
    }

    /// Reads the master key from `path`, creating it (mode 0600) on first start.
    pub fn load_or_create(path: &Path) -> Result<Self, VaultError> {
        let err = |source| VaultError::KeyFile {
            path: path.display().to_string(),
            source,
        };
        match fs::read_to_string(path) {
            Ok(text) => Self::from_hex(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut master = [0u8; 32];
                OsRng.fill_bytes(&mut master);
                let mut opts = fs::OpenOptions::new();
                opts.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    opts.mode(0o600);
                }
                let mut file = opts.open(path).map_err(err)?;
                file.write_all(hex::encode(master).as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(err)?;
                Ok(Self::from_master(&master))
            }
            Err(e) => Err(err(e)),
        }
    }

    /// Seals bytes: version, random nonce, ciphertext with tag.
    pub fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        // Encryption with a valid key and in-memory buffer cannot fail.
        let ciphertext = self.cipher.encrypt(&nonce, plaintext).unwrap_or_default();
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        out
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        if sealed.len() < 1 + NONCE_LEN || sealed[0] != VERSION {
            return Err(VaultError::Open);
        }
        let nonce = XNonce::from_slice(&sealed[1..1 + NONCE_LEN]);
        self.cipher
            .decrypt(nonce, &sealed[1 + NONCE_LEN..])
            .map_err(|_| VaultError::Open)
    }

    /// Seals text into a base64 string, for text columns.
    pub fn seal_text(&self, plaintext: &str) -> String {
        STANDARD_NO_PAD.encode(self.seal(plaintext.as_bytes()))
    }

    pub fn open_text(&self, sealed: &str) -> Result<String, VaultError> {
        let bytes = STANDARD_NO_PAD
            .decode(sealed)
            .map_err(|_| VaultError::Open)?;
        String::from_utf8(self.open(&bytes)?).map_err(|_| VaultError::Open)
    }

    /// A keyed, deterministic fingerprint of `value` for equality look-ups; `purpose` keeps
    /// fingerprints of different kinds of value apart.
    pub fn blind_index(&self, purpose: &str, value: &str) -> String {
        let mut mac = hmac(&self.index_key);
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

fn derive(master: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = hmac(master);
    mac.update(label);
    mac.finalize().into_bytes().into()
}

#[allow(clippy::expect_used)]
fn hmac(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_and_hides_the_plaintext() {
        let v = Vault::from_master(&[7u8; 32]);
        let sealed = v.seal_text("019195012345");
        assert!(!sealed.contains("019195012345"));
        assert_ne!(sealed, v.seal_text("019195012345"), "nonces differ");
        assert_eq!(v.open_text(&sealed).unwrap(), "019195012345");
    }

    #[test]
    fn another_key_or_a_flipped_bit_cannot_open() {
        let v = Vault::from_master(&[7u8; 32]);
        let w = Vault::from_master(&[8u8; 32]);
        let mut sealed = v.seal(b"Nguyen Thi Lan");
        assert!(w.open(&sealed).is_err());
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(v.open(&sealed).is_err());
    }

    #[test]
    fn blind_index_is_stable_keyed_and_purpose_bound() {
        let v = Vault::from_master(&[7u8; 32]);
        let w = Vault::from_master(&[8u8; 32]);
        assert_eq!(v.blind_index("pid", "1"), v.blind_index("pid", "1"));
        assert_ne!(v.blind_index("pid", "1"), w.blind_index("pid", "1"));
        assert_ne!(v.blind_index("pid", "1"), v.blind_index("phone", "1"));
    }

    #[test]
    fn key_file_is_created_once_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let a = Vault::load_or_create(&path).unwrap();
        let b = Vault::load_or_create(&path).unwrap();
        assert_eq!(b.open_text(&a.seal_text("x")).unwrap(), "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
