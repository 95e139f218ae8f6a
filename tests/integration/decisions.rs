//! The decision register as a planner uses it: register, list, read, change, archive, audit.

use crate::common::{expect_problem, header, land_requisition, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn a_decision_is_registered_changed_archived_and_audited() {
    let app = spawn_app().await;

    let res = app
        .post_json("/api/v1/decisions", &land_requisition("东片区征地"))
        .await;
    assert_eq!(res.status(), 201);
    let location = header(&res, "location");
    let etag = header(&res, "etag");
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/decisions/{id}"));
    assert_eq!(created["status"], "draft");
    assert_eq!(created["version"], 1);
    assert_eq!(created["attributes"]["compensation_ratio"], 0.8);
    assert_eq!(created["regions"], json!(["330199001", "330199001002"]));

    let res = app.get(&location).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "etag"), etag);
    let fetched: Value = res.json().await.unwrap();
    assert_eq!(fetched, created);

    // A change needs If-Match: without it 428, with a stale tag 412, with the current one 200.
    let patch = json!({"attributes": {"compensation_ratio": 1.0, "hearing_held": null}, "status": "assessing"});
    expect_problem(app.patch_json(&location, None, &patch).await, 428, None).await;
    expect_problem(
        app.patch_json(&location, Some("\"7\""), &patch).await,
        412,
        None,
    )
    .await;
    let res = app.patch_json(&location, Some(&etag), &patch).await;
    assert_eq!(res.status(), 200);
    let new_etag = header(&res, "etag");
    assert_ne!(new_etag, etag);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["status"], "assessing");
    assert_eq!(updated["attributes"]["compensation_ratio"], 1.0);
    assert!(
        updated["attributes"].get("hearing_held").is_none(),
        "null removes an attribute"
    );
    assert_eq!(
        updated["attributes"]["signing_rate"], 0.62,
        "untouched attributes stay"
    );
    // The old tag is now stale.
    expect_problem(
        app.patch_json(&location, Some(&etag), &json!({"title": "x"}))
            .await,
        412,
        None,
    )
    .await;

    let planner = app
        .client_for("李规划", &[wenping::domain::account::Role::Planner], &[])
        .await;
    let res = app
        .request_with(&planner, reqwest::Method::DELETE, &location)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let listed: Value = app.get("/api/v1/decisions").await.json().await.unwrap();
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        0,
        "archived decisions leave the list"
    );
    let listed: Value = app
        .get("/api/v1/decisions?archived=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"][0]["id"], id.as_str());
    assert_eq!(listed["items"][0]["archived"], true);
    let archived: Value = app.get(&location).await.json().await.unwrap();
    assert_eq!(archived["archived"], true);

    let audit: Value = app
        .get(&format!("/api/v1/audit?entity=decision&id={id}"))
        .await
        .json()
        .await
        .unwrap();
    let entries = audit["items"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "update", "archive"]);
    assert_eq!(entries[0]["before"], Value::Null);
    assert_eq!(entries[0]["after"]["title"], "东片区征地");
    assert_eq!(
        entries[1]["before"]["attributes"]["compensation_ratio"],
        0.8
    );
    assert_eq!(entries[1]["after"]["attributes"]["compensation_ratio"], 1.0);
    assert_eq!(entries[1]["actor"], "tester");
    assert_eq!(entries[2]["actor"], "李规划", "{audit:#}");
    assert_eq!(entries[2]["after"]["archived"], true);
}

#[tokio::test]
async fn a_patch_that_changes_nothing_keeps_the_version() {
    let app = spawn_app().await;
    let (decision, etag) = app.create_decision(&land_requisition("不变")).await;
    let path = format!("/api/v1/decisions/{}", decision["id"].as_str().unwrap());
    let res = app
        .patch_json(&path, Some(&etag), &json!({"title": "不变"}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "etag"), etag);
}

#[tokio::test]
async fn status_follows_the_lifecycle() {
    let app = spawn_app().await;
    let (decision, etag) = app.create_decision(&land_requisition("流程")).await;
    let path = format!("/api/v1/decisions/{}", decision["id"].as_str().unwrap());
    let res = app
        .patch_json(&path, Some(&etag), &json!({"status": "implementing"}))
        .await;
    let body = expect_problem(res, 422, Some("status")).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("draft to implementing"),
        "{body}"
    );
    let res = app
        .post_json("/api/v1/decisions", &{
            let mut d = land_requisition("跳过草稿");
            d["status"] = json!("decided");
            d
        })
        .await;
    expect_problem(res, 422, Some("status")).await;
}

