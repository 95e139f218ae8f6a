//! Consultations (征求意见): how a decision's opinions were heard — public notice, questionnaire, forum, visit,
//! hearing — each with its evidence. The figures a reviewer checks (days of notice, the survey's support share
//! and its margin of error) are computed here from the counts, never typed in (DOMAIN "Hearing opinions").

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::text::{check_line, check_text};
use super::{FieldError, FieldErrors};

const MAX_LINE_CHARS: usize = 200;
const MAX_MINUTES_CHARS: usize = 20_000;
const MAX_LIST: usize = 200;
/// The normal quantile of a two-sided 95 % interval: mathematics, not a domain choice.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// One group of people at a forum, a visit or a hearing (村民代表 12, 被征收户 30 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Attendance {
    pub group: String,
    pub count: u32,
}

/// A file kept as evidence: its name and SHA-256 (the file itself may stay outside wenping).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    pub name: String,
    /// 64 hexadecimal digits.
    pub sha256: String,
}

/// What a consultation record says, by kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ConsultationFields {
    /// 公示: where it was posted, first and last day (both counted).
    PublicNotice {
        place: String,
        first_day: NaiveDate,
        last_day: NaiveDate,
        #[serde(default)]
        attachments: Vec<Attachment>,
    },
    /// 问卷调查: the population asked, the sample planned and returned, and the answers.
    Questionnaire {
        held_on: NaiveDate,
        /// N: the people (or households) the survey speaks for.
        population: u64,
        sample_planned: u64,
        /// m: questionnaires returned and valid.
        returned: u64,
        support: u64,
        neutral: u64,
        oppose: u64,
        #[serde(default)]
        attachments: Vec<Attachment>,
    },
    /// 座谈会.
    Forum {
        held_on: NaiveDate,
        place: String,
        attendees: Vec<Attendance>,
        #[serde(default)]
        minutes: String,
        #[serde(default)]
        attachments: Vec<Attachment>,
    },
    /// 走访 (household visits).
    Visit {
        held_on: NaiveDate,
        place: String,
        attendees: Vec<Attendance>,
        #[serde(default)]
        minutes: String,
        #[serde(default)]
        attachments: Vec<Attachment>,
    },
    /// 听证会.
    Hearing {
        held_on: NaiveDate,
        place: String,
        participants: Vec<Attendance>,
        /// The points raised, one per entry.
        points: Vec<String>,
        outcome: String,
        #[serde(default)]
        minutes: String,
        #[serde(default)]
        attachments: Vec<Attachment>,
    },
}

/// The kinds, as ids.
pub const KINDS: [&str; 5] = [
    "public_notice",
    "questionnaire",
    "forum",
    "visit",
    "hearing",
];

/// The survey's figures, computed from its counts (DOMAIN "Hearing opinions").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SurveyFigures {
    /// support ÷ returned
    pub support_share: f64,
    pub neutral_share: f64,
    pub oppose_share: f64,
    /// returned ÷ planned
    pub response_rate: f64,
    /// 1.96·√(p̂(1−p̂)/m)·√((N−m)/(N−1)), as a share (0.05 = ±5 points).
    pub margin_95: f64,
    /// The sample that gives ±5 % at 95 % for this population with p = 0.5: n = z²·0.25/e², n' = n/(1+(n−1)/N).
    pub sample_for_5_percent: u64,
}

/// What is computed from a record; absent figures do not apply to the kind.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, ToSchema)]
pub struct ConsultationFigures {
    /// Calendar days of a notice, first and last day counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_days: Option<i64>,
    /// Working days (Monday to Friday) of a notice; public holidays are not known to wenping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_working_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub survey: Option<SurveyFigures>,
    /// People at a forum, visit or hearing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people: Option<u64>,
}

/// A consultation as stored.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Consultation {
    pub id: Uuid,
    pub decision_id: Uuid,
    #[serde(flatten)]
    pub fields: ConsultationFields,
    /// Computed from the fields.
    pub figures: ConsultationFigures,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Consultation {
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.version)
    }

    /// The day the record speaks for: a notice's last day, else the day it was held.
    pub fn day(&self) -> NaiveDate {
        self.fields.day()
    }
}

/// A consultation as an assessment records it: what the report's chapter 3 prints, as it was then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationEntry {
    pub id: Uuid,
    pub fields: ConsultationFields,
    pub figures: ConsultationFigures,
}

impl From<&Consultation> for ConsultationEntry {
    fn from(c: &Consultation) -> Self {
        Self {
            id: c.id,
            fields: c.fields.clone(),
            figures: c.figures,
        }
    }
}

/// Monday-to-Friday days from `first` to `last`, both counted.
pub fn working_days(first: NaiveDate, last: NaiveDate) -> i64 {
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .count() as i64
}

/// The 95 % margin of error of a share `p` from `m` answers out of a population of `n`, with the
/// finite-population correction.
pub fn margin_95(p: f64, m: u64, n: u64) -> f64 {
    if m == 0 {
        return 1.0;
    }
    let (m, n) = (m as f64, n as f64);
    let fpc = if n > 1.0 {
        ((n - m) / (n - 1.0)).max(0.0).sqrt()
    } else {
        0.0
    };
    Z_95 * (p * (1.0 - p) / m).sqrt() * fpc
}

