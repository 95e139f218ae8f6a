//! Decision attributes: named numbers or booleans that evidence rules of the risk models read.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::FieldError;

/// How the API description writes an [`AttributeValue`]: a number or a yes/no (`AttributeValue` serializes by
/// hand, so its schema is declared on this twin, which is never built).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[schema(as = AttributeValue)]
#[allow(dead_code)]
pub enum AttributeValueSchema {
    Number(f64),
    Flag(bool),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AttributeValue {
    Number(f64),
    Flag(bool),
}

impl AttributeValue {
    pub fn as_number(self) -> Option<f64> {
        match self {
            Self::Number(n) => Some(n),
            Self::Flag(_) => None,
        }
    }

    /// Flags count as 1 (true) and 0 (false) against a model's breakpoints.
    pub fn as_f64(self) -> f64 {
        match self {
            Self::Number(n) => n,
            Self::Flag(b) => f64::from(u8::from(b)),
        }
    }
}

impl Serialize for AttributeValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Number(n) => s.serialize_f64(*n),
            Self::Flag(b) => s.serialize_bool(*b),
        }
    }
}

impl<'de> Deserialize<'de> for AttributeValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl Visitor<'_> for ValueVisitor {
            type Value = AttributeValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or true/false")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(AttributeValue::Flag(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(AttributeValue::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(AttributeValue::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(AttributeValue::Number(v))
            }
        }
        d.deserialize_any(ValueVisitor)
    }
}

/// The kind of value each well-known attribute must hold; other names are free numbers or flags.
enum Expect {
    Share,
    NonNegative,
    Flag,
}

fn expectation(name: &str) -> Option<Expect> {
    match name {
        "signing_rate" | "support_rate" => Some(Expect::Share),
        "compensation_ratio" | "public_notice_days" | "arrears_months" => Some(Expect::NonNegative),
        "hearing_held" | "funds_in_place" => Some(Expect::Flag),
        _ => None,
    }
}

const MAX_ATTRIBUTES: usize = 100;

pub fn validate_attributes(errors: &mut Vec<FieldError>, attrs: &BTreeMap<String, AttributeValue>) {
    if attrs.len() > MAX_ATTRIBUTES {
        errors.push(FieldError::new(
            "attributes",
            format!("at most {MAX_ATTRIBUTES} attributes are allowed"),
        ));
    }
    for (name, value) in attrs {
        let field = format!("attributes.{name}");
        let well_formed = !name.is_empty()
            && name.len() <= 64
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !well_formed {
            errors.push(FieldError::new(
                "attributes",
                "attribute names are 1–64 characters of a–z, 0–9 and _, starting with a letter",
            ));
            continue;
        }
        let problem = match (expectation(name), value) {
            (_, AttributeValue::Number(n)) if !n.is_finite() => Some("must be a finite number"),
            (Some(Expect::Share), AttributeValue::Number(n)) if !(0.0..=1.0).contains(n) => {
                Some("must be a share between 0 and 1")
            }
            (Some(Expect::NonNegative), AttributeValue::Number(n)) if *n < 0.0 => {
                Some("must not be negative")
            }
            (Some(Expect::Share | Expect::NonNegative), AttributeValue::Flag(_)) => {
                Some("must be a number, not true/false")
            }
            (Some(Expect::Flag), AttributeValue::Number(_)) => Some("must be true or false"),
            _ => None,
        };
        if let Some(message) = problem {
            errors.push(FieldError::new(field, message));
        }
    }
}
