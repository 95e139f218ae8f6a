//! Chapter 3's petition history: the monthly petitions in the decision's regions by category, as
//! read when the assessment was made.

use super::ReportWriter;
use crate::reports::charts::Chart;
use crate::reports::{Lang, ReportData, ReportError};

pub(super) fn write(
    doc: &mut impl ReportWriter,
    data: &ReportData,
    lang: Lang,
) -> Result<(), ReportError> {
    let trend = &data.petition_trend;
    let (Some(first), Some(last)) = (trend.first(), trend.last()) else {
        doc.paragraph(lang.pick(
            "本次评估未读取信访数据，无信访趋势图。",
            "This assessment read no petition data; there is no petition trend.",
        ));
        return Ok(());
    };
    doc.paragraph(&format!(
        "{} {}–{}{}{}",
        lang.pick("信访趋势", "Petition trend"),
        first.month,
        last.month,
        lang.colon(),
        lang.pick(
            "决策涉及区域内逐月信访件数（按类别）。",
            "petitions per month in the decision's regions, by category.",
        )
    ));
    doc.figure(Chart::Petitions, data, lang)?;
    let categories = data.petition_categories();
    let names: Vec<String> = categories.iter().map(|c| lang.category(c)).collect();
    let mut header: Vec<&str> = vec![lang.pick("月份", "month")];
    header.extend(names.iter().map(String::as_str));
    header.push(lang.pick("合计", "total"));
    let rows: Vec<Vec<String>> = trend
        .iter()
        .map(|m| {
            let mut row = vec![m.month.clone()];
            row.extend(
                categories
                    .iter()
                    .map(|c| format!("#{}", m.by_category.get(c).copied().unwrap_or(0))),
            );
            row.push(format!("#{}", m.petitions));
            row
        })
        .collect();
    doc.table(&header, &rows);
    Ok(())
}
