//! Signing in and out, CSRF on cookie sessions, login throttling, API tokens, and that no
//! secret is stored in clear.

use crate::common::{TestApp, expect_problem, header, land_requisition, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

/// An account created through the API, as an administrator would; returns (id, password).
async fn account(app: &TestApp, name: &str, roles: &[&str], scope: &[&str]) -> (String, String) {
    let res = app
        .post_json(
            "/api/v1/users",
            &json!({"username": name, "roles": roles, "scope": scope}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    (
        body["user"]["id"].as_str().unwrap().to_owned(),
        body["password"].as_str().unwrap().to_owned(),
    )
}

async fn sign_in(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    app.request_with(&app.anonymous, Method::POST, "/api/v1/session")
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_cookie_session_needs_its_csrf_token_for_changes_and_ends_at_sign_out() {
    let app = spawn_app().await;
    let (_, password) = account(&app, "wang.planner", &["planner"], &["3301"]).await;

    let res = sign_in(&app, "wang.planner", &password).await;
    assert_eq!(res.status(), 200);
    let set_cookie = header(&res, "set-cookie");
    for attribute in ["wenping_session=", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    assert!(
        !set_cookie.contains("Secure"),
        "plain HTTP gets no Secure flag: {set_cookie}"
    );
    let session: Value = res.json().await.unwrap();
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();
    assert_eq!(session["roles"], json!(["planner"]));
    let cookie = set_cookie.split(';').next().unwrap().to_owned();

    let with_cookie = |method: Method, path: &str| {
        app.request_with(&app.anonymous, method, path)
            .header("cookie", cookie.clone())
    };
    let res = with_cookie(Method::GET, "/api/v1/decisions")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let mut body = land_requisition("会话");
    body["regions"] = json!(["330199001"]);
    let res = with_cookie(Method::POST, "/api/v1/decisions")
        .json(&body)
        .send()
        .await
        .unwrap();
    expect_problem(res, 403, None).await;
    let res = with_cookie(Method::POST, "/api/v1/decisions")
        .header("x-csrf-token", "not-the-token")
        .json(&body)
        .send()
        .await
        .unwrap();
    expect_problem(res, 403, None).await;
    let res = with_cookie(Method::POST, "/api/v1/decisions")
        .header("x-csrf-token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();

    let res = with_cookie(Method::DELETE, "/api/v1/session")
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = with_cookie(Method::GET, "/api/v1/decisions")
        .send()
        .await
        .unwrap();
    expect_problem(res, 401, None).await;

    // The audit log names the person for the write and records the sign-in and sign-out.
    let audit: Value = app
        .get("/api/v1/audit?actor=wang.planner")
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "login",
            "permission_denied",
            "permission_denied",
            "create",
            "logout"
        ]
    );
    assert_eq!(audit["items"][3]["entity_id"], created["id"]);
}

#[tokio::test]
async fn brute_force_is_throttled_without_revealing_which_accounts_exist() {
    let app = spawn_app().await;
    let (_, password) = account(&app, "li.reviewer", &["reviewer"], &[]).await;

    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for attempt in 0..7 {
        let res = sign_in(&app, "li.reviewer", &format!("wrong password {attempt}")).await;
        known.push((
            res.status().as_u16(),
            res.headers().get("retry-after").is_some(),
            res.json::<Value>().await.unwrap()["detail"].clone(),
        ));
        let res = sign_in(&app, "nobody.here", &format!("wrong password {attempt}")).await;
        unknown.push((
            res.status().as_u16(),
            res.headers().get("retry-after").is_some(),
            res.json::<Value>().await.unwrap()["detail"].clone(),
        ));
    }
    // The seconds left may tick between the two answers on a slow machine; the words may not differ.
    let shape = |answers: &[(u16, bool, Value)]| -> Vec<(u16, bool, String)> {
        answers
            .iter()
            .map(|(s, r, d)| {
                (
                    *s,
                    *r,
                    d.as_str()
                        .unwrap_or("")
                        .replace(|c: char| c.is_ascii_digit(), "#"),
                )
            })
            .collect()
    };
    assert_eq!(
        shape(&known),
        shape(&unknown),
        "an existing and a missing account answer alike"
    );
    let statuses: Vec<u16> = known.iter().map(|k| k.0).collect();
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429]);
    assert!(known[5].1, "429 carries Retry-After");

    // Even the right password is refused while the account is locked.
    let res = sign_in(&app, "li.reviewer", &password).await;
    assert_eq!(res.status(), 429);
    let retry: u64 = header(&res, "retry-after").parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");

    let failed: Value = app
        .get("/api/v1/audit?entity=user")
        .await
        .json()
        .await
        .unwrap();
    let failures = failed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "login_failed")
        .count();
    assert_eq!(
        failures, 10,
        "each checked failure is audited (throttled attempts are not checked)"
    );
}

#[tokio::test]
async fn api_tokens_work_until_revoked_and_die_with_their_user() {
    let app = spawn_app().await;
    let (user_id, password) = account(&app, "zhao.expert", &["expert"], &[]).await;
    let res = sign_in(&app, "zhao.expert", &password).await;
    let cookie = header(&res, "set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let csrf = res.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();

    // A user creates their own token with the session, and it is shown once.
    let res = app
        .request_with(
            &app.anonymous,
            Method::POST,
            &format!("/api/v1/users/{user_id}/tokens"),
        )
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "评分脚本", "expires_in_days": 30}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let token_id = created["id"].as_str().unwrap().to_owned();
    let listed: Value = app
        .get(&format!("/api/v1/users/{user_id}/tokens"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["id"], token_id.as_str());
    assert!(listed[0].get("secret").is_none() && !listed.to_string().contains(&secret));

    let client = crate::common::client_with(Some(&secret));
    let me = app
        .request_with(&client, Method::GET, "/api/v1/session")
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    // Another user's tokens are not theirs to see.
    let tester: Value = app.get("/api/v1/session").await.json().await.unwrap();
    let res = app
        .request_with(
            &client,
            Method::GET,
            &format!(
                "/api/v1/users/{}/tokens",
                tester["user_id"].as_str().unwrap()
            ),
        )
        .send()
        .await
        .unwrap();
    expect_problem(res, 403, None).await;

    let res = app
        .request(
            Method::DELETE,
            &format!("/api/v1/users/{user_id}/tokens/{token_id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = app
        .request_with(&client, Method::GET, "/api/v1/session")
        .send()
        .await
        .unwrap();
    expect_problem(res, 401, None).await;

    // Disabling a user ends their other token too.
    let second = crate::common::client_with(Some(&{
        let res = app
            .post_json(
                &format!("/api/v1/users/{user_id}/tokens"),
                &json!({"name": "second"}),
            )
            .await;
        res.json::<Value>().await.unwrap()["secret"]
            .as_str()
            .unwrap()
            .to_owned()
    }));
    assert_eq!(
        app.request_with(&second, Method::GET, "/api/v1/session")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let res = app
        .request(Method::PATCH, &format!("/api/v1/users/{user_id}"))
        .json(&json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .request_with(&second, Method::GET, "/api/v1/session")
        .send()
        .await
        .unwrap();
    expect_problem(res, 401, None).await;
    assert_eq!(sign_in(&app, "zhao.expert", &password).await.status(), 401);

    let res = app
        .request_with(&app.anonymous, Method::GET, "/api/v1/session")
        .header("authorization", "Bearer wpt_made_up")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&res, "www-authenticate"), "Bearer realm=\"wenping\"");
    expect_problem(res, 401, None).await;
}

#[tokio::test]
async fn passwords_and_tokens_are_never_stored_in_clear() {
    let app = spawn_app().await;
    let (user_id, password) = account(&app, "sun.admin", &["admin"], &[]).await;
    let res = app
        .post_json(
            &format!("/api/v1/users/{user_id}/tokens"),
            &json!({"name": "x"}),
        )
        .await;
    let token = res.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = sign_in(&app, "sun.admin", &password).await;
    let cookie_value = header(&res, "set-cookie")
        .split(';')
        .next()
        .unwrap()
        .split('=')
        .nth(1)
        .unwrap()
        .to_owned();

    let dump = dump_database(&app).await;
    for secret in [&password, &token, &cookie_value] {
        assert!(
            !dump.contains(secret.as_str()),
            "a secret is stored in clear"
        );
    }
    assert!(dump.contains("$argon2id$"), "passwords are argon2id hashes");
    assert!(
        dump.contains(&wenping::auth::secret::digest(&token)),
        "tokens are stored as digests"
    );
}

/// Every text of the account and audit tables, as one string.
async fn dump_database(app: &TestApp) -> String {
    use wenping::storage::Db;
    let queries = [
        "SELECT username || ' ' || password_hash || ' ' || CAST(roles AS TEXT) FROM users",
        "SELECT token_hash || ' ' || csrf_token FROM sessions",
        "SELECT token_hash || ' ' || prefix || ' ' || name FROM api_tokens",
        "SELECT COALESCE(CAST(before AS TEXT), '') || ' ' || COALESCE(CAST(after AS TEXT), '') FROM audit_log",
    ];
    let mut dump = String::new();
    for sql in queries {
        let rows: Vec<String> = match &app.db {
            Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
            Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        };
        dump.push_str(&rows.join("\n"));
    }
    dump
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in [
        "/healthz",
        "/api/v1/decisions",
        "/no/such/route",
        "/api/docs/",
    ] {
        let res = app
            .request_with(&app.anonymous, Method::GET, path)
            .send()
            .await
            .unwrap();
        let csp = header(&res, "content-security-policy");
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{csp}"
        );
        let script = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert!(!script.contains("unsafe-inline"), "no inline script: {csp}");
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
        assert_eq!(header(&res, "referrer-policy"), "no-referrer");
    }
}

#[tokio::test]
async fn administrators_manage_accounts_and_cannot_lock_themselves_out() {
    let app = spawn_app().await;
    for (body, field) in [
        (json!({"username": "a b", "roles": ["planner"]}), "username"),
        (json!({"username": "ok", "roles": []}), "roles"),
        (json!({"username": "ok", "roles": ["king"]}), "roles[0]"),
        (
            json!({"username": "ok", "roles": ["planner"], "scope": ["33x"]}),
            "scope",
        ),
    ] {
        expect_problem(
            app.post_json("/api/v1/users", &body).await,
            422,
            Some(field),
        )
        .await;
    }
    account(&app, "dup", &["planner"], &[]).await;
    let res = app
        .post_json(
            "/api/v1/users",
            &json!({"username": "dup", "roles": ["planner"]}),
        )
        .await;
    expect_problem(res, 409, None).await;

    let me: Value = app.get("/api/v1/session").await.json().await.unwrap();
    let res = app
        .request(
            Method::PATCH,
            &format!("/api/v1/users/{}", me["user_id"].as_str().unwrap()),
        )
        .json(&json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    expect_problem(res, 409, None).await;

    // A user changes their own password: the old one stops working, a short one is refused.
    let (id, old) = account(&app, "self.service", &["committee"], &[]).await;
    let res = sign_in(&app, "self.service", &old).await;
    let cookie = header(&res, "set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let csrf = res.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let change = |current: &str, new: &str| {
        app.request_with(&app.anonymous, Method::POST, "/api/v1/session/password")
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .json(&json!({"current_password": current, "new_password": new}))
            .send()
    };
    expect_problem(
        change(&old, "short").await.unwrap(),
        422,
        Some("new_password"),
    )
    .await;
    expect_problem(
        change("wrong", "a long enough passphrase").await.unwrap(),
        422,
        Some("current_password"),
    )
    .await;
    assert_eq!(
        change(&old, "a long enough passphrase")
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(sign_in(&app, "self.service", &old).await.status(), 401);
    assert_eq!(
        sign_in(&app, "self.service", "a long enough passphrase")
            .await
            .status(),
        200
    );
    let _ = id;

    let (id, old) = account(&app, "reset.me", &["committee"], &[]).await;
    let res = app
        .post_json(&format!("/api/v1/users/{id}/password"), &json!({}))
        .await;
    let new = res.json::<Value>().await.unwrap()["password"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(sign_in(&app, "reset.me", &old).await.status(), 401);
    assert_eq!(sign_in(&app, "reset.me", &new).await.status(), 200);
}

/// A client whose connections come from `source`, another loopback address than the tests' own.
fn client_from(source: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(source.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap()
}

#[tokio::test]
async fn wrong_passwords_from_one_address_do_not_lock_the_account_for_another() {
    let app = spawn_app().await;
    let (_, password) = account(&app, "qian.committee", &["committee"], &[]).await;
    let attacker = client_from("127.0.0.2");
    let attempt = |client: &reqwest::Client, pw: &str| {
        client
            .post(format!("{}/api/v1/session", app.base))
            .json(&json!({"username": "qian.committee", "password": pw}))
            .send()
    };
    let mut statuses = Vec::new();
    for k in 0..6 {
        statuses.push(
            attempt(&attacker, &format!("guess {k}"))
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429], "the pair locks");
    // The official, from their own address, signs in at once.
    let res = attempt(&app.anonymous, &password).await.unwrap();
    assert_eq!(
        res.status(),
        200,
        "the account is not locked for another address"
    );
    // The attacker's address stays locked, even with the right password.
    assert_eq!(attempt(&attacker, &password).await.unwrap().status(), 429);

    // Failures from many addresses slow the account down instead of locking it: the right password still
    // works from a fresh address, a moment later.
    for (k, source) in ["127.0.0.3", "127.0.0.4", "127.0.0.5"].iter().enumerate() {
        let client = client_from(source);
        for n in 0..4 {
            let status = attempt(&client, &format!("spray {k}-{n}"))
                .await
                .unwrap()
                .status();
            assert_eq!(status, 401);
        }
    }
    let started = std::time::Instant::now();
    let res = attempt(&client_from("127.0.0.6"), &password).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        started.elapsed() >= wenping::auth::throttle::SLOW_DELAY,
        "a slowed attempt waits: {:?}",
        started.elapsed()
    );
    // The success cleared the account's count: the next attempt is not slowed.
    let started = std::time::Instant::now();
    assert_eq!(
        attempt(&app.anonymous, &password).await.unwrap().status(),
        200
    );
    assert!(started.elapsed() < wenping::auth::throttle::SLOW_DELAY);
}
