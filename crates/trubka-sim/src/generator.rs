//! The steady stream of calls of `--generate`.
//!
//! At a fixed rate (calls per minute, wall clock) it draws a call from a seeded RNG, mixing
//! providers, directions, outcomes (with transfers and second employees), callers in every
//! number format, UIS template shapes and Sipuni quirks, and starts it like `POST /sim/calls`
//! would. It stops after `--calls N` calls or at shutdown, whichever comes first. Each call
//! is logged by [`Sim::start_call`] in one line.

use std::{collections::HashSet, sync::Arc, time::Duration};

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

/// One of the cast whose number is not in `busy`, or, when all of them are, any of them.
fn pick_free<'a>(
    rng: &mut impl Rng,
    cast: &[&'a cast::Caller],
    busy: &HashSet<String>,
) -> &'a cast::Caller {
    let free: Vec<_> = cast
        .iter()
        .copied()
        .filter(|c| !busy.contains(c.typed))
        .collect();
    let choice: &[&'a cast::Caller] = if free.is_empty() { cast } else { &free };
    choice[rng.random_range(0..choice.len())]
}

/// Draws one call. Its caller (or callee) is not one of `busy`, the numbers on a call right
/// now, while anyone else is left: a person does not ring the call center twice at once, and
/// an agent would be puzzled by two cards of one caller.
pub fn draw(rng: &mut impl Rng, config: &SimConfig, busy: &HashSet<String>) -> CallRequest {
    let provider = if rng.random_bool(0.5) {
        Provider::Uis
    } else {
        Provider::Sipuni
    };
    draw_for(rng, config, provider, busy)
}

/// Draws one call on `provider` (see [`draw`]).
pub fn draw_for(
    rng: &mut impl Rng,
    config: &SimConfig,
    provider: Provider,
    busy: &HashSet<String>,
) -> CallRequest {
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
            let everyone: Vec<_> = cast::CALLERS.iter().collect();
            request.from = Some(pick_free(rng, &everyone, busy).typed.to_owned());
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
            request.to = Some(pick_free(rng, &callees, busy).typed.to_owned());
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
        let busy = sim.history.numbers_on_a_call(tokio::time::Instant::now());
        let request = draw(&mut rng, &sim.config, &busy);
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
            let request = draw(&mut a, &config, &HashSet::new());
            assert_eq!(request, draw(&mut b, &config, &HashSet::new()));
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

    #[test]
    fn callers_on_a_call_are_not_drawn_again_while_anyone_else_is_free() {
        let config = SimConfig::new(Url::parse("http://127.0.0.1:1").unwrap(), "u", "s");
        let free = "+7 926 123-45-67";
        let free_callee = cast::CALLERS
            .iter()
            .find(|c| c.typed == free)
            .expect("the cast has the free caller");
        assert!(!cast::is_anonymous(free_callee.typed));
        let busy: HashSet<String> = cast::CALLERS
            .iter()
            .map(|c| c.typed.to_owned())
            .filter(|typed| typed != free)
            .collect();
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..200 {
            let request = draw(&mut rng, &config, &busy);
            let party = match request.direction {
                Direction::In => request.from.as_deref(),
                Direction::Out => request.to.as_deref(),
            };
            // A Sipuni call may come from a colleague's extension instead.
            let colleague = config
                .employees
                .iter()
                .any(|e| Some(e.extension.as_str()) == party);
            assert!(party == Some(free) || colleague, "{party:?} is on a call");
        }
        // With everybody on a call the generator still calls someone (and does not panic on
        // an empty choice).
        let everyone: HashSet<String> = cast::CALLERS.iter().map(|c| c.typed.to_owned()).collect();
        let request = draw(&mut rng, &config, &everyone);
        assert!(request.from.is_some() || request.to.is_some());
    }
}
