//! [`Selection`]: the primary selection that X11 and Wayland keep apart from the clipboard
//! (what middle click pastes), read through arboard.

use arboard::{Clipboard, GetExtLinux, LinuxClipboardKind};

use super::Linux;
use crate::platform::Selection;

impl Selection for Linux {
    fn selected_text(clipboard: &mut Clipboard) -> Option<String> {
        clipboard
            .get()
            .clipboard(LinuxClipboardKind::Primary)
            .text()
            .ok()
    }
}
