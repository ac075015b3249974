//! The storage part of `trubka-relay status`: how big the database and its WAL are, which
//! events are still kept, and what `[retention]` removes (see `crate::retention`).

use std::io::{self, Write};

use chrono::DateTime;
use trubka_core::{Lang, tr};

use crate::config::RetentionConfig;
use crate::store::Storage;

/// Writes the storage report.
pub fn write(
    storage: &Storage,
    retention: &RetentionConfig,
    lang: Lang,
    out: &mut impl Write,
) -> io::Result<()> {
    writeln!(out, "{}", tr!(lang, "База данных:", "Database:"))?;
    writeln!(
        out,
        "  {}",
        tr!(
            lang,
            "relay.db {}, WAL {}, из них свободно для повторного использования {}",
            "relay.db {}, WAL {}, of which free for reuse {}",
            size(storage.database_bytes),
            size(storage.wal_bytes),
            size(storage.free_bytes)
        )
    )?;
    match storage.oldest {
        Some((seq, at_ms)) => writeln!(
            out,
            "  {}",
            tr!(
                lang,
                "события с №{} ({} UTC) по №{}",
                "events from #{} ({} UTC) to #{}",
                seq,
                time(at_ms),
                storage.newest
            )
        )?,
        None => writeln!(out, "  {}", tr!(lang, "событий нет", "no events"))?,
    }
    writeln!(
        out,
        "  {}",
        tr!(
            lang,
            "хранение ([retention]): исходные уведомления {} дн., события {} дн.",
            "retention ([retention]): raw notifications {} days, events {} days",
            retention.raw_payload_days,
            retention.events_days
        )
    )?;
    if let Some(seq) = storage.pruned_before {
        writeln!(
            out,
            "  {}",
            tr!(
                lang,
                "события до №{seq} удалены по сроку хранения (кроме звонков, ещё не вышедших из срока)",
                "events before #{seq} were deleted by retention (except calls not yet past it)"
            )
        )?;
    }
    if let Some(seq) = storage.raw_erased_before {
        writeln!(
            out,
            "  {}",
            tr!(
                lang,
                "у событий до №{seq} исходные уведомления стёрты",
                "events before #{seq} have their raw notifications erased"
            )
        )?;
    }
    if !storage.shrinks {
        writeln!(
            out,
            "  {}",
            tr!(
                lang,
                "файл создан до автоочистки: освобождённое место используется снова, но файл не \
                 уменьшается (как его уменьшить — docs/protocol.md, «Retention»)",
                "the file predates auto-vacuum: freed space is reused but the file does not \
                 shrink (docs/protocol.md, «Retention», says how to convert it)"
            )
        )?;
    }
    Ok(())
}

/// Bytes in the largest unit that keeps a number above 1.
fn size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

fn time(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| ms.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(storage: &Storage, lang: Lang) -> String {
        let mut out = Vec::new();
        write(storage, &RetentionConfig::default(), lang, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn says_sizes_the_kept_range_and_what_retention_removed() {
        let storage = Storage {
            oldest: Some((1200, 1_796_000_000_000)),
            newest: 4758,
            pruned_before: Some(1200),
            raw_erased_before: None,
            database_bytes: 7_969_177,
            wal_bytes: 0,
            free_bytes: 4096,
            shrinks: true,
        };
        let text = report(&storage, Lang::Ru);
        assert!(text.contains("relay.db 7.6 MiB, WAL 0 KiB"), "{text}");
        assert!(text.contains("события с №1200 (2026-11-30 "), "{text}");
        assert!(text.contains("по №4758"), "{text}");
        assert!(text.contains("события до №1200 удалены"), "{text}");
        assert!(text.contains("события 90 дн."), "{text}");
        assert!(!text.contains("автоочистки"), "{text}");
        let text = report(&storage, Lang::En);
        assert!(text.contains("events before #1200 were deleted"), "{text}");

        let old = Storage {
            oldest: None,
            pruned_before: None,
            shrinks: false,
            ..storage
        };
        let text = report(&old, Lang::En);
        assert!(text.contains("no events"), "{text}");
        assert!(text.contains("predates auto-vacuum"), "{text}");
        assert!(!text.contains("deleted by retention"), "{text}");
    }
}
