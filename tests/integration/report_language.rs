//! Reports in the reader's language: every bundled model's report, in Chinese and in English, as
//! HTML, PDF (read back with pdftotext) and DOCX, shows words — no id, no `true`/`false`, none of
//! the models' English provenance phrases in the Chinese text, and no Chinese in the English text
//! besides what users typed and the Chinese citations of the sources (assets/labels.toml). The HTML
//! carries only the glyphs it uses, and stays small and byte-identical.

use std::collections::BTreeSet;

use ab_glyph::{Font, FontRef};
use base64::Engine;
use serde_json::{Value, json};
use wenping::domain::resolution::Outcome;
use wenping::reports::data::{ScenarioPoint, SignedResolution};
use wenping::reports::fonts::BUNDLED_OTF;
use wenping::reports::labels::vocabulary;
use wenping::reports::{Lang, ReportData, ReportMeta, docx, html, pdf};
use wenping::scoring::model::{EvidenceRule, Model};
use wenping::scoring::record::RecordedInputs;
use wenping::scoring::{assess, bundled_models};

use crate::common::cli::poppler;

const EXPERTS: [&str; 3] = ["王教授", "赵律师", "钱工程师"];
const TYPED: [&str; 12] = [
    "城关镇东片区项目",
    "东片区改造，分两期实施。",
    "示范县人民政府",
    "县自然资源局",
    "李科长",
    "已召开两次座谈会",
    "每月报告进展",
    "省重点工程，限期开工",
    "分期实施方案",
    "李评估",
    "周主任",
    "基准方案甲",
];

/// The names users typed, which a report prints as typed in either language.
fn typed() -> Vec<&'static str> {
    TYPED.iter().chain(EXPERTS.iter()).copied().collect()
}

/// A decision of the model's kind with everything recorded (`full`), or with no attributes, no
/// petition data and a thin panel, which gives the other quality findings.
fn report(model: &Model, full: bool) -> ReportData {
    let spec = model.spec();
    let mut ratings = serde_json::Map::new();
    for (e, expert) in EXPERTS.iter().enumerate() {
        let mut sheet = serde_json::Map::new();
        for (k, factor) in spec.factors.iter().enumerate() {
            let petition = matches!(factor.evidence, EvidenceRule::Petition(_));
            // Sparse: the first expert rates all but the last factors, the others only the first.
            let rated = if full {
                !petition || e == 0
            } else {
                (e == 0 && k + 2 < spec.factors.len() && !petition) || k == 0
            };
            if rated {
                let p = if full && k == 0 {
                    [1, 4, 2][e]
                } else {
                    1 + (k + e) % 5
                };
                sheet.insert(
                    factor.id.clone(),
                    json!({"probability": p, "impact": 1 + (k * 2 + e) % 5}),
                );
            }
        }
        ratings.insert((*expert).to_owned(), Value::Object(sheet));
    }
    let indicators: serde_json::Map<String, Value> = spec
        .factors
        .iter()
        .filter(|f| full && matches!(f.evidence, EvidenceRule::Petition(_)))
        .map(|f| (f.id.clone(), json!(1.3)))
        .collect();
    let attributes = if full {
        json!({"public_notice_days": 20, "support_rate": 0.45, "signing_rate": 0.8, "hearing_held": false,
               "funds_in_place": true, "compensation_ratio": 0.92, "arrears_months": 2})
    } else {
        json!({})
    };
    let measure = |i: usize| spec.measures[i % spec.measures.len()].id.clone();
    let measures: Vec<String> = if full {
        vec![measure(0), measure(1)]
    } else {
        vec![]
    };
    let checklist: Vec<Value> = if full {
        ["planned", "in_progress", "done", "verified"]
            .iter()
            .enumerate()
            .map(|(i, status)| {
                json!({"measure": measure(i), "factors": [spec.factors[i].id], "owner_unit": (i != 1).then_some("县自然资源局"),
                       "lead_person": "李科长", "due_date": "2027-06-30", "status": status, "overdue": i == 0,
                       "evidence_note": "已召开两次座谈会"})
            })
            .collect()
    } else {
        vec![]
    };
    let categories = [
        "land_requisition_demolition",
        "labour_social_security",
        "rural_affairs",
        "law_litigation",
        "environment",
        "housing_property",
        "health_care",
        "misconduct_reports",
        "other",
    ];
    let monthly: Vec<Value> = ["2026-09", "2026-10", "2026-11"]
        .iter()
        .enumerate()
        .map(|(m, month)| {
            let by: serde_json::Map<String, Value> =
                categories.iter().enumerate().map(|(c, k)| ((*k).to_owned(), json!((c + m) % 4))).collect();
            json!({"month": month, "petitions": by.values().filter_map(Value::as_i64).sum::<i64>(), "by_category": by})
        })
        .collect();
    let recorded = json!({
        "decision": {
            "id": "00000000-0000-0000-0000-0000000000d1", "title": TYPED[0], "kind": spec.kind,
            "description": TYPED[1], "responsible_unit": TYPED[2], "regions": ["330199001", "330199002"],
            "affected": {"households": 120, "people": 450, "workers": 30}, "budget_yuan": 180_000_000.0,
            "planned_start": "2027-03-01", "version": 1, "archived": false,
            "created_at": "2026-11-30T00:00:00Z", "updated_at": "2026-11-30T00:00:00Z"
        },
        "attributes": attributes, "ratings": ratings, "indicators": indicators, "measures": measures,
        "petition_evidence": if full { json!({"snapshot": 3, "factors": {}, "monthly": monthly}) } else { Value::Null },
        "scenario": {
            "id": "00000000-0000-0000-0000-0000000000e1", "name": TYPED[11], "baseline": true, "overrides": {},
            "own_ratings": false, "proposed_measures": [measure(2), measure(3)],
            "uncounted_measures": [
                {"measure": measure(2), "reason": "its checklist item has no owner unit or no due date yet"},
                {"measure": measure(3), "reason": "it is not on the decision's checklist"}
            ]
        },
        "checklist": checklist,
    });
    let mut recorded = recorded;
    if !full {
        recorded
            .as_object_mut()
            .unwrap()
            .remove("petition_evidence");
    }
    let recorded: RecordedInputs = serde_json::from_value(recorded).unwrap();
    let result = assess(model, &recorded.engine_inputs()).unwrap();
    let meta = ReportMeta {
        assessment_id: uuid::Uuid::from_u128(0xa1),
        content_hash: "c0ffee".repeat(10) + "abcd",
        created_at: chrono::DateTime::from_timestamp(1_796_000_000, 0).unwrap(),
        author: TYPED[9].into(),
    };
    let gate = result.gate.outcome;
    let mut data = ReportData::new(meta.clone(), recorded, result, model.clone()).unwrap();
    if full {
        data.resolutions = [
            Outcome::Implement,
            Outcome::ImplementAfterMitigation,
            Outcome::Postpone,
            Outcome::Reject,
        ]
        .into_iter()
        .enumerate()
        .map(|(i, outcome)| SignedResolution {
            outcome,
            conditions: TYPED[6].into(),
            gate_outcome: gate,
            override_reason: (i == 0).then(|| TYPED[7].to_owned()),
            author: TYPED[10].into(),
            created_at: meta.created_at,
        })
        .collect();
        let mut other = data.scenarios[0].clone();
        other = ScenarioPoint {
            name: Some(TYPED[8].into()),
            baseline: false,
            reported: false,
            assessment_id: uuid::Uuid::from_u128(0xb2),
            r: other.r * 0.8,
            ..other
        };
        data.scenarios.insert(0, other);
    }
    data
}

