//! The concern ledger's pages (民情台账): the list with its filters and overdue marks and the form to register a
//! concern; one concern with its history and the steps the reader may take next; an office handler's queue; the
//! ledger's measures by month as a chart. Every step is the use case's (`app::concerns`); a page offers only the
//! steps the use case says the reader may take, and shows its refusals in the reader's words.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use serde::Deserialize;
use uuid::Uuid;

use super::error::{PageError, path_id};
use super::i18n::{Group, Tr};
use super::layout::Layout;
use super::viewer::Viewer;
use super::{html, see_other, url_encode};
use crate::app::concerns::{self, ConcernQuery, ConcernSheet};
use crate::app::{AppError, Precondition};
use crate::auth::permission::{Permission, ReadConcerns, RegisterConcerns};
use crate::domain::concern::{
    Channel, Concern, ConcernAction, ConcernFields, ConcernState, ConcernStep, Resident,
    Satisfaction,
};
use crate::domain::region::RegionCode;
use crate::domain::text::shortened;
use crate::http::AppState;
use crate::ledger::vocabulary::VOCABULARY;

pub fn configure(cfg: &mut web::ServiceConfig) {
    // The fixed paths before `/concerns/{id}`.
    cfg.route("/concerns", web::get().to(list_page))
        .route("/concerns", web::post().to(register))
        .route("/concerns/queue", web::get().to(queue_page))
        .route(
            "/concerns/stats",
            web::get().to(super::concern_stats::stats_page),
        )
        .route("/concerns/{id}", web::get().to(concern_page))
        .route("/concerns/{id}/steps", web::post().to(take_step));
}

const SATISFACTION: [Satisfaction; 3] = [
    Satisfaction::Satisfied,
    Satisfaction::BasicallySatisfied,
    Satisfaction::Dissatisfied,
];

/// A concern as a row of a list.
pub struct Row {
    pub id: String,
    pub number: String,
    pub received: String,
    pub region: String,
    pub topic: String,
    pub channel: String,
    pub content: String,
    pub resident: String,
    pub state: String,
    pub office: String,
    pub handler: String,
    pub due: String,
    pub overdue: bool,
}

fn local_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&VOCABULARY.local_offset())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn resident_text(tr: Tr, r: &Option<Resident>) -> String {
    match r {
        None => tr.t("ledger.anonymous"),
        Some(r) => [r.name.clone(), r.phone.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn row(tr: Tr, c: &Concern) -> Row {
    Row {
        id: c.id.to_string(),
        number: c.number.clone(),
        received: local_time(c.received_at),
        region: c.region.as_str().to_owned(),
        topic: tr.word(Group::ConcernTopics, &c.topic),
        channel: tr.word(Group::ConcernChannels, c.channel.as_str()),
        content: shortened(&c.content, 60),
        resident: resident_text(tr, &c.resident),
        state: tr.word(Group::ConcernStates, c.state.as_str()),
        office: c.office.clone().unwrap_or_default(),
        handler: c.handler.clone().unwrap_or_default(),
        due: c.due_on.map(|d| d.to_string()).unwrap_or_default(),
        overdue: c.overdue,
    }
}

/// An option of a picker: value, words, selected.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices(tr: Tr, group: Group, ids: &[&str], selected: &str) -> Vec<Choice> {
    ids.iter()
        .map(|id| Choice {
            value: (*id).to_owned(),
            label: tr.word(group, id),
            selected: *id == selected,
        })
        .collect()
}

fn topic_ids() -> Vec<&'static str> {
    VOCABULARY.topics.keys().map(String::as_str).collect()
}

fn channel_ids() -> Vec<&'static str> {
    Channel::ALL.iter().map(|c| c.as_str()).collect()
}

fn state_ids() -> Vec<&'static str> {
    ConcernState::ALL.iter().map(|s| s.as_str()).collect()
}

