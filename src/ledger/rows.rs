//! One row of a ledger → what was registered and how far the loop had come, or every reason it cannot be.
//! A row may stand at any state of the loop; it must then hold what the steps up to that state write (an
//! answered concern its answer, a closed one the call-back's verdict …) and nothing a later step writes.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use uuid::Uuid;

use super::columns::Column;
use super::sheet::SheetRow;
use super::vocabulary::ConcernVocabulary;
use crate::domain::FieldError;
use crate::domain::concern::{ConcernFields, ConcernState, Resident, Satisfaction};
use crate::domain::region::RegionCode;
use crate::domain::text::{FORMULA_TRIGGERS, check_line, check_text};
use crate::petitions::validate::parse_date;

/// One problem with one cell of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub column: Column,
    /// The cell as the file has it (shortened).
    pub value: String,
    pub message: String,
}

impl CellError {
    pub fn new(column: Column, value: &str, message: impl Into<String>) -> Self {
        Self {
            column,
            value: value.chars().take(100).collect(),
            message: message.into(),
        }
    }
}

/// How far the loop had come when the ledger was written: the fields its steps set.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub state: ConcernState,
    pub office: Option<String>,
    pub handler: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub adopted_measure: Option<String>,
    pub satisfaction: Option<Satisfaction>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Why it was sent back or reopened, or closed with the resident dissatisfied.
    pub reason: Option<String>,
}

/// One valid row.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerEntry {
    pub fields: ConcernFields,
    pub progress: Progress,
}

const MAX_LINE_CHARS: usize = 200;
const MAX_TEXT_CHARS: usize = 10_000;
/// How far ahead of the server's clock a time may be (a PC's clock a little fast).
const CLOCK_SLACK_MINUTES: i64 = 5;

/// A moment as ledgers write it: a day with or without its time of day (2025-03-05 09:30, 2025/3/5 9:30:00,
/// 2025年3月5日), or RFC 3339 with its zone. Without a zone it is local time at `offset`. A bare day is read
/// at noon, so it falls on the same day in UTC and in local time (the month it is counted in, the days to
/// close).
pub fn parse_moment(raw: &str, offset: FixedOffset) -> Result<DateTime<Utc>, String> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let (day, time) = match s.split_once([' ', 'T']) {
        Some((day, time)) => (day, Some(time.trim())),
        None => (s, None),
    };
    let day = parse_date(day)?;
    let time = match time {
        None => NaiveTime::from_hms_opt(12, 0, 0).unwrap_or(NaiveTime::MIN),
        Some(t) => NaiveTime::parse_from_str(t, "%H:%M:%S")
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
            .map_err(|_| format!("'{t}' is not a time of day (expected e.g. 09:30)"))?,
    };
    offset
        .from_local_datetime(&day.and_time(time))
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("{day} {time} is not a time at UTC{offset}"))
}

/// A day, also when written with a time of day (2025-03-12 17:00).
fn parse_day(raw: &str) -> Result<NaiveDate, String> {
    parse_date(raw.trim().split([' ', 'T']).next().unwrap_or_default())
}

/// The row's cells and the errors found in them so far.
struct Cells<'r> {
    row: &'r SheetRow,
    errors: Vec<CellError>,
}

impl<'r> Cells<'r> {
    fn text(&self, column: Column) -> Option<&'r str> {
        self.row.get(column)
    }

    fn fail(&mut self, column: Column, message: impl Into<String>) {
        let value = self.text(column).unwrap_or_default();
        self.errors.push(CellError::new(column, value, message));
    }

    fn required(&mut self, column: Column) -> Option<&'r str> {
        let found = self.text(column);
        if found.is_none() {
            self.fail(column, "required, but empty");
        }
        found
    }

    /// The cell parsed; `None` when it is empty or does not parse (then the error is noted).
    fn parsed<T>(
        &mut self,
        column: Column,
        parse: impl FnOnce(&'r str) -> Result<T, String>,
    ) -> Option<T> {
        let value = self.text(column)?;
        parse(value).map_err(|m| self.fail(column, m)).ok()
    }

    /// A word of the vocabulary; the message lists the words known.
    fn word<T>(
        &mut self,
        column: Column,
        table: &std::collections::BTreeMap<String, Vec<String>>,
        find: impl FnOnce(&str) -> Option<T>,
    ) -> Option<T> {
        self.parsed(column, |v| {
            find(v).ok_or_else(|| {
                let known: Vec<&str> = table
                    .values()
                    .filter_map(|names| names.first().map(String::as_str))
                    .collect();
                format!(
                    "not a {} of the concern vocabulary ({}); a township's own word is added to \
                     assets/concern-vocabulary.toml",
                    column.as_str().replace('_', " "),
                    known.join("、")
                )
            })
        })
    }
}

