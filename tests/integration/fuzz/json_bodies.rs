//! Every JSON request body, decoded through the server's own path (`decode_json`: the unique-keys tree, then the
//! strict decoder through serde_path_to_error; a PATCH merged into the current value by `merge_patched`), over
//! the seed bodies in `tests/fuzz-corpus/json/<kind>/`, mutated byte by byte and node by node, and over
//! arbitrary JSON: a value, or a 400/422 that names the field.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use wenping::error::ApiError;
use wenping::http::extract::{decode_json, merge_patched};

use super::mutate::{apply, edits, shown};
use super::{CorpusCase, corpus_dir, corpus_files, found_cases, fuzz};

/// The body kinds of the API, each named as its corpus folder.
pub const KINDS: &[&str] = &[
    "decision",
    "decision_patch",
    "ratings",
    "assess",
    "scenario",
    "scenario_patch",
    "checklist",
    "checklist_patch",
    "resolution",
    "consultation",
    "concern",
    "concern_step",
    "user",
    "user_patch",
    "token",
    "credentials",
    "password",
    "simulation",
    "plan",
    "ahp",
    "fce",
    "entropy",
];

/// The seed bodies of one kind, with the cases found earlier.
pub fn seeds_of(kind: &str) -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = corpus_files(&corpus_dir().join("json").join(kind))
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    assert!(!seeds.is_empty(), "no seed body for {kind}");
    seeds.extend(
        found_cases("json_bodies")
            .into_iter()
            .chain(found_cases("server_bodies"))
            .filter(|(name, _)| name.ends_with(&format!("-{kind}.json")))
            .map(|(_, b)| b),
    );
    seeds
}

fn seed_value(kind: &str) -> Value {
    serde_json::from_slice(&seeds_of(kind)[0]).unwrap()
}

/// Decodes `body` as the route for `kind` does; Ok(true) when it was accepted.
pub fn decode(kind: &str, body: &[u8]) -> Result<bool, ApiError> {
    use wenping::domain::checklist::ItemFields;
    use wenping::domain::concern::{ConcernFields, ConcernStep};
    use wenping::domain::consultation::ConsultationFields;
    use wenping::domain::decision::DecisionFields;
    use wenping::domain::ratings::RatingSheet;
    use wenping::domain::resolution::ResolutionRequest;
    use wenping::domain::scenario::ScenarioFields;
    use wenping::http::analysis::{PlanBody, SimulationBody};
    use wenping::http::assessments::AssessRequest;
    use wenping::http::checklist::NewItems;
    use wenping::http::methods::{AhpRequest, EntropyRequest, FceRequest};
    use wenping::http::numbers::quote_non_finite_literals;
    use wenping::http::session::{Credentials, PasswordChange};
    use wenping::http::users::{NewToken, NewUser, UserPatch};

    fn body_as<T: DeserializeOwned>(body: &[u8]) -> Result<bool, ApiError> {
        decode_json::<T>(body).map(|_| true)
    }
    /// A PATCH: the body is read as a tree, then merged into the current value (here: the first seed of `base`).
    fn patched<T: serde::Serialize + DeserializeOwned>(
        base: &str,
        body: &[u8],
    ) -> Result<bool, ApiError> {
        let current: T = serde_json::from_value(seed_value(base)).unwrap();
        let patch = decode_json::<Value>(body)?;
        merge_patched(&current, patch)
            .map(|_| true)
            .map_err(ApiError::from)
    }
    fn patched_item(body: &[u8]) -> Result<bool, ApiError> {
        let current: ItemFields =
            serde_json::from_value(seed_value("checklist")["items"][0].clone()).unwrap();
        let patch = decode_json::<Value>(body)?;
        merge_patched(&current, patch)
            .map(|_| true)
            .map_err(ApiError::from)
    }
    match kind {
        "decision" => body_as::<DecisionFields>(body),
        "decision_patch" => patched::<DecisionFields>("decision", body),
        "ratings" => body_as::<RatingSheet>(body),
        "assess" => body_as::<AssessRequest>(body),
        "scenario" => body_as::<ScenarioFields>(body),
        "scenario_patch" => patched::<ScenarioFields>("scenario", body),
        "checklist" => body_as::<NewItems>(body),
        "checklist_patch" => patched_item(body),
        "resolution" => body_as::<ResolutionRequest>(body),
        "consultation" => body_as::<ConsultationFields>(body),
        "concern" => body_as::<ConcernFields>(body),
        "concern_step" => body_as::<ConcernStep>(body),
        "user" => body_as::<NewUser>(body),
        "user_patch" => body_as::<UserPatch>(body),
        "token" => body_as::<NewToken>(body),
        "credentials" => body_as::<Credentials>(body),
        "password" => body_as::<PasswordChange>(body),
        "simulation" => body_as::<SimulationBody>(body),
        "plan" => body_as::<PlanBody>(body),
        // The calculators read Python's bare NaN and Infinity first (`CalculatorBody`).
        "ahp" => body_as::<AhpRequest>(&quote_non_finite_literals(body)),
        "fce" => body_as::<FceRequest>(&quote_non_finite_literals(body)),
        "entropy" => body_as::<EntropyRequest>(&quote_non_finite_literals(body)),
        other => panic!("no decoder for {other}"),
    }
}

