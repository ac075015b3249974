//! The page behind an invite link (`GET /join/{code}`): one self-contained HTML document,
//! Russian first and then English, that says whether the link works, how to get the app, and
//! has the button that opens it (`trubka://join?relay=…&code=…`).
//!
//! Self-contained on purpose: no script, font, image or style from anywhere (the response's
//! Content-Security-Policy forbids them), so the page works on a locked-down office PC and
//! tells no third party that someone opened an invite. It never holds a token: the token is
//! minted only by the exchange the app makes.

use chrono::{DateTime, Utc};

use crate::invites::InviteState;

/// What the page shows.
#[derive(Debug, Clone)]
pub(crate) struct JoinPage {
    /// `None`: no such invite.
    pub(crate) state: Option<InviteState>,
    pub(crate) agent: Option<String>,
    pub(crate) expires_at: Option<DateTime<Utc>>,
    /// The button's target, for a valid invite.
    pub(crate) app_link: String,
    /// This page's own address, for `trubka-cli login --invite`.
    pub(crate) page_url: String,
}

/// The two languages of one piece of text.
struct Words {
    ru: String,
    en: String,
}

fn words(ru: impl Into<String>, en: impl Into<String>) -> Words {
    Words {
        ru: ru.into(),
        en: en.into(),
    }
}

impl JoinPage {
    /// The machine-readable state, also set as `data-state` on `<main>` for tests.
    pub(crate) fn state_name(&self) -> &'static str {
        self.state.map_or("unknown", InviteState::as_str)
    }

    pub(crate) fn render(&self) -> String {
        let when = self
            .expires_at
            .map(|t| t.format("%d.%m.%Y %H:%M UTC").to_string())
            .unwrap_or_default();
        let agent = escape(self.agent.as_deref().unwrap_or_default());
        let ask = words(
            "Попросите у администратора новую ссылку (он получит её командой \
             <code>trubka-relay agent invite</code>).",
            "Ask your administrator for a new link (they make one with \
             <code>trubka-relay agent invite</code>).",
        );
        let (title, detail) = match self.state {
            Some(InviteState::Valid) => (
                words(
                    format!("Приглашение в Трубку для «{agent}»"),
                    format!("Invitation to Trubka for “{agent}”"),
                ),
                words(
                    format!("Ссылка срабатывает один раз и действует до {when}."),
                    format!("The link works once, until {when}."),
                ),
            ),
            Some(InviteState::Used) => (
                words(
                    "Эта ссылка уже использована",
                    "This link has already been used",
                ),
                words(
                    format!(
                        "По ней уже вошли в Трубку. Если это были не вы или нужно войти на \
                         другом компьютере — {}",
                        lower_first(&ask.ru)
                    ),
                    format!(
                        "Someone has signed in with it. If it was not you, or you need to sign \
                         in on another computer, {}",
                        lower_first(&ask.en)
                    ),
                ),
            ),
            Some(InviteState::Expired) => (
                words("Срок ссылки истёк", "This link has expired"),
                words(
                    format!("Ссылка действовала до {when}. {}", ask.ru),
                    format!("It worked until {when}. {}", ask.en),
                ),
            ),
            Some(InviteState::Revoked) => (
                words("Ссылка отозвана", "This link has been revoked"),
                words(
                    "Администратор отключил оператора или выдал ему новую ссылку. Спросите у \
                     администратора действующую.",
                    "The administrator disabled this agent or made a newer link. Ask them for \
                     the current one.",
                ),
            ),
            None => (
                words("Такой ссылки нет", "No such link"),
                words(
                    format!("Проверьте, что скопировали её целиком. {}", ask.ru),
                    format!("Check that you copied all of it. {}", ask.en),
                ),
            ),
        };
        let valid = self.state == Some(InviteState::Valid);
        let mut html = String::with_capacity(6 * 1024);
        html.push_str(HEAD);
        html.push_str(&format!(
            "<main data-state=\"{}\">\n<section lang=\"ru\">\n<h1>{}</h1>\n<p>{}</p>\n",
            self.state_name(),
            title.ru,
            detail.ru
        ));
        if valid {
            html.push_str(&format!(
                "<p><a class=\"button\" id=\"open\" href=\"{link}\">Открыть в Трубке · Open in \
                 Trubka</a></p>\n\
                 <h2>Как войти</h2>\n<ol>\n\
                 <li>Установите приложение «Трубка», если его ещё нет, из пакета, который \
                 даёт администратор: <code>Trubka_….deb</code> (Debian, Ubuntu: двойной щелчок \
                 по файлу или <code>sudo apt install ./Trubka_….deb</code>) или \
                 <code>Trubka-….rpm</code>. Запустите его один раз.</li>\n\
                 <li>Нажмите «Открыть в Трубке». Приложение спросит, входить ли как «{agent}», \
                 — подтвердите.</li>\n\
                 <li>Без приложения, в терминале: <code>trubka-cli login --invite {page}</code></li>\n\
                 </ol>\n<p class=\"note\">Если вы уже входили на другом компьютере, там вход \
                 закончится: у оператора один действующий вход.</p>\n",
                link = escape(&self.app_link),
                page = escape(&self.page_url),
            ));
        }
        html.push_str(&format!(
            "</section>\n<section lang=\"en\">\n<h2>{}</h2>\n<p>{}</p>\n",
            title.en, detail.en
        ));
        if valid {
            html.push_str(&format!(
                "<h2>How to sign in</h2>\n<ol>\n\
                 <li>Install the Trubka app if you do not have it, from the package your \
                 administrator gives you: <code>Trubka_….deb</code> (Debian, Ubuntu: \
                 double-click the file, or <code>sudo apt install ./Trubka_….deb</code>) or \
                 <code>Trubka-….rpm</code>. Start it once.</li>\n\
                 <li>Press “Open in Trubka”. The app asks whether to sign in as “{agent}”; \
                 confirm.</li>\n\
                 <li>Without the app, in a terminal: <code>trubka-cli login --invite {page}</code></li>\n\
                 </ol>\n<p class=\"note\">If you signed in on another computer before, that \
                 sign-in ends: an agent has one working sign-in.</p>\n",
                page = escape(&self.page_url),
            ));
        }
        html.push_str("</section>\n</main>\n</body>\n</html>\n");
        html
    }
}

