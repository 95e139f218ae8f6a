//! The concern ledger (民情台账): registering what residents raise, driving each concern through the closed loop
//! (派单 → 签收 → 回复 → 回访 → 销号, with 退单 and 复号), the offices' queues, and the ledger's measures. Concerns
//! are scoped by region like decisions; a resident's name and phone are sealed before they reach storage and
//! shown unmasked only to roles that need the person.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::decisions::in_scope;
use super::{AppError, Context, Precondition, authorize};
use crate::auth::permission::{
    HandleConcerns, KeepLedger, Permission, ReadConcerns, ReadResidents, RegisterConcerns,
};
use crate::domain::account::Role;
use crate::domain::audit::AuditEntry;
use crate::domain::concern::{
    Concern, ConcernAction, ConcernFields, ConcernState, ConcernStep, Resident, check_step,
    overdue, refused_step,
};
use crate::domain::ledger::{ConcernFacts, LedgerMeasures, grouped, measures};
use crate::domain::principal::Principal;
use crate::ledger::vocabulary::VOCABULARY;
use crate::storage::StorageError;
use crate::storage::concerns::{ConcernFilter, SealedConcern};

pub use super::concern_query::ConcernQuery;
pub use crate::domain::concern::ConcernFilter as Filter;

const MAX_PAGE: i64 = 200;

/// A page of the ledger.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConcernPage {
    pub items: Vec<Concern>,
    /// Concerns matching the filter, over every page.
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

/// One concern with its history from the audit log.
#[derive(Debug, Clone)]
pub struct ConcernWithHistory {
    pub concern: Concern,
    pub history: Vec<AuditEntry>,
    /// The actions the caller may take now (the allowed ones their role and assignment permit).
    pub actions: Vec<ConcernAction>,
}

/// The grouping of the ledger's measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Month,
    Office,
    Region,
    Decision,
    Topic,
}

/// The ledger's measures: over everything the filter selects, and per group.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LedgerStats {
    pub as_of: NaiveDate,
    pub total: LedgerMeasures,
    /// Group key (YYYY-MM of receipt, office, region code, decision id, topic) → measures.
    pub groups: BTreeMap<String, LedgerMeasures>,
}

/// The resident as this caller may see them, and whether it is masked.
fn reveal(
    ctx: &Context,
    principal: &Principal,
    sealed: &SealedConcern,
) -> (Option<Resident>, bool) {
    let Some(bytes) = &sealed.sealed else {
        return (None, false);
    };
    let Some(key) = &ctx.residents else {
        tracing::warn!(concern = %sealed.concern.id, "a resident's data is sealed but this server has no resident key");
        return (None, true);
    };
    match key.open(bytes) {
        Ok(resident) if principal.has_any(ReadResidents::ROLES) => (Some(resident), false),
        Ok(resident) => (Some(resident.masked()), true),
        Err(e) => {
            tracing::warn!(concern = %sealed.concern.id, error = %e, "a resident's data cannot be opened");
            (None, true)
        }
    }
}

fn shown(ctx: &Context, principal: &Principal, sealed: SealedConcern) -> Concern {
    let (resident, masked) = reveal(ctx, principal, &sealed);
    Concern {
        resident,
        resident_masked: masked,
        ..sealed.concern
    }
}

/// The concern, if the caller's scope covers its region; otherwise 404.
async fn concern_in_scope(
    ctx: &Context,
    principal: &Principal,
    id: Uuid,
) -> Result<SealedConcern, AppError> {
    match ctx.db.concern(id, ctx.clock().today()).await {
        Ok(c) if principal.scope.covers_code(c.concern.region.as_str()) => Ok(c),
        Ok(_) => Err(AppError::NotFound(format!("no concern with id {id}"))),
        Err(e) => Err(e.into()),
    }
}

/// The ledger's number for a concern registered without one: MQ, the day received, and a random tail of
/// eight hex digits. Six drew the same tail twice in the soak's 38 000 concerns of one day (the birthday bound:
/// n²/2^25); with eight, 10 000 a day meet once in about 90 days, and registration draws again when they do.
fn new_number(received: DateTime<Utc>, id: Uuid) -> String {
    let tail: String = id.simple().to_string().chars().take(8).collect();
    format!("MQ{}-{}", received.format("%Y%m%d"), tail.to_uppercase())
}

