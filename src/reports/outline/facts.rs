//! Chapters 1–3: basic facts, basis and method, survey (consultation and petition history).

use super::ReportWriter;
use crate::reports::labels::Group;
use crate::reports::{Lang, ReportData, ReportError};
use crate::scoring::model::{EvidenceRule, Level};

/// The attributes chapter 3 lists: the consultation facts first, then every attribute the model
/// reads, then any other the decision recorded.
fn surveyed_attributes(data: &ReportData) -> Vec<String> {
    let mut names: Vec<String> = ["public_notice_days", "support_rate", "hearing_held"]
        .map(str::to_owned)
        .to_vec();
    let read = data.model.attributes_read().into_iter().map(str::to_owned);
    for name in read.chain(data.inputs.attributes.keys().cloned()) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The indicator a factor's evidence rule reads (petition or ledger), with its label group.
fn indicator_of(data: &ReportData, factor: &str) -> Option<(Group, &'static str)> {
    data.model
        .spec()
        .factors
        .iter()
        .find(|f| f.id == factor)
        .and_then(|f| match &f.evidence {
            EvidenceRule::Petition(p) => Some((Group::PetitionIndicators, p.indicator.name())),
            EvidenceRule::Ledger(l) => Some((Group::LedgerIndicators, l.indicator.name())),
            _ => None,
        })
}

pub(super) fn write(
    doc: &mut impl ReportWriter,
    data: &ReportData,
    lang: Lang,
) -> Result<(), ReportError> {
    let d = &data.inputs.decision.fields;
    let model = data.model.spec();

    doc.heading(lang.pick("一、基本情况", "1 Basic facts"));
    let affected = [
        lang.count("households", f64::from(d.affected.households)),
        lang.count("people", f64::from(d.affected.people)),
        lang.count("workers", f64::from(d.affected.workers)),
    ]
    .join(" / ");
    let regions: Vec<&str> = d.regions.iter().map(|c| c.as_str()).collect();
    doc.table(
        &[lang.pick("项目", "item"), lang.pick("内容", "content")],
        &[
            vec![lang.pick("决策事项", "decision").into(), d.title.clone()],
            vec![
                lang.pick("类别", "kind").into(),
                lang.word_of(Group::DecisionKinds, &d.kind),
            ],
            vec![
                lang.pick("责任单位", "responsible unit").into(),
                d.responsible_unit.clone(),
            ],
            vec![lang.pick("涉及区域", "regions").into(), lang.list(&regions)],
            vec![lang.pick("涉及群众", "affected").into(), affected],
            vec![
                lang.pick("投资", "budget").into(),
                d.budget_yuan.map(|b| lang.money(b)).unwrap_or_default(),
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
    let colon = lang.colon();
    doc.paragraph(&format!(
        "{model_word}{colon}{name} v{version}{sep}SHA-256 {hash}{sep}{method_word}{colon}{method}",
        model_word = lang.pick("评估模型", "Model"),
        name = lang.name(&model.name),
        version = model.version,
        sep = lang.pick("，", ", "),
        hash = data.model.hash(),
        method_word = lang.pick("评估方法", "method"),
        method = lang.word_of(Group::Methods, &model.method),
    ));
    for basis in &model.provenance {
        doc.bullet(&lang.provenance(basis));
    }
    let semi = lang.pick("；", "; ");
    doc.paragraph(&format!(
        "{index}{colon}R = Σ wᵢ·P(pᵢ)·I(qᵢ){semi}{low}{colon}R < {m}{semi}{medium}{colon}{m} ≤ R < {h}{semi}{high}{colon}R ≥ {h}{stop}{basis}{colon}{provenance}",
        index = lang.pick("综合风险指数", "Risk index"),
        low = lang.level(&data.model, Level::Low),
        medium = lang.level(&data.model, Level::Medium),
        high = lang.level(&data.model, Level::High),
        m = model.levels.medium,
        h = model.levels.high,
        stop = lang.pick("。", ". "),
        basis = lang.pick("阈值依据", "Thresholds"),
        provenance = lang.provenance(&model.levels.provenance),
    ));
    doc.paragraph(&format!(
        "{}{colon}{:?}{}{semi}{}{colon}{:?}{}",
        lang.pick("概率等级分值", "Probability grade values"),
        model.grades.probability.values,
        lang.bracket(&lang.provenance(&model.grades.probability.provenance)),
        lang.pick("影响等级分值", "impact grade values"),
        model.grades.impact.values,
        lang.bracket(&lang.provenance(&model.grades.impact.provenance)),
    ));

    doc.heading(lang.pick(
        "三、调查情况",
        "3 Survey: consultation and petition history",
    ));
    super::consultations::write(doc, data, lang);
    let attrs = &data.inputs.attributes;
    let surveyed: Vec<Vec<String>> = surveyed_attributes(data)
        .into_iter()
        .map(|name| {
            let value = attrs
                .get(&name)
                .map(|v| lang.attribute_value(&name, *v))
                .unwrap_or_else(|| lang.pick("（未记录）", "(not recorded)").to_owned());
            let source = if attrs.contains_key(&name) {
                super::consultations::source_of(data, &name, lang)
            } else {
                String::new()
            };
            vec![lang.word(Group::Attributes, &name), value, source]
        })
        .collect();
    doc.table(
        &[
            lang.pick("征求意见与决策属性", "consultation and decision facts"),
            lang.pick("记录", "recorded"),
            lang.pick("来源", "source"),
        ],
        &surveyed,
    );
    super::concerns::write(doc, data, lang);
    let indicators: Vec<Vec<String>> = data
        .inputs
        .indicators
        .iter()
        .map(|(f, v)| {
            let indicator = indicator_of(data, f);
            vec![
                data.factor_name(f, lang),
                indicator.map(|(g, i)| lang.word(g, i)).unwrap_or_default(),
                format!(
                    "#{}",
                    match indicator {
                        Some((Group::LedgerIndicators, i)) => lang.ledger_value(i, *v),
                        Some((_, i)) => lang.indicator_value(i, *v),
                        None => crate::reports::numbers::decimal(*v, 4),
                    }
                ),
            ]
        })
        .collect();
    if indicators.is_empty() {
        doc.paragraph(lang.pick(
            "本次评估未使用信访或民情台账指标。",
            "No petition or concern-ledger indicators were used in this assessment.",
        ));
    } else {
        doc.table(
            &[
                lang.pick(
                    "信访与民情台账指标因素",
                    "petition and ledger indicator factor",
                ),
                lang.pick("指标", "indicator"),
                lang.pick("指标值", "value"),
            ],
            &indicators,
        );
    }
    super::petitions::write(doc, data, lang)
}
