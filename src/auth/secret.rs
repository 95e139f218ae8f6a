//! Bearer secrets (session cookies and API tokens): 256 random bits, shown once, stored only as
//! their SHA-256 digest. A fast digest suffices because the secrets are random, not chosen.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

/// Prefix of API tokens, so a leaked one is recognisable (secret scanners, logs).
pub const API_TOKEN_PREFIX: &str = "wpt_";

pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

pub fn digest(secret: &str) -> String {
    let hash = Sha256::digest(secret.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// The part of a token safe to show in listings.
pub fn display_prefix(secret: &str) -> String {
    secret.chars().take(API_TOKEN_PREFIX.len() + 6).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_digests_stable() {
        let a = new_secret(API_TOKEN_PREFIX);
        assert!(a.starts_with("wpt_") && a.len() > 40);
        assert_ne!(a, new_secret(API_TOKEN_PREFIX));
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
