//! The use cases called directly, without HTTP: what a planner, the experts and the committee do, as the web pages
//! and the command line will do it. Also: a comparison and an assessment of one scenario agree on the residual an
//! assessment records, and a derived write that fails leaves nothing half-done.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Datelike;
use uuid::Uuid;
use wenping::app::assessments::{self, AssessRequest};
use wenping::app::comparison::{self, CompareRequest};
use wenping::app::petitions::{self as petition_imports, Upload};
use wenping::app::{AppError, Context, Precondition};
use wenping::app::{checklist, decisions, ratings, resolutions, scenarios};
use wenping::config::Settings;
use wenping::domain::account::{Role, Scope};
use wenping::domain::checklist::ItemFields;
use wenping::domain::decision::DecisionFields;
use wenping::domain::principal::{Credential, Principal};
use wenping::domain::ratings::{FactorRating, RatingSheet};
use wenping::domain::resolution::{Outcome, ResolutionRequest};
use wenping::domain::scenario::ScenarioFields;
use wenping::scoring::Level;

use crate::common::panels::{Ratings, land_panel};
use crate::common::petitions::{TownshipPetitions, month_start};
use crate::common::{FreshDatabase, fresh_database, land_requisition};

struct UseCases {
    ctx: Context,
    _database: FreshDatabase,
}

/// The use cases on a fresh database, with the repository's model files.
async fn use_cases() -> UseCases {
    let database = fresh_database().await;
    let settings = Settings {
        database_url: database.url.clone(),
        models_dir: Some(concat!(env!("CARGO_MANIFEST_DIR"), "/models").into()),
        ..Settings::default()
    };
    let ctx = wenping::startup::open(&settings).await.unwrap();
    UseCases {
        ctx,
        _database: database,
    }
}

fn principal(name: &str, role: Role) -> Principal {
    Principal {
        user_id: Uuid::new_v4(),
        username: name.to_owned(),
        roles: BTreeSet::from([role]),
        scope: Scope::everywhere(),
        credential: Credential::Token {
            token_id: Uuid::new_v4(),
        },
    }
}

fn planner() -> Principal {
    principal("规划科", Role::Planner)
}

fn sheet_of(rows: &BTreeMap<&'static str, (u8, u8)>) -> RatingSheet {
    rows.iter()
        .map(|(factor, (p, q))| {
            (
                (*factor).to_owned(),
                FactorRating {
                    probability: *p,
                    impact: *q,
                    low: None,
                    high: None,
                    note: None,
                },
            )
        })
        .collect()
}

impl UseCases {
    /// A land requisition registered by the planner and rated by the panel.
    async fn rated_decision(&self, panel: &Ratings) -> Uuid {
        let fields: DecisionFields =
            serde_json::from_value(land_requisition("东片区征收")).unwrap();
        let decision = decisions::register(&self.ctx, &planner(), fields)
            .await
            .unwrap();
        for (expert, rows) in panel {
            let me = principal(expert, Role::Expert);
            ratings::rate(&self.ctx, &me, decision.id, expert, sheet_of(rows))
                .await
                .unwrap();
        }
        decision.id
    }
}

#[tokio::test]
async fn a_planner_assesses_a_rated_decision_and_the_record_reads_back_and_replays() {
    let uc = use_cases().await;
    let id = uc.rated_decision(&land_panel()).await;
    let record = assessments::assess(&uc.ctx, &planner(), id, AssessRequest::default())
        .await
        .unwrap();
    assert_eq!(record.result.initial.level, Level::Medium);
    assert_eq!(record.head.initial_level, "medium");
    assert_eq!(
        record.inputs.ratings.len(),
        3,
        "three experts' sheets recorded"
    );
    let decision = decisions::get(&uc.ctx, &planner(), id).await.unwrap();
    assert_eq!(decision.fields.status.as_str(), "assessed");
    let read = assessments::get(&uc.ctx, &planner(), record.head.id)
        .await
        .unwrap();
    assert_eq!(read.head.content_hash, record.head.content_hash);
    assert_eq!(read.result, record.result);
    let replay = wenping::app::restore::replay(&uc.ctx, &planner(), record.head.id)
        .await
        .unwrap();
    assert!(replay.matches, "{:?}", replay.differences);
    // The layer refuses what the caller's role may not do, whichever way they came in.
    let expert = principal("张教授", Role::Expert);
    let refused = assessments::assess(&uc.ctx, &expert, id, AssessRequest::default()).await;
    assert!(matches!(refused, Err(AppError::Forbidden(_))));
    // Outside the caller's scope the decision does not exist.
    let mut elsewhere = planner();
    elsewhere.scope = Scope::parse(&["110101".to_owned()]).unwrap();
    let hidden = assessments::assess(&uc.ctx, &elsewhere, id, AssessRequest::default()).await;
    assert!(matches!(hidden, Err(AppError::NotFound(_))));
}

