//! The `statistic/export` CSV: rows of the call log and the lines that could not be read.
//!
//! The export is `;`-separated CSV, UTF-8 with a BOM, with Russian headers. Its column set
//! depends on the 0/1 flags of the request, so columns are found by header name; unknown
//! columns are kept in [`SipuniCallRow::extra`]. A row whose cells cannot be read is reported in
//! [`SipuniExport::rejected`] with its line number and the reason; parsing never panics.
//! Times are the cabinet's local time (the export names no zone).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use crate::Result;
use crate::sipuni::bad;

/// The rows of an export and the lines that could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SipuniExport {
    pub rows: Vec<SipuniCallRow>,
    /// (line number in the CSV, reason).
    pub rejected: Vec<(u64, String)>,
}

/// `Тип` of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SipuniCallKind {
    Incoming,
    Outgoing,
    Internal,
    /// Any other text, kept verbatim.
    Other(String),
}

impl SipuniCallKind {
    fn parse(text: &str) -> SipuniCallKind {
        let lower = text.to_lowercase();
        if lower.starts_with("вход") {
            SipuniCallKind::Incoming
        } else if lower.starts_with("исход") {
            SipuniCallKind::Outgoing
        } else if lower.starts_with("внутр") {
            SipuniCallKind::Internal
        } else {
            SipuniCallKind::Other(text.to_owned())
        }
    }
}

/// An employee cell such as `205 (Фамилия Имя) 65`: number, name in parentheses, and what
/// follows (undocumented), plus the cell as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployeeCell {
    pub raw: String,
    /// The leading number (`205`), when the cell starts with digits.
    pub number: Option<String>,
    /// The text in parentheses (`Фамилия Имя`).
    pub name: Option<String>,
    /// Whatever follows the parentheses (`65`).
    pub suffix: Option<String>,
}

impl EmployeeCell {
    /// Splits a cell; never fails, the parts that are not there are `None`.
    pub fn parse(text: &str) -> EmployeeCell {
        let raw = text.trim().to_owned();
        let non_empty = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_owned())
        };
        let (head, name, suffix) = match (raw.find('('), raw.rfind(')')) {
            (Some(open), Some(close)) if open < close => (
                &raw[..open],
                non_empty(&raw[open + 1..close]),
                non_empty(&raw[close + 1..]),
            ),
            _ => (raw.as_str(), None, None),
        };
        let head = head.trim();
        let number =
            (!head.is_empty() && head.bytes().all(|b| b.is_ascii_digit())).then(|| head.to_owned());
        let name = match (&number, name) {
            (None, None) if !head.is_empty() => Some(head.to_owned()),
            (_, name) => name,
        };
        EmployeeCell {
            raw,
            number,
            name,
            suffix,
        }
    }
}

/// One call of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipuniCallRow {
    /// The CSV line the row starts on (the header is line 1).
    pub line: u64,
    /// `Тип`.
    pub kind: Option<SipuniCallKind>,
    /// `Статус`, verbatim.
    pub status: Option<String>,
    /// `Время`, the cabinet's local time.
    pub time: NaiveDateTime,
    /// `ID схемы звонка`, `Схема`.
    pub tree_id: Option<String>,
    pub tree_name: Option<String>,
    /// `Исходящая линия`.
    pub outgoing_line: Option<String>,
    /// `Откуда`, `Куда`.
    pub from: Option<String>,
    pub to: Option<String>,
    /// `Кому звонили`, `Кто разговаривал` (verbatim; may list several employees).
    pub ringed: Option<String>,
    pub talked: Option<String>,
    /// `Кто ответил`.
    pub answered_by: Option<EmployeeCell>,
    /// `Длительность звонка, сек`, `Длительность разговора, сек`, `Время ответа, сек`.
    pub call_duration: Option<u32>,
    pub talk_duration: Option<u32>,
    pub answer_time: Option<u32>,
    /// `Оценка`.
    pub rating: Option<String>,
    /// `ID записи`, the id for `statistic/record`.
    pub record_id: Option<String>,
    /// `Запись существует`.
    pub record_exists: Option<bool>,
    /// `Метка`, `Теги`.
    pub label: Option<String>,
    pub tags: Option<String>,
    /// `Инициатор завершения звонка`.
    pub hangup_initiator: Option<String>,
    /// `ID заказа звонка`.
    pub callback_order_id: Option<String>,
    /// `Новый клиент`.
    pub new_client: Option<bool>,
    /// Every other non-empty cell, by its header.
    pub extra: BTreeMap<String, String>,
}

