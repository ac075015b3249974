//! Importing and exporting contacts: CSV (Russian/English headers, `;`/`,`, BOM,
//! Windows-1251), vCard 3.0/4.0, bad rows by line, re-import and round trips.

use trubka_agent::contacts::import_csv::BadRowReason;
use trubka_agent::engine::contacts::ExportFormat;

const RUSSIAN_CSV: &str = "\u{feff}ФИО;Телефон;Мобильный;Компания;E-mail;Должность;Комментарий;Город\n\
Иван Петров;8 (812) 123-45-67;+7 926 123-45-67, 8-916-000-11-22;ООО Ромашка;ivan@romashka.ru;Директор;\"Звонить\nпосле обеда\";Санкт-Петербург\n\
;;;ООО Пусто;;;;\n\
Мария Сидорова;звоните в офис;;;;;;\n\
Ольга Ким;8-800-555-35-35 / +7 (495) 123-45-67;;ИП Ким;;;;Москва\n\
\n\
;+7 903 111-22-33;;;;;;\n";

#[tokio::test]
async fn russian_csv_with_bad_rows_reports_lines_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let engine = crate::common::engine(dir.path()).await;
    let report = engine
        .import_contacts_bytes(RUSSIAN_CSV.as_bytes().to_vec())
        .await
        .unwrap();
    assert_eq!(report.format, "csv");
    assert_eq!(report.imported, 3, "{report:?}");
    let bad: Vec<(u64, BadRowReason)> = report
        .bad_rows
        .iter()
        .map(|b| (b.line, b.reason.clone()))
        .collect();
    assert_eq!(
        bad,
        vec![
            (4, BadRowReason::NoNameNoNumber),
            (
                5,
                BadRowReason::BadNumber {
                    value: "звоните в офис".into()
                }
            ),
        ]
    );

    let ivan = engine.find_contacts("+78121234567").await.unwrap();
    assert_eq!(ivan.matches.len(), 1);
    let c = &ivan.matches[0].matched.contact;
    assert_eq!(c.name, "Иван Петров");
    assert_eq!(c.company.as_deref(), Some("ООО Ромашка"));
    assert_eq!(c.email.as_deref(), Some("ivan@romashka.ru"));
    assert_eq!(c.position.as_deref(), Some("Директор"));
    assert_eq!(c.notes.as_deref(), Some("Звонить\nпосле обеда"));
    assert_eq!(
        c.fields.get("Город").map(String::as_str),
        Some("Санкт-Петербург")
    );
    let phones: Vec<(&str, Option<&str>)> = c
        .phones()
        .map(|n| (n.raw.as_str(), n.label.as_deref()))
        .collect();
    assert_eq!(
        phones,
        vec![
            ("8 (812) 123-45-67", None),
            ("+7 926 123-45-67", Some("Мобильный")),
            ("8-916-000-11-22", Some("Мобильный")),
        ]
    );
    // Every number of a multi-number cell is found, stored raw + E.164 + national digits.
    assert_eq!(
        engine.find_contacts("89160001122").await.unwrap().matches[0]
            .matched
            .contact
            .id,
        c.id
    );
    let n = c.phones().next().unwrap();
    assert_eq!(
        (n.e164.as_deref(), n.national.as_str()),
        (Some("+78121234567"), "8121234567")
    );

    let olga = engine.find_contacts("+7 800 555 35 35").await.unwrap();
    assert_eq!(olga.matches[0].matched.contact.name, "Ольга Ким");
    // A contact with a number and no name is kept; it shows as its number.
    let nameless = engine.find_contacts("89031112233").await.unwrap();
    assert_eq!(
        nameless.matches[0].matched.contact.display_name(),
        "+7 903 111-22-33"
    );

    // Importing the same file again adds nothing.
    let again = engine
        .import_contacts_bytes(RUSSIAN_CSV.as_bytes().to_vec())
        .await
        .unwrap();
    assert_eq!((again.imported, again.unchanged), (0, 3));
    assert_eq!(engine.all_contacts().await.unwrap().len(), 3);
}

