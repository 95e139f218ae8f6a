//! Chapter 9 onwards: the recommendation in the committee's words, emergency-plan points,
//! appendices (sensitivity, quality findings, provenance).

use super::{ReportWriter, n4};
use crate::reports::charts::Chart;
use crate::reports::fonts;
use crate::reports::{Lang, ReportData, ReportError};
use crate::scoring::GateOutcome;

/// The gate's outcome in the words a committee uses.
fn gate_words(outcome: GateOutcome, lang: Lang) -> &'static str {
    match outcome {
        GateOutcome::NotApproved => lang.pick("不予审批（核准）。", "Not to be approved."),
        GateOutcome::ApprovableWithControls => lang.pick(
            "可予审批，须落实可靠的风险防范措施，审批文件应列明下列责任。",
            "Approvable with reliable controls; the approval must list the duties below.",
        ),
        GateOutcome::DoNotImplement => lang.pick(
            "不予实施；应调整方案后重新评估。",
            "Do not implement; redesign the decision and reassess.",
        ),
        GateOutcome::ImplementAfterMitigation => lang.pick(
            "在防范化解措施落实到位后方可实施。",
            "Implement only after the mitigation plan is in place.",
        ),
        GateOutcome::MayImplement => lang.pick(
            "可以实施，并妥善处理合理诉求。",
            "May implement; handle reasonable demands.",
        ),
    }
}

/// Emergency-plan points common to every kind of decision (DOMAIN: measures across all kinds).
const EMERGENCY_POINTS: [(&str, &str); 6] = [
    (
        "设立信访接待点，开展人民调解，及时就地化解矛盾。",
        "Open a petition reception point and people's mediation on site.",
    ),
    (
        "建立责任矩阵：明确牵头领导、责任部门和完成时限。",
        "Set a responsibility matrix: lead official, department, deadline.",
    ),
    (
        "制定应急预案，明确信息报送渠道和处置流程。",
        "Keep an emergency plan with an information reporting line.",
    ),
    (
        "制定舆情应对方案，及时发布权威信息。",
        "Prepare a media plan and publish authoritative information early.",
    ),
    (
        "群体性事件苗头出现时，第一时间报告并启动预案。",
        "Report at once and start the plan when signs of a mass incident appear.",
    ),
    (
        "实施后持续跟踪监测信访和社会反应。",
        "Monitor petitions and public reaction after implementation.",
    ),
];

pub(super) fn write(
    doc: &mut impl ReportWriter,
    data: &ReportData,
    lang: Lang,
) -> Result<(), ReportError> {
    let r = &data.result;
    let model = data.model.spec();

    doc.heading(lang.pick("九、评估结论与决策建议", "9 Conclusion and recommendation"));
    let mut gate = vec![gate_words(r.gate.outcome, lang).to_owned()];
    gate.extend(r.gate.reasons.iter().map(|reason| lang.name(reason)));
    doc.framed(&gate, false);

    doc.heading(lang.pick("十、应急处置要点", "10 Emergency-plan points"));
    for (zh, en) in EMERGENCY_POINTS {
        doc.bullet(lang.pick(zh, en));
    }

    doc.heading(lang.pick("附录一　敏感性分析", "Appendix A Sensitivity"));
    doc.figure(Chart::Tornado, 4, data, lang)?;
    let bars: Vec<Vec<String>> = data
        .tornado
        .iter()
        .map(|b| {
            vec![
                data.factor_name(&b.factor, lang),
                n4(b.r_lower),
                n4(b.r_higher),
                n4(b.swing),
            ]
        })
        .collect();
    doc.table(
        &[
            lang.pick("风险因素", "factor"),
            lang.pick("概率降一级 R", "R, one grade lower"),
            lang.pick("概率升一级 R", "R, one grade higher"),
            lang.pick("摆幅", "swing"),
        ],
        &bars,
    );
    doc.heading(lang.pick("附录二　评估质量检查", "Appendix B Quality findings"));
    let findings: Vec<Vec<String>> = r
        .quality
        .iter()
        .map(|q| vec![format!("{:?}", q.severity), lang.name(&q.message)])
        .collect();
    doc.table(
        &[lang.pick("级别", "severity"), lang.pick("发现", "finding")],
        &findings,
    );

    doc.heading(lang.pick("附录三　数据来源与可复现性", "Appendix C Data provenance"));
    let missing: String = fonts::fonts()?
        .missing(report_texts(data, lang).iter().map(String::as_str))
        .into_iter()
        .collect();
    if !missing.is_empty() {
        let note = lang.pick(
            "以下字符超出报告字体，可能无法显示",
            "Characters outside the report fonts, which may not display",
        );
        doc.framed(&[format!("{note}：{missing}")], true);
    }
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
                format!("{} v{} {}", r.model.id, model.version, r.model.hash),
            ],
            vec![
                lang.pick("信访数据快照", "petition-data snapshot").into(),
                if data.inputs.indicators.is_empty() {
                    lang.pick("未使用", "none used").into()
                } else {
                    format!("{:?}", data.inputs.indicators)
                },
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
    texts
}
