//! The Linux implementation of every [`crate::platform`] piece: the system and session
//! buses (logind's sleep and screen lock, NetworkManager, the notification service),
//! freedesktop `.desktop` files,
//! the primary selection, WebKitGTK and `xdg-open`. Nothing outside `platform/` names any
//! of them.

mod browser;
mod links;
mod lock;
mod notify;
mod selection;
mod wake;
mod webview;

pub use notify::Shown;

/// The Linux implementation; the app reaches it as [`crate::platform::Os`].
#[derive(Debug, Clone, Copy)]
pub struct Linux;