/// The sample giving a margin of `e` at 95 % with p = 0.5, corrected for a population of `n`.
pub fn sample_needed(e: f64, n: u64) -> u64 {
    let n0 = Z_95 * Z_95 * 0.25 / (e * e);
    let corrected = if n > 0 {
        n0 / (1.0 + (n0 - 1.0) / n as f64)
    } else {
        n0
    };
    corrected.ceil() as u64
}

impl ConsultationFields {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::PublicNotice { .. } => "public_notice",
            Self::Questionnaire { .. } => "questionnaire",
            Self::Forum { .. } => "forum",
            Self::Visit { .. } => "visit",
            Self::Hearing { .. } => "hearing",
        }
    }

    pub fn day(&self) -> NaiveDate {
        match self {
            Self::PublicNotice { last_day, .. } => *last_day,
            Self::Questionnaire { held_on, .. }
            | Self::Forum { held_on, .. }
            | Self::Visit { held_on, .. }
            | Self::Hearing { held_on, .. } => *held_on,
        }
    }

    pub fn attachments(&self) -> &[Attachment] {
        match self {
            Self::PublicNotice { attachments, .. }
            | Self::Questionnaire { attachments, .. }
            | Self::Forum { attachments, .. }
            | Self::Visit { attachments, .. }
            | Self::Hearing { attachments, .. } => attachments,
        }
    }

    /// The figures computed from the record.
    pub fn figures(&self) -> ConsultationFigures {
        let people = |groups: &[Attendance]| Some(groups.iter().map(|a| u64::from(a.count)).sum());
        match self {
            Self::PublicNotice {
                first_day,
                last_day,
                ..
            } => ConsultationFigures {
                notice_days: Some((*last_day - *first_day).num_days() + 1),
                notice_working_days: Some(working_days(*first_day, *last_day)),
                ..Default::default()
            },
            Self::Questionnaire {
                population,
                sample_planned,
                returned,
                support,
                neutral,
                oppose,
                ..
            } => {
                let m = (*returned).max(1) as f64;
                let support_share = *support as f64 / m;
                ConsultationFigures {
                    survey: Some(SurveyFigures {
                        support_share,
                        neutral_share: *neutral as f64 / m,
                        oppose_share: *oppose as f64 / m,
                        response_rate: *returned as f64 / (*sample_planned).max(1) as f64,
                        margin_95: margin_95(support_share, *returned, *population),
                        sample_for_5_percent: sample_needed(0.05, *population),
                    }),
                    ..Default::default()
                }
            }
            Self::Forum { attendees, .. } | Self::Visit { attendees, .. } => ConsultationFigures {
                people: people(attendees),
                ..Default::default()
            },
            Self::Hearing { participants, .. } => ConsultationFigures {
                people: people(participants),
                ..Default::default()
            },
        }
    }

    /// Every problem of the record, each naming its field.
    pub fn validate(&self, today: NaiveDate) -> Result<(), FieldErrors> {
        let mut errors = Vec::new();
        let not_future = |errors: &mut Vec<FieldError>, field: &str, day: NaiveDate| {
            if day > today {
                errors.push(FieldError::new(field, "must not be in the future"));
            }
        };
        match self {
            Self::PublicNotice {
                place,
                first_day,
                last_day,
                ..
            } => {
                check_line(&mut errors, "place", place, 1, MAX_LINE_CHARS);
                if last_day < first_day {
                    errors.push(FieldError::new("last_day", "must not be before first_day"));
                }
                not_future(&mut errors, "first_day", *first_day);
            }
            Self::Questionnaire {
                held_on,
                population,
                sample_planned,
                returned,
                support,
                neutral,
                oppose,
                ..
            } => {
                not_future(&mut errors, "held_on", *held_on);
                if *population == 0 {
                    errors.push(FieldError::new("population", "must be at least 1"));
                }
                if *sample_planned == 0 {
                    errors.push(FieldError::new("sample_planned", "must be at least 1"));
                }
                if *returned == 0 {
                    errors.push(FieldError::new("returned", "must be at least 1"));
                }
                if returned > population {
                    errors.push(FieldError::new(
                        "returned",
                        format!("{returned} returned is more than the population of {population}"),
                    ));
                }
                let answered = support.saturating_add(*neutral).saturating_add(*oppose);
                if answered != *returned {
                    errors.push(FieldError::new(
                        "support",
                        format!(
                            "support + neutral + oppose is {answered}, but {returned} questionnaires were returned"
                        ),
                    ));
                }
            }
            Self::Forum {
                held_on,
                place,
                attendees,
                minutes,
                ..
            }
            | Self::Visit {
                held_on,
                place,
                attendees,
                minutes,
                ..
            } => {
                not_future(&mut errors, "held_on", *held_on);
                check_line(&mut errors, "place", place, 1, MAX_LINE_CHARS);
                check_groups(&mut errors, "attendees", attendees);
                check_text(&mut errors, "minutes", minutes, MAX_MINUTES_CHARS);
            }
            Self::Hearing {
                held_on,
                place,
                participants,
                points,
                outcome,
                minutes,
                ..
            } => {
                not_future(&mut errors, "held_on", *held_on);
                check_line(&mut errors, "place", place, 1, MAX_LINE_CHARS);
                check_groups(&mut errors, "participants", participants);
                if points.len() > MAX_LIST {
                    errors.push(FieldError::new(
                        "points",
                        format!("at most {MAX_LIST} points"),
                    ));
                }
                for (k, p) in points.iter().enumerate() {
                    check_text(&mut errors, &format!("points[{k}]"), p, MAX_LINE_CHARS * 5);
                    if p.trim().is_empty() {
                        errors.push(FieldError::new(format!("points[{k}]"), "must not be empty"));
                    }
                }
                check_line(&mut errors, "outcome", outcome, 1, MAX_LINE_CHARS * 5);
                check_text(&mut errors, "minutes", minutes, MAX_MINUTES_CHARS);
            }
        }
        let attachments = self.attachments();
        if attachments.len() > MAX_LIST {
            errors.push(FieldError::new(
                "attachments",
                format!("at most {MAX_LIST} attachments"),
            ));
        }
        for (k, a) in attachments.iter().enumerate() {
            check_line(
                &mut errors,
                &format!("attachments[{k}].name"),
                &a.name,
                1,
                MAX_LINE_CHARS,
            );
            if a.sha256.len() != 64 || !a.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                errors.push(FieldError::new(
                    format!("attachments[{k}].sha256"),
                    "must be 64 hexadecimal digits (the file's SHA-256)",
                ));
            }
        }
        FieldErrors::from_vec(errors)
    }
}

