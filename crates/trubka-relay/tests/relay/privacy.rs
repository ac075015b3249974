//! "An agent's stream never carries a call the agent may not see", over real streams.
//!
//! Frames arrive in `seq` order, so "did not receive X" is shown without waiting: the agent's
//! next frame is an event stored after X.

use crate::common::*;

fn uis(id: &str) -> impl FnOnce(&mut trubka_relay::NewAgent) {
    let id = id.to_owned();
    move |a| a.uis_employee = Some(id)
}

#[tokio::test]
async fn each_agent_gets_only_calls_to_their_own_employee_id_or_extension() {
    let relay = TestRelay::start().await;
    let anna = relay.agent("Анна", |a| {
        a.uis_employee = Some("100".to_owned());
        a.sipuni_ext = Some("201".to_owned());
    });
    let igor = relay.agent("Игорь", |a| {
        a.uis_employee = Some("200".to_owned());
        a.sipuni_ext = Some("202".to_owned());
    });
    let (mut anna_stream, _) = relay.connect_live(&anna).await;
    let (mut igor_stream, _) = relay.connect_live(&igor).await;

    assert_eq!(relay.uis(&uis_ringing(1, "100", 11)).await.0, 200);
    assert_eq!(relay.uis(&uis_ringing(2, "200", 21)).await.0, 200);
    assert_eq!(
        relay
            .sipuni(&form(&sipuni_call("1.1", "202", "1774372584")))
            .await
            .0,
        200
    );
    assert_eq!(
        relay
            .sipuni(&form(&sipuni_call("2.2", "201", "1774372584")))
            .await
            .0,
        200
    );

    let anna_got = anna_stream.events(2).await;
    assert_eq!(anna_got[0], "uis:1:ringing:11");
    assert!(
        anna_got[1].starts_with("sipuni:2.2:ringing:"),
        "{anna_got:?}"
    );
    let igor_got = igor_stream.events(2).await;
    assert_eq!(igor_got[0], "uis:2:ringing:21");
    assert!(
        igor_got[1].starts_with("sipuni:1.1:ringing:"),
        "{igor_got:?}"
    );
    relay.stop().await;
}

#[tokio::test]
async fn line_watchers_see_a_call_until_an_employee_is_on_it_and_whoever_saw_it_follows_it() {
    let relay = TestRelay::start().await;
    let watcher = relay.agent("Линия", |a| a.lines = vec![line()]);
    let anna = relay.agent("Анна", uis("100"));
    let igor = relay.agent("Игорь", uis("200"));
    let boss = relay.agent("Мария", |a| a.supervisor = true);
    let (mut watcher_stream, _) = relay.connect_live(&watcher).await;
    let (mut anna_stream, _) = relay.connect_live(&anna).await;
    let (mut igor_stream, _) = relay.connect_live(&igor).await;
    let (mut boss_stream, _) = relay.connect_live(&boss).await;

    // A call appears on the line, rings Анна, and Игорь answers it (a transfer).
    for body in [
        uis_started(1),
        uis_ringing(1, "100", 11),
        uis_answered(1, "200", 12),
    ] {
        assert_eq!(relay.uis(&body).await.0, 200);
    }
    // A line watcher added now was in no audience of the call, and employees are on it
    // already. (One added before `started` would have been: the audience is decided when
    // an event is stored, connected or not, so that resume can deliver it.)
    let late = relay.agent("Поздний", |a| a.lines = vec![line()]);
    let (mut late_stream, _) = relay.connect_live(&late).await;
    assert_eq!(relay.uis(&uis_ended(1, "200")).await.0, 200);
    // Markers stored after everything above.
    assert_eq!(relay.uis(&uis_started(2)).await.0, 200);
    assert_eq!(relay.uis(&uis_ringing(3, "100", 31)).await.0, 200);
    assert_eq!(relay.uis(&uis_ringing(4, "200", 41)).await.0, 200);

    let call_1 = [
        "uis:1:started:call",
        "uis:1:ringing:11",
        "uis:1:answered:12",
        "uis:1:ended:call",
    ];
    let mut expected: Vec<&str> = call_1.to_vec();
    expected.push("uis:2:started:call");
    assert_eq!(
        watcher_stream.events(5).await,
        expected,
        "the watcher follows call 1 to its end"
    );
    assert_eq!(
        anna_stream.events(4).await,
        [
            "uis:1:ringing:11",
            "uis:1:answered:12",
            "uis:1:ended:call",
            "uis:3:ringing:31"
        ],
        "Анна's card follows the call a colleague answered, and she never sees call 2"
    );
    assert_eq!(
        igor_stream.events(3).await,
        ["uis:1:answered:12", "uis:1:ended:call", "uis:4:ringing:41"],
        "Игорь sees the call from his answer on"
    );
    assert_eq!(
        late_stream.events(1).await,
        ["uis:2:started:call"],
        "the late watcher gets nothing of call 1, but the next call on the line"
    );
    let mut everything: Vec<&str> = call_1.to_vec();
    everything.extend(["uis:2:started:call", "uis:3:ringing:31", "uis:4:ringing:41"]);
    assert_eq!(
        boss_stream.events(7).await,
        everything,
        "a supervisor sees all"
    );
    relay.stop().await;
}

#[tokio::test]
async fn a_watcher_of_another_line_sees_nothing_of_this_one_live_or_on_resume() {
    let relay = TestRelay::start().await;
    let other_line = trubka_core::PhoneNumber::from_e164("+78121234567").unwrap();
    let spb = relay.agent("Питер", |a| a.lines = vec![other_line]);
    let (mut spb_stream, _) = relay.connect_live(&spb).await;
    assert_eq!(relay.uis(&uis_started(1)).await.0, 200);
    assert_eq!(relay.uis(&uis_ringing(1, "100", 11)).await.0, 200);
    let mut marker = uis_started(2);
    marker["virtual_phone_number"] = "78121234567".into();
    assert_eq!(relay.uis(&marker).await.0, 200);

    assert_eq!(
        spb_stream.event().await,
        (3, "uis:2:started:call".to_owned())
    );
    spb_stream.close().await;
    let mut resumed = relay.connect(&spb, "since=0").await;
    assert_eq!(resumed.hello().await, 3);
    assert_eq!(resumed.event().await, (3, "uis:2:started:call".to_owned()));
    resumed.close().await;
    relay.stop().await;
}
