//! `/hooks/uis/{token}/route` (UIS interactive call processing) over real HTTP, with personal
//! managers set through `manager set`, the ring phone given or looked up in the simulated UIS.

use serde_json::{Value, json};
use trubka_relay::setup::manager;

use crate::common::read_json;
use crate::support::{ANNA_UIS, IGOR_UIS, Pbx, UIS_HOOK, form};

async fn ask(pbx: &Pbx, body: RouteBody<'_>) -> (u16, Value) {
    let url = pbx.relay_url(&format!("/hooks/uis/{UIS_HOOK}/route"));
    let request = match body {
        RouteBody::Form(pairs) => pbx
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(pairs)),
        RouteBody::Query(pairs) => pbx.http.get(format!("{url}?{}", form(pairs))),
        RouteBody::Json(value) => pbx.http.post(url).json(&value),
    };
    read_json(request.send().await.unwrap()).await
}

enum RouteBody<'a> {
    Form(&'a [(&'a str, &'a str)]),
    Query(&'a [(&'a str, &'a str)]),
    Json(Value),
}

#[tokio::test]
async fn callers_with_a_personal_manager_are_sent_to_their_phone() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    pbx.agent("Анна", |new| {
        new.uis_employee = Some(ANNA_UIS.to_owned())
    });
    pbx.agent("Игорь", |new| {
        new.uis_employee = Some(IGOR_UIS.to_owned())
    });
    let mut out = Vec::new();
    manager::set(
        &pbx.config,
        "8 (926) 123-45-67",
        "Анна",
        Some("+7 903 000-00-01"),
        &mut out,
    )
    .await
    .unwrap();
    // No --phone: the agent's active phone in UIS (the simulator's SIP number 0{app}{ext}).
    manager::set(&pbx.config, "+7 916 111-22-33", "Игорь", None, &mut out)
        .await
        .unwrap();
    let printed = String::from_utf8(out).unwrap();
    assert!(
        printed.contains("+79261234567: Анна (UIS позвонит на 79030000001)"),
        "{printed}"
    );
    assert!(printed.contains("044431202"), "{printed}");
    // The lookup asked UIS once; routing will not.
    let data_requests = pbx.sim_requests("uis_data_api").await.len();

    let caller = [
        ("cdr_id", "5512334"),
        ("start_time", "1715508903"),
        ("input_result", "None"),
        ("numa", "79261234567"),
        ("numb", "74951234567"),
        ("call_session_id", "1197843161"),
    ];
    let (status, body) = ask(&pbx, RouteBody::Form(&caller)).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"phones": ["79030000001"]}));
    let (_, body) = ask(&pbx, RouteBody::Query(&[("numa", "89161112233")])).await;
    assert_eq!(body, json!({"phones": ["044431202"]}));
    let (_, body) = ask(
        &pbx,
        RouteBody::Json(json!({"numa": 79261234567u64, "numb": 74951234567u64})),
    )
    .await;
    assert_eq!(body, json!({"phones": ["79030000001"]}));
    assert_eq!(pbx.sim_requests("uis_data_api").await.len(), data_requests);

    let mut out = Vec::new();
    manager::list(&pbx.config, &mut out).unwrap();
    let listed = String::from_utf8(out).unwrap();
    assert!(
        listed.contains("+79161112233\tИгорь\t044431202"),
        "{listed}"
    );
    assert!(
        listed.contains("+79261234567\tАнна\t79030000001"),
        "{listed}"
    );
    pbx.stop().await;
}

#[tokio::test]
async fn everyone_else_goes_down_the_scenario_default_branch() {
    let pbx = Pbx::start(|_| {}, |_| {}).await;
    pbx.agent("Анна", |_| {});
    let mut out = Vec::new();
    manager::set(
        &pbx.config,
        "+79261234567",
        "Анна",
        Some("79030000001"),
        &mut out,
    )
    .await
    .unwrap();
    let default = json!({"returned_code": 1});
    let (status, body) = ask(&pbx, RouteBody::Form(&[("numa", "79250000000")])).await;
    assert_eq!((status, &body), (200, &default), "no manager");
    let (_, body) = ask(&pbx, RouteBody::Form(&[("numb", "74951234567")])).await;
    assert_eq!(body, default, "no caller number");
    let (_, body) = ask(&pbx, RouteBody::Form(&[("numa", "anonymous")])).await;
    assert_eq!(body, default, "hidden caller");

    let response = pbx
        .http
        .post(pbx.relay_url("/hooks/uis/wrong-token/route"))
        .body("numa=79261234567")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);

    pbx.store().revoke_agent("Анна").unwrap();
    let (_, body) = ask(&pbx, RouteBody::Form(&[("numa", "79261234567")])).await;
    assert_eq!(body, default, "a revoked agent routes nobody");

    let mut out = Vec::new();
    manager::unset(&pbx.config, "8 926 123 45 67", &mut out).unwrap();
    assert!(String::from_utf8(out).unwrap().contains("снят"));
    pbx.stop().await;
}

#[tokio::test]
async fn manager_set_explains_what_it_cannot_do() {
    let pbx = Pbx::start(|config| config.uis.api_key = None, |_| {}).await;
    pbx.agent("Анна", |new| {
        new.uis_employee = Some(ANNA_UIS.to_owned())
    });
    let mut out = Vec::new();
    let err = manager::set(&pbx.config, "+79261234567", "Анна", None, &mut out)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("--phone"), "{err}");
    let err = manager::set(&pbx.config, "201", "Анна", Some("79030000001"), &mut out)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a phone number"), "{err}");
    let err = manager::set(
        &pbx.config,
        "+79261234567",
        "Никто",
        Some("79030000001"),
        &mut out,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("no agent named"), "{err}");
    pbx.stop().await;
}
