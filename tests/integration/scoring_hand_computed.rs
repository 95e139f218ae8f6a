//! One hand-computed assessment per bundled model. Weights come from the model files: their AHP matrices
//! are consistent, so the weights are exact fractions (the one inconsistent block, enterprise
//! controllability, is rated so that its three factors share one degree and its weights cancel out).

use serde_json::json;
use wenping::cli::assess::render_table;
use wenping::scoring::{
    Assessment, AssessmentInputs, GateOutcome, Level, Model, QualityCode, assess, bundled_models,
};

fn model(id: &str) -> Model {
    bundled_models()
        .unwrap()
        .into_iter()
        .find(|m| m.id() == id)
        .unwrap()
}

fn inputs(v: serde_json::Value) -> AssessmentInputs {
    serde_json::from_value(v).unwrap()
}

fn factor<'a>(a: &'a Assessment, id: &str) -> &'a wenping::scoring::FactorAssessment {
    a.factors.iter().find(|f| f.id == id).unwrap()
}

fn codes(a: &Assessment) -> Vec<(QualityCode, Option<String>)> {
    a.quality
        .iter()
        .map(|q| (q.code, q.factor.clone()))
        .collect()
}

/// Σ cᵢ reproduces R exactly (same order, same additions), initial and residual.
fn assert_sums(a: &Assessment) {
    let c = a
        .factors
        .iter()
        .fold(0.0, |s, f| s + f.initial.contribution);
    assert_eq!(c, a.initial.r);
    let c = a
        .factors
        .iter()
        .fold(0.0, |s, f| s + f.residual.contribution);
    assert_eq!(c, a.residual.outcome.r);
}

