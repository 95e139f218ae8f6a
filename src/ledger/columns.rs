//! The columns of a ledger sheet: each field the import reads and the export writes. Files name them by the
//! headers of `[columns]` in assets/concern-vocabulary.toml; the export writes the first header listed.

use super::vocabulary::VOCABULARY;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    Number,
    Channel,
    ReceivedAt,
    RegionCode,
    Topic,
    Content,
    ResidentName,
    ResidentPhone,
    DecisionId,
    Office,
    Handler,
    DueOn,
    State,
    Answer,
    AnsweredOn,
    Satisfaction,
    AdoptedMeasure,
    ClosedOn,
    Reason,
}

impl Column {
    /// Every column, in the order the export writes them.
    pub const ALL: [Column; 19] = [
        Self::Number,
        Self::Channel,
        Self::ReceivedAt,
        Self::RegionCode,
        Self::Topic,
        Self::Content,
        Self::ResidentName,
        Self::ResidentPhone,
        Self::DecisionId,
        Self::Office,
        Self::Handler,
        Self::DueOn,
        Self::State,
        Self::Answer,
        Self::AnsweredOn,
        Self::Satisfaction,
        Self::AdoptedMeasure,
        Self::ClosedOn,
        Self::Reason,
    ];

    /// What every row must have to be registered at all. The number is required although a concern
    /// registered by hand gets one: an import is idempotent on it.
    pub const REQUIRED: [Column; 6] = [
        Self::Number,
        Self::Channel,
        Self::ReceivedAt,
        Self::RegionCode,
        Self::Topic,
        Self::Content,
    ];

    /// The field's id, as `[columns]` of the vocabulary names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Channel => "channel",
            Self::ReceivedAt => "received_at",
            Self::RegionCode => "region_code",
            Self::Topic => "topic",
            Self::Content => "content",
            Self::ResidentName => "resident_name",
            Self::ResidentPhone => "resident_phone",
            Self::DecisionId => "decision_id",
            Self::Office => "office",
            Self::Handler => "handler",
            Self::DueOn => "due_on",
            Self::State => "state",
            Self::Answer => "answer",
            Self::AnsweredOn => "answered_on",
            Self::Satisfaction => "satisfaction",
            Self::AdoptedMeasure => "adopted_measure",
            Self::ClosedOn => "closed_on",
            Self::Reason => "reason",
        }
    }

    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == id)
    }

    /// The column a file's header names, by the vocabulary.
    pub fn of_header(header: &str) -> Option<Self> {
        VOCABULARY.field_of_header(header).and_then(Self::parse)
    }

    /// The header the export writes (the vocabulary's first for the field).
    pub fn header(self) -> &'static str {
        VOCABULARY.header(self.as_str()).unwrap_or(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_headers_and_every_header_a_column() {
        for column in Column::ALL {
            assert!(
                VOCABULARY.header(column.as_str()).is_some(),
                "{column:?} has no header in assets/concern-vocabulary.toml"
            );
            assert_eq!(Column::of_header(column.header()), Some(column));
        }
        for field in VOCABULARY.columns.keys() {
            assert!(Column::parse(field).is_some(), "[columns] {field}");
        }
        assert_eq!(Column::of_header(" 反映时间 "), Some(Column::ReceivedAt));
        assert_eq!(
            Column::of_header("序号"),
            None,
            "a row count is not a number"
        );
    }
}
