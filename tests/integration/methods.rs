//! The method calculators as a model builder uses them: AHP (DESIGN §4 check vectors, a group of
//! experts), fuzzy comprehensive evaluation and entropy weights computed by hand, and bad input.

use crate::common::{TestApp, assert_close, expect_problem, json_of, spawn_app};
use serde_json::{Value, json};

fn weights_close(answer: &Value, expected: &[f64], tolerance: f64) {
    let weights = answer["weights"].as_array().unwrap();
    assert_eq!(weights.len(), expected.len(), "{answer}");
    for (k, (w, e)) in weights.iter().zip(expected).enumerate() {
        assert_close(w, *e, tolerance, &format!("weight {k}"));
    }
}

async fn ok(app: &TestApp, path: &str, body: Value) -> Value {
    json_of(app.post_json(path, &body).await, 200).await
}

/// Posts a raw body (for spellings `json!` cannot write) and expects a 4xx naming `field`.
async fn refused_raw(app: &TestApp, path: &str, body: &str, status: u16, field: &str) {
    let res = app
        .request(reqwest::Method::POST, path)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    expect_problem(res, status, Some(field)).await;
}

#[tokio::test]
async fn ahp_reproduces_the_design_check_vectors() {
    let app = spawn_app().await;
    let a = ok(
        &app,
        "/api/v1/methods/ahp",
        json!({"matrix": [[1, 2, 4, 2], ["1/2", 1, 2, 1], ["1/4", "1/2", 1, "1/2"], [0.5, 1, 2, 1]]}),
    )
    .await;
    weights_close(&a, &[0.4444, 0.2222, 0.1111, 0.2222], 1e-3);
    weights_close(&a, &[4.0 / 9.0, 2.0 / 9.0, 1.0 / 9.0, 2.0 / 9.0], 1e-9);
    assert_close(&a["lambda_max"], 4.0, 1e-9, "λmax");
    assert_close(&a["cr"], 0.0, 1e-9, "CR");
    assert_eq!(a["consistent"], true);
    assert_eq!(a["ri_table"], "saaty");
    assert_close(&a["ri"], 0.90, 1e-12, "RI(4)");

    let b = ok(
        &app,
        "/api/v1/methods/ahp",
        json!({"matrix": [
            [1, "1/2", 4, 3, 3],
            [2, 1, 7, 5, 5],
            ["1/4", "1/7", 1, "1/2", "1/3"],
            ["1/3", "1/5", 2, 1, 1],
            ["1/3", "1/5", 3, 1, 1],
        ]}),
    )
    .await;
    weights_close(&b, &[0.2636, 0.4758, 0.0538, 0.0981, 0.1087], 1e-3);
    assert_close(&b["lambda_max"], 5.0721, 1e-4, "λmax");
    assert_close(&b["ci"], 0.0180, 1e-4, "CI");
    assert_close(&b["cr"], 0.0161, 1e-4, "CR");
    // CI and CR follow from λmax by their definitions.
    let lambda = b["lambda_max"].as_f64().unwrap();
    assert_close(
        &b["ci"],
        (lambda - 5.0) / 4.0,
        1e-12,
        "CI = (λmax − n)/(n − 1)",
    );
    assert_close(&b["cr"], (lambda - 5.0) / 4.0 / 1.12, 1e-12, "CR = CI/RI");
    assert_eq!(b["consistent"], true);
    let pair = &b["most_inconsistent_pair"];
    assert!(
        pair["i"].as_u64().unwrap() < pair["j"].as_u64().unwrap(),
        "{pair}"
    );
}

