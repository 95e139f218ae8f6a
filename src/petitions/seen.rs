//! The source ids met so far in a file, so a repeated one is refused with the row that had it first. A file
//! of ten million records cannot keep ten million strings within an import's memory bound, so each id is
//! kept as a 64-bit hash (keyed afresh for every file) beside its row: twelve bytes a record in an
//! open-addressed table. Two different ids of one file share a hash with a probability of about n²/2⁶⁵
//! (one in 370 000 for ten million records); the refusal then names both rows, and the file can be checked.

use std::hash::{BuildHasher, RandomState};

/// Slots of a new table; it doubles when three quarters are taken.
const FIRST_SLOTS: usize = 1 << 12;

pub struct SeenIds {
    /// Hashes, 0 for an empty slot (a hash of 0 is stored as 1).
    hashes: Vec<u64>,
    rows: Vec<u32>,
    len: usize,
    keys: RandomState,
}

impl Default for SeenIds {
    fn default() -> Self {
        Self {
            hashes: vec![0; FIRST_SLOTS],
            rows: vec![0; FIRST_SLOTS],
            len: 0,
            keys: RandomState::new(),
        }
    }
}

impl SeenIds {
    /// Notes `id` at `row`; the row it was first met at when it was met before (then nothing changes).
    pub fn insert(&mut self, id: &str, row: usize) -> Option<usize> {
        let hash = self.keys.hash_one(id).max(1);
        if let Some(first) = self.find(hash) {
            return Some(first);
        }
        if (self.len + 1) * 4 > self.hashes.len() * 3 {
            self.grow();
        }
        self.place(hash, u32::try_from(row).unwrap_or(u32::MAX));
        self.len += 1;
        None
    }

    /// Makes room for `ids` in all at once, so a large file's table is sized once instead of doubling through
    /// its growth (a doubling holds the old table and the new one together).
    pub fn reserve(&mut self, ids: usize) {
        let slots = (ids.saturating_mul(4) / 3 + 1).next_power_of_two();
        if slots > self.hashes.len() {
            self.rehash(slots);
        }
    }

    fn slot_of(&self, hash: u64) -> usize {
        // The high bits: the low ones of SipHash are as good, but this keeps neighbours apart after growing.
        (hash >> 7) as usize & (self.hashes.len() - 1)
    }

    fn find(&self, hash: u64) -> Option<usize> {
        let mask = self.hashes.len() - 1;
        let mut slot = self.slot_of(hash);
        loop {
            match self.hashes[slot] {
                0 => return None,
                h if h == hash => return Some(self.rows[slot] as usize),
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    fn place(&mut self, hash: u64, row: u32) {
        let mask = self.hashes.len() - 1;
        let mut slot = self.slot_of(hash);
        while self.hashes[slot] != 0 {
            slot = (slot + 1) & mask;
        }
        self.hashes[slot] = hash;
        self.rows[slot] = row;
    }

    fn grow(&mut self) {
        self.rehash(self.hashes.len() * 2);
    }

    fn rehash(&mut self, slots: usize) {
        let hashes = std::mem::replace(&mut self.hashes, vec![0; slots]);
        let rows = std::mem::replace(&mut self.rows, vec![0; slots]);
        for (hash, row) in hashes.into_iter().zip(rows).filter(|(h, _)| *h != 0) {
            self.place(hash, row);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_id_is_found_with_its_first_row_across_growth() {
        let mut seen = SeenIds::default();
        for i in 0..100_000 {
            assert_eq!(seen.insert(&format!("XF{i:07}"), i + 2), None);
        }
        assert_eq!(seen.insert("XF0000000", 200_000), Some(2));
        assert_eq!(seen.insert("XF0099999", 200_001), Some(100_001));
        assert_eq!(seen.insert("XF0100000", 200_002), None);
        assert_eq!(seen.insert("XF0100000", 200_003), Some(200_002));
        seen.reserve(1_000_000);
        assert_eq!(seen.insert("XF0000007", 200_004), Some(9));
    }
}
