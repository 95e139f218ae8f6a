//! `wenping serve --demo`, as a newcomer runs it from the README: on an empty database it makes the demo county —
//! regions, three years of petitions up to this month, five decisions at five stages with three levels, ratings,
//! scenarios, a checklist with an overdue item, resolutions and a follow-up alert — and prints one account per
//! role whose password signs in. Run again on the same database, it adds nothing and serves what is there.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;

use chrono::Datelike;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::common::cli::{MODELS_DIR, Served, succeeded, wenping_on};
use crate::common::fresh_database;
use wenping::app::demo::{self, Demo};
use wenping::app::{Context, FixedClock};
use wenping::config::Settings;
use wenping::domain::principal::Principal;

/// The demo's block ends with this line; a skipped demo says so on one line.
const END: &str = "the passwords are shown this once";
const SKIPPED: &str = "Demo skipped";

pub async fn serve_demo(database_url: &str) -> Served {
    let mut command = wenping_on(database_url);
    command.stderr(Stdio::null());
    Served::start_reading(command, &["--demo"], |_, line| {
        line.contains(END) || line.contains(SKIPPED)
    })
    .await
}

/// The account lines of the demo's block: role, username, password.
pub fn printed_accounts(banner: &str) -> Vec<(String, String, String)> {
    let roles = [
        "admin",
        "planner",
        "expert",
        "reviewer",
        "committee",
        "office",
    ];
    banner
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let (role, name, password) = (words.next()?, words.next()?, words.next()?);
            roles
                .contains(&role)
                .then(|| (role.to_owned(), name.to_owned(), password.to_owned()))
        })
        .collect()
}

/// A signed-in user of the served demo: their session cookie.
struct Session {
    base: String,
    cookie: String,
    client: Client,
}

impl Session {
    async fn sign_in(base: &str, username: &str, password: &str) -> (StatusCode, Value, Session) {
        let client = Client::new();
        let res = client
            .post(format!("{base}/api/v1/session"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        let status = res.status();
        let cookie = res
            .headers()
            .get("set-cookie")
            .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned())
            .unwrap_or_default();
        let body = res.json().await.unwrap_or(Value::Null);
        let session = Session {
            base: base.to_owned(),
            cookie,
            client,
        };
        (status, body, session)
    }

    async fn get(&self, path: &str) -> Value {
        let res = self
            .client
            .request(Method::GET, format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "GET {path}");
        res.json().await.unwrap()
    }
}

/// Decisions by kind.
async fn decisions(planner: &Session) -> BTreeMap<String, Value> {
    let list = planner.get("/api/v1/decisions?limit=50").await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["kind"].as_str().unwrap().to_owned(), d.clone()))
        .collect()
}