/// What the register form was given, kept to show it again after a refusal.
#[derive(Default, Deserialize)]
struct RegisterForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    received_at: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    resident_name: String,
    #[serde(default)]
    resident_phone: String,
    #[serde(default)]
    decision: String,
}

#[derive(Template)]
#[template(path = "concerns.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    showing: String,
    prev: Option<String>,
    next: Option<String>,
    export: String,
    query: ConcernQuery,
    states: Vec<Choice>,
    topics: Vec<Choice>,
    channels: Vec<Choice>,
    overdue_only: bool,
    can_register: bool,
    form_channels: Vec<Choice>,
    form_topics: Vec<Choice>,
    regions: Vec<(String, String)>,
    form: FormValues,
    error: Option<String>,
}

#[derive(Default)]
struct FormValues {
    received_at: String,
    region: String,
    content: String,
    resident_name: String,
    resident_phone: String,
    decision: String,
}

/// The list's filter as query parameters, for the pages before and after and for the export of what is shown.
fn filter_params(query: &ConcernQuery) -> Vec<String> {
    let pairs = [
        ("region", &query.region),
        ("state", &query.state),
        ("topic", &query.topic),
        ("channel", &query.channel),
        ("office", &query.office),
        ("handler", &query.handler),
        ("decision", &query.decision),
        ("overdue", &query.overdue),
        ("from", &query.from),
        ("to", &query.to),
        ("q", &query.q),
    ];
    pairs
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", url_encode(v)))
        })
        .collect()
}

fn page_link(query: &ConcernQuery, offset: i64) -> String {
    let mut parts = filter_params(query);
    parts.push(format!("offset={offset}"));
    format!("/concerns?{}", parts.join("&"))
}

/// The workbook of the concerns the list shows: every page of them, under the same filter.
fn export_link(query: &ConcernQuery) -> String {
    let parts = filter_params(query);
    if parts.is_empty() {
        "/api/v1/concerns/export.xlsx".to_owned()
    } else {
        format!("/api/v1/concerns/export.xlsx?{}", parts.join("&"))
    }
}

async fn list(
    viewer: &Viewer,
    state: &AppState,
    query: ConcernQuery,
    form: &RegisterForm,
    error: Option<String>,
) -> Result<ListPage, PageError> {
    let principal = viewer.holding::<ReadConcerns>()?;
    let tr = viewer.tr;
    let filter = query
        .to_filter(state.ctx.clock().today())
        .map_err(|e| PageError::Refused {
            tr,
            status: StatusCode::BAD_REQUEST,
            reason: super::refusal::field(tr, &e),
        })?;
    let page = concerns::list(&state.ctx, principal, filter)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    let can_register = principal.has_any(RegisterConcerns::ROLES);
    let regions = if can_register {
        concerns::regions(&state.ctx, principal)
            .await
            .map_err(|e| PageError::from_app(e, tr))?
            .into_iter()
            .map(|r| (r.code, r.name))
            .collect()
    } else {
        Vec::new()
    };
    let end = page.offset + page.items.len() as i64;
    let first = page.offset + i64::from(!page.items.is_empty());
    let mut open = state_ids();
    open.insert(0, "open");
    let selected_state = query.state.clone().unwrap_or_default();
    let states = open
        .iter()
        .map(|id| Choice {
            value: (*id).to_owned(),
            label: if *id == "open" {
                tr.t("ledger.open")
            } else {
                tr.word(Group::ConcernStates, id)
            },
            selected: *id == selected_state,
        })
        .collect();
    Ok(ListPage {
        layout: Layout::new(viewer, tr.t("ledger.title"), "nav.ledger"),
        rows: page.items.iter().map(|c| row(tr, c)).collect(),
        showing: format!("{first}–{end} / {}", page.total),
        prev: (page.offset > 0).then(|| page_link(&query, (page.offset - page.limit).max(0))),
        next: (end < page.total).then(|| page_link(&query, end)),
        export: export_link(&query),
        states,
        topics: choices(
            tr,
            Group::ConcernTopics,
            &topic_ids(),
            query.topic.as_deref().unwrap_or(""),
        ),
        channels: choices(
            tr,
            Group::ConcernChannels,
            &channel_ids(),
            query.channel.as_deref().unwrap_or(""),
        ),
        overdue_only: query.overdue.as_deref() == Some("true"),
        query,
        can_register,
        form_channels: choices(tr, Group::ConcernChannels, &channel_ids(), &form.channel),
        form_topics: choices(tr, Group::ConcernTopics, &topic_ids(), &form.topic),
        regions,
        form: FormValues {
            received_at: form.received_at.clone(),
            region: form.region.clone(),
            content: form.content.clone(),
            resident_name: form.resident_name.clone(),
            resident_phone: form.resident_phone.clone(),
            decision: form.decision.clone(),
        },
        error,
    })
}

