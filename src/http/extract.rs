//! Extractors that turn a request into typed, validated input or a problem naming the field.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::json;
use crate::app::{AppError, Precondition};
use crate::domain::FieldError;
use crate::error::ApiError;

/// Largest JSON body accepted anywhere.
pub const JSON_LIMIT: usize = 1024 * 1024;

/// A JSON body (≤ 1 MiB) decoded into `T`; errors name the offending field by its JSON path.
pub struct JsonBody<T>(pub T);

impl<T> std::ops::Deref for JsonBody<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = require_json(req);
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            content_type?;
            if declared_length.is_some_and(|n| n > JSON_LIMIT) {
                return Err(ApiError::PayloadTooLarge { limit: JSON_LIMIT });
            }
            let mut body = Vec::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::bad_request("body", e.to_string()))?;
                if body.len() + chunk.len() > JSON_LIMIT {
                    return Err(ApiError::PayloadTooLarge { limit: JSON_LIMIT });
                }
                body.extend_from_slice(&chunk);
            }
            decode_json(&body).map(JsonBody)
        })
    }
}

/// A JSON request's media type: `application/json` (or `…+json`), in UTF-8 — the only encoding JSON
/// exchanged between systems may use (RFC 8259 §8.1), so any other charset is refused, not misread.
pub fn require_json(req: &HttpRequest) -> Result<(), ApiError> {
    let refused = ApiError::UnsupportedMediaType {
        expected: "application/json in UTF-8 (no charset parameter, or charset=utf-8)",
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut parts = content_type.split(';');
    let media_type = parts.next().unwrap_or("").trim();
    if media_type != "application/json" && !media_type.ends_with("+json") {
        return Err(refused);
    }
    for parameter in parts {
        let (name, value) = parameter.split_once('=').unwrap_or((parameter, ""));
        let value = value.trim().trim_matches('"');
        if name.trim() == "charset" && value != "utf-8" && value != "utf8" {
            return Err(refused);
        }
    }
    Ok(())
}

/// Decodes a JSON object, reporting syntax errors as 400 and shape errors (wrong type, unknown, missing or
/// repeated field, `null` for a value, an array for an object, a number past its documented range) as 422
/// with the field's path.
pub fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "body",
            "the request body is empty; send a JSON object",
        ));
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    let tree = match serde_path_to_error::deserialize::<_, json::UniqueKeys>(&mut *deserializer) {
        // Anything after the value is as malformed as a broken value.
        Ok(json::UniqueKeys(tree)) => match deserializer.end() {
            Ok(()) => tree,
            Err(e) => {
                return Err(ApiError::bad_request(
                    "body",
                    format!("malformed JSON: {e}"),
                ));
            }
        },
        // serde_json stops at 128 levels; an array nested deeper is still no object.
        Err(error) if too_deep(&error) && !body.trim_ascii_start().starts_with(b"{") => {
            return Err(not_an_object());
        }
        Err(error) => return Err(problem_of(error)),
    };
    // Every body of this API is an object.
    if !tree.is_object() {
        return Err(not_an_object());
    }
    Ok(decode_value(tree)?)
}

fn too_deep(error: &serde_path_to_error::Error<serde_json::Error>) -> bool {
    error
        .inner()
        .to_string()
        .starts_with("recursion limit exceeded")
}

fn not_an_object() -> ApiError {
    ApiError::invalid("body", "the request body must be a JSON object")
}

/// Decodes an already-parsed JSON value (a merged patch, say) as strictly as a body, naming the field on
/// error (a tree already parsed has no syntax left to get wrong, so every error is the request's shape).
pub fn decode_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, AppError> {
    serde_path_to_error::deserialize::<_, T>(json::Strict(value)).map_err(|error| {
        let path = error.path().to_string();
        let message = error.inner().to_string();
        AppError::invalid(field_of(&path, &message), message)
    })
}

/// A syntax error is a 400, any other a 422; both name the field by its JSON path.
fn problem_of(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = error.path().to_string();
    let inner = error.inner();
    let message = inner.to_string();
    let field = field_of(&path, &message);
    if inner.is_syntax() || inner.is_eof() {
        ApiError::BadRequest {
            detail: format!("malformed JSON: {message}"),
            errors: vec![FieldError::new(field, format!("malformed JSON: {message}"))],
        }
    } else {
        ApiError::invalid(field, message)
    }
}

/// The path of the field an error is about. For a missing field the path is the enclosing
/// object, so the name in backticks is appended.
fn field_of(path: &str, message: &str) -> String {
    let base = if path == "." || path == "?" { "" } else { path };
    // A hostile nesting makes an endless path; its first segment names the field well enough.
    let base = if base.len() > 100 {
        base.split(['.', '[']).next().unwrap_or("body")
    } else {
        base
    };
    let named = message
        .strip_prefix("missing field `")
        .or_else(|| message.strip_prefix("duplicate field `"))
        .and_then(|rest| rest.split('`').next());
    match (named, base.is_empty()) {
        (Some(name), true) => name.to_owned(),
        (Some(name), false) => format!("{base}.{name}"),
        (None, true) => "body".to_owned(),
        (None, false) => base.to_owned(),
    }
}

/// A query string that does not even parse (a key given twice, say) is a 400 naming the key.
pub fn query_error(
    error: actix_web::error::QueryPayloadError,
    _req: &HttpRequest,
) -> actix_web::Error {
    let message = error.to_string();
    let field = message
        .split('`')
        .nth(1)
        .map(str::to_owned)
        .unwrap_or_else(|| "query".to_owned());
    ApiError::bad_request(field, message).into()
}

