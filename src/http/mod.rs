//! The HTTP surface: one module per resource, each exporting `configure`, mounted under `/api/v1`.
//! The OpenAPI document is collected from the same registrations, so it cannot drift.

pub mod alerts;
pub mod analysis;
pub mod assessments;
pub mod audit;
pub mod auth;
pub mod bodies;
pub mod checklist;
pub mod comparison;
pub mod concerns;
pub mod consultations;
pub mod cursor;
pub mod decisions;
pub mod extract;
pub mod json;
pub mod methods;
pub mod metrics;
pub mod middleware;
pub mod models;
pub mod numbers;
pub mod ops;
pub mod petition_stats;
pub mod petitions;
pub mod ratings;
pub mod replay;
pub mod reports;
pub mod resolutions;
pub mod scenarios;
pub mod session;
mod upload;
pub mod users;

use actix_web::App;
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};

use uuid::Uuid;

use crate::app::Context;
use crate::error::ApiError;

/// What every handler may reach: the use cases' context, and what only the HTTP surface keeps.
pub struct AppState {
    pub ctx: Context,
    pub metrics: metrics::Metrics,
    /// The OpenAPI document, serialised once at start.
    pub openapi_json: String,
    /// Stored assessments as JSON, by id: a record never changes once stored, and writing its 31 KB out was
    /// most of a GET's time. Served only after the use case has checked the caller and the scope.
    pub assessment_bodies: crate::app::memo::Memo<Uuid, actix_web::web::Bytes>,
    /// Decision pages and petition figures as JSON, by the shared value the use case returned.
    pub decision_page_bodies: bodies::SharedBodies<decisions::SharedPage>,
    pub petition_stats_bodies: bodies::SharedBodies<crate::petitions::indicators::PetitionStats>,
}

/// Assessment bodies kept (about 31 KB each).
pub const ASSESSMENT_BODIES_KEPT: usize = 256;

/// Decision-page and petition-statistic bodies kept: a few pages of a few filters, a few regions' figures.
pub const SHARED_BODIES_KEPT: usize = 64;

/// An id from the path; one that is not a UUID names nothing, so it is a 404 like an unknown id.
pub(crate) fn path_id(raw: &str, what: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| {
        ApiError::NotFound(format!(
            "no {what} with id '{}'",
            raw.chars().take(40).collect::<String>()
        ))
    })
}

/// Every route of the service.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.configure(ops::configure).service(
        scope::scope("/api/v1")
            .configure(session::configure)
            .configure(users::configure)
            .configure(decisions::configure)
            .configure(ratings::configure)
            .configure(assessments::configure)
            .configure(replay::configure)
            .configure(reports::configure)
            .configure(models::configure)
            .configure(methods::configure)
            .configure(audit::configure)
            .configure(petitions::configure)
            .configure(petition_stats::configure)
            .configure(scenarios::configure)
            .configure(comparison::configure)
            .configure(analysis::configure)
            .configure(checklist::configure)
            .configure(consultations::configure)
            .configure(concerns::configure)
            .configure(resolutions::configure)
            .configure(alerts::configure),
    );
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "wenping (稳评)",
        description = "Social-stability risk assessment of major decisions. Errors are application/problem+json (RFC 9457).",
    ),
    tags(
        (name = "decisions", description = "The decision register"),
        (name = "audit", description = "The append-only audit log"),
        (name = "ratings", description = "Experts' probability and impact grades of a decision's risk factors"),
        (name = "assessments", description = "Immutable assessments of decisions, and their replay"),
        (name = "models", description = "The risk models in service"),
        (name = "methods", description = "Calculators for building models: AHP, fuzzy evaluation, entropy weights"),
        (name = "session", description = "Signing in and out"),
        (name = "users", description = "Accounts, roles, region scopes and API tokens"),
        (name = "reports", description = "Charted reports and charts of stored assessments"),
        (name = "operations", description = "Health, readiness, metrics, this document"),
        (name = "scenarios", description = "Alternatives of a decision: attribute overrides, own ratings, chosen measures"),
        (name = "analysis", description = "Sensitivity, Monte Carlo simulation and the mitigation optimizer, from a stored assessment"),
        (name = "mitigation", description = "The mitigation checklist: measures, owners, deadlines, progress"),
        (name = "resolutions", description = "The committee's resolution, the gate it answers to, and follow-up alerts"),
        (name = "petitions", description = "Petition (信访) imports and statistics: aggregates only, never personal data"),
        (name = "consultations", description = "How a decision's opinions were heard: public notice, questionnaire, forum, visit, hearing"),
        (name = "concerns", description = "The concern ledger (民情台账): concerns heard from residents, handled in a closed loop"),
    )
)]
struct ApiInfo;

