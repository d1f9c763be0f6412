//! Ed25519 signatures for results: each agency signs the SHA-256 of what it returns, so anyone
//! holding a result can check it came unaltered from that agency. The secret half is sealed with
//! the master key like any other secret at rest.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rand::RngCore;

use crate::{Vault, VaultError};

/// A new key pair: the public key (hex) and the secret key sealed for storage.
pub struct NewKey {
    pub public_hex: String,
    pub secret_sealed: String,
}

impl Vault {
    /// Makes a signing key; only its sealed form is ever stored.
    pub fn new_signing_key(&self) -> NewKey {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let key = SigningKey::from_bytes(&secret);
        let sealed = self.seal_text(&hex::encode(secret));
        secret.fill(0);
        NewKey {
            public_hex: hex::encode(key.verifying_key().to_bytes()),
            secret_sealed: sealed,
        }
    }

    /// Signs `message` with a sealed key; the signature in hex.
    pub fn sign(&self, secret_sealed: &str, message: &[u8]) -> Result<String, VaultError> {
        let hex_secret = self.open_text(secret_sealed)?;
        let bytes: [u8; 32] = hex::decode(hex_secret.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(VaultError::Open)?;
        let key = SigningKey::from_bytes(&bytes);
        Ok(hex::encode(key.sign(message).to_bytes()))
    }
}

/// Whether `signature_hex` is `public_hex`'s signature of `message`; any malformed input is
/// simply not valid.
pub fn verify(public_hex: &str, message: &[u8], signature_hex: &str) -> bool {
    let key = hex::decode(public_hex)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok());
    let signature = hex::decode(signature_hex)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b));
    match (key, signature) {
        (Some(k), Some(s)) => k.verify(message, &s).is_ok(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_message_and_key() {
        let vault = Vault::from_master(&[7u8; 32]);
        let key = vault.new_signing_key();
        assert!(!key.secret_sealed.contains(&key.public_hex));
        let sig = vault.sign(&key.secret_sealed, b"result").unwrap();
        assert!(verify(&key.public_hex, b"result", &sig));
        assert!(!verify(&key.public_hex, b"resulT", &sig));
        let other = vault.new_signing_key();
        assert!(!verify(&other.public_hex, b"result", &sig));
        assert!(!verify("zz", b"result", &sig));
        assert!(!verify(&key.public_hex, b"result", "00"));
        // Another master key cannot use the sealed secret.
        let thief = Vault::from_master(&[8u8; 32]);
        assert!(thief.sign(&key.secret_sealed, b"result").is_err());
    }

    #[test]
    fn rfc8032_test_vector_1() {
        // RFC 8032 §7.1, TEST 1 (empty message).
        let public = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
        let sig = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
        assert!(verify(public, b"", sig));
    }
}
