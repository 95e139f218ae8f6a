//! `/api/v1/methods`: the calculators people use while building models — AHP (one matrix or a
//! group of experts), fuzzy comprehensive evaluation, entropy weights.

use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::auth::Authorized;
use super::numbers::{CalculatorBody, Number, matrix, values};
use crate::auth::permission::UseMethods;
use crate::error::{ApiError, Problem};
use crate::scoring::{self, MethodError};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(ahp).service(fce).service(entropy);
}

/// One pairwise-comparison matrix, or several experts' matrices of the same order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AhpRequest {
    /// Reciprocal matrix on Saaty's 1–9 scale, order 1–15; entries are numbers or fractions such as "1/3".
    #[serde(default)]
    #[schema(value_type = Option<Vec<Vec<f64>>>, example = json!([[1, 3], ["1/3", 1]]))]
    matrix: Option<Vec<Vec<Number>>>,
    /// Several experts' matrices, aggregated by element-wise geometric mean.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Vec<Vec<f64>>>>)]
    matrices: Option<Vec<Vec<Vec<Number>>>>,
    /// A matrix of order 3 or more is consistent when CR is below this, 0 < limit < 1 (Saaty: 0.10). By
    /// default the strictest (smallest) `[ahp] consistency_limit` of the risk models in service.
    #[serde(default)]
    #[schema(value_type = Option<f64>, example = json!(0.1))]
    consistency_limit: Option<Number>,
}

