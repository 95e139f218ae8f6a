//! The permission table: each permission names the roles that hold it. A handler declares the
//! permission it needs in its signature, `Authorized<WriteDecisions>`, so a reader of the route
//! sees who may call it, and a route without one cannot be written by accident.

use crate::domain::account::Role;

pub trait Permission {
    const NAME: &'static str;
    const ROLES: &'static [Role];
}

macro_rules! permissions {
    ($($(#[$doc:meta])* $ty:ident = $name:literal: [$($role:ident),*];)*) => {
        $(
            $(#[$doc])*
            pub struct $ty;
            impl Permission for $ty {
                const NAME: &'static str = $name;
                const ROLES: &'static [Role] = &[$(Role::$role),*];
            }
        )*
        /// Every permission with its roles, for documentation and tests.
        pub const TABLE: &[(&str, &[Role])] = &[$(($name, &[$(Role::$role),*])),*];
    };
}

permissions! {
    /// Any signed-in user: their own session and tokens.
    SignedIn = "session": [Admin, Planner, Expert, Reviewer, Committee, Office];
    /// See decisions in scope.
    ReadDecisions = "decisions:read": [Planner, Expert, Reviewer, Committee];
    /// Register and change decisions in scope.
    WriteDecisions = "decisions:write": [Planner];
    /// See the risk models in service.
    ReadModels = "models:read": [Admin, Planner, Expert, Reviewer, Committee, Office];
    /// Use the AHP, fuzzy and entropy calculators.
    UseMethods = "methods:use": [Admin, Planner, Expert, Reviewer, Committee, Office];
    /// Rate the factors of decisions in scope, under one's own name only.
    RateFactors = "ratings:write": [Expert];
    /// Run assessments of decisions in scope.
    Assess = "assessments:write": [Planner];
    /// Record the committee's resolution on a decision in scope.
    Resolve = "resolutions:write": [Committee];
    /// Download reports and charts of assessments in scope.
    ReadReports = "reports:read": [Planner, Reviewer, Committee];
    /// Read the audit log (reviewers: the entries of decisions in scope).
    ReadAudit = "audit:read": [Admin, Reviewer];
    /// Manage users, roles and other users' tokens.
    ManageUsers = "users:manage": [Admin];
    /// Scrape Prometheus metrics.
    ReadMetrics = "metrics:read": [Admin];
    /// Import petition exports and read import reports.
    ImportPetitions = "petitions:import": [Admin];
    /// Read petition statistics of regions in scope (aggregates only, never records).
    ReadPetitions = "petitions:read": [Planner, Reviewer, Committee, Expert];
    /// The concern ledger (民情台账): read it, with residents masked unless `ReadResidents`.
    ReadConcerns = "concerns:read": [Planner, Reviewer, Committee, Office];
    /// Write a concern into the ledger (an office hears residents too).
    RegisterConcerns = "concerns:register": [Planner, Office];
    /// Keep the ledger: assign (派单), call the resident back (回访), close (销号), reopen (复号), import.
    KeepLedger = "concerns:keep": [Planner];
    /// Work a concern assigned to oneself: accept (签收), send back (退单), answer (回复).
    HandleConcerns = "concerns:handle": [Office];
    /// See a resident's name and phone unmasked.
    ReadResidents = "residents:read": [Planner, Office];
}
