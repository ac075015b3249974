//! The history a simulator starts with (`--backfill-uis N`, `--backfill-sipuni N`,
//! `--backfill-days D`): calls of the past, drawn like the generator's, spread at random over
//! the `D` days before the start (ending at least an hour ago), with their recordings served
//! as usual. They are never played: no notification is sent for them, exactly like calls a
//! relay missed while it was down, and the history APIs (UIS `get.calls_report`, Sipuni
//! `statistic/export`) list them.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{Duration, Utc};
use rand::{Rng, SeedableRng, rngs::StdRng};

use crate::{
    config::BackfillConfig,
    generator,
    scenario::{Provider, Source},
    sim::Sim,
};

/// Mixes the seed so the back-fill differs from the generator's stream.
const SEED_SALT: u64 = 0xBAC4_F111_0000_0002;

/// Fills the history; returns how many calls were added.
pub fn fill(sim: &Arc<Sim>, backfill: BackfillConfig) -> usize {
    let mut rng = match sim.config.seed {
        Some(seed) => StdRng::seed_from_u64(seed ^ SEED_SALT),
        None => StdRng::from_os_rng(),
    };
    let now = Utc::now();
    let first = now - Duration::days(i64::from(backfill.days));
    let span_ms = (Duration::days(i64::from(backfill.days)) - Duration::hours(1))
        .num_milliseconds()
        .max(1);
    let mut starts: Vec<(i64, Provider)> =
        std::iter::repeat_n(Provider::Uis, backfill.uis_calls as usize)
            .chain(std::iter::repeat_n(
                Provider::Sipuni,
                backfill.sipuni_calls as usize,
            ))
            .map(|provider| (rng.random_range(0..span_ms), provider))
            .collect();
    starts.sort_by_key(|(at, _)| *at);
    let mut added = 0;
    for (offset, provider) in starts {
        let request = generator::draw_for(&mut rng, &sim.config, provider, &HashSet::new());
        match sim.plan_at(&request, first + Duration::milliseconds(offset)) {
            Ok(mut plan) => {
                plan.origin.source = Source::Backfill;
                sim.record_past(plan);
                added += 1;
            }
            Err(error) => tracing::warn!(%error, ?request, "back-filled call refused"),
        }
    }
    added
}