impl SipuniCallRow {
    /// Whether someone talked: an employee answered or the talk lasted.
    pub fn was_answered(&self) -> bool {
        self.answered_by.is_some() || self.talk_duration.is_some_and(|d| d > 0)
    }
}

/// The columns this crate reads, by header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Kind,
    Status,
    Time,
    TreeId,
    TreeName,
    OutgoingLine,
    From,
    To,
    Ringed,
    Talked,
    AnsweredBy,
    CallDuration,
    TalkDuration,
    AnswerTime,
    Rating,
    RecordId,
    RecordExists,
    Label,
    Tags,
    HangupInitiator,
    CallbackOrderId,
    NewClient,
}

const HEADERS: &[(&str, Column)] = &[
    ("тип", Column::Kind),
    ("статус", Column::Status),
    ("время", Column::Time),
    ("id схемы звонка", Column::TreeId),
    ("схема", Column::TreeName),
    ("исходящая линия", Column::OutgoingLine),
    ("откуда", Column::From),
    ("куда", Column::To),
    ("кому звонили", Column::Ringed),
    ("кто разговаривал", Column::Talked),
    ("кто ответил", Column::AnsweredBy),
    ("длительность звонка, сек", Column::CallDuration),
    ("длительность разговора, сек", Column::TalkDuration),
    ("время ответа, сек", Column::AnswerTime),
    ("оценка", Column::Rating),
    ("id записи", Column::RecordId),
    ("запись существует", Column::RecordExists),
    ("метка", Column::Label),
    ("теги", Column::Tags),
    ("инициатор завершения звонка", Column::HangupInitiator),
    ("id заказа звонка", Column::CallbackOrderId),
    ("новый клиент", Column::NewClient),
];

fn column_of(header: &str) -> Option<Column> {
    let normalized = header
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    HEADERS
        .iter()
        .find(|(name, _)| *name == normalized)
        .map(|(_, column)| *column)
}

/// Parses an export body: BOM, `;`, quoted cells, headers by name.
pub fn parse_export(body: &[u8]) -> Result<SipuniExport> {
    let text = decode_text(body);
    let mut reader = csv_reader(&text);
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(err) => return Err(bad(format!("cannot read the export header: {err}"))),
    };
    if headers.iter().all(str::is_empty) {
        return Ok(SipuniExport::default());
    }
    let columns: Vec<Option<Column>> = headers.iter().map(column_of).collect();
    if !columns.contains(&Some(Column::Time)) {
        return Err(bad(format!(
            "the export has no «Время» column; headers: {}",
            headers.iter().collect::<Vec<_>>().join(";")
        )));
    }
    let mut export = SipuniExport::default();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, csv::Position::line);
                match read_row(line, &headers, &columns, &record) {
                    Ok(row) => export.rows.push(row),
                    Err(reason) => export.rejected.push((line, reason)),
                }
            }
            Err(err) => {
                let line = err.position().map_or(0, csv::Position::line);
                export.rejected.push((line, err.to_string()));
            }
        }
    }
    Ok(export)
}

/// Sipuni's CSV: `;`, quoted cells, rows of any length, cells trimmed.
pub(super) fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes())
}

