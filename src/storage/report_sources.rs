//! Everything a report is made from, read once: the stored assessment, its model snapshot, the
//! resolutions signed against it and, per scenario of its decision, the newest assessment made
//! up to it. All are immutable records, so the report they make is reproducible.

use std::collections::BTreeMap;

use super::assessments::StoredAssessment;
use super::{Db, StorageError};
use crate::domain::resolution::Resolution;

/// Assessments of one decision looked at for the scenario comparison.
const SCENARIO_LOOKBACK: u32 = 10_000;

pub struct ReportSources {
    pub stored: StoredAssessment,
    pub model_snapshot: String,
    /// Signed against this assessment, oldest first.
    pub resolutions: Vec<Resolution>,
    /// The newest assessment of each scenario made up to this one (this one included), oldest first.
    pub scenario_assessments: Vec<StoredAssessment>,
}

impl Db {
    pub async fn report_sources(
        &self,
        stored: StoredAssessment,
    ) -> Result<ReportSources, StorageError> {
        let model_snapshot = self.model_snapshot(&stored.head.model_hash).await?;
        let mut resolutions: Vec<Resolution> = self
            .resolutions(stored.head.decision_id)
            .await?
            .into_iter()
            .filter(|r| r.assessment_id == stored.head.id)
            .collect();
        resolutions.reverse();
        // `seq` orders assessments exactly; later ones never change what this report shows.
        let heads = self
            .assessments_of(
                stored.head.decision_id,
                Some(stored.head.seq + 1),
                SCENARIO_LOOKBACK,
            )
            .await?;
        let mut newest = BTreeMap::new();
        for head in heads {
            newest
                .entry(head.scenario_id)
                .or_insert((head.seq, head.id));
        }
        let mut chosen: Vec<(i64, uuid::Uuid)> = newest.into_values().collect();
        chosen.sort();
        let mut scenario_assessments = Vec::with_capacity(chosen.len());
        for (_, id) in chosen {
            scenario_assessments.push(self.assessment(id).await?);
        }
        Ok(ReportSources {
            stored,
            model_snapshot,
            resolutions,
            scenario_assessments,
        })
    }
}
