//! [`Browser`] through `xdg-open` (xdg-utils): the desktop's handler of `https` links, or
//! `$BROWSER` where no desktop names one.

use std::process::{Command, Stdio};

use super::Linux;
use crate::platform::{Browser, Unavailable};

impl Browser for Linux {
    fn open_in_browser(url: &url::Url) -> Result<(), Unavailable> {
        let mut child = Command::new("xdg-open")
            .arg(url.as_str())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Unavailable(format!("xdg-open: {e}")))?;
        // xdg-open may wait for a browser it starts until that browser closes: it is reaped
        // on a thread of its own, and a failure only logged (the agent saw no browser come).
        std::thread::spawn(move || match child.wait() {
            Ok(status) if !status.success() => {
                tracing::warn!(%status, "xdg-open could not open a link");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "xdg-open could not be waited for"),
        });
        Ok(())
    }
}