/// UTF-8 without its BOM; a body that is not UTF-8 is read as Windows-1251. CRLF becomes LF
/// (the csv reader numbers lines one short after a CRLF header).
pub(super) fn decode_text(body: &[u8]) -> String {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let text = match std::str::from_utf8(body) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => encoding_rs::WINDOWS_1251.decode(body).0,
    };
    text.replace("\r\n", "\n")
}

fn read_row(
    line: u64,
    headers: &csv::StringRecord,
    columns: &[Option<Column>],
    record: &csv::StringRecord,
) -> std::result::Result<SipuniCallRow, String> {
    let mut time = None;
    let mut row = SipuniCallRow {
        line,
        kind: None,
        status: None,
        time: NaiveDateTime::MIN,
        tree_id: None,
        tree_name: None,
        outgoing_line: None,
        from: None,
        to: None,
        ringed: None,
        talked: None,
        answered_by: None,
        call_duration: None,
        talk_duration: None,
        answer_time: None,
        rating: None,
        record_id: None,
        record_exists: None,
        label: None,
        tags: None,
        hangup_initiator: None,
        callback_order_id: None,
        new_client: None,
        extra: BTreeMap::new(),
    };
    for (index, cell) in record.iter().enumerate() {
        if cell.is_empty() {
            continue;
        }
        let header = headers.get(index).unwrap_or("");
        let Some(column) = columns.get(index).copied().flatten() else {
            let key = if header.is_empty() {
                format!("#{}", index + 1)
            } else {
                header.to_owned()
            };
            row.extra.insert(key, cell.to_owned());
            continue;
        };
        let text = Some(cell.to_owned());
        match column {
            Column::Kind => row.kind = Some(SipuniCallKind::parse(cell)),
            Column::Status => row.status = text,
            Column::Time => time = Some(parse_time(cell).ok_or_else(|| bad_cell(header, cell))?),
            Column::TreeId => row.tree_id = text,
            Column::TreeName => row.tree_name = text,
            Column::OutgoingLine => row.outgoing_line = text,
            Column::From => row.from = text,
            Column::To => row.to = text,
            Column::Ringed => row.ringed = text,
            Column::Talked => row.talked = text,
            Column::AnsweredBy => row.answered_by = Some(EmployeeCell::parse(cell)),
            Column::CallDuration => row.call_duration = Some(seconds(header, cell)?),
            Column::TalkDuration => row.talk_duration = Some(seconds(header, cell)?),
            Column::AnswerTime => row.answer_time = Some(seconds(header, cell)?),
            Column::Rating => row.rating = text,
            Column::RecordId => row.record_id = text,
            Column::RecordExists => row.record_exists = Some(yes_no(header, cell)?),
            Column::Label => row.label = text,
            Column::Tags => row.tags = text,
            Column::HangupInitiator => row.hangup_initiator = text,
            Column::CallbackOrderId => row.callback_order_id = text,
            Column::NewClient => row.new_client = Some(yes_no(header, cell)?),
        }
    }
    row.time = time.ok_or_else(|| "the «Время» cell is empty".to_owned())?;
    Ok(row)
}

fn bad_cell(header: &str, cell: &str) -> String {
    format!("cannot read «{header}»: {cell:?}")
}