fn html_text(html: &str) -> String {
    let body = &html[html.find("</style>").unwrap()..];
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

async fn pdf_text(pdf: &[u8]) -> String {
    let text = poppler("pdftotext", pdf, &["-enc", "UTF-8"]).await;
    // Line breaks end words; typst's spacing between Chinese and Latin text comes out as spaces.
    text.replace('\n', " ")
}

/// The text runs of word/document.xml (the DOCX writer stores its entries uncompressed).
fn docx_text(zip: &[u8]) -> String {
    let mut at = 0;
    let mut xml = "";
    while at + 30 <= zip.len() && &zip[at..at + 4] == b"PK\x03\x04" {
        let size = u32::from_le_bytes(zip[at + 18..at + 22].try_into().unwrap()) as usize;
        let name_len = u16::from_le_bytes([zip[at + 26], zip[at + 27]]) as usize;
        let extra_len = u16::from_le_bytes([zip[at + 28], zip[at + 29]]) as usize;
        let data = at + 30 + name_len + extra_len;
        if &zip[at + 30..at + 30 + name_len] == b"word/document.xml" {
            xml = std::str::from_utf8(&zip[data..data + size]).unwrap();
        }
        at = data + size;
    }
    assert!(!xml.is_empty(), "word/document.xml");
    xml.split("<w:t")
        .skip(1)
        .filter_map(|run| run.split_once('>')?.1.split_once("</w:t>").map(|(t, _)| t))
        .collect::<Vec<_>>()
        .join(" ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
}

/// The text with the identifiers a report prints for reference taken out: ids, hashes, model id.
fn without_identifiers(text: &str, data: &ReportData) -> String {
    let mut text = text.to_owned();
    let mut ids = vec![
        data.meta.content_hash.clone(),
        data.model.hash().to_owned(),
        data.model.spec().id.clone(),
    ];
    ids.extend(data.scenarios.iter().map(|s| s.assessment_id.to_string()));
    ids.push(data.meta.assessment_id.to_string());
    for id in ids {
        text = text.replace(&id, " ");
    }
    text.replace("docs/design.md", " ")
        .replace("SHA-256", " ")
        .replace("UTC", " ")
}

fn chinese_problems(text: &str, data: &ReportData) -> Vec<String> {
    let text = without_identifiers(text, data);
    // Single letters are the formulas' symbols (R, P, I, v1.0.0), and so are wᵢ, pᵢ … as the PDF
    // sets them (w + subscript i); any other Latin word is English.
    let symbols = ["ri", "wi", "ci", "pi", "qi"];
    let words: BTreeSet<&str> = text
        .split(|c: char| !c.is_ascii_alphabetic() && c != '_')
        .filter(|w| w.len() > 1 && !symbols.contains(w))
        .collect();
    words.into_iter().map(str::to_owned).collect()
}

fn english_problems(text: &str, data: &ReportData) -> Vec<String> {
    let text = without_identifiers(text, data);
    // Compared without white space: the PDF spaces Chinese from digits and Latin letters.
    let spaceless = |t: &str| t.split_whitespace().collect::<String>();
    let mut allowed: Vec<String> = typed().into_iter().map(spaceless).collect();
    allowed.extend(
        vocabulary()
            .provenance
            .iter()
            .filter_map(|p| p.cite.as_deref().map(spaceless)),
    );
    allowed.sort_by_key(|a| std::cmp::Reverse(a.len()));
    let mut chinese = spaceless(&text);
    for a in &allowed {
        chinese = chinese.replace(a.as_str(), " ");
    }
    let mut problems: Vec<String> = chinese
        .split(|c: char| !is_cjk(c))
        .filter(|run| !run.is_empty())
        .map(str::to_owned)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    problems.extend(
        text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .filter(|w| w.contains('_') || *w == "true" || *w == "false")
            .map(str::to_owned),
    );
    problems
}

/// Every character of the HTML that the bundled font draws is in the font the HTML embeds.
fn embedded_font_covers(html: &str) {
    let start = html.find("base64,").unwrap() + "base64,".len();
    let end = start + html[start..].find(')').unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&html[start..end])
        .unwrap();
    let embedded = FontRef::try_from_slice(&bytes).unwrap();
    let bundled = FontRef::try_from_slice(BUNDLED_OTF).unwrap();
    let text = html_text(html);
    let missing: String = text
        .chars()
        .filter(|&c| {
            !c.is_whitespace() && bundled.glyph_id(c).0 != 0 && embedded.glyph_id(c).0 == 0
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(missing, "", "characters the embedded font lacks");
}

#[tokio::test]
async fn every_bundled_models_report_speaks_the_readers_language_in_every_format() {
    let mut failures = Vec::new();
    for model in bundled_models().unwrap() {
        for full in [true, false] {
            let data = report(&model, full);
            for lang in [Lang::Zh, Lang::En] {
                let html = html::render(&data, lang).unwrap();
                assert_eq!(
                    html,
                    html::render(&data, lang).unwrap(),
                    "same report, same bytes"
                );
                assert!(
                    html.len() <= 300_000,
                    "{}: HTML of {} bytes",
                    model.spec().id,
                    html.len()
                );
                let html = String::from_utf8(html).unwrap();
                embedded_font_covers(&html);
                let texts = [
                    ("html", html_text(&html)),
                    ("pdf", pdf_text(&pdf::render(&data, lang).unwrap()).await),
                    ("docx", docx_text(&docx::render(&data, lang).unwrap())),
                ];
                for (format, text) in texts {
                    let problems = match lang {
                        Lang::Zh => chinese_problems(&text, &data),
                        Lang::En => english_problems(&text, &data),
                    };
                    if !problems.is_empty() {
                        failures.push(format!(
                            "{} (full: {full}) {format} {}: {problems:?}",
                            model.spec().id,
                            lang.code()
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_chinese_report_states_money_rates_and_facts_in_words() {
    let model = bundled_models()
        .unwrap()
        .into_iter()
        .find(|m| m.spec().id == "land_requisition")
        .unwrap();
    let data = report(&model, true);
    let zh = html_text(&String::from_utf8(html::render(&data, Lang::Zh).unwrap()).unwrap());
    for expected in [
        "18,000 万元",
        "土地征收",
        "120 户 / 450 人 / 30 名职工",
        "公示天数 20 天",
        "支持率 45%",
        "签约率 80%",
        "是否举行听证 否",
        "资金是否到位 是",
        "补偿标准与市场评估价之比 0.92",
        "默认值，须结合本地实际确认",
        "docs/design.md 第 4.1 节",
        "合法性",
        "专家评分",
        "决策属性：签约率 80%",
        "信访数据：每千人信访件数 1.3",
        "措施清单中尚未明确责任单位或完成时限",
        "未列入措施清单",
        "推进中",
        "已验收",
        "落实防范化解措施后实施",
        "征地拆迁",
        "依规应当举行听证，但未记录已举行听证",
    ] {
        let spaced = zh.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(spaced.contains(expected), "missing {expected}");
    }
    let en = html_text(&String::from_utf8(html::render(&data, Lang::En).unwrap()).unwrap());
    let spaced = en.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "180,000,000 yuan",
        "land requisition",
        "support rate (survey) 45%",
        "hearing held no",
        "[中办发〔2012〕2号]",
        "docs/design.md §4.1",
        "decision attribute: signing rate 80%",
        "land requisition and demolition",
    ] {
        assert!(spaced.contains(expected), "missing {expected}");
    }
}
