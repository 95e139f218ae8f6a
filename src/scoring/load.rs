//! Model text → validated [`Model`]s, with every error located by file, line and key path.

use toml::de::DeTable;

use super::canonical::content_hash;
use super::error::{ModelError, ModelErrorKind, ModelErrors};
use super::model::{Model, ModelSpec};
use super::spans::{SpanIndex, line_of_offset};
use super::validate::{Problems, missing_declarations, validate};

impl Model {
    /// Parses and validates one model file; `name` is the file name used in errors.
    pub fn from_toml_str(name: &str, text: &str) -> Result<Model, ModelErrors> {
        let (table, syntax) = DeTable::parse_recoverable(text);
        if !syntax.is_empty() {
            let errors = syntax
                .iter()
                .map(|e| ModelError {
                    file: name.into(),
                    line: e.span().map(|s| line_of_offset(text, s.start)),
                    path: String::new(),
                    kind: ModelErrorKind::Syntax {
                        message: e.message().trim().to_string(),
                    },
                })
                .collect();
            return Err(ModelErrors(errors));
        }
        let spans = SpanIndex::build(text, table.get_ref());
        let spec: ModelSpec = toml::from_str(text).map_err(|e| {
            ModelErrors(vec![ModelError {
                file: name.into(),
                line: e.span().map(|s| line_of_offset(text, s.start)),
                path: String::new(),
                kind: ModelErrorKind::Structure {
                    message: e.message().trim().to_string(),
                },
            }])
        })?;
        // Only a file must declare every table: snapshots of models written before some existed lack them.
        let missing = missing_declarations(&spec);
        build(name, spec, &spans, missing)
    }

    /// Validates a spec that did not come from a file (e.g. a stored snapshot).
    pub fn from_spec(name: &str, spec: ModelSpec) -> Result<Model, ModelErrors> {
        build(name, spec, &SpanIndex::empty(), Vec::new())
    }

    /// Restores a stored snapshot (the JSON of a [`Model`]), re-deriving weights and checking the hash.
    pub fn from_snapshot_json(text: &str) -> Result<Model, ModelErrors> {
        serde_json::from_str(text).map_err(|e| {
            ModelErrors(vec![ModelError {
                file: "snapshot".into(),
                line: Some(e.line()),
                path: String::new(),
                kind: ModelErrorKind::Structure {
                    message: e.to_string(),
                },
            }])
        })
    }
}

fn build(
    name: &str,
    spec: ModelSpec,
    spans: &SpanIndex,
    missing: Problems,
) -> Result<Model, ModelErrors> {
    let validated = match (validate(&spec), missing.is_empty()) {
        (Ok(derived), true) => Ok(derived),
        (Ok(_), false) => Err(missing),
        (Err(mut problems), _) => {
            problems.extend(missing);
            Err(problems)
        }
    };
    let derived = validated.map_err(|problems| {
        let mut errors: Vec<ModelError> = problems
            .into_iter()
            .map(|(path, kind)| ModelError {
                file: name.into(),
                line: spans.line(&path),
                path,
                kind,
            })
            .collect();
        errors.sort_by_key(|e| e.line);
        ModelErrors(errors)
    })?;
    let hash = content_hash(&spec).map_err(|e| {
        ModelErrors(vec![ModelError {
            file: name.into(),
            line: None,
            path: String::new(),
            kind: ModelErrorKind::Structure {
                message: format!("cannot serialise for hashing: {e}"),
            },
        }])
    })?;
    Ok(Model::new(spec, hash, derived))
}
