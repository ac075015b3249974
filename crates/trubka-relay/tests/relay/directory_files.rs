//! The admin's files for the team directory through the built `trubka-relay` binary:
//! `contacts export` read back as CSV and vCard, `contacts list --search`, English output,
//! an import larger than a transaction's batch, and a Windows-1251 CSV.

use trubka_core::Lang;

use crate::support::{CLIENTS_CSV, assert_english, relay_cli, says};

#[test]
fn export_reads_back_as_csv_and_as_vcard() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    drop(trubka_relay::Store::open(&data).unwrap());
    let csv = dir.path().join("clients.csv");
    std::fs::write(&csv, CLIENTS_CSV).unwrap();
    relay_cli(
        &["contacts", "import", csv.to_str().unwrap()],
        &data,
        Lang::Ru,
    );
    let expected = relay_cli(&["contacts", "list"], &data, Lang::Ru);
    for name in ["export.csv", "export.vcf"] {
        let file = dir.path().join(name);
        let said = relay_cli(
            &["contacts", "export", file.to_str().unwrap()],
            &data,
            Lang::Ru,
        );
        says(&said, &["Выгружено контактов: 2"]);
        let other = dir.path().join(format!("data-{name}"));
        drop(trubka_relay::Store::open(&other).unwrap());
        let read_back = relay_cli(
            &["contacts", "import", file.to_str().unwrap()],
            &other,
            Lang::Ru,
        );
        says(&read_back, &["Импортировано 2, пропущено 0"]);
        assert_eq!(
            relay_cli(&["contacts", "list"], &other, Lang::Ru),
            expected,
            "{name}"
        );
    }
    let searched = relay_cli(&["contacts", "list", "--search", "пётр"], &data, Lang::Ru);
    says(&searched, &["Пётр Сидоров", "Контактов: 1"]);
    let by_digits = relay_cli(
        &["contacts", "list", "--search", "926 123"],
        &data,
        Lang::Ru,
    );
    says(&by_digits, &["Иван Петров", "Контактов: 1"]);
}

#[test]
fn the_contacts_commands_speak_english_alone_in_english() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    drop(trubka_relay::Store::open(&data).unwrap());
    let csv = dir.path().join("clients.csv");
    std::fs::write(&csv, CLIENTS_CSV).unwrap();
    let imported = relay_cli(
        &["contacts", "import", csv.to_str().unwrap()],
        &data,
        Lang::En,
    );
    says(
        &imported,
        &[
            "clients.csv: line 3: neither a name nor a phone number",
            "clients.csv: line 4: «12» is not a phone number",
            "Imported 2, skipped 2 (2 new, 0 updated, 0 unchanged",
        ],
    );
    assert_english(&imported);
    let listed = relay_cli(&["contacts", "list", "--search", "nobody"], &data, Lang::En);
    assert_eq!(
        listed,
        "ID  NAME  PHONES  COMPANY  VERSION  CHANGED BY\nContacts: 0\n"
    );
    let file = dir.path().join("out.csv");
    let exported = relay_cli(
        &["contacts", "export", file.to_str().unwrap()],
        &data,
        Lang::En,
    );
    says(&exported, &["Exported 2 contacts to "]);
    assert_english(&exported);
}

#[test]
fn an_import_larger_than_a_batch_is_whole_and_a_second_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    drop(trubka_relay::Store::open(&data).unwrap());
    // More than two transactions of `directory::import::BATCH` (2,000).
    let rows = 4_500;
    let mut csv = String::from("Имя;Телефон\n");
    for n in 0..rows {
        csv.push_str(&format!("Клиент {n};+7 903 {:07}\n", 1_000_000 + n));
    }
    let file = dir.path().join("big.csv");
    std::fs::write(&file, csv).unwrap();
    let file = file.to_str().unwrap();
    let first = relay_cli(&["contacts", "import", file], &data, Lang::Ru);
    says(
        &first,
        &[
            "Импортировано 4500, пропущено 0 (новых 4500, обновлено 0, без изменений 0; версия справочника 4500)",
        ],
    );
    let again = relay_cli(&["contacts", "import", file], &data, Lang::Ru);
    says(
        &again,
        &[
            "Импортировано 4500, пропущено 0 (новых 0, обновлено 0, без изменений 4500; версия справочника 4500)",
        ],
    );
    let last = relay_cli(
        &["contacts", "list", "--search", "Клиент 4499"],
        &data,
        Lang::Ru,
    );
    says(&last, &["+7 903 1004499", "Контактов: 1"]);
}

#[test]
fn a_windows_1251_csv_with_english_headers_and_commas_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    drop(trubka_relay::Store::open(&data).unwrap());
    // «Иван» in Windows-1251, as Excel saves a CSV on a Russian Windows.
    let mut bytes = b"Name,Phone,Company\r\n".to_vec();
    bytes.extend([0xC8, 0xE2, 0xE0, 0xED]);
    bytes.extend(b",8 926 123 45 67,Acme\r\n");
    let file = dir.path().join("excel.csv");
    std::fs::write(&file, bytes).unwrap();
    let said = relay_cli(
        &["contacts", "import", file.to_str().unwrap()],
        &data,
        Lang::En,
    );
    says(&said, &["Imported 1, skipped 0"]);
    let listed = relay_cli(&["contacts", "list"], &data, Lang::Ru);
    says(&listed, &["Иван", "8 926 123 45 67", "Acme", "import"]);
}
