//! The authenticated caller of a request.

use std::collections::BTreeSet;

use uuid::Uuid;

use crate::domain::account::{Role, Scope};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session; writes must repeat its CSRF token in a header.
    Session {
        session_id: Uuid,
        csrf_token: String,
    },
    /// An API token sent as `Authorization: Bearer …`.
    Token { token_id: Uuid },
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
    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.roles.contains(r))
    }

    pub fn is_admin(&self) -> bool {
        self.roles.contains(&Role::Admin)
    }
}
