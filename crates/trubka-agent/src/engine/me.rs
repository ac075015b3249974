//! The agent's profile (`/v1/me`) read again at every connection to the relay.
//!
//! Sign-in stores the profile, but the admin may change it later (`agent edit`): make the
//! agent a supervisor, who may delete team contacts, or map another employee. Reading it again
//! whenever the stream connects keeps the settings true without signing in anew.

use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::Inner;
use crate::relay_client::ConnectionStatus;

/// Watches the connection and refreshes the stored profile each time it comes up.
pub(super) fn refresh_on_connect(inner: Arc<Inner>) -> JoinHandle<()> {
    let mut status: watch::Receiver<ConnectionStatus> = inner.status.subscribe();
    tokio::spawn(async move {
        let mut was_connected = false;
        loop {
            let connected = matches!(
                *status.borrow_and_update(),
                ConnectionStatus::Connected { .. }
            );
            if connected && !was_connected {
                refresh(&inner).await;
            }
            was_connected = connected;
            if status.changed().await.is_err() {
                return;
            }
        }
    })
}

async fn refresh(inner: &Inner) {
    let Ok(api) = inner.api() else { return };
    let me = match api.me().await {
        Ok(me) => me,
        Err(e) => {
            tracing::warn!("cannot read the agent's profile again: {e}");
            return;
        }
    };
    let mut settings = inner.settings.read().expect("settings lock").clone();
    if settings.me.as_ref() == Some(&me) {
        return;
    }
    settings.me = Some(me);
    let saved = settings.clone();
    match inner.store.call(move |conn| saved.save(conn)).await {
        Ok(()) => {
            tracing::info!("the agent's profile changed on the relay; kept");
            inner.settings.write().expect("settings lock").me = settings.me;
        }
        Err(e) => tracing::warn!("cannot keep the agent's new profile: {e}"),
    }
}
