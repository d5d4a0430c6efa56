//! Latency summaries.

use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct Latency {
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Latency {
    /// Nearest-rank percentiles: every figure is a latency some request really had.
    pub fn of(samples: &[Duration]) -> Latency {
        let mut s = samples.to_vec();
        s.sort_unstable();
        let rank = |p: f64| -> Duration {
            if s.is_empty() {
                return Duration::ZERO;
            }
            let r = ((p / 100.0) * s.len() as f64).ceil() as usize;
            s[r.clamp(1, s.len()) - 1]
        };
        Latency {
            p50: rank(50.0),
            p99: rank(99.0),
            max: s.last().copied().unwrap_or_default(),
        }
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
