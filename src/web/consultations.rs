//! The consultations of a decision (征求意见): each record with the figures computed from it — notice days and
//! working days, the survey's shares and its ±margin at 95 %, the sample ±5 % needs, people heard — and, for the
//! planner, a form to record one of each kind and a button to remove one. The use cases decide; the page only
//! turns the form's lines into a record.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::error::{PageError, path_id};
use super::i18n::{Group, Tr};
use super::layout::Layout;
use super::viewer::Viewer;
use super::{html, see_other};
use crate::app::consultations;
use crate::app::{AppError, Precondition};
use crate::auth::permission::{Permission, WriteDecisions};
use crate::domain::consultation::{
    Attachment, Attendance, Consultation, ConsultationFields, KINDS,
};
use crate::domain::decision::Decision;
use crate::http::AppState;
use crate::reports::numbers::percent;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/decisions/{id}/consultations",
        web::get().to(consultations_page),
    )
    .route("/decisions/{id}/consultations", web::post().to(record))
    .route(
        "/decisions/{id}/consultations/{cid}/remove",
        web::post().to(remove),
    );
}

/// One record as the page shows it: what kind, when, and its lines of figures and text.
pub struct RecordView {
    pub id: String,
    pub version: i64,
    pub kind: String,
    pub when: String,
    pub lines: Vec<(String, String)>,
    pub points: Vec<String>,
    pub attachments: Vec<(String, String)>,
}

fn people(tr: Tr, groups: &[Attendance]) -> String {
    groups
        .iter()
        .map(|g| {
            format!(
                "{} {}",
                g.group,
                tr.lang.count("people", f64::from(g.count))
            )
        })
        .collect::<Vec<_>>()
        .join(tr.lang.pick("、", ", "))
}

fn view(tr: Tr, c: &Consultation) -> RecordView {
    let f = &c.figures;
    let w = |k: &str| tr.t(&format!("consult.{k}"));
    let mut lines = Vec::new();
    let mut points = Vec::new();
    let when = match &c.fields {
        ConsultationFields::PublicNotice {
            place,
            first_day,
            last_day,
            ..
        } => {
            lines.push((w("place"), place.clone()));
            lines.push((
                w("notice_days"),
                format!(
                    "{}{}",
                    tr.lang.count("days", f.notice_days.unwrap_or(0) as f64),
                    tr.lang.bracket(&format!(
                        "{} {}",
                        w("working_days"),
                        f.notice_working_days.unwrap_or(0)
                    ))
                ),
            ));
            format!("{first_day} – {last_day}")
        }
        ConsultationFields::Questionnaire {
            held_on,
            population,
            sample_planned,
            returned,
            support,
            neutral,
            oppose,
            ..
        } => {
            lines.push((w("population"), population.to_string()));
            lines.push((w("sample_planned"), sample_planned.to_string()));
            if let Some(s) = f.survey {
                lines.push((
                    w("returned"),
                    format!(
                        "{returned}{}",
                        tr.lang.bracket(&format!(
                            "{} {}",
                            w("response_rate"),
                            percent(s.response_rate)
                        ))
                    ),
                ));
                lines.push((w("answers"), format!("{support} / {neutral} / {oppose}")));
                lines.push((
                    w("support_share"),
                    format!("{} ± {}", percent(s.support_share), percent(s.margin_95)),
                ));
                lines.push((w("oppose_share"), percent(s.oppose_share)));
                lines.push((w("sample_needed"), s.sample_for_5_percent.to_string()));
            }
            held_on.to_string()
        }
        ConsultationFields::Forum {
            held_on,
            place,
            attendees,
            minutes,
            ..
        }
        | ConsultationFields::Visit {
            held_on,
            place,
            attendees,
            minutes,
            ..
        } => {
            lines.push((w("place"), place.clone()));
            lines.push((w("people"), people(tr, attendees)));
            if !minutes.is_empty() {
                lines.push((w("minutes"), minutes.clone()));
            }
            held_on.to_string()
        }
        ConsultationFields::Hearing {
            held_on,
            place,
            participants,
            points: raised,
            outcome,
            minutes,
            ..
        } => {
            lines.push((w("place"), place.clone()));
            lines.push((w("people"), people(tr, participants)));
            lines.push((w("outcome"), outcome.clone()));
            if !minutes.is_empty() {
                lines.push((w("minutes"), minutes.clone()));
            }
            points.clone_from(raised);
            held_on.to_string()
        }
    };
    RecordView {
        id: c.id.to_string(),
        version: c.version,
        kind: tr.word(Group::ConsultationKinds, c.fields.kind()),
        when,
        lines,
        points,
        attachments: c
            .fields
            .attachments()
            .iter()
            .map(|a| (a.name.clone(), a.sha256.clone()))
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "consultations.html")]
struct ConsultationsPage {
    layout: Layout,
    decision_id: String,
    title: String,
    records: Vec<RecordView>,
    kinds: Vec<(String, String, bool)>,
    can_edit: bool,
    form: RecordForm,
    error: Option<String>,
}

