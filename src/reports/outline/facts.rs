//! Chapters 1–3: basic facts, basis and method, survey (consultation and petition history).

use super::ReportWriter;
use crate::reports::{Lang, ReportData, ReportError};
use crate::scoring::model::Level;

pub(super) fn write(
    doc: &mut impl ReportWriter,
    data: &ReportData,
    lang: Lang,
) -> Result<(), ReportError> {
    let d = &data.inputs.decision.fields;
    let model = data.model.spec();

    doc.heading(lang.pick("一、基本情况", "1 Basic facts"));
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

    doc.heading(lang.pick("二、评估依据与方法", "2 Basis and method"));
    doc.paragraph(&format!(
        "{}：{} v{}（{}），SHA-256 {}",
        lang.pick("评估模型", "Model"),
        lang.name(&model.name),
        model.version,
        model.id,
        data.model.hash()
    ));
    for basis in &model.provenance {
        doc.bullet(basis);
    }
    doc.paragraph(&format!(
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
    doc.paragraph(&format!(
        "{}：{:?}（{}）；{}：{:?}（{}）",
        lang.pick("概率等级分值", "probability grade values"),
        model.grades.probability.values,
        model.grades.probability.provenance,
        lang.pick("影响等级分值", "impact grade values"),
        model.grades.impact.values,
        model.grades.impact.provenance
    ));

    doc.heading(lang.pick(
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
        doc.paragraph(lang.pick(
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
    super::petitions::write(doc, data, lang)
}
