//! The model loader (model TOML text → validated `Model`, and a stored snapshot's JSON → `Model`) over mutated
//! bundled and broken models: a model or errors that each name the file and a line or key path.

use std::fmt;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use wenping::scoring::{Model, ModelErrors};

use super::mutate::{apply, edits, shown};
use super::{CorpusCase, corpus_dir, corpus_files, found_cases, fuzz};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The bundled models, the broken ones the loader's tests keep, any corpus models and the cases found earlier.
fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds: Vec<(String, Vec<u8>)> = corpus_files(&root().join("models"))
        .into_iter()
        .chain(corpus_files(&root().join("tests/fixtures/broken-models")))
        .chain(corpus_files(&corpus_dir().join("models")))
        .chain(found_cases("model_files"))
        .filter(|(name, _)| name.ends_with(".toml"))
        .collect();
    seeds.push((
        "check-vector-model.toml".into(),
        std::fs::read(root().join("tests/fixtures/check-vector-model.toml")).unwrap(),
    ));
    assert!(seeds.len() >= 10, "the model corpus is missing");
    seeds
}

fn bundled() -> Vec<(String, String)> {
    corpus_files(&root().join("models"))
        .into_iter()
        .filter(|(name, _)| name.ends_with(".toml"))
        .map(|(name, bytes)| (name, String::from_utf8(bytes).unwrap()))
        .collect()
}

fn errors_are_located(name: &str, errors: &ModelErrors) -> Result<(), TestCaseError> {
    prop_assert!(!errors.0.is_empty(), "an empty list of errors");
    for error in &errors.0 {
        prop_assert_eq!(&error.file, name);
        prop_assert!(
            error.line.is_some() || !error.path.is_empty(),
            "an error naming neither a line nor a key: {error}"
        );
        prop_assert!(!error.to_string().trim().is_empty());
    }
    Ok(())
}

#[derive(Clone)]
pub struct ModelText {
    name: String,
    bytes: Vec<u8>,
}

impl fmt::Debug for ModelText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, shown(&self.bytes))
    }
}

impl CorpusCase for ModelText {
    fn file_name(&self) -> String {
        self.name
            .rsplit('/')
            .next()
            .unwrap_or("model.toml")
            .to_owned()
    }
    fn bytes(&self) -> Vec<u8> {
        self.bytes.clone()
    }
}

/// A TOML value a model file may hold somewhere, or not: numbers at the edges, wrong types, empty things.
fn toml_value() -> impl Strategy<Value = toml::Value> {
    prop_oneof![
        any::<i64>().prop_map(toml::Value::Integer),
        prop_oneof![
            Just(0.0),
            Just(-0.0),
            Just(1e-300),
            Just(1e300),
            Just(-1.0),
            Just(0.5),
            Just(f64::INFINITY),
            Just(f64::NAN),
            any::<f64>()
        ]
        .prop_map(toml::Value::Float),
        any::<bool>().prop_map(toml::Value::Boolean),
        "[a-z_]{0,12}|[\\PC]{0,8}".prop_map(toml::Value::String),
        Just(toml::Value::Array(Vec::new())),
        prop::collection::vec(0.0..10.0f64, 0..5)
            .prop_map(|v| toml::Value::Array(v.into_iter().map(toml::Value::Float).collect())),
        Just(toml::Value::Table(toml::Table::new())),
    ]
}

#[derive(Debug, Clone)]
enum TreeEdit {
    Replace(usize, toml::Value),
    Remove(usize),
}

/// Every value's place in the tree, as a path of keys and indices, in a fixed order.
fn places(value: &toml::Value, here: Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let mut p = here.clone();
                p.push(k.clone());
                out.push(p.clone());
                places(v, p, out);
            }
        }
        toml::Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                let mut p = here.clone();
                p.push(i.to_string());
                out.push(p.clone());
                places(v, p, out);
            }
        }
        _ => {}
    }
}

fn edit_tree(root: &mut toml::Value, path: &[String], replacement: Option<toml::Value>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = root;
    for key in parents {
        node = match node {
            toml::Value::Table(t) => t.get_mut(key).unwrap(),
            toml::Value::Array(a) => &mut a[key.parse::<usize>().unwrap()],
            _ => return,
        };
    }
    match (node, replacement) {
        (toml::Value::Table(t), Some(v)) => {
            t.insert(last.clone(), v);
        }
        (toml::Value::Table(t), None) => {
            t.remove(last);
        }
        (toml::Value::Array(a), Some(v)) => a[last.parse::<usize>().unwrap()] = v,
        (toml::Value::Array(a), None) => {
            a.remove(last.parse::<usize>().unwrap());
        }
        _ => {}
    }
}

