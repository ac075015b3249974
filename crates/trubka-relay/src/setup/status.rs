//! `trubka-relay status`: whether the PBXs' notifications reach this relay, before any real
//! call. For each provider and event kind, the last notification heard; then the last
//! requests turned away (a wrong token in the URL, a body the relay cannot read) with the
//! reason in words. Read from the database, so it works beside a running relay.

use std::io::{self, Write};

use chrono::DateTime;
use trubka_core::{EventKind, Lang, tr};

use crate::store::Rejected;
use crate::store::activity::Heard;

/// How many refused requests are listed.
pub const REFUSED_SHOWN: usize = 5;
/// Longest message shown for a refused request, in characters.
const MESSAGE_SHOWN: usize = 240;

/// The providers, as stored, with the names shown.
const PROVIDERS: [(&str, &str); 2] = [("uis", "UIS"), ("sipuni", "Sipuni")];

/// Writes the report of what `store` heard and refused (the newest [`REFUSED_SHOWN`]), in
/// `lang`. A refusal's reason code and message are the relay's log words, shown as stored.
pub fn write(
    heard: &[Heard],
    refused: &[Rejected],
    lang: Lang,
    out: &mut impl Write,
) -> io::Result<()> {
    writeln!(
        out,
        "{}",
        lang.pick(
            "Последние уведомления по видам событий (время UTC):",
            "The last notification of each event kind (UTC times):",
        )
    )?;
    for (provider, label) in PROVIDERS {
        let any = heard.iter().any(|h| h.provider == provider);
        for kind in &EventKind::ALL {
            let last = heard
                .iter()
                .find(|h| h.provider == provider && h.kind == kind.as_str());
            match last {
                Some(h) => writeln!(
                    out,
                    "  {label:<7}{:<10} {}  {}",
                    kind.as_str(),
                    time(h.at_ms),
                    h.event_id
                )?,
                // Only UIS has notifications of an unknown event type; none is good news.
                None if *kind == EventKind::Update => {}
                None => writeln!(out, "  {label:<7}{:<10} —", kind.as_str())?,
            }
        }
        if !any {
            let command = if provider == "uis" {
                "uis-templates"
            } else {
                "sipuni-setup"
            };
            writeln!(
                out,
                "{}",
                tr!(
                    lang,
                    "  {label}: ни одного уведомления. Проверьте URL в кабинете (`trubka-relay \
                     {command}`) и что релей доступен из интернета по public_url.",
                    "  {label}: not one notification. Check the URL in the cabinet \
                     (`trubka-relay {command}`) and that the relay is reachable from the \
                     internet at public_url."
                )
            )?;
        }
    }
    if heard
        .iter()
        .any(|h| h.provider == "uis" && h.kind == EventKind::Update.as_str())
    {
        writeln!(
            out,
            "{}",
            lang.pick(
                "  ⚠ UIS присылает уведомления, по которым не понять событие (update): дайте им \
                 названия типов событий или адреса из `trubka-relay uis-templates`.",
                "  ⚠ UIS sends notifications that do not tell their event (update): give them \
                 the event types' names or the addresses from `trubka-relay uis-templates`.",
            )
        )?;
    }
    writeln!(out)?;
    if refused.is_empty() {
        writeln!(
            out,
            "{}",
            lang.pick("Отклонённых запросов нет.", "No requests were turned away.")
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "{}",
        lang.pick(
            "Последние отклонённые запросы (новые сверху):",
            "The last requests turned away (newest first):",
        )
    )?;
    for r in refused {
        let message: String = r.message.chars().take(MESSAGE_SHOWN).collect();
        writeln!(
            out,
            "  {}  {:<7}{}: {message}",
            time(r.at_ms),
            r.provider,
            r.reason_code
        )?;
    }
    Ok(())
}

fn time(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| ms.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(heard: &[Heard], refused: &[Rejected], lang: Lang) -> String {
        let mut out = Vec::new();
        write(heard, refused, lang, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn says_what_was_heard_what_was_not_and_what_was_refused() {
        let heard = [Heard {
            provider: "uis".into(),
            kind: "ended".into(),
            at_ms: 1_796_000_000_000,
            event_id: "uis:1:ended:call".into(),
        }];
        let refused = [Rejected {
            at_ms: 1_796_000_100_000,
            provider: "sipuni".into(),
            reason_code: "wrong_token".into(),
            message: "the hook token in the URL is not this relay's".into(),
            query: String::new(),
            body: Vec::new(),
        }];
        let text = report(&heard, &refused, Lang::Ru);
        assert!(text.contains("UIS    ended      2026-11-30 "), "{text}");
        assert!(text.contains("UIS    started    —"), "{text}");
        assert!(text.contains("Sipuni: ни одного уведомления"), "{text}");
        assert!(!text.contains("UIS: ни одного"), "{text}");
        assert!(
            text.contains("sipuni wrong_token: the hook token"),
            "{text}"
        );
        let english = report(&heard, &refused, Lang::En);
        assert!(
            english.starts_with("The last notification of each event kind (UTC times):\n"),
            "{english}"
        );
        assert!(
            english.contains("UIS    ended      2026-11-30 "),
            "{english}"
        );
        assert!(
            english.contains("Sipuni: not one notification. Check the URL"),
            "{english}"
        );
        assert!(
            english.contains("The last requests turned away (newest first):"),
            "{english}"
        );
        assert_eq!(
            trubka_core::cyrillic_outside_quotes(&english),
            "",
            "{english}"
        );
    }

    #[test]
    fn quiet_reports_are_said_in_either_language() {
        let update = [Heard {
            provider: "uis".into(),
            kind: "update".into(),
            at_ms: 1_796_000_000_000,
            event_id: "uis:2:update:call".into(),
        }];
        let russian = report(&update, &[], Lang::Ru);
        assert!(russian.contains("⚠ UIS присылает уведомления"), "{russian}");
        assert!(
            russian.ends_with("Отклонённых запросов нет.\n"),
            "{russian}"
        );
        let english = report(&update, &[], Lang::En);
        assert!(
            english.contains("⚠ UIS sends notifications that do not tell"),
            "{english}"
        );
        assert!(
            english.ends_with("No requests were turned away.\n"),
            "{english}"
        );
    }
}