#[test]
fn land_requisition_medium_then_low_with_two_measures() {
    // Weights: dimensions 2/9, 4/9, 2/9, 1/9 (AHP, consistent).
    //   legality: 1/9 each; reasonableness (AHP 4/7, 2/7, 1/7): 16/63, 8/63, 4/63;
    //   feasibility 0.4/0.3/0.3: 4/45, 1/15, 1/15; controllability (AHP 2/5, 1/5 ×3): 2/45, 1/45 ×3.
    // Degrees r = P·I with mean grade values over experts A, B, C:
    //   public_interest_approval P (0.4+0.4+0.6)/3, I 0.8 → 0.37333   requisition_procedure 30 days → g1, I4 → 0.16
    //   compensation_standard ratio 0.85 → g4 0.8, I (0.8+0.8+1.0)/3 → 0.69333
    //   resettlement P 2/3, I 2.2/3 → 0.48889          collective_distribution 0.4·0.6 = 0.24
    //   signing_rate 0.9 → g2 0.4, I 0.8 → 0.32        funds_in_place true → g1, I4 → 0.16
    //   villager_support 0.6 → g4 0.8, I 0.6 → 0.48    petition_history 1.5 → g3 0.6, I 0.8 → 0.48
    //   collective_petitions 0 → g1, I4 → 0.16         participation 0.16   emergency 0.36
    // R = 29783/70875 = 0.42022 → medium.
    // Measures: unified_standard (compensation P 4→3: 0.6·0.86667 = 0.52) and
    //   social_insurance_enrolment (resettlement P,I −1: 1.4/3 · 1.6/3 = 0.24889) → R = 24503/70875 = 0.34572 → low.
    let m = model("land_requisition");
    let i = inputs(json!({
        "attributes": {"public_notice_days": 30, "compensation_ratio": 0.85, "signing_rate": 0.9,
                        "funds_in_place": true, "support_rate": 0.6, "hearing_held": false},
        "indicators": {"petition_history": 1.5, "collective_petitions": 0.0},
        "ratings": {
            "A": {"public_interest_approval": {"probability": 2, "impact": 4},
                  "compensation_standard": {"probability": 3, "impact": 4},
                  "resettlement_social_security": {"probability": 3, "impact": 4},
                  "collective_distribution": {"probability": 2, "impact": 3},
                  "signing_rate": {"probability": 1, "impact": 4},
                  "villager_support": {"probability": 1, "impact": 3},
                  "petition_history": {"probability": 1, "impact": 4},
                  "villager_participation": {"probability": 2, "impact": 2},
                  "emergency_readiness": {"probability": 3, "impact": 3}},
            "B": {"public_interest_approval": {"probability": 2, "impact": 4},
                  "compensation_standard": {"probability": 3, "impact": 4},
                  "resettlement_social_security": {"probability": 3, "impact": 3},
                  "collective_distribution": {"probability": 2, "impact": 3},
                  "signing_rate": {"probability": 1, "impact": 4},
                  "villager_support": {"probability": 1, "impact": 3},
                  "petition_history": {"probability": 1, "impact": 3},
                  "villager_participation": {"probability": 2, "impact": 2},
                  "emergency_readiness": {"probability": 3, "impact": 3}},
            "C": {"public_interest_approval": {"probability": 3, "impact": 4},
                  "compensation_standard": {"probability": 3, "impact": 5},
                  "resettlement_social_security": {"probability": 4, "impact": 4},
                  "collective_distribution": {"probability": 2, "impact": 3},
                  "signing_rate": {"probability": 1, "impact": 4},
                  "villager_support": {"probability": 1, "impact": 3},
                  "petition_history": {"probability": 1, "impact": 5},
                  "villager_participation": {"probability": 2, "impact": 2},
                  "emergency_readiness": {"probability": 3, "impact": 3}}
        },
        "measures": ["unified_standard", "social_insurance_enrolment"]
    }));
    let a = assess(&m, &i).unwrap();
    assert!(
        (a.initial.r - 29783.0 / 70875.0).abs() < 1e-9,
        "R {}",
        a.initial.r
    );
    assert_eq!(a.initial.level, Level::Medium);
    assert!(
        (a.residual.outcome.r - 24503.0 / 70875.0).abs() < 1e-9,
        "residual R {}",
        a.residual.outcome.r
    );
    assert_eq!(a.residual.outcome.level, Level::Low);
    assert_sums(&a);
    assert!((factor(&a, "compensation_standard").weight - 16.0 / 63.0).abs() < 1e-12);
    assert!((factor(&a, "compensation_standard").initial.degree - 0.8 * 2.6 / 3.0).abs() < 1e-12);
    // Only the addressed factors change.
    for f in &a.factors {
        let addressed =
            ["compensation_standard", "resettlement_social_security"].contains(&f.id.as_str());
        assert_eq!(f.initial.degree != f.residual.degree, addressed, "{}", f.id);
    }
    // public_interest_approval mean grade value 0.4667 → nearest grade 2 → (2,4) low: no veto.
    assert_eq!(
        factor(&a, "public_interest_approval").initial.level,
        Level::Low
    );
    assert!(a.initial.veto.is_empty());
    assert_eq!(a.gate.outcome, GateOutcome::MayImplement);
    // Each measure alone keeps the level at low: dropping either gives medium.
    assert_eq!(a.gate.duties.len(), 2);
    assert!(a.gate.duties.iter().all(|d| d.level_depends_on_it));
    // petition_history impacts 4, 3, 5: spread 2 → disagreement, naming the experts at both ends.
    let ph = factor(&a, "petition_history");
    assert_eq!(
        (ph.spread, ph.disagreement, ph.expert_count),
        (Some(2), true, 3)
    );
    let d = a
        .quality
        .iter()
        .find(|q| q.code == QualityCode::ExpertsDisagree)
        .unwrap();
    assert_eq!(d.experts, vec!["B".to_string(), "C".to_string()]);
    // Consultation complete: 30 days, survey given, support ≥ 0.5 so no hearing needed.
    // No concern ledger given: the experts' grades stand in for the ledger factor, and the finding says so.
    assert_eq!(
        codes(&a),
        vec![
            (
                QualityCode::EvidenceFallback,
                Some("resettlement_social_security".into())
            ),
            (
                QualityCode::ExpertsDisagree,
                Some("petition_history".into())
            )
        ]
    );
    assert!((a.dimensions[0].initial_score - (0.37333333333333335 + 0.16) / 9.0).abs() < 1e-12);
    assert!(render_table(&a).contains("compensation_standard"));
}

