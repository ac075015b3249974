//! A fake notification daemon: owns `org.freedesktop.Notifications` on the test's session
//! bus, records every `Notify` call and can press a notification's action button.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedValue;

/// One notification the app sent.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub(crate) id: u32,
    pub(crate) summary: String,
    pub(crate) body: String,
    /// Action keys and labels, flattened as on the wire: `[key, label, key, label, …]`.
    pub(crate) actions: Vec<String>,
}

#[derive(Clone, Default)]
struct Daemon {
    sent: Arc<Mutex<Vec<Sent>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Daemon {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut sent = self.sent.lock().expect("lock");
        let id = sent.len() as u32 + 1;
        sent.push(Sent {
            id,
            summary,
            body,
            actions,
        });
        id
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "trubka-test-daemon".into(),
            "trubka".into(),
            "1.0".into(),
            "1.2".into(),
        )
    }

    fn close_notification(&self, _id: u32) {}

    #[zbus(signal)]
    async fn action_invoked(
        emitter: &SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;
}

const PATH: &str = "/org/freedesktop/Notifications";

/// The running fake daemon.
pub(crate) struct FakeNotifications {
    connection: zbus::Connection,
    sent: Arc<Mutex<Vec<Sent>>>,
}

impl FakeNotifications {
    pub(crate) async fn start() -> anyhow::Result<FakeNotifications> {
        let daemon = Daemon::default();
        let sent = daemon.sent.clone();
        let connection = zbus::connection::Builder::session()?
            .name("org.freedesktop.Notifications")?
            .serve_at(PATH, daemon)?
            .build()
            .await?;
        Ok(FakeNotifications { connection, sent })
    }

    pub(crate) fn sent(&self) -> Vec<Sent> {
        self.sent.lock().expect("lock").clone()
    }

    /// Presses `action` on notification `id`, as a person clicking its button would.
    pub(crate) async fn invoke(&self, id: u32, action: &str) -> anyhow::Result<()> {
        let iface = self
            .connection
            .object_server()
            .interface::<_, Daemon>(PATH)
            .await?;
        Daemon::action_invoked(iface.signal_emitter(), id, action).await?;
        Ok(())
    }
}
