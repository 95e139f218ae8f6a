//! Credentials recognised lately, so that a request's API token or session cookie costs no database round trip.
//!
//! An entry is trusted for at most [`FRESH_FOR`] after the database read that produced it *began*. Several
//! instances share one database and none hears of another's revocations, so that bound is what makes a token
//! revoked, a session signed out, an account disabled, re-roled or given a new password refused on every instance
//! within a second. The instance that makes such a change forgets the account's entries at once, and an answer
//! read before that forgetting is not kept (the generation check), so there the refusal is immediate.
//!
//! Entries are keyed by the credential's digest (never its secret) and capped at [`CAPACITY`]; refusals are not
//! kept, so unknown tokens cannot fill the cache.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::principal::Principal;

/// How long a recognised credential is trusted without asking the database again: the instance's one bound.
pub use super::memo::{FRESH_FOR, TURN_WAIT};
/// At most this many credentials are remembered; past it, new ones are looked up every time until entries age.
pub const CAPACITY: usize = 4096;

/// Which kind of secret a digest is of: a token and a session never share an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialKind {
    Token,
    Session,
}

/// What a lookup found: the caller and, for a session, when it was last used as the database knows it.
#[derive(Debug, Clone)]
pub struct Recognised {
    pub principal: Principal,
    pub last_seen_at: Option<DateTime<Utc>>,
}

struct Entry {
    recognised: Recognised,
    /// When the read that found it began.
    read_at: Instant,
}

/// Taken before a database read; [`CredentialCache::remember`] keeps the answer only if no account was
/// forgotten since, so a read racing a local revocation cannot bring the revoked credential back.
#[derive(Debug, Clone, Copy)]
pub struct Reading {
    started: Instant,
    generation: u64,
}

#[derive(Default)]
pub struct CredentialCache {
    entries: Mutex<HashMap<(CredentialKind, String), Entry>>,
    /// Counts forgettings.
    generation: AtomicU64,
    /// Taken by a request that must read a credential again, by the digest's first byte: when a busy token's
    /// entry expires, one request reads it while the others of 64 connections wait for that answer instead of
    /// all asking the database at once (`/healthz` with a token had a p99 of 511 ms on PostgreSQL).
    refreshing: [tokio::sync::Mutex<()>; 16],
}