/// The column a field error of [`ConcernFields::validate`] or of the text checks names.
fn column_of(field: &str) -> Column {
    match field {
        "received_at" => Column::ReceivedAt,
        "region" => Column::RegionCode,
        "topic" => Column::Topic,
        "content" => Column::Content,
        "resident.name" => Column::ResidentName,
        "resident.phone" => Column::ResidentPhone,
        f if f.starts_with("decisions") => Column::DecisionId,
        f => Column::parse(f).unwrap_or(Column::Number),
    }
}

/// Reads one row as of `now`.
pub fn read_row(
    row: &SheetRow,
    vocabulary: &ConcernVocabulary,
    now: DateTime<Utc>,
) -> Result<LedgerEntry, Vec<CellError>> {
    let offset = vocabulary.local_offset();
    let mut c = Cells {
        row,
        errors: Vec::new(),
    };
    let number = c.required(Column::Number);
    // A number is an id, never a formula; stored, it would reach every spreadsheet that lists it.
    if number.is_some_and(|n| n.starts_with(FORMULA_TRIGGERS)) {
        c.fail(
            Column::Number,
            "begins with =, +, - or @, which a spreadsheet program runs as a formula; a ledger number never does",
        );
    }
    c.required(Column::Channel);
    let channel = c.word(Column::Channel, &vocabulary.channels, |v| {
        vocabulary.channel(v)
    });
    c.required(Column::ReceivedAt);
    let received_at = c.parsed(Column::ReceivedAt, |v| parse_moment(v, offset));
    c.required(Column::RegionCode);
    let region = c.parsed(Column::RegionCode, RegionCode::parse);
    c.required(Column::Topic);
    let topic = c.word(Column::Topic, &vocabulary.topics, |v| {
        vocabulary.topic(v).map(str::to_owned)
    });
    let content = c.required(Column::Content);
    let resident = resident(&mut c);
    let decisions = c
        .parsed(Column::DecisionId, decision_ids)
        .unwrap_or_default();
    let progress = progress(&mut c, vocabulary, received_at, now);
    let (
        Some(number),
        Some(channel),
        Some(received_at),
        Some(region),
        Some(topic),
        Some(content),
        Some(progress),
    ) = (
        number,
        channel,
        received_at,
        region,
        topic,
        content,
        progress,
    )
    else {
        return Err(c.errors);
    };
    let fields = ConcernFields {
        number: Some(number.to_owned()),
        channel,
        received_at,
        region,
        topic,
        content: content.to_owned(),
        resident,
        decisions,
    };
    if let Err(found) = fields.validate(now, |t| vocabulary.knows_topic(t)) {
        for FieldError { field, message } in found.0 {
            c.fail(column_of(&field), message);
        }
    }
    if c.errors.is_empty() {
        Ok(LedgerEntry { fields, progress })
    } else {
        Err(c.errors)
    }
}

/// The resident's name and phone; `None` when both are empty (anonymous). A masked value, as wenping's export
/// writes it, is refused: the person cannot be recovered from it.
fn resident(c: &mut Cells<'_>) -> Option<Resident> {
    let mut unmasked = |column: Column| {
        let value = c.text(column)?;
        if value.contains('*') {
            c.fail(
                column,
                "masked (as an export writes it): the resident cannot be recovered from it; leave the cell empty \
                 or write it in full",
            );
            return None;
        }
        Some(value.to_owned())
    };
    let resident = Resident {
        name: unmasked(Column::ResidentName),
        phone: unmasked(Column::ResidentPhone),
    };
    (!resident.is_empty()).then_some(resident)
}

