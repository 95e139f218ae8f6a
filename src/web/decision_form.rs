//! Registering and editing a decision: the facts, the affected regions (picked by name or by code from the
//! region table, or typed), and the attributes the risk models read, in the units a planner thinks in (a share
//! in per cent, money in 万元). A refused form comes back with what was typed and the refusal beside its field.

use std::collections::BTreeMap;

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
use crate::app::{AppError, Precondition, decisions, register};
use crate::auth::permission::WriteDecisions;
use crate::domain::attributes::AttributeValue;
use crate::domain::decision::{Affected, Decision, DecisionFields, DecisionKind, DecisionStatus};
use crate::domain::principal::Principal;
use crate::domain::region::RegionCode;
use crate::http::AppState;
use crate::reports::labels::{Unit, vocabulary};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/decisions/new", web::get().to(new_form))
        .route("/decisions/new", web::post().to(create))
        .route("/decisions/{id}/edit", web::get().to(edit_form))
        .route("/decisions/{id}/edit", web::post().to(update));
}

/// The form as posted: every field a string, so what was typed comes back on a refusal.
#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    responsible_unit: String,
    /// Codes typed, separated by spaces, commas or 、.
    #[serde(default)]
    other_regions: String,
    #[serde(default)]
    households: String,
    #[serde(default)]
    people: String,
    #[serde(default)]
    workers: String,
    /// In 万元.
    #[serde(default)]
    budget_wan: String,
    #[serde(default)]
    planned_start: String,
    /// `attr.NAME` → value as typed (a share in per cent; a flag as yes / no / empty); `region.CODE` → "on" for
    /// each region ticked in the picker (one field per region: a urlencoded form has no lists).
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

impl DecisionForm {
    /// The codes ticked in the region picker.
    fn picked_regions(&self) -> Vec<String> {
        self.rest
            .keys()
            .filter_map(|k| k.strip_prefix("region."))
            .map(str::to_owned)
            .collect()
    }
}

pub struct AttributeInput {
    pub name: String,
    pub label: String,
    pub flag: bool,
    pub percent: bool,
    pub unit: String,
    pub value: String,
}

pub struct RegionChoice {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "decision_form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    editing: bool,
    f: DecisionForm,
    kinds: Vec<(String, String, bool)>,
    statuses: Vec<(String, String, bool)>,
    regions: Vec<RegionChoice>,
    attributes: Vec<AttributeInput>,
    errors: Vec<(String, String)>,
    cancel: String,
}

impl FormPage {
    /// The refusal of `field`, if any, for the line under it.
    fn error_of(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field || f.starts_with(&format!("{field}.")))
            .map(|(_, m)| m.as_str())
    }
}

