//! The one-way flow of docs/architecture.md, read from the source tree: (http, cli, web) → app → (storage,
//! scoring, petitions, reports) → domain. Every path a file names (in `use` trees, grouped or not, and written
//! out in code; `wenping::` read as `crate::`, `super::` resolved from the file's place) is checked against the
//! rooms' rules below; comments and string literals are not code and are skipped. Unit tests inside `src/`
//! keep the same rules as the code they sit in.

use std::fs;
use std::path::{Path, PathBuf};

/// A room of the source tree (a folder ending in `/`, or one file) and the paths its code may not name.
struct Rule {
    room: &'static str,
    forbidden: &'static [&'static str],
    why: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        room: "src/http/",
        forbidden: &["crate::storage"],
        why: "a transport parses, calls one use case and responds; the use case owns the data",
    },
    Rule {
        room: "src/cli/",
        forbidden: &["crate::storage"],
        why: "a transport parses, calls one use case and responds; the use case owns the data",
    },
    Rule {
        room: "src/web/",
        forbidden: &["crate::storage"],
        why: "a transport parses, calls one use case and renders; the use case owns the data",
    },
    Rule {
        room: "src/domain/",
        forbidden: &[
            "crate::scoring",
            "crate::storage",
            "crate::http",
            "crate::app",
            "crate::cli",
            "crate::auth",
            "crate::petitions",
            "crate::ledger",
            "crate::reports",
            "crate::startup",
            "crate::error",
        ],
        why: "the domain is the floor every other room stands on: pure types and rules",
    },
    Rule {
        room: "src/storage/",
        forbidden: &["crate::scoring", "crate::auth", "crate::app", "crate::http"],
        why: "storage keeps rows of domain values; scoring, credentials and use cases sit above it",
    },
    Rule {
        room: "src/error.rs",
        forbidden: &["crate::storage"],
        why: "the API error is mapped from the use cases' one error, never from storage's",
    },
    Rule {
        room: "src/scoring/",
        forbidden: &[
            "crate::storage",
            "crate::http",
            "crate::app",
            "crate::cli",
            "std::fs",
            "clap",
        ],
        why: "the engine is pure (inputs → assessment): no database, no files (startup reads models), no CLI",
    },
    Rule {
        room: "src/petitions/",
        forbidden: &["crate::app::followup"],
        why: "the import use case runs the follow-up check, in the import's own transaction",
    },
    Rule {
        room: "src/ledger/",
        forbidden: &[
            "crate::storage",
            "crate::app",
            "crate::http",
            "crate::cli",
            "crate::web",
        ],
        why: "the ledger's files are read and written from values: the use case checks scope and stores",
    },
    Rule {
        room: "src/reports/",
        forbidden: &["crate::storage"],
        why: "a report draws the domain values it is handed, never storage rows",
    },
];

/// Rooms the architecture names that are not built yet: their rule checks nothing until they are.
const COMING: &[&str] = &["src/web/"];

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Semi,
    Star,
    Other,
}

