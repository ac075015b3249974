//! CSV contact export in the shape [`super::import_csv`] reads back: UTF-8 with BOM, `;`
//! delimiter (what Russian Excel expects), Russian headers, one column per phone label
//! («Телефон (Рабочий)»), one column per extra field.

use std::collections::BTreeSet;

use super::Contact;

const FIXED: [(&str, &str); 5] = [
    ("name", "Имя"),
    ("company", "Компания"),
    ("email", "Email"),
    ("position", "Должность"),
    ("notes", "Комментарий"),
];

/// Writes `contacts` as CSV bytes.
pub fn write(contacts: &[Contact]) -> Result<Vec<u8>, csv::Error> {
    let labels: BTreeSet<Option<&str>> = contacts
        .iter()
        .flat_map(|c| c.phones().map(|n| n.label.as_deref()))
        .collect();
    let extra: BTreeSet<&str> = contacts
        .iter()
        .flat_map(|c| c.fields.keys().map(String::as_str))
        .collect();
    let mut out = Vec::from(&b"\xEF\xBB\xBF"[..]);
    {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(&mut out);
        let mut header: Vec<String> = vec![FIXED[0].1.to_owned()];
        header.extend(labels.iter().map(|label| match label {
            None => "Телефон".to_owned(),
            Some(label) => format!("Телефон ({label})"),
        }));
        header.extend(FIXED[1..].iter().map(|(_, h)| (*h).to_owned()));
        header.extend(extra.iter().map(|k| (*k).to_owned()));
        writer.write_record(&header)?;
        for contact in contacts {
            let mut row: Vec<String> = vec![contact.name.clone()];
            for label in &labels {
                let numbers: Vec<&str> = contact
                    .phones()
                    .filter(|n| n.label.as_deref() == *label)
                    .map(|n| n.raw.as_str())
                    .collect();
                row.push(numbers.join(", "));
            }
            for (key, _) in &FIXED[1..] {
                row.push(contact.field(key).unwrap_or("").to_owned());
            }
            for key in &extra {
                row.push(contact.fields.get(*key).cloned().unwrap_or_default());
            }
            writer.write_record(&row)?;
        }
        writer.flush()?;
    }
    Ok(out)
}
