//! The input file of `wenping assess FILE.json`: a decision's kind and facts plus ratings and measures.

use serde::{Deserialize, Serialize};

use super::inputs::AssessmentInputs;
use super::model::{DecisionKind, Model};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfflineAssessmentFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub kind: DecisionKind,
    /// Pins a model id; otherwise the model for `kind` is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(flatten)]
    pub inputs: AssessmentInputs,
}

impl OfflineAssessmentFile {
    pub fn from_json(text: &str) -> Result<OfflineAssessmentFile, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The pinned model, or the first model of this decision kind.
    pub fn pick_model<'m>(&self, models: &'m [Model]) -> Option<&'m Model> {
        match &self.model {
            Some(id) => models.iter().find(|m| m.id() == id),
            None => models.iter().find(|m| m.kind() == self.kind),
        }
    }
}
