//! `wenping assess FILE.json`: score a decision offline from a file of its kind, attributes, ratings and
//! measures, and print the assessment as a table (or JSON).

use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::app::{ModelRegistry, assessments};
use crate::scoring::AssessmentInputs;
use crate::scoring::model::DecisionKind;

/// The input file: a decision's kind and facts plus ratings and measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfflineAssessmentFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub kind: DecisionKind,
    /// Pins a model id; otherwise the model for `kind` is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(flatten)]
    pub inputs: AssessmentInputs,
}

impl OfflineAssessmentFile {
    pub fn from_json(text: &str) -> Result<OfflineAssessmentFile, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// Scores the file with the pinned model or the kind's, and prints a table or (`json`) every number.
pub fn run(models: &ModelRegistry, file: &Path, json: bool) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let input = OfflineAssessmentFile::from_json(&text)
        .with_context(|| format!("{} is not a valid assessment input", file.display()))?;
    let assessment =
        assessments::assess_offline(models, input.kind, input.model.as_deref(), &input.inputs)
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&assessment)?);
    } else {
        print!("{}", render_table(&assessment));
    }
    Ok(())
}

use std::fmt::Write;

use crate::scoring::{Assessment, EvidenceSource, LevelOutcome};

fn source(s: EvidenceSource) -> &'static str {
    match s {
        EvidenceSource::Expert => "expert",
        EvidenceSource::Attribute => "attribute",
        EvidenceSource::Petition => "petition",
        EvidenceSource::Ledger => "ledger",
        EvidenceSource::Stated => "stated",
        EvidenceSource::Assumed => "ASSUMED",
    }
}

fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n >= width {
        s.chars().take(width).collect()
    } else {
        format!("{s}{}", " ".repeat(width - n))
    }
}

fn outcome_line(label: &str, o: &LevelOutcome) -> String {
    let mut line = format!("{label}: R = {:.4}  level {}", o.r, o.level.as_str());
    if o.method_level != o.level {
        let _ = write!(
            line,
            " (method gives {}, lifted by veto)",
            o.method_level.as_str()
        );
    }
    if let Some(f) = &o.fuzzy {
        let b: Vec<String> = f.b.iter().map(|x| format!("{x:.3}")).collect();
        let _ = write!(
            line,
            "  fuzzy B = [{}], grade {} (score {:.3})",
            b.join(", "),
            f.max_membership_grade,
            f.grade_score
        );
    }
    line
}

pub fn render_table(a: &Assessment) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "model {} v{} ({:?}), hash {}",
        a.model.id, a.model.version, a.model.method, a.model.hash
    );
    let header = format!(
        "{} {} {} {:>5} {:>5} {:>6} {:>6} {:>7} {} {:>7} {} {}",
        pad("factor", 30),
        pad("dimension", 15),
        pad("source", 9),
        "P",
        "I",
        "r",
        "w",
        "c",
        pad("level", 6),
        "c'",
        pad("level'", 6),
        "experts"
    );
    let _ = writeln!(out, "{header}");
    let _ = writeln!(out, "{}", "-".repeat(header.chars().count()));
    for f in &a.factors {
        let flag = match (f.veto, f.disagreement) {
            (true, true) => " veto, disagree",
            (true, false) => " veto",
            (false, true) => " disagree",
            (false, false) => "",
        };
        let _ = writeln!(
            out,
            "{} {} {} {:>5.2} {:>5.2} {:>6.3} {:>6.4} {:>7.4} {} {:>7.4} {} {}{}",
            pad(&f.id, 30),
            pad(&f.dimension, 15),
            pad(source(f.evidence.probability_source), 9),
            f.initial.probability.grade,
            f.initial.impact.grade,
            f.initial.degree,
            f.weight,
            f.initial.contribution,
            pad(f.initial.level.as_str(), 6),
            f.residual.contribution,
            pad(f.residual.level.as_str(), 6),
            f.expert_count,
            flag
        );
    }
    let _ = writeln!(out);
    for d in &a.dimensions {
        let _ = writeln!(
            out,
            "{} weight {:.4}  score {:.4} ({:.3} of its weight)  after measures {:.4}",
            pad(&format!("{} {}", d.id, d.name.zh), 24),
            d.weight,
            d.initial_score,
            d.initial_normalised.unwrap_or(0.0),
            d.residual_score
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", outcome_line("initial ", &a.initial));
    let _ = writeln!(out, "{}", outcome_line("residual", &a.residual.outcome));
    if !a.residual.measures.is_empty() {
        let _ = writeln!(out, "measures: {}", a.residual.measures.join(", "));
    }
    let _ = writeln!(out, "gate ({:?}): {:?}", a.gate.rule, a.gate.outcome);
    for r in &a.gate.reasons {
        let _ = writeln!(out, "  - {}", r.en);
    }
    for d in &a.gate.duties {
        let mark = if d.level_depends_on_it {
            " [level depends on it]"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  duty: {} — owner ({}) and due date required{mark}",
            d.measure, d.usual_owner.en
        );
    }
    if !a.quality.is_empty() {
        let _ = writeln!(out, "quality findings:");
        for q in &a.quality {
            let _ = writeln!(out, "  [{:?}] {}", q.severity, q.message.en);
        }
    }
    out
}
