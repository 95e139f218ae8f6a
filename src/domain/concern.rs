//! The concern ledger (民情台账): every concern heard from a resident, handled in the closed loop of the 12345
//! hotlines — registered → assigned (派单) → accepted by the office (签收) → answered (回复) → resident called
//! back (回访) → closed (销号) — with sent back (退单) and reopened (复号) (DOMAIN "the concern ledger").

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::region::RegionCode;
use super::text::{check_line, check_text};
use super::{FieldError, FieldErrors};

const MAX_LINE_CHARS: usize = 200;
const MAX_TEXT_CHARS: usize = 10_000;
const MAX_DECISIONS: usize = 20;

/// How the concern reached the township.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 民情联系卡
    ContactCard,
    /// 走访
    Visit,
    /// 座谈会
    Forum,
    /// 来信
    Letter,
    /// 来访
    WalkIn,
    /// 电话
    Phone,
    /// 12345
    Hotline,
    /// 网上
    Online,
}

impl Channel {
    pub const ALL: [Channel; 8] = [
        Self::ContactCard,
        Self::Visit,
        Self::Forum,
        Self::Letter,
        Self::WalkIn,
        Self::Phone,
        Self::Hotline,
        Self::Online,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ContactCard => "contact_card",
            Self::Visit => "visit",
            Self::Forum => "forum",
            Self::Letter => "letter",
            Self::WalkIn => "walk_in",
            Self::Phone => "phone",
            Self::Hotline => "hotline",
            Self::Online => "online",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == raw)
    }
}

/// Where a concern stands in the loop.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ConcernState {
    Registered,
    Assigned,
    Accepted,
    Answered,
    CalledBack,
    Closed,
    SentBack,
    Reopened,
}

impl ConcernState {
    pub const ALL: [ConcernState; 8] = [
        Self::Registered,
        Self::Assigned,
        Self::Accepted,
        Self::Answered,
        Self::CalledBack,
        Self::Closed,
        Self::SentBack,
        Self::Reopened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Assigned => "assigned",
            Self::Accepted => "accepted",
            Self::Answered => "answered",
            Self::CalledBack => "called_back",
            Self::Closed => "closed",
            Self::SentBack => "sent_back",
            Self::Reopened => "reopened",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Not closed.
    pub fn open(self) -> bool {
        self != Self::Closed
    }

    /// Still waiting for the office's answer.
    pub fn unanswered(self) -> bool {
        matches!(
            self,
            Self::Registered | Self::Assigned | Self::Accepted | Self::SentBack | Self::Reopened
        )
    }

    /// The actions allowed from here, in the loop's order.
    pub fn allowed(self) -> &'static [ConcernAction] {
        use ConcernAction as A;
        match self {
            Self::Registered | Self::SentBack => &[A::Assign],
            Self::Assigned => &[A::Accept, A::SendBack],
            Self::Accepted => &[A::Answer, A::SendBack],
            Self::Answered => &[A::CallBack],
            Self::CalledBack => &[A::Close, A::Reopen],
            Self::Closed => &[A::Reopen],
            Self::Reopened => &[A::Accept, A::Assign],
        }
    }
}

/// What can be done to a concern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConcernAction {
    /// 派单: to an office and a handler, with a due date.
    Assign,
    /// 签收: the office takes it on.
    Accept,
    /// 退单: the office sends it back (wrong office or area), with a reason.
    SendBack,
    /// 回复: the office's answer.
    Answer,
    /// 回访: the resident is called back and says whether they are satisfied.
    CallBack,
    /// 销号: closed, only after the call-back.
    Close,
    /// 复号: reopened, when the resident is not satisfied or the answer was late.
    Reopen,
}

impl ConcernAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Assign => "assign",
            Self::Accept => "accept",
            Self::SendBack => "send_back",
            Self::Answer => "answer",
            Self::CallBack => "call_back",
            Self::Close => "close",
            Self::Reopen => "reopen",
        }
    }

    /// The state the action leads to.
    pub fn target(self) -> ConcernState {
        match self {
            Self::Assign => ConcernState::Assigned,
            Self::Accept => ConcernState::Accepted,
            Self::SendBack => ConcernState::SentBack,
            Self::Answer => ConcernState::Answered,
            Self::CallBack => ConcernState::CalledBack,
            Self::Close => ConcernState::Closed,
            Self::Reopen => ConcernState::Reopened,
        }
    }

    /// Done by the office the concern is assigned to (accept, send back, answer); the others by the township's
    /// ledger keepers.
    pub fn by_office(self) -> bool {
        matches!(self, Self::Accept | Self::SendBack | Self::Answer)
    }
}

