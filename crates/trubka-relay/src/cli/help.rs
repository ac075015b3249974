//! `--help` in the admin's language. clap writes help from the doc comments, which are
//! English; in Russian each subcommand and option gets its text from the tables below, and
//! clap's own words (headings, the help and version flags) are replaced too. A test walks the
//! whole command tree, so a new option cannot ship without its Russian help.
//!
//! The language is known before the arguments are parsed: `TRUBKA_RELAY_LANGUAGE`, else the
//! `language` of the configuration file the command would read ([`help_language`]).

use std::ffi::OsString;
use std::path::Path;

use clap::{Arg, ArgAction, Command, CommandFactory, FromArgMatches};
use trubka_core::Lang;

use super::Cli;
use crate::config::locate::{CONFIG_ENV, INSTALLED_CONFIG, LOCAL_CONFIG, locate};

/// Each subcommand's description, by its path (`""` is `trubka-relay` itself).
const ABOUT: &[(&str, &str)] = &[
    (
        "",
        "Релей Trubka: принимает уведомления АТС и передаёт звонки операторам",
    ),
    (
        "serve",
        "Запустить релей; печатает адреса уведомлений, которые нужно указать в кабинетах АТС",
    ),
    ("agent", "Операторы, которые могут подключаться"),
    (
        "agent add",
        "Добавить оператора; последняя строка вывода — его токен (показывается один раз, \
         хранится в виде хэша). Имя отозванного оператора можно занять снова",
    ),
    (
        "agent edit",
        "Исправить имя или привязки оператора; токен продолжает работать, работающий релей \
         применит изменения со следующего события. Не указанные параметры не меняются, пустое \
         значение (--uis-employee \"\") убирает привязку, повторённый параметр заменяет список",
    ),
    ("agent list", "Список операторов со всеми привязками"),
    (
        "agent invite",
        "Новая одноразовая ссылка-приглашение для оператора (прежние неиспользованные ссылки \
         перестают работать); вход по ней заменяет токен оператора. Нужен public_url",
    ),
    (
        "agent revoke",
        "Отозвать токен и ссылки-приглашения оператора; его подключения закрываются (код 4001)",
    ),
    (
        "contacts",
        "Общий справочник контактов: загрузка, выгрузка, список и адресная книга UIS",
    ),
    (
        "contacts import",
        "Загрузить контакты из CSV (колонки по-русски или по-английски, разделитель ; или ,, \
         UTF-8 или Windows-1251) или vCard (.vcf). Плохие строки называются с номером строки, \
         остальные загружаются; контакт, который уже есть (то же имя и общий номер), \
         обновляется, а не повторяется",
    ),
    (
        "contacts export",
        "Выгрузить все контакты в файл FILE: vCard для .vcf, иначе CSV (его читает import)",
    ),
    ("contacts list", "Таблица контактов"),
    (
        "contacts uis-sync",
        "Прочитать адресную книгу UIS в общий справочник сейчас, как [directory.uis_sync] делает \
         по расписанию (нужен [uis] api_key)",
    ),
    (
        "tags",
        "Метки, которые операторы ставят в заметках к звонкам",
    ),
    (
        "tags set",
        "Заменить список меток на TAGS в этом порядке (без меток — пустой список); заметки \
         сохраняют метки, с которыми написаны",
    ),
    ("tags list", "Список меток, по одной в строке"),
    (
        "app",
        "Сборки приложения, до которых обновляются приложения операторов",
    ),
    (
        "app publish",
        "Опубликовать сборку приложения: приложения операторов, вошедшие в этот релей, \
         предложат её. Сначала проверяется подпись по [updates] public_key; неверная \
         отклоняется",
    ),
    (
        "manager",
        "Персональные менеджеры: интерактивная обработка вызовов UIS направляет клиента к его \
         оператору",
    ),
    (
        "manager set",
        "Сделать оператора AGENT персональным менеджером клиента NUMBER (номер в любом виде)",
    ),
    (
        "manager unset",
        "Убрать персонального менеджера клиента NUMBER",
    ),
    ("manager list", "Список персональных менеджеров"),
    (
        "uis-templates",
        "Напечатать все уведомления UIS, которые нужно создать (название, событие, метод, \
         адрес, тело), готовые для вставки в кабинет UIS",
    ),
    (
        "sipuni-setup",
        "Напечатать настройки Sipuni (адрес для «События на АТС», шаги получения ключа API)",
    ),
    (
        "check",
        "Проверить настройки и доступ к API АТС; объясняет, что не так. Код выхода 1, если \
         что-то нужно исправить",
    ),
    (
        "status",
        "Приходят ли уведомления: последнее по каждой АТС и типу события и последние \
         отклонённые запросы (неверный токен, нечитаемое тело) с причиной",
    ),
];

