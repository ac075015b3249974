//! The directory's JSON: flat contact fields, tombstones, and unknown fields ignored.

use trubka_protocol::directory::{ContactFields, DirectoryContact, DirectoryPage, WirePhone};

#[test]
fn a_contact_is_flat_json_and_reads_back() {
    let contact = DirectoryContact {
        id: 7,
        version: 12,
        deleted: false,
        fields: ContactFields {
            name: "Иван Петров".into(),
            company: Some("ООО Ромашка".into()),
            phones: vec![WirePhone {
                raw: "8 (495) 123-45-67".into(),
                label: Some("Рабочий".into()),
            }],
            crm_url: Some("https://crm.example.com/client/7".into()),
            ..Default::default()
        },
        updated_by: Some("anna".into()),
        updated_at: Some("2026-12-07T06:00:00Z".into()),
    };
    let json = serde_json::to_value(&contact).unwrap();
    assert_eq!(json["name"], "Иван Петров");
    assert_eq!(json["phones"][0]["raw"], "8 (495) 123-45-67");
    assert!(
        json.get("deleted").is_none(),
        "only tombstones say deleted: {json}"
    );
    let back: DirectoryContact = serde_json::from_value(json).unwrap();
    assert_eq!(back, contact);
}

#[test]
fn a_tombstone_and_fields_from_a_newer_relay_read() {
    let page: DirectoryPage = serde_json::from_str(
        r#"{"version":5,"more":false,"future":1,
            "contacts":[{"id":3,"version":5,"deleted":true,"colour":"red"}]}"#,
    )
    .unwrap();
    assert!(page.contacts[0].deleted);
    assert_eq!(page.contacts[0].fields, ContactFields::default());
}
