//! The demo's data files, `assets/demo/county.toml` (the places) and `assets/demo/story.toml` (the people, the
//! petitions and the decisions), embedded in the binary; and the petition rows made from them.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::account::Role;
use crate::domain::attributes::AttributeValue;
use crate::domain::checklist::{ItemFields, ItemStatus};
use crate::domain::concern::{
    Channel, ConcernAction, ConcernFields, ConcernStep, Resident, Satisfaction,
};
use crate::domain::consultation::{Attendance, ConsultationFields};
use crate::domain::decision::{Affected, DecisionFields, DecisionKind, DecisionStatus};
use crate::domain::petition::Region;
use crate::domain::ratings::{FactorRating, RatingSheet};
use crate::domain::region::RegionCode;
use crate::domain::resolution::Outcome;
use crate::domain::scenario::ScenarioFields;
use crate::petitions::generate::{self, GenerateOptions};

const COUNTY_TOML: &str = include_str!("../../../assets/demo/county.toml");
const STORY_TOML: &str = include_str!("../../../assets/demo/story.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct County {
    pub provenance: String,
    pub county: Place,
    pub townships: Vec<Township>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    pub code: RegionCode,
    pub name: String,
    pub population: i64,
    pub households: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Township {
    pub code: RegionCode,
    pub name: String,
    pub population: i64,
    pub households: i64,
    pub villages: Vec<Place>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Story {
    pub provenance: String,
    pub accounts: Vec<AccountPlan>,
    pub petitions: PetitionPlan,
    pub decisions: Vec<DecisionPlan>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountPlan {
    pub username: String,
    pub role: Role,
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PetitionPlan {
    pub records: usize,
    pub seed: u64,
    /// A village is drawn once per this many residents, so petitions follow population.
    pub residents_per_draw: i64,
    pub file_name: String,
    pub spike: SpikePlan,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpikePlan {
    /// The key of the decision in whose villages petitions rise after its resolution.
    pub decision: String,
    pub category: String,
    pub petitions: usize,
    pub file_name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionPlan {
    pub key: String,
    /// How far along the 稳评 process the demo takes it.
    pub stage: DecisionStatus,
    pub title: String,
    pub kind: DecisionKind,
    pub description: String,
    pub responsible_unit: String,
    pub regions: Vec<RegionCode>,
    pub affected: Affected,
    pub budget_yuan: Option<f64>,
    pub planned_start_in_days: i64,
    pub attributes: BTreeMap<String, AttributeValue>,
    /// The measures the assessment proposes.
    pub measures: Vec<String>,
    /// The experts who have rated, in the order of the ratings' columns; all experts when absent.
    pub raters: Option<Vec<String>>,
    /// factor → one `[probability, impact]` per rater.
    #[serde(default)]
    pub ratings: BTreeMap<String, Vec<[u8; 2]>>,
    #[serde(default)]
    pub checklist: Vec<ItemPlan>,
    #[serde(default)]
    pub scenarios: Vec<ScenarioFields>,
    pub resolution: Option<ResolutionPlan>,
    /// How the residents' opinions were heard, recorded before the assessment.
    #[serde(default)]
    pub consultations: Vec<ConsultationPlan>,
    /// Concerns heard about the decision and the steps taken on each.
    #[serde(default)]
    pub concerns: Vec<ConcernPlan>,
}

/// A consultation; days are from the day the demo runs (negative is past).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsultationPlan {
    /// public_notice | questionnaire | forum | visit | hearing
    pub kind: String,
    #[serde(default)]
    pub place: String,
    /// A notice's first and last day; the day the others were held.
    pub days: Vec<i64>,
    /// population, sample planned, returned, support, neutral, oppose
    #[serde(default)]
    pub survey: Option<[u64; 6]>,
    #[serde(default)]
    pub people: Vec<Attendance>,
    #[serde(default)]
    pub points: Vec<String>,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub minutes: String,
}

/// A concern heard about the decision, and the loop's steps taken on it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConcernPlan {
    pub number: String,
    pub channel: Channel,
    pub received_in_days: i64,
    pub village: RegionCode,
    pub topic: String,
    pub content: String,
    #[serde(default)]
    pub resident: Option<Resident>,
    pub steps: Vec<StepPlan>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepPlan {
    pub action: ConcernAction,
    pub in_days: i64,
    /// The username who takes the step.
    pub by: String,
    #[serde(default)]
    pub office: Option<String>,
    #[serde(default)]
    pub handler: Option<String>,
    #[serde(default)]
    pub due_in_days: Option<i64>,
    #[serde(default)]
    pub answer: Option<String>,
    #[serde(default)]
    pub adopted_measure: Option<String>,
    #[serde(default)]
    pub satisfaction: Option<Satisfaction>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Nine in the morning, Beijing time, `days` from `today`: when the demo's dated steps happen.
pub fn morning(today: NaiveDate, days: i64) -> DateTime<Utc> {
    (today + Duration::days(days))
        .and_hms_opt(1, 0, 0)
        .unwrap_or_default()
        .and_utc()
}

impl ConsultationPlan {
    pub fn fields(&self, today: NaiveDate) -> Result<ConsultationFields, String> {
        let day = |k: usize| {
            self.days
                .get(k)
                .map(|d| today + Duration::days(*d))
                .ok_or_else(|| format!("consultation '{}' needs days[{k}]", self.kind))
        };
        let attachments = Vec::new();
        Ok(match self.kind.as_str() {
            "public_notice" => ConsultationFields::PublicNotice {
                place: self.place.clone(),
                first_day: day(0)?,
                last_day: day(1)?,
                attachments,
            },
            "questionnaire" => {
                let [
                    population,
                    sample_planned,
                    returned,
                    support,
                    neutral,
                    oppose,
                ] = self
                    .survey
                    .ok_or("a questionnaire needs its survey counts")?;
                ConsultationFields::Questionnaire {
                    held_on: day(0)?,
                    population,
                    sample_planned,
                    returned,
                    support,
                    neutral,
                    oppose,
                    attachments,
                }
            }
            "forum" | "visit" => {
                let (held_on, place, attendees, minutes) = (
                    day(0)?,
                    self.place.clone(),
                    self.people.clone(),
                    self.minutes.clone(),
                );
                if self.kind == "forum" {
                    ConsultationFields::Forum {
                        held_on,
                        place,
                        attendees,
                        minutes,
                        attachments,
                    }
                } else {
                    ConsultationFields::Visit {
                        held_on,
                        place,
                        attendees,
                        minutes,
                        attachments,
                    }
                }
            }
            "hearing" => ConsultationFields::Hearing {
                held_on: day(0)?,
                place: self.place.clone(),
                participants: self.people.clone(),
                points: self.points.clone(),
                outcome: self.outcome.clone(),
                minutes: self.minutes.clone(),
                attachments,
            },
            other => return Err(format!("no consultation kind '{other}'")),
        })
    }
}

impl ConcernPlan {
    pub fn fields(&self, today: NaiveDate, decision: Uuid) -> ConcernFields {
        ConcernFields {
            number: Some(self.number.clone()),
            channel: self.channel,
            received_at: morning(today, self.received_in_days),
            region: self.village.clone(),
            topic: self.topic.clone(),
            content: self.content.clone(),
            resident: self.resident.clone(),
            decisions: vec![decision],
        }
    }
}

impl StepPlan {
    pub fn step(&self, today: NaiveDate) -> ConcernStep {
        ConcernStep {
            action: self.action,
            office: self.office.clone(),
            handler: self.handler.clone(),
            due_on: self.due_in_days.map(|d| today + Duration::days(d)),
            answer: self.answer.clone(),
            adopted_measure: self.adopted_measure.clone(),
            satisfaction: self.satisfaction,
            reason: self.reason.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemPlan {
    pub measure: String,
    pub owner_unit: String,
    pub lead_person: String,
    /// Days from the day the demo runs; negative is past.
    pub due_in_days: i64,
    pub status: ItemStatus,
    #[serde(default)]
    pub evidence_note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolutionPlan {
    pub outcome: Outcome,
    pub conditions: String,
}

pub fn county() -> Result<County, String> {
    toml::from_str(COUNTY_TOML).map_err(|e| format!("assets/demo/county.toml: {e}"))
}

pub fn story() -> Result<Story, String> {
    toml::from_str(STORY_TOML).map_err(|e| format!("assets/demo/story.toml: {e}"))
}

impl County {
    /// The region table: the county, its townships and their villages.
    pub fn regions(&self) -> Vec<Region> {
        let region = |code: &RegionCode, name: &str, population, households| Region {
            code: code.as_str().to_owned(),
            name: name.to_owned(),
            population,
            households,
        };
        let c = &self.county;
        let mut all = vec![region(&c.code, &c.name, c.population, c.households)];
        for t in &self.townships {
            all.push(region(&t.code, &t.name, t.population, t.households));
            all.extend(
                t.villages
                    .iter()
                    .map(|v| region(&v.code, &v.name, v.population, v.households)),
            );
        }
        all
    }

    /// Every village's code, once per `residents_per_draw` residents (at least once).
    fn village_draws(&self, residents_per_draw: i64) -> Vec<String> {
        self.townships
            .iter()
            .flat_map(|t| &t.villages)
            .flat_map(|v| {
                let draws = (v.population / residents_per_draw.max(1)).max(1) as usize;
                std::iter::repeat_n(v.code.as_str().to_owned(), draws)
            })
            .collect()
    }
}

/// Three years of petitions in the county's villages up to `today`, as a CSV export.
pub fn history_csv(county: &County, plan: &PetitionPlan, today: NaiveDate) -> String {
    let options = GenerateOptions {
        records: plan.records,
        seed: plan.seed,
        until: today,
        with_errors: 0,
        county: county.county.code.as_str().to_owned(),
    };
    generate::csv_text_in(&options, county.village_draws(plan.residents_per_draw))
}

/// `count` petitions of `category` in `villages`, received this month up to `today`: individual and group
/// visits, calls and online complaints, still being handled.
pub fn spike_csv(villages: &[String], category: &str, count: usize, today: NaiveDate) -> String {
    const CHANNELS: [&str; 4] = ["来访", "电话", "网上信访", "来信"];
    let days_so_far = i64::from(today.day());
    let month_start = today - Duration::days(days_so_far - 1);
    let rows = (0..count).map(|i| {
        let received = month_start + Duration::days(i as i64 % days_so_far);
        // Every sixth a group visit (five or more people); the rest one to three people.
        let headcount = if i % 6 == 0 { 8 + i % 17 } else { 1 + i % 3 };
        let flag = |b: bool| if b { "是" } else { "否" }.to_owned();
        [
            format!("SF{}{:02}-Z{i:03}", today.year(), today.month()),
            received.to_string(),
            CHANNELS[i % CHANNELS.len()].to_owned(),
            villages
                .get(i % villages.len().max(1))
                .cloned()
                .unwrap_or_default(),
            category.to_owned(),
            headcount.to_string(),
            flag(headcount >= 5),
            flag(i % 3 == 0),
            flag(i % 10 == 0),
            "已受理".to_owned(),
            String::new(),
            String::new(),
        ]
    });
    generate::csv_of(count, rows)
}

impl DecisionPlan {
    pub fn fields(&self, today: NaiveDate) -> DecisionFields {
        DecisionFields {
            title: self.title.clone(),
            kind: self.kind,
            description: self.description.clone(),
            responsible_unit: self.responsible_unit.clone(),
            regions: self.regions.clone(),
            affected: self.affected,
            budget_yuan: self.budget_yuan,
            planned_start: Some(today + Duration::days(self.planned_start_in_days)),
            attributes: self.attributes.clone(),
            status: DecisionStatus::Draft,
        }
    }

    /// The villages among the decision's regions.
    pub fn villages(&self) -> Vec<String> {
        self.regions
            .iter()
            .filter(|r| r.as_str().len() == 12)
            .map(|r| r.as_str().to_owned())
            .collect()
    }

    /// The sheet of the rater in column `column`.
    pub fn sheet(&self, column: usize) -> RatingSheet {
        self.ratings
            .iter()
            .filter_map(|(factor, grades)| {
                let [probability, impact] = *grades.get(column)?;
                Some((
                    factor.clone(),
                    FactorRating {
                        probability,
                        impact,
                        low: None,
                        high: None,
                        note: None,
                    },
                ))
            })
            .collect()
    }
}

impl ItemPlan {
    pub fn fields(&self, today: NaiveDate) -> ItemFields {
        ItemFields {
            measure: self.measure.clone(),
            owner_unit: Some(self.owner_unit.clone()),
            lead_person: Some(self.lead_person.clone()),
            due_date: Some(today + Duration::days(self.due_in_days)),
            status: self.status,
            evidence_note: self.evidence_note.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn villages_add_up_to_their_township_and_townships_to_the_county() {
        let county = county().unwrap();
        let c = &county.county;
        assert_eq!(c.code.as_str().len(), 6);
        let townships = &county.townships;
        assert_eq!(
            townships.iter().map(|t| t.population).sum::<i64>(),
            c.population
        );
        assert_eq!(
            townships.iter().map(|t| t.households).sum::<i64>(),
            c.households
        );
        for t in townships {
            assert!(t.code.as_str().len() == 9 && t.code.as_str().starts_with(c.code.as_str()));
            assert_eq!(
                t.villages.iter().map(|v| v.population).sum::<i64>(),
                t.population,
                "{}",
                t.name
            );
            assert_eq!(
                t.villages.iter().map(|v| v.households).sum::<i64>(),
                t.households,
                "{}",
                t.name
            );
            for v in &t.villages {
                assert!(
                    v.code.as_str().len() == 12 && v.code.as_str().starts_with(t.code.as_str())
                );
                assert!(
                    v.name.ends_with('村') || v.name.ends_with("社区"),
                    "{}",
                    v.name
                );
            }
        }
        let regions = county.regions();
        let mut codes: Vec<&str> = regions.iter().map(|r| r.code.as_str()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), regions.len(), "every code once");
    }

    #[test]
    fn every_rating_row_has_a_grade_pair_per_rater_and_every_stage_is_told_once() {
        let story = story().unwrap();
        let experts = story
            .accounts
            .iter()
            .filter(|a| a.role == Role::Expert)
            .count();
        assert_eq!(experts, 3);
        let mut stages: Vec<DecisionStatus> = story.decisions.iter().map(|d| d.stage).collect();
        stages.sort();
        stages.dedup();
        assert_eq!(stages.len(), story.decisions.len());
        let mut kinds: Vec<DecisionKind> = story.decisions.iter().map(|d| d.kind).collect();
        kinds.sort();
        assert_eq!(kinds, DecisionKind::ALL.to_vec());
        for d in &story.decisions {
            let raters = d.raters.as_ref().map_or(experts, Vec::len);
            for (factor, grades) in &d.ratings {
                assert_eq!(grades.len(), raters, "{} {factor}", d.key);
                assert!(grades.iter().flatten().all(|g| (1..=5).contains(g)));
            }
        }
        assert!(
            story
                .decisions
                .iter()
                .any(|d| d.key == story.petitions.spike.decision)
        );
    }

    #[test]
    fn the_history_reaches_today_and_the_spike_stays_in_this_month() {
        let county = county().unwrap();
        let story = story().unwrap();
        let today = NaiveDate::from_ymd_opt(2027, 3, 4).unwrap();
        let history = history_csv(&county, &story.petitions, today);
        assert_eq!(history.lines().count(), story.petitions.records + 1);
        assert!(history.lines().skip(1).all(|l| l.contains(",3301990")));
        let spike = spike_csv(&["330199002002".into()], "征地拆迁", 40, today);
        let dates: Vec<&str> = spike
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap())
            .collect();
        assert_eq!(dates.len(), 40);
        assert!(
            dates
                .iter()
                .all(|d| ("2027-03-01"..="2027-03-04").contains(d))
        );
    }
}