/// The resident's verdict at the call-back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
}

impl Satisfaction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Satisfied => "satisfied",
            Self::BasicallySatisfied => "basically_satisfied",
            Self::Dissatisfied => "dissatisfied",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Satisfied,
            Self::BasicallySatisfied,
            Self::Dissatisfied,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }

    pub fn satisfied(self) -> bool {
        self != Self::Dissatisfied
    }
}

/// The resident who raised a concern; absent when anonymous. Stored encrypted; never printed whole.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resident {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

// A resident's name and phone must never reach a log line, even through `{:?}`.
impl std::fmt::Debug for Resident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Resident { .. }")
    }
}

impl Resident {
    /// The form shown to roles that do not need the person: the family name and the phone's ends.
    pub fn masked(&self) -> Resident {
        Resident {
            name: self.name.as_deref().map(mask_name),
            phone: self.phone.as_deref().map(mask_phone),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.phone.is_none()
    }
}

/// 张三丰 → 张**
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => std::iter::once(first)
            .chain(chars.map(|_| '*'))
            .collect::<String>()
            .chars()
            .take(8)
            .collect(),
        None => String::new(),
    }
}

/// 13812345678 → 138****5678; short numbers keep only their last two digits.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    let n = chars.len();
    if n >= 7 {
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[n - 4..].iter().collect();
        format!("{head}****{tail}")
    } else {
        let tail: String = chars[n.saturating_sub(2)..].iter().collect();
        format!("****{tail}")
    }
}

/// What is written down when a concern is registered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcernFields {
    /// The ledger's own number (台账编号); given by wenping when absent. Imports are idempotent on it.
    #[serde(default)]
    pub number: Option<String>,
    pub channel: Channel,
    /// When it was heard, to the hour at least.
    pub received_at: DateTime<Utc>,
    #[schema(value_type = String)]
    pub region: RegionCode,
    /// A topic id of `assets/concern-vocabulary.toml`.
    pub topic: String,
    pub content: String,
    /// Name and phone; absent or empty when the resident stays anonymous.
    #[serde(default)]
    pub resident: Option<Resident>,
    /// The decisions the concern is about.
    #[serde(default)]
    pub decisions: Vec<Uuid>,
}

