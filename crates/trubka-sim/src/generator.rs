//! The steady stream of calls of `--generate`.
//!
//! At a fixed rate (calls per minute, wall clock) it draws a call from a seeded RNG, mixing
//! providers, directions, outcomes (with transfers and second employees), callers in every
//! number format, UIS template shapes and Sipuni quirks, and starts it like `POST /sim/calls`
//! would. It stops after `--calls N` calls or at shutdown, whichever comes first. Each call
//! is logged by [`Sim::start_call`] in one line.

use std::{sync::Arc, time::Duration};

use rand::{Rng, SeedableRng, rngs::StdRng};
use tokio::time::MissedTickBehavior;

use crate::{
    cast,
    config::{GeneratorConfig, SimConfig},
    scenario::{CallOrigin, CallRequest, Direction, HookMethod, Outcome, Provider, Source},
    sim::Sim,
    uis_templates::UisShape,
};

/// Mixes the generator's seed so its stream differs from the one `POST /sim/calls` uses.
const SEED_SALT: u64 = 0x5EED_CA11_0000_0001;

fn pick<'a, T>(rng: &mut impl Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Draws one call.
pub fn draw(rng: &mut impl Rng, config: &SimConfig) -> CallRequest {
    let provider = if rng.random_bool(0.5) {
        Provider::Uis
    } else {
        Provider::Sipuni
    };
    draw_for(rng, config, provider)
}

/// Draws one call on `provider`.
pub fn draw_for(rng: &mut impl Rng, config: &SimConfig, provider: Provider) -> CallRequest {
    let mut request = CallRequest::new(provider);
    request.direction = if rng.random_bool(0.85) {
        Direction::In
    } else {
        Direction::Out
    };
    let employees = &config.employees;
    let first = rng.random_range(0..employees.len());
    request.employee = Some(employees[first].extension.clone());
    let other = (employees.len() > 1).then(|| {
        let step = rng.random_range(1..employees.len());
        employees[(first + step) % employees.len()]
            .extension
            .clone()
    });
    let roll = rng.random_range(0..100);
    match request.direction {
        Direction::In => {
            let caller = pick(rng, cast::CALLERS);
            request.from = Some(caller.typed.to_owned());
            // Now and then a Sipuni call comes from a colleague's extension.
            if provider == Provider::Sipuni && other.is_some() && rng.random_bool(0.05) {
                request.from.clone_from(&other);
            }
            let internal = request.from == other;
            match roll {
                _ if internal => {}
                0..45 => request.outcome = Outcome::Answered,
                45..57 => request.transfer_to.clone_from(&other),
                57..67 => request.next_employee.clone_from(&other),
                67..80 => {
                    request.outcome = Outcome::Missed;
                    if rng.random_bool(0.3) {
                        request.next_employee.clone_from(&other);
                    }
                }
                80..88 => request.outcome = Outcome::Busy,
                _ => request.outcome = Outcome::Cancelled,
            }
        }
        Direction::Out => {
            let callees: Vec<_> = cast::CALLERS
                .iter()
                .filter(|c| !cast::is_anonymous(c.typed))
                .collect();
            request.to = Some(pick(rng, &callees).typed.to_owned());
            request.outcome = match roll {
                0..70 => Outcome::Answered,
                70..85 => Outcome::Missed,
                85..93 => Outcome::Busy,
                _ => Outcome::Cancelled,
            };
        }
    }
    match provider {
        Provider::Uis => {
            request.line = Some(pick(rng, &config.uis.lines).clone());
            request.shape = Some(match rng.random_range(0..100) {
                0..50 => UisShape::Nested,
                50..85 => UisShape::Flat,
                _ => UisShape::Query,
            });
        }
        Provider::Sipuni => {
            let s = &config.sipuni;
            request.line = Some(pick(rng, &s.lines).clone());
            request.method = Some(if rng.random_bool(s.get_probability) {
                HookMethod::Get
            } else {
                HookMethod::Post
            });
            request.duplicate_event1 = Some(rng.random_bool(s.duplicate_event1_probability));
            request.missing_hangup = Some(rng.random_bool(s.missing_hangup_probability));
            request.sparse_answer = Some(rng.random_bool(s.sparse_answer_probability));
        }
    }
    request
}

/// Runs the generator until it has started `calls` calls or the simulator shuts down.
pub async fn run(sim: Arc<Sim>, generator: GeneratorConfig) {
    let mut rng = match sim.config.seed {
        Some(seed) => StdRng::seed_from_u64(seed ^ SEED_SALT),
        None => StdRng::from_os_rng(),
    };
    let period = Duration::from_secs_f64(60.0 / generator.calls_per_minute);
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let cancel = sim.cancel_token().clone();
    tracing::info!(
        rate = generator.calls_per_minute,
        calls = ?generator.calls,
        "generator started"
    );
    let mut started: u64 = 0;
    while generator.calls.is_none_or(|limit| started < limit) {
        tokio::select! {
            _ = ticker.tick() => {}
            () = cancel.cancelled() => return,
        }
        let request = draw(&mut rng, &sim.config);
        started += 1;
        let origin = CallOrigin {
            source: Source::Generator,
            ..CallOrigin::default()
        };
        if let Err(error) = sim.start_call_as(&request, origin) {
            tracing::warn!(%error, ?request, "generated call refused");
        }
    }
    tracing::info!(calls = started, "generator finished");
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use url::Url;

    use super::*;
    use crate::{ids::IdGen, scenario};

    #[test]
    fn drawn_calls_are_valid_varied_and_reproducible() {
        let config = SimConfig::new(Url::parse("http://127.0.0.1:1").unwrap(), "u", "s");
        let ids = IdGen::new(Utc::now());
        let mut a = StdRng::seed_from_u64(42);
        let mut b = StdRng::seed_from_u64(42);
        let mut durations = StdRng::seed_from_u64(1);
        let mut outcomes = std::collections::HashSet::new();
        let mut providers = std::collections::HashSet::new();
        for _ in 0..300 {
            let request = draw(&mut a, &config);
            assert_eq!(request, draw(&mut b, &config));
            let lines = match request.provider {
                Provider::Uis => &config.uis.lines,
                Provider::Sipuni => &config.sipuni.lines,
            };
            let ctx = scenario::PlanContext {
                employees: &config.employees,
                lines,
                ids: &ids,
                now: Utc::now(),
            };
            let plan = scenario::plan(&request, &ctx, &mut durations).unwrap();
            outcomes.insert(format!("{:?}{}", plan.outcome, plan.transferred()));
            providers.insert(request.provider.as_str());
        }
        assert!(outcomes.len() >= 5, "{outcomes:?}");
        assert_eq!(providers.len(), 2);
    }
}
