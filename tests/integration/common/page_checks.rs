//! What every page and asset owes its reader, checked on the text of an answer: the security headers, no address
//! of another host, and on a Chinese page no raw id of wenping's vocabulary. `Browser::inspect` applies them to
//! each page it visits; they need no browser, so a test of a single answer can call them too.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use wenping::domain::account::Role;

/// The security headers every answer carries: a CSP that allows no inline or evaluated script and no framing,
/// a referrer policy, no MIME sniffing.
pub fn assert_security_headers(res: &reqwest::Response, what: &str) {
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let csp = header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy"));
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.split_whitespace().next() == Some(name))
            .map(str::to_owned)
    };
    let scripts = directive("script-src")
        .or_else(|| directive("default-src"))
        .unwrap_or_else(|| panic!("{what}: the CSP does not restrict scripts: {csp}"));
    for unsafe_source in [
        "'unsafe-inline'",
        "'unsafe-eval'",
        "*",
        "data:",
        "http:",
        "https:",
    ] {
        assert!(
            !scripts.split_whitespace().any(|s| s == unsafe_source),
            "{what}: scripts may come from {unsafe_source}: {scripts}"
        );
    }
    let framing = directive("frame-ancestors")
        .is_some_and(|d| d.contains("'none'") || d.contains("'self'"))
        || header("x-frame-options").is_some_and(|v| {
            v.eq_ignore_ascii_case("deny") || v.eq_ignore_ascii_case("sameorigin")
        });
    assert!(framing, "{what}: other sites may frame it (CSP: {csp})");
    let referrer =
        header("referrer-policy").unwrap_or_else(|| panic!("{what}: no Referrer-Policy"));
    assert!(
        [
            "no-referrer",
            "same-origin",
            "strict-origin",
            "strict-origin-when-cross-origin"
        ]
        .contains(&referrer.as_str()),
        "{what}: Referrer-Policy {referrer} may send the address elsewhere"
    );
    assert_eq!(
        header("x-content-type-options").as_deref(),
        Some("nosniff"),
        "{what}: X-Content-Type-Options"
    );
}

/// XML namespace names: identifiers in SVG and XHTML, never fetched.
const NAMESPACES: [&str; 3] = [
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/1999/xhtml",
];

/// Fails on any `http(s)://` address of a host other than loopback, and on any protocol-relative `//host`
/// address, in the text of a page, stylesheet or script.
pub fn assert_no_foreign_urls(text: &str, what: &str) {
    let lower = text.to_ascii_lowercase();
    let mut foreign = BTreeSet::new();
    for scheme in ["http://", "https://"] {
        for (at, _) in lower.match_indices(scheme) {
            let rest = &lower[at + scheme.len()..];
            let end = rest
                .find(|c: char| "/?#\"'`) \t\r\n<>\\".contains(c))
                .unwrap_or(rest.len());
            let authority = &rest[..end];
            let host = authority.rsplit('@').next().unwrap_or_default();
            // An empty host is a prefix being put together, not an address.
            let local = host.is_empty()
                || host.starts_with("[::1]")
                || matches!(host.split(':').next(), Some("127.0.0.1" | "localhost"));
            if !local && !NAMESPACES.iter().any(|ns| lower[at..].starts_with(ns)) {
                foreign.insert(text[at..at + scheme.len() + end].to_owned());
            }
        }
    }
    for opening in ["=\"//", "='//", "(//", "(\"//", "('//"] {
        for (at, _) in lower.match_indices(opening) {
            let snippet: String = text[at..].chars().take(60).collect();
            foreign.insert(snippet);
        }
    }
    assert!(
        foreign.is_empty(),
        "{what} names addresses outside the app: {foreign:?}"
    );
}

/// The ids of wenping's vocabulary, which a Chinese page must show in words: every id of assets/labels.toml,
/// the ids of the bundled models (model, dimensions, factors) and the roles.
pub static RAW_IDS: LazyLock<BTreeSet<String>> = LazyLock::new(|| {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let labels: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("assets/labels.toml")).unwrap()).unwrap();
    let mut ids = BTreeSet::new();
    for (group, entries) in &labels {
        // [[provenance]] holds texts, not ids.
        if let (false, Some(table)) = (group == "provenance", entries.as_table()) {
            ids.extend(table.keys().cloned());
        }
    }
    for entry in std::fs::read_dir(root.join("models")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let model: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        ids.extend(model.get("id").and_then(|v| v.as_str()).map(str::to_owned));
        for list in ["dimensions", "factors"] {
            let items = model
                .get(list)
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten();
            ids.extend(items.filter_map(|i| i.get("id")?.as_str().map(str::to_owned)));
        }
    }
    ids.extend(Role::ALL.iter().map(|r| r.as_str().to_owned()));
    assert!(ids.len() > 100, "the vocabulary was read: {ids:?}");
    ids
});

/// Fails when the text of a Chinese page shows a raw id of the vocabulary ([`RAW_IDS`]) or any
/// `snake_case` word, which only an untranslated id or key would be.
pub fn assert_no_raw_ids(text: &str, what: &str) {
    let mut raw = BTreeSet::new();
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')) {
        if RAW_IDS.contains(word)
            || (word.contains('_') && word.chars().any(|c| c.is_ascii_alphabetic()))
        {
            raw.insert(word.to_owned());
        }
    }
    // A few ids are phrases (the reasons a measure was not counted).
    for id in RAW_IDS.iter().filter(|id| id.contains(' ')) {
        if text.contains(id.as_str()) {
            raw.insert(id.clone());
        }
    }
    if !raw.is_empty() {
        let lines: Vec<&str> = text
            .lines()
            .filter(|line| raw.iter().any(|id| line.contains(id.as_str())))
            .collect();
        panic!("{what} shows raw ids {raw:?} in:\n{}", lines.join("\n"));
    }
}