#[test]
fn house_expropriation_veto_lifts_to_high_and_notice_measure_clears_it() {
    // Weights: dimensions 2/9, 4/9, 1/9, 2/9; legality 1/9 each; reasonableness AHP (4,1,2)/7 → 16/63, 4/63, 8/63;
    //   feasibility 0.5/0.25/0.25 → 1/18, 1/36, 1/36; controllability 0.35/0.35/0.3 → 7/90, 7/90, 1/15.
    // Two experts X, Y. public_notice_days 20 → g4, I4 → r 0.64 at (4,4) = high on a veto factor.
    //   public_interest_plan P (0.2+0.4)/2 = 0.3, I 0.8 → 0.24; compensation ratio 1.0 → g2 0.4 · I 0.8 = 0.32;
    //   valuer 0.24; resettlement 0.48; signing 0.8 → g3 0.6 · 0.6 = 0.36; funds false → g5 · I4 = 0.8;
    //   support 0.7 → g3 · 0.6 = 0.36; vulnerable 0.36; forced (2,5) 0.4; repeat share 0.25 → g3 · 0.8 = 0.48.
    // R = 0.39857 → medium by the bands, lifted to high by the veto.
    // Measures publish_comments_changes (notice P 4→2: 0.32) and finance_certificate (funds P 5→3: 0.48):
    //   R = 0.39857 − (0.64−0.32)/9 − (0.8−0.48)/36 = 0.35413 → low.
    let m = model("house_expropriation");
    let rate = |p: u8, q: u8| json!({"probability": p, "impact": q});
    let i = inputs(json!({
        "attributes": {"public_notice_days": 20, "compensation_ratio": 1.0, "signing_rate": 0.8,
                        "funds_in_place": false, "support_rate": 0.7},
        "indicators": {"demolition_petitions": 0.25},
        "ratings": {
            "X": {"public_interest_plan": rate(1, 4), "compensation_vs_market": rate(3, 4), "valuer_choice": rate(2, 3),
                  "resettlement_housing": rate(3, 4), "pre_signing_rate": rate(3, 3), "owner_support": rate(2, 3),
                  "vulnerable_disputed_titles": rate(3, 3), "forced_demolition": rate(2, 5), "demolition_petitions": rate(1, 4)},
            "Y": {"public_interest_plan": rate(2, 4), "compensation_vs_market": rate(3, 4), "valuer_choice": rate(2, 3),
                  "resettlement_housing": rate(3, 4), "pre_signing_rate": rate(3, 3), "owner_support": rate(2, 3),
                  "vulnerable_disputed_titles": rate(3, 3), "forced_demolition": rate(2, 5), "demolition_petitions": rate(1, 4)}
        },
        "measures": ["publish_comments_changes", "finance_certificate"]
    }));
    let a = assess(&m, &i).unwrap();
    let r = (0.24 + 0.64) / 9.0
        + 16.0 / 63.0 * 0.32
        + 4.0 / 63.0 * 0.24
        + 8.0 / 63.0 * 0.48
        + 0.36 / 18.0
        + 0.8 / 36.0
        + 0.36 / 36.0
        + 7.0 / 90.0 * 0.36
        + 7.0 / 90.0 * 0.4
        + 0.48 / 15.0;
    assert!((a.initial.r - r).abs() < 1e-9);
    assert!((a.initial.r - 0.398_571_428_571_428_6).abs() < 1e-9);
    assert_eq!(a.initial.method_level, Level::Medium);
    assert_eq!(a.initial.level, Level::High);
    assert_eq!(a.initial.veto.len(), 1);
    assert_eq!(a.initial.veto[0].factor, "comment_period_hearing");
    assert!((a.residual.outcome.r - (r - 0.32 / 9.0 - 0.32 / 36.0)).abs() < 1e-9);
    assert_eq!(a.residual.outcome.level, Level::Low);
    assert!(a.residual.outcome.veto.is_empty());
    assert_eq!(a.gate.outcome, GateOutcome::MayImplement);
    assert_sums(&a);
    // 0.3 lies halfway between grade values 0.2 and 0.4: the tie rounds up to grade 2.
    assert_eq!(
        factor(&a, "public_interest_plan")
            .initial
            .probability
            .matrix_grade,
        2
    );
    let c = codes(&a);
    assert!(c.contains(&(QualityCode::PublicNoticeTooShort, None)));
    assert!(c.contains(&(QualityCode::FewExperts, Some("valuer_choice".into()))));
    assert!(!c.iter().any(|(k, _)| *k == QualityCode::HearingNotHeld));
}