fn check_groups(errors: &mut Vec<FieldError>, field: &str, groups: &[Attendance]) {
    if groups.is_empty() {
        errors.push(FieldError::new(field, "name at least one group of people"));
    }
    if groups.len() > MAX_LIST {
        errors.push(FieldError::new(field, format!("at most {MAX_LIST} groups")));
    }
    for (k, g) in groups.iter().enumerate() {
        check_line(
            errors,
            &format!("{field}[{k}].group"),
            &g.group,
            1,
            MAX_LINE_CHARS,
        );
        if g.count == 0 {
            errors.push(FieldError::new(
                format!("{field}[{k}].count"),
                "must be at least 1",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn margin_matches_the_formula_by_hand() {
        // p̂ = 0.8, m = 400, N = 2000: 1.96·√(0.16/400)·√(1600/1999) = 1.96·0.02·0.894651… = 0.0350703…
        let m = margin_95(0.8, 400, 2000);
        let by_hand = Z_95 * (0.8f64 * 0.2 / 400.0).sqrt() * (1600.0f64 / 1999.0).sqrt();
        assert!((m - by_hand).abs() < 1e-15);
        assert!((m - 0.035_07).abs() < 1e-4, "{m}");
        // The whole population asked: no sampling error.
        assert_eq!(margin_95(0.5, 300, 300), 0.0);
    }

    #[test]
    fn sample_for_five_percent_is_385_without_correction() {
        assert_eq!(sample_needed(0.05, 100_000_000), 385);
        // n' = 384.146/(1 + 383.146/1000) = 277.7 → 278
        assert_eq!(sample_needed(0.05, 1000), 278);
    }

    #[test]
    fn notice_counts_both_ends_and_working_days() {
        // 2026-11-02 is a Monday; to Sunday 2026-11-15: 14 days, 10 working days.
        let f = ConsultationFields::PublicNotice {
            place: "村务公开栏".into(),
            first_day: day("2026-11-02"),
            last_day: day("2026-11-15"),
            attachments: vec![],
        };
        let figures = f.figures();
        assert_eq!(figures.notice_days, Some(14));
        assert_eq!(figures.notice_working_days, Some(10));
    }

    #[test]
    fn survey_counts_must_add_up() {
        let f = ConsultationFields::Questionnaire {
            held_on: day("2026-10-01"),
            population: 1000,
            sample_planned: 300,
            returned: 280,
            support: 200,
            neutral: 40,
            oppose: 30,
            attachments: vec![],
        };
        let err = f.validate(day("2026-12-01")).unwrap_err();
        assert_eq!(err.0[0].field, "support");
    }

    #[test]
    fn kind_tag_and_unknown_fields() {
        let ok: ConsultationFields = serde_json::from_str(
            r#"{"kind":"public_notice","place":"公告栏","first_day":"2026-11-01","last_day":"2026-11-30"}"#,
        )
        .unwrap();
        assert_eq!(ok.kind(), "public_notice");
        let bad = serde_json::from_str::<ConsultationFields>(
            r#"{"kind":"public_notice","place":"公告栏","first_day":"2026-11-01","last_day":"2026-11-30","days":30}"#,
        );
        assert!(bad.is_err());
    }
}
