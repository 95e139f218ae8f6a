//! The PDF report, read back with poppler's pdftotext and pdfinfo: searchable Chinese text,
//! chapters, factors, R and levels, page numbers, contents, English, reproducible bytes.

use serde_json::Value;

use super::{assessed, bytes};
use crate::common::cli::{poppler, succeeded, wenping_on};
use crate::common::{header, spawn_app};

#[tokio::test]
async fn the_pdf_report_has_searchable_chinese_text_pages_and_contents() {
    let app = spawn_app().await;
    let record = assessed(&app, "城关镇东片区集体土地征收").await;
    let id = record["id"].as_str().unwrap();
    let path = format!("/api/v1/assessments/{id}/report.pdf");
    let res = app.get(&path).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "application/pdf");
    let disposition = header(&res, "content-disposition");
    assert!(
        disposition.starts_with(&format!("attachment; filename=\"wenping-report-{id}.pdf\""))
            && disposition.contains("filename*=UTF-8''%E5%9F%8E%E5%85%B3%E9%95%87")
            && disposition.ends_with(".pdf"),
        "{disposition}"
    );
    let pdf = res.bytes().await.unwrap().to_vec();
    assert_eq!(&pdf[..5], b"%PDF-");
    let (_, _, again) = bytes(&app, &path).await;
    assert!(again == pdf, "same assessment, same bytes");

    // pdftotext breaks long lines, so compare with the line breaks taken out.
    let text = poppler("pdftotext", &pdf, &["-enc", "UTF-8"])
        .await
        .replace('\n', "");
    for heading in [
        "目录",
        "一、基本情况",
        "二、评估依据与方法",
        "三、调查情况",
        "四、分维度分析",
        "五、风险识别",
        "六、单因素风险估计",
        "七、风险防范化解措施",
        "八、措施前后风险等级",
        "九、评估结论与决策建议",
        "十、应急处置要点",
        "附录一",
        "附录二",
        "附录三",
        "附录四",
        "附录五",
        "敏感性龙卷风图",
        "蒙特卡罗模拟：风险等级分布",
        "措施清单",
        "城关镇东片区集体土地征收",
    ] {
        assert!(text.contains(heading), "missing {heading}");
    }
    for factor in record["result"]["factors"].as_array().unwrap() {
        let name = factor["name"]["zh"].as_str().unwrap();
        assert!(text.contains(name), "factor {name}");
    }
    let spaceless: String = text.split_whitespace().collect();
    // R as every format prints it (four places); levels as the JSON names them, in Chinese here.
    let table: Value = app
        .get(&format!("/api/v1/assessments/{id}/report.json"))
        .await
        .json()
        .await
        .unwrap();
    let levels = [
        table["level"].as_str().unwrap(),
        table["residual_level"].as_str().unwrap(),
    ];
    for (r, level) in [
        table["r"].as_f64().unwrap(),
        table["residual_r"].as_f64().unwrap(),
    ]
    .into_iter()
    .zip(levels)
    {
        let zh = match level {
            "low" => "低风险",
            "medium" => "中风险",
            _ => "高风险",
        };
        // The row of chapter 8 reads "R level"; pdftotext spaces table cells as it likes.
        assert!(
            spaceless.contains(&format!("{r:.4}{zh}")),
            "R {r:.4}, level {zh}"
        );
    }
    let info = poppler("pdfinfo", &pdf, &[]).await;
    let pages: u32 = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(pages > 1, "{info}");
    let numbers = (1..=pages)
        .map(|n| format!("{n}/{pages}"))
        .collect::<Vec<_>>();
    assert!(
        numbers.iter().all(|n| spaceless.contains(n)),
        "page numbers"
    );

    let english = app
        .get(&format!("{path}?lang=en"))
        .await
        .bytes()
        .await
        .unwrap();
    let english = poppler("pdftotext", &english, &["-enc", "UTF-8"])
        .await
        .replace('\n', "");
    assert!(
        english.contains("1 Basic facts") && english.contains("9 Conclusion and recommendation"),
        "English headings"
    );
    for level in levels {
        assert!(
            english.contains(level),
            "level {level} as the JSON gives it"
        );
    }
}

#[tokio::test]
async fn pdf_text_is_printed_as_typed_never_evaluated_as_typst() {
    let app = spawn_app().await;
    let title = r#"#import "x": * $y$ *粗* _斜_ [链接] <标签> @引用 = -1 // 注释 \ 'a' `z` 𠀀村"#;
    let record = assessed(&app, title).await;
    let id = record["id"].as_str().unwrap();
    let res = app
        .get(&format!("/api/v1/assessments/{id}/report.pdf"))
        .await;
    assert_eq!(res.status(), 200);
    let pdf = res.bytes().await.unwrap();
    let text: String = poppler("pdftotext", &pdf, &["-enc", "UTF-8"])
        .await
        .split_whitespace()
        .collect();
    // A character that no report font has is shown as its code point, not dropped.
    let typed: String = title
        .replace("𠀀", "〔U+20000〕")
        .split_whitespace()
        .collect();
    assert!(text.contains(&typed), "{typed} in {text}");
    assert!(
        text.contains("以下字符超出报告字体，可能无法显示：〔U+20000〕"),
        "the character outside the fonts is named"
    );
}

/// Debian's full Noto Sans CJK (fonts-noto-cjk; scripts/test installs it): it has CJK Extension A,
/// which the bundled GB2312 subset does not.
const FALLBACK_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

#[tokio::test]
async fn a_rare_character_is_drawn_with_the_configured_fallback_font() {
    let app = spawn_app().await;
    let title = "㐀村土地征收";
    let record = assessed(&app, title).await;
    let id = record["id"].as_str().unwrap();
    assert!(
        std::path::Path::new(FALLBACK_FONT).exists(),
        "{FALLBACK_FONT} (Debian's fonts-noto-cjk) is needed"
    );
    let dir = tempfile::tempdir().unwrap();
    let report = async |font: Option<&str>| {
        let out = dir.path().join(format!("{}.pdf", font.is_some()));
        let mut command = wenping_on(&app.database_url);
        command
            .args(["report", id, "--format", "pdf", "--out"])
            .arg(&out)
            .env_remove("WENPING_FONT");
        if let Some(font) = font {
            command.env("WENPING_FONT", font);
        }
        succeeded(&mut command).await;
        let pdf = std::fs::read(&out).unwrap();
        poppler("pdftotext", &pdf, &["-enc", "UTF-8"])
            .await
            .replace('\n', "")
    };
    let without = report(None).await;
    assert!(
        without.contains("〔U+3400〕村土地征收") && without.contains("以下字符超出报告字体"),
        "without a fallback the character is named"
    );
    let with = report(Some(FALLBACK_FONT)).await;
    assert!(
        with.contains(title),
        "with the fallback the character itself is in the PDF"
    );
    assert!(
        !with.contains("以下字符超出报告字体") && !with.contains("U+3400"),
        "and nothing is reported missing"
    );
}
