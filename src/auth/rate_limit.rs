//! Fixed-window counters in memory, for the booking rate per parent account: a brake on a
//! runaway client, where N processes allowing N times the rate does no harm. The limits that
//! guard passwords (sign-in, lockout, registration, reset) are shared by every process, in the
//! database: `service::limits`.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    buckets: Mutex<HashMap<String, (DateTime<Utc>, u32)>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window_secs: u64) -> Self {
        Self {
            limit,
            window: Duration::seconds(window_secs as i64),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds until `key` may try again, if it is over its limit now.
    pub fn blocked_for(&self, key: &str, now: DateTime<Utc>) -> Option<u64> {
        let buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let (start, count) = buckets.get(key)?;
        let reopens = *start + self.window;
        (*count >= self.limit && now < reopens).then(|| (reopens - now).num_seconds().max(1) as u64)
    }

    /// Counts one event for `key`.
    pub fn record(&self, key: &str, now: DateTime<Utc>) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 100_000 {
            // Bound memory under a flood of distinct keys: drop finished windows.
            let window = self.window;
            buckets.retain(|_, (start, _)| now < *start + window);
        }
        let entry = buckets.entry(key.to_string()).or_insert((now, 0));
        if now >= entry.0 + self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
    }

    pub fn clear(&self, key: &str) {
        self.buckets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_until_the_window_ends() {
        let t0 = Utc::now();
        let rl = RateLimiter::new(3, 60);
        for _ in 0..3 {
            assert_eq!(rl.blocked_for("k", t0), None);
            rl.record("k", t0);
        }
        assert_eq!(rl.blocked_for("k", t0), Some(60));
        assert_eq!(rl.blocked_for("other", t0), None);
        assert_eq!(rl.blocked_for("k", t0 + Duration::seconds(60)), None);
        rl.record("k", t0 + Duration::seconds(61));
        assert_eq!(rl.blocked_for("k", t0 + Duration::seconds(61)), None);
        rl.clear("k");
        assert_eq!(rl.blocked_for("k", t0), None);
    }
}
