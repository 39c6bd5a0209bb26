//! Exponential backoff with jitter, and the jittered refresh moment.

use std::time::Duration;

use super::TokenSourceOptions;

/// A uniform random number in `[0, 1)` from the system CSPRNG (0 if it fails: jitter is a
/// nicety, not a security property).
pub(crate) fn unit_random() -> f64 {
    let mut b = [0u8; 8];
    if aws_lc_rs::rand::fill(&mut b).is_err() {
        return 0.0;
    }
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

/// Delay before retry number `failures` (1-based): `initial × 2^(failures-1)` capped at
/// `max`, then "equal jitter" (between half and all of it), and at least `retry_after`.
pub(crate) fn delay(
    options: &TokenSourceOptions,
    failures: u32,
    retry_after: Option<Duration>,
) -> Duration {
    let exp = failures.saturating_sub(1).min(30);
    let base = options
        .backoff_initial()
        .saturating_mul(1u32 << exp)
        .min(options.backoff_max());
    let jittered = base.mul_f64(0.5 + 0.5 * unit_random());
    jittered.max(retry_after.unwrap_or_default())
}

/// How long before expiry to refresh a token of `lifetime`, and how long before expiry it
/// stops being handed out.
pub(crate) fn windows(options: &TokenSourceOptions, lifetime: Duration) -> (Duration, Duration) {
    let ahead = options
        .refresh_ahead()
        .min(lifetime.mul_f64(options.refresh_ahead_fraction().clamp(0.0, 1.0)));
    let jitter = ahead.mul_f64(options.jitter().clamp(0.0, 1.0) * unit_random());
    let margin = options.expiry_margin().min(lifetime / 4);
    ((ahead + jitter).min(lifetime), margin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_and_honours_retry_after() {
        let o = TokenSourceOptions::default();
        for n in 1..10 {
            let d = delay(&o, n, None);
            let base = Duration::from_secs(1 << (n - 1)).min(o.backoff_max());
            assert!(d >= base / 2 && d <= base, "{n}: {d:?}");
        }
        assert!(delay(&o, 40, None) <= o.backoff_max());
        assert_eq!(
            delay(&o, 1, Some(Duration::from_secs(30))),
            Duration::from_secs(30)
        );
    }

    #[test]
    fn refresh_window_is_min_of_five_minutes_and_half_life() {
        let o = TokenSourceOptions::default().with_jitter(0.0);
        assert_eq!(
            windows(&o, Duration::from_secs(3600)).0,
            Duration::from_secs(300)
        );
        assert_eq!(
            windows(&o, Duration::from_secs(60)).0,
            Duration::from_secs(30)
        );
        assert_eq!(
            windows(&o, Duration::from_secs(60)).1,
            Duration::from_secs(5)
        );
        assert_eq!(
            windows(&o, Duration::from_secs(8)).1,
            Duration::from_secs(2)
        );
        let j = TokenSourceOptions::default();
        let (ahead, _) = windows(&j, Duration::from_secs(3600));
        assert!(ahead >= Duration::from_secs(300) && ahead <= Duration::from_secs(330));
    }
}
