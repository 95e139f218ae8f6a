//! The demo county (`wenping serve --demo`): on an empty database, 示范县 with its townships and villages, three
//! years of petitions up to the current month, five decisions taken to five stages of the 稳评 process, and one
//! account per role. Everything is made by the use cases people use, each step as the user whose job it is (the
//! planner registers and assesses, each expert rates, the committee resolves, the administrator imports), so the
//! audit log reads as if they had done it. The story is told by `assets/demo/story.toml`.

mod data;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use uuid::Uuid;

use super::assessments::{self, AssessRequest};
use super::petitions::{self, Upload};
use super::{AppError, Context, Precondition, accounts, authorize};
use super::{
    FixedClock, checklist, concerns, consultations, decisions, ratings, resolutions, scenarios,
};
use crate::auth::permission::ManageUsers;
use crate::domain::account::Role;
use crate::domain::decision::{Decision, DecisionFields, DecisionKind, DecisionStatus};
use crate::domain::principal::{Credential, Principal};
use crate::domain::resolution::ResolutionRequest;
use crate::petitions::import::ImportOptions;

pub use crate::storage::holdings::Holdings;

/// What `seed` did.
pub enum Demo {
    /// The demo county was made.
    Seeded(Box<DemoCounty>),
    /// The database already held data, so nothing was added; this is what it holds.
    Skipped(Holdings),
}

/// The demo county as made: what to tell the person who asked for it.
pub struct DemoCounty {
    pub county: String,
    pub county_code: String,
    pub townships: usize,
    pub villages: usize,
    /// Petition records imported, and the last month they reach.
    pub petitions: usize,
    pub through_month: String,
    pub accounts: Vec<DemoAccount>,
    pub decisions: Vec<DemoDecision>,
    /// Follow-up alerts raised by the petitions imported after the resolutions.
    pub alerts: usize,
    /// Where the demo's places and story come from (both invented).
    pub provenance: Vec<String>,
    pub took: Duration,
}

/// An account and its generated password, shown once.
pub struct DemoAccount {
    pub username: String,
    pub role: Role,
    pub zh: String,
    pub en: String,
    pub password: String,
}

pub struct DemoDecision {
    pub id: Uuid,
    pub title: String,
    pub kind: DecisionKind,
    pub status: DecisionStatus,
    /// The level after measures of its assessment, when it was assessed.
    pub residual_level: Option<String>,
}

fn data_error(error: impl std::fmt::Display) -> AppError {
    AppError::internal_msg("demo data", error)
}

/// Makes the demo county in an empty database, as `operator` (who creates the accounts); a database holding any
/// decision, account or petition is left as it is.
pub async fn seed(ctx: &Context, operator: &Principal) -> Result<Demo, AppError> {
    authorize::<ManageUsers>(operator)?;
    let holdings = ctx.db.holdings().await?;
    if !holdings.is_empty() {
        return Ok(Demo::Skipped(holdings));
    }
    let started = Instant::now();
    let county = data::county().map_err(data_error)?;
    let story = data::story().map_err(data_error)?;
    let today = ctx.clock().today();

    let cast = Cast::sign_up(ctx, operator, &story.accounts).await?;
    let admin = cast.first(Role::Admin)?;
    let regions = county.regions();
    petitions::import_regions(ctx, admin, &regions).await?;
    let history = data::history_csv(&county, &story.petitions, today);
    let mut imported = import(ctx, admin, &story.petitions.file_name, history).await?;

    let mut decisions = Vec::new();
    for plan in &story.decisions {
        decisions.push(take_through_stages(ctx, &cast, plan, today).await?);
    }

    let spike = &story.petitions.spike;
    let villages = story
        .decisions
        .iter()
        .find(|d| d.key == spike.decision)
        .map(data::DecisionPlan::villages)
        .ok_or_else(|| data_error(format!("no decision '{}' for the spike", spike.decision)))?;
    let spike_csv = data::spike_csv(&villages, &spike.category, spike.petitions, today);
    imported += import(ctx, admin, &spike.file_name, spike_csv).await?;
    let alerts = resolutions::alerts(ctx, cast.first(Role::Reviewer)?, None, 100)
        .await?
        .len();

    Ok(Demo::Seeded(Box::new(DemoCounty {
        county: county.county.name.clone(),
        county_code: county.county.code.as_str().to_owned(),
        townships: county.townships.len(),
        villages: county.townships.iter().map(|t| t.villages.len()).sum(),
        petitions: imported,
        through_month: today.format("%Y-%m").to_string(),
        accounts: cast.accounts,
        decisions,
        alerts,
        provenance: vec![county.provenance.clone(), story.provenance.clone()],
        took: started.elapsed(),
    })))
}