#[tokio::test]
async fn ahp_aggregates_experts_by_geometric_mean() {
    let app = spawn_app().await;
    // Two experts judge 2 and 8: the geometric mean judgment is 4, so the weights are 4/5 and 1/5.
    let two = ok(
        &app,
        "/api/v1/methods/ahp",
        json!({"matrices": [[[1, 2], ["1/2", 1]], [[1, 8], ["1/8", 1]]]}),
    )
    .await;
    weights_close(&two, &[0.8, 0.2], 1e-12);
    assert_eq!(two["experts"], 2);

    // Consistent matrices from weights (4, 2, 1) and (1, 1, 1): the element-wise geometric mean is
    // the consistent matrix of weights √(4·1), √(2·1), √(1·1).
    let from = |w: [f64; 3]| -> Value {
        json!(
            (0..3)
                .map(|i| (0..3).map(|j| w[i] / w[j]).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        )
    };
    let group = ok(
        &app,
        "/api/v1/methods/ahp",
        json!({"matrices": [from([4.0, 2.0, 1.0]), from([1.0, 1.0, 1.0])]}),
    )
    .await;
    let total = 2.0 + 2f64.sqrt() + 1.0;
    weights_close(
        &group,
        &[2.0 / total, 2f64.sqrt() / total, 1.0 / total],
        1e-9,
    );
    assert_close(&group["cr"], 0.0, 1e-9, "CR of a consistent mean");
    assert_eq!(group["experts"], 2);
}

#[tokio::test]
async fn fce_and_entropy_match_hand_computations() {
    let app = spawn_app().await;
    let fce = ok(
        &app,
        "/api/v1/methods/fce",
        json!({
            "weights": [0.5, 0.3, 0.2],
            "membership": [
                [0.1, 0.3, 0.4, 0.2, 0.0],
                [0.2, 0.4, 0.3, 0.1, 0.0],
                [0.0, 0.2, 0.5, 0.2, 0.1],
            ]
        }),
    )
    .await;
    // b1 = .5·.1 + .3·.2 + .2·0 = .11; b2 = .15 + .12 + .04 = .31; b3 = .20 + .09 + .10 = .39;
    // b4 = .10 + .03 + .04 = .17; b5 = .02.
    let b = [0.11, 0.31, 0.39, 0.17, 0.02];
    for (k, expected) in b.iter().enumerate() {
        assert_close(&fce["b"][k], *expected, 1e-12, &format!("b{}", k + 1));
    }
    // Σ k·bₖ = .11 + .62 + 1.17 + .68 + .10
    assert_close(&fce["grade_score"], 2.68, 1e-12, "grade score");
    assert_eq!(fce["max_membership_grade"], 3);

    let entropy = ok(
        &app,
        "/api/v1/methods/entropy",
        json!({"matrix": [[2, 10], [4, 10], [6, 20]], "benefit": [true, false]}),
    )
    .await;
    // Indicator 1 (benefit) normalises to 0, ½, 1 → p = 0, ⅓, ⅔; indicator 2 (cost, 20 worst)
    // to 1, 1, 0 → p = ½, ½, 0. e = −Σ p ln p / ln 3; divergence d = 1 − e; w = d / Σ d.
    let ln3 = 3f64.ln();
    let e1 = -((1.0f64 / 3.0) * (1.0f64 / 3.0).ln() + (2.0f64 / 3.0) * (2.0f64 / 3.0).ln()) / ln3;
    let e2 = -(0.5f64 * 0.5f64.ln() * 2.0) / ln3;
    let (d1, d2) = (1.0 - e1, 1.0 - e2);
    weights_close(&entropy, &[d1 / (d1 + d2), d2 / (d1 + d2)], 1e-12);
}

#[tokio::test]
async fn bad_calculator_input_is_refused_naming_the_entry() {
    let app = spawn_app().await;
    let ahp = "/api/v1/methods/ahp";
    let big: Vec<Vec<f64>> = vec![vec![1.0; 16]; 16];
    let cases = [
        (json!({"matrix": [[1, 2], [0.5]]}), "matrix[1]"),
        (json!({"matrix": [[1, 0], [1, 1]]}), "matrix[0][1]"),
        (json!({"matrix": [[1, -2], [-0.5, 1]]}), "matrix[0][1]"),
        (json!({"matrix": [[1, 2], [null, 1]]}), "matrix[1][0]"),
        (json!({"matrix": [[1, "Infinity"], [1, 1]]}), "matrix[0][1]"),
        (json!({"matrix": [[1, "two"], [1, 1]]}), "matrix[0][1]"),
        (json!({"matrix": [[1, 2], [2, 1]]}), "matrix[0][1]"),
        (json!({"matrix": [[1, 2], [0.5, 3]]}), "matrix[1][1]"),
        (json!({"matrix": big}), "matrix"),
        (json!({"matrix": []}), "matrix"),
        (json!({}), "matrix"),
        (json!({"matrix": [[1]], "matrices": [[[1]]]}), "matrices"),
        (json!({"matrices": []}), "matrices"),
        (
            json!({"matrices": [[[1]], [[1, 2], [0.5, 1]]]}),
            "matrices[1]",
        ),
        (
            json!({"matrices": [[[1, 2], [0.5, 1]], [[1, 0], [1, 1]]]}),
            "matrices[1][0][1]",
        ),
        (json!({"matrix": [[1]], "extra": 1}), "extra"),
    ];
    for (body, field) in cases {
        let res = app.post_json(ahp, &body).await;
        expect_problem(res, 422, Some(field)).await;
    }
    // Python's json.dumps writes NaN and Infinity bare; they are entries, not broken JSON.
    refused_raw(
        &app,
        ahp,
        r#"{"matrix": [[1, NaN], [1, 1]]}"#,
        422,
        "matrix[0][1]",
    )
    .await;
    refused_raw(
        &app,
        ahp,
        r#"{"matrix": [[1, 2], [-Infinity, 1]]}"#,
        422,
        "matrix[1][0]",
    )
    .await;
    // A number beyond f64 cannot even be read: malformed JSON at that entry, still not a 500.
    refused_raw(
        &app,
        ahp,
        r#"{"matrix": [[1, 1e400], [1, 1]]}"#,
        400,
        "matrix[0][1]",
    )
    .await;

    let fce = "/api/v1/methods/fce";
    let cases = [
        (json!({"weights": [0.5], "membership": [[1.0]]}), "weights"),
        (
            json!({"weights": [1.2, -0.2], "membership": [[1], [1]]}),
            "weights[1]",
        ),
        (
            json!({"weights": [0.5, 0.5], "membership": [[0.5, 0.5], [1]]}),
            "membership[1]",
        ),
        (
            json!({"weights": [0.5, 0.5], "membership": [[0.5, -0.5], [1, 0]]}),
            "membership[0][1]",
        ),
        (
            json!({"weights": [0.5, 0.5], "membership": [[1, 0]]}),
            "membership",
        ),
        (
            json!({"weights": [1], "membership": [[null]]}),
            "membership[0][0]",
        ),
        (json!({"weights": [], "membership": []}), "weights"),
        (json!({"weights": [1]}), "membership"),
    ];
    for (body, field) in cases {
        expect_problem(app.post_json(fce, &body).await, 422, Some(field)).await;
    }
    refused_raw(
        &app,
        fce,
        r#"{"weights": [NaN], "membership": [[1]]}"#,
        422,
        "weights[0]",
    )
    .await;

    let entropy = "/api/v1/methods/entropy";
    let cases = [
        (
            json!({"matrix": [[1, 2], [3]], "benefit": [true, true]}),
            "matrix[1]",
        ),
        (
            json!({"matrix": [[1, 2]], "benefit": [true, true]}),
            "matrix",
        ),
        (
            json!({"matrix": [[1, 2], [3, 4]], "benefit": [true]}),
            "benefit",
        ),
        (
            json!({"matrix": [[1, 2], [1, 2]], "benefit": [true, false]}),
            "matrix",
        ),
        (
            json!({"matrix": [[1], [null]], "benefit": [true]}),
            "matrix[1][0]",
        ),
        (json!({"matrix": [], "benefit": []}), "matrix"),
        (
            json!({"matrix": [[1], [2]], "benefit": ["yes"]}),
            "benefit[0]",
        ),
    ];
    for (body, field) in cases {
        expect_problem(app.post_json(entropy, &body).await, 422, Some(field)).await;
    }
    refused_raw(
        &app,
        entropy,
        r#"{"matrix": [[1], [Infinity]], "benefit": [true]}"#,
        422,
        "matrix[1][0]",
    )
    .await;
    // Not JSON at all.
    let res = app
        .request(reqwest::Method::POST, ahp)
        .header("content-type", "text/plain")
        .body("1 2; 3 4")
        .send()
        .await
        .unwrap();
    expect_problem(res, 415, None).await;
}