/// A new concern as it is registered: every loop field empty.
pub(crate) fn new_concern(
    fields: &ConcernFields,
    actor: &str,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Concern {
    let id = Uuid::new_v4();
    let state = ConcernState::Registered;
    Concern {
        id,
        number: fields
            .number
            .clone()
            .unwrap_or_else(|| new_number(fields.received_at, id)),
        channel: fields.channel,
        received_at: fields.received_at,
        region: fields.region.clone(),
        topic: fields.topic.clone(),
        content: fields.content.trim().to_owned(),
        resident: None,
        resident_masked: false,
        decisions: fields.decisions.clone(),
        state,
        office: None,
        handler: None,
        due_on: None,
        answer: None,
        answered_at: None,
        adopted_measure: None,
        satisfaction: None,
        closed_at: None,
        reopen_count: 0,
        last_reason: None,
        overdue: overdue(state, None, today),
        allowed: state.allowed().to_vec(),
        version: 1,
        created_by: actor.to_owned(),
        created_at: now,
        updated_at: now,
    }
}

/// The sealed resident of a registration; `None` when anonymous. Refused when the server cannot seal.
pub(crate) fn seal(
    ctx: &Context,
    resident: Option<&Resident>,
) -> Result<Option<Vec<u8>>, AppError> {
    let Some(resident) = resident.filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let key = ctx.residents.as_ref().ok_or_else(|| {
        AppError::invalid(
            "resident",
            "this server has no resident key (setting resident_key), so residents' names and phones cannot be stored; register the concern anonymously or ask the administrator",
        )
    })?;
    Ok(Some(key.seal(resident)))
}

/// Checks what a registration names: the region in the caller's scope, the decisions in scope.
pub(crate) async fn check_registration(
    ctx: &Context,
    principal: &Principal,
    fields: &ConcernFields,
    prefix: &str,
) -> Result<(), AppError> {
    if !principal.scope.covers_code(fields.region.as_str()) {
        return Err(AppError::Forbidden(format!(
            "{prefix}region: region {} lies outside your region scope",
            fields.region
        )));
    }
    for (k, id) in fields.decisions.iter().enumerate() {
        if in_scope(ctx, principal, *id).await.is_err() {
            return Err(AppError::invalid(
                format!("{prefix}decisions[{k}]"),
                format!("no decision with id {id} in your scope"),
            ));
        }
    }
    Ok(())
}

/// Registers a concern heard from a resident.
pub async fn register(
    ctx: &Context,
    principal: &Principal,
    fields: impl FnOnce() -> Result<ConcernFields, AppError>,
) -> Result<Concern, AppError> {
    authorize::<RegisterConcerns>(principal)?;
    let fields = fields()?;
    let now = ctx.clock().now();
    fields.validate(now, |t| VOCABULARY.knows_topic(t))?;
    check_registration(ctx, principal, &fields, "").await?;
    let sealed = seal(ctx, fields.resident.as_ref())?;
    let mut attempt = 1;
    let concern = loop {
        let concern = new_concern(&fields, &principal.username, now, ctx.clock().today());
        match ctx
            .db
            .insert_concern(&concern, sealed.as_deref(), &principal.username)
            .await
        {
            // A number the ledger chose itself and drew twice is drawn again; one the caller gave is a 409.
            Err(StorageError::Conflict(_)) if fields.number.is_none() && attempt < NUMBER_DRAWS => {
                attempt += 1;
            }
            stored => break stored.map(|()| concern)?,
        }
    };
    get(ctx, principal, concern.id).await.map(|c| c.concern)
}

/// How often registration draws a number before it gives the conflict back.
const NUMBER_DRAWS: u32 = 5;

/// The concerns of the filter within the caller's scope, newest first, a page at a time.
pub async fn list(
    ctx: &Context,
    principal: &Principal,
    mut filter: ConcernFilter,
) -> Result<ConcernPage, AppError> {
    authorize::<ReadConcerns>(principal)?;
    filter.scope = Some(principal.scope.clone());
    let limit = filter.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    filter.limit = Some(limit);
    filter.offset = filter.offset.max(0);
    let today = ctx.clock().today();
    // A list and its count may lag on a replica; a concern just registered opens on its own page (primary).
    let reader = ctx.reader();
    let total = reader.count_concerns(&filter).await?;
    let rows = reader.concerns(&filter, today).await?;
    Ok(ConcernPage {
        items: rows.into_iter().map(|r| shown(ctx, principal, r)).collect(),
        total,
        offset: filter.offset,
        limit,
    })
}

/// Every concern of the filter within the caller's scope (for exports), residents masked whoever asks.
pub async fn export(
    ctx: &Context,
    principal: &Principal,
    mut filter: ConcernFilter,
) -> Result<Vec<Concern>, AppError> {
    authorize::<ReadConcerns>(principal)?;
    filter.scope = Some(principal.scope.clone());
    filter.limit = None;
    let rows = ctx.reader().concerns(&filter, ctx.clock().today()).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut c = shown(ctx, principal, r);
            c.resident = c.resident.map(|r| r.masked());
            c.resident_masked = c.resident.is_some();
            c
        })
        .collect())
}