async fn list_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<ConcernQuery>,
) -> Result<HttpResponse, PageError> {
    let page = list(
        &viewer,
        &state,
        query.into_inner(),
        &RegisterForm::default(),
        None,
    )
    .await?;
    Ok(html(StatusCode::OK, page.render()))
}

/// The refusal as words for the page; a refusal that is not about the form is the error page.
fn refusal(error: AppError, tr: Tr) -> Result<String, PageError> {
    match error {
        AppError::Invalid(errors) => Ok(super::refusal::invalid(tr, &errors)),
        AppError::Conflict(reason) => Ok(super::refusal::conflict(tr, &reason)),
        AppError::Stale { .. } | AppError::VersionRequired => Ok(tr.t("error.stale")),
        AppError::Forbidden(reason) => Ok(super::refusal::sentence(tr, &reason)),
        other => Err(PageError::from_app(other, tr)),
    }
}

fn optional(raw: &str) -> Option<String> {
    let raw = raw.trim();
    (!raw.is_empty()).then(|| raw.to_owned())
}

/// The registration the form describes, or the first thing it lacks in the reader's words.
fn fields_of(form: &RegisterForm, tr: Tr) -> Result<ConcernFields, String> {
    let channel = Channel::parse(&form.channel).ok_or_else(|| tr.t("ledger.pick_channel"))?;
    let local = NaiveDateTime::parse_from_str(form.received_at.trim(), "%Y-%m-%dT%H:%M")
        .map_err(|_| tr.t("ledger.bad_time"))?;
    let received_at = VOCABULARY
        .local_offset()
        .from_local_datetime(&local)
        .single()
        .ok_or_else(|| tr.t("ledger.bad_time"))?
        .with_timezone(&chrono::Utc);
    let region = RegionCode::parse(&form.region).map_err(|_| tr.t("ledger.pick_region"))?;
    let decisions = match optional(&form.decision) {
        None => Vec::new(),
        Some(d) => vec![Uuid::parse_str(&d).map_err(|_| tr.t("ledger.bad_decision"))?],
    };
    let resident = Resident {
        name: optional(&form.resident_name),
        phone: optional(&form.resident_phone),
    };
    Ok(ConcernFields {
        number: None,
        channel,
        received_at,
        region,
        topic: form.topic.trim().to_owned(),
        content: form.content.clone(),
        resident: (!resident.is_empty()).then_some(resident),
        decisions,
    })
}

async fn register(
    viewer: Viewer,
    state: web::Data<AppState>,
    form: web::Form<RegisterForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    let tr = viewer.tr;
    let error = match fields_of(&form, tr) {
        Ok(fields) => match concerns::register(&state.ctx, principal, || Ok(fields)).await {
            Ok(c) => return Ok(see_other(&format!("/concerns/{}", c.id))),
            Err(e) => refusal(e, tr)?,
        },
        Err(e) => e,
    };
    let page = list(&viewer, &state, ConcernQuery::default(), &form, Some(error)).await?;
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page.render()))
}

