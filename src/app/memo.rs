//! A small bounded map for values that cannot go stale under their key: an immutable assessment by its id, or
//! figures keyed by the version of the data they were computed from. Bounded by entry count; when full, an
//! arbitrary entry makes room, which is enough for the few hot keys a service reads over and over.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
