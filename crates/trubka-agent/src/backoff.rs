//! Reconnect delays: exponential, capped, with jitter so that a relay restart is not met by
//! every agent at the same instant.

use std::time::Duration;

/// Exponential backoff with "equal jitter": attempt *n* waits between half and all of
/// `min(max, base × 2^(n−1))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_millis(500),
            max: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The delay before attempt `attempt` (1 for the first retry); `jitter` in `[0, 1)`.
    pub fn delay(&self, attempt: u32, jitter: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let full = self.base.saturating_mul(1u32 << exponent).min(self.max);
        full.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
    }

    /// [`Backoff::delay`] with random jitter.
    pub fn delay_random(&self, attempt: u32) -> Duration {
        self.delay(attempt, rand::random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_doubles_and_is_capped() {
        let b = Backoff::default();
        assert_eq!(b.delay(1, 1.0), Duration::from_millis(500));
        assert_eq!(b.delay(2, 1.0), Duration::from_secs(1));
        assert_eq!(b.delay(4, 1.0), Duration::from_secs(4));
        assert_eq!(b.delay(40, 1.0), Duration::from_secs(30));
        assert_eq!(b.delay(40, 0.0), Duration::from_secs(15));
        for attempt in 1..50 {
            let d = b.delay_random(attempt);
            assert!(d <= b.max && d >= b.base / 2, "{attempt}: {d:?}");
        }
    }
}
