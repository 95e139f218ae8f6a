//! Mutations of seed bytes, in the manner of a coverage-less fuzzer: a handful of edits at random places, each
//! edit small enough that proptest can shrink a failure to the one edit that matters.

use proptest::prelude::*;

/// Tokens that tend to matter to the readers: separators, quotes, line ends, NUL, bytes that start multi-byte
/// sequences in UTF-8 and GBK, a BOM, and numbers and dates at the edges of what a cell or field may hold.
const TOKENS: &[&[u8]] = &[
    b",",
    b"\"",
    b"\"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b"\0",
    b"\xff",
    b"\x81",
    b"\x81\x30",
    b"\xe4\xb8",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"-1",
    b"0",
    b"1e999",
    b"NaN",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"9999-12-31",
    b"2025-02-30",
    b"0000-00-00",
    b"=cmd|'/c calc'!A1",
    b"\xe6\x98\xaf",
    b"\xe5\x90\xa6",
    b"null",
    b"{}",
    b"[]",
    b"\\u0000",
    b"\\ud800",
    b"</x>",
    b"<![CDATA[",
];

#[derive(Debug, Clone)]
pub enum Edit {
    /// XOR the byte at `at` with a non-zero mask.
    Flip {
        at: usize,
        mask: u8,
    },
    Insert {
        at: usize,
        bytes: Vec<u8>,
    },
    Token {
        at: usize,
        token: usize,
    },
    Delete {
        at: usize,
        len: usize,
    },
    /// Copy `len` bytes from `from` to `at` (a repeated row, a doubled field).
    Duplicate {
        from: usize,
        len: usize,
        at: usize,
    },
    Truncate {
        at: usize,
    },
}

pub fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<usize>(), 1..=255u8).prop_map(|(at, mask)| Edit::Flip { at, mask }),
        2 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Edit::Insert { at, bytes }),
        3 => (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Edit::Token { at, token }),
        2 => (any::<usize>(), 1..64usize).prop_map(|(at, len)| Edit::Delete { at, len }),
        1 => (any::<usize>(), 1..256usize, any::<usize>())
            .prop_map(|(from, len, at)| Edit::Duplicate { from, len, at }),
        1 => any::<usize>().prop_map(|at| Edit::Truncate { at }),
    ]
}

pub fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(edit(), 0..6)
}

/// `seed` with `edits` applied in order; positions wrap around the current length.
pub fn apply(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for edit in edits {
        let len = bytes.len();
        let at = |i: usize| if len == 0 { 0 } else { i % (len + 1) };
        match edit {
            Edit::Flip { at: i, mask } => {
                if len > 0 {
                    bytes[i % len] ^= mask;
                }
            }
            Edit::Insert { at: i, bytes: new } => {
                let i = at(*i);
                bytes.splice(i..i, new.iter().copied());
            }
            Edit::Token { at: i, token } => {
                let i = at(*i);
                bytes.splice(i..i, TOKENS[*token].iter().copied());
            }
            Edit::Delete { at: i, len: n } => {
                let i = at(*i);
                let end = (i + n).min(len);
                bytes.drain(i..end);
            }
            Edit::Duplicate {
                from,
                len: n,
                at: i,
            } => {
                if len > 0 {
                    let from = from % len;
                    let copy = bytes[from..(from + n).min(len)].to_vec();
                    let i = at(*i);
                    bytes.splice(i..i, copy);
                }
            }
            Edit::Truncate { at: i } => bytes.truncate(at(*i)),
        }
    }
    bytes
}

/// Bytes shown in a failure: text when they are UTF-8, else escaped, cut after 2 000 characters.
pub fn shown(bytes: &[u8]) -> String {
    let text =
        String::from_utf8(bytes.to_vec()).unwrap_or_else(|_| bytes.escape_ascii().to_string());
    let mut out: String = text.chars().take(2_000).collect();
    if out.len() < text.len() {
        out.push_str(&format!("… ({} bytes in all)", bytes.len()));
    }
    out
}
