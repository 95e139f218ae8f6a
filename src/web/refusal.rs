//! A use case's refusal in the reader's words. The use cases refuse in English (the JSON API's `detail`); a page
//! translates the refusals a person can meet through its forms with `assets/web/refusals.toml`, and shows an
//! unknown one, on a Chinese page, as its field's name and a plain "not valid" rather than an English sentence.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use super::i18n::Tr;
use crate::domain::{FieldError, FieldErrors};

#[derive(Debug, Deserialize)]
struct Refusal {
    en: String,
    zh: String,
}

#[derive(Debug, Deserialize)]
struct Words {
    zh: String,
    en: String,
}

#[derive(Debug, Default, Deserialize)]
struct Table {
    refusal: Vec<Refusal>,
    field: HashMap<String, Words>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    match toml::from_str(include_str!("../../assets/web/refusals.toml")) {
        Ok(table) => table,
        Err(error) => {
            tracing::error!(%error, "assets/web/refusals.toml cannot be read; refusals show untranslated");
            Table::default()
        }
    }
});

/// The parts of `text` that the pattern's `{}` stand for, if `text` is the pattern.
fn matches(pattern: &str, text: &str) -> Option<Vec<String>> {
    let pieces: Vec<&str> = pattern.split("{}").collect();
    let mut rest = text.strip_prefix(pieces[0])?;
    let mut parts = Vec::new();
    for (k, piece) in pieces.iter().enumerate().skip(1) {
        let end = if k == pieces.len() - 1 {
            // The last piece ends the text.
            rest.strip_suffix(piece).map(str::len)?
        } else if piece.is_empty() {
            return None;
        } else {
            rest.find(piece)?
        };
        parts.push(rest[..end].to_owned());
        rest = &rest[end + piece.len()..];
    }
    (pieces.len() > 1 || rest.is_empty()).then_some(parts)
}

/// The Chinese of an English refusal, when the table knows it.
fn chinese(message: &str) -> Option<String> {
    TABLE.refusal.iter().find_map(|r| {
        let parts = matches(&r.en, message)?;
        let mut zh = r.zh.clone();
        for (k, part) in parts.iter().enumerate() {
            zh = zh.replace(&format!("{{{}}}", k + 1), part);
        }
        Some(zh)
    })
}

/// The refusal's sentence in the reader's language.
pub fn sentence(tr: Tr, message: &str) -> String {
    if !tr.is_zh() {
        return message.to_owned();
    }
    chinese(message).unwrap_or_else(|| tr.t("form.invalid"))
}

/// What the field is called: `items[2].owner_unit` → 责任单位. `None` for a field the table does not name.
pub fn field_name(tr: Tr, field: &str) -> Option<String> {
    let last = field.rsplit('.').next().unwrap_or(field);
    let root = |s: &str| s.split(['[', '.']).next().unwrap_or_default().to_owned();
    [root(last), root(field)].into_iter().find_map(|key| {
        TABLE
            .field
            .get(&key)
            .map(|w| tr.lang.pick(&w.zh, &w.en).to_owned())
    })
}

/// One field's refusal: "责任单位：不能为空".
pub fn field(tr: Tr, e: &FieldError) -> String {
    let said = sentence(tr, &e.message);
    match field_name(tr, &e.field) {
        Some(name) => format!("{name}{}{said}", tr.lang.colon()),
        None => said,
    }
}

/// Every refusal of a form in one line, after "未能保存".
pub fn invalid(tr: Tr, errors: &FieldErrors) -> String {
    let listed: Vec<String> = errors.0.iter().map(|e| field(tr, e)).collect();
    format!(
        "{}{}{}",
        tr.t("form.refused"),
        tr.lang.colon(),
        listed.join(tr.lang.pick("；", "; "))
    )
}

/// A conflict's reason (a change that came too late, a name taken …) in the reader's language.
pub fn conflict(tr: Tr, reason: &str) -> String {
    if tr.is_zh()
        && let Some(zh) = chinese(reason)
    {
        return zh;
    }
    // A conflict may name its field first ("items[0].measure: …"): then it reads as that field's refusal.
    match reason.split_once(": ") {
        Some((f, rest)) if !f.contains(' ') => field(tr, &FieldError::new(f, rest)),
        _ => sentence(tr, reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::Lang;

    #[test]
    fn every_pattern_reads_and_fills_its_parts() {
        let zh = Tr::new(Lang::Zh);
        assert_eq!(
            sentence(zh, "must be at most 200 characters"),
            "不能超过 200 个字"
        );
        assert_eq!(
            sentence(
                zh,
                "region code '1234' has 4 digits; a county code has 6, a township 9, a village 12"
            ),
            "区域代码“1234”为 4 位；县级代码 6 位，乡镇 9 位，村（社区）12 位"
        );
        assert_eq!(sentence(zh, "must not be empty"), "不能为空");
        // "must not be empty" must not match "must not be emptyish".
        assert_eq!(sentence(zh, "must not be emptyish"), zh.t("form.invalid"));
        assert_eq!(
            sentence(Tr::new(Lang::En), "must not be empty"),
            "must not be empty"
        );
        for r in &TABLE.refusal {
            let parts = r.en.matches("{}").count();
            let used = (1..=9).filter(|k| r.zh.contains(&format!("{{{k}}}"))).max();
            assert!(used.unwrap_or(0) <= parts, "{} fills a part it lacks", r.en);
            assert!(!r.zh.is_ascii(), "{} has no Chinese", r.en);
        }
    }

    #[test]
    fn a_field_is_named_by_its_last_part() {
        let zh = Tr::new(Lang::Zh);
        let e = FieldError::new("items[2].owner_unit", "must not be empty");
        assert_eq!(field(zh, &e), "责任单位：不能为空");
        let e = FieldError::new("regions[0]", "region 110101 is listed twice");
        assert_eq!(field(zh, &e), "涉及区域：区域 110101 重复");
        assert_eq!(
            conflict(
                zh,
                "items[0].measure: 'x' is already on the checklist; change that item instead"
            ),
            "措施已在清单中，请修改原有清单项"
        );
        assert_eq!(
            conflict(zh, "a user named wang exists already"),
            "用户名 wang 已存在"
        );
    }
}
