//! Expert panels of the land-requisition model, and rating a decision with one.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::TestApp;

/// factor → (probability grade, impact grade)
pub type Sheet = BTreeMap<&'static str, (u8, u8)>;
/// expert → sheet
pub type Ratings = BTreeMap<&'static str, Sheet>;

/// Three experts' sheets of every land-requisition factor: with [`super::land_requisition`] a medium risk. The
/// veto factors are rated unanimously.
pub fn land_panel() -> Ratings {
    let sheet = |rows: &[(&'static str, u8, u8)]| -> Sheet {
        rows.iter().map(|(f, p, q)| (*f, (*p, *q))).collect()
    };
    BTreeMap::from([
        (
            "张教授",
            sheet(&[
                ("public_interest_approval", 2, 3),
                ("requisition_procedure", 3, 3),
                ("compensation_standard", 4, 4),
                ("resettlement_social_security", 3, 4),
                ("collective_distribution", 2, 3),
                ("signing_rate", 3, 3),
                ("funds_in_place", 1, 2),
                ("villager_support", 3, 3),
                ("petition_history", 3, 3),
                ("collective_petitions", 2, 4),
                ("villager_participation", 2, 2),
                ("emergency_readiness", 3, 3),
            ]),
        ),
        (
            "李律师",
            sheet(&[
                ("public_interest_approval", 2, 3),
                ("requisition_procedure", 3, 3),
                ("compensation_standard", 4, 5),
                ("resettlement_social_security", 4, 4),
                ("collective_distribution", 3, 3),
                ("signing_rate", 3, 4),
                ("funds_in_place", 1, 2),
                ("villager_support", 3, 3),
                ("petition_history", 2, 3),
                ("collective_petitions", 2, 4),
                ("villager_participation", 3, 2),
                ("emergency_readiness", 2, 3),
            ]),
        ),
        (
            "王书记",
            sheet(&[
                ("public_interest_approval", 2, 3),
                ("requisition_procedure", 3, 3),
                ("compensation_standard", 3, 4),
                ("resettlement_social_security", 3, 3),
                ("collective_distribution", 2, 2),
                ("signing_rate", 3, 3),
                ("funds_in_place", 1, 2),
                ("villager_support", 4, 3),
                ("petition_history", 3, 4),
                ("collective_petitions", 3, 4),
                ("villager_participation", 2, 3),
                ("emergency_readiness", 3, 3),
            ]),
        ),
    ])
}

/// The six factors a short sheet rates: those only experts grade, and the requisition procedure.
pub const SHORT_SHEET: [&str; 6] = [
    "public_interest_approval",
    "requisition_procedure",
    "resettlement_social_security",
    "collective_distribution",
    "villager_participation",
    "emergency_readiness",
];

/// Two experts of [`land_panel`] rating the [`SHORT_SHEET`] factors only: a medium risk too.
pub fn short_panel() -> Ratings {
    let full = land_panel();
    ["张教授", "李律师"]
        .into_iter()
        .map(|expert| {
            let sheet = SHORT_SHEET
                .iter()
                .map(|factor| (*factor, full[expert][factor]))
                .collect();
            (expert, sheet)
        })
        .collect()
}

/// A sheet as the ratings API takes it.
pub fn sheet_json(sheet: &Sheet) -> Value {
    sheet
        .iter()
        .map(|(factor, (p, q))| (factor.to_string(), json!({"probability": p, "impact": q})))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

impl TestApp {
    /// Each expert of `panel` PUTs their sheet on the decision `id`; every sheet must be stored.
    pub async fn rate(&self, id: &str, panel: &Ratings) {
        for (expert, sheet) in panel {
            let res = self
                .put_rating(
                    &format!("/api/v1/decisions/{id}/ratings/{expert}"),
                    &sheet_json(sheet),
                )
                .await;
            assert_eq!(res.status(), 200, "{expert}");
        }
    }
}