#[tokio::test]
async fn the_demo_county_is_made_once_and_every_role_signs_in_with_its_printed_password() {
    let database = fresh_database().await;
    let served = serve_demo(&database.url).await;
    let banner = served.banner.clone();
    assert!(banner.contains(END), "{banner}");
    assert!(banner.contains("it opens the sign-in page"), "{banner}");

    // One account per role, three experts, each signing in with the password printed.
    let accounts = printed_accounts(&banner);
    let roles: Vec<&str> = accounts.iter().map(|(r, _, _)| r.as_str()).collect();
    assert_eq!(
        roles,
        [
            "admin",
            "planner",
            "expert",
            "expert",
            "expert",
            "reviewer",
            "committee",
            "office",
            "office"
        ],
        "{banner}"
    );
    // The first account of each role, by role: the demo names its people, not their roles.
    let mut by_role: BTreeMap<String, String> = BTreeMap::new();
    for (role, name, _) in &accounts {
        by_role.entry(role.clone()).or_insert_with(|| name.clone());
    }
    let mut sessions = BTreeMap::new();
    for (role, name, password) in &accounts {
        let (status, body, session) = Session::sign_in(&served.url, name, password).await;
        assert_eq!(status, 200, "{name} signs in: {body}");
        assert_eq!(body["roles"], json!([role]), "{body}");
        sessions.insert(name.clone(), session);
    }
    let (status, _, _) =
        Session::sign_in(&served.url, &by_role["planner"], "not-the-password").await;
    assert_eq!(status, 401);
    let planner = &sessions[&by_role["planner"]];
    let experts: BTreeSet<String> = accounts
        .iter()
        .filter(|(r, _, _)| r == "expert")
        .map(|(_, n, _)| n.clone())
        .collect();

    // Five decisions, one of each kind, at five stages.
    let by_kind = decisions(planner).await;
    let stages: BTreeMap<&str, &str> = by_kind
        .iter()
        .map(|(kind, d)| (kind.as_str(), d["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        stages,
        BTreeMap::from([
            ("land_requisition", "implementing"),
            ("house_expropriation", "decided"),
            ("major_project", "assessed"),
            ("enterprise_restructuring", "assessing"),
            ("other", "draft"),
        ])
    );
    for d in by_kind.values() {
        for region in d["regions"].as_array().unwrap() {
            let code = region.as_str().unwrap();
            assert!(
                [6, 9, 12].contains(&code.len()) && code.starts_with("330199"),
                "{code}"
            );
        }
    }

    // The assessed ones: rated by the three experts, assessed by the planner, one of each residual level.
    let mut levels = BTreeMap::new();
    for kind in ["land_requisition", "house_expropriation", "major_project"] {
        let id = by_kind[kind]["id"].as_str().unwrap();
        let sheets = planner
            .get(&format!("/api/v1/decisions/{id}/ratings"))
            .await;
        let raters: BTreeSet<String> = sheets["experts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["expert"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(raters, experts, "{kind}: {sheets}");
        let assessments = planner
            .get(&format!("/api/v1/decisions/{id}/assessments"))
            .await;
        let newest = &assessments["items"][0];
        assert_eq!(newest["author"], by_role["planner"]);
        levels.insert(
            kind,
            newest["residual"]["level"].as_str().unwrap().to_owned(),
        );
    }
    assert_eq!(
        levels,
        BTreeMap::from([
            ("land_requisition", "low".to_owned()),
            ("house_expropriation", "high".to_owned()),
            ("major_project", "medium".to_owned()),
        ])
    );
    let factory = by_kind["enterprise_restructuring"]["id"].as_str().unwrap();
    let partial = planner
        .get(&format!("/api/v1/decisions/{factory}/ratings"))
        .await;
    let partial = partial["experts"].as_array().unwrap().len();
    assert_eq!(
        partial, 2,
        "two of three experts have rated the decision being assessed"
    );

    // Two scenarios beside the baseline of the plant, and their comparison.
    let plant = by_kind["major_project"]["id"].as_str().unwrap();
    let scenarios = planner
        .get(&format!("/api/v1/decisions/{plant}/scenarios"))
        .await;
    let ids: Vec<&str> = scenarios["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{scenarios}");
    let comparison = planner
        .get(&format!(
            "/api/v1/decisions/{plant}/comparison?scenarios={}&target=low",
            ids.join(",")
        ))
        .await;
    assert_eq!(
        comparison["scenarios"].as_array().unwrap().len(),
        3,
        "{comparison}"
    );

    // The land requisition: a checklist with owners and due dates, one item overdue; the committee's
    // resolution; and the follow-up alert of the petitions that rose after it.
    let land = by_kind["land_requisition"]["id"].as_str().unwrap();
    let checklist = planner
        .get(&format!("/api/v1/decisions/{land}/checklist"))
        .await;
    let items = checklist["items"].as_array().unwrap();
    assert!(items.len() >= 3);
    assert!(
        items
            .iter()
            .all(|i| i["owner_unit"].is_string() && i["due_date"].is_string())
    );
    assert_eq!(checklist["overdue"], 1, "{checklist}");
    assert_eq!(items.iter().filter(|i| i["overdue"] == true).count(), 1);
    let resolution = planner
        .get(&format!("/api/v1/decisions/{land}/resolution"))
        .await;
    assert_eq!(resolution["current"]["author"], by_role["committee"]);
    assert_eq!(resolution["current"]["outcome"], "implement");
    assert_eq!(
        resolution["current"]["needs_review"], true,
        "the spike reopened review"
    );
    let house = by_kind["house_expropriation"]["id"].as_str().unwrap();
    let postponed = planner
        .get(&format!("/api/v1/decisions/{house}/resolution"))
        .await;
    assert_eq!(postponed["current"]["outcome"], "postpone");
    let alerts = planner.get("/api/v1/alerts").await;
    let alerts = alerts["items"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["decision_id"], land);
    let today = chrono::Local::now().date_naive();
    let this_month = format!("{}-{:02}", today.year(), today.month());
    assert_eq!(alerts[0]["month"], this_month.as_str());

    // Petitions in every month up to this one, in the county's townships and villages.
    let stats = planner
        .get(&format!(
            "/api/v1/petitions/stats?regions=330199&from={this_month}&to={this_month}"
        ))
        .await;
    assert!(
        stats["totals"]["petitions"].as_i64().unwrap() > 0,
        "{stats}"
    );
    assert!(stats["population"].as_i64().unwrap() > 100_000);
    let three_years_ago = format!("{}-{:02}", today.year() - 3, today.month());
    let history = planner
        .get(&format!(
            "/api/v1/petitions/stats?regions=330199002&from={three_years_ago}&to={this_month}"
        ))
        .await;
    let months = history["monthly"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["petitions"].as_i64().unwrap() > 0)
        .count();
    assert!(months >= 35, "three years of months: {months}");

    // Everything was done in the users' names: the audit log of the land requisition.
    let audit = sessions[&by_role["reviewer"]]
        .get(&format!("/api/v1/audit?entity=decision&id={land}"))
        .await;
    let actors: BTreeSet<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert!(actors.contains(by_role["planner"].as_str()), "{actors:?}");
    let all_audit = sessions[&by_role["admin"]]
        .get("/api/v1/audit?limit=500")
        .await;
    let all_actors: BTreeSet<&str> = all_audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    for (_, who, _) in &accounts {
        assert!(all_actors.contains(who.as_str()), "{who} in {all_actors:?}");
    }
    let petitions_before = planner
        .get(&format!(
            "/api/v1/petitions/stats?regions=330199&from={three_years_ago}&to={this_month}"
        ))
        .await["totals"]["petitions"]
        .clone();
    served.kill().await;

    // The README's command run again: nothing added, nothing printed twice, the same data served.
    let again = serve_demo(&database.url).await;
    assert!(again.banner.contains(SKIPPED), "{}", again.banner);
    assert!(!again.banner.contains(END) && printed_accounts(&again.banner).is_empty());
    let (status, _, planner) =
        Session::sign_in(&again.url, &by_role["planner"], &accounts[1].2).await;
    assert_eq!(status, 200, "the first run's password still signs in");
    assert_eq!(decisions(&planner).await.len(), 5);
    let petitions_after = planner
        .get(&format!(
            "/api/v1/petitions/stats?regions=330199&from={three_years_ago}&to={this_month}"
        ))
        .await["totals"]["petitions"]
        .clone();
    assert_eq!(petitions_after, petitions_before);
    let users = succeeded(wenping_on(&database.url).args(["users", "list"])).await;
    assert_eq!(
        users
            .lines()
            .filter(|l| accounts
                .iter()
                .any(|(r, n, _)| r == "expert" && l.contains(n.as_str())))
            .count(),
        3,
        "{users}"
    );
    again.kill().await;
}

#[tokio::test]
async fn a_database_with_an_account_is_served_as_it_is() {
    let database = fresh_database().await;
    succeeded(wenping_on(&database.url).args(["users", "add", "chief", "--role", "admin"])).await;
    let served = serve_demo(&database.url).await;
    assert!(served.banner.contains(SKIPPED), "{}", served.banner);
    assert!(
        served
            .banner
            .contains("0 decisions, 1 accounts, 0 petitions"),
        "{}",
        served.banner
    );
    let health = Client::new()
        .get(format!("{}/healthz", served.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "it serves anyway");
    let users = succeeded(wenping_on(&database.url).args(["users", "list"])).await;
    assert!(
        // The list shows each account's roles: a demo planner would show.
        !users.contains("planner"),
        "no demo accounts added: {users}"
    );
    served.kill().await;
}

/// The use cases on a fresh database whose clock reads `day`.
async fn on_day(day: &str) -> (Context, crate::common::FreshDatabase) {
    let database = fresh_database().await;
    let settings = Settings {
        database_url: database.url.clone(),
        models_dir: Some(MODELS_DIR.into()),
        ..Settings::default()
    };
    let now = format!("{day}T02:00:00Z").parse().unwrap();
    let ctx = wenping::startup::open(&settings)
        .await
        .unwrap()
        .with_clock(FixedClock(now));
    (ctx, database)
}

/// The story's levels and its one alert do not depend on the day it is told: the first day of a year (the spike
/// month has one day), a month's end, a leap day.
#[tokio::test]
async fn the_demo_tells_the_same_story_on_any_day() {
    for day in ["2027-01-01", "2027-08-31", "2028-02-29"] {
        let (ctx, _database) = on_day(day).await;
        let Demo::Seeded(county) = demo::seed(&ctx, &Principal::operator()).await.unwrap() else {
            panic!("{day}: an empty database gets the demo");
        };
        let levels: BTreeMap<&str, Option<&str>> = county
            .decisions
            .iter()
            .map(|d| (d.kind.as_str(), d.residual_level.as_deref()))
            .collect();
        assert_eq!(
            levels,
            BTreeMap::from([
                ("land_requisition", Some("low")),
                ("house_expropriation", Some("high")),
                ("major_project", Some("medium")),
                ("enterprise_restructuring", None),
                ("other", None),
            ]),
            "{day}"
        );
        assert_eq!(county.alerts, 1, "{day}");
        assert_eq!(county.through_month, day[..7], "{day}");
        assert!(county.petitions > 6000, "{day}: {}", county.petitions);
        assert!(matches!(
            demo::seed(&ctx, &Principal::operator()).await.unwrap(),
            Demo::Skipped(held) if held.decisions == 5 && held.users == 9
        ));
        ctx.close().await;
    }
}