#[tokio::test]
async fn the_comparison_and_the_assessment_of_a_scenario_agree_on_the_residual_it_records() {
    let uc = use_cases().await;
    let id = uc.rated_decision(&land_panel()).await;
    let measures = vec![
        "unified_standard".to_owned(),
        "social_insurance_enrolment".to_owned(),
    ];
    let scenario = scenarios::create(&uc.ctx, &planner(), id, || {
        Ok(ScenarioFields {
            name: "两项措施".into(),
            description: String::new(),
            overrides: BTreeMap::new(),
            ratings: None,
            measures: measures.clone(),
        })
    })
    .await
    .unwrap();
    let compare = || CompareRequest {
        scenarios: Some(vec![scenario.id]),
        target: Level::Low,
        weight_noise: 0.1,
        model: None,
    };
    let assess_it = || AssessRequest {
        scenario_id: Some(scenario.id),
        ..AssessRequest::default()
    };

    // No checklist yet: carried out, the two measures lower R; an assessment now counts neither.
    let side = comparison::compare(&uc.ctx, &planner(), id, compare())
        .await
        .unwrap()
        .scenarios
        .remove(0);
    assert_eq!(side.residual_if_carried_out.measures, measures);
    assert!(side.residual_recorded_now.residual.measures.is_empty());
    assert_eq!(side.residual_recorded_now.uncounted_measures.len(), 2);
    assert!(side.residual_if_carried_out.r < side.residual_recorded_now.residual.r);
    let assessed = assessments::assess(&uc.ctx, &planner(), id, assess_it())
        .await
        .unwrap();
    assert_eq!(
        assessed.result.residual.outcome.r,
        side.residual_recorded_now.residual.r
    );
    assert_eq!(
        assessed.result.residual.outcome.level,
        side.residual_recorded_now.residual.level
    );

    // With owners and due dates the measures count, in the comparison and in the assessment alike.
    checklist::add(&uc.ctx, &planner(), id, || {
        Ok(measures
            .iter()
            .map(|m| ItemFields {
                measure: m.clone(),
                owner_unit: Some("县自然资源局".into()),
                lead_person: Some("李科长".into()),
                due_date: chrono::NaiveDate::from_ymd_opt(2027, 1, 31),
                status: wenping::domain::checklist::ItemStatus::Planned,
                evidence_note: String::new(),
            })
            .collect())
    })
    .await
    .unwrap();
    let side = comparison::compare(&uc.ctx, &planner(), id, compare())
        .await
        .unwrap()
        .scenarios
        .remove(0);
    assert_eq!(side.residual_recorded_now.residual.measures, measures);
    assert_eq!(
        side.residual_recorded_now.residual.r,
        side.residual_if_carried_out.r
    );
    let assessed = assessments::assess(&uc.ctx, &planner(), id, assess_it())
        .await
        .unwrap();
    assert_eq!(
        assessed.result.residual.outcome.r,
        side.residual_recorded_now.residual.r
    );

    // A model pinned in the request is honoured by the comparison: one of another kind has none of the measures.
    let pinned = comparison::compare(
        &uc.ctx,
        &planner(),
        id,
        CompareRequest {
            model: Some("generic".into()),
            ..compare()
        },
    )
    .await;
    match pinned {
        Err(AppError::Invalid(errors)) => {
            assert!(errors.0[0].field.starts_with("measures"), "{errors}")
        }
        other => panic!(
            "a model without the measures must be refused: {:?}",
            other.map(|c| c.model_id)
        ),
    }
}

#[tokio::test]
async fn the_committee_resolves_against_the_gate_and_a_later_rating_reopens_review() {
    let uc = use_cases().await;
    let id = uc.rated_decision(&land_panel()).await;
    let medium = assessments::assess(&uc.ctx, &planner(), id, AssessRequest::default())
        .await
        .unwrap();
    let committee = principal("常务会议", Role::Committee);
    let request = |outcome, override_reason: Option<&str>| ResolutionRequest {
        outcome,
        conditions: "按清单落实措施".into(),
        assessment_id: medium.head.id,
        override_reason: override_reason.map(str::to_owned),
    };
    let refused = resolutions::resolve(&uc.ctx, &committee, id, || {
        Ok(request(Outcome::Implement, None))
    })
    .await;
    match refused {
        Err(AppError::Conflict(why)) => assert!(why.contains("implement only after"), "{why}"),
        other => panic!("implement at medium must be refused: {other:?}"),
    }
    let resolution = resolutions::resolve(&uc.ctx, &committee, id, || {
        Ok(request(Outcome::ImplementAfterMitigation, None))
    })
    .await
    .unwrap();
    assert!(!resolution.needs_review);

    // A later change of one expert's sheet reopens review, in the same transaction as the change.
    let panel = land_panel();
    let (expert, rows) = panel.iter().next().unwrap();
    let mut rows = rows.clone();
    rows.insert("compensation_standard", (5, 5));
    ratings::rate(
        &uc.ctx,
        &principal(expert, Role::Expert),
        id,
        expert,
        sheet_of(&rows),
    )
    .await
    .unwrap();
    let (current, earlier) = resolutions::of_decision(&uc.ctx, &planner(), id)
        .await
        .unwrap();
    assert!(earlier.is_empty());
    assert!(current.needs_review);
    assert_eq!(
        current.review_reasons,
        vec![format!("{expert}'s ratings changed after the resolution")]
    );
}