/// The recording form: every kind's fields, of which the chosen kind's are read.
#[derive(Default, Deserialize)]
struct RecordForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    first_day: String,
    #[serde(default)]
    last_day: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    population: String,
    #[serde(default)]
    sample_planned: String,
    #[serde(default)]
    returned: String,
    #[serde(default)]
    support: String,
    #[serde(default)]
    neutral: String,
    #[serde(default)]
    oppose: String,
    /// One group a line: "村民代表 24".
    #[serde(default)]
    people: String,
    /// One point a line.
    #[serde(default)]
    points: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    minutes: String,
    /// One file a line: "name sha256".
    #[serde(default)]
    attachments: String,
}

fn page(
    viewer: &Viewer,
    decision: &Decision,
    records: &[Consultation],
    form: RecordForm,
    error: Option<String>,
) -> ConsultationsPage {
    let tr = viewer.tr;
    let can_edit = viewer
        .principal
        .as_ref()
        .is_some_and(|p| p.has_any(WriteDecisions::ROLES))
        && !decision.archived;
    let chosen = if form.kind.is_empty() {
        "questionnaire"
    } else {
        form.kind.as_str()
    };
    ConsultationsPage {
        layout: Layout::new(viewer, tr.t("consult.title"), "nav.decisions"),
        decision_id: decision.id.to_string(),
        title: decision.fields.title.clone(),
        records: records.iter().map(|c| view(tr, c)).collect(),
        kinds: KINDS
            .iter()
            .map(|k| {
                (
                    (*k).to_owned(),
                    tr.word(Group::ConsultationKinds, k),
                    *k == chosen,
                )
            })
            .collect(),
        can_edit,
        form,
        error,
    }
}

async fn consultations_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.signed_in()?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let (decision, records) = consultations::list(&state.ctx, principal, id)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    Ok(html(
        StatusCode::OK,
        page(&viewer, &decision, &records, RecordForm::default(), None).render(),
    ))
}

fn day(tr: Tr, raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| tr.t("form.bad_date"))
}

fn count(tr: Tr, raw: &str, what: &str) -> Result<u64, String> {
    raw.trim().parse().map_err(|_| {
        format!(
            "{}{}{}",
            tr.t(&format!("consult.{what}")),
            tr.lang.colon(),
            tr.t("consult.whole_number")
        )
    })
}

fn groups(tr: Tr, raw: &str) -> Result<Vec<Attendance>, String> {
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (group, n) = line.rsplit_once(char::is_whitespace).ok_or_else(|| {
                format!("{}{}{line}", tr.t("consult.bad_people"), tr.lang.colon())
            })?;
            let count = n
                .trim()
                .parse()
                .map_err(|_| format!("{}{}{line}", tr.t("consult.bad_people"), tr.lang.colon()))?;
            Ok(Attendance {
                group: group.trim().to_owned(),
                count,
            })
        })
        .collect()
}

fn attachments(tr: Tr, raw: &str) -> Result<Vec<Attachment>, String> {
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (name, sha) = line.rsplit_once(char::is_whitespace).ok_or_else(|| {
                format!(
                    "{}{}{line}",
                    tr.t("consult.bad_attachment"),
                    tr.lang.colon()
                )
            })?;
            Ok(Attachment {
                name: name.trim().to_owned(),
                sha256: sha.trim().to_lowercase(),
            })
        })
        .collect()
}

