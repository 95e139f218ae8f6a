//! The risk models in service, loaded once at start (from a folder of files, or the models built into the
//! binary) and looked up by id, by content hash and by decision kind.

use std::path::PathBuf;

use super::AppError;
use crate::auth::permission::ReadModels;
use crate::domain::decision::{Decision, DecisionKind};
use crate::domain::principal::Principal;
use crate::scoring::Model;

/// Where the models in service came from; shown on `/api/v1/models` and in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelSource {
    /// The `*.toml` files of this folder.
    Folder(PathBuf),
    /// The models compiled into the binary, used when no folder was configured and `./models` is absent.
    Bundled,
}

impl ModelSource {
    pub fn describe(&self) -> String {
        match self {
            Self::Folder(dir) => format!("folder {}", dir.display()),
            Self::Bundled => "the models built into the binary".to_owned(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ModelRegistry {
    models: Vec<Model>,
    source: ModelSource,
}

impl ModelRegistry {
    pub fn new(models: Vec<Model>, source: ModelSource) -> Self {
        Self { models, source }
    }

    pub fn source(&self) -> &ModelSource {
        &self.source
    }

    pub fn all(&self) -> &[Model] {
        &self.models
    }

    pub fn by_id(&self, id: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.id() == id)
    }

    /// A model in service with exactly this content, if any: restoring an assessment made with it then needs
    /// no snapshot to be parsed.
    pub fn by_hash(&self, hash: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.hash() == hash)
    }

    /// The models that may assess a decision of this kind.
    pub fn for_kind(&self, kind: DecisionKind) -> Vec<&Model> {
        self.models.iter().filter(|m| m.kind() == kind).collect()
    }

    /// Whether any model for the kind has this factor.
    pub fn knows_factor(&self, kind: DecisionKind, factor: &str) -> bool {
        self.for_kind(kind)
            .iter()
            .any(|m| m.factor_index(factor).is_some())
    }

    /// Whether any model for the kind has this measure.
    pub fn knows_measure(&self, kind: DecisionKind, measure: &str) -> bool {
        self.for_kind(kind)
            .iter()
            .any(|m| m.measure(measure).is_some())
    }

    /// The factors a measure addresses, from the first of the kind's models that has it; sorted, once each.
    pub fn factors_of_measure(&self, kind: DecisionKind, measure: &str) -> Vec<String> {
        let mut factors: Vec<String> = self
            .for_kind(kind)
            .into_iter()
            .find_map(|m| m.measure(measure))
            .map(|m| m.effects.iter().map(|e| e.factor.clone()).collect())
            .unwrap_or_default();
        factors.sort();
        factors.dedup();
        factors
    }

    /// The pinned model (a 422 on `field` when none has that id), or the first model for the decision's kind.
    pub fn choose(
        &self,
        pinned: Option<&str>,
        decision: &Decision,
        field: &str,
    ) -> Result<&Model, AppError> {
        match pinned {
            Some(id) => self.by_id(id).ok_or_else(|| {
                AppError::invalid(
                    field,
                    format!(
                        "no model with id '{}' is loaded",
                        id.chars().take(60).collect::<String>()
                    ),
                )
            }),
            None => self.default_for(decision.fields.kind),
        }
    }

    /// The first model for the kind (files are read in name order), or a 409 when none is loaded.
    pub fn default_for(&self, kind: DecisionKind) -> Result<&Model, AppError> {
        self.for_kind(kind).into_iter().next().ok_or_else(|| {
            AppError::Conflict(format!(
                "no risk model is loaded for decisions of kind {}",
                kind.as_str()
            ))
        })
    }
}

/// The models in service, for anyone who may read them.
pub fn list<'c>(
    registry: &'c ModelRegistry,
    principal: &Principal,
) -> Result<&'c [Model], AppError> {
    super::authorize::<ReadModels>(principal)?;
    Ok(registry.all())
}

/// One model in service by id.
pub fn get<'c>(
    registry: &'c ModelRegistry,
    principal: &Principal,
    id: &str,
) -> Result<&'c Model, AppError> {
    super::authorize::<ReadModels>(principal)?;
    registry.by_id(id).ok_or_else(|| {
        AppError::NotFound(format!(
            "no model with id '{}'",
            id.chars().take(60).collect::<String>()
        ))
    })
}
