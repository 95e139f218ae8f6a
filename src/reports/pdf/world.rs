//! The typst World of one report: the markup as its only source, the chart SVGs as its only
//! files, the bundled CJK font (and the `WENPING_FONT` fallback) as its only fonts, and the
//! assessment's date as "today" — nothing from the disk, the network or the clock.

use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Timelike, Utc};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::super::ReportError;
use super::super::fonts::BUNDLED_OTF;

/// What every report shares, built once per process: the standard library and the fonts.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    family: String,
}

static SHARED: OnceLock<Shared> = OnceLock::new();

fn shared() -> Result<&'static Shared, ReportError> {
    if let Some(shared) = SHARED.get() {
        return Ok(shared);
    }
    let mut fonts: Vec<Font> = Font::iter(Bytes::new(BUNDLED_OTF)).collect();
    let family = fonts
        .first()
        .map(|f| f.info().family.clone())
        .ok_or(ReportError::Font(super::super::fonts::FontError::Bundled))?;
    if let Some(bytes) = super::super::fonts::fonts()?.fallback_bytes() {
        fonts.extend(Font::iter(Bytes::new(bytes)));
    }
    let book = FontBook::from_fonts(&fonts);
    Ok(SHARED.get_or_init(|| Shared {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(book),
        fonts,
        family,
    }))
}

/// The real family name of the bundled font, as typst's font book knows it.
pub fn family() -> Result<&'static str, ReportError> {
    Ok(&shared()?.family)
}

fn file_id(path: &str) -> Result<FileId, ReportError> {
    let vpath = VirtualPath::new(path).map_err(|e| ReportError::Write(format!("{path}: {e}")))?;
    Ok(FileId::new(RootedPath::new(VirtualRoot::Project, vpath)))
}

pub struct ReportWorld {
    shared: &'static Shared,
    main: Source,
    files: Vec<(FileId, Bytes)>,
    today: DateTime<Utc>,
}

impl ReportWorld {
    pub fn new(
        markup: String,
        charts: Vec<(String, Vec<u8>)>,
        today: DateTime<Utc>,
    ) -> Result<Self, ReportError> {
        let main = Source::new(file_id("/main.typ")?, markup);
        let files = charts
            .into_iter()
            .map(|(path, bytes)| Ok((file_id(&path)?, Bytes::new(bytes))))
            .collect::<Result<_, ReportError>>()?;
        Ok(Self {
            shared: shared()?,
            main,
            files,
            today,
        })
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.shared.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.text().to_owned()));
        }
        self.files
            .iter()
            .find(|(file, _)| *file == id)
            .map(|(_, bytes)| bytes.clone())
            .ok_or_else(|| FileError::NotFound(id.vpath().get_without_slash().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.get(index).cloned()
    }

    /// The assessment's date, so `datetime.today()` never makes two renders differ.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        typst_date(self.today)
    }
}

/// A chrono time as a typst datetime, to the second.
pub fn typst_date(at: DateTime<Utc>) -> Option<Datetime> {
    Datetime::from_ymd_hms(
        at.year(),
        u8::try_from(at.month()).ok()?,
        u8::try_from(at.day()).ok()?,
        u8::try_from(at.hour()).ok()?,
        u8::try_from(at.minute()).ok()?,
        u8::try_from(at.second()).ok()?,
    )
}
