//! Fonts for charts and reports: a bundled subset of Noto Sans CJK SC (GB 2312 and more; see
//! scripts/make-font.py and assets/fonts/OFL.txt), so rendering never depends on the machine's
//! fonts, and an optional fallback file (`WENPING_FONT`) for characters outside it. Characters
//! that neither font has are logged and listed in the report, never dropped silently.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use ab_glyph::{Font, FontRef};
use plotters::style::FontStyle;

/// The family name charts use for the bundled font; HTML embeds the font under the same name.
pub const FAMILY: &str = "wenping-sans";
/// The family name of the configured fallback font.
pub const FALLBACK_FAMILY: &str = "wenping-fallback";
/// What standalone SVG files ask a viewer for when it lacks the embedded families.
pub const CSS_FALLBACKS: &str =
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif";

pub static BUNDLED_OTF: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-wenping.otf");

pub struct Fonts {
    bundled: FontRef<'static>,
    fallback: Option<FontRef<'static>>,
    /// The fallback's file, for renderers that take font bytes (typst, for the PDF).
    fallback_bytes: Option<&'static [u8]>,
}

static FONTS: OnceLock<Fonts> = OnceLock::new();

#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("cannot read the fallback font {path}: {message}")]
    Fallback { path: String, message: String },
    #[error("the bundled font cannot be parsed")]
    Bundled,
}

/// Registers the fonts with the chart renderer, once per process. The first call decides the
/// fallback; later calls return the fonts already in place.
pub fn init(fallback: Option<&Path>) -> Result<&'static Fonts, FontError> {
    if let Some(fonts) = FONTS.get() {
        return Ok(fonts);
    }
    let bundled = FontRef::try_from_slice(BUNDLED_OTF).map_err(|_| FontError::Bundled)?;
    let fallback = match fallback {
        None => None,
        Some(path) => {
            let error = |message: String| FontError::Fallback {
                path: path.display().to_string(),
                message,
            };
            let bytes = std::fs::read(path).map_err(|e| error(e.to_string()))?;
            // The renderer keeps fonts for the life of the process, so the bytes are too.
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            let font = FontRef::try_from_slice(bytes).map_err(|e| error(e.to_string()))?;
            plotters::style::register_font(FALLBACK_FAMILY, FontStyle::Normal, bytes)
                .map_err(|_| error("not an OpenType or TrueType font".into()))?;
            Some((font, bytes))
        }
    };
    let (fallback, fallback_bytes) = fallback.unzip();
    plotters::style::register_font(FAMILY, FontStyle::Normal, BUNDLED_OTF)
        .map_err(|_| FontError::Bundled)?;
    Ok(FONTS.get_or_init(|| Fonts {
        bundled,
        fallback,
        fallback_bytes,
    }))
}

/// The fonts in place, registering the bundled one alone if nobody configured them.
pub fn fonts() -> Result<&'static Fonts, FontError> {
    init(None)
}

impl Fonts {
    fn covers(font: &FontRef<'static>, c: char) -> bool {
        c.is_whitespace() || c.is_control() || font.glyph_id(c).0 != 0
    }

    /// The family to draw `text` with: the bundled font when it has every character, else the
    /// fallback when that has them all; otherwise the bundled one, and the gap is logged.
    pub fn family_for(&self, text: &str) -> &'static str {
        if text.chars().all(|c| Self::covers(&self.bundled, c)) {
            return FAMILY;
        }
        if let Some(fallback) = &self.fallback
            && text.chars().all(|c| Self::covers(fallback, c))
        {
            return FALLBACK_FAMILY;
        }
        let missing: String = self.missing([text]).into_iter().collect();
        tracing::warn!(%missing, "characters missing from the report fonts");
        FAMILY
    }

    /// Characters of `texts` that neither the bundled nor the fallback font can draw.
    pub fn missing<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> BTreeSet<char> {
        texts
            .into_iter()
            .flat_map(str::chars)
            .filter(|&c| {
                !Self::covers(&self.bundled, c)
                    && !self.fallback.as_ref().is_some_and(|f| Self::covers(f, c))
            })
            .collect()
    }

    pub fn fallback_bytes(&self) -> Option<&'static [u8]> {
        self.fallback_bytes
    }

    pub fn has_fallback(&self) -> bool {
        self.fallback.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_font_covers_gb2312_text_and_reports_rare_characters() {
        let fonts = fonts().unwrap();
        assert_eq!(
            fonts.family_for("城关镇东片区集体土地征收 R = 0.42"),
            FAMILY
        );
        // 𠀀 (U+20000) is outside GB 2312 and the subset.
        assert_eq!(
            fonts
                .missing(["示范县𠀀村"])
                .into_iter()
                .collect::<String>(),
            "𠀀"
        );
    }
}
