//! A call center's phone book, generated: Russian names with patronymics, companies,
//! positions, e-mails, +7 numbers written the ways people write them, and a few extra
//! columns, as a `;`-separated CSV with Russian headers (what `contacts import` reads).
//!
//! Deterministic (a fixed seed), so that the lookup phase knows every contact's numbers
//! without reading the file back: contact `i` has the mobile [`mobile`]`(i)`, unique for
//! every `i` below a billion.

use std::io::{self, BufWriter, Write};
use std::path::Path;

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

const MALE_FIRST: &[&str] = &[
    "Иван",
    "Алексей",
    "Сергей",
    "Дмитрий",
    "Андрей",
    "Михаил",
    "Николай",
    "Павел",
    "Владимир",
    "Евгений",
    "Олег",
    "Артём",
    "Максим",
    "Константин",
    "Игорь",
    "Юрий",
    "Виктор",
    "Роман",
    "Антон",
    "Денис",
    "Григорий",
    "Фёдор",
    "Василий",
    "Тимур",
    "Руслан",
];
const FEMALE_FIRST: &[&str] = &[
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Татьяна",
    "Наталья",
    "Ирина",
    "Светлана",
    "Екатерина",
    "Юлия",
    "Анастасия",
    "Дарья",
    "Ксения",
    "Марина",
    "Людмила",
    "Валентина",
    "Галина",
    "Вера",
    "Алина",
    "Полина",
    "Софья",
    "Виктория",
    "Надежда",
    "Лариса",
    "Яна",
];
/// Surnames in the masculine form; the feminine adds «а» (all end in -ов, -ев, -ин).
const SURNAMES: &[&str] = &[
    "Иванов",
    "Петров",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
    "Ильин",
    "Максимов",
    "Поляков",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Белов",
    "Медведев",
    "Антонов",
    "Тарасов",
];
/// Fathers' names as (masculine, feminine) patronymics.
const PATRONYMICS: &[(&str, &str)] = &[
    ("Иванович", "Ивановна"),
    ("Александрович", "Александровна"),
    ("Сергеевич", "Сергеевна"),
    ("Дмитриевич", "Дмитриевна"),
    ("Андреевич", "Андреевна"),
    ("Михайлович", "Михайловна"),
    ("Николаевич", "Николаевна"),
    ("Павлович", "Павловна"),
    ("Владимирович", "Владимировна"),
    ("Викторович", "Викторовна"),
    ("Олегович", "Олеговна"),
    ("Петрович", "Петровна"),
    ("Юрьевич", "Юрьевна"),
    ("Алексеевич", "Алексеевна"),
];
const COMPANY_FORMS: &[&str] = &["ООО", "АО", "ПАО", "ИП", "ЗАО"];
const COMPANY_NAMES: &[&str] = &[
    "Вектор",
    "Альфа-Строй",
    "СеверТранс",
    "Технопарк",
    "Меридиан",
    "Ромашка",
    "ТоргСервис",
    "Спектр",
    "Гранит",
    "Байкал",
    "Сибирский лес",
    "Уралмет",
    "Волга-Логистик",
    "Лидер",
    "Эталон",
    "Континент",
    "Стройинвест",
    "Агрохолдинг Заря",
    "Медтехника",
    "Колос",
];
const POSITIONS: &[&str] = &[
    "менеджер по закупкам",
    "главный бухгалтер",
    "генеральный директор",
    "коммерческий директор",
    "инженер",
    "специалист по логистике",
    "офис-менеджер",
    "юрист",
    "руководитель отдела продаж",
    "снабженец",
];
const CITIES: &[&str] = &[
    "Москва",
    "Санкт-Петербург",
    "Новосибирск",
    "Екатеринбург",
    "Казань",
    "Нижний Новгород",
    "Самара",
    "Краснодар",
    "Ростов-на-Дону",
    "Пермь",
];
const SOURCES: &[&str] = &[
    "сайт",
    "входящий звонок",
    "выставка",
    "рекомендация",
    "тендер",
];
const NOTES: &[&str] = &[
    "Перезвонить после 15:00",
    "Предпочитает WhatsApp",
    "Постоянный клиент с 2019 года",
    "Договор на продление в марте",
    "Не звонить по пятницам",
];