/// Decision ids separated by commas, semicolons, 、 or spaces.
fn decision_ids(raw: &str) -> Result<Vec<Uuid>, String> {
    raw.split([',', ';', '，', '；', '、', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            Uuid::parse_str(s).map_err(|_| {
                format!(
                    "'{}' is not a decision id (the id wenping shows for a decision)",
                    s.chars().take(40).collect::<String>()
                )
            })
        })
        .collect()
}

/// The loop's fields of the row, checked against its state.
fn progress(
    c: &mut Cells<'_>,
    vocabulary: &ConcernVocabulary,
    received_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<Progress> {
    use ConcernState as S;
    let before = c.errors.len();
    let offset = vocabulary.local_offset();
    let state = match c.text(Column::State) {
        None => Some(S::Registered),
        Some(_) => c.word(Column::State, &vocabulary.states, |v| vocabulary.state(v)),
    };
    let satisfaction = c.word(Column::Satisfaction, &vocabulary.satisfaction, |v| {
        vocabulary.satisfaction(v)
    });
    let not_before_receipt = |t: DateTime<Utc>| match received_at {
        Some(r) if t < r => Err(format!(
            "{} is before the concern was received ({})",
            t.with_timezone(&offset).format("%Y-%m-%d %H:%M"),
            r.with_timezone(&offset).format("%Y-%m-%d %H:%M")
        )),
        _ if t > now + Duration::minutes(CLOCK_SLACK_MINUTES) => Err(format!(
            "{} is in the future",
            t.with_timezone(&offset).format("%Y-%m-%d %H:%M")
        )),
        _ => Ok(t),
    };
    let answered_at = c.parsed(Column::AnsweredOn, |v| {
        parse_moment(v, offset).and_then(not_before_receipt)
    });
    let closed_at = c.parsed(Column::ClosedOn, |v| {
        let t = parse_moment(v, offset).and_then(not_before_receipt)?;
        match answered_at {
            Some(a) if t < a => Err("closed before it was answered".to_owned()),
            _ => Ok(t),
        }
    });
    let due_on = c.parsed(Column::DueOn, |v| {
        let day = parse_day(v)?;
        match received_at {
            Some(r) if day < r.with_timezone(&offset).date_naive() => {
                Err(format!("due {day}, before the concern was received"))
            }
            _ => Ok(day),
        }
    });
    let mut texts = Vec::new();
    for (column, max, line) in [
        (Column::Office, MAX_LINE_CHARS, true),
        (Column::Handler, 64, true),
        (Column::AdoptedMeasure, MAX_LINE_CHARS, true),
        (Column::Answer, MAX_TEXT_CHARS, false),
        (Column::Reason, MAX_TEXT_CHARS, false),
    ] {
        if let Some(v) = c.text(column) {
            if line {
                check_line(&mut texts, column.as_str(), v, 1, max);
            } else {
                check_text(&mut texts, column.as_str(), v, max);
            }
        }
    }
    for FieldError { field, message } in texts {
        c.fail(column_of(&field), message);
    }
    let state = state?;
    consistent(c, state, satisfaction);
    if c.errors.len() > before {
        return None;
    }
    let owned = |column: Column| c.text(column).map(str::to_owned);
    let assigned = state != S::Registered;
    Some(Progress {
        state,
        office: owned(Column::Office),
        handler: owned(Column::Handler),
        // An assignment without a due date is due the vocabulary's days after it; a ledger does not say when
        // it was assigned, so the day it was received stands for that.
        due_on: due_on.or_else(|| {
            let received = received_at?.with_timezone(&offset).date_naive();
            assigned.then(|| received + Duration::days(vocabulary.default_due_days))
        }),
        answer: owned(Column::Answer),
        answered_at,
        adopted_measure: owned(Column::AdoptedMeasure),
        satisfaction,
        closed_at,
        reason: owned(Column::Reason),
    })
}

/// What the loop (domain::concern) writes on the way to `state` must be there, and what it writes only later
/// (or clears on reopening) must not.
fn consistent(c: &mut Cells<'_>, state: ConcernState, satisfaction: Option<Satisfaction>) {
    use ConcernState as S;
    let word = c.text(Column::State).unwrap_or("登记");
    let is = format!("{word} ({})", state.as_str());
    let present = |c: &Cells<'_>, column: Column| c.text(column).is_some();
    let need = |c: &mut Cells<'_>, column: Column, why: &str| {
        if !present(c, column) {
            c.fail(
                column,
                format!("required for a concern that is {is}: {why}"),
            );
        }
    };
    if state == S::Registered {
        // Nothing leads back to registered: every later field is empty.
        for column in [
            Column::Office,
            Column::Handler,
            Column::DueOn,
            Column::Answer,
            Column::AnsweredOn,
            Column::Satisfaction,
            Column::ClosedOn,
            Column::Reason,
        ] {
            if present(c, column) {
                c.fail(
                    column,
                    format!(
                        "a concern that is {is} has not been assigned yet; write the state it has reached \
                         (已派单, 已签收, 已答复 …) in {}",
                        Column::State.header()
                    ),
                );
            }
        }
        return;
    }
    need(c, Column::Office, "the office it was assigned to (派单)");
    need(c, Column::Handler, "who handles it in that office");
    if matches!(state, S::Answered | S::CalledBack | S::Closed) {
        need(c, Column::Answer, "the office's answer");
        need(c, Column::AnsweredOn, "the day the office answered");
    }
    if matches!(state, S::CalledBack | S::Closed) {
        need(
            c,
            Column::Satisfaction,
            "the resident's verdict at the call-back (回访)",
        );
    } else if present(c, Column::Satisfaction) {
        c.fail(
            Column::Satisfaction,
            format!(
                "the resident's verdict is taken at the call-back (回访); a concern that is {is} has none yet \
                 (a reopened one waits for the next)"
            ),
        );
    }
    if state == S::Closed {
        need(c, Column::ClosedOn, "the day it was closed (销号)");
        if satisfaction.is_some_and(|s| !s.satisfied()) {
            need(
                c,
                Column::Reason,
                "the resident is not satisfied, so why it was closed all the same",
            );
        }
    } else if present(c, Column::ClosedOn) {
        c.fail(
            Column::ClosedOn,
            format!("a concern that is {is} is not closed"),
        );
    }
    if matches!(state, S::SentBack | S::Reopened) {
        need(c, Column::Reason, "why");
    }
    if present(c, Column::AdoptedMeasure) && !present(c, Column::Answer) {
        c.fail(
            Column::AdoptedMeasure,
            "a measure is adopted with the office's answer, and the row has none",
        );
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::ledger::vocabulary::VOCABULARY;

    fn row(cells: &[(Column, &str)]) -> SheetRow {
        SheetRow {
            row: 7,
            cells: cells.iter().map(|(c, v)| (*c, (*v).to_owned())).collect(),
        }
    }

    fn base() -> Vec<(Column, &'static str)> {
        vec![
            (Column::Number, "MQ-7"),
            (Column::Channel, "走访"),
            (Column::ReceivedAt, "2025-03-05 09:30"),
            (Column::RegionCode, "330199001001"),
            (Column::Topic, "补偿款"),
            (Column::Content, "青苗补偿标准偏低"),
        ]
    }

    fn now() -> DateTime<Utc> {
        "2026-01-01T00:00:00Z".parse().unwrap()
    }

    fn errors_of(cells: &[(Column, &str)]) -> Vec<(Column, String)> {
        match read_row(&row(cells), &VOCABULARY, now()) {
            Ok(entry) => panic!("read as {entry:?}"),
            Err(errors) => errors.into_iter().map(|e| (e.column, e.message)).collect(),
        }
    }

    #[test]
    fn times_are_local_and_a_bare_day_is_its_noon() {
        let cst = VOCABULARY.local_offset();
        let t = parse_moment("2025/3/5 9:30", cst).unwrap();
        assert_eq!(t, "2025-03-05T01:30:00Z".parse::<DateTime<Utc>>().unwrap());
        let day = parse_moment("2025年12月1日", cst).unwrap();
        assert_eq!(day.date_naive().to_string(), "2025-12-01");
        assert_eq!(
            parse_moment("2025-03-05T09:30:00Z", cst)
                .unwrap()
                .to_rfc3339(),
            "2025-03-05T09:30:00+00:00"
        );
        assert!(
            parse_moment("2025-02-30", cst)
                .unwrap_err()
                .contains("no such day")
        );
        assert!(parse_moment("2025-03-05 25:00", cst).is_err());
    }

    #[test]
    fn a_closed_row_carries_the_whole_loop() {
        let mut cells = base();
        cells.extend([
            (Column::State, "办结"),
            (Column::Office, "城关镇农业农村办"),
            (Column::Handler, "刘芳"),
            (Column::Answer, "已按新标准补发"),
            (Column::AnsweredOn, "2025-03-10"),
            (Column::Satisfaction, "基本满意"),
            (Column::ClosedOn, "2025-03-12"),
            (Column::ResidentName, "王秀英"),
        ]);
        let entry = read_row(&row(&cells), &VOCABULARY, now()).unwrap();
        let p = entry.progress;
        assert_eq!(p.state, ConcernState::Closed);
        assert_eq!(p.satisfaction, Some(Satisfaction::BasicallySatisfied));
        assert_eq!(
            p.due_on.unwrap().to_string(),
            "2025-03-12",
            "received + default_due_days"
        );
        assert_eq!(entry.fields.topic, "compensation");
        assert_eq!(entry.fields.resident.unwrap().phone, None);
    }

    #[test]
    fn an_inconsistent_row_is_refused_by_column() {
        let mut answered = base();
        answered.extend([
            (Column::State, "已答复"),
            (Column::Office, "农业农村办"),
            (Column::Handler, "刘芳"),
            (Column::Satisfaction, "满意"),
        ]);
        let errors = errors_of(&answered);
        let columns: Vec<Column> = errors.iter().map(|e| e.0).collect();
        assert_eq!(
            columns,
            vec![Column::Answer, Column::AnsweredOn, Column::Satisfaction],
            "{errors:?}"
        );
        assert!(errors[0].1.contains("已答复 (answered)"), "{errors:?}");

        let mut registered = base();
        registered.push((Column::Office, "农业农村办"));
        assert_eq!(errors_of(&registered)[0].0, Column::Office);

        let mut dissatisfied = base();
        dissatisfied.extend([
            (Column::State, "已销号"),
            (Column::Office, "农业农村办"),
            (Column::Handler, "刘芳"),
            (Column::Answer, "已解释"),
            (Column::AnsweredOn, "2025-03-06"),
            (Column::Satisfaction, "不满意"),
            (Column::ClosedOn, "2025-03-04"),
        ]);
        let errors = errors_of(&dissatisfied);
        assert!(
            errors
                .iter()
                .any(|e| e.0 == Column::ClosedOn && e.1.contains("before the concern was received")),
            "{errors:?}"
        );
        assert!(errors.iter().any(|e| e.0 == Column::Reason), "{errors:?}");
    }

    #[test]
    fn bad_cells_are_each_named() {
        let errors = errors_of(&[
            (Column::Number, "=1+1"),
            (Column::Channel, "微信"),
            (Column::ReceivedAt, "2025-13-01"),
            (Column::RegionCode, "33019"),
            (Column::Topic, "天气"),
            (Column::ResidentPhone, "139****5678"),
            (Column::DecisionId, "东片区"),
        ]);
        let columns: Vec<Column> = errors.iter().map(|e| e.0).collect();
        assert_eq!(
            columns,
            vec![
                Column::Number,
                Column::Channel,
                Column::ReceivedAt,
                Column::RegionCode,
                Column::Topic,
                Column::Content,
                Column::ResidentPhone,
                Column::DecisionId,
            ],
            "{errors:?}"
        );
        assert!(errors[1].1.contains("民情联系卡"), "{errors:?}");
        assert!(errors[6].1.contains("masked"), "{errors:?}");
    }
}