/// A valid model with a few values replaced or removed, written back as TOML: past the parser, into validation.
fn tree_mutated(models: Vec<(String, String)>) -> impl Strategy<Value = ModelText> {
    let edit = prop_oneof![
        3 => (any::<usize>(), toml_value()).prop_map(|(i, v)| TreeEdit::Replace(i, v)),
        1 => any::<usize>().prop_map(TreeEdit::Remove),
    ];
    (0..models.len(), prop::collection::vec(edit, 1..4)).prop_map(move |(k, edits)| {
        let (name, text) = &models[k];
        let mut tree: toml::Value = toml::from_str(text).unwrap();
        for edit in edits {
            let mut all = Vec::new();
            places(&tree, Vec::new(), &mut all);
            if all.is_empty() {
                break;
            }
            match edit {
                TreeEdit::Replace(i, v) => edit_tree(&mut tree, &all[i % all.len()], Some(v)),
                TreeEdit::Remove(i) => edit_tree(&mut tree, &all[i % all.len()], None),
            }
        }
        // A NaN or infinity has no TOML spelling in some writers; such a tree is shown as the error it gives.
        let text = toml::to_string(&tree).unwrap_or_else(|e| format!("# unwritable: {e}\n"));
        ModelText {
            name: name.clone(),
            bytes: text.into_bytes(),
        }
    })
}

fn byte_mutated(seeds: Vec<(String, Vec<u8>)>) -> impl Strategy<Value = ModelText> {
    (0..seeds.len(), edits()).prop_map(move |(k, edits)| ModelText {
        name: seeds[k].0.clone(),
        bytes: apply(&seeds[k].1, &edits),
    })
}

/// Loads the text as startup does (a file that is not UTF-8 is refused before the loader sees it).
fn load(case: &ModelText) -> Result<(), TestCaseError> {
    let Ok(text) = std::str::from_utf8(&case.bytes) else {
        return Ok(());
    };
    match Model::from_toml_str(&case.name, text) {
        Ok(model) => {
            // A model that loads restores from its own snapshot, with the same hash.
            let snapshot = serde_json::to_string(&model).unwrap();
            let restored = Model::from_snapshot_json(&snapshot)
                .map_err(|e| TestCaseError::fail(format!("snapshot refused: {e}")))?;
            prop_assert_eq!(restored.hash(), model.hash());
            Ok(())
        }
        Err(errors) => errors_are_located(&case.name, &errors),
    }
}

#[test]
fn the_bundled_models_load_and_restore_from_their_snapshots() {
    for (name, text) in bundled() {
        let model = Model::from_toml_str(&name, &text).unwrap_or_else(|e| panic!("{e}"));
        load(&ModelText {
            name: name.clone(),
            bytes: text.clone().into_bytes(),
        })
        .unwrap();
        // Comments and layout are not the model: the same tree written out anew is the same model.
        let rewritten = toml::to_string(&toml::from_str::<toml::Value>(&text).unwrap()).unwrap();
        let again = Model::from_toml_str(&name, &rewritten).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.hash(), model.hash(), "{name}");
    }
    for (name, bytes) in seeds() {
        load(&ModelText { name, bytes }).unwrap();
    }
}

#[test]
fn mutated_model_texts_load_or_name_the_line_or_key() {
    fuzz("model_files", 48, byte_mutated(seeds()), |case| load(&case));
}

#[test]
fn models_with_values_replaced_load_or_name_the_key() {
    fuzz("model_trees", 48, tree_mutated(bundled()), |case| {
        load(&case)
    });
}

#[test]
fn mutated_snapshots_restore_or_are_refused() {
    let snapshots: Vec<(String, Vec<u8>)> = bundled()
        .into_iter()
        .map(|(name, text)| {
            let model = Model::from_toml_str(&name, &text).unwrap();
            (name, serde_json::to_vec(&model).unwrap())
        })
        .chain(found_cases("model_snapshots"))
        .collect();
    fuzz("model_snapshots", 32, byte_mutated(snapshots), |case| {
        let Ok(text) = std::str::from_utf8(&case.bytes) else {
            return Ok(());
        };
        if let Err(errors) = Model::from_snapshot_json(text) {
            prop_assert!(!errors.0.is_empty());
        }
        Ok(())
    });
}