impl ConcernFields {
    pub fn validate(
        &self,
        now: DateTime<Utc>,
        known_topic: impl Fn(&str) -> bool,
    ) -> Result<(), FieldErrors> {
        let mut errors = Vec::new();
        if let Some(number) = &self.number {
            check_line(&mut errors, "number", number, 1, 64);
        }
        if self.received_at > now + chrono::Duration::minutes(5) {
            errors.push(FieldError::new("received_at", "must not be in the future"));
        }
        if !known_topic(&self.topic) {
            errors.push(FieldError::new(
                "topic",
                format!(
                    "'{}' is not a topic of the concern vocabulary",
                    self.topic.chars().take(60).collect::<String>()
                ),
            ));
        }
        check_line(
            &mut errors,
            "content",
            self.content.trim(),
            1,
            MAX_TEXT_CHARS,
        );
        check_text(&mut errors, "content", &self.content, MAX_TEXT_CHARS);
        if let Some(r) = &self.resident {
            if let Some(name) = &r.name {
                check_line(&mut errors, "resident.name", name, 1, 50);
            }
            if let Some(phone) = &r.phone
                && (phone.trim().is_empty()
                    || phone.chars().count() > 30
                    || !phone
                        .chars()
                        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ')))
            {
                errors.push(FieldError::new(
                    "resident.phone",
                    "must be a phone number: digits, spaces, '-' and '+' only",
                ));
            }
        }
        if self.decisions.len() > MAX_DECISIONS {
            errors.push(FieldError::new(
                "decisions",
                format!("at most {MAX_DECISIONS} decisions"),
            ));
        }
        for (k, d) in self.decisions.iter().enumerate() {
            if self.decisions[..k].contains(d) {
                errors.push(FieldError::new(
                    format!("decisions[{k}]"),
                    "the decision is named more than once",
                ));
            }
        }
        FieldErrors::from_vec(errors)
    }
}

/// One step of the loop as asked for; each action reads only its own fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcernStep {
    pub action: ConcernAction,
    /// assign: the office (承办单位).
    #[serde(default)]
    pub office: Option<String>,
    /// assign: the handler's account name.
    #[serde(default)]
    pub handler: Option<String>,
    /// assign: the answer is due on this day.
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
    /// answer: what the office answered.
    #[serde(default)]
    pub answer: Option<String>,
    /// answer: the measure of the decision's plan the concern was adopted into.
    #[serde(default)]
    pub adopted_measure: Option<String>,
    /// call_back: the resident's verdict.
    #[serde(default)]
    pub satisfaction: Option<Satisfaction>,
    /// send_back and reopen: why; close: why a dissatisfied resident's concern is closed all the same.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A concern as stored; `resident` is already decrypted and masked or not for the reader.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Concern {
    pub id: Uuid,
    pub number: String,
    pub channel: Channel,
    pub received_at: DateTime<Utc>,
    #[schema(value_type = String)]
    pub region: RegionCode,
    pub topic: String,
    pub content: String,
    /// Masked for roles that do not need the person; absent when anonymous.
    pub resident: Option<Resident>,
    /// Whether `resident` is shown masked.
    pub resident_masked: bool,
    pub decisions: Vec<Uuid>,
    pub state: ConcernState,
    pub office: Option<String>,
    pub handler: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub adopted_measure: Option<String>,
    pub satisfaction: Option<Satisfaction>,
    pub closed_at: Option<DateTime<Utc>>,
    pub reopen_count: i64,
    pub last_reason: Option<String>,
    /// Open, not answered and past its due date.
    pub overdue: bool,
    /// The actions allowed next.
    pub allowed: Vec<ConcernAction>,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Concern {
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.version)
    }

    /// The concern after `step`, which its state allows and whose fields are checked; a reopened concern is due
    /// again on `due_again`.
    pub fn after(
        &self,
        step: &ConcernStep,
        now: DateTime<Utc>,
        today: NaiveDate,
        due_again: NaiveDate,
    ) -> Result<Concern, FieldErrors> {
        let mut next = self.clone();
        let trimmed = |v: &Option<String>| v.as_deref().map(|s| s.trim().to_owned());
        match step.action {
            ConcernAction::Assign => {
                next.office = trimmed(&step.office);
                next.handler = trimmed(&step.handler);
                next.due_on = step.due_on;
            }
            ConcernAction::Accept => {}
            ConcernAction::SendBack => {
                next.last_reason = trimmed(&step.reason);
            }
            ConcernAction::Answer => {
                next.answer = trimmed(&step.answer);
                next.answered_at = Some(now);
                next.adopted_measure = trimmed(&step.adopted_measure);
            }
            ConcernAction::CallBack => {
                next.satisfaction = step.satisfaction;
            }
            ConcernAction::Close => {
                if next.satisfaction.is_some_and(|s| !s.satisfied())
                    && step.reason.as_deref().is_none_or(|r| r.trim().is_empty())
                {
                    return Err(FieldErrors::single(
                        "reason",
                        "the resident is not satisfied: reopen the concern, or say why it is closed all the same (what cannot be solved is explained)",
                    ));
                }
                next.closed_at = Some(now);
                if step.reason.is_some() {
                    next.last_reason = trimmed(&step.reason);
                }
            }
            ConcernAction::Reopen => {
                next.reopen_count += 1;
                next.last_reason = trimmed(&step.reason);
                next.closed_at = None;
                next.satisfaction = None;
                // A reopened concern waits for a new answer, due again in the office's usual time.
                next.due_on = Some(due_again);
            }
        }
        next.state = step.action.target();
        next.allowed = next.state.allowed().to_vec();
        next.overdue = overdue(next.state, next.due_on, today);
        next.version += 1;
        next.updated_at = now;
        Ok(next)
    }
}

