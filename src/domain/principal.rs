//! The authenticated caller of a request.

use std::collections::BTreeSet;

use uuid::Uuid;

use super::account::{Role, Scope};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session; writes must repeat its CSRF token in a header.
    Session {
        session_id: Uuid,
        csrf_token: String,
    },
    /// An API token sent as `Authorization: Bearer …`.
    Token { token_id: Uuid },
    /// The command line on the server's own machine: whoever can run it can read the database anyway.
    Operator,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: Uuid,
    pub username: String,
    pub roles: BTreeSet<Role>,
    pub scope: Scope,
    pub credential: Credential,
}

impl Principal {
    /// The operator of the machine, acting through the command line: every role, everywhere. Recorded in the
    /// audit log as `cli`.
    pub fn operator() -> Self {
        Self {
            user_id: Uuid::nil(),
            username: "cli".into(),
            roles: super::account::Role::ALL.into_iter().collect(),
            scope: Scope::everywhere(),
            credential: Credential::Operator,
        }
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.roles.contains(r))
    }

    pub fn is_admin(&self) -> bool {
        self.roles.contains(&Role::Admin)
    }
}