/// Each option's and argument's help, by the subcommand's path and the argument's id.
const ARGS: &[(&str, &str, &str)] = &[
    (
        "",
        "config",
        "Файл настроек TOML (все ключи необязательны; переменные TRUBKA_RELAY_* важнее). Без \
         него: TRUBKA_RELAY_CONFIG, иначе /etc/trubka/relay.toml, иначе ./relay.toml, если они \
         есть",
    ),
    (
        "",
        "data_dir",
        "Папка базы релея (важнее настроек и переменных окружения)",
    ),
    (
        "serve",
        "listen",
        "Адрес для приёма запросов, например 127.0.0.1:8765 (порт 0 — любой свободный)",
    ),
    (
        "agent add",
        "name",
        "Уникальное имя; его видят оператор и `agent list`",
    ),
    ("agent add", "supervisor", "Видит все звонки"),
    ("agent edit", "name", "Нынешнее имя оператора"),
    ("agent edit", "rename", "Новое имя"),
    (
        "agent edit",
        "no_employee_phones",
        "Убрать все телефоны сотрудника",
    ),
    ("agent edit", "no_lines", "Не следить ни за одной линией"),
    (
        "agent edit",
        "supervisor",
        "Сделать оператора супервизором (видит все звонки)",
    ),
    (
        "agent edit",
        "no_supervisor",
        "Оператор больше не супервизор",
    ),
    (
        "*",
        "uis_employee",
        "ID сотрудника UIS (`employee_id` в уведомлениях UIS)",
    ),
    ("*", "sipuni_ext", "Короткий внутренний номер Sipuni"),
    (
        "*",
        "employee_phones",
        "Телефон или SIP-линия сотрудника точно так, как UIS подставляет их в \
         {{employee_phone_number}} (номер в любом виде): для интеграций, чьи уведомления не \
         называют ID сотрудника, например EnvyCRM. Можно повторять",
    ),
    (
        "*",
        "virtual_number",
        "Номер, который видят клиенты при звонках этого оператора через UIS (виртуальный номер \
         аккаунта); без него — [uis] virtual_number релея",
    ),
    (
        "*",
        "lines",
        "Линия (виртуальный или городской номер), звонки которой оператор видит ещё до ответа; \
         номер в любом виде. Можно повторять",
    ),
    (
        "*",
        "expires",
        "Сколько действует ссылка-приглашение: минуты, часы или дни (90m, 72h, 7d; не больше \
         30d)",
    ),
    ("agent invite", "name", "Имя оператора"),
    ("agent revoke", "name", "Имя оператора"),
    (
        "*",
        "public_url",
        "Публичный адрес релея (по умолчанию — public_url из настроек)",
    ),
    (
        "app publish",
        "package",
        "Пакет (.deb; или .rpm, .AppImage, .msi, .exe вместе с --version и --arch)",
    ),
    (
        "app publish",
        "signature",
        "Файл .sig этого пакета от `tauri signer sign` (или сборщика Tauri)",
    ),
    (
        "app publish",
        "notes",
        "Что нового: оператор видит это вместе с предложением обновиться",
    ),
    (
        "app publish",
        "app_version",
        "Версия сборки (по умолчанию читается из пакета .deb)",
    ),
    (
        "app publish",
        "arch",
        "Архитектура, как её называет модуль обновлений: x86_64, aarch64 (по умолчанию из \
         пакета .deb)",
    ),
    ("manager set", "number", "Номер клиента"),
    ("manager set", "agent", "Имя оператора"),
    (
        "manager set",
        "phone",
        "Номер, на который UIS звонит этому оператору (мобильный или SIP); по умолчанию \
         заданный раньше, иначе первый активный телефон оператора в UIS",
    ),
    ("manager unset", "number", "Номер клиента"),
    ("contacts import", "file", "Файл для загрузки"),
    ("contacts export", "file", "Файл, в который выгрузить"),
    (
        "tags set",
        "tags",
        "Метки, каждая отдельным аргументом: \"Доставка\" \"Возврат\" \"Жалоба\"",
    ),
    (
        "contacts list",
        "search",
        "Только контакты, у которых имя, компания или email содержат TEXT или один из номеров \
         содержит его цифры",
    ),
];

