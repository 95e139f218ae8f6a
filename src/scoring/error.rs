//! Errors of the scoring layer: method calculators, model files, assessment inputs.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A calculator input that cannot be computed (becomes a 422); rows and columns are 1-based.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MethodError {
    #[error("the input is empty")]
    Empty,
    #[error("row {row} has {len} entries, expected {expected}")]
    Ragged {
        row: usize,
        len: usize,
        expected: usize,
    },
    #[error("entry at row {row}, column {col} is not a number")]
    NotANumber { row: usize, col: usize },
    #[error(
        "entry at row {row}, column {col} is {value}; pairwise judgments must be positive finite numbers"
    )]
    NotPositive { row: usize, col: usize, value: f64 },
    #[error("entry at row {row}, column {col} is {value}; entries must not be negative")]
    Negative { row: usize, col: usize, value: f64 },
    #[error("entry at row {row}, column {col} is not finite")]
    NotFinite { row: usize, col: usize },
    #[error("the matrix has order {n}; Saaty's RI table covers orders up to {max}")]
    TooLarge { n: usize, max: usize },
    #[error("diagonal entry {i} is {value}; it must be 1")]
    Diagonal { i: usize, value: f64 },
    #[error(
        "entries ({i},{j}) = {a_ij} and ({j},{i}) = {a_ji} are not reciprocal: their product is {product}, not 1"
    )]
    NotReciprocal {
        i: usize,
        j: usize,
        a_ij: f64,
        a_ji: f64,
        product: f64,
    },
    #[error("the power iteration did not converge in {iterations} iterations")]
    NoConvergence { iterations: usize },
    #[error("expert matrix {expert} has order {n}, the first has order {expected}")]
    GroupSizeMismatch {
        expert: usize,
        n: usize,
        expected: usize,
    },
    #[error("expert matrix {expert}: {source}")]
    InExpertMatrix {
        expert: usize,
        source: Box<MethodError>,
    },
    #[error("{what} has {len} entries, expected {expected}")]
    LengthMismatch {
        what: &'static str,
        len: usize,
        expected: usize,
    },
    #[error("weight {index} is {value}; weights must be finite and not negative")]
    BadWeight { index: usize, value: f64 },
    #[error("the weights sum to {sum}, not 1")]
    WeightsSum { sum: f64 },
    #[error("at least {min} alternatives are needed, got {got}")]
    TooFewAlternatives { min: usize, got: usize },
    #[error("every indicator is constant across the alternatives, so no indicator discriminates")]
    NoVariation,
}

/// What is wrong in a model file; each variant names the id it is about.
#[derive(Debug, Clone, PartialEq, Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ModelErrorKind {
    #[error("TOML syntax: {message}")]
    Syntax { message: String },
    #[error("structure: {message}")]
    Structure { message: String },
    #[error("{what} id `{id}` is empty or used more than once")]
    DuplicateId { what: String, id: String },
    #[error("factor `{factor}` names unknown dimension `{dimension}`")]
    UnknownDimension { factor: String, dimension: String },
    #[error("{scope}: weights sum to {sum}, not 1 (±1e-6)")]
    WeightsSum { scope: String, sum: f64 },
    #[error("{scope}: {message}")]
    Weights { scope: String, message: String },
    #[error("AHP block `{block}`: {message}")]
    AhpMatrix { block: String, message: String },
    #[error(
        "AHP block `{block}`: CR {cr:.4} ≥ {limit} (ahp.consistency_limit); most inconsistent pair ({a}, {b}): judged {judgment}, the weights imply {implied:.3}"
    )]
    AhpInconsistent {
        block: String,
        cr: f64,
        /// The model's `ahp.consistency_limit`.
        limit: f64,
        a: String,
        b: String,
        judgment: f64,
        implied: f64,
    },
    #[error("level thresholds out of order: need 0 < medium ({medium}) < high ({high}) ≤ 1")]
    Thresholds { medium: f64, high: f64 },
    #[error("factor matrix: {message}")]
    FactorMatrix { message: String },
    #[error("measure `{measure}` names unknown factor `{factor}`")]
    UnknownFactorInMeasure { measure: String, factor: String },
    #[error("measure `{measure}`: {message}")]
    Measure { measure: String, message: String },
    #[error("factor `{factor}`: breakpoints {breakpoints:?} are not strictly increasing")]
    BreakpointsUnsorted {
        factor: String,
        breakpoints: Vec<f64>,
    },
    #[error("factor `{factor}`: {message}")]
    Evidence { factor: String, message: String },
    #[error("grade scale `{scale}`: {message}")]
    GradeScale { scale: String, message: String },
    #[error("{section}: {message}")]
    Section { section: String, message: String },
    #[error("snapshot hash {stored} does not match the content hash {computed}")]
    HashMismatch { stored: String, computed: String },
    #[error("cannot read: {message}")]
    Io { message: String },
}

