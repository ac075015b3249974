//! [`SchemeHandlers`] through the deep-link plugin: `register_all` writes
//! `trubka-handler.desktop` with `MimeType=x-scheme-handler/tel;…` under the user's
//! `applications` folder, runs `update-desktop-database` on it and makes it the default
//! handler of each scheme of `plugins.deep-link` (tauri.conf.json) with `xdg-mime`.

use tauri::AppHandle;
use tauri_plugin_deep_link::DeepLinkExt;

use super::Linux;
use crate::platform::{SchemeHandlers, Unavailable};

impl SchemeHandlers for Linux {
    fn register_schemes(app: &AppHandle) -> Result<(), Unavailable> {
        app.deep_link()
            .register_all()
            .map_err(|e| Unavailable(e.to_string()))
    }
}
