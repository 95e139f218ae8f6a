//! The words of the web pages in Chinese (first) and English, from `assets/web/ui.toml`, embedded in the binary.
//! A page asks for a word by key; a key the file lacks shows as `⟦key⟧`, which the page tests look for.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

pub use crate::reports::Lang;
pub use crate::reports::labels::Group;

#[derive(Debug, Deserialize)]
struct Words {
    zh: String,
    en: String,
}

/// "section.key" → the two words.
static WORDS: LazyLock<HashMap<String, Words>> = LazyLock::new(|| {
    let parsed: HashMap<String, HashMap<String, Words>> =
        match toml::from_str(include_str!("../../assets/web/ui.toml")) {
            Ok(parsed) => parsed,
            Err(error) => {
                tracing::error!(%error, "assets/web/ui.toml cannot be read; pages show keys");
                HashMap::new()
            }
        };
    parsed
        .into_iter()
        .flat_map(|(section, words)| {
            words
                .into_iter()
                .map(move |(key, w)| (format!("{section}.{key}"), w))
        })
        .collect()
});

/// The reader's language, and the words of the pages in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// The word for `key` ("section.key") in the reader's language.
    pub fn t(&self, key: &str) -> String {
        match WORDS.get(key) {
            Some(w) => self.lang.pick(&w.zh, &w.en).to_owned(),
            None => format!("⟦{key}⟧"),
        }
    }

    /// The word for `key`, or for `fallback` when the file has no `key` (an audit action added later, say).
    pub fn t_or(&self, key: &str, fallback: &str) -> String {
        match WORDS.get(key) {
            Some(_) => self.t(key),
            None => self.t(fallback),
        }
    }

    /// What the domain calls `id` of `group`, in the reader's language (assets/labels.toml, shared with the
    /// reports, so a page and a report name a thing alike).
    pub fn word(&self, group: Group, id: &str) -> String {
        self.lang.word(group, id)
    }

    /// The `lang` attribute of the page.
    pub fn html_lang(&self) -> &'static str {
        self.lang.pick("zh-CN", "en")
    }

    pub fn is_zh(&self) -> bool {
        self.lang == Lang::Zh
    }
}

/// Every key the file holds, for the tests that check the templates.
pub fn keys() -> Vec<&'static str> {
    WORDS.keys().map(String::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_a_template_asks_for_is_in_both_languages() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let known: std::collections::HashSet<&str> = keys().into_iter().collect();
        assert!(!known.is_empty(), "assets/web/ui.toml parses");
        let mut missing = Vec::new();
        let files = ["templates", "src/web"]
            .iter()
            .flat_map(|dir| std::fs::read_dir(root.join(dir)).unwrap().flatten());
        for entry in files {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            for part in text.split(".t(\"").skip(1) {
                let key = part.split('"').next().unwrap_or_default();
                if !known.contains(key) {
                    missing.push(format!("{}: {key}", entry.path().display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from ui.toml: {missing:#?}"
        );
        for (key, words) in WORDS.iter() {
            assert!(
                !words.zh.is_empty() && !words.en.is_empty(),
                "{key} lacks a language"
            );
        }
    }
}