#[test]
fn enterprise_restructuring_medium_then_low() {
    // Weights: dimensions 1/6, 1/3, 1/3, 1/6; legality 0.6/0.4 → 1/10, 1/15; reasonableness 1/6 each;
    //   feasibility 0.4/0.3/0.3 → 2/15, 1/10, 1/10; controllability by an inconsistent AHP block whose three
    //   factors all get r = 0.6·0.6 = 0.36 here, so together they contribute 1/6 · 0.36 whatever the local weights.
    // workers_congress P (0.4+0.6+0.4)/3, I 1.0·… (2,4),(3,4),(2,4) → 0.46667·0.8 = 0.37333
    // asset_pricing (1,5),(1,5),(3,5) → P 1/3, I 1 → 0.33333; severance (4,4) → 0.64; pension (3,4) → 0.48;
    // arrears 4 months → g3 0.6 · I 0.8 = 0.48; funds true → g1 · I4 = 0.16; reemployment (3,3) → 0.36.
    // R = 0.037333 + 0.022222 + 0.106667 + 0.08 + 0.064 + 0.016 + 0.036 + 0.06 = 0.42222 → medium.
    // Measures clear_arrears_first (g3→g1: 0.16) and individual_calculation_sheets (severance P 4→3: 0.48):
    //   R = 0.42222 − 2/15·0.32 − 1/6·0.16 = 0.35289 → low.
    let m = model("enterprise_restructuring");
    let rate = |p: u8, q: u8| json!({"probability": p, "impact": q});
    let expert = |wc: u8, ap: u8| {
        json!({"workers_congress_approval": rate(wc, 4), "asset_pricing": rate(ap, 5),
               "severance_status_change": rate(4, 4), "pension_continuity": rate(3, 4), "arrears": rate(2, 4),
               "reemployment": rate(3, 3), "worker_support": rate(1, 3), "labour_petitions": rate(1, 3),
               "legacy_collective_rumours": rate(3, 3)})
    };
    let i = inputs(json!({
        "attributes": {"arrears_months": 4, "funds_in_place": true, "support_rate": 0.8, "public_notice_days": 20},
        "indicators": {"labour_petitions": 1.1},
        "ratings": {"E1": expert(2, 1), "E2": expert(3, 1), "E3": expert(2, 3)},
        "measures": ["clear_arrears_first", "individual_calculation_sheets"]
    }));
    let a = assess(&m, &i).unwrap();
    let r = 0.1 * (1.4 / 3.0) * 0.8
        + (1.0 / 15.0) * (1.0 / 3.0)
        + 0.64 / 6.0
        + 0.48 / 6.0
        + 2.0 / 15.0 * 0.48
        + 0.1 * 0.16
        + 0.1 * 0.36
        + 0.36 / 6.0;
    assert!((a.initial.r - r).abs() < 1e-9);
    assert!((a.initial.r - 0.422_222_222_222_222).abs() < 1e-9);
    assert_eq!(a.initial.level, Level::Medium);
    assert!((a.residual.outcome.r - (r - 2.0 / 15.0 * 0.32 - 0.16 / 6.0)).abs() < 1e-9);
    assert_eq!(a.residual.outcome.level, Level::Low);
    assert_sums(&a);
    // severance (4,4) is high on the matrix but it is not a veto factor.
    assert_eq!(
        factor(&a, "severance_status_change").initial.level,
        Level::High
    );
    assert!(a.initial.veto.is_empty());
    assert!(factor(&a, "asset_pricing").disagreement);
    assert_eq!(a.gate.outcome, GateOutcome::MayImplement);
    // The controllability block is not consistent by construction but is acceptable.
    let block = m
        .derived()
        .ahp_blocks
        .iter()
        .find(|b| b.block == "controllability")
        .unwrap();
    assert!(block.result.cr > 0.0 && block.result.cr < 0.10);
}

