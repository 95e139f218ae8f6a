//! Passwords: argon2id hashes in PHC form, generated passwords, and a dummy hash so that a login
//! for an unknown account costs as much as one for a known account.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand_core::{OsRng, RngCore};

/// NIST SP 800-63B asks for at least 8; generated passwords are longer still.
pub const MIN_LENGTH: usize = 12;
const MAX_LENGTH: usize = 256;
const GENERATED_LENGTH: usize = 20;
/// Letters and digits without look-alikes (0/O, 1/l/I), for passwords read off a screen.
const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

pub fn check_strength(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(format!("a password needs at least {MIN_LENGTH} characters"));
    }
    if length > MAX_LENGTH {
        return Err(format!("a password has at most {MAX_LENGTH} characters"));
    }
    Ok(())
}

/// Hashes with argon2id and the crate's default cost; CPU-heavy, so callers run it off the async workers.
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .and_then(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed))
        .is_ok()
}

/// Verifies against a fixed hash, spending the same time as a real check.
pub fn verify_against_dummy(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("wenping-dummy-password").unwrap_or_default());
    let _ = verify(password, phc);
}

pub fn generate() -> String {
    let mut bytes = [0u8; GENERATED_LENGTH];
    OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_password() {
        let phc = hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("correct horse batterx", &phc));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn generated_passwords_are_long_enough_and_differ() {
        let a = generate();
        assert!(check_strength(&a).is_ok());
        assert_ne!(a, generate());
        assert!(check_strength("short").is_err());
    }
}
