//! The models shipped in `models/`, compiled in so the binary can run without the directory.

use super::error::ModelError;
use super::model::Model;

/// (file name, contents) of every bundled model.
pub const BUNDLED: [(&str, &str); 5] = [
    (
        "land_requisition.toml",
        include_str!("../../models/land_requisition.toml"),
    ),
    (
        "house_expropriation.toml",
        include_str!("../../models/house_expropriation.toml"),
    ),
    (
        "enterprise_restructuring.toml",
        include_str!("../../models/enterprise_restructuring.toml"),
    ),
    (
        "major_project.toml",
        include_str!("../../models/major_project.toml"),
    ),
    ("generic.toml", include_str!("../../models/generic.toml")),
];

pub fn bundled_models() -> Result<Vec<Model>, Vec<ModelError>> {
    let mut models = Vec::new();
    let mut errors = Vec::new();
    for (name, text) in BUNDLED {
        match Model::from_toml_str(name, text) {
            Ok(m) => models.push(m),
            Err(e) => errors.extend(e.0),
        }
    }
    if errors.is_empty() {
        Ok(models)
    } else {
        Err(errors)
    }
}
