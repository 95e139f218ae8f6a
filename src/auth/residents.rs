//! Sealing a resident's name and phone at rest: XChaCha20-Poly1305 under a 256-bit key from the settings, a
//! fresh random nonce per value. The database holds only `nonce ‖ ciphertext`; without the key the bytes
//! say nothing, and a changed byte fails to open rather than reading wrong.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand_core::{OsRng, RngCore};

use crate::domain::concern::Resident;

const NONCE_BYTES: usize = 24;

/// The key residents' data is sealed with. Its `Debug` never shows it.
#[derive(Clone)]
pub struct ResidentKey(XChaCha20Poly1305);

impl std::fmt::Debug for ResidentKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResidentKey(..)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the resident key must be 32 bytes in base64 (44 characters): {0}")]
    BadKey(String),
    #[error("a resident's data cannot be opened with this server's resident key")]
    CannotOpen,
}

impl ResidentKey {
    /// From its base64 text (`openssl rand -base64 32`).
    pub fn from_base64(text: &str) -> Result<Self, SealError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|e| SealError::BadKey(e.to_string()))?;
        if bytes.len() != 32 {
            return Err(SealError::BadKey(format!("{} bytes given", bytes.len())));
        }
        Ok(Self(XChaCha20Poly1305::new(bytes.as_slice().into())))
    }

    /// A new random key, as base64 text.
    pub fn generate() -> String {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        STANDARD.encode(bytes)
    }

    pub fn seal(&self, resident: &Resident) -> Vec<u8> {
        let plain = serde_json::to_vec(resident).unwrap_or_default();
        let mut nonce = [0u8; NONCE_BYTES];
        OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .0
            .encrypt(&XNonce::from(nonce), plain.as_slice())
            // Encryption fails only for messages beyond 256 GiB.
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Resident, SealError> {
        if sealed.len() < NONCE_BYTES {
            return Err(SealError::CannotOpen);
        }
        let (nonce, body) = sealed.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| SealError::CannotOpen)?;
        let plain = self
            .0
            .decrypt(&XNonce::from(nonce), body)
            .map_err(|_| SealError::CannotOpen)?;
        serde_json::from_slice(&plain).map_err(|_| SealError::CannotOpen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key() {
        let key = ResidentKey::from_base64(&ResidentKey::generate()).unwrap();
        let resident = Resident {
            name: Some("王秀英".into()),
            phone: Some("13912345678".into()),
        };
        let sealed = key.seal(&resident);
        assert!(!String::from_utf8_lossy(&sealed).contains("王秀英"));
        assert_ne!(sealed, key.seal(&resident), "a fresh nonce each time");
        assert_eq!(key.open(&sealed).unwrap(), resident);
        let other = ResidentKey::from_base64(&ResidentKey::generate()).unwrap();
        assert!(other.open(&sealed).is_err());
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(key.open(&tampered).is_err());
        assert!(ResidentKey::from_base64("c2hvcnQ=").is_err());
    }
}
