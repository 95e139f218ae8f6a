//! Small bounded maps of what one instance remembers between requests. [`Memo`] holds values that cannot go
//! stale under their key: an immutable assessment by its id, or figures keyed by the version of the data they
//! were computed from. [`FreshMemo`] holds values read from the database that may change, each for less than
//! [`FRESH_FOR`]. Both are bounded by entry count; when full, an arbitrary entry makes room, which is enough for
//! the few hot keys a service reads over and over.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long an instance may answer from what it read instead of asking the database again. One second is the
/// documented bound (docs/architecture.md, "What one instance keeps in memory"): several instances share one
/// database and none hears of another's writes, so this is how late a revocation, a decision moved out of a
/// region or a new import may show on another instance — about what a list read from a streaming replica lags.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

pub struct Memo<K, V> {
    entries: Mutex<HashMap<K, V>>,
    capacity: usize,
}

impl<K: Eq + Hash + Clone, V: Clone> Memo<K, V> {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::with_capacity(capacity)),
            capacity,
        }
    }

    fn entries(&self) -> MutexGuard<'_, HashMap<K, V>> {
        // Entries are inserted whole, so a map left by a panicking holder is still sound.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, key: &K) -> Option<V> {
        self.entries().get(key).cloned()
    }

    pub fn insert(&self, key: K, value: V) {
        let mut entries = self.entries();
        if entries.len() >= self.capacity
            && !entries.contains_key(&key)
            && let Some(victim) = entries.keys().next().cloned()
        {
            entries.remove(&victim);
        }
        entries.insert(key, value);
    }
}

/// Taken before a database read; [`FreshMemo::remember`] keeps its answer only if nothing was forgotten since,
/// so a read racing a local write cannot bring the old value back.
#[derive(Debug, Clone, Copy)]
pub struct Reading {
    started: Instant,
    generation: u64,
}

/// Values read from the database, each trusted for less than [`FRESH_FOR`] after the read that produced it
/// *began*. The instance that changes what a value was read from forgets it ([`FreshMemo::forget`],
/// [`FreshMemo::forget_all`]), so there the change shows at once.
/// Locks that the misses of one [`FreshMemo`] take, by their key's hash.
const STRIPES: usize = 16;

/// How long a miss waits for the read under way before reading itself. A read takes milliseconds; one that waits
/// on a database that is down takes the pool's acquire timeout, and a queue of such waits must not add up past
/// the few seconds in which a request answers 503 (tests/integration/faults.rs).
pub const TURN_WAIT: Duration = Duration::from_millis(250);

pub struct FreshMemo<K, V> {
    entries: Mutex<HashMap<K, (Instant, V)>>,
    capacity: usize,
    /// Counts forgettings.
    generation: AtomicU64,
    /// When a hot value expires under load, one request of its stripe reads it again while the others wait for
    /// that read, instead of every connection asking the database at once (a p99 of 400 ms at 64 connections).
    refreshing: [tokio::sync::Mutex<()>; STRIPES],
}

