//! wenping (稳评): social-stability risk assessment of major decisions.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod ledger;
pub mod memory;
pub mod petitions;
pub mod reports;
pub mod rng;
pub mod scoring;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod web;
