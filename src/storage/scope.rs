//! Region scoping in SQL: a decision is inside a scope when every region it affects starts with
//! one of the scope's prefixes.

use sqlx::{Database, Encode, QueryBuilder, Type};

use crate::domain::account::Scope;

/// Appends a condition true when the decision whose id is in `decision_id` lies inside `scope`
/// (always true for the everywhere scope).
pub fn push_in_scope<DB: Database>(query: &mut QueryBuilder<DB>, decision_id: &str, scope: &Scope)
where
    for<'t> String: Encode<'t, DB> + Type<DB>,
{
    if scope.is_everywhere() {
        query.push(" 1 = 1");
        return;
    }
    query.push(format!(
        " NOT EXISTS (SELECT 1 FROM decision_regions sr WHERE sr.decision_id = {decision_id} AND NOT ("
    ));
    for (i, prefix) in scope.prefixes().iter().enumerate() {
        if i > 0 {
            query.push(" OR ");
        }
        // Digits sort before ':', so [prefix, prefix + ':') holds exactly the codes with that prefix.
        query
            .push("(sr.code >= ")
            .push_bind(prefix.clone())
            .push(" AND sr.code < ")
            .push_bind(format!("{prefix}:"))
            .push(")");
    }
    query.push("))");
}