impl<K: Eq + Hash + Clone, V: Clone> FreshMemo<K, V> {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::with_capacity(capacity)),
            capacity,
            generation: AtomicU64::new(0),
            refreshing: std::array::from_fn(|_| tokio::sync::Mutex::new(())),
        }
    }

    /// The value under `key`, or what `read` finds (remembered as [`FreshMemo::remember`] does); of several
    /// requests that miss the same key at once, one reads and the others take its answer.
    pub async fn get_or_read<E, F>(&self, key: K, read: F) -> Result<V, E>
    where
        F: AsyncFnOnce() -> Result<V, E>,
    {
        if let Some(value) = self.get(&key) {
            return Ok(value);
        }
        let stripe = {
            use std::hash::{BuildHasher, RandomState};
            // Any hash spreads keys over the stripes; it need not be stable across instances.
            static STRIPE_KEYS: std::sync::OnceLock<RandomState> = std::sync::OnceLock::new();
            STRIPE_KEYS.get_or_init(RandomState::new).hash_one(&key) as usize % STRIPES
        };
        let turn = tokio::time::timeout(TURN_WAIT, self.refreshing[stripe].lock())
            .await
            .ok();
        if turn.is_some()
            && let Some(value) = self.get(&key)
        {
            return Ok(value);
        }
        let reading = self.begin_read();
        let value = read().await?;
        self.remember(key, reading, value.clone());
        Ok(value)
    }

    fn entries(&self) -> MutexGuard<'_, HashMap<K, (Instant, V)>> {
        // Entries are inserted whole, so a map left by a panicking holder is still sound.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value under `key`, if a read that began less than [`FRESH_FOR`] ago found it.
    pub fn get(&self, key: &K) -> Option<V> {
        self.get_at(key, Instant::now())
    }

    fn get_at(&self, key: &K, now: Instant) -> Option<V> {
        let entries = self.entries();
        let (read_at, value) = entries.get(key)?;
        (now.saturating_duration_since(*read_at) < FRESH_FOR).then(|| value.clone())
    }

    /// Marks the start of a database read whose answer may be remembered.
    pub fn begin_read(&self) -> Reading {
        Reading {
            started: Instant::now(),
            generation: self.generation.load(Ordering::Acquire),
        }
    }

    /// Remembers what the read found, unless something was forgotten while it ran.
    pub fn remember(&self, key: K, reading: Reading, value: V) {
        let mut entries = self.entries();
        // Checked under the lock that the forgetting bumps the generation under.
        if self.generation.load(Ordering::Acquire) != reading.generation {
            return;
        }
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            let now = Instant::now();
            entries.retain(|_, (read_at, _)| now.saturating_duration_since(*read_at) < FRESH_FOR);
            if entries.len() >= self.capacity
                && let Some(victim) = entries.keys().next().cloned()
            {
                entries.remove(&victim);
            }
        }
        entries.insert(key, (reading.started, value));
    }

    /// Forgets the value under `key`: this instance changed what it was read from.
    pub fn forget(&self, key: &K) {
        let mut entries = self.entries();
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.remove(key);
    }

    /// Forgets every value: this instance changed what any of them may have been read from.
    pub fn forget_all(&self) {
        let mut entries = self.entries();
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn requests_missing_one_key_at_once_share_one_read() {
        let memo = std::sync::Arc::new(FreshMemo::new(4));
        let reads = std::sync::Arc::new(AtomicU64::new(0));
        let misses: Vec<_> = (0..8)
            .map(|_| {
                let (memo, reads) = (memo.clone(), reads.clone());
                tokio::spawn(async move {
                    memo.get_or_read("page", async || {
                        reads.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok::<_, ()>(7)
                    })
                    .await
                })
            })
            .collect();
        for miss in misses {
            assert_eq!(miss.await.ok(), Some(Ok(7)));
        }
        assert_eq!(reads.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_full_memo_makes_room_and_never_grows_past_its_capacity() {
        let memo = Memo::new(3);
        for i in 0..10 {
            memo.insert(i, i * 10);
            assert_eq!(memo.get(&i), Some(i * 10), "the newest entry is kept");
        }
        assert_eq!(memo.entries().len(), 3);
        memo.insert(9, 91);
        assert_eq!(memo.get(&9), Some(91));
        assert_eq!(memo.entries().len(), 3);
    }

    #[test]
    fn a_fresh_value_is_trusted_for_less_than_a_second_after_its_read_began() {
        let memo = FreshMemo::new(4);
        let reading = memo.begin_read();
        memo.remember("list", reading, 7);
        let at = |ms| reading.started + Duration::from_millis(ms);
        assert_eq!(memo.get_at(&"list", at(999)), Some(7));
        assert_eq!(memo.get_at(&"list", at(1000)), None);
        assert_eq!(memo.get_at(&"other", at(0)), None);
    }

    #[test]
    fn forgetting_drops_the_value_and_the_answers_of_reads_under_way() {
        let memo = FreshMemo::new(4);
        memo.remember("a", memo.begin_read(), 1);
        memo.remember("b", memo.begin_read(), 2);
        let under_way = memo.begin_read();
        memo.forget(&"a");
        assert_eq!(memo.get(&"a"), None);
        assert_eq!(memo.get(&"b"), Some(2));
        memo.remember("a", under_way, 1);
        assert_eq!(
            memo.get(&"a"),
            None,
            "read before the forgetting: possibly stale"
        );
        memo.forget_all();
        assert_eq!(memo.get(&"b"), None);
        memo.remember("b", memo.begin_read(), 3);
        assert_eq!(
            memo.get(&"b"),
            Some(3),
            "a read after the forgetting is kept"
        );
    }

    #[test]
    fn a_full_fresh_memo_keeps_the_newest_value_within_its_capacity() {
        let memo = FreshMemo::new(3);
        for i in 0..10 {
            memo.remember(i, memo.begin_read(), i * 10);
            assert_eq!(memo.get(&i), Some(i * 10));
        }
        assert_eq!(memo.entries().len(), 3);
    }
}