/// Sets the `ETag` header of a response to a versioned resource.
pub fn with_etag(mut response: actix_web::HttpResponse, etag: &str) -> actix_web::HttpResponse {
    if let Ok(value) = header::HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// `current` with a JSON merge patch (RFC 7396) applied, decoded back into its type; errors name
/// the field.
pub fn merge_patched<T: serde::Serialize + DeserializeOwned>(
    current: &T,
    patch: serde_json::Value,
) -> Result<T, AppError> {
    if !patch.is_object() {
        return Err(AppError::invalid(
            "body",
            "a merge patch must be a JSON object",
        ));
    }
    let mut merged = serde_json::to_value(current).map_err(AppError::internal)?;
    merge_patch(&mut merged, patch);
    decode_value(merged)
}

/// RFC 7396: objects merge key by key, `null` removes, anything else replaces.
fn merge_patch(target: &mut serde_json::Value, patch: serde_json::Value) {
    match patch {
        serde_json::Value::Object(entries) => {
            if !target.is_object() {
                *target = serde_json::Value::Object(serde_json::Map::new());
            }
            if let serde_json::Value::Object(map) = target {
                for (key, value) in entries {
                    if value.is_null() {
                        map.remove(&key);
                    } else {
                        merge_patch(map.entry(key).or_insert(serde_json::Value::Null), value);
                    }
                }
            }
        }
        other => *target = other,
    }
}

/// The `If-Match` header: the version a change is based on; `*` matches any current version.
pub struct IfMatch;

impl IfMatch {
    /// Reads the header, when there is one; the use case refuses a change that needs it and lacks it.
    pub fn optional(req: &HttpRequest) -> Result<Option<Precondition>, ApiError> {
        let Some(value) = req.headers().get(header::IF_MATCH) else {
            return Ok(None);
        };
        let value = value
            .to_str()
            .map_err(|_| ApiError::bad_request("If-Match", "must be ASCII"))?
            .trim();
        if value == "*" {
            return Ok(Some(Precondition::Any));
        }
        let tags = value.split(',').map(|t| t.trim().to_owned()).collect();
        Ok(Some(Precondition::Etags(tags)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::decision::DecisionFields;

    fn field(err: ApiError) -> (u16, String) {
        let problem = err.problem();
        (problem.status, problem.errors[0].field.clone())
    }

    #[test]
    fn shape_errors_name_the_field() {
        let cases = [
            (
                r#"{"title":"t","kind":"other","regions":[],"bogus":1}"#,
                422,
                "bogus",
            ),
            (r#"{"kind":"other","regions":[]}"#, 422, "title"),
            (r#"{"title":"t","kind":"castle","regions":[]}"#, 422, "kind"),
            (
                r#"{"title":"t","kind":"other","regions":["33019912345678901234"]}"#,
                422,
                "regions[0]",
            ),
            (
                r#"{"title":"t","kind":"other","regions":[],"affected":{"people":-3}}"#,
                422,
                "affected.people",
            ),
            (r#"{"title":5,"kind":"other","regions":[]}"#, 422, "title"),
            (r#"{"title":"t", "kind":"#, 400, "kind"),
        ];
        for (body, status, expected) in cases {
            let err = decode_json::<DecisionFields>(body.as_bytes()).unwrap_err();
            assert_eq!(field(err), (status, expected.to_owned()), "{body}");
        }
    }

    #[test]
    fn structs_are_read_from_objects_only_and_integers_within_their_documented_format() {
        let body =
            |extra: &str| format!(r#"{{"title":"t","kind":"other","regions":["330199"]{extra}}}"#);
        let cases = [
            (body(r#","affected":[412,1530,0]"#), "affected"),
            (body(r#","affected":[]"#), "affected"),
            (
                body(r#","affected":{"workers":2147483648}"#),
                "affected.workers",
            ),
            (body(r#","affected":{"people":null}"#), "affected.people"),
            (body(r#","regions":["330199"]"#), "regions"),
            (
                r#"{"title":"t","kind":null,"regions":["330199"]}"#.to_owned(),
                "kind",
            ),
            (
                r#"{"title":null,"kind":"other","regions":["330199"]}"#.to_owned(),
                "title",
            ),
            (
                r#"{"title":"t","kind":["other"],"regions":["330199"]}"#.to_owned(),
                "kind",
            ),
        ];
        for (body, expected) in cases {
            let err = decode_json::<DecisionFields>(body.as_bytes()).unwrap_err();
            assert_eq!(field(err), (422, expected.to_owned()), "{body}");
        }
        let most =
            decode_json::<DecisionFields>(body(r#","affected":{"workers":2147483647}"#).as_bytes())
                .unwrap();
        assert_eq!(most.affected.workers, 2_147_483_647);
        let patched = merge_patched(&most, serde_json::json!({"affected": [1, 2, 3]}));
        assert_eq!(
            field(ApiError::from(patched.unwrap_err())),
            (422, "affected".to_owned())
        );
    }

    #[test]
    fn only_utf_8_json_is_read() {
        use actix_web::test::TestRequest;
        for (content_type, accepted) in [
            ("application/json", true),
            ("application/json; charset=utf-8", true),
            ("Application/JSON; Charset=\"UTF-8\"", true),
            ("application/problem+json", true),
            ("application/json; charset=latin1", false),
            ("application/json; charset=utf-16", false),
            ("text/plain", false),
        ] {
            let req = TestRequest::default()
                .insert_header((header::CONTENT_TYPE, content_type))
                .to_http_request();
            assert_eq!(require_json(&req).is_ok(), accepted, "{content_type}");
        }
    }

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut doc = serde_json::json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1, 2]});
        merge_patch(
            &mut doc,
            serde_json::json!({"a": null, "b": {"c": 5}, "e": [9], "f": "new"}),
        );
        assert_eq!(
            doc,
            serde_json::json!({"b": {"c": 5, "d": 3}, "e": [9], "f": "new"})
        );
    }
}