impl CredentialCache {
    /// Waits for this digest's turn to read it again (see `refreshing`), at most [`TURN_WAIT`]: none when the
    /// read under way takes longer, as one waiting on a database that is down does.
    pub async fn turn(&self, digest: &str) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        let stripe =
            digest.as_bytes().first().map_or(0, |b| usize::from(*b)) % self.refreshing.len();
        tokio::time::timeout(TURN_WAIT, self.refreshing[stripe].lock())
            .await
            .ok()
    }

    fn entries(&self) -> MutexGuard<'_, HashMap<(CredentialKind, String), Entry>> {
        // A panic while holding the lock leaves only whole entries behind: the map is still sound.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The caller behind this digest, if a read that began less than [`FRESH_FOR`] ago found it.
    pub fn recognised(&self, kind: CredentialKind, digest: &str) -> Option<Recognised> {
        self.recognised_at(kind, digest, Instant::now())
    }

    fn recognised_at(
        &self,
        kind: CredentialKind,
        digest: &str,
        now: Instant,
    ) -> Option<Recognised> {
        let mut entries = self.entries();
        let key = (kind, digest.to_owned());
        match entries.get(&key) {
            Some(entry) if now.saturating_duration_since(entry.read_at) < FRESH_FOR => {
                Some(entry.recognised.clone())
            }
            Some(_) => {
                entries.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Marks the start of a database read whose answer may be remembered.
    pub fn begin_read(&self) -> Reading {
        Reading {
            started: Instant::now(),
            generation: self.generation.load(Ordering::Acquire),
        }
    }

    /// Remembers what the read found, unless an account was forgotten while it ran or the cache is full of
    /// fresh entries.
    pub fn remember(
        &self,
        kind: CredentialKind,
        digest: &str,
        reading: Reading,
        recognised: Recognised,
    ) {
        let mut entries = self.entries();
        // Checked under the lock that `forget_user` bumps the generation under.
        if self.generation.load(Ordering::Acquire) != reading.generation {
            return;
        }
        if entries.len() >= CAPACITY {
            let now = Instant::now();
            entries.retain(|_, e| now.saturating_duration_since(e.read_at) < FRESH_FOR);
            if entries.len() >= CAPACITY {
                return;
            }
        }
        entries.insert(
            (kind, digest.to_owned()),
            Entry {
                recognised,
                read_at: reading.started,
            },
        );
    }

    /// Forgets every credential of the account: this instance changed or ended it.
    pub fn forget_user(&self, user_id: Uuid) {
        let mut entries = self.entries();
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.retain(|_, e| e.recognised.principal.user_id != user_id);
    }

    /// How many entries are held (fresh or not yet pruned).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::principal::Credential;
    use std::time::Duration;

    fn principal(user_id: Uuid) -> Recognised {
        Recognised {
            principal: Principal {
                user_id,
                username: "li.reviewer".into(),
                roles: Default::default(),
                scope: crate::domain::account::Scope::everywhere(),
                credential: Credential::Token {
                    token_id: Uuid::new_v4(),
                },
            },
            last_seen_at: None,
        }
    }

    #[test]
    fn an_entry_is_trusted_for_less_than_a_second_after_its_read_began() {
        let cache = CredentialCache::default();
        let user = Uuid::new_v4();
        let reading = cache.begin_read();
        cache.remember(CredentialKind::Token, "d1", reading, principal(user));
        let at = |ms| reading.started + Duration::from_millis(ms);
        assert!(
            cache
                .recognised_at(CredentialKind::Token, "d1", at(999))
                .is_some()
        );
        // The same digest as a session is another credential.
        assert!(
            cache
                .recognised_at(CredentialKind::Session, "d1", at(0))
                .is_none()
        );
        assert!(
            cache
                .recognised_at(CredentialKind::Token, "d1", at(1000))
                .is_none()
        );
        assert_eq!(cache.len(), 0, "a stale entry is dropped when found stale");
    }

    #[test]
    fn forgetting_an_account_drops_its_entries_and_the_answers_of_reads_under_way() {
        let cache = CredentialCache::default();
        let (li, wang) = (Uuid::new_v4(), Uuid::new_v4());
        cache.remember(
            CredentialKind::Token,
            "li",
            cache.begin_read(),
            principal(li),
        );
        cache.remember(
            CredentialKind::Token,
            "wang",
            cache.begin_read(),
            principal(wang),
        );
        let under_way = cache.begin_read();
        cache.forget_user(li);
        assert!(cache.recognised(CredentialKind::Token, "li").is_none());
        assert!(cache.recognised(CredentialKind::Token, "wang").is_some());
        cache.remember(
            CredentialKind::Session,
            "li-session",
            under_way,
            principal(li),
        );
        assert!(
            cache
                .recognised(CredentialKind::Session, "li-session")
                .is_none(),
            "read before the forgetting: possibly stale"
        );
    }

    #[test]
    fn the_cache_holds_at_most_its_capacity() {
        let cache = CredentialCache::default();
        let user = Uuid::new_v4();
        for i in 0..CAPACITY + 10 {
            cache.remember(
                CredentialKind::Token,
                &i.to_string(),
                cache.begin_read(),
                principal(user),
            );
        }
        assert_eq!(cache.len(), CAPACITY);
        assert!(cache.recognised(CredentialKind::Token, "0").is_some());
        assert!(
            cache
                .recognised(CredentialKind::Token, &CAPACITY.to_string())
                .is_none()
        );
    }
}
