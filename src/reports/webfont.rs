//! The HTML report's font: the bundled CJK font cut down to the characters one report uses, so
//! the self-contained file carries a few hundred glyphs instead of the whole 3 MB font.
//!
//! The glyph work is typst's `subsetter` crate (pure Rust, already built for the PDF). It writes
//! fonts for PDF embedding, which have no `cmap` and no `OS/2` table — a browser needs both — so
//! this module adds a `cmap` of the kept characters and the original `OS/2`, and rewrites the
//! table directory with its checksums.

use std::collections::BTreeSet;

use ab_glyph::{Font, FontRef};
use subsetter::GlyphRemapper;

use super::fonts::BUNDLED_OTF;

#[derive(Debug, thiserror::Error)]
pub enum WebFontError {
    #[error("the bundled font cannot be read: {0}")]
    Font(String),
    #[error("the bundled font cannot be subset: {0}")]
    Subset(subsetter::Error),
    #[error("too many characters for one cmap subtable")]
    TooManyCharacters,
}

/// An OpenType table: its tag and bytes.
type Table = ([u8; 4], Vec<u8>);

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// The tables of a single (non-collection) OpenType font.
fn tables(font: &[u8]) -> Option<Vec<Table>> {
    let count = usize::from(u16_at(font, 4)?);
    (0..count)
        .map(|i| {
            let record = 12 + 16 * i;
            let tag: [u8; 4] = font.get(record..record + 4)?.try_into().ok()?;
            let offset = usize::try_from(u32_at(font, record + 8)?).ok()?;
            let length = usize::try_from(u32_at(font, record + 12)?).ok()?;
            Some((tag, font.get(offset..offset.checked_add(length)?)?.to_vec()))
        })
        .collect()
}

