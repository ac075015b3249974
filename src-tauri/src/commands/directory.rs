//! The team directory's extras on the contacts screen and the card: a team contact's history
//! (who changed what, when) and «Открыть в CRM», the contact's CRM page in the browser.

use tauri::State;

use crate::dto::directory::ContactChangeDto;
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::platform::{Browser, Os};
use crate::state::AppState;

/// The history of contact `id` (the local id), newest change first, as the relay keeps it.
/// A private contact has none: it lives on this desktop only.
#[tauri::command]
pub async fn contact_history(
    state: State<'_, AppState>,
    id: i64,
) -> CommandResult<Vec<ContactChangeDto>> {
    let engine = &state.engine;
    let Some(team) = engine.contact_meta(id).await?.team else {
        return Err(CommandError::new(
            ErrorKind::Invalid,
            format!("contact {id} is private: only team contacts keep a history"),
        ));
    };
    let found = engine.contact_history(team.id).await?;
    Ok(found.history.iter().map(ContactChangeDto::from).collect())
}

/// Opens a CRM link in the user's browser. Only `http` and `https` links: a link comes from
/// the directory or a CRM's answer, and anything else (`file:`, `javascript:`, a program's
/// scheme) is not a web page to open from a click.
#[tauri::command]
pub fn open_crm_link(url: String) -> CommandResult<()> {
    let link = web_link(&url)?;
    Os::open_in_browser(&link).map_err(|e| CommandError::new(ErrorKind::Io, e.0))
}

/// `text` as an http(s) URL, or why not.
fn web_link(text: &str) -> CommandResult<url::Url> {
    // `Invalid`, not `BadUrl`: the UI words `BadUrl` as the relay's address.
    let link = url::Url::parse(text.trim())
        .map_err(|e| CommandError::new(ErrorKind::Invalid, format!("{text}: {e}")))?;
    match link.scheme() {
        "http" | "https" => Ok(link),
        other => Err(CommandError::new(
            ErrorKind::Invalid,
            format!("{text}: a CRM link is http or https, not {other}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_links_open() {
        let ok = web_link(" https://crm.example.ru/client/42?tab=calls ").expect("https");
        assert_eq!(ok.as_str(), "https://crm.example.ru/client/42?tab=calls");
        assert!(web_link("http://10.0.0.5:8080/c/1").is_ok());
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "trubka://join/x",
            "crm.example.ru/client/42",
            "",
        ] {
            let e = web_link(bad).expect_err(bad);
            assert_eq!(e.kind, ErrorKind::Invalid, "{bad}");
        }
    }
}