/// The judgment that deviates most from the weights.
#[derive(Debug, Serialize, ToSchema)]
pub struct InconsistentPairAnswer {
    /// Row of the judgment, 0-based.
    i: usize,
    /// Column of the judgment, 0-based.
    j: usize,
    judgment: f64,
    /// wᵢ / wⱼ, the judgment the weights imply.
    implied: f64,
    /// |ln(aᵢⱼ · wⱼ / wᵢ)|
    deviation: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AhpAnswer {
    /// Principal eigenvector, summing to 1.
    weights: Vec<f64>,
    lambda_max: f64,
    /// (λmax − n) / (n − 1)
    ci: f64,
    /// CI / RI
    cr: f64,
    /// The random index used for this order.
    ri: f64,
    /// Name of the RI table (Saaty's).
    ri_table: String,
    /// CR < consistency_limit, or n ≤ 2.
    consistent: bool,
    /// The limit CR was judged against: the request's, or the strictest of the models in service.
    consistency_limit: f64,
    most_inconsistent_pair: Option<InconsistentPairAnswer>,
    /// How many matrices were aggregated.
    experts: usize,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FceRequest {
    /// Factor weights (n), summing to 1 (±0.01).
    #[schema(value_type = Vec<f64>)]
    weights: Vec<Number>,
    /// Membership matrix, n factors × m grades; entries finite and not negative.
    #[schema(value_type = Vec<Vec<f64>>)]
    membership: Vec<Vec<Number>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FceAnswer {
    /// B = W·M (weighted-average operator).
    b: Vec<f64>,
    /// Σ k·bₖ over grades k = 1..m.
    grade_score: f64,
    /// 1-based grade of maximum membership; a tie goes to the higher grade.
    max_membership_grade: usize,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntropyRequest {
    /// Alternatives × indicators, at least two alternatives; any finite values.
    #[schema(value_type = Vec<Vec<f64>>)]
    matrix: Vec<Vec<Number>>,
    /// Per indicator: true when larger is better, false for a cost indicator.
    benefit: Vec<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntropyAnswer {
    /// One weight per indicator, summing to 1.
    weights: Vec<f64>,
}

/// The request field a calculator error is about, as a JSON path under `base`.
fn field_of(error: &MethodError, base: &str) -> String {
    // The calculators count rows and columns from 1; JSON paths count from 0.
    let at = |k: &usize| k.saturating_sub(1);
    match error {
        MethodError::Ragged { row, .. } => format!("{base}[{}]", at(row)),
        MethodError::NotANumber { row, col }
        | MethodError::NotPositive { row, col, .. }
        | MethodError::Negative { row, col, .. }
        | MethodError::NotFinite { row, col } => format!("{base}[{}][{}]", at(row), at(col)),
        MethodError::Diagonal { i, .. } => format!("{base}[{}][{}]", at(i), at(i)),
        MethodError::NotReciprocal { i, j, .. } => format!("{base}[{}][{}]", at(i), at(j)),
        MethodError::InExpertMatrix { expert, source } => {
            field_of(source, &format!("{base}[{}]", at(expert)))
        }
        MethodError::GroupSizeMismatch { expert, .. } => format!("{base}[{}]", at(expert)),
        MethodError::BadWeight { index, .. } => format!("weights[{}]", at(index)),
        MethodError::WeightsSum { .. } => "weights".into(),
        MethodError::LengthMismatch { what, .. } if what.starts_with("benefit") => "benefit".into(),
        _ => base.into(),
    }
}

fn refuse(error: MethodError, base: &str) -> ApiError {
    ApiError::invalid(field_of(&error, base), error.to_string())
}

/// The request's limit, or the strictest `[ahp] consistency_limit` of the models in service.
fn consistency_limit(requested: Option<Number>, state: &AppState) -> Result<f64, ApiError> {
    let limit = match requested {
        Some(Number(limit)) => limit,
        None => state
            .ctx
            .models()
            .all()
            .iter()
            .map(|m| m.spec().analysis_numbers().consistency_limit)
            .reduce(f64::min)
            .ok_or_else(|| {
                ApiError::invalid(
                    "consistency_limit",
                    "no risk model is in service to take the limit from; give consistency_limit",
                )
            })?,
    };
    if !(limit > 0.0 && limit < 1.0) {
        return Err(ApiError::invalid(
            "consistency_limit",
            format!("{limit} is not in (0, 1)"),
        ));
    }
    Ok(limit)
}

/// AHP weights, λmax, CI and CR of one matrix, or of several experts' matrices by geometric mean, judged
/// consistent against `consistency_limit` (by default the strictest limit of the risk models in service).
#[utoipa::path(
    tag = "methods",
    request_body = AhpRequest,
    responses(
        (status = 200, description = "Weights and consistency", body = AhpAnswer),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a reciprocal positive matrix of order 1–15 (the field names the entry), or consistency_limit outside (0, 1)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/methods/ahp")]
async fn ahp(
    _user: Authorized<UseMethods>,
    state: web::Data<AppState>,
    body: CalculatorBody<AhpRequest>,
) -> Result<HttpResponse, ApiError> {
    let limit = consistency_limit(body.0.consistency_limit, &state)?;
    let (result, experts) = match (&body.0.matrix, &body.0.matrices) {
        (Some(m), None) => (
            scoring::ahp(&matrix(m), limit).map_err(|e| refuse(e, "matrix"))?,
            1,
        ),
        (None, Some(ms)) => {
            let ms: Vec<Vec<Vec<f64>>> = ms.iter().map(|m| matrix(m)).collect();
            let result = scoring::ahp_group(&ms, limit).map_err(|e| refuse(e, "matrices"))?;
            (result, ms.len())
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "matrices",
                "give either matrix or matrices, not both",
            ));
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "matrix",
                "give a pairwise-comparison matrix, or several as matrices",
            ));
        }
    };
    let answer = AhpAnswer {
        most_inconsistent_pair: result
            .most_inconsistent_pair
            .map(|p| InconsistentPairAnswer {
                i: p.i,
                j: p.j,
                judgment: p.judgment,
                implied: p.implied,
                deviation: p.deviation,
            }),
        weights: result.weights,
        lambda_max: result.lambda_max,
        ci: result.ci,
        cr: result.cr,
        ri: result.ri,
        ri_table: result.ri_table.name().to_owned(),
        consistent: result.consistent,
        consistency_limit: limit,
        experts,
    };
    Ok(HttpResponse::Ok().json(answer))
}

/// Fuzzy comprehensive evaluation: B = W·M, the grade of maximum membership and the grade score.
#[utoipa::path(
    tag = "methods",
    request_body = FceRequest,
    responses(
        (status = 200, description = "The evaluation", body = FceAnswer),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad weights or membership; the field names the entry", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/methods/fce")]
async fn fce(
    _user: Authorized<UseMethods>,
    body: CalculatorBody<FceRequest>,
) -> Result<HttpResponse, ApiError> {
    let weights = values(&body.0.weights);
    let membership = matrix(&body.0.membership);
    let result = scoring::fce(&weights, &membership).map_err(|e| {
        let base = if weights.is_empty() {
            "weights"
        } else {
            "membership"
        };
        refuse(e, base)
    })?;
    Ok(HttpResponse::Ok().json(FceAnswer {
        b: result.b,
        grade_score: result.grade_score,
        max_membership_grade: result.max_membership_grade,
    }))
}

/// Entropy weights of the indicators (columns) of an alternatives × indicators matrix.
#[utoipa::path(
    tag = "methods",
    request_body = EntropyRequest,
    responses(
        (status = 200, description = "The weights", body = EntropyAnswer),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ragged, non-finite, too few alternatives or no variation; the field names the entry", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/methods/entropy")]
async fn entropy(
    _user: Authorized<UseMethods>,
    body: CalculatorBody<EntropyRequest>,
) -> Result<HttpResponse, ApiError> {
    let weights = scoring::entropy_weights(&matrix(&body.0.matrix), &body.0.benefit)
        .map_err(|e| refuse(e, "matrix"))?;
    Ok(HttpResponse::Ok().json(EntropyAnswer { weights }))
}