#[test]
fn major_project_fuzzy_medium_not_approved_under_ndrc_2492() {
    // Weights: dimensions 1/6, 1/3, 1/6, 1/3; legality 1/12 each; reasonableness AHP (2,1,1)/4 → 1/6, 1/12, 1/12;
    //   feasibility 1/12 each; controllability 0.4/0.3/0.3 → 2/15, 1/10, 1/10.
    // Votes = round-half-up √(p·q) per unit; membership = vote shares:
    //   approval (1,3),(1,3),(2,3) → 2,2,2; eia 14 days → g1, I3 → 2; migrant wages 0 months → g1, I3 → 2;
    //   construction (2,2),(2,3),(3,3) → 2,2,3; pollution (4,4),(4,5),(3,4) → 4,4,3; property (3,3) → 3;
    //   community (3,4) → 3; misinformation (4,4) → 4; resident support 0.4 → g5 with I 4,4,3 → 4,4,4;
    //   environmental petitions ratio 1.3 → g3 with I 3 → 3.
    // B = [0, 1/12·3 + 1/12·2/3, 1/18 + 1/12 + 1/12 + 1/36 + 1/10, 1/9 + 2/15 + 1/10, 0]
    //   = [0, 0.30556, 0.35, 0.34444, 0] → max membership grade 3 → medium; score 3.03889.
    // Index R alongside = 0.42467.
    let m = model("major_project");
    let rate = |p: u8, q: u8| json!({"probability": p, "impact": q});
    let i = inputs(json!({
        "attributes": {"public_notice_days": 14, "arrears_months": 0, "support_rate": 0.4, "hearing_held": false},
        "indicators": {"environment_petitions": 1.3},
        "ratings": {
            "G1": {"approval_compliance": rate(1, 3), "pollution_perception": rate(4, 4), "property_value_concern": rate(3, 3),
                   "community_benefit": rate(3, 4), "construction_nuisance": rate(2, 2), "misinformation": rate(4, 4),
                   "resident_support": rate(1, 4), "environment_petitions": rate(1, 3)},
            "G2": {"approval_compliance": rate(1, 3), "pollution_perception": rate(4, 5), "property_value_concern": rate(3, 3),
                   "community_benefit": rate(3, 4), "construction_nuisance": rate(2, 3), "misinformation": rate(4, 4),
                   "resident_support": rate(1, 4), "environment_petitions": rate(1, 3)},
            "G3": {"approval_compliance": rate(2, 3), "pollution_perception": rate(3, 4), "property_value_concern": rate(3, 3),
                   "community_benefit": rate(3, 4), "construction_nuisance": rate(3, 3), "misinformation": rate(4, 4),
                   "resident_support": rate(1, 3), "environment_petitions": rate(1, 3)}
        },
        "measures": ["independent_env_communication", "media_plan", "reception_mediation"]
    }));
    let a = assess(&m, &i).unwrap();
    let f = a.initial.fuzzy.as_ref().unwrap();
    let expect = [
        0.0,
        0.25 + 2.0 / 36.0,
        1.0 / 18.0 + 1.0 / 6.0 + 1.0 / 36.0 + 0.1,
        1.0 / 9.0 + 2.0 / 15.0 + 0.1,
        0.0,
    ];
    for (b, e) in f.b.iter().zip(expect) {
        assert!((b - e).abs() < 1e-9, "B {:?}", f.b);
    }
    assert_eq!(f.max_membership_grade, 3);
    // The model reads the level from the grade score 3.039, rounded half up to grade 3.
    assert_eq!(f.level_grade, 3);
    let score: f64 = expect
        .iter()
        .enumerate()
        .map(|(k, b)| (k + 1) as f64 * b)
        .sum();
    assert!((f.grade_score - score).abs() < 1e-9);
    assert_eq!(a.initial.level, Level::Medium);
    assert!((a.initial.r - 0.424_666_666_666_666_7).abs() < 1e-9);
    // Residual: pollution P −1 → votes 3,4,3; misinformation I −1 → (4,3) → 3; env petitions → (2,3) → 2;
    //   resident support → (4,4),(4,4),(4,3) → 4,4,3. B = [0, 0.40556, 0.47222, 0.12222, 0] → grade 3, medium.
    let rf = a.residual.outcome.fuzzy.as_ref().unwrap();
    let expect = [
        0.0,
        0.25 + 2.0 / 36.0 + 0.1,
        1.0 / 9.0 + 1.0 / 6.0 + 1.0 / 36.0 + 2.0 / 15.0 + 0.1 / 3.0,
        1.0 / 18.0 + 0.2 / 3.0,
        0.0,
    ];
    for (b, e) in rf.b.iter().zip(expect) {
        assert!((b - e).abs() < 1e-9, "residual B {:?}", rf.b);
    }
    assert!((a.residual.outcome.r - 0.347_777_777_777_777_8).abs() < 1e-9);
    assert_eq!(a.residual.outcome.level, Level::Medium);
    assert_eq!(a.gate.outcome, GateOutcome::NotApproved);
    assert!(a.gate.duties.is_empty());
    assert_sums(&a);
    // Support 0.4 < 0.5: most object, so a hearing is required and none was held.
    assert!(codes(&a).contains(&(QualityCode::HearingNotHeld, None)));
}

