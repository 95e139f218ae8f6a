//! The chapters of the standard 稳评 report outline (DESIGN §7), in order.

use super::{Doc, esc};
use crate::reports::charts::Chart;
use crate::reports::fonts;
use crate::reports::{Lang, ReportData, ReportError};
use crate::scoring::GateOutcome;
use crate::scoring::model::Level;

fn n4(x: f64) -> String {
    format!("#{x:.4}")
}

fn level_html(data: &ReportData, lang: Lang, level: Level) -> String {
    format!(
        "<span class=\"level-{}\">{}</span>",
        level.as_str(),
        esc(&lang.level(&data.model, level))
    )
}

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

pub(super) fn write(doc: &mut Doc, data: &ReportData, lang: Lang) -> Result<(), ReportError> {
    let r = &data.result;
    let d = &data.inputs.decision.fields;
    let model = data.model.spec();

    doc.h2(lang.pick("一、基本情况", "1 Basic facts"));
    let affected = format!(
        "{} {} / {} {} / {} {}",
        d.affected.households,
        lang.pick("户", "households"),
        d.affected.people,
        lang.pick("人", "people"),
        d.affected.workers,
        lang.pick("名职工", "workers")
    );
    let regions: Vec<&str> = d.regions.iter().map(|c| c.as_str()).collect();
    doc.table(
        &[lang.pick("项目", "item"), lang.pick("内容", "content")],
        &[
            vec![lang.pick("决策事项", "decision").into(), d.title.clone()],
            vec![lang.pick("类别", "kind").into(), d.kind.as_str().into()],
            vec![
                lang.pick("责任单位", "responsible unit").into(),
                d.responsible_unit.clone(),
            ],
            vec![lang.pick("涉及区域", "regions").into(), regions.join("、")],
            vec![lang.pick("涉及群众", "affected").into(), affected],
            vec![
                lang.pick("投资（元）", "budget (yuan)").into(),
                d.budget_yuan.map(|b| format!("{b}")).unwrap_or_default(),
            ],
            vec![
                lang.pick("计划开工", "planned start").into(),
                d.planned_start.map(|s| s.to_string()).unwrap_or_default(),
            ],
            vec![
                lang.pick("事项说明", "description").into(),
                d.description.clone(),
            ],
        ],
    );

    doc.h2(lang.pick("二、评估依据与方法", "2 Basis and method"));
    doc.p(&format!(
        "{}：{} v{}（{}），SHA-256 {}",
        lang.pick("评估模型", "Model"),
        lang.name(&model.name),
        model.version,
        model.id,
        data.model.hash()
    ));
    for basis in &model.provenance {
        doc.raw(&format!("<p>• {}</p>\n", esc(basis)));
    }
    doc.p(&format!(
        "{index}：R = Σ wᵢ·P(pᵢ)·I(qᵢ)；{low}：R < {m}；{medium}：{m} ≤ R < {h}；{high}：R ≥ {h}。{basis}：{provenance}",
        index = lang.pick("综合风险指数", "Risk index"),
        low = lang.level(&data.model, Level::Low),
        medium = lang.level(&data.model, Level::Medium),
        high = lang.level(&data.model, Level::High),
        m = model.levels.medium,
        h = model.levels.high,
        basis = lang.pick("阈值依据", "thresholds"),
        provenance = model.levels.provenance,
    ));
    doc.p(&format!(
        "{}：{:?}（{}）；{}：{:?}（{}）",
        lang.pick("概率等级分值", "probability grade values"),
        model.grades.probability.values,
        model.grades.probability.provenance,
        lang.pick("影响等级分值", "impact grade values"),
        model.grades.impact.values,
        model.grades.impact.provenance
    ));

    doc.h2(lang.pick(
        "三、调查情况",
        "3 Survey: consultation and petition history",
    ));
    let attrs = &data.inputs.attributes;
    let fact = |name: &str| {
        attrs
            .get(name)
            .map(|v| match v.as_number() {
                Some(n) => format!("{n}"),
                None => format!("{}", v.as_f64() != 0.0),
            })
            .unwrap_or_else(|| lang.pick("（未记录）", "(not recorded)").to_owned())
    };
    doc.table(
        &[
            lang.pick("征求意见", "consultation"),
            lang.pick("记录", "recorded"),
        ],
        &[
            vec![
                lang.pick("公示天数", "public notice days").into(),
                fact("public_notice_days"),
            ],
            vec![
                lang.pick("问卷支持率", "survey support rate").into(),
                fact("support_rate"),
            ],
            vec![
                lang.pick("签约率", "signing rate").into(),
                fact("signing_rate"),
            ],
            vec![
                lang.pick("是否举行听证", "hearing held").into(),
                fact("hearing_held"),
            ],
            vec![
                lang.pick("资金是否到位", "funds in place").into(),
                fact("funds_in_place"),
            ],
        ],
    );
    let indicators: Vec<Vec<String>> = data
        .inputs
        .indicators
        .iter()
        .map(|(f, v)| vec![data.factor_name(f, lang), format!("#{v}")])
        .collect();
    if indicators.is_empty() {
        doc.p(lang.pick(
            "本次评估未使用信访历史指标。",
            "No petition-history indicators were used in this assessment.",
        ));
    } else {
        doc.table(
            &[
                lang.pick("信访指标因素", "petition indicator factor"),
                lang.pick("指标值", "value"),
            ],
            &indicators,
        );
    }

    doc.h2(lang.pick("四、分维度分析", "4 Analysis by dimension"));
    doc.figure(Chart::Radar, 1, data, lang)?;
    let dims: Vec<Vec<String>> = r
        .dimensions
        .iter()
        .map(|dim| {
            vec![
                lang.name(&dim.name),
                n4(dim.weight),
                n4(dim.initial_score),
                n4(dim.initial_normalised.unwrap_or(0.0)),
                n4(dim.residual_score),
                n4(dim.residual_normalised.unwrap_or(0.0)),
            ]
        })
        .collect();
    doc.table(
        &[
            lang.pick("维度", "dimension"),
            lang.pick("权重", "weight"),
            lang.pick("得分", "score"),
            lang.pick("得分/权重", "score/weight"),
            lang.pick("措施后得分", "after measures"),
            lang.pick("措施后得分/权重", "after/weight"),
        ],
        &dims,
    );

    doc.h2(lang.pick("五、风险识别", "5 Risk identification"));
    let identified: Vec<Vec<String>> = r
        .factors
        .iter()
        .enumerate()
        .map(|(i, f)| {
            vec![
                format!("#{}", i + 1),
                lang.name(&f.name),
                f.dimension.clone(),
                format!("{:?}", f.evidence.probability_source).to_lowercase(),
                if f.veto { lang.pick("是", "yes") } else { "" }.into(),
            ]
        })
        .collect();
    doc.table(
        &[
            "#",
            lang.pick("风险因素", "factor"),
            lang.pick("维度", "dimension"),
            lang.pick("概率依据", "probability evidence"),
            lang.pick("否决项", "veto"),
        ],
        &identified,
    );

    doc.h2(lang.pick("六、单因素风险估计", "6 Single-factor estimation"));
    let factors: Vec<Vec<String>> = r
        .factors
        .iter()
        .enumerate()
        .map(|(i, f)| {
            vec![
                format!("#{}", i + 1),
                lang.name(&f.name),
                n4(f.initial.probability.value),
                n4(f.initial.impact.value),
                n4(f.initial.degree),
                n4(f.weight),
                n4(f.initial.contribution),
                lang.level(&data.model, f.initial.level),
                f.expert_count.to_string(),
            ]
        })
        .collect();
    doc.table(
        &[
            "#",
            lang.pick("风险因素", "factor"),
            "P",
            "I",
            "rᵢ",
            "wᵢ",
            "cᵢ",
            lang.pick("等级", "level"),
            lang.pick("专家数", "experts"),
        ],
        &factors,
    );
    doc.figure(Chart::Matrix, 2, data, lang)?;
    doc.figure(Chart::Contributions, 3, data, lang)?;

    doc.h2(lang.pick(
        "七、风险防范化解措施",
        "7 Mitigation measures and checklist",
    ));
    if r.gate.duties.is_empty() {
        doc.p(lang.pick(
            "本次评估未选择防范化解措施。",
            "No mitigation measures were chosen in this assessment.",
        ));
    } else {
        let duties: Vec<Vec<String>> = r
            .gate
            .duties
            .iter()
            .map(|duty| {
                vec![
                    lang.name(&duty.name),
                    duty.factors
                        .iter()
                        .map(|f| data.factor_name(f, lang))
                        .collect::<Vec<_>>()
                        .join("、"),
                    lang.name(&duty.usual_owner),
                    format!("{:?}", duty.phase),
                    lang.pick("待明确", "to be assigned").into(),
                    if duty.level_depends_on_it {
                        lang.pick("是", "yes")
                    } else {
                        lang.pick("否", "no")
                    }
                    .into(),
                ]
            })
            .collect();
        doc.table(
            &[
                lang.pick("措施", "measure"),
                lang.pick("针对因素", "factors"),
                lang.pick("责任单位", "owner"),
                lang.pick("阶段", "phase"),
                lang.pick("完成时限", "deadline"),
                lang.pick("等级依赖", "level depends on it"),
            ],
            &duties,
        );
    }

    doc.h2(lang.pick("八、措施前后风险等级", "8 Level before and after measures"));
    doc.raw(&format!(
        "<table><tr><th></th><th>R</th><th>{}</th></tr><tr><td>{}</td><td class=\"n\">{:.4}</td><td>{}</td></tr><tr><td>{}</td><td class=\"n\">{:.4}</td><td>{}</td></tr></table>\n",
        esc(lang.pick("等级", "level")),
        esc(lang.pick("初始风险", "initial")), r.initial.r, level_html(data, lang, r.initial.level),
        esc(lang.pick("落实措施后", "after measures")), r.residual.outcome.r, level_html(data, lang, r.residual.outcome.level),
    ));
    for veto in &r.initial.veto {
        doc.raw(&format!(
            "<p class=\"warn\">{}：{}</p>\n",
            esc(lang.pick("否决项", "Veto factor")),
            esc(&lang.name(&veto.name))
        ));
    }

    doc.h2(lang.pick("九、评估结论与决策建议", "9 Conclusion and recommendation"));
    let mut gate = format!(
        "<div class=\"gate\"><p><strong>{}</strong></p>",
        esc(gate_words(r.gate.outcome, lang))
    );
    for reason in &r.gate.reasons {
        gate.push_str(&format!("<p>{}</p>", esc(&lang.name(reason))));
    }
    gate.push_str("</div>\n");
    doc.raw(&gate);

    doc.h2(lang.pick("十、应急处置要点", "10 Emergency-plan points"));
    for (zh, en) in EMERGENCY_POINTS {
        doc.raw(&format!("<p>• {}</p>\n", esc(lang.pick(zh, en))));
    }

    doc.h2(lang.pick("附录一　敏感性分析", "Appendix A Sensitivity"));
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
    doc.h2(lang.pick("附录二　评估质量检查", "Appendix B Quality findings"));
    let findings: Vec<Vec<String>> = r
        .quality
        .iter()
        .map(|q| vec![format!("{:?}", q.severity), lang.name(&q.message)])
        .collect();
    doc.table(
        &[lang.pick("级别", "severity"), lang.pick("发现", "finding")],
        &findings,
    );

    doc.h2(lang.pick("附录三　数据来源与可复现性", "Appendix C Data provenance"));
    let missing: String = fonts::fonts()?
        .missing(report_texts(data, lang).iter().map(String::as_str))
        .into_iter()
        .collect();
    if !missing.is_empty() {
        doc.raw(&format!(
            "<p class=\"warn\">{}：{}</p>\n",
            esc(lang.pick(
                "以下字符超出报告字体，可能无法显示",
                "Characters outside the report fonts, which may not display"
            )),
            esc(&missing)
        ));
    }
    doc.raw("<div class=\"provenance\">");
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
    doc.raw("</div>\n");
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
