//! The clock the use cases read: "today" decides which checklist items are overdue and which months a petition
//! window spans. Tests and the demo fix it; the service reads the system's.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};

pub trait Clock: Send + Sync {
    /// Now, to the microsecond (PostgreSQL's precision, so both backends give back what was stored).
    fn now(&self) -> DateTime<Utc>;
    /// Today's date where the service runs.
    fn today(&self) -> NaiveDate;
}

/// The machine's clock; "today" in its local time zone, the one its users live in.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }

    fn today(&self) -> NaiveDate {
        chrono::Local::now().date_naive()
    }
}

/// A clock that always reads the same moment.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.trunc_subsecs(6)
    }

    fn today(&self) -> NaiveDate {
        self.0.date_naive()
    }
}