#[tokio::test]
async fn windows_1251_comma_csv_with_english_and_split_name_columns() {
    let text = "Last name,First name,Phone,Organization,Notes,Source\n\
Петров,Иван,\"8 (812) 123-45-67; 8 (812) 765-43-21\",\"ООО \"\"Ромашка\"\"\",VIP,выставка\n\
Smith,John,+1 202 555 0173,,,\n\
Безномерный,,12,,,\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
    let dir = tempfile::tempdir().unwrap();
    let engine = crate::common::engine(dir.path()).await;
    let report = engine
        .import_contacts_bytes(bytes.into_owned())
        .await
        .unwrap();
    assert_eq!(report.encoding, "windows-1251");
    assert_eq!(report.imported, 2);
    assert_eq!(report.bad_rows.len(), 1);
    assert_eq!(report.bad_rows[0].line, 4);
    assert!(matches!(
        report.bad_rows[0].reason,
        BadRowReason::BadNumber { .. }
    ));
    let found = engine.find_contacts("+78127654321").await.unwrap();
    let c = &found.matches[0].matched.contact;
    assert_eq!(c.name, "Петров Иван");
    assert_eq!(c.company.as_deref(), Some("ООО \"Ромашка\""));
    assert_eq!(c.notes.as_deref(), Some("VIP"));
    assert_eq!(c.fields.get("Source").map(String::as_str), Some("выставка"));
    assert_eq!(
        engine
            .find_contacts("12025550173")
            .await
            .unwrap()
            .matches
            .len(),
        1
    );
    assert_eq!(
        engine
            .find_contacts("+1 202 555 0173")
            .await
            .unwrap()
            .matches[0]
            .matched
            .contact
            .name,
        "Smith John"
    );
}

const VCARDS: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Иван Петров\r\nN:Петров;Иван;;;\r\n\
TEL;TYPE=CELL,VOICE:+7 926 123-45-67\r\nTEL;TYPE=WORK:8 (812) 123-45-67\r\nORG:ООО Ромашка;Отдел продаж\r\n\
EMAIL;TYPE=INTERNET:ivan@romashka.ru\r\nNOTE:Длинная заметка\\, которая перенесена\r\n  на следующую строку\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:4.0\r\nN:Ким;Ольга;;;\r\nTEL;VALUE=uri;TYPE=home:tel:+7-495-123-45-67\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nORG:Никто\r\nEND:VCARD\r\n";

#[tokio::test]
async fn vcard_import_handles_types_folding_and_structured_names() {
    let dir = tempfile::tempdir().unwrap();
    let engine = crate::common::engine(dir.path()).await;
    let report = engine
        .import_contacts_bytes(VCARDS.as_bytes().to_vec())
        .await
        .unwrap();
    assert_eq!(report.format, "vcard");
    assert_eq!(report.imported, 2);
    assert_eq!(report.bad_rows.len(), 1);
    assert_eq!(report.bad_rows[0].line, 17);
    assert_eq!(report.bad_rows[0].reason, BadRowReason::NoNameNoNumber);
    let ivan = &engine.find_contacts("88121234567").await.unwrap().matches[0]
        .matched
        .contact;
    assert_eq!(ivan.company.as_deref(), Some("ООО Ромашка"));
    assert_eq!(
        ivan.notes.as_deref(),
        Some("Длинная заметка, которая перенесена на следующую строку")
    );
    let labels: Vec<Option<&str>> = ivan.phones().map(|n| n.label.as_deref()).collect();
    assert_eq!(labels, vec![Some("mobile"), Some("work")]);
    let olga = &engine.find_contacts("+74951234567").await.unwrap().matches[0]
        .matched
        .contact;
    assert_eq!(olga.name, "Ким Ольга");
}

#[tokio::test]
async fn export_and_import_round_trip_in_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    let engine = crate::common::engine(dir.path()).await;
    engine
        .import_contacts_bytes(RUSSIAN_CSV.as_bytes().to_vec())
        .await
        .unwrap();
    engine
        .import_contacts_bytes(VCARDS.as_bytes().to_vec())
        .await
        .unwrap();
    let original = engine.all_contacts().await.unwrap();
    for (file, format) in [
        ("out.csv", ExportFormat::Csv),
        ("out.vcf", ExportFormat::VCard),
    ] {
        let path = dir.path().join(file);
        assert_eq!(
            engine.export_contacts(&path, format).await.unwrap(),
            original.len()
        );
        let other_dir = tempfile::tempdir().unwrap();
        let other = crate::common::engine(other_dir.path()).await;
        let report = other.import_contacts(&path).await.unwrap();
        assert!(report.bad_rows.is_empty(), "{file}: {report:?}");
        let copy = other.all_contacts().await.unwrap();
        assert_eq!(copy.len(), original.len(), "{file}");
        for (a, b) in original.iter().zip(&copy) {
            let mut a = a.to_draft();
            let mut b = b.to_draft();
            if format == ExportFormat::Csv {
                // CSV keeps the phone label only as a column name; vCard keeps it per number.
                a.phones
                    .iter_mut()
                    .chain(b.phones.iter_mut())
                    .for_each(|p| p.label = None);
                a.phones.sort_by(|x, y| x.raw.cmp(&y.raw));
                b.phones.sort_by(|x, y| x.raw.cmp(&y.raw));
            }
            assert_eq!(a, b, "{file}");
        }
    }
}
