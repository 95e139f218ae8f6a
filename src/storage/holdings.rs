//! What a database already holds, counted: the demo county is made only in an empty one.

use super::{Db, StorageError, with_pool};

/// How many decisions (archived ones too), accounts and petition records are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holdings {
    pub decisions: i64,
    pub users: i64,
    pub petitions: i64,
}

impl Holdings {
    pub fn is_empty(&self) -> bool {
        self.decisions == 0 && self.users == 0 && self.petitions == 0
    }
}

impl Db {
    pub async fn holdings(&self) -> Result<Holdings, StorageError> {
        const SQL: &str = "SELECT (SELECT COUNT(*) FROM decisions), (SELECT COUNT(*) FROM users), \
                           (SELECT COUNT(*) FROM petitions)";
        let (decisions, users, petitions): (i64, i64, i64) =
            with_pool!(self, pool => sqlx::query_as(SQL).fetch_one(pool).await)?;
        Ok(Holdings {
            decisions,
            users,
            petitions,
        })
    }
}