/// One problem in one model file, located as precisely as the file allows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelError {
    pub file: String,
    /// 1-based line, when the parser gave a span or the key could be found.
    pub line: Option<usize>,
    /// Path of the offending key, e.g. `factors[3].dimension`.
    pub path: String,
    pub kind: ModelErrorKind,
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: ", self.file, line)?,
            None => write!(f, "{}: ", self.file)?,
        }
        if !self.path.is_empty() {
            write!(f, "[{}] ", self.path)?;
        }
        write!(f, "{}", self.kind)
    }
}

impl std::error::Error for ModelError {}

/// Every problem found in one model, in file order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelErrors(pub Vec<ModelError>);

impl fmt::Display for ModelErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, e) in self.0.iter().enumerate() {
            if k > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ModelErrors {}

/// An assessment input the model cannot accept (becomes a 422 naming the id).
#[derive(Debug, Clone, PartialEq, Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum InputError {
    #[error("expert `{expert}` rates unknown factor `{factor}`")]
    UnknownRatedFactor { expert: String, factor: String },
    #[error("indicator given for unknown factor `{factor}`")]
    UnknownIndicatorFactor { factor: String },
    #[error("unknown measure `{measure}`")]
    UnknownMeasure { measure: String },
    #[error("measure `{measure}` is chosen more than once")]
    DuplicateMeasure { measure: String },
    #[error("expert `{expert}`, factor `{factor}`: {field} grade {value} is outside 1..5")]
    GradeOutOfRange {
        expert: String,
        factor: String,
        field: String,
        value: u8,
    },
    #[error("expert `{expert}`, factor `{factor}`: low grade {low} is above high grade {high}")]
    RangeInverted {
        expert: String,
        factor: String,
        low: u8,
        high: u8,
    },
    #[error("{name} is not a finite number")]
    NotFinite { name: String },
    #[error("expert id is empty")]
    EmptyExpert,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputErrors(pub Vec<InputError>);

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        write!(f, "{}", parts.join("; "))
    }
}

impl std::error::Error for InputErrors {}

impl ModelErrorKind {
    /// The factor, measure, dimension or AHP block the problem is about, when it is about one.
    pub fn id(&self) -> Option<&str> {
        match self {
            ModelErrorKind::DuplicateId { id, .. } => Some(id),
            ModelErrorKind::UnknownDimension { factor, .. }
            | ModelErrorKind::BreakpointsUnsorted { factor, .. }
            | ModelErrorKind::Evidence { factor, .. } => Some(factor),
            ModelErrorKind::AhpMatrix { block, .. }
            | ModelErrorKind::AhpInconsistent { block, .. } => Some(block),
            ModelErrorKind::UnknownFactorInMeasure { measure, .. }
            | ModelErrorKind::Measure { measure, .. } => Some(measure),
            ModelErrorKind::WeightsSum { scope, .. } | ModelErrorKind::Weights { scope, .. } => {
                Some(scope)
            }
            ModelErrorKind::GradeScale { scale, .. } => Some(scale),
            _ => None,
        }
    }
}
