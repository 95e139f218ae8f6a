//! The design lives in docs/design.md, and the sources cite its sections by number, either as DESIGN plus a
//! section sign or as design.md plus a section sign. Every such citation in the repository's Rust, Markdown
//! and TOML files has to name a heading that exists there: `## n.` for a section, and a deeper heading starting
//! `n.m` for a sub-section.

use std::fs;
use std::path::{Path, PathBuf};

const DESIGN: &str = "docs/design.md";
/// Folders that hold no sources of ours.
const SKIPPED_DIRS: [&str; 4] = [
    "target",
    "node_modules",
    "wenping-data",
    "proptest-regressions",
];
const SCANNED_EXTENSIONS: [&str; 3] = ["rs", "md", "toml"];

/// A section number as cited or as headed: [4] for §4, [4, 2] for §4.2.
type Number = Vec<u32>;

#[derive(Debug, PartialEq)]
struct Citation {
    line: usize,
    number: Number,
    text: String,
}

#[derive(Debug)]
struct Heading {
    line: usize,
    level: usize,
    number: Number,
}

/// Digits, then `.digits` groups; a trailing full stop ends a sentence, not a number.
fn parse_number(text: &str) -> Option<(Number, usize)> {
    let mut number = Vec::new();
    let mut end = 0;
    loop {
        let digits = text[end..].bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            break;
        }
        number.push(text[end..end + digits].parse().ok()?);
        end += digits;
        let rest = &text[end..];
        if rest.starts_with('.') && rest[1..].starts_with(|c: char| c.is_ascii_digit()) {
            end += 1;
        } else {
            break;
        }
    }
    (!number.is_empty()).then_some((number, end))
}

/// The section a citation marker at `at` names, with the citation's text; None when no section sign and
/// number follow the marker.
fn cited_after(line: &str, at: usize, marker: &str) -> Option<(Number, String)> {
    let mut rest = &line[at + marker.len()..];
    if marker == "DESIGN" {
        rest = rest.strip_prefix(".md").unwrap_or(rest);
    }
    let rest = rest.trim_start_matches([' ', '\u{a0}']);
    let after_sign = rest.strip_prefix('§')?;
    let (number, len) = parse_number(after_sign)?;
    let end = line.len() - after_sign.len() + len;
    Some((number, line[at..end].to_owned()))
}

/// Citations of the design in one file's text. In docs/design.md itself a bare section sign with a number
/// is a cross-reference and counts too.
fn citations(text: &str, is_design: bool) -> Vec<Citation> {
    let mut found = Vec::new();
    for (k, line) in text.lines().enumerate() {
        for (at, _) in line.char_indices() {
            let word_start = line[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            let cited = if line[at..].starts_with("DESIGN") && word_start {
                cited_after(line, at, "DESIGN")
            } else if line
                .get(at..at + "design.md".len())
                .is_some_and(|w| w.eq_ignore_ascii_case("design.md"))
            {
                cited_after(line, at, "design.md")
            } else if is_design && line[at..].starts_with('§') {
                cited_after(line, at, "")
            } else {
                None
            };
            if let Some((number, text)) = cited {
                found.push(Citation {
                    line: k + 1,
                    number,
                    text,
                });
            }
        }
    }
    // A "DESIGN.md §n" or "docs/design.md §n" is seen once per marker; keep one citation per place.
    found.dedup_by(|a, b| a.line == b.line && a.number == b.number && b.text.ends_with(&a.text));
    found
}

/// Numbered headings of the design, outside code fences.
fn headings(design: &str) -> Vec<Heading> {
    let mut in_fence = false;
    let mut found = Vec::new();
    for (k, line) in design.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        let level = line.bytes().take_while(|&b| b == b'#').count();
        if in_fence || level == 0 || !line[level..].starts_with(' ') {
            continue;
        }
        let title = line[level..].trim_start();
        if let Some((number, len)) = parse_number(title) {
            let after = &title[len..];
            let top_form = after.starts_with(". ") || after == ".";
            let sub_form = after.starts_with(' ') || after.starts_with(". ");
            if (level == 2 && number.len() == 1 && top_form)
                || (level >= 3 && number.len() > 1 && sub_form)
            {
                found.push(Heading {
                    line: k + 1,
                    level,
                    number,
                });
            }
        }
    }
    found
}

fn dotted(number: &[u32]) -> String {
    number
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// Why a citation does not resolve, or None when its heading exists.
fn unresolved(citation: &Citation, headings: &[Heading]) -> Option<String> {
    let section = &citation.number[..1];
    if !headings.iter().any(|h| h.level == 2 && h.number == section) {
        return Some(format!(
            "`{}`: {DESIGN} has no `## {}.` heading",
            citation.text, section[0]
        ));
    }
    if citation.number.len() > 1
        && !headings
            .iter()
            .any(|h| h.level >= 3 && h.number == citation.number)
    {
        return Some(format!(
            "`{}`: {DESIGN} has no sub-heading numbered {}",
            citation.text,
            dotted(&citation.number)
        ));
    }
    None
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_design() -> String {
    let path = repo_root().join(DESIGN);
    fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{} cannot be read ({e}): the design the sources cite must be in the repository",
            path.display()
        )
    })
}

