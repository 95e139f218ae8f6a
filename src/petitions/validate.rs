//! One row of text cells → a [`PetitionRecord`], or every reason it cannot be one.

use chrono::{Duration, NaiveDate};
use uuid::Uuid;

use super::import::RowError;
use super::vocabulary::Vocabulary;
use crate::domain::petition::{Channel, HandlingStatus, PetitionRecord, Satisfaction};
use crate::domain::region::RegionCode;
use crate::domain::text::FORMULA_TRIGGERS;

/// The cells of one row by record field (absent when the file has no such column or the cell is empty).
pub struct RowCells<'a> {
    pub row: usize,
    /// field → (header as the file names it, cell)
    pub cells: Vec<(&'static str, &'a str, Option<&'a str>)>,
}

impl<'a> RowCells<'a> {
    fn get(&self, field: &str) -> Option<(&'a str, &'a str)> {
        self.cells
            .iter()
            .find(|(f, _, _)| *f == field)
            .and_then(|(_, h, v)| v.map(|v| (*h, v.trim())))
            .filter(|(_, v)| !v.is_empty())
    }

    pub fn header(&self, field: &str) -> String {
        self.cells
            .iter()
            .find(|(f, _, _)| *f == field)
            .map(|(_, h, _)| (*h).to_owned())
            .unwrap_or_else(|| field.to_owned())
    }
}

/// Dates as county systems spell them: 2024-03-05, 2024/3/5, 2024年3月5日, 20240305, 2024.03.05.
pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    let s = raw.trim();
    let not_a_date = || "not a date (expected e.g. 2024-03-05)".to_owned();
    let (y, m, d) = if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        (&s[..4], &s[4..6], &s[6..])
    } else {
        let mut parts = s.trim_end_matches('日').split(['-', '/', '.', '年', '月']);
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(y), Some(m), Some(d), None) => (y, m, d),
            _ => return Err(not_a_date()),
        }
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(not_a_date());
    };
    NaiveDate::from_ymd_opt(y, m, d)
        .filter(|_| (1949..=9999).contains(&y))
        .ok_or_else(|| format!("no such day: {y}-{m:02}-{d:02}"))
}

/// 是/否, Y/N, 1/0, true/false.
pub fn parse_flag(raw: &str) -> Result<bool, String> {
    let s = raw.trim();
    let any = |names: &[&str]| names.iter().any(|n| n.eq_ignore_ascii_case(s));
    if any(&["是", "y", "yes", "1", "true", "t"]) {
        Ok(true)
    } else if any(&["否", "n", "no", "0", "false", "f"]) {
        Ok(false)
    } else {
        Err("not a yes/no value (是/否, Y/N, 1/0, true/false)".into())
    }
}

struct Check<'r, 'a> {
    cells: &'r RowCells<'a>,
    errors: &'r mut Vec<RowError>,
}

impl<'a> Check<'_, 'a> {
    fn fail(&mut self, field: &str, value: &str, reason: impl Into<String>) {
        self.errors.push(RowError {
            row: self.cells.row,
            column: self.cells.header(field),
            value: value.chars().take(100).collect(),
            reason: reason.into(),
        });
    }

    fn required(&mut self, field: &str) -> Option<&'a str> {
        let got = self.cells.get(field).map(|(_, v)| v);
        if got.is_none() {
            self.fail(field, "", "required, but empty");
        }
        got
    }

    fn parsed<T>(
        &mut self,
        field: &str,
        value: Option<&str>,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let value = value?;
        match parse(value) {
            Ok(v) => Some(v),
            Err(reason) => {
                self.fail(field, value, reason);
                None
            }
        }
    }
}

