//! `trubka-cli login --invite` (the real binary) against a real relay: the page's link and the
//! app's `trubka://join` link both sign in and keep the token in the profile; a used link is
//! refused with the relay's words, and text that is no link is refused before any request.

use std::net::SocketAddr;

use chrono::TimeDelta;
use tokio::sync::oneshot;
use trubka_agent::profile::Profile;
use trubka_relay::{NewAgent, Relay, RelayConfig, Store};

use crate::common::{WAIT, cli, text};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_by_invite_link_stores_a_working_token_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("relay");
    let store = Store::open(&data).unwrap();
    let new = NewAgent {
        name: "Анна".to_owned(),
        uis_employee: Some("2339292".to_owned()),
        ..NewAgent::default()
    };
    let old_token = store.add_agent(&new).unwrap().1;
    let code = store.invite("Анна", TimeDelta::hours(1)).unwrap().code;

    let config = RelayConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: data.clone(),
        ..RelayConfig::default()
    };
    let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let relay = Relay::open(config).unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(relay.serve(listener, async move {
        let _ = stopped.await;
    }));

    let home = dir.path().join("agent");
    let link = format!("{url}/join/{}", code.0);
    let login = cli(&home, &["login", "--invite", &link]).await;
    assert!(login.status.success(), "{}", text(&login.stderr));
    let out = text(&login.stdout);
    assert!(
        out.contains(&format!(
            "Вход выполнен: Анна (UIS сотрудник 2339292) на {url}"
        )),
        "{out}"
    );
    let token = Profile::at(&home).unwrap().read_token().unwrap().unwrap();
    let agent = store.agent_by_token(&trubka_relay::AgentToken(token.clone()));
    assert_eq!(agent.unwrap().unwrap().name, "Анна");
    assert!(store.agent_by_token(&old_token).unwrap().is_none());

    // The same link again: refused, saying what to ask for; the profile keeps its token.
    let again = cli(&home, &["login", "--invite", &link]).await;
    assert!(!again.status.success());
    let said = text(&again.stderr);
    assert!(
        said.contains("уже использована") && said.contains("администратора"),
        "{said}"
    );
    assert_eq!(
        Profile::at(&home).unwrap().read_token().unwrap().as_deref(),
        Some(token.as_str())
    );

    // The app's link, as the page's button opens it.
    let code = store.invite("Анна", TimeDelta::hours(1)).unwrap().code;
    let app_link = trubka_relay::invites::app_link(&url, &code.0);
    let other = dir.path().join("other-pc");
    let login = cli(&other, &["login", "--invite", &app_link]).await;
    assert!(login.status.success(), "{}", text(&login.stderr));
    let newest = Profile::at(&other).unwrap().read_token().unwrap().unwrap();
    assert_ne!(newest, token);
    // The first PC's token was replaced: its next request is refused.
    let listen = cli(&home, &["scenarios"]).await;
    assert!(!listen.status.success());
    assert!(
        text(&listen.stderr).contains("token"),
        "{}",
        text(&listen.stderr)
    );

    let garbage = cli(&home, &["login", "--invite", "https://example.com/no"]).await;
    assert!(!garbage.status.success());
    assert!(
        text(&garbage.stderr).contains("is not an invite link"),
        "{}",
        text(&garbage.stderr)
    );
    let both = cli(&home, &["login", "--invite", &link, "--token", "x"]).await;
    assert!(!both.status.success(), "--invite goes alone");

    let _ = stop.send(());
    tokio::time::timeout(WAIT, task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