/// The demo's users: their accounts as created and each one's principal, for acting in their name.
struct Cast {
    accounts: Vec<DemoAccount>,
    principals: BTreeMap<String, Principal>,
}

impl Cast {
    async fn sign_up(
        ctx: &Context,
        operator: &Principal,
        plans: &[data::AccountPlan],
    ) -> Result<Self, AppError> {
        let mut cast = Cast {
            accounts: Vec::new(),
            principals: BTreeMap::new(),
        };
        for plan in plans {
            let new =
                accounts::create_user(ctx, operator, &plan.username, &[plan.role], &[]).await?;
            let user = new.user;
            // The operator acts in the user's name from the server's own machine, as the command line does.
            let principal = Principal {
                user_id: user.id,
                username: user.username.clone(),
                roles: user.roles.clone(),
                scope: user.scope.clone(),
                credential: Credential::Operator,
            };
            cast.principals.insert(user.username.clone(), principal);
            cast.accounts.push(DemoAccount {
                username: user.username,
                role: plan.role,
                zh: plan.zh.clone(),
                en: plan.en.clone(),
                password: new.password,
            });
        }
        Ok(cast)
    }

    fn named(&self, username: &str) -> Result<&Principal, AppError> {
        self.principals
            .get(username)
            .ok_or_else(|| data_error(format!("no demo account named {username}")))
    }

    fn with_role(&self, role: Role) -> Vec<&Principal> {
        self.accounts
            .iter()
            .filter(|a| a.role == role)
            .filter_map(|a| self.principals.get(&a.username))
            .collect()
    }

    fn first(&self, role: Role) -> Result<&Principal, AppError> {
        self.with_role(role)
            .into_iter()
            .next()
            .ok_or_else(|| data_error(format!("no demo account has the role {role}")))
    }
}

/// Imports a CSV export through the import use case; returns how many records it stored.
async fn import(
    ctx: &Context,
    admin: &Principal,
    file_name: &str,
    csv: String,
) -> Result<usize, AppError> {
    let upload = Upload {
        file_name: file_name.to_owned(),
        source: csv.into_bytes().into(),
        options: ImportOptions::default(),
        skip_invalid: false,
    };
    let report = petitions::import_now(ctx, admin, upload, Box::new(|_, _| {})).await?;
    if !report.accepted() {
        let first = report
            .errors
            .first()
            .map(|e| format!("row {} {} '{}': {}", e.row, e.column, e.value, e.reason));
        return Err(data_error(format!(
            "{file_name} was refused: {}",
            first.or(report.file_error).unwrap_or_default()
        )));
    }
    Ok(report.new)
}

/// Moves a decision to `status`, as the planner.
async fn move_to(
    ctx: &Context,
    planner: &Principal,
    decision: &Decision,
    status: DecisionStatus,
) -> Result<Decision, AppError> {
    let based_on = Precondition::Etags(vec![decision.etag()]);
    decisions::change(ctx, planner, decision.id, Some(&based_on), |fields| {
        Ok(DecisionFields {
            status,
            ..fields.clone()
        })
    })
    .await
}

