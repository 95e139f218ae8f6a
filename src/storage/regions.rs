//! The region table: division codes with the population petition rates are computed against.

use super::{Db, StorageError, in_write_tx, now, with_pool};
use crate::domain::petition::Region;

#[derive(sqlx::FromRow)]
struct RegionRow {
    code: String,
    name: String,
    population: i64,
    households: i64,
}

impl From<RegionRow> for Region {
    fn from(r: RegionRow) -> Self {
        Region {
            code: r.code,
            name: r.name,
            population: r.population,
            households: r.households,
        }
    }
}

impl Db {
    /// Inserts or replaces regions by code, in one transaction; returns how many were written.
    pub async fn upsert_regions(&self, regions: &[Region]) -> Result<usize, StorageError> {
        let at = now();
        in_write_tx!(self, tx => {
            for r in regions {
                sqlx::query(
                    "INSERT INTO regions (code, name, population, households, updated_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, population = excluded.population, \
                     households = excluded.households, updated_at = excluded.updated_at",
                )
                .bind(&r.code)
                .bind(&r.name)
                .bind(r.population)
                .bind(r.households)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(regions.len())
    }

    /// The regions among these codes that the table knows.
    pub async fn regions(&self, codes: &[String]) -> Result<Vec<Region>, StorageError> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<RegionRow> = with_pool!(self, pool => {
            let mut query = sqlx::QueryBuilder::new("SELECT code, name, population, households FROM regions WHERE code IN (");
            let mut list = query.separated(", ");
            for c in codes {
                list.push_bind(c.as_str());
            }
            query.push(") ORDER BY code");
            query.build_query_as().fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(Region::from).collect())
    }

    /// Every region of the table in code order, at most `limit`: the pickers' choices.
    pub async fn all_regions(&self, limit: i64) -> Result<Vec<Region>, StorageError> {
        let rows: Vec<RegionRow> = with_pool!(self, pool => {
            sqlx::query_as("SELECT code, name, population, households FROM regions ORDER BY code LIMIT $1")
                .bind(limit)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows.into_iter().map(Region::from).collect())
    }
}