pub struct HistoryRow {
    pub at: String,
    pub actor: String,
    pub what: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "concern.html")]
struct ConcernPage {
    layout: Layout,
    c: Row,
    version: i64,
    content: String,
    decisions: Vec<(String, String)>,
    answer: String,
    answered: String,
    adopted: String,
    satisfaction: String,
    reason: String,
    closed: String,
    reopens: i64,
    masked: bool,
    history: Vec<HistoryRow>,
    actions: Vec<(String, String)>,
    measures: Vec<(String, String)>,
    satisfactions: Vec<(String, String)>,
    default_due: String,
    error: Option<String>,
}

fn history_note(tr: Tr, after: Option<&serde_json::Value>, action: &str) -> String {
    let Some(after) = after else {
        return String::new();
    };
    let text = |k: &str| after[k].as_str().unwrap_or_default().to_owned();
    match action {
        "assign" => format!(
            "{} · {} · {}",
            text("office"),
            text("handler"),
            text("due_on")
        ),
        "send_back" | "reopen" => text("last_reason"),
        "answer" => shortened(&text("answer"), 80),
        "call_back" => {
            let s = text("satisfaction");
            if s.is_empty() {
                s
            } else {
                tr.word(Group::Satisfaction, &s)
            }
        }
        _ => String::new(),
    }
}

fn concern_view(viewer: &Viewer, sheet: &ConcernSheet, error: Option<String>) -> ConcernPage {
    let tr = viewer.tr;
    let c = &sheet.found.concern;
    let measure_name = |id: &str| {
        sheet
            .related
            .iter()
            .flat_map(|d| d.measures.iter())
            .find(|(m, _)| m == id)
            .map(|(_, n)| tr.lang.name(n))
            .unwrap_or_else(|| id.to_owned())
    };
    let mut measures: Vec<(String, String)> = Vec::new();
    for d in &sheet.related {
        for (id, name) in &d.measures {
            if !measures.iter().any(|(m, _)| m == id) {
                measures.push((id.clone(), tr.lang.name(name)));
            }
        }
    }
    ConcernPage {
        layout: Layout::new(
            viewer,
            format!("{} · {}", tr.t("ledger.concern"), c.number),
            "nav.ledger",
        ),
        c: row(tr, c),
        version: c.version,
        content: c.content.clone(),
        decisions: sheet
            .related
            .iter()
            .map(|d| (d.id.to_string(), d.title.clone()))
            .collect(),
        answer: c.answer.clone().unwrap_or_default(),
        answered: c.answered_at.map(local_time).unwrap_or_default(),
        adopted: c
            .adopted_measure
            .as_deref()
            .map(measure_name)
            .unwrap_or_default(),
        satisfaction: c
            .satisfaction
            .map(|s| tr.word(Group::Satisfaction, s.as_str()))
            .unwrap_or_default(),
        reason: c.last_reason.clone().unwrap_or_default(),
        closed: c.closed_at.map(local_time).unwrap_or_default(),
        reopens: c.reopen_count,
        masked: c.resident_masked,
        history: sheet
            .found
            .history
            .iter()
            .map(|e| HistoryRow {
                at: local_time(e.at),
                actor: e.actor.clone(),
                what: tr.t_or(&format!("audit_action.{}", e.action), "audit_action.other"),
                note: history_note(tr, e.after.as_ref(), &e.action),
            })
            .collect(),
        actions: sheet
            .found
            .actions
            .iter()
            .map(|a| {
                (
                    a.as_str().to_owned(),
                    tr.word(Group::ConcernActions, a.as_str()),
                )
            })
            .collect(),
        measures,
        satisfactions: SATISFACTION
            .iter()
            .map(|s| {
                (
                    s.as_str().to_owned(),
                    tr.word(Group::Satisfaction, s.as_str()),
                )
            })
            .collect(),
        default_due: (viewer_today() + chrono::Duration::days(VOCABULARY.default_due_days))
            .to_string(),
        error,
    }
}