/// Which concerns a list or a count reads.
#[derive(Debug, Clone, Default)]
pub struct ConcernFilter {
    /// Only concerns whose region lies inside it.
    pub scope: Option<super::account::Scope>,
    /// A region code prefix (a township takes its villages).
    pub region: Option<String>,
    pub states: Vec<ConcernState>,
    pub office: Option<String>,
    pub handler: Option<String>,
    pub decision: Option<Uuid>,
    pub topic: Option<String>,
    pub channel: Option<Channel>,
    pub received_from: Option<DateTime<Utc>>,
    pub received_before: Option<DateTime<Utc>>,
    /// Open, unanswered, due before this day.
    pub due_before: Option<NaiveDate>,
    /// Words in the number or the content.
    pub text: Option<String>,
    pub limit: Option<i64>,
    pub offset: i64,
}

/// Open, unanswered and past its due date on `today`.
pub fn overdue(state: ConcernState, due_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    state.unanswered() && due_on.is_some_and(|d| d < today)
}

/// The error of a step the state does not allow, naming the ones it does.
pub fn refused_step(state: ConcernState, action: ConcernAction) -> String {
    let allowed: Vec<&str> = state.allowed().iter().map(|a| a.as_str()).collect();
    format!(
        "a concern that is {} cannot be {}; allowed now: {}",
        state.as_str(),
        match action {
            ConcernAction::Assign => "assigned",
            ConcernAction::Accept => "accepted",
            ConcernAction::SendBack => "sent back",
            ConcernAction::Answer => "answered",
            ConcernAction::CallBack => "called back",
            ConcernAction::Close => "closed",
            ConcernAction::Reopen => "reopened",
        },
        allowed.join(", ")
    )
}

/// The fields one step needs, checked; the step's own errors name its fields.
pub fn check_step(step: &ConcernStep, today: NaiveDate) -> Result<(), FieldErrors> {
    let mut errors = Vec::new();
    let mut need = |field: &str, present: bool| {
        if !present {
            errors.push(FieldError::new(
                field,
                format!("is required to {}", step.action.as_str().replace('_', " ")),
            ));
        }
    };
    match step.action {
        ConcernAction::Assign => {
            need(
                "office",
                step.office.as_deref().is_some_and(|o| !o.trim().is_empty()),
            );
            need(
                "handler",
                step.handler
                    .as_deref()
                    .is_some_and(|h| !h.trim().is_empty()),
            );
            need("due_on", step.due_on.is_some());
            if let Some(due) = step.due_on
                && due < today
            {
                errors.push(FieldError::new("due_on", "must not be in the past"));
            }
        }
        ConcernAction::SendBack | ConcernAction::Reopen => {
            need(
                "reason",
                step.reason.as_deref().is_some_and(|r| !r.trim().is_empty()),
            );
        }
        ConcernAction::Answer => {
            need(
                "answer",
                step.answer.as_deref().is_some_and(|a| !a.trim().is_empty()),
            );
        }
        ConcernAction::CallBack => need("satisfaction", step.satisfaction.is_some()),
        ConcernAction::Accept | ConcernAction::Close => {}
    }
    for (field, value, max) in [
        ("office", &step.office, MAX_LINE_CHARS),
        ("handler", &step.handler, 64),
        ("adopted_measure", &step.adopted_measure, MAX_LINE_CHARS),
    ] {
        if let Some(v) = value {
            check_line(&mut errors, field, v, 1, max);
        }
    }
    for (field, value) in [("answer", &step.answer), ("reason", &step.reason)] {
        if let Some(v) = value {
            check_text(&mut errors, field, v, MAX_TEXT_CHARS);
        }
    }
    FieldErrors::from_vec(errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loop_allows_only_its_next_steps() {
        use ConcernAction as A;
        use ConcernState as S;
        assert_eq!(S::Registered.allowed(), &[A::Assign]);
        assert!(
            !S::Answered.allowed().contains(&A::Close),
            "close only after the call-back"
        );
        assert!(S::CalledBack.allowed().contains(&A::Close));
        assert!(S::Closed.allowed().contains(&A::Reopen));
        let message = refused_step(S::Answered, A::Close);
        assert!(message.contains("allowed now: call_back"), "{message}");
    }

    #[test]
    fn masks_keep_the_family_name_and_the_phone_ends() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("8123"), "****23");
        let r = Resident {
            name: Some("李四".into()),
            phone: None,
        };
        assert_eq!(format!("{r:?}"), "Resident { .. }");
    }
}