const HEAD: &str = r#"<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Трубка · Trubka</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f3f4f6; color: #111827; }
main { max-width: 40rem; margin: 2rem auto; padding: 1.5rem 2rem; background: #fff;
       border-radius: 12px; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
h2 { font-size: 1.1rem; margin: 1.25rem 0 .25rem; }
section[lang="en"] { margin-top: 1.5rem; padding-top: 1rem; border-top: 1px solid #e5e7eb;
                     color: #374151; }
code { background: #f3f4f6; padding: 0 .25rem; border-radius: 4px; word-break: break-all; }
.button { display: inline-block; padding: .6rem 1.2rem; border-radius: 8px; background: #2563eb;
          color: #fff; text-decoration: none; font-weight: 600; }
.note { color: #4b5563; font-size: .9rem; }
main[data-state="used"] h1, main[data-state="expired"] h1, main[data-state="revoked"] h1,
main[data-state="unknown"] h1 { color: #b91c1c; }
</style>
</head>
<body>
"#;

/// The response's policy: nothing may load from anywhere; only the inline style applies.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// HTML-escapes text for element content and double-quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(state: Option<InviteState>, agent: &str) -> JoinPage {
        JoinPage {
            state,
            agent: Some(agent.to_owned()),
            expires_at: DateTime::from_timestamp(1_800_000_000, 0),
            app_link: "trubka://join?relay=https%3A%2F%2Fr.example&code=c0de".to_owned(),
            page_url: "https://r.example/join/c0de".to_owned(),
        }
    }

    #[test]
    fn names_are_escaped_and_only_a_valid_link_has_the_button() {
        let html = page(Some(InviteState::Valid), "<b>Анна</b> & \"Ко\"").render();
        assert!(
            html.contains("&lt;b&gt;Анна&lt;/b&gt; &amp; &quot;Ко&quot;"),
            "{html}"
        );
        assert!(!html.contains("<b>Анна"));
        assert!(
            html.contains("href=\"trubka://join?relay=https%3A%2F%2Fr.example&amp;code=c0de\"")
        );
        assert!(html.contains("15.01.2027 08:00 UTC"), "{html}");
        for state in [
            Some(InviteState::Used),
            Some(InviteState::Expired),
            Some(InviteState::Revoked),
            None,
        ] {
            let html = page(state, "Анна").render();
            assert!(!html.contains("trubka://"), "{state:?}");
            assert!(html.contains("администратор"), "{state:?}");
        }
        // Nothing is loaded from elsewhere.
        assert!(!html.contains("src=") && !html.contains("http://"));
    }
}