/// A refusal must be a client error naming at least one field.
pub fn refusal_names_a_field(error: &ApiError) -> Result<(), TestCaseError> {
    let fields: Vec<String> = match error {
        ApiError::BadRequest { errors, .. } => errors.iter().map(|e| e.field.clone()).collect(),
        ApiError::Validation(errors) => errors.0.iter().map(|e| e.field.clone()).collect(),
        other => return Err(TestCaseError::fail(format!("not a 400/422: {other:?}"))),
    };
    prop_assert!(!fields.is_empty(), "a refusal naming no field: {error:?}");
    prop_assert!(
        fields.iter().all(|f| !f.trim().is_empty()),
        "an empty field name: {error:?}"
    );
    Ok(())
}

/// Every key and every string of every seed body: the words arbitrary JSON is made of.
fn vocabulary() -> (Vec<String>, Vec<String>) {
    fn walk(v: &Value, keys: &mut BTreeSet<String>, strings: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    keys.insert(k.clone());
                    walk(v, keys, strings);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, keys, strings)),
            Value::String(s) => {
                strings.insert(s.clone());
            }
            _ => {}
        }
    }
    let mut keys = BTreeSet::new();
    let mut strings = BTreeSet::new();
    for kind in KINDS {
        for seed in seeds_of(kind) {
            if let Ok(v) = serde_json::from_slice::<Value>(&seed) {
                walk(&v, &mut keys, &mut strings);
            }
        }
    }
    (keys.into_iter().collect(), strings.into_iter().collect())
}