impl Cli {
    /// Parses `args` (the program's name first) with help in `lang`; like clap's own parse,
    /// prints help, the version or the parse error and exits where it would.
    pub fn parse_in(args: Vec<OsString>, lang: Lang) -> Cli {
        let matches = command_in(lang).get_matches_from(args);
        Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
    }
}

/// The definition of the command line with its help in `lang`.
pub fn command_in(lang: Lang) -> Command {
    let command = Cli::command();
    match lang {
        Lang::En => command,
        Lang::Ru => russian(command, "").disable_help_subcommand(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("Показать версию")
                .help_heading(OPTIONS),
        ),
    }
}

const OPTIONS: &str = "Параметры";

/// `command` (at `path`) and its subcommands with Russian help.
fn russian(command: Command, path: &str) -> Command {
    let about = ABOUT.iter().find(|(p, _)| *p == path).map(|(_, t)| *t);
    let mut command = command
        .about(about.unwrap_or_default())
        .long_about(None)
        .help_template("{about-with-newline}\nИспользование: {usage}\n\n{all-args}{after-help}")
        .subcommand_help_heading("Команды")
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("Показать справку")
                .help_heading(OPTIONS),
        );
    let ids: Vec<String> = command
        .get_arguments()
        .map(|arg| arg.get_id().to_string())
        .filter(|id| id != "help")
        .collect();
    for id in ids {
        let text = arg_help(path, &id).unwrap_or_default();
        command = command.mut_arg(&id, |arg| {
            let heading = if arg.is_positional() {
                "Аргументы"
            } else {
                OPTIONS
            };
            // clap would add "[default: …]" in English.
            let defaults: Vec<String> = arg
                .get_default_values()
                .iter()
                .map(|value| value.to_string_lossy().into_owned())
                .collect();
            let arg = arg.long_help(None).help_heading(heading);
            // Flags have an implicit "false" clap does not show.
            if defaults.is_empty() || !arg.get_action().takes_values() {
                return arg.help(text);
            }
            arg.help(format!("{text} [по умолчанию: {}]", defaults.join(", ")))
                .hide_default_value(true)
        });
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    for name in names {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        command = command.mut_subcommand(&name, |sub| {
            russian(sub, &sub_path).disable_help_subcommand(true)
        });
    }
    command
}

/// An argument's Russian help: for this subcommand, else shared by every one that has it.
fn arg_help(path: &str, id: &str) -> Option<&'static str> {
    let find = |p: &str| ARGS.iter().find(|(at, i, _)| *at == p && *i == id);
    find(path).or_else(|| find("*")).map(|(_, _, text)| *text)
}