/// OpenAPI requires a description on every response; where a handler gave none, the status's
/// reason phrase ("OK", "Created" …) stands in.
fn describe_responses(operation: &mut serde_json::Value) {
    let Some(responses) = operation["responses"].as_object_mut() else {
        return;
    };
    for (status, response) in responses.iter_mut() {
        if response.get("description").is_none() {
            let reason = status
                .parse::<u16>()
                .ok()
                .and_then(|s| actix_web::http::StatusCode::from_u16(s).ok())
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Response");
            response["description"] = serde_json::Value::String(reason.to_owned());
        }
    }
}

/// Operations anyone may call; every other one needs a session or an API token.
pub const PUBLIC_OPERATIONS: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/api/openapi.json"),
    ("post", "/api/v1/session"),
];

/// The OpenAPI 3.1 document of [`routes`], with the authentication every protected operation
/// needs and its 401/403 answers added in one place rather than on each handler.
pub fn openapi() -> serde_json::Value {
    let (_, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiInfo::openapi())
        .configure(routes)
        .split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let mut doc = serde_json::to_value(&doc).unwrap_or_default();
    let problem = |description: &str| {
        serde_json::json!({
            "description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        })
    };
    if let Some(paths) = doc["paths"].as_object_mut() {
        for (path, item) in paths.iter_mut() {
            let Some(operations) = item.as_object_mut() else {
                continue;
            };
            for (method, operation) in operations.iter_mut() {
                describe_responses(operation);
                // Any write may find the database's disk full (StorageError::Full): refused whole, nothing stored.
                if method != "get"
                    && let Some(responses) = operation["responses"].as_object_mut()
                {
                    responses.insert(
                        "507".into(),
                        problem("The database's disk is full: nothing was stored; retry when space is freed"),
                    );
                }
                if PUBLIC_OPERATIONS.contains(&(method.as_str(), path.as_str())) {
                    continue;
                }
                operation["security"] = serde_json::json!([{"session": []}, {"token": []}]);
                if let Some(responses) = operation["responses"].as_object_mut() {
                    responses.insert(
                        "401".into(),
                        problem("Not signed in, or the token is unknown, revoked or expired"),
                    );
                    responses.insert(
                        "403".into(),
                        problem(
                            "The caller's roles lack the permission, or a CSRF token is missing",
                        ),
                    );
                }
            }
        }
    }
    document_body_refusals(&mut doc, &problem);
    open_flattened_parts(&mut doc);
    doc["components"]["securitySchemes"] = serde_json::json!({
        "session": {"type": "apiKey", "in": "cookie", "name": auth::SESSION_COOKIE,
            "description": "Set by POST /api/v1/session; changes also need the X-CSRF-Token header"},
        "token": {"type": "http", "scheme": "bearer", "description": "An API token (wpt_…)"}
    });
    doc
}

/// Every operation that reads a body may answer 400 (not well-formed), 413 (too large) and 415 (not the content
/// type it reads): the extractors answer these before the handler, so they are documented here, once.
fn document_body_refusals(
    doc: &mut serde_json::Value,
    problem: &dyn Fn(&str) -> serde_json::Value,
) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        let Some(operations) = item.as_object_mut() else {
            continue;
        };
        for operation in operations.values_mut() {
            if operation.get("requestBody").is_none() {
                continue;
            }
            let Some(responses) = operation["responses"].as_object_mut() else {
                continue;
            };
            for (status, what) in [
                ("400", "The body is not well-formed"),
                ("413", "The body is too large"),
                (
                    "415",
                    "The body is not of the content type the operation reads",
                ),
            ] {
                responses.entry(status).or_insert_with(|| problem(what));
            }
        }
    }
}

/// A response type that flattens a request type (`Decision` holds `DecisionFields`) is documented by utoipa as
/// `allOf` of that type, whose `additionalProperties: false` (right for the request) would refuse every field of
/// the response. In an `allOf` the part is inlined without it, so the response matches its own schema.
fn open_flattened_parts(doc: &mut serde_json::Value) {
    let schemas = doc["components"]["schemas"].clone();
    let Some(all) = doc["components"]["schemas"].as_object_mut() else {
        return;
    };
    for schema in all.values_mut() {
        let Some(parts) = schema.get_mut("allOf").and_then(|p| p.as_array_mut()) else {
            continue;
        };
        for part in parts.iter_mut() {
            let Some(name) = part["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            else {
                continue;
            };
            let mut target = schemas[name].clone();
            if opened(&mut target) {
                *part = target;
            }
        }
    }
}

/// Removes `additionalProperties: false` from a schema and from its `oneOf`/`anyOf` alternatives; whether any was.
fn opened(schema: &mut serde_json::Value) -> bool {
    let mut changed = false;
    if let Some(map) = schema.as_object_mut()
        && map.get("additionalProperties") == Some(&serde_json::Value::Bool(false))
    {
        map.remove("additionalProperties");
        changed = true;
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alternatives) = schema.get_mut(key).and_then(|a| a.as_array_mut()) {
            for alternative in alternatives {
                changed |= opened(alternative);
            }
        }
    }
    changed
}
