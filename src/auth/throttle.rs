//! Login throttling per account and per client address. Failures are counted for any username,
//! existing or not, so the answer never reveals whether an account exists. The counts live in the database
//! (shared by every instance); this module is the policy: which keys, what limits, how long a window lasts.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};

pub use crate::domain::account::ThrottleWindow;

/// Failures counted within this window.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// An account locks after this many failures in the window (OWASP suggests a small single digit).
pub const ACCOUNT_LIMIT: u32 = 5;
/// A client address locks after this many, across accounts (password spraying).
pub const CLIENT_LIMIT: u32 = 20;

/// A counter and the failures after which it locks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleKey {
    pub key: String,
    pub limit: u32,
}

/// The account's key: names differing only in case share it.
pub fn account_key(username: &str) -> String {
    format!("account:{}", username.to_lowercase())
}

/// The counters a sign-in attempt by `username` from `client` counts against.
pub fn keys(username: &str, client: Option<IpAddr>) -> [ThrottleKey; 2] {
    [
        ThrottleKey {
            key: account_key(username),
            limit: ACCOUNT_LIMIT,
        },
        ThrottleKey {
            key: format!(
                "client:{}",
                client.map(|c| c.to_string()).unwrap_or_default()
            ),
            limit: CLIENT_LIMIT,
        },
    ]
}

/// Windows that started at or before this instant are over at `now`.
pub fn window_over_if_started_by(now: DateTime<Utc>) -> DateTime<Utc> {
    now - chrono::Duration::from_std(WINDOW).unwrap_or_else(|_| chrono::Duration::minutes(15))
}

/// How long the longest lock of these counters still lasts at `now`, if any is locked.
pub fn locked_for(
    keys: &[ThrottleKey],
    windows: &[ThrottleWindow],
    now: DateTime<Utc>,
) -> Option<Duration> {
    let wait = keys
        .iter()
        .filter_map(|k| {
            let w = windows.iter().find(|w| w.key == k.key)?;
            let age = (now - w.started).to_std().unwrap_or_default();
            (i64::from(w.failures) >= i64::from(k.limit) && age < WINDOW).then(|| WINDOW - age)
        })
        .max()?;
    Some(wait)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn window(key: &str, started: DateTime<Utc>, failures: i32) -> ThrottleWindow {
        ThrottleWindow {
            key: key.into(),
            started,
            failures,
        }
    }

    #[test]
    fn an_account_locks_at_its_limit_and_unlocks_after_the_window() {
        let t0 = Utc::now();
        let client = Some("127.0.0.1".parse().unwrap());
        let alice = keys("Alice", client);
        assert_eq!(alice[0].key, "account:alice", "names differ only in case");
        let below = [window("account:alice", t0, ACCOUNT_LIMIT as i32 - 1)];
        assert_eq!(locked_for(&alice, &below, t0), None);
        let at_limit = [window("account:alice", t0, ACCOUNT_LIMIT as i32)];
        assert_eq!(locked_for(&alice, &at_limit, t0), Some(WINDOW));
        let later = t0 + chrono::Duration::minutes(5);
        assert_eq!(
            locked_for(&alice, &at_limit, later),
            Some(WINDOW - Duration::from_secs(300))
        );
        assert_eq!(
            locked_for(&keys("bob", client), &at_limit, t0),
            None,
            "other accounts are not locked"
        );
        let window_end = t0 + chrono::Duration::from_std(WINDOW).unwrap();
        assert_eq!(locked_for(&alice, &at_limit, window_end), None);
        assert!(window_over_if_started_by(window_end) >= t0);
        assert!(window_over_if_started_by(later) < t0);
    }

    #[test]
    fn a_client_spraying_many_accounts_locks() {
        let t0 = Utc::now();
        let sprayer = Some("10.1.2.3".parse().unwrap());
        let counted = [window("client:10.1.2.3", t0, CLIENT_LIMIT as i32)];
        assert!(locked_for(&keys("fresh", sprayer), &counted, t0).is_some());
        let neighbour = Some("10.1.2.4".parse().unwrap());
        assert_eq!(locked_for(&keys("fresh", neighbour), &counted, t0), None);
        let below = [window("client:10.1.2.3", t0, CLIENT_LIMIT as i32 - 1)];
        assert_eq!(locked_for(&keys("fresh", sprayer), &below, t0), None);
    }

    #[test]
    fn the_longer_of_two_locks_is_the_wait() {
        let t0 = Utc::now();
        let both = [
            window(
                "account:carol",
                t0 - chrono::Duration::minutes(10),
                ACCOUNT_LIMIT as i32,
            ),
            window(
                "client:10.0.0.9",
                t0 - chrono::Duration::minutes(1),
                CLIENT_LIMIT as i32,
            ),
        ];
        let wait = locked_for(&keys("carol", Some("10.0.0.9".parse().unwrap())), &both, t0);
        assert_eq!(wait, Some(WINDOW - Duration::from_secs(60)));
    }
}