fn viewer_today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&VOCABULARY.local_offset())
        .date_naive()
}

async fn concern_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.signed_in()?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let sheet = concerns::sheet(&state.ctx, principal, id)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    Ok(html(
        StatusCode::OK,
        concern_view(&viewer, &sheet, None).render(),
    ))
}

#[derive(Deserialize)]
struct StepForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    office: String,
    #[serde(default)]
    handler: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    adopted_measure: String,
    #[serde(default)]
    satisfaction: String,
    #[serde(default)]
    reason: String,
}

fn step_of(form: &StepForm, tr: Tr) -> Result<ConcernStep, String> {
    let action = [
        ConcernAction::Assign,
        ConcernAction::Accept,
        ConcernAction::SendBack,
        ConcernAction::Answer,
        ConcernAction::CallBack,
        ConcernAction::Close,
        ConcernAction::Reopen,
    ]
    .into_iter()
    .find(|a| a.as_str() == form.action)
    .ok_or_else(|| tr.t("ledger.pick_action"))?;
    let due_on = match form.due_on.trim() {
        "" => None,
        raw => Some(NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| tr.t("form.bad_date"))?),
    };
    Ok(ConcernStep {
        action,
        office: optional(&form.office),
        handler: optional(&form.handler),
        due_on,
        answer: optional(&form.answer),
        adopted_measure: optional(&form.adopted_measure),
        satisfaction: Satisfaction::parse(form.satisfaction.trim()),
        reason: optional(&form.reason),
    })
}

async fn take_step(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<StepForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let error = match step_of(&form, tr) {
        Ok(step) => {
            let based_on = Precondition::Etags(vec![format!("\"{}\"", form.version.trim())]);
            match concerns::step(&state.ctx, principal, id, Some(&based_on), || Ok(step)).await {
                Ok(_) => return Ok(see_other(&format!("/concerns/{id}"))),
                Err(e) => refusal(e, tr)?,
            }
        }
        Err(e) => e,
    };
    let sheet = concerns::sheet(&state.ctx, principal, id)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    Ok(html(
        StatusCode::UNPROCESSABLE_ENTITY,
        concern_view(&viewer, &sheet, Some(error)).render(),
    ))
}

#[derive(Template)]
#[template(path = "concern_queue.html")]
struct QueuePage {
    layout: Layout,
    handler: String,
    rows: Vec<Row>,
}

#[derive(Deserialize)]
struct QueueQuery {
    handler: Option<String>,
}

async fn queue_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.holding::<ReadConcerns>()?;
    let tr = viewer.tr;
    let handler = query
        .handler
        .as_deref()
        .and_then(optional)
        .unwrap_or_else(|| principal.username.clone());
    let items = concerns::queue(&state.ctx, principal, Some(&handler))
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    let page = QueuePage {
        layout: Layout::new(&viewer, tr.t("ledger.queue"), "nav.ledger"),
        handler,
        rows: items.iter().map(|c| row(tr, c)).collect(),
    };
    Ok(html(StatusCode::OK, page.render()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_link_carries_the_lists_filter_but_not_its_page() {
        assert_eq!(
            export_link(&ConcernQuery::default()),
            "/api/v1/concerns/export.xlsx"
        );
        let query = ConcernQuery {
            region: Some("330199001".into()),
            state: Some("open".into()),
            overdue: Some("true".into()),
            q: Some("补偿 款".into()),
            offset: Some("50".into()),
            ..ConcernQuery::default()
        };
        let link = export_link(&query);
        assert!(
            link.starts_with(
                "/api/v1/concerns/export.xlsx?region=330199001&state=open&overdue=true&q="
            ),
            "{link}"
        );
        assert!(!link.contains("offset") && !link.contains(' '), "{link}");
        assert_eq!(
            page_link(&query, 100),
            link.replace("/api/v1/concerns/export.xlsx", "/concerns") + "&offset=100"
        );
    }
}
