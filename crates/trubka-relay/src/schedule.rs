//! Background work on a schedule (reconciliation, retention): a first pass soon after start,
//! then one every interval, counted from the end of the previous pass so that a slow pass
//! never overlaps the next; everything stops at once on shutdown, a pass in progress
//! included (the passes are written to stop safely at any await).

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// Runs `pass` after `first_after` (at most `every`), then `every` after each pass ends, until
/// `stop` is cancelled.
pub(crate) async fn every<F, Fut>(
    every: Duration,
    first_after: Duration,
    stop: &CancellationToken,
    mut pass: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut next = tokio::time::Instant::now() + first_after.min(every);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep_until(next) => {}
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = pass() => {}
        }
        next = tokio::time::Instant::now() + every;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn passes_run_first_soon_then_every_interval_until_stopped() {
        let stop = CancellationToken::new();
        let passes = Arc::new(AtomicU32::new(0));
        let counted = passes.clone();
        let run = tokio::spawn({
            let stop = stop.clone();
            async move {
                every(
                    Duration::from_secs(60),
                    Duration::from_secs(5),
                    &stop,
                    || {
                        let counted = counted.clone();
                        async move {
                            counted.fetch_add(1, Ordering::SeqCst);
                        }
                    },
                )
                .await
            }
        });
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert_eq!(passes.load(Ordering::SeqCst), 0, "not before first_after");
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(passes.load(Ordering::SeqCst), 1);
        tokio::time::sleep(Duration::from_secs(120)).await;
        assert_eq!(passes.load(Ordering::SeqCst), 3);
        stop.cancel();
        run.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_pass_in_progress_stops_with_the_relay() {
        let stop = CancellationToken::new();
        let run = tokio::spawn({
            let stop = stop.clone();
            async move {
                every(Duration::from_secs(1), Duration::ZERO, &stop, || {
                    std::future::pending::<()>()
                })
                .await
            }
        });
        tokio::time::sleep(Duration::from_secs(2)).await;
        stop.cancel();
        run.await.unwrap();
    }
}
