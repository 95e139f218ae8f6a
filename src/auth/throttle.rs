//! Login throttling that cannot be turned against a user. Failures lock the pair (account, client address) and a
//! client address spraying many accounts; they never lock an account for everyone, which would let anyone keep an
//! official out with five wrong passwords. An account failing from many addresses is slowed down instead: each
//! attempt on it waits a moment before its password is checked. Failures are counted for any username, existing
//! or not, so the answer never reveals whether an account exists. The counts live in the database (shared by every
//! instance); this module is the policy: which keys, what limits, how long a window lasts.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};

pub use crate::domain::account::ThrottleWindow;

/// Failures counted within this window.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// An account locks for one client address after this many failures from it in the window (OWASP suggests a
/// small single digit).
pub const ACCOUNT_LIMIT: u32 = 5;
/// A client address locks after this many, across accounts (password spraying).
pub const CLIENT_LIMIT: u32 = 20;
/// From this many failures on an account in the window, wherever they come from, each attempt on it is slowed.
pub const SLOW_AFTER: u32 = 10;
/// How long a slowed attempt waits before its password is checked: enough to make guessing from many addresses
/// slow, short enough that the official signing in hardly notices.
pub const SLOW_DELAY: Duration = Duration::from_secs(1);

/// A counter and the failures after which it locks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleKey {
    pub key: String,
    pub limit: u32,
}

/// The account's key: names differing only in case share it. It slows the account down; it never locks it.
pub fn account_key(username: &str) -> String {
    format!("account:{}", username.to_lowercase())
}

/// The key of one account tried from one client address.
pub fn pair_key(username: &str, client: Option<IpAddr>) -> String {
    format!(
        "pair:{}|{}",
        username.to_lowercase(),
        client.map(|c| c.to_string()).unwrap_or_default()
    )
}

/// The counters that lock a sign-in attempt by `username` from `client`: the pair, and the client address.
pub fn keys(username: &str, client: Option<IpAddr>) -> [ThrottleKey; 2] {
    [
        ThrottleKey {
            key: pair_key(username, client),
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

/// How long an attempt on the account waits before its password is checked, from the account's window.
pub fn slowdown(window: Option<&ThrottleWindow>, now: DateTime<Utc>) -> Option<Duration> {
    let w = window?;
    let age = (now - w.started).to_std().unwrap_or_default();
    (i64::from(w.failures) >= i64::from(SLOW_AFTER) && age < WINDOW).then_some(SLOW_DELAY)
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
        assert_eq!(
            alice[0].key, "pair:alice|127.0.0.1",
            "names differ only in case"
        );
        let below = [window("pair:alice|127.0.0.1", t0, ACCOUNT_LIMIT as i32 - 1)];
        assert_eq!(locked_for(&alice, &below, t0), None);
        let at_limit = [window("pair:alice|127.0.0.1", t0, ACCOUNT_LIMIT as i32)];
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
        assert_eq!(
            locked_for(
                &keys("alice", Some("10.9.9.9".parse().unwrap())),
                &at_limit,
                t0
            ),
            None,
            "nor the same account from another address"
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
                "pair:carol|10.0.0.9",
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

    #[test]
    fn an_account_failing_everywhere_is_slowed_not_locked() {
        let t0 = Utc::now();
        let below = window("account:dave", t0, SLOW_AFTER as i32 - 1);
        assert_eq!(slowdown(Some(&below), t0), None);
        let many = window("account:dave", t0, SLOW_AFTER as i32 + 40);
        assert_eq!(slowdown(Some(&many), t0), Some(SLOW_DELAY));
        let window_end = t0 + chrono::Duration::from_std(WINDOW).unwrap();
        assert_eq!(slowdown(Some(&many), window_end), None);
        assert_eq!(slowdown(None, t0), None);
    }
}