/// The file's code as tokens with their line numbers: comments, string, byte-string, raw-string and char
/// literals are dropped (a doc comment that mentions `crate::storage` names nothing).
fn tokens(text: &str) -> Vec<(Token, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    // Skips to the end of a literal or comment, counting the lines it spans.
    let advance = |from: usize, to: usize, line: &mut usize| {
        *line += chars[from..to.min(chars.len())]
            .iter()
            .filter(|&&c| c == '\n')
            .count();
        to
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let (mut depth, mut j) = (1, i + 2);
            while j < chars.len() && depth > 0 {
                if chars[j] == '/' && at(j + 1) == '*' {
                    depth += 1;
                    j += 2;
                } else if chars[j] == '*' && at(j + 1) == '/' {
                    depth -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            i = advance(i, j, &mut line);
        } else if (c == 'r' || (c == 'b' && at(i + 1) == 'r'))
            && !at(i.wrapping_sub(1)).is_alphanumeric()
            && {
                let start = if c == 'b' { i + 2 } else { i + 1 };
                let hashes = chars[start.min(chars.len())..]
                    .iter()
                    .take_while(|&&h| h == '#')
                    .count();
                at(start + hashes) == '"'
            }
        {
            let start = if c == 'b' { i + 2 } else { i + 1 };
            let hashes = chars[start..].iter().take_while(|&&h| h == '#').count();
            let mut j = start + hashes + 1;
            while j < chars.len() {
                if chars[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#') {
                    break;
                }
                j += 1;
            }
            i = advance(i, j + 1 + hashes, &mut line);
        } else if c == '"' || (c == 'b' && at(i + 1) == '"') {
            let mut j = if c == 'b' { i + 2 } else { i + 1 };
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            i = advance(i, j + 1, &mut line);
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}'); otherwise a lifetime or label, which names nothing here.
            if at(i + 1) == '\\' {
                let mut j = i + 3;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let mut j = i;
            while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect();
            out.push((Token::Ident(word), line));
            i = j;
        } else {
            let token = match c {
                ':' if at(i + 1) == ':' => {
                    i += 1;
                    Token::PathSep
                }
                '{' => Token::Open,
                '}' => Token::Close,
                ',' => Token::Comma,
                ';' => Token::Semi,
                '*' => Token::Star,
                _ => Token::Other,
            };
            out.push((token, line));
            i += 1;
        }
    }
    out
}

/// Every path a `use` tree starting at `tokens[i]` imports, each with the line of its last segment; returns
/// the index after the tree.
fn use_tree(
    tokens: &[(Token, usize)],
    mut i: usize,
    prefix: &[String],
    paths: &mut Vec<(Vec<String>, usize)>,
) -> usize {
    let mut path = prefix.to_vec();
    if tokens.get(i).map(|t| &t.0) == Some(&Token::PathSep) {
        i += 1;
    }
    loop {
        match tokens.get(i) {
            Some((Token::Ident(word), line)) => {
                path.push(word.clone());
                i += 1;
                if tokens.get(i).map(|t| &t.0) == Some(&Token::PathSep) {
                    i += 1;
                    continue;
                }
                // `as NAME` renames the last segment; the path is what it was.
                if tokens.get(i).map(|t| &t.0) == Some(&Token::Ident("as".into())) {
                    i += 2;
                }
                paths.push((path, *line));
                return i;
            }
            Some((Token::Open, _)) => {
                i += 1;
                while i < tokens.len() && tokens[i].0 != Token::Close {
                    if tokens[i].0 == Token::Comma {
                        i += 1;
                    } else {
                        i = use_tree(tokens, i, &path, paths);
                    }
                }
                return i + 1;
            }
            Some((Token::Star, line)) => {
                paths.push((path, *line));
                return i + 1;
            }
            _ => return i,
        }
    }
}

/// Every path the code names: the leaves of its `use` trees, and each `a::b::c` written in the code.
fn named_paths(text: &str) -> Vec<(Vec<String>, usize)> {
    let tokens = tokens(text);
    let mut paths = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            (Token::Ident(word), _) if word == "use" => {
                i = use_tree(&tokens, i + 1, &[], &mut paths);
            }
            (Token::Ident(word), line) => {
                let mut path = vec![word.clone()];
                let mut j = i + 1;
                while tokens.get(j).map(|t| &t.0) == Some(&Token::PathSep) {
                    match tokens.get(j + 1) {
                        Some((Token::Ident(next), _)) => path.push(next.clone()),
                        _ => break,
                    }
                    j += 2;
                }
                paths.push((path, *line));
                i = j;
            }
            _ => i += 1,
        }
    }
    paths
}

/// The module a file under `src/` is: `src/http/models.rs` is [http, models], `src/http/mod.rs` is [http].
fn module_of(relative: &Path) -> Vec<String> {
    let mut module: Vec<String> = relative
        .iter()
        .skip(1)
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = module.pop() {
        let stem = last.trim_end_matches(".rs");
        if !matches!(stem, "mod" | "lib" | "main") {
            module.push(stem.to_owned());
        }
    }
    module
}

