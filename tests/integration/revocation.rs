//! Each instance remembers the tokens and sessions it recognised within the last second, so that a request costs
//! no credential lookup in the database (`app/credential_cache.rs`). Ending a credential must still hold
//! everywhere: two servers on one database, each holding the credential as recognised (it was just used on it),
//! and the credential ended through the other server or the command line is refused on the first within about a
//! second — at once on the server that ended it.

use std::time::{Duration, Instant};

use reqwest::{Client, Method};
use serde_json::{Value, json};

use crate::common::cli::{MODELS_DIR, succeeded, wenping_on};
use crate::common::{
    TestApp, client_with, expect_problem, header, shown_within, spawn_app, spawn_app_on,
};

/// How long after the change another instance may go on accepting an ended credential in a request it was sent:
/// the cache's second, plus margin. Timed from when each request is sent, so a slow answer on a busy machine
/// does not count. A cache trusted for two seconds, or until restarted, fails this.
const REFUSED_WITHIN: Duration = Duration::from_millis(1500);

/// Two servers on one database: `a` is where the credentials are used, `b` where they are ended.
async fn two_instances() -> (TestApp, TestApp) {
    let a = spawn_app().await;
    let b = spawn_app_on(&a.database_url, std::path::Path::new(MODELS_DIR)).await;
    (a, b)
}

/// An account made by `app`'s administrator; returns (id, password).
async fn account(app: &TestApp, name: &str, roles: &[&str]) -> (String, String) {
    let res = app
        .post_json(
            "/api/v1/users",
            &json!({"username": name, "roles": roles, "scope": []}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    (
        body["user"]["id"].as_str().unwrap().to_owned(),
        body["password"].as_str().unwrap().to_owned(),
    )
}

/// A new API token of the account, made by `app`'s administrator; returns (token id, secret).
async fn token(app: &TestApp, user_id: &str, name: &str) -> (String, String) {
    let res = app
        .post_json(
            &format!("/api/v1/users/{user_id}/tokens"),
            &json!({"name": name}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    (
        body["id"].as_str().unwrap().to_owned(),
        body["secret"].as_str().unwrap().to_owned(),
    )
}

/// Who `app` says the caller is (GET /api/v1/session), with its status.
async fn who(app: &TestApp, client: &Client, cookie: Option<&str>) -> (u16, Value) {
    let mut request = app.request_with(client, Method::GET, "/api/v1/session");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let res = request.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Asks `app` until it refuses the credential; fails when a request sent [`REFUSED_WITHIN`] or more after
/// `ended` (when the change was committed) is still accepted. Returns how long after `ended` the refused request
/// was sent.
async fn refused_after(
    app: &TestApp,
    client: &Client,
    cookie: Option<&str>,
    ended: Instant,
) -> Duration {
    shown_within(
        ended,
        REFUSED_WITHIN,
        "an ended credential refused",
        || async {
            let (status, _) = who(app, client, cookie).await;
            assert!(
                status == 200 || status == 401,
                "accepted or refused, nothing else: {status}"
            );
            status == 401
        },
    )
    .await
}

#[tokio::test]
async fn a_token_revoked_through_another_instance_is_refused_within_a_second() {
    let (a, b) = two_instances().await;
    let (user_id, _) = account(&a, "li.reviewer", &["reviewer"]).await;
    let (token_id, secret) = token(&a, &user_id, "报表脚本").await;
    let client = client_with(Some(&secret));
    // Both instances have just recognised the token.
    assert_eq!(who(&a, &client, None).await.0, 200);
    assert_eq!(who(&b, &client, None).await.0, 200);

    let res = b
        .request(
            Method::DELETE,
            &format!("/api/v1/users/{user_id}/tokens/{token_id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let ended = Instant::now();
    // The instance that revoked it forgets it at once.
    let (status, _) = who(&b, &client, None).await;
    assert_eq!(status, 401, "refused at once where it was revoked");
    let took = refused_after(&a, &client, None, ended).await;
    eprintln!("revoked token refused by the other instance after {took:?}");
}

#[tokio::test]
async fn a_session_signed_out_through_another_instance_is_refused_within_a_second() {
    let (a, b) = two_instances().await;
    let (_, password) = account(&a, "wang.planner", &["planner"]).await;
    let res = a
        .request_with(&a.anonymous, Method::POST, "/api/v1/session")
        .json(&json!({"username": "wang.planner", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = header(&res, "set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let csrf = res.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, me) = who(&a, &a.anonymous, Some(&cookie)).await;
    assert_eq!(
        (status, me["username"].as_str()),
        (200, Some("wang.planner"))
    );
    assert_eq!(who(&b, &b.anonymous, Some(&cookie)).await.0, 200);

    // Signed out on the other instance (the session is the database's, so B knows the cookie).
    let res = b
        .request_with(&b.anonymous, Method::DELETE, "/api/v1/session")
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let ended = Instant::now();
    let res = b
        .request_with(&b.anonymous, Method::GET, "/api/v1/session")
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    expect_problem(res, 401, None).await;
    let took = refused_after(&a, &a.anonymous, Some(&cookie), ended).await;
    eprintln!("signed-out session refused by the other instance after {took:?}");
}

#[tokio::test]
async fn an_account_disabled_from_the_command_line_loses_its_tokens_on_a_running_server_within_a_second()
 {
    let (a, _b) = two_instances().await;
    let (user_id, _) = account(&a, "zhao.expert", &["expert"]).await;
    let (_, secret) = token(&a, &user_id, "评分").await;
    let client = client_with(Some(&secret));
    assert_eq!(who(&a, &client, None).await.0, 200);

    // The command line is a third process with its own connection to the database; until the command has
    // finished the server may accept the token, so the second counts from its end.
    succeeded(wenping_on(&a.database_url).args(["users", "disable", "zhao.expert"])).await;
    let ended = Instant::now();
    let took = refused_after(&a, &client, None, ended).await;
    eprintln!("disabled account's token refused after {took:?}");
}

#[tokio::test]
async fn a_role_taken_away_through_another_instance_is_gone_within_a_second() {
    let (a, b) = two_instances().await;
    let (user_id, _) = account(&a, "sun.reviewer", &["reviewer", "planner"]).await;
    let (_, secret) = token(&a, &user_id, "登记").await;
    let client = client_with(Some(&secret));
    let (status, me) = who(&a, &client, None).await;
    assert_eq!(
        (status, me["roles"].clone()),
        (200, json!(["planner", "reviewer"]))
    );

    let res = b
        .request(Method::PATCH, &format!("/api/v1/users/{user_id}"))
        .json(&json!({"roles": ["reviewer"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let changed = Instant::now();
    shown_within(changed, REFUSED_WITHIN, "the old roles gone", || async {
        let (status, me) = who(&a, &client, None).await;
        assert_eq!(status, 200, "the token itself still works");
        me["roles"] == json!(["reviewer"])
    })
    .await;
    // A planner's write is now refused on A.
    let res = a
        .request_with(&client, Method::POST, "/api/v1/decisions")
        .json(&crate::common::land_requisition("二期用地"))
        .send()
        .await
        .unwrap();
    expect_problem(res, 403, None).await;
}
