//! The benchmarks' synthetic assessment: the generic model's header with 40 expert-rated factors
//! (10 per dimension), a measure catalogue of the requested size, and five experts' ratings from a
//! fixed sequence.

use wenping::scoring::{AssessmentInputs, ExpertRating, Model};

const DIMENSIONS: [&str; 4] = [
    "legality",
    "reasonableness",
    "feasibility",
    "controllability",
];

/// 40 factors and `measures` catalogue entries; measure m lowers factor (m mod 4, m mod 10)'s probability.
pub fn forty_factor_model(measures: usize) -> Model {
    let generic = include_str!("../../models/generic.toml");
    let header = generic
        .split("# ---- factors ----")
        .next()
        .unwrap_or(generic);
    let mut text = header.replace("id = \"generic\"", "id = \"bench40\"");
    for (d, dimension) in DIMENSIONS.iter().enumerate() {
        for k in 0..10 {
            text.push_str(&format!(
                "\n[[factors]]\nid = \"f{d}_{k}\"\nname = {{ zh = \"第{d}维第{k}项风险因素\", en = \"factor {d}.{k}\" }}\ndimension = \"{dimension}\"\nweight = 0.1\nevidence = {{ source = \"expert\" }}\n"
            ));
        }
    }
    for m in 0..measures {
        text.push_str(&format!(
            "\n[[measures]]\nid = \"m{m}\"\nname = {{ zh = \"措施{m}\", en = \"measure {m}\" }}\neffects = [{{ factor = \"f{}_{}\", on = \"probability\", steps = {} }}]\ncost = {}\nowner = {{ zh = \"县政府\", en = \"county government\" }}\nphase = \"before_implementation\"\n",
            m % 4,
            m % 10,
            1 + m % 2,
            m % 7 + 1
        ));
    }
    match Model::from_toml_str("bench40.toml", &text) {
        Ok(model) => model,
        Err(errors) => panic!("the benchmark model is invalid: {errors:?}"),
    }
}

/// Five experts' ratings from a fixed linear congruential sequence, with the first two measures.
pub fn inputs(model: &Model) -> AssessmentInputs {
    let mut state: u64 = 42;
    let mut grade = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) % 5) as u8 + 1
    };
    let mut ratings = std::collections::BTreeMap::new();
    for expert in ["甲", "乙", "丙", "丁", "戊"] {
        let sheet = model
            .spec()
            .factors
            .iter()
            .map(|f| {
                let rating = ExpertRating {
                    probability: grade(),
                    impact: grade(),
                    low: None,
                    high: None,
                    note: None,
                };
                (f.id.clone(), rating)
            })
            .collect();
        ratings.insert(expert.to_owned(), sheet);
    }
    AssessmentInputs {
        ratings,
        measures: model
            .spec()
            .measures
            .iter()
            .take(2)
            .map(|m| m.id.clone())
            .collect(),
        ..AssessmentInputs::default()
    }
}
