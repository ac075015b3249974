//! Recording links of UIS calls: `{media_base}/system/media/talk/{communication_id}/{hash}/`
//! with a hash from `call_records` of the calls report.
//!
//! The docs use `communication_id` in the calls report and `call_session_id` in the call-legs
//! report; for calls they are believed equal, so a row without `communication_id` falls back to
//! its session id. Whether the links need authentication is not documented.

use crate::uis::UisClient;
use crate::uis::data_api::CallReportRow;

/// The mp3 link of one recording under `media_base` (`https://app.uiscom.ru`).
pub fn record_url(media_base: &str, communication_id: u64, record_hash: &str) -> String {
    format!(
        "{}/system/media/talk/{communication_id}/{}/",
        media_base.trim_end_matches('/'),
        record_hash.trim_matches('/')
    )
}

impl UisClient {
    /// The mp3 link of one recording on the configured media host.
    pub fn record_url(&self, communication_id: u64, record_hash: &str) -> String {
        record_url(&self.media_base, communication_id, record_hash)
    }

    /// The links of every recording of a reported call, in report order.
    pub fn record_urls(&self, row: &CallReportRow) -> Vec<String> {
        let communication_id = row.communication_id.unwrap_or(row.id);
        row.call_records
            .iter()
            .map(|hash| self.record_url(communication_id, hash))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_matches_the_documented_shape() {
        assert_eq!(
            record_url(
                "https://app.uiscom.ru/",
                1197843161,
                "13f79da9cdad2dfaee5ef282712164a4"
            ),
            "https://app.uiscom.ru/system/media/talk/1197843161/13f79da9cdad2dfaee5ef282712164a4/"
        );
    }
}
