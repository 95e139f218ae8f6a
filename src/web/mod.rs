//! The web pages: server-rendered HTML for the people who decide, Chinese first, English by a switch that is
//! remembered. Each page parses the request, calls the same use cases as the JSON API (`crate::app`) and
//! renders a template (`templates/`); it adds no rules of its own. Every asset is compiled into the binary.

pub mod admin;
pub mod assessment;
pub mod assessment_view;
pub mod assets;
pub mod checklist;
pub mod comparison;
pub mod concern_stats;
pub mod concerns;
pub mod consultations;
pub mod dashboard;
pub mod decision;
pub mod decision_form;
pub mod error;
pub mod i18n;
pub mod layout;
pub mod petitions;
pub mod rating;
pub mod refusal;
pub mod register;
pub mod resolution;
pub mod session;
pub mod viewer;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

/// Every page route. Mounted beside the JSON API (`/api/v1`), which keeps its own paths.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/assets/{name}", web::get().to(assets::serve));
    session::configure(cfg);
    dashboard::configure(cfg);
    register::configure(cfg);
    decision_form::configure(cfg);
    decision::configure(cfg);
    assessment::configure(cfg);
    rating::configure(cfg);
    checklist::configure(cfg);
    resolution::configure(cfg);
    comparison::configure(cfg);
    petitions::configure(cfg);
    concerns::configure(cfg);
    consultations::configure(cfg);
    admin::configure(cfg);
}

/// A rendered page with its status; a template that fails to render is logged and answered with a plain 500.
pub fn html(status: StatusCode, rendered: askama::Result<String>) -> HttpResponse {
    match rendered {
        Ok(body) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(body),
        Err(error) => {
            tracing::error!(%error, "a page template failed to render");
            HttpResponse::InternalServerError()
                .content_type("text/html; charset=utf-8")
                .body("<!doctype html><title>500</title><p>内部错误 / internal error</p>")
        }
    }
}

/// Percent-encodes a value for a query string.
pub fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// 303 See Other to a page: the answer to a form that changed something.
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, to.to_owned()))
        .finish()
}