/// The actions of `allowed` this caller may take on `concern`.
fn actions_for(principal: &Principal, concern: &Concern) -> Vec<ConcernAction> {
    concern
        .allowed
        .iter()
        .copied()
        .filter(|a| permitted(principal, concern, *a).is_ok())
        .collect()
}

fn permitted(
    principal: &Principal,
    concern: &Concern,
    action: ConcernAction,
) -> Result<(), AppError> {
    if action.by_office() {
        authorize::<HandleConcerns>(principal)?;
        if concern.handler.as_deref() != Some(principal.username.as_str()) {
            return Err(AppError::Forbidden(format!(
                "only the concern's handler ({}) may {} it",
                concern.handler.as_deref().unwrap_or("none yet"),
                action.as_str().replace('_', " ")
            )));
        }
        Ok(())
    } else {
        authorize::<KeepLedger>(principal)
    }
}

/// One concern with its history.
pub async fn get(
    ctx: &Context,
    principal: &Principal,
    id: Uuid,
) -> Result<ConcernWithHistory, AppError> {
    authorize::<ReadConcerns>(principal)?;
    let sealed = concern_in_scope(ctx, principal, id).await?;
    let history = ctx.db.concern_history(id).await?;
    let concern = shown(ctx, principal, sealed);
    Ok(ConcernWithHistory {
        actions: actions_for(principal, &concern),
        concern,
        history,
    })
}

/// Takes one step of the loop, based on the version named (If-Match). A step the state does not allow is a
/// 409 naming the allowed ones.
pub async fn step(
    ctx: &Context,
    principal: &Principal,
    id: Uuid,
    based_on: Option<&Precondition>,
    step: impl FnOnce() -> Result<ConcernStep, AppError>,
) -> Result<Concern, AppError> {
    authorize::<ReadConcerns>(principal)?;
    let sealed = concern_in_scope(ctx, principal, id).await?;
    let current = sealed.concern.clone();
    Precondition::required(based_on, &current.etag())?;
    let step = step()?;
    permitted(principal, &current, step.action)?;
    if !current.state.allowed().contains(&step.action) {
        return Err(AppError::Conflict(refused_step(current.state, step.action)));
    }
    let today = ctx.clock().today();
    check_step(&step, today)?;
    if step.action == ConcernAction::Assign {
        check_handler(ctx, step.handler.as_deref().unwrap_or_default()).await?;
    }
    if let Some(measure) = &step.adopted_measure {
        check_adopted(ctx, principal, &current, measure).await?;
    }
    let due_again = today + chrono::Duration::days(VOCABULARY.default_due_days);
    let next = current.after(&step, ctx.clock().now(), today, due_again)?;
    ctx.db
        .record_concern_step(
            &current,
            &next,
            sealed.sealed.is_some(),
            step.action.as_str(),
            &principal.username,
        )
        .await?;
    get(ctx, principal, id).await.map(|c| c.concern)
}

/// The handler must be an account of an office, not disabled.
pub(super) async fn check_handler(ctx: &Context, handler: &str) -> Result<(), AppError> {
    match ctx.db.user_by_name(handler.trim()).await? {
        Some(user) if !user.disabled && user.roles.contains(&Role::Office) => Ok(()),
        Some(_) => Err(AppError::invalid(
            "handler",
            format!("{handler} is not an active account of an office (role office)"),
        )),
        None => Err(AppError::invalid(
            "handler",
            format!("no account named {handler}"),
        )),
    }
}

/// An adopted measure must be a measure of the model of a decision the concern is about.
pub(super) async fn check_adopted(
    ctx: &Context,
    principal: &Principal,
    concern: &Concern,
    measure: &str,
) -> Result<(), AppError> {
    for id in &concern.decisions {
        if let Ok(decision) = in_scope(ctx, principal, *id).await
            && ctx.models().knows_measure(decision.fields.kind, measure)
        {
            return Ok(());
        }
    }
    Err(AppError::invalid(
        "adopted_measure",
        format!(
            "'{}' is not a measure of the risk model of a decision this concern is about",
            measure.chars().take(60).collect::<String>()
        ),
    ))
}