/// Arbitrary JSON built from the seeds' words and the edges of numbers and text.
pub fn json_value() -> impl Strategy<Value = Value> {
    let (keys, strings) = vocabulary();
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop_oneof![
            Just(0.0),
            Just(-0.0),
            Just(1e308),
            Just(-1e308),
            Just(5e-324),
            Just(0.5),
            any::<f64>()
        ]
        .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        proptest::sample::select(strings).prop_map(Value::String),
        "[\\PC]{0,24}".prop_map(Value::String),
        prop_oneof![
            Just("".to_owned()),
            Just(" ".to_owned()),
            Just("\u{0}".to_owned()),
            Just("\u{202e}".to_owned()),
            Just("9999-12-31".to_owned()),
            Just("2026-02-29".to_owned()),
            Just("00000000-0000-0000-0000-000000000000".to_owned()),
            Just("9999-12-31T23:59:59Z".to_owned()),
            Just("x".repeat(100_000)),
        ]
        .prop_map(Value::String),
    ];
    let key = prop_oneof![
        3 => proptest::sample::select(keys),
        1 => "[a-z_]{0,10}",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

#[derive(Debug, Clone)]
pub enum NodeEdit {
    Replace(usize, Value),
    Remove(usize),
    /// Add `key` (with a value) to the object at that place.
    Add(usize, String, Value),
}

fn node_edit() -> impl Strategy<Value = NodeEdit> {
    let (keys, _) = vocabulary();
    prop_oneof![
        3 => (any::<usize>(), json_value()).prop_map(|(i, v)| NodeEdit::Replace(i, v)),
        1 => any::<usize>().prop_map(NodeEdit::Remove),
        1 => (any::<usize>(), proptest::sample::select(keys), json_value())
            .prop_map(|(i, k, v)| NodeEdit::Add(i, k, v)),
    ]
}

/// Pointers (RFC 6901) to every node, the root first.
fn pointers(v: &Value, here: String, out: &mut Vec<String>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let k = k.replace('~', "~0").replace('/', "~1");
                pointers(v, format!("{here}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                pointers(v, format!("{here}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn apply_node_edits(mut root: Value, edits: &[NodeEdit]) -> Value {
    for edit in edits {
        let mut all = Vec::new();
        pointers(&root, String::new(), &mut all);
        let at = |i: usize| all[i % all.len()].clone();
        match edit {
            NodeEdit::Replace(i, v) => {
                let p = at(*i);
                if let Some(node) = root.pointer_mut(&p) {
                    *node = v.clone();
                }
            }
            NodeEdit::Remove(i) => {
                let p = at(*i);
                if let Some((parent, last)) = p.rsplit_once('/') {
                    let last = last.replace("~1", "/").replace("~0", "~");
                    match root.pointer_mut(parent) {
                        Some(Value::Object(m)) => {
                            m.remove(&last);
                        }
                        Some(Value::Array(a)) => {
                            if let Ok(i) = last.parse::<usize>() {
                                a.remove(i);
                            }
                        }
                        _ => {}
                    }
                }
            }
            NodeEdit::Add(i, k, v) => {
                let p = at(*i);
                if let Some(Value::Object(m)) = root.pointer_mut(&p) {
                    m.insert(k.clone(), v.clone());
                }
            }
        }
    }
    root
}

#[derive(Clone)]
pub struct JsonCase {
    pub kind: &'static str,
    pub body: Vec<u8>,
}

impl fmt::Debug for JsonCase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, shown(&self.body))
    }
}

impl CorpusCase for JsonCase {
    fn file_name(&self) -> String {
        format!("{}.json", self.kind)
    }
    fn bytes(&self) -> Vec<u8> {
        self.body.clone()
    }
}

/// A body for one of `kinds`: a seed mutated node by node or byte by byte, or arbitrary JSON.
pub fn json_case(kinds: &'static [&'static str]) -> impl Strategy<Value = JsonCase> {
    let seeds: Vec<Vec<Vec<u8>>> = kinds.iter().map(|k| seeds_of(k)).collect();
    let seeds = std::sync::Arc::new(seeds);
    let by_node = {
        let seeds = seeds.clone();
        (
            0..kinds.len(),
            any::<usize>(),
            prop::collection::vec(node_edit(), 1..4),
        )
            .prop_map(move |(k, s, edits)| {
                let seed = &seeds[k][s % seeds[k].len()];
                let tree: Value = serde_json::from_slice(seed).unwrap_or(Value::Null);
                JsonCase {
                    kind: kinds[k],
                    body: serde_json::to_vec(&apply_node_edits(tree, &edits)).unwrap(),
                }
            })
    };
    let by_byte = (0..kinds.len(), any::<usize>(), edits()).prop_map(move |(k, s, edits)| {
        let seed = &seeds[k][s % seeds[k].len()];
        JsonCase {
            kind: kinds[k],
            body: apply(seed, &edits),
        }
    });
    let arbitrary = (0..kinds.len(), json_value()).prop_map(move |(k, v)| JsonCase {
        kind: kinds[k],
        body: serde_json::to_vec(&v).unwrap(),
    });
    prop_oneof![4 => by_node, 3 => by_byte, 1 => arbitrary]
}

#[test]
fn every_seed_body_is_accepted_and_found_cases_are_refused_naming_a_field() {
    for kind in KINDS {
        for (name, seed) in corpus_files(&corpus_dir().join("json").join(kind)) {
            match decode(kind, &seed) {
                Ok(accepted) => assert!(accepted),
                Err(e) => panic!("{name}: the seed body is refused: {e:?}"),
            }
        }
    }
    for (name, body) in found_cases("json_bodies") {
        let kind = KINDS
            .iter()
            .find(|k| name.ends_with(&format!("-{k}.json")))
            .unwrap_or_else(|| panic!("{name}: no kind in the name"));
        if let Err(e) = decode(kind, &body) {
            refusal_names_a_field(&e).unwrap_or_else(|f| panic!("{name}: {f}"));
        }
    }
}

#[test]
fn mutated_and_arbitrary_bodies_decode_or_name_the_field() {
    let (accepted, refused) = (AtomicUsize::new(0), AtomicUsize::new(0));
    fuzz("json_bodies", 256, json_case(KINDS), |case| {
        match decode(case.kind, &case.body) {
            Ok(_) => {
                accepted.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(e) => {
                refused.fetch_add(1, Ordering::Relaxed);
                refusal_names_a_field(&e)
            }
        }
    });
    // Mutations that never decode, or never fail to, would test one side only.
    let (accepted, refused) = (accepted.into_inner(), refused.into_inner());
    assert!(
        accepted > 0 && refused > 0,
        "{accepted} accepted, {refused} refused"
    );
}