fn parse_time(cell: &str) -> Option<NaiveDateTime> {
    ["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(cell, format).ok())
}

fn seconds(header: &str, cell: &str) -> std::result::Result<u32, String> {
    cell.parse().map_err(|_| bad_cell(header, cell))
}

fn yes_no(header: &str, cell: &str) -> std::result::Result<bool, String> {
    match cell.to_lowercase().as_str() {
        "1" | "да" | "true" | "yes" => Ok(true),
        "0" | "нет" | "false" | "no" => Ok(false),
        _ => Err(bad_cell(header, cell)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sipuni::StatisticsFilter;
    use chrono::NaiveDate;

    const FULL: &str = "\u{feff}Тип;Статус;Время;ID схемы звонка;Схема;Исходящая линия;Откуда;Куда;\
Кому звонили;Кто разговаривал;Кто ответил;Длительность звонка, сек;Длительность разговора, сек;\
Время ответа, сек;Оценка;ID записи;Метка;Теги;Инициатор завершения звонка;ID заказа звонка;\
Запись существует;Новый клиент;Состояние перезвона;Время перезвона;Информация из CRM;\
Ответственный из CRM\n\
Входящий;Отвечен;12.05.2026 10:15:03;000-1734442;Входящая;;79260000000;74993720692;\
\"201 (Иванов Иван) 12, 202 (Петрова Анна) 12\";201;201 (Иванов Иван) 65;157;131;12;5;\
1774372584.533596;;\"VIP; срочно\";Клиент;;1;0;;;;\n\
Исходящий;Не отвечен;12.05.2026 11:00:00;000-1734445;Исходящая;74993720692;201;79261112233;;;;30;0;;;;;;;;0;1;;;;\n";

    #[test]
    fn full_export_with_bom_quotes_and_employee_cells() {
        let export = parse_export(FULL.as_bytes()).unwrap();
        assert_eq!(export.rejected, vec![]);
        assert_eq!(export.rows.len(), 2);
        let first = &export.rows[0];
        assert_eq!(first.line, 2);
        assert_eq!(first.kind, Some(SipuniCallKind::Incoming));
        assert_eq!(first.status.as_deref(), Some("Отвечен"));
        assert_eq!(first.time.to_string(), "2026-05-12 10:15:03");
        assert_eq!(first.tree_id.as_deref(), Some("000-1734442"));
        assert_eq!(first.from.as_deref(), Some("79260000000"));
        assert_eq!(
            first.ringed.as_deref(),
            Some("201 (Иванов Иван) 12, 202 (Петрова Анна) 12")
        );
        let answered = first.answered_by.as_ref().unwrap();
        assert_eq!(answered.number.as_deref(), Some("201"));
        assert_eq!(answered.name.as_deref(), Some("Иванов Иван"));
        assert_eq!(answered.suffix.as_deref(), Some("65"));
        assert_eq!(first.call_duration, Some(157));
        assert_eq!(first.talk_duration, Some(131));
        assert_eq!(first.answer_time, Some(12));
        assert_eq!(first.record_id.as_deref(), Some("1774372584.533596"));
        assert_eq!(first.tags.as_deref(), Some("VIP; срочно"));
        assert_eq!(first.hangup_initiator.as_deref(), Some("Клиент"));
        assert_eq!(first.record_exists, Some(true));
        assert_eq!(first.new_client, Some(false));
        assert!(first.was_answered());
        assert!(first.extra.is_empty());

        let second = &export.rows[1];
        assert_eq!(second.kind, Some(SipuniCallKind::Outgoing));
        assert_eq!(second.outgoing_line.as_deref(), Some("74993720692"));
        assert_eq!(second.answered_by, None);
        assert_eq!(second.talk_duration, Some(0));
        assert_eq!(second.answer_time, None);
        assert_eq!(second.new_client, Some(true));
        assert!(!second.was_answered());
    }

    #[test]
    fn reduced_and_reordered_columns_are_found_by_name() {
        let csv = "\u{feff}Время;Тип;Откуда;Куда;Кто ответил;Длительность разговора, сек;\
Колонка из будущего;ID записи\r\n\
12.05.2026 09:00:01;Внутренний;201;202;202 (Сидоров Пётр) 3;44;abc;rec-1\r\n";
        let export = parse_export(csv.as_bytes()).unwrap();
        assert_eq!(export.rejected, vec![]);
        let row = &export.rows[0];
        assert_eq!(row.line, 2);
        assert_eq!(row.kind, Some(SipuniCallKind::Internal));
        assert_eq!(row.time.to_string(), "2026-05-12 09:00:01");
        assert_eq!(row.talk_duration, Some(44));
        assert_eq!(row.call_duration, None);
        assert_eq!(row.record_id.as_deref(), Some("rec-1"));
        assert_eq!(
            row.extra.get("Колонка из будущего").map(String::as_str),
            Some("abc")
        );
    }

    #[test]
    fn bad_rows_are_reported_with_their_line_and_the_rest_kept() {
        let csv = "Тип;Время;Длительность звонка, сек;Запись существует\n\
Входящий;12.05.2026 10:00:00;15;1\n\
Входящий;вчера;15;1\n\
Входящий;12.05.2026 10:05:00;пятнадцать;1\n\
Входящий;12.05.2026 10:06:00;15;может быть\n\
Входящий;;15;1\n\
Исходящий;12.05.2026 10:07;9\n";
        let export = parse_export(csv.as_bytes()).unwrap();
        assert_eq!(export.rows.len(), 2);
        assert_eq!(export.rows[0].line, 2);
        assert_eq!(export.rows[1].line, 7);
        assert_eq!(export.rows[1].time.to_string(), "2026-05-12 10:07:00");
        assert_eq!(export.rows[1].record_exists, None);
        let lines: Vec<u64> = export.rejected.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6]);
        assert!(export.rejected[0].1.contains("«Время»"));
        assert!(export.rejected[1].1.contains("пятнадцать"));
        assert!(export.rejected[3].1.contains("empty"));
    }

    #[test]
    fn empty_body_is_an_empty_export_and_missing_time_column_an_error() {
        assert_eq!(parse_export(b"").unwrap(), SipuniExport::default());
        assert_eq!(
            parse_export(b"\xEF\xBB\xBF").unwrap(),
            SipuniExport::default()
        );
        let err = parse_export("Тип;Откуда\nВходящий;79260000000\n".as_bytes()).unwrap_err();
        assert_eq!(err.code(), "pbx_bad_response");
    }

    #[test]
    fn windows_1251_body_is_decoded() {
        let (bytes, _, _) =
            encoding_rs::WINDOWS_1251.encode("Время;Тип\n12.05.2026 10:00:00;Входящий\n");
        let export = parse_export(&bytes).unwrap();
        assert_eq!(export.rows[0].kind, Some(SipuniCallKind::Incoming));
    }

    #[test]
    fn employee_cells() {
        let plain = EmployeeCell::parse("205");
        assert_eq!(plain.number.as_deref(), Some("205"));
        assert_eq!(plain.name, None);
        let name_only = EmployeeCell::parse("Иванов Иван");
        assert_eq!(name_only.number, None);
        assert_eq!(name_only.name.as_deref(), Some("Иванов Иван"));
        let full = EmployeeCell::parse(" 205 (Фамилия Имя) 65 ");
        assert_eq!(full.raw, "205 (Фамилия Имя) 65");
        assert_eq!(
            (
                full.number.as_deref(),
                full.name.as_deref(),
                full.suffix.as_deref()
            ),
            (Some("205"), Some("Фамилия Имя"), Some("65"))
        );
        let odd = EmployeeCell::parse(")(");
        assert_eq!(odd.number, None);
        assert_eq!(odd.name.as_deref(), Some(")("));
    }

    #[test]
    fn params_follow_the_reference_example_in_hash_order() {
        let params = StatisticsFilter::default().params(
            NaiveDate::from_ymd_opt(2026, 5, 12).unwrap(),
            NaiveDate::from_ymd_opt(2026, 5, 12).unwrap(),
        );
        let names: Vec<&str> = params.iter().map(|(name, _)| *name).collect();
        let mut sorted = names.clone();
        sorted.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        assert_eq!(names, sorted);
        let form: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            form.join("&"),
            "anonymous=1&crmLinks=0&dtmfUserAnswer=0&firstTime=0&from=12.05.2026&fromNumber=\
             &hangupinitor=1&ignoreSpecChar=1&names=1&numbersInvolved=1&numbersRinged=1\
             &outgoingLine=1&rating=&showTreeId=1&state=0&timeFrom=00:00&timeTo=23:59\
             &to=12.05.2026&toAnswer=&toNumber=&tree=&type=0"
        );
    }
}
