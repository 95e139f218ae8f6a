//! Numbers as a reader reads them: money in 万元 (Chinese) or yuan (English) with thousands
//! separators, shares as percentages, counts with their unit, attribute and petition-indicator
//! values by the unit assets/labels.toml gives them.

use super::Lang;
use super::labels::{Group, Unit, label};
use crate::domain::attributes::AttributeValue;
use crate::scoring::assessment::{EvidenceSource, EvidenceUsed};

/// `x` with at most `places` decimals (trailing zeros dropped) and thousands separators.
pub fn decimal(x: f64, places: usize) -> String {
    let fixed = format!("{:.*}", places, x.abs());
    let (whole, fraction) = match fixed.split_once('.') {
        Some((w, f)) => (w, f.trim_end_matches('0')),
        None => (fixed.as_str(), ""),
    };
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if x < 0.0 && (whole != "0" || !fraction.is_empty()) {
        "-"
    } else {
        ""
    };
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    }
}

/// 0.62 → "62%", 0.625 → "62.5%".
pub fn percent(share: f64) -> String {
    format!("{}%", decimal(share * 100.0, 1))
}

impl Lang {
    /// A sum of money given in yuan: 180000000 → "18,000 万元" / "180,000,000 yuan".
    pub fn money(self, yuan: f64) -> String {
        let n = match self {
            Lang::Zh => decimal(yuan / 10_000.0, 4),
            Lang::En => decimal(yuan, 2),
        };
        self.fill(Group::Units, "money", &[("n", &n)])
    }

    /// A count with its unit (`days`, `people`, `households` …): "30 天" / "30 days".
    pub fn count(self, unit: &str, n: f64) -> String {
        self.fill(Group::Units, unit, &[("n", &decimal(n, 1))])
    }

    fn by_unit(self, unit: Option<Unit>, value: f64) -> String {
        match unit {
            Some(Unit::Share) => percent(value),
            Some(Unit::Ratio) => decimal(value, 2),
            Some(Unit::Days) => self.count("days", value),
            Some(Unit::Months) => self.count("months", value),
            Some(Unit::People) => self.count("people", value),
            Some(Unit::Petitions) => self.count("petitions", value),
            Some(Unit::Concerns) => self.count("concerns", value),
            Some(Unit::Flag) => self.yes_no(value != 0.0),
            None => decimal(value, 4),
        }
    }

    /// A decision attribute's value: "62%", "30 天", "是" …
    pub fn attribute_value(self, name: &str, value: AttributeValue) -> String {
        match value {
            AttributeValue::Flag(flag) => self.yes_no(flag),
            AttributeValue::Number(n) => {
                self.by_unit(label(Group::Attributes, name).and_then(|l| l.unit), n)
            }
        }
    }

    /// A petition indicator's value: "1.25", "30%", "3 件" …
    pub fn indicator_value(self, indicator: &str, value: f64) -> String {
        self.by_unit(
            label(Group::PetitionIndicators, indicator).and_then(|l| l.unit),
            value,
        )
    }

    /// A ledger indicator's value: "12.5%".
    pub fn ledger_value(self, indicator: &str, value: f64) -> String {
        self.by_unit(
            label(Group::LedgerIndicators, indicator).and_then(|l| l.unit),
            value,
        )
    }

    /// What a factor's probability was read from, named and formatted: "签约率 85%", "重复信访占比 30%".
    /// `None` when the probability came from the experts or was stated.
    pub fn evidence_reading(self, e: &EvidenceUsed) -> Option<String> {
        match (e.probability_source, &e.name, e.raw_value) {
            (EvidenceSource::Attribute, Some(name), Some(raw)) => Some(format!(
                "{} {}",
                self.word(Group::Attributes, name),
                self.attribute_value(name, AttributeValue::Number(raw))
            )),
            (EvidenceSource::Petition, Some(name), Some(raw)) => Some(format!(
                "{} {}",
                self.word(Group::PetitionIndicators, name),
                self.indicator_value(name, raw)
            )),
            (EvidenceSource::Ledger, Some(name), Some(raw)) => Some(format!(
                "{} {}",
                self.word(Group::LedgerIndicators, name),
                self.ledger_value(name, raw)
            )),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_in_wan_yuan_in_chinese_and_in_yuan_in_english() {
        assert_eq!(Lang::Zh.money(180_000_000.0), "18,000 万元");
        assert_eq!(Lang::En.money(180_000_000.0), "180,000,000 yuan");
        assert_eq!(Lang::Zh.money(12_345_678.0), "1,234.5678 万元");
        assert_eq!(Lang::Zh.money(5_000.0), "0.5 万元");
        assert_eq!(Lang::En.money(1_234.5), "1,234.5 yuan");
        assert_eq!(Lang::En.money(0.0), "0 yuan");
    }

    #[test]
    fn shares_are_percentages_and_counts_carry_their_unit() {
        assert_eq!(percent(0.62), "62%");
        assert_eq!(percent(0.625), "62.5%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(decimal(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(decimal(-0.5, 2), "-0.5");
        assert_eq!(decimal(999.999, 2), "1,000");
        assert_eq!(Lang::Zh.count("days", 30.0), "30 天");
        assert_eq!(Lang::En.count("months", 3.0), "3 months");
        let n = AttributeValue::Number;
        assert_eq!(Lang::Zh.attribute_value("support_rate", n(0.62)), "62%");
        assert_eq!(
            Lang::Zh.attribute_value("public_notice_days", n(30.0)),
            "30 天"
        );
        assert_eq!(Lang::Zh.attribute_value("arrears_months", n(2.0)), "2 个月");
        assert_eq!(
            Lang::En.attribute_value("compensation_ratio", n(0.925)),
            "0.93"
        );
        assert_eq!(
            Lang::Zh.attribute_value("hearing_held", AttributeValue::Flag(false)),
            "否"
        );
        assert_eq!(Lang::En.attribute_value("funds_in_place", n(1.0)), "yes");
        assert_eq!(Lang::Zh.indicator_value("repeat_share", 0.3), "30%");
        assert_eq!(Lang::Zh.indicator_value("collective_count", 4.0), "4 件");
    }
}