/// The language `--help` speaks before anything is parsed: `TRUBKA_RELAY_LANGUAGE`, else the
/// `language` of the configuration file the command would read (`--config` among `args`,
/// else where [`locate`] looks), else Russian. Anything unreadable means the default.
pub fn help_language(args: &[OsString], env: &[(String, String)]) -> Lang {
    let var = |name: &str| {
        env.iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    };
    if let Some(lang) = var("TRUBKA_RELAY_LANGUAGE").and_then(|v| v.parse().ok()) {
        return lang;
    }
    let flag = args.iter().enumerate().find_map(|(i, arg)| {
        let arg = arg.to_str()?;
        match arg.strip_prefix("--config=") {
            Some(path) => Some(OsString::from(path)),
            None if arg == "--config" => args.get(i + 1).cloned(),
            None => None,
        }
    });
    let source = locate(
        flag.as_deref().map(Path::new),
        var(CONFIG_ENV),
        Path::new(INSTALLED_CONFIG),
        Path::new(LOCAL_CONFIG),
    );
    source
        .path()
        .and_then(|path| std::fs::read_to_string(path).ok())
        .and_then(|text| text.parse::<toml::Table>().ok())
        .and_then(|table| table.get("language")?.as_str()?.parse().ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every subcommand and argument of the tree, with its path.
    fn walk(command: &Command, path: &str, found: &mut Vec<(String, Option<String>)>) {
        found.push((path.to_owned(), None));
        for arg in command.get_arguments() {
            found.push((path.to_owned(), Some(arg.get_id().to_string())));
        }
        for sub in command.get_subcommands() {
            let sub_path = if path.is_empty() {
                sub.get_name().to_owned()
            } else {
                format!("{path} {}", sub.get_name())
            };
            walk(sub, &sub_path, found);
        }
    }

    #[test]
    fn every_subcommand_and_option_has_its_russian_help() {
        let mut found = Vec::new();
        walk(&Cli::command(), "", &mut found);
        let missing: Vec<_> = found
            .iter()
            .filter(|(path, arg)| match arg {
                None => !ABOUT.iter().any(|(p, _)| p == path),
                Some(id) => arg_help(path, id).is_none(),
            })
            .collect();
        assert!(missing.is_empty(), "no Russian help for {missing:?}");
    }

    #[test]
    fn russian_help_has_no_english_words_of_clap() {
        let mut command = command_in(Lang::Ru);
        let top = command.render_help().to_string();
        for english in [
            "Usage",
            "Options",
            "Commands",
            "Print help",
            "Print version",
        ] {
            assert!(!top.contains(english), "{english} in\n{top}");
        }
        assert!(
            top.contains("Команды") && top.contains("Показать справку"),
            "{top}"
        );
        let mut add = command_in(Lang::Ru);
        add.build();
        let add = add
            .find_subcommand_mut("agent")
            .and_then(|agent| agent.find_subcommand_mut("add"))
            .expect("agent add")
            .render_help()
            .to_string();
        assert!(add.contains("Видит все звонки"), "{add}");
        assert!(
            add.contains("[по умолчанию: 72h]") && !add.contains("default"),
            "{add}"
        );
        assert!(
            add.contains("Папка базы релея"),
            "global options too:\n{add}"
        );
        let english = command_in(Lang::En).render_help().to_string();
        assert!(english.contains("Options"), "{english}");
    }

    #[test]
    fn help_follows_the_environment_then_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("relay.toml");
        std::fs::write(&file, "language = \"en\"\n").unwrap();
        let args = |list: &[&str]| list.iter().map(OsString::from).collect::<Vec<_>>();
        let config = format!("--config={}", file.display());
        assert_eq!(
            help_language(&args(&["trubka-relay", &config, "--help"]), &[]),
            Lang::En
        );
        let env = [("TRUBKA_RELAY_LANGUAGE".to_owned(), "ru".to_owned())];
        assert_eq!(
            help_language(&args(&["trubka-relay", &config, "--help"]), &env),
            Lang::Ru
        );
        let env = [(CONFIG_ENV.to_owned(), file.display().to_string())];
        assert_eq!(
            help_language(&args(&["trubka-relay", "-h"]), &env),
            Lang::En
        );
        let env = [(CONFIG_ENV.to_owned(), "/nonexistent.toml".to_owned())];
        assert_eq!(
            help_language(&args(&["trubka-relay", "-h"]), &env),
            Lang::Ru
        );
    }
}
