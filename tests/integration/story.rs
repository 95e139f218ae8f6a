//! A user's story end to end (issue 7): a land requisition at medium risk; two scenarios
//! (compensation at 0.8 and at 1.0 of market value) and their comparison; the optimizer's plan; the
//! plan's measures on the checklist with owners and deadlines; a new assessment at low; the
//! committee's `implement` refused on the medium assessment and accepted on the low one; a later
//! petition spike raises an alert and marks the resolution for review.

use chrono::Datelike;
use serde_json::{Value, json};
use wenping::domain::account::Role;

use crate::common::panels::short_panel;
use crate::common::petitions::{TownshipPetitions, month_start, upload};
use crate::common::{TestApp, expect_problem, header, json_of, land_requisition, spawn_app};

async fn send(
    app: &TestApp,
    client: &reqwest::Client,
    method: reqwest::Method,
    path: &str,
    body: &Value,
) -> reqwest::Response {
    app.request_with(client, method, path)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Petition history for the decision's township: three land petitions a month for six months before
/// this month, then forty this month, and twenty-five about the environment this month.
fn petitions_csv() -> String {
    let today = chrono::Local::now().date_naive();
    let mut file = TownshipPetitions::new("ST");
    for back in 1..=6 {
        let month = month_start(back);
        for k in 0..3 {
            let day = month.with_day(3 + k).unwrap();
            file.add(day, "visit", "征地拆迁", "2,否,否,否,已办结");
        }
    }
    for k in 0..40u32 {
        let day = month_start(0).with_day(1 + k % today.day()).unwrap();
        file.add(day, "visit", "征地拆迁", "6,是,否,是,办理中");
    }
    // Petitions about something else are not what a land requisition's follow-up watches.
    for _ in 0..25 {
        file.add(today, "phone", "环境保护", "1,否,否,否,已受理");
    }
    file.csv()
}

#[tokio::test]
async fn medium_risk_to_low_with_a_plan_then_a_spike_reopens_review() {
    let app = spawn_app().await;
    let planner = app.client_named("李规划", &[Role::Planner]).await;
    let committee = app.client_named("县委常委会", &[Role::Committee]).await;
    use reqwest::Method;

    // A land requisition; its baseline scenario exists from the start.
    let (decision, _) = app
        .create_decision(&land_requisition("城东片区集体土地征收"))
        .await;
    let id = decision["id"].as_str().unwrap().to_owned();
    let listed = json_of(
        app.get(&format!("/api/v1/decisions/{id}/scenarios")).await,
        200,
    )
    .await;
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["baseline"], true);
    let baseline = items[0]["id"].as_str().unwrap().to_owned();

    app.rate(&id, &short_panel()).await;

    // Medium initial risk on the baseline.
    let first = json_of(
        send(
            &app,
            &planner,
            Method::POST,
            &format!("/api/v1/decisions/{id}/assessments"),
            &json!({}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(first["initial"]["level"], "medium", "{}", first["initial"]);
    assert_eq!(first["scenario_id"], baseline.as_str());
    let first_id = first["id"].as_str().unwrap().to_owned();

    // Two alternatives: compensation at 0.8 and at 1.0 of market value.
    let mut scenario_ids = Vec::new();
    for (name, ratio) in [("补偿按市场价 80%", 0.8), ("补偿按市场价 100%", 1.0)] {
        let res = send(
            &app,
            &planner,
            Method::POST,
            &format!("/api/v1/decisions/{id}/scenarios"),
            &json!({"name": name, "overrides": {"compensation_ratio": ratio}}),
        )
        .await;
        assert_eq!(header(&res, "etag"), "\"1\"");
        let created = json_of(res, 201).await;
        assert_eq!(created["overrides"]["compensation_ratio"], ratio);
        scenario_ids.push(created["id"].as_str().unwrap().to_owned());
    }
    let comparison = json_of(
        app.get(&format!(
            "/api/v1/decisions/{id}/comparison?scenarios={},{}&target=low",
            scenario_ids[0], scenario_ids[1]
        ))
        .await,
        200,
    )
    .await;
    let sides = comparison["scenarios"].as_array().unwrap();
    assert_eq!(sides.len(), 2);
    assert_eq!(
        sides[0]["r"], first["initial"]["r"],
        "0.8 is the registered ratio"
    );
    assert!(sides[1]["r"].as_f64().unwrap() < sides[0]["r"].as_f64().unwrap());
    let compensation = |side: &Value| {
        side["factor_deltas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["factor"] == "compensation_standard")
            .unwrap()
            .clone()
    };
    assert_eq!(compensation(&sides[0])["probability_grade_delta"], 0);
    assert!(
        compensation(&sides[1])["contribution_delta"]
            .as_f64()
            .unwrap()
            < 0.0
    );
    for side in sides {
        let plan = &side["cheapest_plan"];
        assert_eq!(plan["reached"], true, "{plan}");
        assert!(side["dimensions"].as_array().unwrap().len() == 4);
    }
    let share = comparison["order"]["same_order_share"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&share));

    // The optimizer's plan from the medium assessment.
    let plan = json_of(
        send(
            &app,
            &planner,
            Method::POST,
            &format!("/api/v1/assessments/{first_id}/mitigation-plan"),
            &json!({"target": "low"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(plan["reached"], true, "{plan}");
    assert_eq!(plan["level"], "low");
    let measures: Vec<String> = plan["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect();
    assert!(!measures.is_empty());

    // Proposed but not yet on the checklist: the residual level does not count them.
    let proposed = json_of(
        send(
            &app,
            &planner,
            Method::POST,
            &format!("/api/v1/decisions/{id}/assessments"),
            &json!({"measures": measures}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(proposed["residual"], proposed["initial"]);
    assert_eq!(
        proposed["inputs"]["scenario"]["uncounted_measures"]
            .as_array()
            .unwrap()
            .len(),
        measures.len()
    );

    // Accepting the plan: its measures on the checklist, then owners and deadlines.
    let items: Vec<Value> = measures.iter().map(|m| json!({"measure": m})).collect();
    let checklist = json_of(
        send(
            &app,
            &planner,
            Method::POST,
            &format!("/api/v1/decisions/{id}/checklist"),
            &json!({"items": items}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(checklist["unassigned"], measures.len());
    let due = (chrono::Local::now().date_naive() + chrono::Days::new(60)).to_string();
    for item in checklist["items"].as_array().unwrap() {
        assert!(!item["factors"].as_array().unwrap().is_empty());
        let path = format!(
            "/api/v1/decisions/{id}/checklist/{}",
            item["id"].as_str().unwrap()
        );
        let stale = app
            .request_with(&planner, Method::PATCH, &path)
            .header("If-Match", "\"9\"")
            .json(&json!({"owner_unit": "县自然资源局"}))
            .send()
            .await
            .unwrap();
        expect_problem(stale, 412, None).await;
        let res = app
            .request_with(&planner, Method::PATCH, &path)
            .header("If-Match", "\"1\"")
            .json(&json!({"owner_unit": "县自然资源局", "lead_person": "王局长", "due_date": due, "status": "in_progress"}))
            .send()
            .await
            .unwrap();
        let updated = json_of(res, 200).await;
        assert_eq!(updated["assigned"], true);
        assert_eq!(updated["overdue"], false);
    }

    // A new assessment with the plan's measures reaches low.
    let low = json_of(
        send(
            &app,
            &planner,
            Method::POST,
            &format!("/api/v1/decisions/{id}/assessments"),
            &json!({"measures": measures}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(low["residual"]["level"], "low", "{}", low["residual"]);
    assert_eq!(low["measures"], json!(measures));
    let low_id = low["id"].as_str().unwrap().to_owned();

    // The gate refuses `implement` on the medium assessment, and accepts it on the low one.
    let refused = send(
        &app,
        &committee,
        Method::POST,
        &format!("/api/v1/decisions/{id}/resolution"),
        &json!({"outcome": "implement", "assessment_id": first_id}),
    )
    .await;
    let problem = expect_problem(refused, 409, None).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("override_reason"),
        "{problem}"
    );
    let accepted = json_of(
        send(
            &app,
            &committee,
            Method::POST,
            &format!("/api/v1/decisions/{id}/resolution"),
            &json!({"outcome": "implement", "conditions": "按清单落实措施", "assessment_id": low_id}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(accepted["assessment_hash"], low["content_hash"]);
    assert_eq!(accepted["needs_review"], false);
    let now: Value = app
        .get(&format!("/api/v1/decisions/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["status"], "decided");

    // Petitions imported afterwards: six quiet months, then a spike this month.
    let csv = petitions_csv();
    let res = upload(&app, "followup.csv", csv.as_bytes(), &[]).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let alerts = json_of(app.get("/api/v1/alerts").await, 200).await;
    let alerts = alerts["items"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["decision_id"], id.as_str());
    assert_eq!(alerts[0]["region"], "330199001");
    assert_eq!(alerts[0]["count"], 40, "only the watched categories count");
    assert_eq!(
        alerts[0]["categories"],
        json!(["land_requisition_demolition", "rural_affairs"])
    );
    assert_eq!(alerts[0]["baseline_mean"], 3.0);
    let on_decision = json_of(
        app.get(&format!("/api/v1/decisions/{id}/alerts")).await,
        200,
    )
    .await;
    assert_eq!(on_decision["items"].as_array().unwrap().len(), 1);
    let resolution = json_of(
        app.get(&format!("/api/v1/decisions/{id}/resolution")).await,
        200,
    )
    .await;
    assert_eq!(resolution["current"]["needs_review"], true);
    let reasons = resolution["current"]["review_reasons"].to_string();
    assert!(reasons.contains("petition spike"), "{reasons}");
    // Importing the same file again raises nothing new.
    let res = upload(&app, "followup.csv", csv.as_bytes(), &[]).await;
    assert_eq!(res.status(), 201);
    let again = json_of(app.get("/api/v1/alerts").await, 200).await;
    assert_eq!(again["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_override_is_recorded_and_a_later_change_reopens_review() {
    let app = spawn_app().await;
    let planner = app.client_named("李规划", &[Role::Planner]).await;
    let committee = app.client_named("县委常委会", &[Role::Committee]).await;
    use reqwest::Method;
    let (decision, _) = app.create_decision(&land_requisition("西片区征收")).await;
    let id = decision["id"].as_str().unwrap().to_owned();
    app.rate(&id, &short_panel()).await;
    let first = json_of(
        send(
            &app,
            &planner,
            Method::POST,
            &format!("/api/v1/decisions/{id}/assessments"),
            &json!({}),
        )
        .await,
        201,
    )
    .await;
    let path = format!("/api/v1/decisions/{id}/resolution");
    // Planners cannot resolve; an assessment of another decision is named.
    let res = send(
        &app,
        &planner,
        Method::POST,
        &path,
        &json!({"outcome": "postpone", "assessment_id": first["id"]}),
    )
    .await;
    expect_problem(res, 403, None).await;
    let res = send(
        &app,
        &committee,
        Method::POST,
        &path,
        &json!({"outcome": "postpone", "assessment_id": uuid::Uuid::new_v4()}),
    )
    .await;
    expect_problem(res, 422, Some("assessment_id")).await;
    // Nothing to override when the gate allows the outcome.
    let res = send(
        &app,
        &committee,
        Method::POST,
        &path,
        &json!({"outcome": "postpone", "assessment_id": first["id"], "override_reason": "x"}),
    )
    .await;
    expect_problem(res, 422, Some("override_reason")).await;
    let overridden = json_of(
        send(
            &app,
            &committee,
            Method::POST,
            &path,
            &json!({"outcome": "implement", "assessment_id": first["id"], "override_reason": "省重点工程，限期开工"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(overridden["override_reason"], "省重点工程，限期开工");
    let audit: Value = app
        .get("/api/v1/audit?entity=resolution")
        .await
        .json()
        .await
        .unwrap();
    assert!(audit.to_string().contains("resolve_override"), "{audit}");

    // A material change after the resolution reopens review.
    let current: Value = app
        .get(&format!("/api/v1/decisions/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .patch_json(
            &format!("/api/v1/decisions/{id}"),
            Some(&format!("\"{}\"", current["version"])),
            &json!({"attributes": {"compensation_ratio": 0.9}}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let resolution = json_of(app.get(&path).await, 200).await;
    assert_eq!(resolution["current"]["needs_review"], true);
    assert!(
        resolution["current"]["review_reasons"]
            .to_string()
            .contains("attributes")
    );
}

#[tokio::test]
async fn scenarios_are_versioned_and_the_baseline_stays() {
    let app = spawn_app().await;
    let (decision, _) = app.create_decision(&land_requisition("南片区征收")).await;
    let id = decision["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/decisions/{id}/scenarios");
    let bad = app
        .post_json(
            &base,
            &json!({"name": "", "overrides": {"signing_rate": 2}, "measures": ["nope"]}),
        )
        .await;
    let problem = expect_problem(bad, 422, Some("name")).await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"overrides.signing_rate") && fields.contains(&"measures[0]"),
        "{fields:?}"
    );

    let created = json_of(
        app.post_json(
            &base,
            &json!({"name": "方案二", "measures": ["unified_standard"]}),
        )
        .await,
        201,
    )
    .await;
    let path = format!("{base}/{}", created["id"].as_str().unwrap());
    expect_problem(
        app.patch_json(&path, None, &json!({"name": "x"})).await,
        428,
        None,
    )
    .await;
    expect_problem(
        app.patch_json(&path, Some("\"7\""), &json!({"name": "x"}))
            .await,
        412,
        None,
    )
    .await;
    let changed = json_of(
        app.patch_json(
            &path,
            Some("\"1\""),
            &json!({"name": "方案二（修订）", "overrides": {"compensation_ratio": 0.95}}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["measures"], json!(["unified_standard"]));
    // An assessment of the scenario reads its overrides.
    let assessed = json_of(
        app.post_json(
            &format!("/api/v1/decisions/{id}/assessments"),
            &json!({"scenario_id": created["id"]}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(assessed["inputs"]["attributes"]["compensation_ratio"], 0.95);
    assert_eq!(assessed["inputs"]["scenario"]["name"], "方案二（修订）");
    assert_eq!(
        assessed["inputs"]["scenario"]["proposed_measures"],
        json!(["unified_standard"])
    );
    let res = app
        .post_json(
            &format!("/api/v1/decisions/{id}/assessments"),
            &json!({"scenario_id": uuid::Uuid::new_v4()}),
        )
        .await;
    expect_problem(res, 422, Some("scenario_id")).await;

    for (query, field) in [
        ("weight_noise=abc", "weight_noise"),
        ("weight_noise=0.99", "weight_noise"),
        ("target=high", "target"),
        ("scenarios=,", "scenarios"),
    ] {
        let res = app
            .get(&format!("/api/v1/decisions/{id}/comparison?{query}"))
            .await;
        expect_problem(res, 400, Some(field)).await;
    }
    let list = json_of(app.get(&base).await, 200).await;
    let baseline = list["items"][0]["id"].as_str().unwrap().to_owned();
    let res = app
        .request(reqwest::Method::DELETE, &format!("{base}/{baseline}"))
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    expect_problem(res, 409, None).await;
    let res = app
        .request(reqwest::Method::DELETE, &path)
        .send()
        .await
        .unwrap();
    expect_problem(res, 428, None).await;
    let res = app
        .request(reqwest::Method::DELETE, &path)
        .header("If-Match", "\"2\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    expect_problem(app.get(&path).await, 404, None).await;
    let list = json_of(app.get(&base).await, 200).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

/// What each gate rule allows at each residual level, written out here independently of the service.
fn allowed(rule: &str, level: &str, outcome: &str) -> bool {
    let going_ahead = matches!(outcome, "implement" | "implement_after_mitigation");
    match (rule, level) {
        (_, _) if !going_ahead => true,
        ("ndrc-2492", "low") => true,
        ("ndrc-2492", _) => false,
        ("major-decision", "high") => false,
        ("major-decision", "medium") => outcome == "implement_after_mitigation",
        ("major-decision", "low") => true,
        _ => panic!("unknown rule {rule}"),
    }
}

#[tokio::test]
async fn the_gate_refuses_exactly_what_its_rule_forbids() {
    let app = spawn_app().await;
    let committee = app.client_named("县委常委会", &[Role::Committee]).await;
    let mut project = land_requisition("园区配套项目");
    project["kind"] = json!("major_project");
    let mut seen = Vec::new();
    let model: Value = app
        .get("/api/v1/models/major_project")
        .await
        .json()
        .await
        .unwrap();
    // One expert who sees every factor of the project as unlikely and slight.
    let calm: serde_json::Map<String, Value> = model["factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let id = f["id"].as_str().unwrap().to_owned();
            (id, json!({"probability": 1, "impact": 1}))
        })
        .collect();
    for (body, support, rated) in [
        (land_requisition("征收甲"), 0.55, false),
        (project.clone(), 0.96, true),
        (project, 0.3, false),
    ] {
        let mut body = body;
        body["attributes"]["support_rate"] = json!(support);
        let (decision, _) = app.create_decision(&body).await;
        let id = decision["id"].as_str().unwrap().to_owned();
        if rated {
            let res = app
                .put_rating(
                    &format!("/api/v1/decisions/{id}/ratings/赵工"),
                    &Value::Object(calm.clone()),
                )
                .await;
            assert_eq!(res.status(), 200);
        }
        let assessment = json_of(
            app.post_json(&format!("/api/v1/decisions/{id}/assessments"), &json!({}))
                .await,
            201,
        )
        .await;
        let rule = assessment["result"]["gate"]["rule"]
            .as_str()
            .unwrap()
            .to_owned();
        let level = assessment["residual"]["level"].as_str().unwrap().to_owned();
        seen.push((rule.clone(), level.clone()));
        for outcome in [
            "implement",
            "implement_after_mitigation",
            "postpone",
            "reject",
        ] {
            let res = send(
                &app,
                &committee,
                reqwest::Method::POST,
                &format!("/api/v1/decisions/{id}/resolution"),
                &json!({"outcome": outcome, "assessment_id": assessment["id"]}),
            )
            .await;
            let expected = if allowed(&rule, &level, outcome) {
                201
            } else {
                409
            };
            assert_eq!(res.status(), expected, "{rule} at {level}: {outcome}");
        }
    }
    // The cases cover both rules, and a refusal and an approval under ndrc-2492.
    assert!(seen.iter().any(|(r, _)| r == "major-decision"), "{seen:?}");
    assert!(
        seen.iter().any(|(r, l)| r == "ndrc-2492" && l == "low"),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|(r, l)| r == "ndrc-2492" && l != "low"),
        "{seen:?}"
    );
}