/// Makes every write of `table` fail, as a crash or a full disk would, on either backend.
async fn break_writes_to(db: &wenping::storage::Db, table: &str) {
    match db {
        wenping::storage::Db::Sqlite(pool) => {
            for op in ["INSERT", "UPDATE"] {
                let sql = format!(
                    "CREATE TRIGGER fail_{op}_{table} BEFORE {op} ON {table} \
                     BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(pool)
                    .await
                    .unwrap();
            }
        }
        wenping::storage::Db::Postgres(pool) => {
            sqlx::query(
                "CREATE OR REPLACE FUNCTION injected_failure() RETURNS trigger AS $$ \
                 BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql",
            )
            .execute(pool)
            .await
            .unwrap();
            let sql = format!(
                "CREATE TRIGGER fail_writes_{table} BEFORE INSERT OR UPDATE ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION injected_failure()"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(pool)
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn a_review_flag_that_cannot_be_written_takes_its_cause_with_it() {
    let uc = use_cases().await;
    let id = uc.rated_decision(&land_panel()).await;
    let assessed = assessments::assess(&uc.ctx, &planner(), id, AssessRequest::default())
        .await
        .unwrap();
    let committee = principal("常务会议", Role::Committee);
    resolutions::resolve(&uc.ctx, &committee, id, || {
        Ok(ResolutionRequest {
            outcome: Outcome::Postpone,
            conditions: String::new(),
            assessment_id: assessed.head.id,
            override_reason: None,
        })
    })
    .await
    .unwrap();
    let db = wenping::storage::Db::connect(&uc._database.url)
        .await
        .unwrap();
    break_writes_to(&db, "resolutions").await;
    let audit_before = audit_count(&db).await;

    // A changed sheet would flag the resolution; the flag cannot be written, so the sheet is not changed either.
    let panel = land_panel();
    let (expert, rows) = panel.iter().next().unwrap();
    let before = ratings::sheets(&uc.ctx, &planner(), id).await.unwrap();
    let mut changed = rows.clone();
    changed.insert("compensation_standard", (5, 5));
    let failed = ratings::rate(
        &uc.ctx,
        &principal(expert, Role::Expert),
        id,
        expert,
        sheet_of(&changed),
    )
    .await;
    assert!(matches!(failed, Err(AppError::Internal(_))), "{failed:?}");
    assert_eq!(
        ratings::sheets(&uc.ctx, &planner(), id).await.unwrap(),
        before
    );

    // Likewise a change of the decision's attributes.
    let decision = decisions::get(&uc.ctx, &planner(), id).await.unwrap();
    let failed = decisions::change(
        &uc.ctx,
        &planner(),
        id,
        Some(&Precondition::Any),
        |fields| {
            let mut fields = fields.clone();
            fields.attributes.insert(
                "compensation_ratio".into(),
                serde_json::from_str("1.0").unwrap(),
            );
            Ok(fields)
        },
    )
    .await;
    assert!(matches!(failed, Err(AppError::Internal(_))), "{failed:?}");
    let after = decisions::get(&uc.ctx, &planner(), id).await.unwrap();
    assert_eq!(after.version, decision.version);
    assert_eq!(after.fields, decision.fields);
    assert_eq!(
        audit_count(&db).await,
        audit_before,
        "no audit entry of a change that did not happen"
    );
    let (current, _) = resolutions::of_decision(&uc.ctx, &planner(), id)
        .await
        .unwrap();
    assert!(!current.needs_review);
    db.close().await;
}

async fn audit_count(db: &wenping::storage::Db) -> i64 {
    match db {
        wenping::storage::Db::Sqlite(pool) => sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(pool)
            .await
            .unwrap(),
        wenping::storage::Db::Postgres(pool) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
                .fetch_one(pool)
                .await
                .unwrap()
        }
    }
}

#[tokio::test]
async fn an_unreachable_database_is_unavailable_for_every_use_case() {
    let uc = use_cases().await;
    let id = uc.rated_decision(&land_panel()).await;
    let assessed = assessments::assess(&uc.ctx, &planner(), id, AssessRequest::default())
        .await
        .unwrap();
    uc.ctx.close().await;
    let unavailable = |e: &AppError| matches!(e, AppError::Unavailable(_));
    let scenario = AssessRequest {
        scenario_id: Some(Uuid::new_v4()),
        ..AssessRequest::default()
    };
    assert!(unavailable(
        &assessments::assess(&uc.ctx, &planner(), id, scenario)
            .await
            .unwrap_err()
    ));
    assert!(unavailable(
        &assessments::get(&uc.ctx, &planner(), assessed.head.id)
            .await
            .unwrap_err()
    ));
    assert!(unavailable(
        &decisions::get(&uc.ctx, &planner(), id).await.unwrap_err()
    ));
    assert!(unavailable(
        &wenping::app::analysis::sensitivity_of(&uc.ctx, &planner(), assessed.head.id)
            .await
            .unwrap_err()
    ));
}

/// Makes the writes of `table` possible again.
async fn mend_writes_to(db: &wenping::storage::Db, table: &str) {
    match db {
        wenping::storage::Db::Sqlite(pool) => {
            for op in ["INSERT", "UPDATE"] {
                let sql = format!("DROP TRIGGER fail_{op}_{table}");
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(pool)
                    .await
                    .unwrap();
            }
        }
        wenping::storage::Db::Postgres(pool) => {
            let sql = format!("DROP TRIGGER fail_writes_{table} ON {table}");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(pool)
                .await
                .unwrap();
        }
    }
}

/// Three land petitions a month in the decision's township for six months, then forty this month: a spike
/// after a resolution made today.
fn spiking_petitions() -> Vec<u8> {
    let today = chrono::Local::now().date_naive();
    let mut file = TownshipPetitions::new("UC");
    for back in 1..=6 {
        for k in 0..3 {
            file.add(
                month_start(back).with_day(3 + k).unwrap(),
                "visit",
                "征地拆迁",
                "2,否,否,否,已办结",
            );
        }
    }
    for k in 0..40u32 {
        let day = month_start(0).with_day(1 + k % today.day()).unwrap();
        file.add(day, "visit", "征地拆迁", "6,是,否,是,办理中");
    }
    file.csv().into_bytes()
}

#[tokio::test]
async fn an_alert_that_cannot_be_written_takes_its_import_with_it() {
    let uc = use_cases().await;
    let id = uc.rated_decision(&land_panel()).await;
    let assessed = assessments::assess(&uc.ctx, &planner(), id, AssessRequest::default())
        .await
        .unwrap();
    resolutions::resolve(
        &uc.ctx,
        &principal("常务会议", Role::Committee),
        id,
        || {
            Ok(ResolutionRequest {
                outcome: Outcome::ImplementAfterMitigation,
                conditions: "按清单落实措施".into(),
                assessment_id: assessed.head.id,
                override_reason: None,
            })
        },
    )
    .await
    .unwrap();
    let admin = principal("信访数据管理员", Role::Admin);
    let upload = || Upload {
        file_name: "township.csv".into(),
        source: spiking_petitions().into(),
        options: Default::default(),
        skip_invalid: false,
    };
    let db = wenping::storage::Db::connect(&uc._database.url)
        .await
        .unwrap();
    break_writes_to(&db, "alerts").await;

    // The spike's alert cannot be written: the petitions that raise it are not stored either.
    let failed = petition_imports::import_now(&uc.ctx, &admin, upload(), Box::new(|_, _| {})).await;
    assert!(
        matches!(failed, Err(AppError::Internal(_))),
        "{:?}",
        failed.map(|r| r.status)
    );
    assert_eq!(
        db.petition_count().await.unwrap(),
        0,
        "no petition of a failed import"
    );
    assert_eq!(
        db.petition_snapshot().await.unwrap(),
        0,
        "no import committed"
    );
    let (current, _) = resolutions::of_decision(&uc.ctx, &planner(), id)
        .await
        .unwrap();
    assert!(!current.needs_review);

    // Once alerts can be written, the same file imports, raises its alert and reopens review, together.
    mend_writes_to(&db, "alerts").await;
    let report = petition_imports::import_now(&uc.ctx, &admin, upload(), Box::new(|_, _| {}))
        .await
        .unwrap();
    assert!(report.accepted());
    assert_eq!(db.petition_count().await.unwrap(), 58);
    let alerts = resolutions::alerts(&uc.ctx, &planner(), Some(id), 10)
        .await
        .unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let (current, _) = resolutions::of_decision(&uc.ctx, &planner(), id)
        .await
        .unwrap();
    assert!(current.needs_review);
    assert!(
        current.review_reasons[0].contains("petition spike"),
        "{:?}",
        current.review_reasons
    );
    db.close().await;
}
