//! The last appendix: the data provenance that lets anyone check the report against the stored
//! assessment.

use crate::reports::fonts;
use crate::reports::outline::ReportWriter;
use crate::reports::{Lang, ReportData, ReportError};

pub(super) fn write(
    doc: &mut impl ReportWriter,
    data: &ReportData,
    lang: Lang,
) -> Result<(), ReportError> {
    let r = &data.result;
    let model = data.model.spec();
    let simulation = data.simulation_request();
    doc.heading(lang.pick("附录五　数据来源与可复现性", "Appendix E Data provenance"));
    let missing: String = fonts::fonts()?
        .missing(report_texts(data, lang).iter().map(String::as_str))
        .into_iter()
        .collect();
    if !missing.is_empty() {
        let note = lang.pick(
            "以下字符超出报告字体，可能无法显示",
            "Characters outside the report fonts, which may not display",
        );
        doc.framed(&[format!("{note}{}{missing}", lang.colon())], true);
    }
    let sep = lang.pick("，", ", ");
    doc.table(
        &[lang.pick("项目", "item"), lang.pick("值", "value")],
        &[
            vec![
                lang.pick("评估编号", "assessment id").into(),
                data.meta.assessment_id.to_string(),
            ],
            vec![
                lang.pick("评估内容哈希", "assessment content hash").into(),
                data.meta.content_hash.clone(),
            ],
            vec![
                lang.pick("模型及哈希", "model and hash").into(),
                // The hash names the model exactly; its file id is for programs, its name for readers.
                format!(
                    "{} v{} {}",
                    lang.name(&model.name),
                    model.version,
                    r.model.hash
                ),
            ],
            vec![
                lang.pick("信访数据快照", "petition-data snapshot").into(),
                match data
                    .inputs
                    .petition_evidence
                    .as_ref()
                    .and_then(|e| e.get("snapshot"))
                {
                    Some(snapshot) => format!("#{snapshot}"),
                    None => lang.pick("未使用", "none used").into(),
                },
            ],
            vec![
                lang.pick("蒙特卡罗模拟", "Monte Carlo simulation").into(),
                format!(
                    "{} {}{sep}{} {}",
                    lang.pick("抽样次数", "draws"),
                    simulation.draws,
                    lang.pick("随机种子", "seed"),
                    simulation.seed
                ),
            ],
            vec![
                lang.pick("评估时间（报告依据）", "assessed at (the report's basis)")
                    .into(),
                data.meta.created_at.to_rfc3339(),
            ],
            vec![
                lang.pick("评估人", "assessed by").into(),
                data.meta.author.clone(),
            ],
        ],
    );
    Ok(())
}

/// Every text of the decision and the factors, to check the fonts cover them.
fn report_texts(data: &ReportData, lang: Lang) -> Vec<String> {
    let d = &data.inputs.decision.fields;
    let mut texts = vec![
        d.title.clone(),
        d.description.clone(),
        d.responsible_unit.clone(),
    ];
    texts.extend(data.result.factors.iter().map(|f| lang.name(&f.name)));
    for r in &data.resolutions {
        texts.extend([r.conditions.clone(), r.author.clone()]);
        texts.extend(r.override_reason.clone());
    }
    for item in &data.inputs.checklist {
        texts.extend(item.owner_unit.clone());
        texts.extend(item.lead_person.clone());
        texts.push(item.evidence_note.clone());
    }
    texts.extend(data.scenarios.iter().filter_map(|s| s.name.clone()));
    texts
}
