//! Every seed's UIS setup, simulated exactly as its guide configures it (`--uis-setup`), with
//! one mixed stream of calls: each agent's cards end right, with no call lost, shown to the
//! wrong agent, or mis-scored.
//!
//! What the guides send differs a lot: Omnidesk has no notification for an incoming call's
//! start, Usedesk puts the event in the URL, EnvyCRM names employees only by their phone or
//! SIP line, and Salebot sends one template for «Потерянный звонок» whose name tells nothing.
//! The outcomes must come out the same from all of them, from the notifications alone where
//! the setup reports them, and from reconciliation where it does not (Salebot).

use std::time::Duration;

use serde_json::{Value, json};
use trubka_agent::engine::HistoryRequest;
use trubka_agent::store::history::HistoryFilter;
use trubka_core::Outcome;
use trubka_sim::uis_setup::UisSetup;

use crate::system::{ANNA, IGOR, MARIA, Options, System, WAIT};

/// One call of the mix, and how it must end.
struct Expected {
    request: Value,
    /// The agent the PBX's last word on the call names (besides the supervisor).
    handler: &'static str,
    outcome: Outcome,
}

/// An hour of a call center in five calls.
fn the_mix() -> Vec<Expected> {
    let quick = |mut request: Value| {
        request["ring_seconds"] = json!(5);
        request["talk_seconds"] = json!(20);
        request["ivr_seconds"] = json!(0);
        request
    };
    vec![
        Expected {
            request: quick(json!({"provider":"uis","from":"+7 926 123-45-67",
                "employee":"2339292","outcome":"answered"})),
            handler: ANNA,
            outcome: Outcome::Answered,
        },
        Expected {
            request: quick(json!({"provider":"uis","from":"8 (916) 765-43-21",
                "employee":"2339292","outcome":"missed"})),
            handler: ANNA,
            outcome: Outcome::Missed,
        },
        Expected {
            request: quick(json!({"provider":"uis","from":"+7 903 555-66-77",
                "employee":"2339292","transfer_to":"2339293","outcome":"answered"})),
            handler: IGOR,
            outcome: Outcome::Answered,
        },
        Expected {
            request: quick(
                json!({"provider":"uis","direction":"out","to":"8 812 123-45-67",
                "employee":"2339293","outcome":"answered"}),
            ),
            handler: IGOR,
            outcome: Outcome::Answered,
        },
        Expected {
            request: quick(
                json!({"provider":"uis","direction":"out","to":"+7 985 555-00-11",
                "employee":"2339292","outcome":"missed"}),
            ),
            handler: ANNA,
            outcome: Outcome::NoAnswer,
        },
    ]
}

/// Plays the mix through `setup` and checks every agent's cards.
async fn the_mix_ends_right(options: Options) {
    let setup = options.uis_setup;
    let system = System::start_with(options).await;
    let anna = system.agent(ANNA).await;
    let igor = system.agent(IGOR).await;
    let maria = system.agent(MARIA).await;

    let mix = the_mix();
    let mut calls = Vec::new();
    for expected in &mix {
        calls.push(system.call(expected.request.clone()).await);
    }

    if matches!(setup, UisSetup::Salebot | UisSetup::SalebotAll) {
        // Only lost calls notify, with a name that tells nothing: the missed call's
        // notification may route it, but must not end or score it.
        let missed = &calls[1];
        wait_until(|| async {
            system
                .delivered(missed)
                .await
                .iter()
                .any(|what| what == "Потерянный звонок")
        })
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        for agent in [&anna, &igor, &maria] {
            for call in &calls {
                if let Some(view) = agent.engine.call(call).await.unwrap() {
                    assert_eq!(
                        view.outcome, None,
                        "{setup}: a guess scored {call}: {view:#?}"
                    );
                    assert!(!view.missed, "{setup}: a guess made {call} missed");
                }
            }
        }
        // The PBX's history says how every call went.
        wait_until(|| async {
            let report = system.reconcile().await;
            assert!(report.errors.is_empty(), "{:?}", report.errors);
            let mut all = true;
            for call in &calls {
                let ended = maria.engine.call(call).await.unwrap();
                all &= ended.is_some_and(|v| v.is_ended() && v.outcome.is_some());
            }
            all
        })
        .await;
    }

    for (call, expected) in calls.iter().zip(&mix) {
        let handler = match expected.handler {
            ANNA => &anna,
            _ => &igor,
        };
        for agent in [handler, &maria] {
            let card = agent.card_until(call, "ended", |c| c.call.is_ended()).await;
            assert_eq!(
                card.call.outcome,
                Some(expected.outcome),
                "{setup}: {call} ({}) as {} sees it: {card:#?}",
                expected.request,
                expected.handler
            );
        }
    }
    // The supervisor's history lists every call once, each as it ended; the missed list only
    // the missed one.
    let history = maria
        .engine
        .history(HistoryRequest {
            filter: HistoryFilter::All,
            search: None,
            before: None,
            limit: 50,
        })
        .await
        .unwrap();
    for (call, expected) in calls.iter().zip(&mix) {
        let listed: Vec<_> = history
            .entries
            .iter()
            .filter(|e| &e.call.call_id == call)
            .collect();
        assert_eq!(listed.len(), 1, "{setup}: {call} in history: {listed:#?}");
        assert_eq!(listed[0].call.outcome, Some(expected.outcome));
    }
    let missed = maria
        .engine
        .history(HistoryRequest {
            filter: HistoryFilter::Missed,
            search: None,
            before: None,
            limit: 50,
        })
        .await
        .unwrap();
    let missed: Vec<&str> = missed
        .entries
        .iter()
        .map(|e| e.call.call_id.as_str())
        .collect();
    assert_eq!(missed, [calls[1].as_str()], "{setup}: the missed list");

    // Every stream has caught up past all five calls: what an agent has not seen now, it never
    // will. Nobody sees a call that no event named them on.
    for (call, expected) in calls.iter().zip(&mix) {
        let bystander = if expected.handler == ANNA {
            &igor
        } else {
            &anna
        };
        let involved = expected.request["transfer_to"].is_string();
        if !involved {
            assert!(
                bystander.engine.call(call).await.unwrap().is_none(),
                "{setup}: {call} reached an agent who had no part in it"
            );
        }
    }
    system.stop(vec![anna, igor, maria]).await;
}

/// Polls `done` until it holds, at most [`WAIT`].
async fn wait_until<F, Fut>(done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("did not happen in {WAIT:?}");
}

fn only(setup: UisSetup) -> Options {
    Options {
        uis_setup: setup,
        anna_watches_the_line: false,
        ..Options::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trubka_setup() {
    the_mix_ends_right(only(UisSetup::Trubka)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn omnidesk_setup() {
    the_mix_ends_right(only(UisSetup::Omnidesk)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usedesk_setup() {
    the_mix_ends_right(only(UisSetup::Usedesk)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn salebot_setup_never_scores_a_call_from_a_guess() {
    the_mix_ends_right(only(UisSetup::Salebot)).await;
}

/// The guide's other reading: the same template and name on the starts and the end too. None
/// of them can be told apart, so none ends or scores a call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn salebot_template_on_every_event_type_scores_nothing_from_a_guess() {
    the_mix_ends_right(only(UisSetup::SalebotAll)).await;
}

/// EnvyCRM's agents are known by their SIP lines only: its notifications name no employee id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn envycrm_setup_reaches_agents_by_their_employee_phone() {
    the_mix_ends_right(Options {
        map_by_employee_phone: true,
        ..only(UisSetup::Envycrm)
    })
    .await;
}
