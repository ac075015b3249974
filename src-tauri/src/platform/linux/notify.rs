//! [`Notifications`] through notify-rust's client of `org.freedesktop.Notifications` on the
//! session bus: the server's name as the probe, `Notify` with one action, and the
//! `ActionInvoked`/`NotificationClosed` signals for the answer. With no session bus or no
//! daemon every call fails, and the app says so on its status line.

use notify_rust::{Notification, NotificationHandle, Timeout};

use super::Linux;
use crate::platform::{Notifications, Toast, Unavailable};

/// How long a notification stays up unless the daemon knows better.
const SHOWN_FOR_MS: u32 = 15_000;
/// The freedesktop icon name of a call.
const ICON: &str = "call-start";

/// A notification on screen: the daemon's handle and the key of its button.
pub struct Shown {
    handle: NotificationHandle,
    button: Option<&'static str>,
}

impl Notifications for Linux {
    type Shown = Shown;

    fn notification_service() -> Result<String, Unavailable> {
        notify_rust::get_server_information()
            .map(|info| info.name)
            .map_err(|e| Unavailable(e.to_string()))
    }

    fn show_notification(toast: &Toast) -> Result<Shown, Unavailable> {
        let mut n = Notification::new();
        n.appname("Trubka")
            .summary(&toast.summary)
            .body(&toast.body)
            .icon(ICON)
            .timeout(Timeout::Milliseconds(SHOWN_FOR_MS));
        if let Some(button) = &toast.button {
            n.action(button.key, &button.label);
        }
        let handle = n.show().map_err(|e| Unavailable(e.to_string()))?;
        Ok(Shown {
            handle,
            button: toast.button.as_ref().map(|b| b.key),
        })
    }

    fn button_pressed(shown: Shown) -> bool {
        let Some(key) = shown.button else {
            return false;
        };
        let mut pressed = false;
        // Returns when the daemon reports an action or the closing ("__closed").
        shown
            .handle
            .wait_for_action(|invoked| pressed = invoked == key);
        pressed
    }
}
