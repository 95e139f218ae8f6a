//! Reading the risk models at start: the `*.toml` files of the configured folder, or — when no folder is
//! configured and `./models` is absent (the binary started outside the repository) — the models built into
//! the binary. The scoring module parses text; this is the one place that reads model files.

use std::path::{Path, PathBuf};

use crate::app::{ModelRegistry, ModelSource};
use crate::ledger::vocabulary::VOCABULARY;
use crate::scoring::{Model, ModelError, ModelErrorKind, bundled_models};

/// The folder read when none is configured.
pub const DEFAULT_FOLDER: &str = "./models";

/// The models in service: those of `configured`, or of `./models`, or the bundled ones when neither is given
/// nor present. An invalid model is an error listing every problem found.
pub fn load(configured: Option<&Path>) -> anyhow::Result<ModelRegistry> {
    let dir = match configured {
        Some(dir) => dir.to_path_buf(),
        None if Path::new(DEFAULT_FOLDER).is_dir() => PathBuf::from(DEFAULT_FOLDER),
        None => {
            let models = bundled_models().map_err(|errors| {
                anyhow::anyhow!("the bundled risk models are invalid:\n  {}", list(&errors))
            })?;
            tracing::info!(
                models = models.len(),
                "no models folder configured and ./models is absent: serving the models built into the binary"
            );
            return Ok(ModelRegistry::new(models, ModelSource::Bundled));
        }
    };
    let (models, errors) = read_folder(&dir);
    if !errors.is_empty() {
        anyhow::bail!(
            "the risk models in {} are invalid:\n  {}",
            dir.display(),
            list(&errors)
        );
    }
    if models.is_empty() {
        anyhow::bail!("no risk models (*.toml) found in {}", dir.display());
    }
    tracing::info!(models = models.len(), folder = %dir.display(), "risk models loaded");
    Ok(ModelRegistry::new(models, ModelSource::Folder(dir)))
}

fn list(errors: &[ModelError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n  ")
}

fn io_error(file: String, e: std::io::Error) -> ModelError {
    ModelError {
        file,
        line: None,
        path: String::new(),
        kind: ModelErrorKind::Io {
            message: e.to_string(),
        },
    }
}

/// Every `*.toml` in `dir` (sorted by name): the valid models and all errors of the others, plus a
/// duplicate-id error when two files declare the same model id.
pub fn read_folder(dir: &Path) -> (Vec<Model>, Vec<ModelError>) {
    let mut models: Vec<Model> = Vec::new();
    let mut errors = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return (models, vec![io_error(dir.display().to_string(), e)]),
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let texts = paths.into_iter().map(|path| {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let text = std::fs::read_to_string(&path).map_err(|e| io_error(name.clone(), e));
        (name, text)
    });
    for (name, text) in texts {
        let parsed = text
            .map_err(|e| vec![e])
            .and_then(|text| Model::from_toml_str(&name, &text).map_err(|e| e.0));
        match parsed {
            Ok(m) if models.iter().any(|x| x.id() == m.id()) => errors.push(ModelError {
                file: name,
                line: Some(1),
                path: "id".into(),
                kind: ModelErrorKind::DuplicateId {
                    what: "model".into(),
                    id: m.id().into(),
                },
            }),
            Ok(m) => {
                let unknown = unknown_topics(&name, &m);
                if unknown.is_empty() {
                    models.push(m);
                } else {
                    errors.extend(unknown);
                }
            }
            Err(e) => errors.extend(e),
        }
    }
    (models, errors)
}

/// A ledger rule's topics must be topics of the concern vocabulary, else its share would count nothing.
fn unknown_topics(file: &str, model: &Model) -> Vec<ModelError> {
    use crate::scoring::model::EvidenceRule;
    let mut errors = Vec::new();
    for (k, factor) in model.spec().factors.iter().enumerate() {
        let EvidenceRule::Ledger(rule) = &factor.evidence else {
            continue;
        };
        for topic in rule.topics.iter().filter(|t| !VOCABULARY.knows_topic(t)) {
            errors.push(ModelError {
                file: file.to_owned(),
                line: None,
                path: format!("factors[{k}].evidence.topics"),
                kind: ModelErrorKind::Evidence {
                    factor: factor.id.clone(),
                    message: format!("'{topic}' is not a topic of assets/concern-vocabulary.toml"),
                },
            });
        }
    }
    errors
}