/// The record the form describes, or what it lacks in the reader's words.
fn fields_of(form: &RecordForm, tr: Tr) -> Result<ConsultationFields, String> {
    let attachments = attachments(tr, &form.attachments)?;
    let lines = |raw: &str| -> Vec<String> {
        raw.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    };
    Ok(match form.kind.as_str() {
        "public_notice" => ConsultationFields::PublicNotice {
            place: form.place.clone(),
            first_day: day(tr, &form.first_day)?,
            last_day: day(tr, &form.last_day)?,
            attachments,
        },
        "questionnaire" => ConsultationFields::Questionnaire {
            held_on: day(tr, &form.held_on)?,
            population: count(tr, &form.population, "population")?,
            sample_planned: count(tr, &form.sample_planned, "sample_planned")?,
            returned: count(tr, &form.returned, "returned")?,
            support: count(tr, &form.support, "support")?,
            neutral: count(tr, &form.neutral, "neutral")?,
            oppose: count(tr, &form.oppose, "oppose")?,
            attachments,
        },
        "forum" => ConsultationFields::Forum {
            held_on: day(tr, &form.held_on)?,
            place: form.place.clone(),
            attendees: groups(tr, &form.people)?,
            minutes: form.minutes.clone(),
            attachments,
        },
        "visit" => ConsultationFields::Visit {
            held_on: day(tr, &form.held_on)?,
            place: form.place.clone(),
            attendees: groups(tr, &form.people)?,
            minutes: form.minutes.clone(),
            attachments,
        },
        "hearing" => ConsultationFields::Hearing {
            held_on: day(tr, &form.held_on)?,
            place: form.place.clone(),
            participants: groups(tr, &form.people)?,
            points: lines(&form.points),
            outcome: form.outcome.clone(),
            minutes: form.minutes.clone(),
            attachments,
        },
        _ => return Err(tr.t("consult.pick_kind")),
    })
}

fn refusal(error: AppError, tr: Tr) -> Result<String, PageError> {
    match error {
        AppError::Invalid(errors) => Ok(super::refusal::invalid(tr, &errors)),
        AppError::Conflict(reason) => Ok(super::refusal::conflict(tr, &reason)),
        AppError::Stale { .. } | AppError::VersionRequired => Ok(tr.t("error.stale")),
        other => Err(PageError::from_app(other, tr)),
    }
}

async fn again(
    viewer: &Viewer,
    state: &AppState,
    id: uuid::Uuid,
    form: RecordForm,
    error: String,
) -> Result<HttpResponse, PageError> {
    let tr = viewer.tr;
    let principal = viewer.signed_in()?;
    let (decision, records) = consultations::list(&state.ctx, principal, id)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    Ok(html(
        StatusCode::UNPROCESSABLE_ENTITY,
        page(viewer, &decision, &records, form, Some(error)).render(),
    ))
}

async fn record(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<RecordForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let form = form.into_inner();
    let error = match fields_of(&form, tr) {
        Ok(fields) => match consultations::record(&state.ctx, principal, id, || Ok(fields)).await {
            Ok(_) => return Ok(see_other(&format!("/decisions/{id}/consultations"))),
            Err(e) => refusal(e, tr)?,
        },
        Err(e) => e,
    };
    again(&viewer, &state, id, form, error).await
}

#[derive(Deserialize)]
struct RemoveForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    version: String,
}

async fn remove(
    viewer: Viewer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<RemoveForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    let tr = viewer.tr;
    let (id, cid) = path.into_inner();
    let (id, cid) = (path_id(&id, tr)?, path_id(&cid, tr)?);
    let based_on = Precondition::Etags(vec![format!("\"{}\"", form.version.trim())]);
    match consultations::remove(&state.ctx, principal, id, cid, Some(&based_on)).await {
        Ok(()) => Ok(see_other(&format!("/decisions/{id}/consultations"))),
        Err(e) => {
            let error = refusal(e, tr)?;
            again(&viewer, &state, id, RecordForm::default(), error).await
        }
    }
}