/// The header row: the columns `trubka_contacts::import_csv` knows, and three extra ones.
const HEADER: &str = "Фамилия;Имя;Отчество;Компания;Должность;Email;Телефон (мобильный);\
                      Телефон (рабочий);Город;Менеджер;Источник;Комментарий";

/// Contact `i`'s mobile number in E.164: `+79…`, unique for `i` below 10⁹ (7,919 is prime,
/// so multiplying by it permutes the residues).
pub(crate) fn mobile(i: usize) -> String {
    format!("+79{:09}", (i as u64 * 7_919) % 1_000_000_000)
}

/// The same number as an agent types it: `8 9XX XXX-XX-XX`.
pub(crate) fn mobile_typed(i: usize) -> String {
    let digits = &mobile(i)[2..];
    format!(
        "8 {} {}-{}-{}",
        &digits[..3],
        &digits[3..6],
        &digits[6..8],
        &digits[8..]
    )
}

/// Writes `count` contacts to `path`.
pub(crate) fn write_csv(path: &Path, count: usize) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "{HEADER}")?;
    let mut rng = StdRng::seed_from_u64(12);
    for i in 0..count {
        row(&mut out, &mut rng, i)?;
    }
    out.flush()
}

fn row(out: &mut impl Write, rng: &mut StdRng, i: usize) -> io::Result<()> {
    let female = rng.random_bool(0.5);
    let surname = pick(rng, SURNAMES);
    let (first, last, middle) = if female {
        let (_, patronymic) = *PATRONYMICS.choose(rng).expect("not empty");
        (pick(rng, FEMALE_FIRST), format!("{surname}а"), patronymic)
    } else {
        let (patronymic, _) = *PATRONYMICS.choose(rng).expect("not empty");
        (pick(rng, MALE_FIRST), surname.to_owned(), patronymic)
    };
    let company = format!(
        "{} «{}»",
        pick(rng, COMPANY_FORMS),
        pick(rng, COMPANY_NAMES)
    );
    let email = format!("{}.{}{}@example.ru", latin(first), latin(&last), i);
    let mobile = written(rng, &mobile(i));
    // A third have a city office number too, unique per contact.
    let work = if rng.random_bool(0.3) {
        format!(
            "+7 (495) {:03}-{:02}-{:02}",
            i / 10_000 % 1_000,
            i / 100 % 100,
            i % 100
        )
    } else {
        String::new()
    };
    let notes = if rng.random_bool(0.1) {
        pick(rng, NOTES)
    } else {
        ""
    };
    writeln!(
        out,
        "{last};{first};{middle};{company};{};{email};{mobile};{work};{};агент {};{};{notes}",
        pick(rng, POSITIONS),
        pick(rng, CITIES),
        rng.random_range(1..=40),
        pick(rng, SOURCES),
    )
}

fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
    from.choose(rng).expect("not empty")
}

/// `+79XXXXXXXXX` written one of the ways people write it.
fn written(rng: &mut StdRng, e164: &str) -> String {
    let d = &e164[2..];
    match rng.random_range(0..4) {
        0 => e164.to_owned(),
        1 => format!("+7 ({}) {}-{}-{}", &d[..3], &d[3..6], &d[6..8], &d[8..]),
        2 => format!("8{d}"),
        _ => format!("8 {} {} {} {}", &d[..3], &d[3..6], &d[6..8], &d[8..]),
    }
}

/// A Cyrillic name in Latin letters, for e-mail addresses.
fn latin(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' | 'й' | 'ы' => "i",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ю' => "yu",
            'я' => "ya",
            _ => "",
        })
        .collect()
}
