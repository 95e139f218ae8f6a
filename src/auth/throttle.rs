//! Login throttling per account and per client address. Failures are counted for any username,
//! existing or not, so the answer never reveals whether an account exists.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures counted within this window.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// An account locks after this many failures in the window (OWASP suggests a small single digit).
const ACCOUNT_LIMIT: u32 = 5;
/// A client address locks after this many, across accounts (password spraying).
const CLIENT_LIMIT: u32 = 20;
/// Bound on remembered keys; the oldest are dropped beyond it.
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

#[derive(Default)]
pub struct LoginThrottle {
    windows: Mutex<HashMap<String, Window>>,
}

fn keys(username: &str, client: Option<IpAddr>) -> [(String, u32); 2] {
    [
        (
            format!("account:{}", username.to_lowercase()),
            ACCOUNT_LIMIT,
        ),
        (
            format!(
                "client:{}",
                client.map(|c| c.to_string()).unwrap_or_default()
            ),
            CLIENT_LIMIT,
        ),
    ]
}

impl LoginThrottle {
    /// `Err(retry_after)` while the account or the client is locked.
    pub fn check(
        &self,
        username: &str,
        client: Option<IpAddr>,
        now: Instant,
    ) -> Result<(), Duration> {
        let windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = Duration::ZERO;
        for (key, limit) in keys(username, client) {
            if let Some(w) = windows.get(&key) {
                let age = now.saturating_duration_since(w.started);
                if w.failures >= limit && age < WINDOW {
                    wait = wait.max(WINDOW - age);
                }
            }
        }
        if wait.is_zero() { Ok(()) } else { Err(wait) }
    }

    pub fn record_failure(&self, username: &str, client: Option<IpAddr>, now: Instant) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() >= MAX_KEYS {
            windows.retain(|_, w| now.saturating_duration_since(w.started) < WINDOW);
        }
        for (key, _) in keys(username, client) {
            let w = windows.entry(key).or_insert(Window {
                started: now,
                failures: 0,
            });
            if now.saturating_duration_since(w.started) >= WINDOW {
                *w = Window {
                    started: now,
                    failures: 0,
                };
            }
            w.failures += 1;
        }
    }

    /// A successful login clears the account's count (not the client's).
    pub fn record_success(&self, username: &str) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        windows.remove(&format!("account:{}", username.to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_locks_after_its_limit_and_unlocks_after_the_window() {
        let throttle = LoginThrottle::default();
        let t0 = Instant::now();
        let client = Some("127.0.0.1".parse().unwrap());
        for _ in 0..ACCOUNT_LIMIT {
            assert!(throttle.check("alice", client, t0).is_ok());
            throttle.record_failure("alice", client, t0);
        }
        let wait = throttle.check("Alice", client, t0).unwrap_err();
        assert_eq!(wait, WINDOW);
        assert!(
            throttle.check("bob", client, t0).is_ok(),
            "other accounts are not locked"
        );
        assert!(throttle.check("alice", client, t0 + WINDOW).is_ok());
    }

    #[test]
    fn a_client_spraying_many_accounts_locks() {
        let throttle = LoginThrottle::default();
        let t0 = Instant::now();
        let client = Some("10.1.2.3".parse().unwrap());
        for i in 0..CLIENT_LIMIT {
            throttle.record_failure(&format!("user{i}"), client, t0);
        }
        assert!(throttle.check("fresh", client, t0).is_err());
        assert!(
            throttle
                .check("fresh", Some("10.1.2.4".parse().unwrap()), t0)
                .is_ok()
        );
    }
}