/// The OpenType checksum: the sum of big-endian u32 words, zero-padded.
fn checksum(bytes: &[u8]) -> u32 {
    bytes.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// A font file of `tables` with flavour `sfnt` (`OTTO` for CFF outlines).
fn assemble(sfnt: [u8; 4], mut tables: Vec<Table>) -> Vec<u8> {
    tables.sort_by_key(|(tag, _)| *tag);
    let count = tables.len() as u16;
    let selector = 15 - count.max(1).leading_zeros() as u16;
    let range = 16u16 << selector;
    let mut out = Vec::new();
    out.extend(sfnt);
    for field in [count, range, selector, (count * 16).saturating_sub(range)] {
        out.extend(field.to_be_bytes());
    }
    let mut offset = 12 + 16 * tables.len();
    let mut head_at = None;
    for (tag, data) in &mut tables {
        if tag == b"head" && data.len() >= 12 {
            data[8..12].fill(0);
            head_at = Some(offset + 8);
        }
        out.extend(*tag);
        out.extend(checksum(data).to_be_bytes());
        out.extend((offset as u32).to_be_bytes());
        out.extend((data.len() as u32).to_be_bytes());
        offset += data.len().next_multiple_of(4);
    }
    for (_, data) in &tables {
        out.extend(data.iter());
        out.resize(out.len().next_multiple_of(4), 0);
    }
    if let Some(at) = head_at {
        let adjustment = 0xB1B0_AFBA_u32.wrapping_sub(checksum(&out));
        out[at..at + 4].copy_from_slice(&adjustment.to_be_bytes());
    }
    out
}

/// A `cmap` table with one format-4 subtable (Unicode BMP) for `(character, glyph)` pairs in
/// character order, referenced as Unicode (0, 3) and Windows Unicode (3, 1).
fn cmap(pairs: &[(u16, u16)]) -> Result<Vec<u8>, WebFontError> {
    // Segments of consecutive characters whose glyphs are consecutive too: (start, end, delta).
    let mut segments: Vec<(u16, u16, u16)> = Vec::new();
    for &(code, glyph) in pairs {
        let delta = glyph.wrapping_sub(code);
        match segments.last_mut() {
            Some((_, end, d)) if end.checked_add(1) == Some(code) && *d == delta => *end = code,
            _ => segments.push((code, code, delta)),
        }
    }
    // The required last segment maps 0xFFFF to the missing glyph.
    segments.push((0xFFFF, 0xFFFF, 1));
    let count = u16::try_from(segments.len()).map_err(|_| WebFontError::TooManyCharacters)?;
    let length =
        u16::try_from(16 + 8 * segments.len()).map_err(|_| WebFontError::TooManyCharacters)?;
    let selector = 15 - count.leading_zeros() as u16;
    let range = 2u16 << selector;
    let mut sub: Vec<u8> = Vec::with_capacity(usize::from(length));
    for field in [4, length, 0, count * 2, range, selector, count * 2 - range] {
        sub.extend(u16::to_be_bytes(field));
    }
    sub.extend(segments.iter().flat_map(|s| s.1.to_be_bytes()));
    sub.extend([0, 0]);
    sub.extend(segments.iter().flat_map(|s| s.0.to_be_bytes()));
    sub.extend(segments.iter().flat_map(|s| s.2.to_be_bytes()));
    sub.extend(segments.iter().flat_map(|_| [0u8, 0]));
    let mut table = Vec::with_capacity(20 + sub.len());
    // version 0, two encoding records, both at offset 20
    for field in [0u16, 2, 0, 3] {
        table.extend(field.to_be_bytes());
    }
    table.extend(20u32.to_be_bytes());
    for field in [3u16, 1] {
        table.extend(field.to_be_bytes());
    }
    table.extend(20u32.to_be_bytes());
    table.extend(sub);
    Ok(table)
}

/// The bundled font with only the glyphs of `text`'s characters (and printable ASCII); the same
/// text gives the same bytes.
pub fn subset(text: &str) -> Result<Vec<u8>, WebFontError> {
    let font =
        FontRef::try_from_slice(BUNDLED_OTF).map_err(|e| WebFontError::Font(e.to_string()))?;
    let chars: BTreeSet<char> = text.chars().chain(' '..='~').collect();
    let mut remapper = GlyphRemapper::new();
    let mut pairs = Vec::new();
    for c in chars {
        let glyph = font.glyph_id(c).0;
        // Characters beyond the BMP or the font are left to the page's fallback fonts.
        if let (Ok(code), true) = (u16::try_from(u32::from(c)), glyph != 0) {
            pairs.push((code, remapper.remap(glyph)));
        }
    }
    let cut = subsetter::subset(BUNDLED_OTF, 0, &remapper).map_err(WebFontError::Subset)?;
    let unreadable = || WebFontError::Font("no table directory".into());
    let mut kept = tables(&cut).ok_or_else(unreadable)?;
    let original = tables(BUNDLED_OTF).ok_or_else(unreadable)?;
    kept.extend(original.into_iter().filter(|(tag, _)| tag == b"OS/2"));
    kept.push((*b"cmap", cmap(&pairs)?));
    let sfnt: [u8; 4] = cut
        .get(..4)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(unreadable)?;
    Ok(assemble(sfnt, kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_maps_each_character_of_the_text_to_its_glyph_and_drops_the_rest() {
        let text = "城关镇东片区集体土地征收 R = 0.42，风险等级：中风险";
        let font = subset(text).unwrap();
        assert!(font.len() < 60_000, "{} bytes", font.len());
        assert_eq!(font, subset(text).unwrap(), "the same text, the same bytes");
        let cut = FontRef::try_from_slice(&font).unwrap();
        let whole = FontRef::try_from_slice(BUNDLED_OTF).unwrap();
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            let (new, old) = (cut.glyph_id(c), whole.glyph_id(c));
            assert_ne!(new.0, 0, "{c} is kept");
            let (a, b) = (cut.outline(new).unwrap(), whole.outline(old).unwrap());
            assert_eq!(a.bounds, b.bounds, "{c} keeps its outline");
        }
        assert_eq!(
            cut.glyph_id('稳').0,
            0,
            "a character not in the text is gone"
        );
        assert!(
            checksum(&font) == 0xB1B0_AFBA,
            "the whole-font checksum holds"
        );
        let cmap = tables(&font)
            .unwrap()
            .into_iter()
            .find(|(t, _)| t == b"cmap")
            .unwrap();
        assert_eq!(u16_at(&cmap.1, 20), Some(4), "a format-4 subtable");
    }
}
