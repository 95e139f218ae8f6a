//! `/api/v1/models`: the risk models loaded at start, with what validation derived from them —
//! effective global weights and the consistency of every AHP block.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::auth::Authorized;
use crate::app::{ModelSource, models};
use crate::auth::permission::ReadModels;
use crate::domain::decision::DecisionKind;
use crate::error::{ApiError, Problem};
use crate::scoring::Model;
use crate::scoring::model::{
    AhpRules, ConsultationRules, EvidenceRule, FactorMatrix, FuzzySpec, GateSpec, GradeScales,
    LevelBands, MeasureSpec, Names, PanelRules, UncertaintyRules,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_models).service(get_model);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelListing {
    id: String,
    version: String,
    kind: DecisionKind,
    /// {zh, en}
    #[schema(value_type = Object)]
    name: Names,
    /// index | fuzzy
    #[schema(value_type = String)]
    method: crate::scoring::Method,
    /// SHA-256 (hex) of the model's canonical content: its identity together with the id.
    hash: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelList {
    items: Vec<ModelListing>,
    /// Where the models in service were read from: `folder` (the configured models folder) or `bundled`
    /// (the models built into the binary, used when no folder is configured and ./models is absent).
    source: &'static str,
    /// The folder, when they were read from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    folder: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DimensionView {
    id: String,
    #[schema(value_type = Object)]
    name: Names,
    /// Effective weight (direct, or from the dimensions' AHP block).
    weight: f64,
    /// Ids of the dimension's factors, in file order.
    factors: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FactorView {
    id: String,
    #[schema(value_type = Object)]
    name: Names,
    dimension: String,
    /// A veto factor rated high lifts the overall level to high.
    veto: bool,
    /// Weight within its dimension.
    local_weight: f64,
    /// Dimension weight × local weight; these sum to 1 over the model.
    global_weight: f64,
    /// Where the factor's grades come from: expert ratings, a decision attribute or a petition indicator.
    #[schema(value_type = Object)]
    evidence: EvidenceRule,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AhpBlockView {
    /// `dimensions`, or the id of the dimension whose factors it weighs.
    block: String,
    order: Vec<String>,
    /// The judgments as declared.
    matrix: Vec<Vec<f64>>,
    provenance: String,
    weights: Vec<f64>,
    lambda_max: f64,
    ci: f64,
    cr: f64,
    ri: f64,
    consistent: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelDetail {
    #[serde(flatten)]
    summary: ModelListing,
    provenance: Vec<String>,
    ri_table: String,
    /// Values of grades 1..5 for probability and impact, with provenance.
    #[schema(value_type = Object)]
    grades: GradeScales,
    /// Level thresholds on R, with provenance.
    #[schema(value_type = Object)]
    levels: LevelBands,
    /// 5×5 probability × impact levels.
    #[schema(value_type = Object)]
    factor_matrix: FactorMatrix,
    #[schema(value_type = Object)]
    panel: PanelRules,
    #[schema(value_type = Object)]
    gate: GateSpec,
    #[schema(value_type = Object)]
    consultation: ConsultationRules,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    fuzzy: Option<FuzzySpec>,
    /// The CR below which an AHP block is consistent (`consistency_limit`), with provenance.
    #[schema(value_type = Object)]
    ahp: Option<AhpRules>,
    /// The scenario comparison's order check (`order_holds_share`, `order_draws`, `order_seed`) and the
    /// report's Monte Carlo (`report_draws`, `report_seed`), with provenance.
    #[schema(value_type = Object)]
    uncertainty: Option<UncertaintyRules>,
    dimensions: Vec<DimensionView>,
    factors: Vec<FactorView>,
    /// Every AHP block with its weights, λmax, CI and CR.
    ahp_blocks: Vec<AhpBlockView>,
    /// The mitigation-measure catalogue.
    #[schema(value_type = Vec<Object>)]
    measures: Vec<MeasureSpec>,
}

fn listing(model: &Model) -> ModelListing {
    let s = model.summary();
    ModelListing {
        id: s.id,
        version: s.version,
        kind: s.kind,
        name: s.name,
        method: s.method,
        hash: s.hash,
    }
}

fn detail(model: &Model) -> ModelDetail {
    let spec = model.spec();
    let derived = model.derived();
    let dimensions = spec
        .dimensions
        .iter()
        .zip(&derived.dimension_weights)
        .map(|(d, &weight)| DimensionView {
            id: d.id.clone(),
            name: d.name.clone(),
            weight,
            factors: spec
                .factors
                .iter()
                .filter(|f| f.dimension == d.id)
                .map(|f| f.id.clone())
                .collect(),
        })
        .collect();
    let factors = spec
        .factors
        .iter()
        .zip(&derived.factor_weights)
        .map(|(f, w)| FactorView {
            id: f.id.clone(),
            name: f.name.clone(),
            dimension: f.dimension.clone(),
            veto: f.veto,
            local_weight: w.local,
            global_weight: w.global,
            evidence: f.evidence.clone(),
        })
        .collect();
    let declared = |block: &str| {
        if block == "dimensions" {
            spec.dimension_ahp.as_ref()
        } else {
            spec.dimensions
                .iter()
                .find(|d| d.id == block)
                .and_then(|d| d.factor_ahp.as_ref())
        }
    };
    let ahp_blocks = derived
        .ahp_blocks
        .iter()
        .map(|b| AhpBlockView {
            block: b.block.clone(),
            order: b.order.clone(),
            matrix: declared(&b.block)
                .map(|a| a.matrix.clone())
                .unwrap_or_default(),
            provenance: declared(&b.block)
                .map(|a| a.provenance.clone())
                .unwrap_or_default(),
            weights: b.result.weights.clone(),
            lambda_max: b.result.lambda_max,
            ci: b.result.ci,
            cr: b.result.cr,
            ri: b.result.ri,
            consistent: b.result.consistent,
        })
        .collect();
    ModelDetail {
        summary: listing(model),
        provenance: spec.provenance.clone(),
        ri_table: spec.ri_table.name().to_owned(),
        grades: spec.grades.clone(),
        levels: spec.levels.clone(),
        factor_matrix: spec.factor_matrix.clone(),
        panel: spec.panel.clone(),
        gate: spec.gate.clone(),
        consultation: spec.consultation.clone(),
        fuzzy: spec.fuzzy.clone(),
        ahp: spec.ahp.clone(),
        uncertainty: spec.uncertainty.clone(),
        dimensions,
        factors,
        ahp_blocks,
        measures: spec.measures.clone(),
    }
}

/// The risk models in service, with their identity (id and content hash).
#[utoipa::path(
    tag = "models",
    responses((status = 200, description = "Every loaded model", body = ModelList))
)]
#[get("/models")]
async fn list_models(
    user: Authorized<ReadModels>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let registry = state.ctx.models();
    let items = models::list(registry, &user)?.iter().map(listing).collect();
    let (source, folder) = match registry.source() {
        ModelSource::Folder(dir) => ("folder", Some(dir.display().to_string())),
        ModelSource::Bundled => ("bundled", None),
    };
    Ok(HttpResponse::Ok().json(ModelList {
        items,
        source,
        folder,
    }))
}

/// One risk model in full: weights as declared and as derived, grade scales, thresholds, factor
/// matrix, AHP consistency, measure catalogue.
#[utoipa::path(
    tag = "models",
    params(("id" = String, Path, description = "Model id, e.g. land_requisition")),
    responses(
        (status = 200, description = "The model", body = ModelDetail),
        (status = 404, description = "No such model", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/models/{id}")]
async fn get_model(
    user: Authorized<ReadModels>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let model = models::get(state.ctx.models(), &user, &id)?;
    Ok(HttpResponse::Ok().json(detail(model)))
}
