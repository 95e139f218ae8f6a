//! What a report is made from: a stored assessment only (its recorded inputs, its result and the
//! model snapshot it used), never live tables, so the same assessment always gives the same report.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::ReportError;
use crate::scoring::Assessment;
use crate::scoring::model::Model;
use crate::scoring::record::RecordedInputs;
use crate::scoring::tornado::{TornadoBar, tornado};

/// The stored assessment's identity and authorship.
#[derive(Debug, Clone)]
pub struct ReportMeta {
    pub assessment_id: Uuid,
    pub content_hash: String,
    pub created_at: DateTime<Utc>,
    pub author: String,
}

pub struct ReportData {
    pub meta: ReportMeta,
    pub inputs: RecordedInputs,
    pub result: Assessment,
    pub model: Model,
    pub tornado: Vec<TornadoBar>,
}

impl ReportData {
    /// Rebuilds the report's facts from the stored JSON texts and the model snapshot.
    pub fn from_stored(
        meta: ReportMeta,
        inputs: &str,
        result: &str,
        model_snapshot: &str,
    ) -> Result<Self, ReportError> {
        let stored = |what: &str, e: String| ReportError::Stored(format!("{what}: {e}"));
        let inputs: RecordedInputs =
            serde_json::from_str(inputs).map_err(|e| stored("inputs", e.to_string()))?;
        let result: Assessment =
            serde_json::from_str(result).map_err(|e| stored("result", e.to_string()))?;
        let model = Model::from_snapshot_json(model_snapshot)
            .map_err(|e| stored("model snapshot", format!("{e:?}")))?;
        let tornado = tornado(&model, &result);
        Ok(Self {
            meta,
            inputs,
            result,
            model,
            tornado,
        })
    }

    /// A factor's display name.
    pub fn factor_name(&self, id: &str, lang: super::Lang) -> String {
        self.result
            .factors
            .iter()
            .find(|f| f.id == id)
            .map(|f| lang.name(&f.name))
            .unwrap_or_else(|| id.to_owned())
    }
}