#[tokio::test]
async fn lists_filter_sort_and_paginate() {
    let app = spawn_app().await;
    let specs = [
        ("C 园区征地", "land_requisition", "330199001"),
        ("A 老城改造", "house_expropriation", "330199002003"),
        ("B 纺织厂改制", "enterprise_restructuring", "330199003"),
        ("D 垃圾焚烧厂", "major_project", "110101"),
        ("E 100% 补偿_方案", "land_requisition", "330199002"),
    ];
    for (title, kind, region) in specs {
        let mut body = land_requisition(title);
        body["kind"] = json!(kind);
        body["regions"] = json!([region]);
        app.create_decision(&body).await;
    }
    let titles = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["title"].as_str().unwrap().to_owned())
            .collect()
    };

    let by_kind: Value = app
        .get("/api/v1/decisions?kind=land_requisition")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(titles(&by_kind), ["C 园区征地", "E 100% 补偿_方案"]);

    let by_region: Value = app
        .get("/api/v1/decisions?region=330199002")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(titles(&by_region), ["A 老城改造", "E 100% 补偿_方案"]);
    let by_county: Value = app
        .get("/api/v1/decisions?region=3301")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(titles(&by_county).len(), 4);

    let by_text: Value = app
        .get("/api/v1/decisions?q=%25")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(titles(&by_text), ["E 100% 补偿_方案"], "% is literal in q");
    let by_text: Value = app
        .get("/api/v1/decisions?q=e%20100")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(titles(&by_text), ["E 100% 补偿_方案"], "q ignores case");

    // Title order in pages of two, following the cursors to the end.
    let mut seen = Vec::new();
    let mut path = "/api/v1/decisions?sort=title&limit=2".to_owned();
    loop {
        let page: Value = app.get(&path).await.json().await.unwrap();
        seen.extend(titles(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/decisions?sort=title&limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            "A 老城改造",
            "B 纺织厂改制",
            "C 园区征地",
            "D 垃圾焚烧厂",
            "E 100% 补偿_方案"
        ]
    );

    let newest_first: Value = app
        .get("/api/v1/decisions?order=desc&limit=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(titles(&newest_first), ["E 100% 补偿_方案"]);
    let cursor = newest_first["next_cursor"].as_str().unwrap();
    let next: Value = app
        .get(&format!(
            "/api/v1/decisions?order=desc&limit=1&cursor={cursor}"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(titles(&next), ["D 垃圾焚烧厂"]);
    // A cursor of one order is refused by another.
    let res = app
        .get(&format!("/api/v1/decisions?sort=title&cursor={cursor}"))
        .await;
    expect_problem(res, 400, Some("cursor")).await;

    for bad in [
        "limit=201",
        "limit=0",
        "kind=castle",
        "status=won",
        "region=33a",
        "sort=size",
        "cursor=%21%21",
    ] {
        let field = bad.split('=').next().unwrap();
        expect_problem(
            app.get(&format!("/api/v1/decisions?{bad}")).await,
            400,
            Some(field),
        )
        .await;
    }
}

#[tokio::test]
async fn two_clients_with_the_same_etag_one_wins() {
    let app = spawn_app().await;
    let (decision, etag) = app.create_decision(&land_requisition("并发")).await;
    let path = format!("/api/v1/decisions/{}", decision["id"].as_str().unwrap());
    for round in 0..5 {
        let current = header(&app.get(&path).await, "etag");
        let first = json!({"title": format!("甲 {round}")});
        let second = json!({"description": format!("乙 {round}")});
        let (a, b) = tokio::join!(
            app.patch_json(&path, Some(&current), &first),
            app.patch_json(&path, Some(&current), &second),
        );
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 412], "round {round}");
    }
    let last: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(last["version"], 6, "five successful changes after creation");
    let audit: Value = app
        .get(&format!(
            "/api/v1/audit?entity=decision&id={}",
            decision["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        audit["items"].as_array().unwrap().len(),
        6,
        "one entry per accepted write"
    );
    let _ = etag;
}