/// The path as written from the crate's root: `wenping::` is `crate::`, and `self::` and `super::` are read
/// from the file's module (an inline `mod tests` counts as its file: close enough to catch a crossing).
fn absolute(path: &[String], module: &[String]) -> Vec<String> {
    match path.first().map(String::as_str) {
        Some("wenping") => std::iter::once("crate".to_owned())
            .chain(path[1..].iter().cloned())
            .collect(),
        Some("self") | Some("super") => {
            let mut base = module.to_vec();
            let mut rest = path;
            while let Some(first) = rest.first() {
                match first.as_str() {
                    "self" => {}
                    "super" => {
                        base.pop();
                    }
                    _ => break,
                }
                rest = &rest[1..];
            }
            std::iter::once("crate".to_owned())
                .chain(base)
                .chain(rest.iter().cloned())
                .collect()
        }
        _ => path.to_vec(),
    }
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// Every crossing in the tree under `root`: "file:line names PATH — ROOM may not name FORBIDDEN: WHY".
fn crossings(root: &Path) -> (Vec<String>, Vec<&'static str>) {
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    let mut found = Vec::new();
    let mut checked_rooms = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(root).unwrap();
        let shown = relative.to_string_lossy().replace('\\', "/");
        let rules: Vec<&Rule> = RULES
            .iter()
            .filter(|r| shown == r.room || (r.room.ends_with('/') && shown.starts_with(r.room)))
            .collect();
        if rules.is_empty() {
            continue;
        }
        checked_rooms.extend(rules.iter().map(|r| r.room));
        let module = module_of(relative);
        let text = fs::read_to_string(file).unwrap();
        for (path, line) in named_paths(&text) {
            let path = absolute(&path, &module);
            for rule in &rules {
                for forbidden in rule.forbidden {
                    let forbidden: Vec<&str> = forbidden.split("::").collect();
                    if path.len() >= forbidden.len()
                        && path.iter().zip(&forbidden).all(|(a, b)| a == b)
                    {
                        found.push(format!(
                            "{shown}:{line} names {} — {} may not name {}: {}",
                            path.join("::"),
                            rule.room,
                            forbidden.join("::"),
                            rule.why
                        ));
                    }
                }
            }
        }
    }
    checked_rooms.sort();
    checked_rooms.dedup();
    (found, checked_rooms)
}

#[test]
fn every_room_names_only_the_rooms_below_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (found, checked) = crossings(root);
    for rule in RULES {
        assert!(
            checked.contains(&rule.room) || COMING.contains(&rule.room),
            "no file of {} was read: is the rule's room misspelt?",
            rule.room
        );
    }
    assert!(
        found.is_empty(),
        "the layers are crossed ({} times):\n  {}",
        found.len(),
        found.join("\n  ")
    );
}

/// The reader itself: grouped, nested, renamed, relative and written-out paths are seen; comments and strings
/// are not.
#[test]
fn the_reader_sees_every_way_of_naming_a_path() {
    let text = r##"
//! Mentions crate::storage in a doc comment.
use crate::{app, storage::{Db, rows::Row as R}};
use super::super::storage::Db;
use std::{fs, io};
fn f<'a>(x: &'a str) -> char {
    let _ = "crate::storage::Db";
    let _ = r#"crate::storage "quoted" "#;
    /* crate::storage */
    let _ = wenping::storage::Db::open();
    '"'
}
"##;
    let module = vec!["http".to_owned(), "models".to_owned()];
    let named: Vec<(String, usize)> = named_paths(text)
        .into_iter()
        .map(|(path, line)| (absolute(&path, &module).join("::"), line))
        .filter(|(path, _)| path.contains("::"))
        .collect();
    let storage: Vec<&(String, usize)> = named
        .iter()
        .filter(|(p, _)| p.starts_with("crate::storage"))
        .collect();
    assert_eq!(
        storage,
        [
            &("crate::storage::Db".to_owned(), 3),
            &("crate::storage::rows::Row".to_owned(), 3),
            &("crate::storage::Db".to_owned(), 4),
            &("crate::storage::Db::open".to_owned(), 10),
        ],
        "{named:?}"
    );
    assert!(named.contains(&("crate::app".to_owned(), 3)), "{named:?}");
    assert!(named.contains(&("std::fs".to_owned(), 5)), "{named:?}");
}
