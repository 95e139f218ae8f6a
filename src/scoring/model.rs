//! The validated [`Model`]: its declared spec, its content hash and what was derived at load.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ahp::AhpResult;
use super::error::{ModelErrorKind, ModelErrors};
pub use super::spec::*;

/// What validation derives from a spec: weights, AHP reports, parsed matrices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivedModel {
    /// In `dimensions` order.
    pub dimension_weights: Vec<f64>,
    /// In `factors` order.
    pub factor_weights: Vec<FactorWeight>,
    pub ahp_blocks: Vec<AhpBlockReport>,
    pub factor_matrix: Vec<Vec<Level>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuzzy_levels: Option<Vec<Level>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorWeight {
    pub factor: String,
    pub dimension_index: usize,
    pub local: f64,
    /// dimension weight × local weight
    pub global: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AhpBlockReport {
    /// `dimensions` or the dimension id whose factors it weighs.
    pub block: String,
    pub order: Vec<String>,
    pub result: AhpResult,
}

/// A validated model: its declared spec, its content hash and what was derived at load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ModelSnapshot")]
pub struct Model {
    spec: ModelSpec,
    hash: String,
    derived: DerivedModel,
}

/// The stored form of a model; deserialising re-derives from the spec and checks the hash.
#[derive(Deserialize)]
struct ModelSnapshot {
    spec: ModelSpec,
    hash: String,
}

impl TryFrom<ModelSnapshot> for Model {
    type Error = ModelErrors;

    fn try_from(s: ModelSnapshot) -> Result<Self, Self::Error> {
        let model = Model::from_spec("snapshot", s.spec)?;
        if model.hash != s.hash {
            return Err(ModelErrors(vec![super::error::ModelError {
                file: "snapshot".into(),
                line: None,
                path: String::new(),
                kind: ModelErrorKind::HashMismatch {
                    stored: s.hash,
                    computed: model.hash,
                },
            }]));
        }
        Ok(model)
    }
}

/// The listing entry for `GET /api/v1/models`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSummary {
    pub id: String,
    pub version: String,
    pub kind: DecisionKind,
    pub name: Names,
    pub method: Method,
    pub hash: String,
}

impl Model {
    pub(crate) fn new(spec: ModelSpec, hash: String, derived: DerivedModel) -> Model {
        Model {
            spec,
            hash,
            derived,
        }
    }

    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }
    pub fn derived(&self) -> &DerivedModel {
        &self.derived
    }
    pub fn id(&self) -> &str {
        &self.spec.id
    }
    pub fn kind(&self) -> DecisionKind {
        self.spec.kind
    }
    /// SHA-256 (hex) of the canonical content.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    pub fn summary(&self) -> ModelSummary {
        ModelSummary {
            id: self.spec.id.clone(),
            version: self.spec.version.clone(),
            kind: self.spec.kind,
            name: self.spec.name.clone(),
            method: self.spec.method,
            hash: self.hash.clone(),
        }
    }

    /// The decision attributes the factors' evidence rules read, in factor order, each once.
    pub fn attributes_read(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for f in &self.spec.factors {
            if let EvidenceRule::Attribute(a) = &f.evidence
                && !names.contains(&a.attribute.as_str())
            {
                names.push(&a.attribute);
            }
        }
        names
    }

    pub fn factor_index(&self, id: &str) -> Option<usize> {
        self.spec.factors.iter().position(|f| f.id == id)
    }

    pub fn measure(&self, id: &str) -> Option<&MeasureSpec> {
        self.spec.measures.iter().find(|m| m.id == id)
    }

    /// factor id → global weight.
    pub fn global_weights(&self) -> BTreeMap<String, f64> {
        self.derived
            .factor_weights
            .iter()
            .map(|w| (w.factor.clone(), w.global))
            .collect()
    }

    /// Level of a factor from the 5×5 matrix (grades are validated 1..5).
    pub fn matrix_level(&self, probability: u8, impact: u8) -> Level {
        let p = usize::from(probability.clamp(1, 5) - 1);
        let q = usize::from(impact.clamp(1, 5) - 1);
        self.derived
            .factor_matrix
            .get(p)
            .and_then(|row| row.get(q))
            .copied()
            .unwrap_or(Level::High)
    }
}