/// The attribute inputs of a form, filled from its `attr.NAME` fields.
pub(super) fn attribute_inputs(tr: Tr, typed: &BTreeMap<String, String>) -> Vec<AttributeInput> {
    vocabulary()
        .groups
        .get(Group::Attributes.key())
        .map(|group| {
            group
                .iter()
                .map(|(name, label)| AttributeInput {
                    name: name.clone(),
                    label: tr.lang.pick(&label.zh, &label.en).to_owned(),
                    flag: label.unit == Some(Unit::Flag),
                    percent: label.unit == Some(Unit::Share),
                    unit: match label.unit {
                        Some(Unit::Share) => "%".into(),
                        Some(Unit::Days) => tr.t("form.unit_days"),
                        Some(Unit::Months) => tr.t("form.unit_months"),
                        _ => String::new(),
                    },
                    value: typed
                        .get(&format!("attr.{name}"))
                        .cloned()
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The form filled from a stored decision.
fn form_of(d: &Decision) -> DecisionForm {
    let f = &d.fields;
    let mut rest = BTreeMap::new();
    for r in &f.regions {
        rest.insert(format!("region.{}", r.as_str()), "on".to_owned());
    }
    for (name, value) in &f.attributes {
        rest.insert(format!("attr.{name}"), typed_value(name, *value));
    }
    DecisionForm {
        csrf_token: String::new(),
        version: d.version.to_string(),
        title: f.title.clone(),
        kind: f.kind.as_str().into(),
        status: f.status.as_str().into(),
        description: f.description.clone(),
        responsible_unit: f.responsible_unit.clone(),
        other_regions: String::new(),
        households: f.affected.households.to_string(),
        people: f.affected.people.to_string(),
        workers: f.affected.workers.to_string(),
        budget_wan: f
            .budget_yuan
            .map(|y| trim(y / 10_000.0))
            .unwrap_or_default(),
        planned_start: f.planned_start.map(|d| d.to_string()).unwrap_or_default(),
        rest,
    }
}

/// An attribute's value as the form shows it: a share in per cent, a flag as yes / no.
pub(super) fn typed_value(name: &str, value: AttributeValue) -> String {
    match value {
        AttributeValue::Flag(true) => "yes".to_owned(),
        AttributeValue::Flag(false) => "no".to_owned(),
        AttributeValue::Number(n) => {
            let percent = crate::reports::labels::label(Group::Attributes, name)
                .is_some_and(|l| l.unit == Some(Unit::Share));
            if percent { trim(n * 100.0) } else { trim(n) }
        }
    }
}

/// The attributes typed in a form (`attr.NAME` fields); an empty field is not given. Errors name the field.
pub(super) fn attributes_from(
    tr: Tr,
    typed: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, AttributeValue>, Vec<(String, String)>> {
    let mut attributes = BTreeMap::new();
    let mut errors = Vec::new();
    for input in attribute_inputs(tr, typed) {
        let raw = input.value.trim();
        if raw.is_empty() {
            continue;
        }
        let value = if input.flag {
            match raw {
                "yes" => Some(AttributeValue::Flag(true)),
                "no" => Some(AttributeValue::Flag(false)),
                _ => None,
            }
        } else {
            number(raw).map(|n| AttributeValue::Number(if input.percent { n / 100.0 } else { n }))
        };
        match value {
            Some(v) => {
                attributes.insert(input.name, v);
            }
            None => errors.push((
                format!("attributes.{}", input.name),
                tr.t("form.bad_number"),
            )),
        }
    }
    if errors.is_empty() {
        Ok(attributes)
    } else {
        Err(errors)
    }
}

/// A number as typed, with thousands separators allowed.
fn number(raw: &str) -> Option<f64> {
    raw.trim()
        .replace([',', '，'], "")
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
}

/// A number without trailing zeros: 62.0 → "62", 0.8 → "0.8".
fn trim(n: f64) -> String {
    let s = format!("{:.6}", n);
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The decision the form describes, or every field it cannot take (all named, not only the first).
fn fields_of(form: &DecisionForm, tr: Tr) -> Result<DecisionFields, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let mut refuse = |field: &str, key: &str| errors.push((field.to_owned(), tr.t(key)));
    let kind = DecisionKind::parse(&form.kind);
    if kind.is_none() {
        refuse("kind", "form.pick_kind");
    }
    let status = if form.status.is_empty() {
        Some(DecisionStatus::Draft)
    } else {
        DecisionStatus::parse(&form.status)
    };
    if status.is_none() {
        refuse("status", "form.pick_status");
    }
    let mut regions = Vec::new();
    let typed = form
        .other_regions
        .split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == '、')
        .filter(|s| !s.is_empty());
    let picked = form.picked_regions();
    for code in picked.iter().map(String::as_str).chain(typed) {
        match RegionCode::parse(code) {
            Ok(c) if !regions.contains(&c) => regions.push(c),
            Ok(_) => {}
            Err(_) => refuse("regions", "form.bad_region"),
        }
    }
    let count = |raw: &str, field: &str, errors: &mut Vec<(String, String)>| -> u32 {
        match raw.trim() {
            "" => 0,
            s => s.parse().unwrap_or_else(|_| {
                errors.push((field.to_owned(), tr.t("form.whole_number")));
                0
            }),
        }
    };
    let affected = Affected {
        households: count(&form.households, "affected", &mut errors),
        people: count(&form.people, "affected", &mut errors),
        workers: count(&form.workers, "affected", &mut errors),
    };
    let number = |raw: &str| {
        raw.trim()
            .replace([',', '，'], "")
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
    };
    let budget_yuan = match form.budget_wan.trim() {
        "" => None,
        raw => match number(raw) {
            Some(wan) if wan >= 0.0 => Some(wan * 10_000.0),
            _ => {
                errors.push(("budget_yuan".into(), tr.t("form.bad_number")));
                None
            }
        },
    };
    let planned_start = match form.planned_start.trim() {
        "" => None,
        raw => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(("planned_start".into(), tr.t("form.bad_date")));
                None
            }
        },
    };
    let attributes = attributes_from(tr, &form.rest).unwrap_or_else(|found| {
        errors.extend(found);
        BTreeMap::new()
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(kind), Some(status)) = (kind, status) else {
        return Err(errors);
    };
    Ok(DecisionFields {
        title: form.title.trim().to_owned(),
        kind,
        description: form.description.clone(),
        responsible_unit: form.responsible_unit.trim().to_owned(),
        regions,
        affected,
        budget_yuan,
        planned_start,
        attributes,
        status,
    })
}

fn choices(tr: Tr, group: Group, ids: &[&str], current: &str) -> Vec<(String, String, bool)> {
    ids.iter()
        .map(|id| ((*id).to_owned(), tr.word(group, id), *id == current))
        .collect()
}

async fn render(
    viewer: &Viewer,
    state: &AppState,
    principal: &Principal,
    mut form: DecisionForm,
    action: String,
    editing: bool,
    errors: Vec<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let tr = viewer.tr;
    let known = register::regions(&state.ctx, principal)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    let picked = form.picked_regions();
    // A region the table does not know stays in the typed field, so editing never drops it.
    for code in picked
        .iter()
        .filter(|c| !known.iter().any(|r| &r.code == *c))
    {
        if !form.other_regions.split_whitespace().any(|t| t == code) {
            form.other_regions = format!("{} {code}", form.other_regions).trim().to_owned();
        }
        form.rest.remove(&format!("region.{code}"));
    }
    let regions = known
        .into_iter()
        .map(|r| RegionChoice {
            selected: picked.contains(&r.code),
            label: format!("{}（{}）", r.name, r.code),
            code: r.code,
        })
        .collect();
    let title = if editing {
        tr.t("form.edit_title")
    } else {
        tr.t("register.new")
    };
    let cancel = if editing {
        action.trim_end_matches("/edit").to_owned()
    } else {
        "/decisions".to_owned()
    };
    let page = FormPage {
        layout: Layout::new(viewer, title, "nav.decisions"),
        kinds: choices(
            tr,
            Group::DecisionKinds,
            &DecisionKind::ALL.map(DecisionKind::as_str),
            &form.kind,
        ),
        statuses: choices(
            tr,
            Group::DecisionStatuses,
            &DecisionStatus::ALL.map(DecisionStatus::as_str),
            &form.status,
        ),
        attributes: attribute_inputs(tr, &form.rest),
        regions,
        action,
        editing,
        f: form,
        errors,
        cancel,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(html(status, page.render()))
}

/// The use case's refusal beside its field; any other refusal is the error page.
fn field_errors(error: AppError, tr: Tr) -> Result<Vec<(String, String)>, PageError> {
    match error {
        AppError::Invalid(errors) => Ok(errors
            .0
            .into_iter()
            .map(|e| (e.field, super::refusal::sentence(tr, &e.message)))
            .collect()),
        AppError::Stale { .. } => Ok(vec![("version".into(), tr.t("error.stale"))]),
        other => Err(PageError::from_app(other, tr)),
    }
}

async fn new_form(viewer: Viewer, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let principal = viewer.holding::<WriteDecisions>()?;
    let form = DecisionForm {
        kind: "land_requisition".into(),
        ..DecisionForm::default()
    };
    render(
        &viewer,
        &state,
        principal,
        form,
        "/decisions/new".into(),
        false,
        Vec::new(),
    )
    .await
}

async fn create(
    viewer: Viewer,
    state: web::Data<AppState>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    let tr = viewer.tr;
    let form = form.into_inner();
    let errors = match fields_of(&form, tr) {
        Ok(fields) => match decisions::register(&state.ctx, principal, fields).await {
            Ok(d) => return Ok(see_other(&format!("/decisions/{}", d.id))),
            Err(e) => field_errors(e, tr)?,
        },
        Err(errors) => errors,
    };
    render(
        &viewer,
        &state,
        principal,
        form,
        "/decisions/new".into(),
        false,
        errors,
    )
    .await
}

async fn edit_form(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.holding::<WriteDecisions>()?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let d = decisions::get(&state.ctx, principal, id)
        .await
        .map_err(|e| PageError::from_app(e, tr))?;
    let action = format!("/decisions/{id}/edit");
    render(
        &viewer,
        &state,
        principal,
        form_of(&d),
        action,
        true,
        Vec::new(),
    )
    .await
}

async fn update(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, PageError> {
    let principal = viewer.check_csrf(&form.csrf_token)?;
    let tr = viewer.tr;
    let id = path_id(&id, tr)?;
    let form = form.into_inner();
    let action = format!("/decisions/{id}/edit");
    let errors = match fields_of(&form, tr) {
        Ok(fields) => {
            // The version the form was filled from: a change made meanwhile by someone else is not overwritten.
            let based_on = Precondition::Etags(vec![format!("\"{}\"", form.version.trim())]);
            match decisions::change(&state.ctx, principal, id, Some(&based_on), |_| Ok(fields))
                .await
            {
                Ok(d) => return Ok(see_other(&format!("/decisions/{}", d.id))),
                Err(e) => field_errors(e, tr)?,
            }
        }
        Err(errors) => errors,
    };
    render(&viewer, &state, principal, form, action, true, errors).await
}
