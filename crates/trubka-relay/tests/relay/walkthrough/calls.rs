//! The calls a walk plays in the simulator: the first card the guide's agent sees, and a call
//! whose notifications `check` then reads from UIS.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use trubka_agent::EngineEvent;
use trubka_agent::profile::Profile;

use super::place::Place;
use super::{Pbx, SIPUNI_EXT, UIS_EMPLOYEE, WAIT};

/// Asks the simulator for `call`; returns its call id.
async fn start_call(http: &reqwest::Client, place: &Place, call: &Value) -> String {
    let response = http
        .post(format!("http://{}/sim/calls", place.sim))
        .json(call)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let body: Value = response.json().await.unwrap();
    body["call_id"].as_str().unwrap().to_owned()
}

/// `trubka-cli listen` on the profile at `home`: the engine the command runs, until the card
/// of a call the simulator plays to the guide's agent.
pub(crate) async fn first_card(home: &Path, place: &Place, pbx: Pbx) -> String {
    let engine = trubka_agent::Engine::open(Profile::at(home).unwrap())
        .await
        .unwrap();
    let mut events = engine.subscribe();
    engine.start().unwrap();
    // The guide says the first two UIS notifications are enough for the first card: the
    // cabinet sends only those.
    let call = match pbx {
        Pbx::Uis => json!({
            "provider": "uis",
            "employee": UIS_EMPLOYEE,
            "drop_notifications": ["answered", "leg_ended", "ended", "recording"],
        }),
        Pbx::Sipuni => json!({"provider": "sipuni", "employee": SIPUNI_EXT}),
    };
    let call = start_call(&reqwest::Client::new(), place, &call).await;
    let card = tokio::time::timeout(WAIT, async {
        loop {
            match events.recv().await {
                Ok(EngineEvent::Card { card, .. }) if card.call.call_id == call => return card,
                Ok(_) => {}
                Err(error) => panic!("the engine's events ended: {error}"),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no card of {call} within {WAIT:?}"));
    engine.stop();
    assert!(
        card.call.phone.is_some(),
        "the card has the caller's number"
    );
    card.call.call_id
}

/// Plays a call of the guide's agent and waits until the simulator has sent (or failed to
/// send) its last notification.
pub(crate) async fn play_and_wait(place: &Place, pbx: Pbx) {
    let (call, last) = match pbx {
        Pbx::Uis => (
            json!({"provider": "uis", "employee": UIS_EMPLOYEE}),
            "Завершение звонка",
        ),
        Pbx::Sipuni => (json!({"provider": "sipuni", "employee": SIPUNI_EXT}), "2"),
    };
    let http = reqwest::Client::new();
    let id = start_call(&http, place, &call).await;
    tokio::time::timeout(WAIT, async {
        loop {
            let deliveries: Value = http
                .get(format!("http://{}/sim/deliveries", place.sim))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let handled = deliveries.as_array().unwrap().iter().any(|d| {
                d["call_id"] == id.as_str() && d["what"].as_str().is_some_and(|w| w.contains(last))
            });
            if handled {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the simulator did not send {last} of {id} in time"));
}
