//! A planner's story: register a land requisition, three experts rate it, assess, add a measure,
//! replay, then edit the model file and restart — old assessments still replay exactly while a
//! new one follows the edited model. Expected numbers are computed here from the model file itself.

use std::path::Path;

use serde_json::{Value, json};
use wenping::domain::account::Role;

use crate::common::hand_model::hand_model;
use crate::common::panels::{land_panel, sheet_json};
use crate::common::{TestApp, assert_close, header, land_requisition, spawn_app, spawn_app_on};

async fn assess(app: &TestApp, decision: &str, body: Value) -> Value {
    let planner = app.client_named("李规划", &[Role::Planner]).await;
    let res = app
        .request_with(
            &planner,
            reqwest::Method::POST,
            &format!("/api/v1/decisions/{decision}/assessments"),
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{body}");
    let location = header(&res, "location");
    let record: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/assessments/{}", record["id"].as_str().unwrap())
    );
    record
}

async fn replay(app: &TestApp, assessment: &Value) -> Value {
    let path = format!(
        "/api/v1/assessments/{}/replay",
        assessment["id"].as_str().unwrap()
    );
    let res = app.post_json(&path, &json!({})).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn rate_assess_mitigate_replay_and_survive_a_model_edit() {
    let app = spawn_app().await;
    let decision_body = land_requisition("城东片区集体土地征收");
    let (decision, _) = app.create_decision(&decision_body).await;
    let id = decision["id"].as_str().unwrap().to_owned();
    let attributes = &decision_body["attributes"];

    let ratings = land_panel();
    for (expert, sheet) in &ratings {
        // Every grade with the widest range of doubt.
        let mut body = sheet_json(sheet);
        for rating in body.as_object_mut().unwrap().values_mut() {
            rating["low"] = json!(1);
            rating["high"] = json!(5);
        }
        let res = app
            .put_rating(&format!("/api/v1/decisions/{id}/ratings/{expert}"), &body)
            .await;
        assert_eq!(res.status(), 200, "{expert}");
        let stored: Value = res.json().await.unwrap();
        assert_eq!(stored["expert"], *expert);
        assert_eq!(stored["ratings"], body);
    }
    let listed: Value = app
        .get(&format!("/api/v1/decisions/{id}/ratings"))
        .await
        .json()
        .await
        .unwrap();
    let experts: Vec<&str> = listed["experts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["expert"].as_str().unwrap())
        .collect();
    assert_eq!(experts, ratings.keys().copied().collect::<Vec<_>>());

    // Initial assessment, no measures: R and the level as computed from the model file.
    let model_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/land_requisition.toml");
    let hand = hand_model(&model_file);
    let (r, level) = hand.assess(&ratings, attributes, &[]);
    let first = assess(&app, &id, json!({})).await;
    assert_close(&first["initial"]["r"], r, 1e-12, "initial R");
    assert_close(&first["result"]["initial"]["r"], r, 1e-12, "result R");
    assert_eq!(first["initial"]["level"], level);
    assert_eq!(level, "medium", "the story's ratings give a medium risk");
    assert_eq!(first["result"]["initial"]["veto"], json!([]));
    assert_eq!(first["residual"], first["initial"]);
    assert_eq!(first["author"], "李规划");
    assert_eq!(first["decision_id"], id.as_str());
    assert_eq!(first["model_id"], "land_requisition");
    assert_eq!(first["content_hash"].as_str().unwrap().len(), 64);
    assert_eq!(
        first["inputs"]["decision"]["status"], "draft",
        "the decision as it was"
    );
    assert_eq!(first["inputs"]["attributes"]["compensation_ratio"], 0.8);
    assert_eq!(
        first["inputs"]["ratings"]["王书记"]["villager_support"]["probability"],
        4
    );
    assert_eq!(first["inputs"]["indicators"], json!({}));
    let models: Value = app.get("/api/v1/models").await.json().await.unwrap();
    let land_hash = models["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "land_requisition")
        .unwrap()["hash"]
        .clone();
    assert_eq!(first["model_hash"], land_hash);

    let now: Value = app
        .get(&format!("/api/v1/decisions/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["status"], "assessed");
    assert_eq!(now["version"], 2);

    // One measure: only the compensation factor's probability drops, so residual R is lower.
    let (residual_r, residual_level) = hand.assess(&ratings, attributes, &["unified_standard"]);
    assert!(residual_r < r);
    // The residual counts a measure once its checklist item has an owner unit and a due date.
    let res = app
        .post_json(
            &format!("/api/v1/decisions/{id}/checklist"),
            &json!({"items": [{"measure": "unified_standard", "owner_unit": "县自然资源局", "due_date": "2027-06-30"}]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let second = assess(&app, &id, json!({"measures": ["unified_standard"]})).await;
    assert_close(
        &second["initial"]["r"],
        r,
        1e-12,
        "initial R with a measure",
    );
    assert_close(&second["residual"]["r"], residual_r, 1e-12, "residual R");
    assert_eq!(second["residual"]["level"], residual_level);
    assert_eq!(second["measures"], json!(["unified_standard"]));
    assert_ne!(second["content_hash"], first["content_hash"]);

    // Read back exactly as created; listed newest first, one per page.
    for record in [&first, &second] {
        let path = format!("/api/v1/assessments/{}", record["id"].as_str().unwrap());
        let fetched: Value = app.get(&path).await.json().await.unwrap();
        assert_eq!(&fetched, record);
    }
    let page: Value = app
        .get(&format!("/api/v1/decisions/{id}/assessments?limit=1"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"][0]["id"], second["id"]);
    let cursor = page["next_cursor"].as_str().unwrap();
    let page: Value = app
        .get(&format!(
            "/api/v1/decisions/{id}/assessments?limit=1&cursor={cursor}"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"][0]["id"], first["id"]);
    assert_eq!(page["next_cursor"], Value::Null);

    for record in [&first, &second] {
        let replayed = replay(&app, record).await;
        assert_eq!(replayed["matches"], true, "{replayed}");
        assert_eq!(replayed["recomputed_hash"], record["content_hash"]);
        assert_eq!(replayed["differences"], json!([]));
    }

    // Edit a copy of the models folder (feasibility weights 0.4/0.3 → 0.5/0.2) and restart on it.
    let edited = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("models")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, edited.path().join(path.file_name().unwrap())).unwrap();
    }
    let text = std::fs::read_to_string(&model_file).unwrap();
    let (head, funds) = text.split_once("id = \"funds_in_place\"").unwrap();
    let text = format!(
        "{}id = \"funds_in_place\"{}",
        head.replacen("weight = 0.4", "weight = 0.5", 1),
        funds.replacen("weight = 0.3", "weight = 0.2", 1)
    );
    let edited_file = edited.path().join("land_requisition.toml");
    std::fs::write(&edited_file, text).unwrap();
    let restarted = spawn_app_on(&app.database_url, edited.path()).await;

    for record in [&first, &second] {
        let replayed = replay(&restarted, record).await;
        assert_eq!(
            replayed["matches"], true,
            "replay after the edit: {replayed}"
        );
        assert_eq!(replayed["recomputed_hash"], record["content_hash"]);
    }
    let edited_hand = hand_model(&edited_file);
    let (edited_r, edited_level) = edited_hand.assess(&ratings, attributes, &[]);
    assert!((edited_r - r).abs() > 1e-3, "the edit moves R");
    let third = assess(&restarted, &id, json!({})).await;
    assert_ne!(third["model_hash"], first["model_hash"]);
    assert_close(
        &third["initial"]["r"],
        edited_r,
        1e-12,
        "R under the edited model",
    );
    assert_eq!(third["initial"]["level"], edited_level);
    assert_eq!(replay(&restarted, &third).await["matches"], true);

    // The audit log holds every rating sheet, every assessment and the one status change.
    let audit = |query: String| {
        let app = &app;
        async move {
            let v: Value = app
                .get(&format!("/api/v1/audit?{query}"))
                .await
                .json()
                .await
                .unwrap();
            v["items"].as_array().unwrap().clone()
        }
    };
    let sheets = audit(format!("entity=decision_ratings&id={id}")).await;
    assert_eq!(sheets.len(), 3);
    assert!(
        sheets
            .iter()
            .all(|e| e["action"] == "replace" && e["before"]["ratings"] == json!({}))
    );
    let decision_log = audit(format!("entity=decision&id={id}")).await;
    let actions: Vec<&str> = decision_log
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "update"]);
    assert_eq!(decision_log[1]["before"]["status"], "draft");
    assert_eq!(decision_log[1]["after"]["status"], "assessed");
    assert_eq!(decision_log[1]["actor"], "李规划");
    for record in [&first, &second, &third] {
        let entries = audit(format!(
            "entity=assessment&id={}",
            record["id"].as_str().unwrap()
        ))
        .await;
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["after"]["content_hash"], record["content_hash"]);
    }
}

#[tokio::test]
async fn stored_assessments_cannot_be_changed_or_removed() {
    let app = spawn_app().await;
    let (decision, _) = app.create_decision(&land_requisition("不可改")).await;
    let id = decision["id"].as_str().unwrap();
    let record = assess(&app, id, json!({})).await;
    let assessment = uuid::Uuid::parse_str(record["id"].as_str().unwrap()).unwrap();
    let statements = [
        "UPDATE assessments SET result = '{}' WHERE id = $1",
        "DELETE FROM assessments WHERE id = $1",
    ];
    for sql in statements {
        let outcome = match &app.db {
            wenping::storage::Db::Sqlite(pool) => sqlx::query(sql)
                .bind(assessment)
                .execute(pool)
                .await
                .map(|_| ()),
            wenping::storage::Db::Postgres(pool) => sqlx::query(sql)
                .bind(assessment)
                .execute(pool)
                .await
                .map(|_| ()),
        };
        let error = outcome.expect_err(sql).to_string();
        assert!(error.contains("immutable"), "{sql}: {error}");
    }
    let snapshot_update = "UPDATE model_snapshots SET snapshot = '{}'";
    let outcome = match &app.db {
        wenping::storage::Db::Sqlite(pool) => {
            sqlx::query(snapshot_update).execute(pool).await.map(|_| ())
        }
        wenping::storage::Db::Postgres(pool) => {
            sqlx::query(snapshot_update).execute(pool).await.map(|_| ())
        }
    };
    assert!(outcome.is_err(), "model snapshots are immutable");
    assert_eq!(replay(&app, &record).await["matches"], true);
}