#[test]
fn generic_low_with_missing_and_fallback_evidence_flagged() {
    // Weights: dimensions 1/3, 1/3, 1/6, 1/6 (AHP, consistent); every local weight 0.5.
    // legal_basis (1,3) → 0.12; participation: no notice days and no ratings → assumed P3 with the stated I3 → 0.36;
    // benefit (2,2),(4,4) → P 0.6, I 0.6 → 0.36; support 0.9 → g2 · I 0.4 → 0.16; funds true → g1 · I3 → 0.12;
    // timing unrated → assumed (3,3) → 0.36; petition trend missing → experts (2,3) → 0.24; emergency (2,2) → 0.16.
    // R = (0.12 + 0.36)/6 + (0.36 + 0.16)/6 + (0.12 + 0.36)/12 + (0.24 + 0.16)/12 = 0.24 → low.
    let m = model("generic");
    let rate = |p: u8, q: u8| json!({"probability": p, "impact": q});
    let i = inputs(json!({
        "attributes": {"support_rate": 0.9, "funds_in_place": true},
        "ratings": {
            "H1": {"legal_basis_authority": rate(1, 3), "benefit_balance": rate(2, 2), "affected_support": rate(1, 2),
                   "petition_trend": rate(2, 3), "emergency_media_plan": rate(2, 2)},
            "H2": {"legal_basis_authority": rate(1, 3), "benefit_balance": rate(4, 4), "affected_support": rate(1, 2),
                   "petition_trend": rate(2, 3), "emergency_media_plan": rate(2, 2)}
        }
    }));
    let a = assess(&m, &i).unwrap();
    assert!((a.initial.r - 0.24).abs() < 1e-9, "R {}", a.initial.r);
    assert_eq!(a.initial.level, Level::Low);
    assert_eq!(a.residual.outcome.r, a.initial.r);
    assert_eq!(a.gate.outcome, GateOutcome::MayImplement);
    assert_sums(&a);
    let c = codes(&a);
    assert!(c.contains(&(
        QualityCode::MissingEvidence,
        Some("public_participation_procedure".into())
    )));
    assert!(c.contains(&(QualityCode::Unrated, Some("implementation_timing".into()))));
    assert!(c.contains(&(QualityCode::EvidenceFallback, Some("petition_trend".into()))));
    assert!(c.contains(&(QualityCode::ExpertsDisagree, Some("benefit_balance".into()))));
    assert!(c.contains(&(QualityCode::FewExperts, Some("benefit_balance".into()))));
    assert!(c.contains(&(QualityCode::NoPublicNotice, None)));
}

#[test]
fn median_aggregation_is_configurable_in_the_model() {
    // Same generic model with `aggregation = "median"`: benefit_balance rated (1,1),(1,1),(5,5)
    // gives P = I = 0.2 by median (mean would give 0.46667).
    let text = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/generic.toml")).replacen(
        "aggregation = \"mean\"",
        "aggregation = \"median\"",
        1,
    );
    let m = Model::from_toml_str("generic.toml", &text).unwrap();
    let rate = |p: u8, q: u8| json!({"probability": p, "impact": q});
    let i = inputs(json!({"ratings": {
        "a": {"benefit_balance": rate(1, 1)}, "b": {"benefit_balance": rate(1, 1)}, "c": {"benefit_balance": rate(5, 5)}}}));
    let a = assess(&m, &i).unwrap();
    let f = factor(&a, "benefit_balance");
    assert!((f.initial.degree - 0.04).abs() < 1e-12);
    assert_eq!(f.spread, Some(4));
}