/// An office's queue: what its handler must accept or answer, due first.
pub async fn queue(
    ctx: &Context,
    principal: &Principal,
    handler: Option<&str>,
) -> Result<Vec<Concern>, AppError> {
    authorize::<ReadConcerns>(principal)?;
    let handler = handler.unwrap_or(principal.username.as_str());
    let filter = ConcernFilter {
        scope: Some(principal.scope.clone()),
        handler: Some(handler.to_owned()),
        states: vec![
            ConcernState::Assigned,
            ConcernState::Accepted,
            ConcernState::Reopened,
        ],
        ..Default::default()
    };
    let mut items: Vec<Concern> = ctx
        .db
        .concerns(&filter, ctx.clock().today())
        .await?
        .into_iter()
        .map(|r| shown(ctx, principal, r))
        .collect();
    items.sort_by_key(|c| (c.due_on.unwrap_or(NaiveDate::MAX), c.received_at));
    Ok(items)
}

/// The ledger's measures over the filter, and per group.
pub async fn stats(
    ctx: &Context,
    principal: &Principal,
    mut filter: ConcernFilter,
    group_by: GroupBy,
) -> Result<LedgerStats, AppError> {
    authorize::<ReadConcerns>(principal)?;
    filter.scope = Some(principal.scope.clone());
    filter.limit = None;
    let today = ctx.clock().today();
    let rows = ctx.reader().concerns(&filter, today).await?;
    let facts: Vec<(Vec<String>, ConcernFacts)> = rows
        .iter()
        .map(|r| {
            let c = &r.concern;
            let keys = match group_by {
                GroupBy::Month => vec![c.received_at.format("%Y-%m").to_string()],
                GroupBy::Office => vec![c.office.clone().unwrap_or_default()],
                GroupBy::Region => vec![c.region.as_str().to_owned()],
                GroupBy::Topic => vec![c.topic.clone()],
                GroupBy::Decision => c.decisions.iter().map(Uuid::to_string).collect(),
            };
            (keys, ConcernFacts::from(c))
        })
        .collect();
    let total = measures(facts.iter().map(|(_, f)| f), today);
    let groups = grouped(
        facts
            .iter()
            .flat_map(|(keys, f)| keys.iter().map(move |k| (k.clone(), f))),
        today,
    );
    Ok(LedgerStats {
        as_of: today,
        total,
        groups,
    })
}

/// A decision a concern is about, as the concern's pages show it: its title and the measures its plan may adopt.
#[derive(Debug, Clone)]
pub struct RelatedDecision {
    pub id: Uuid,
    pub title: String,
    /// measure id → its names, from the risk model for the decision's kind.
    pub measures: Vec<(String, crate::scoring::model::Names)>,
}

/// What a concern's page shows: the concern, its history, the caller's next steps, and the decisions it is about
/// with the measures an answer may adopt (read for the concern's sake: a handler need not read the register).
pub struct ConcernSheet {
    pub found: ConcernWithHistory,
    pub related: Vec<RelatedDecision>,
}

pub async fn sheet(
    ctx: &Context,
    principal: &Principal,
    id: Uuid,
) -> Result<ConcernSheet, AppError> {
    let found = get(ctx, principal, id).await?;
    let mut related = Vec::new();
    for decision_id in &found.concern.decisions {
        let Ok(decision) = ctx.db.decision(*decision_id).await else {
            continue;
        };
        if !principal.scope.covers(&decision.fields.regions) {
            continue;
        }
        let measures = ctx
            .models()
            .default_for(decision.fields.kind)
            .map(|m| {
                m.spec()
                    .measures
                    .iter()
                    .map(|s| (s.id.clone(), s.name.clone()))
                    .collect()
            })
            .unwrap_or_default();
        related.push(RelatedDecision {
            id: decision.id,
            title: decision.fields.title,
            measures,
        });
    }
    Ok(ConcernSheet { found, related })
}

/// The regions a concern may be registered in: the region table within the caller's scope, for the picker.
pub async fn regions(
    ctx: &Context,
    principal: &Principal,
) -> Result<Vec<crate::domain::petition::Region>, AppError> {
    authorize::<ReadConcerns>(principal)?;
    let mut regions = ctx.db.all_regions(super::register::PICKER_REGIONS).await?;
    regions.retain(|r| principal.scope.covers_code(&r.code));
    Ok(regions)
}
