//! Accounts: who a user is, what roles they hold, and which regions they may see.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::region::{RegionCode, parse_prefix};

/// The roles of DESIGN §1; a user may hold several.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Users and roles, risk models, petition imports.
    Admin,
    /// Registers decisions, drafts scenarios, runs assessments, plans mitigation.
    Planner,
    /// Rates risk factors.
    Expert,
    /// Checks assessments and downloads reports.
    Reviewer,
    /// Records the committee's resolution.
    Committee,
    /// A township office (承办单位): accepts, sends back and answers the concerns assigned to it.
    Office,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Planner,
        Role::Expert,
        Role::Reviewer,
        Role::Committee,
        Role::Office,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Planner => "planner",
            Self::Expert => "expert",
            Self::Reviewer => "reviewer",
            Self::Committee => "committee",
            Self::Office => "office",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The division-code prefixes a user may see; empty means everywhere.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct Scope(Vec<String>);

impl Scope {
    pub fn parse(prefixes: &[String]) -> Result<Self, String> {
        let mut parsed = Vec::with_capacity(prefixes.len());
        for prefix in prefixes {
            parsed.push(parse_prefix(prefix)?);
        }
        parsed.sort();
        parsed.dedup();
        Ok(Self(parsed))
    }

    pub fn everywhere() -> Self {
        Self(Vec::new())
    }

    pub fn is_everywhere(&self) -> bool {
        self.0.is_empty()
    }

    pub fn prefixes(&self) -> &[String] {
        &self.0
    }

    pub fn covers_code(&self, code: &str) -> bool {
        self.is_everywhere() || self.0.iter().any(|p| code.starts_with(p.as_str()))
    }

    /// A decision is inside the scope when every region it affects is.
    pub fn covers(&self, regions: &[RegionCode]) -> bool {
        regions.iter().all(|r| self.covers_code(r.as_str()))
    }
}

/// A login name: 1–64 characters of letters, digits, `.`, `_`, `-` (Chinese names allowed).
pub fn parse_username(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(name.to_owned())
    } else {
        Err("a username is 1–64 letters, digits, '.', '_' or '-'".into())
    }
}

/// A stored account, without its password hash.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    #[schema(value_type = Vec<Role>)]
    pub roles: BTreeSet<Role>,
    pub scope: Scope,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// An API token as listed: never the token itself, which is shown once at creation.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ApiToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_covers_a_decision_only_when_it_covers_every_region() {
        let county = Scope::parse(&["330199".into()]).unwrap();
        let inside = [RegionCode::parse("330199001").unwrap()];
        let straddling = [
            RegionCode::parse("330199001").unwrap(),
            RegionCode::parse("330200").unwrap(),
        ];
        assert!(county.covers(&inside));
        assert!(!county.covers(&straddling));
        assert!(Scope::everywhere().covers(&straddling));
        assert!(Scope::parse(&["33x".into()]).is_err());
    }
}

/// What an administrator may change about a user.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub roles: Option<BTreeSet<Role>>,
    pub scope: Option<Scope>,
    pub disabled: Option<bool>,
    pub password_hash: Option<String>,
}

/// The failed sign-ins counted against one throttle key since its window started.
#[derive(Debug, Clone, PartialEq)]
pub struct ThrottleWindow {
    pub key: String,
    pub started: DateTime<Utc>,
    pub failures: i32,
}