/// Validates one row; every problem is pushed onto `errors`, and a record comes back only when there is none.
pub fn validate_row(
    cells: &RowCells<'_>,
    vocabulary: &Vocabulary,
    today: NaiveDate,
    errors: &mut Vec<RowError>,
) -> Option<PetitionRecord> {
    let before = errors.len();
    let mut c = Check { cells, errors };
    let source_id = c.required("source_id").map(str::to_owned);
    if let Some(id) = &source_id {
        if id.chars().count() > 64 {
            c.fail("source_id", id, "longer than 64 characters");
        }
        // A real source id never begins so; stored, it would reach every spreadsheet that lists it as a formula.
        if id.starts_with(FORMULA_TRIGGERS) {
            c.fail(
                "source_id",
                id,
                "begins with =, +, - or @, which a spreadsheet program runs as a formula; a source id never does",
            );
        }
    }
    let received = c.required("received_on");
    let received_on = c.parsed("received_on", received, |v| {
        let d = parse_date(v)?;
        if d > today {
            Err(format!("{d} is in the future"))
        } else {
            Ok(d)
        }
    });
    let channel = c.required("channel");
    let channel = c.parsed("channel", channel, |v| {
        vocabulary
            .channels
            .canonical(v)
            .and_then(Channel::parse)
            .ok_or_else(|| "unknown channel".into())
    });
    let region = c.required("region_code");
    let region_code = c.parsed("region_code", region, |v| {
        RegionCode::parse(v).map(RegionCode::into_string)
    });
    let category_raw = c.required("category").map(str::to_owned);
    let category = c.parsed("category", category_raw.as_deref(), |v| {
        vocabulary
            .categories
            .canonical(v)
            .map(str::to_owned)
            .ok_or_else(|| "unknown category: add it to the synonyms table".into())
    });
    let headcount = c.required("headcount");
    let max = vocabulary.max_headcount;
    let headcount = c.parsed("headcount", headcount, |v| match v.parse::<i64>() {
        Ok(n) if n < 1 => Err(format!("{n} people: at least 1")),
        Ok(n) if n > i64::from(max) => Err(format!("{n} people is implausible (more than {max})")),
        Ok(n) => Ok(n as i32),
        Err(_) => Err("not a whole number of people".into()),
    });
    let flag = |c: &mut Check, field: &str| {
        let value = c.cells.get(field).map(|(_, v)| v);
        c.parsed(field, value, parse_flag)
    };
    let collective = flag(&mut c, "collective");
    let repeated = flag(&mut c, "repeated").unwrap_or(false);
    let escalated = flag(&mut c, "escalated").unwrap_or(false);
    let status = c.required("status");
    let status = c.parsed("status", status, |v| {
        vocabulary
            .statuses
            .canonical(v)
            .and_then(HandlingStatus::parse)
            .ok_or_else(|| "unknown handling status".into())
    });
    let due = c.cells.get("due_on").map(|(_, v)| v);
    let due_on = c.parsed("due_on", due, parse_date);
    let concluded = c.cells.get("concluded_on").map(|(_, v)| v);
    let concluded_on = c.parsed("concluded_on", concluded, |v| {
        let d = parse_date(v)?;
        match received_on {
            Some(r) if d < r => Err(format!("concluded {d} before it was received ({r})")),
            _ if d > today => Err(format!("{d} is in the future")),
            _ => Ok(d),
        }
    });
    let satisfaction = c.cells.get("satisfaction").map(|(_, v)| v);
    let satisfaction = match satisfaction {
        None => Some(Satisfaction::Unknown),
        value => c.parsed("satisfaction", value, |v| {
            vocabulary
                .satisfaction
                .canonical(v)
                .and_then(Satisfaction::parse)
                .ok_or_else(|| "unknown satisfaction grade".into())
        }),
    };
    let decision = c.cells.get("decision_id").map(|(_, v)| v);
    let decision_id = c.parsed("decision_id", decision, |v| {
        Uuid::parse_str(v).map_err(|_| "not a decision id (UUID)".into())
    });
    if errors.len() > before {
        return None;
    }
    let (source_id, received_on, channel, region_code, category, headcount, status, satisfaction) = (
        source_id?,
        received_on?,
        channel?,
        region_code?,
        category?,
        headcount?,
        status?,
        satisfaction?,
    );
    let due = due_on.unwrap_or(received_on + Duration::days(vocabulary.default_due_days));
    let overdue = match concluded_on {
        Some(done) => done > due,
        None => !status.is_finished() && today > due,
    };
    let category_raw = category_raw.unwrap_or_default();
    Some(PetitionRecord {
        subcategory: (category_raw != category).then_some(category_raw),
        source_id,
        received_on,
        channel,
        region_code,
        category,
        headcount,
        collective: collective.unwrap_or(headcount >= vocabulary.collective_headcount),
        repeated,
        escalated,
        status,
        due_on,
        concluded_on,
        satisfaction,
        overdue,
        decision_id,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reads_the_five_date_spellings_and_refuses_impossible_days() {
        let want = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        for s in [
            "2024-03-05",
            "2024/3/5",
            "2024年3月5日",
            "20240305",
            "2024.03.05",
        ] {
            assert_eq!(parse_date(s).unwrap(), want, "{s}");
        }
        assert!(
            parse_date("2023-02-30")
                .unwrap_err()
                .contains("no such day")
        );
        assert!(parse_date("yesterday").is_err());
    }

    #[test]
    fn flags_accept_the_usual_spellings_only() {
        for (s, v) in [
            ("是", true),
            ("否", false),
            ("Y", true),
            ("n", false),
            ("1", true),
            ("false", false),
        ] {
            assert_eq!(parse_flag(s).unwrap(), v);
        }
        assert!(parse_flag("maybe").is_err());
    }
}
