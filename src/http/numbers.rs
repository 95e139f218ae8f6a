//! Request bodies of the method calculators: numbers as JSON numbers, `"a/b"` fractions (as in
//! model files), and non-finite values in the spellings clients emit (`NaN`, `null`, `"Infinity"`),
//! so that each reaches the calculator and is refused with its position rather than as broken JSON.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::{self, DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer};

use super::extract::{JSON_LIMIT, decode_json, require_json};
use crate::error::ApiError;

/// A calculator input number; NaN and infinities are kept so the calculator names their position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number(pub f64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NumberVisitor;
        impl Visitor<'_> for NumberVisitor {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a fraction such as \"1/3\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number(v))
            }
            // JavaScript's JSON.stringify writes NaN and ±Infinity as null.
            fn visit_unit<E: de::Error>(self) -> Result<Number, E> {
                Ok(Number(f64::NAN))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Number, E> {
                parse_number_text(v).map(Number).ok_or_else(|| {
                    E::custom(format!(
                        "\"{}\" is neither a number nor a fraction such as \"1/3\"",
                        v.chars().take(40).collect::<String>()
                    ))
                })
            }
        }
        d.deserialize_any(NumberVisitor)
    }
}

fn parse_number_text(text: &str) -> Option<f64> {
    let text = text.trim();
    match text {
        "NaN" | "nan" => return Some(f64::NAN),
        "Infinity" | "inf" | "+Infinity" => return Some(f64::INFINITY),
        "-Infinity" | "-inf" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    match text.split_once('/') {
        Some((a, b)) => Some(a.trim().parse::<f64>().ok()? / b.trim().parse::<f64>().ok()?),
        None => text.parse().ok(),
    }
}

pub fn values(row: &[Number]) -> Vec<f64> {
    row.iter().map(|n| n.0).collect()
}

pub fn matrix(rows: &[Vec<Number>]) -> Vec<Vec<f64>> {
    rows.iter().map(|r| values(r)).collect()
}

/// Bare `NaN`, `Infinity` and `-Infinity` tokens (Python's `json.dumps` writes them) become
/// strings; text inside strings is left alone.
pub fn quote_non_finite_literals(body: &[u8]) -> Vec<u8> {
    const TOKENS: [&[u8]; 3] = [b"-Infinity", b"Infinity", b"NaN"];
    let mut out = Vec::with_capacity(body.len() + 16);
    let mut in_string = false;
    let mut escaped = false;
    let mut k = 0;
    while k < body.len() {
        let b = body[k];
        if in_string {
            out.push(b);
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            k += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
            out.push(b);
            k += 1;
            continue;
        }
        if let Some(token) = TOKENS.iter().find(|t| body[k..].starts_with(t)) {
            out.push(b'"');
            out.extend_from_slice(token);
            out.push(b'"');
            k += token.len();
            continue;
        }
        out.push(b);
        k += 1;
    }
    out
}

/// A calculator's JSON body (≤ 1 MiB) decoded into `T` after [`quote_non_finite_literals`].
pub struct CalculatorBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for CalculatorBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = require_json(req);
        let mut payload = payload.take();
        Box::pin(async move {
            content_type?;
            let mut body = Vec::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::bad_request("body", e.to_string()))?;
                if body.len() + chunk.len() > JSON_LIMIT {
                    return Err(ApiError::PayloadTooLarge { limit: JSON_LIMIT });
                }
                body.extend_from_slice(&chunk);
            }
            decode_json(&quote_non_finite_literals(&body)).map(CalculatorBody)
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn bare_non_finite_literals_are_quoted_outside_strings_only() {
        let body = br#"{"m": [NaN, -Infinity, Infinity, 1], "s": "NaN \" Infinity"}"#;
        let out = String::from_utf8(quote_non_finite_literals(body)).unwrap();
        assert_eq!(
            out,
            r#"{"m": ["NaN", "-Infinity", "Infinity", 1], "s": "NaN \" Infinity"}"#
        );
    }

    #[test]
    fn numbers_read_every_spelling() {
        let v: Vec<Number> =
            serde_json::from_str(r#"[1, 0.5, "1/3", null, "NaN", "-Infinity", " 2 "]"#).unwrap();
        assert_eq!(v[0].0, 1.0);
        assert_eq!(v[2].0, 1.0 / 3.0);
        assert!(v[3].0.is_nan() && v[4].0.is_nan());
        assert_eq!(v[5].0, f64::NEG_INFINITY);
        assert_eq!(v[6].0, 2.0);
        assert!(serde_json::from_str::<Vec<Number>>(r#"["x"]"#).is_err());
    }
}