/// Every Rust, Markdown and TOML file of the repository, outside build output and hidden folders.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !name.starts_with('.') && !SKIPPED_DIRS.contains(&name) {
                sources(&path, out);
            }
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| SCANNED_EXTENSIONS.contains(&e))
        {
            out.push(path);
        }
    }
}

#[test]
fn every_design_citation_names_an_existing_section() {
    let design = read_design();
    let headings = headings(&design);
    let root = repo_root();
    let mut files = Vec::new();
    sources(&root, &mut files);
    let relative: Vec<PathBuf> = files
        .iter()
        .map(|f| f.strip_prefix(&root).unwrap().to_path_buf())
        .collect();
    for expected in ["src/lib.rs", "README.md", "models/README.md", DESIGN] {
        assert!(
            relative.iter().any(|r| r == Path::new(expected)),
            "the scan missed {expected}"
        );
    }
    let mut problems = Vec::new();
    let mut count = 0;
    let mut citing: Vec<&Path> = Vec::new();
    for (file, rel) in files.iter().zip(&relative) {
        let text = String::from_utf8_lossy(&fs::read(file).unwrap()).into_owned();
        for citation in citations(&text, rel == Path::new(DESIGN)) {
            count += 1;
            citing.push(rel);
            if let Some(why) = unresolved(&citation, &headings) {
                problems.push(format!("{}:{}: {why}", rel.display(), citation.line));
            }
        }
    }
    // A scan that found no citation would pass whatever the sources cite.
    for cited_in in ["src", "models", DESIGN] {
        assert!(
            citing.iter().any(|rel| rel.starts_with(cited_in)),
            "no design citation found in {cited_in}: the scan does not read what it should"
        );
    }
    assert!(
        problems.is_empty(),
        "{} of {count} design citations do not resolve:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_design_keeps_its_section_numbers() {
    let design = read_design();
    let headings = headings(&design);
    let top: Vec<u32> = headings
        .iter()
        .filter(|h| h.level == 2)
        .map(|h| h.number[0])
        .collect();
    assert!(
        top.len() >= 10 && top.iter().copied().eq(1..=top.len() as u32),
        "{DESIGN} must number its sections 1, 2, 3 … in order (at least to 10); found {top:?}"
    );
    // A sub-heading belongs to the section above it, and no number is used twice.
    let mut section = 0;
    for (k, h) in headings.iter().enumerate() {
        if h.level == 2 {
            section = h.number[0];
        } else {
            assert_eq!(
                h.number[0],
                section,
                "{DESIGN}:{}: sub-heading {} is not under `## {}.`",
                h.line,
                dotted(&h.number),
                h.number[0]
            );
        }
        assert!(
            headings[..k].iter().all(|o| o.number != h.number),
            "{DESIGN}:{}: section {} is numbered twice",
            h.line,
            dotted(&h.number)
        );
    }
}

#[test]
fn the_checker_finds_citations_and_refuses_unknown_sections() {
    let design = "# Title\n## 1. One\n### 1.1 Part\n```\n## 7. in a code fence\n```\n## 2. Two\n";
    let headings = headings(design);
    let numbers: Vec<String> = headings.iter().map(|h| dotted(&h.number)).collect();
    assert_eq!(numbers, ["1", "1.1", "2"]);

    // The markers are spliced in, so that this file itself cites nothing.
    let (d, m) = ("DESIGN", "design.md");
    let source = format!(
        "//! The roles of {d} §1.\n\
         // see docs/{m} §1.1 and {d}.md §2; RE{d} §9 is a word, not a citation\n\
         /// {d} §7 is gone, {d} §1.2 never was, {m} §n has no number\n"
    );
    let found = citations(&source, false);
    let cited: Vec<(usize, String)> = found.iter().map(|c| (c.line, dotted(&c.number))).collect();
    assert_eq!(
        cited,
        [
            (1, "1".to_owned()),
            (2, "1.1".to_owned()),
            (2, "2".to_owned()),
            (3, "7".to_owned()),
            (3, "1.2".to_owned()),
        ]
    );
    let refused: Vec<String> = found
        .iter()
        .filter_map(|c| unresolved(c, &headings))
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused[0].contains("no `## 7.` heading"), "{}", refused[0]);
    assert!(
        refused[1].contains("no sub-heading numbered 1.2"),
        "{}",
        refused[1]
    );
}
