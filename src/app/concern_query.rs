//! The ledger's filter as a query string or a form writes it: parsed once, for the JSON API and the pages alike.

use chrono::NaiveDate;
use uuid::Uuid;

use super::concerns::GroupBy;
use crate::domain::concern::{ConcernFilter, ConcernState};
use crate::ledger::vocabulary::VOCABULARY;

/// The ledger's filter as a person or a program writes it (query string or form): every value text, parsed here
/// once for the JSON API and the pages alike; each error names its parameter.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConcernQuery {
    /// Division-code prefix: a township takes its villages.
    pub region: Option<String>,
    /// One state or several separated by commas: registered, assigned, accepted, answered, called_back, closed,
    /// sent_back, reopened; `open` means every state but closed.
    pub state: Option<String>,
    pub office: Option<String>,
    /// The handler's account name.
    pub handler: Option<String>,
    /// A decision id: the concerns about it.
    pub decision: Option<String>,
    /// A topic id of the concern vocabulary.
    pub topic: Option<String>,
    /// contact_card | visit | forum | letter | walk_in | phone | hotline | online
    pub channel: Option<String>,
    /// true: only the open ones unanswered past their due date.
    pub overdue: Option<String>,
    /// Received on or after this day (YYYY-MM-DD).
    pub from: Option<String>,
    /// Received on or before this day (YYYY-MM-DD).
    pub to: Option<String>,
    /// Words in the number or the content.
    pub q: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<String>,
    /// Concerns to skip (default 0).
    pub offset: Option<String>,
    /// stats only: month (default) | office | region | decision | topic
    pub group_by: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ConcernQuery {
    /// The filter, or the first parameter that does not parse.
    pub fn to_filter(&self, today: NaiveDate) -> Result<ConcernFilter, crate::domain::FieldError> {
        use crate::domain::FieldError;
        use crate::domain::concern::Channel;
        use crate::domain::text::clean_line;
        let line = |name: &str, v: &Option<String>| -> Result<Option<String>, FieldError> {
            nonempty(v)
                .map(|s| {
                    clean_line(s, 200)
                        .map(str::to_owned)
                        .map_err(|m| FieldError::new(name, m))
                })
                .transpose()
        };
        let day = |name: &str, v: &Option<String>| -> Result<Option<NaiveDate>, FieldError> {
            nonempty(v)
                .map(|s| {
                    s.parse::<NaiveDate>()
                        .map_err(|_| FieldError::new(name, "must be a date, YYYY-MM-DD"))
                })
                .transpose()
        };
        let number = |name: &str, v: &Option<String>| -> Result<Option<i64>, FieldError> {
            nonempty(v)
                .map(|s| {
                    s.parse::<i64>()
                        .ok()
                        .filter(|n| *n >= 0)
                        .ok_or_else(|| FieldError::new(name, "must be a whole number ≥ 0"))
                })
                .transpose()
        };
        let region = nonempty(&self.region)
            .map(|r| {
                crate::domain::region::parse_prefix(r).map_err(|m| FieldError::new("region", m))
            })
            .transpose()?;
        let mut states = Vec::new();
        if let Some(raw) = nonempty(&self.state) {
            for part in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if part == "open" {
                    states.extend(ConcernState::ALL.into_iter().filter(|s| s.open()));
                } else {
                    states.push(ConcernState::parse(part).ok_or_else(|| {
                        FieldError::new(
                            "state",
                            format!("'{}' is not a state; use registered, assigned, accepted, answered, called_back, closed, sent_back, reopened or open", part.chars().take(40).collect::<String>()),
                        )
                    })?);
                }
            }
        }
        let decision = nonempty(&self.decision)
            .map(|d| {
                Uuid::parse_str(d).map_err(|_| FieldError::new("decision", "must be a decision id"))
            })
            .transpose()?;
        let topic = line("topic", &self.topic)?;
        if let Some(t) = &topic
            && !VOCABULARY.knows_topic(t)
        {
            return Err(FieldError::new(
                "topic",
                "is not a topic of the concern vocabulary",
            ));
        }
        let channel = nonempty(&self.channel)
            .map(|c| {
                Channel::parse(c).ok_or_else(|| {
                    FieldError::new("channel", "must be contact_card, visit, forum, letter, walk_in, phone, hotline or online")
                })
            })
            .transpose()?;
        let overdue = match nonempty(&self.overdue) {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(FieldError::new("overdue", "must be true or false")),
        };
        let at_midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        let from = day("from", &self.from)?;
        let to = day("to", &self.to)?;
        Ok(ConcernFilter {
            scope: None,
            region,
            states,
            office: line("office", &self.office)?,
            handler: line("handler", &self.handler)?,
            decision,
            topic,
            channel,
            received_from: from.and_then(at_midnight),
            received_before: to.and_then(|d| d.succ_opt()).and_then(at_midnight),
            due_before: overdue.then_some(today),
            text: line("q", &self.q)?,
            limit: number("limit", &self.limit)?,
            offset: number("offset", &self.offset)?.unwrap_or(0),
        })
    }

    pub fn group_by(&self) -> Result<GroupBy, crate::domain::FieldError> {
        match nonempty(&self.group_by) {
            None | Some("month") => Ok(GroupBy::Month),
            Some("office") => Ok(GroupBy::Office),
            Some("region") => Ok(GroupBy::Region),
            Some("decision") => Ok(GroupBy::Decision),
            Some("topic") => Ok(GroupBy::Topic),
            Some(_) => Err(crate::domain::FieldError::new(
                "group_by",
                "must be month, office, region, decision or topic",
            )),
        }
    }
}
