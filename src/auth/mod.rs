//! Who may do what: passwords, secrets (session and API tokens), login throttling, and the
//! permission table that every route declares in its signature.

pub mod password;
pub mod permission;
pub mod residents;
pub mod secret;
pub mod throttle;
