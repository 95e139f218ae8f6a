//! Key paths of a TOML document → line numbers, so validation errors can point at the line.

use std::collections::BTreeMap;

use toml::de::{DeTable, DeValue};

/// `factors[3].dimension` → 1-based line of that key.
pub(crate) struct SpanIndex {
    lines: BTreeMap<String, usize>,
}

impl SpanIndex {
    pub(crate) fn empty() -> SpanIndex {
        SpanIndex {
            lines: BTreeMap::new(),
        }
    }

    pub(crate) fn build(text: &str, table: &DeTable<'_>) -> SpanIndex {
        let starts = line_starts(text);
        let mut lines = BTreeMap::new();
        walk_table(table, "", &starts, &mut lines);
        SpanIndex { lines }
    }

    /// Line of the path, or of its nearest ancestor that has one.
    pub(crate) fn line(&self, path: &str) -> Option<usize> {
        let mut p = path;
        loop {
            if let Some(l) = self.lines.get(p) {
                return Some(*l);
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// 1-based line containing byte offset.
pub(crate) fn line_of(starts: &[usize], offset: usize) -> usize {
    starts.partition_point(|&s| s <= offset).max(1)
}

pub(crate) fn line_of_offset(text: &str, offset: usize) -> usize {
    line_of(&line_starts(text), offset)
}

fn walk_table(
    table: &DeTable<'_>,
    prefix: &str,
    starts: &[usize],
    out: &mut BTreeMap<String, usize>,
) {
    for (key, value) in table.iter() {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        out.insert(path.clone(), line_of(starts, key.span().start));
        walk_value(value.get_ref(), &path, starts, out);
    }
}

fn walk_value(
    value: &DeValue<'_>,
    path: &str,
    starts: &[usize],
    out: &mut BTreeMap<String, usize>,
) {
    match value {
        DeValue::Table(t) => walk_table(t, path, starts, out),
        DeValue::Array(items) => {
            for (k, item) in items.iter().enumerate() {
                let p = format!("{path}[{k}]");
                out.insert(p.clone(), line_of(starts, item.span().start));
                walk_value(item.get_ref(), &p, starts, out);
            }
        }
        _ => {}
    }
}