/// Records how the residents were heard (the planner) and takes each concern about the decision through the
/// steps of its plan, each by the user whose step it is, on the day the plan says: the use cases run on a clock
/// set to that day, so answers are on time or late and a due date passes as it would have.
async fn hear_residents(
    ctx: &Context,
    cast: &Cast,
    plan: &data::DecisionPlan,
    decision: &Decision,
    today: NaiveDate,
) -> Result<(), AppError> {
    let planner = cast.first(Role::Planner)?;
    for record in &plan.consultations {
        let fields = record.fields(today).map_err(data_error)?;
        consultations::record(ctx, planner, decision.id, || Ok(fields)).await?;
    }
    let on = |days: i64| {
        ctx.clone()
            .with_clock(FixedClock(data::morning(today, days)))
    };
    for concern in &plan.concerns {
        let mut fields = concern.fields(today, decision.id);
        if !ctx.seals_residents() {
            // A server without a resident key takes concerns anonymously; the demo does too.
            fields.resident = None;
        }
        let mut current =
            concerns::register(&on(concern.received_in_days), planner, || Ok(fields)).await?;
        for step in &concern.steps {
            let based_on = Precondition::Etags(vec![current.etag()]);
            let by = cast.named(&step.by)?;
            let next = step.step(today);
            current = concerns::step(&on(step.in_days), by, current.id, Some(&based_on), || {
                Ok(next)
            })
            .await?;
        }
    }
    Ok(())
}

/// Registers a decision and takes it as far as its plan says: the experts rate, the planner adds scenarios and
/// the checklist and assesses, the committee resolves, the planner starts implementing.
async fn take_through_stages(
    ctx: &Context,
    cast: &Cast,
    plan: &data::DecisionPlan,
    today: NaiveDate,
) -> Result<DemoDecision, AppError> {
    use DecisionStatus::{Assessed, Assessing, Decided, Draft, Implementing};
    let planner = cast.first(Role::Planner)?;
    let mut decision = decisions::register(ctx, planner, plan.fields(today)).await?;
    if plan.stage > Draft {
        decision = move_to(ctx, planner, &decision, Assessing).await?;
    }
    let raters = match &plan.raters {
        Some(names) => names
            .iter()
            .map(|name| cast.named(name))
            .collect::<Result<Vec<_>, _>>()?,
        None => cast.with_role(Role::Expert),
    };
    if !plan.ratings.is_empty() {
        for (column, expert) in raters.iter().enumerate() {
            let sheet = plan.sheet(column);
            ratings::rate(ctx, expert, decision.id, &expert.username, sheet).await?;
        }
    }
    for scenario in &plan.scenarios {
        scenarios::create(ctx, planner, decision.id, || Ok(scenario.clone())).await?;
    }
    if !plan.checklist.is_empty() {
        let items = plan.checklist.iter().map(|i| i.fields(today)).collect();
        checklist::add(ctx, planner, decision.id, || Ok(items)).await?;
    }
    let mut residual_level = None;
    hear_residents(ctx, cast, plan, &decision, today).await?;
    if plan.stage >= Assessed {
        let request = AssessRequest {
            measures: (!plan.measures.is_empty()).then(|| plan.measures.clone()),
            ..AssessRequest::default()
        };
        let record = assessments::assess(ctx, planner, decision.id, request).await?;
        residual_level = Some(record.head.residual_level.clone());
        if plan.stage >= Decided {
            let resolution = plan.resolution.as_ref().ok_or_else(|| {
                data_error(format!(
                    "decision '{}' is decided without a resolution",
                    plan.key
                ))
            })?;
            let request = ResolutionRequest {
                outcome: resolution.outcome,
                conditions: resolution.conditions.clone(),
                assessment_id: record.head.id,
                override_reason: None,
            };
            let committee = cast.first(Role::Committee)?;
            resolutions::resolve(ctx, committee, decision.id, || Ok(request)).await?;
        }
    }
    decision = decisions::get(ctx, planner, decision.id).await?;
    if plan.stage == Implementing {
        decision = move_to(ctx, planner, &decision, Implementing).await?;
    }
    Ok(DemoDecision {
        id: decision.id,
        title: decision.fields.title,
        kind: decision.fields.kind,
        status: decision.fields.status,
        residual_level,
    })
}
