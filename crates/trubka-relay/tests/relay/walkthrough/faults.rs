//! The faults the walkthrough switches on in turn: a cabinet set up wrong in one way, or a slip
//! of the admin's, each with the troubleshooting row of the guide that must explain it.

use trubka_sim::{IpRange, SimConfig, UisComponent};
use url::Url;

use super::Pbx;

/// A cabinet set up wrong in one way, or a slip of the admin's, and the troubleshooting row
/// (found by `key`: in the Russian guide, in the English one) that tells the admin what to do
/// about it.
pub(crate) struct Fault {
    pub(crate) pbx: Pbx,
    pub(crate) key: (&'static str, &'static str),
    pub(crate) sim: fn(&mut SimConfig),
    /// What the admin typed instead of what the guide says: `(from, to)` in a filled block.
    pub(crate) slip: Option<(&'static str, &'static str)>,
    /// Beyond the row's phrases: what only the real run can say (the address UIS saw), in
    /// Russian and in English.
    pub(crate) also: &'static [(&'static str, &'static str)],
    /// Shows only after UIS sent notifications: a call is played, then the guide's last
    /// `check` is run again.
    pub(crate) after_call: bool,
}

impl Fault {
    /// The row's key in guide `name` (the English guides are `*.en.md`, run in English).
    pub(crate) fn key_in(&self, name: &str) -> &'static str {
        if english(name) {
            self.key.1
        } else {
            self.key.0
        }
    }

    /// What else check must say when following guide `name`.
    pub(crate) fn also_in(&self, name: &str) -> impl Iterator<Item = &'static str> {
        let english = english(name);
        self.also
            .iter()
            .map(move |(ru, en)| if english { *en } else { *ru })
    }
}

fn english(name: &str) -> bool {
    name.ends_with(".en.md")
}

/// The cabinet as the guide sets it up.
pub(crate) const SET_UP: fn(&mut SimConfig) = |_| {};

pub(crate) const FAULTS: &[Fault] = &[
    Fault {
        pbx: Pbx::Uis,
        key: ("Ключ API UIS неверен", "The UIS API key is wrong"),
        // The key in the cabinet is another one than the admin pasted.
        sim: |sim| sim.uis.api_key = Some("a-key-made-later".to_owned()),
        slip: None,
        also: &[],
        after_call: false,
    },
    Fault {
        pbx: Pbx::Uis,
        key: ("IP-адреса релея", "the relay's IP address"),
        sim: |sim| sim.uis.allowed_ips = vec!["203.0.113.0/24".parse::<IpRange>().unwrap()],
        slip: None,
        also: &[("127.0.0.1", "127.0.0.1")],
        after_call: false,
    },
    Fault {
        pbx: Pbx::Uis,
        key: ("не подключён Data API", "has no Data API"),
        sim: |sim| sim.uis.disabled_components = vec![UisComponent::DataApi],
        slip: None,
        also: &[],
        after_call: false,
    },
    Fault {
        pbx: Pbx::Uis,
        key: ("Call API Базовый набор", "Call API Базовый набор"),
        sim: |sim| sim.uis.disabled_components = vec![UisComponent::CallApiBasic],
        slip: None,
        also: &[],
        after_call: false,
    },
    Fault {
        pbx: Pbx::Sipuni,
        key: ("Sipuni отклонил запрос", "Sipuni rejected the request"),
        sim: |sim| sim.sipuni.secret = Some("a-secret-made-later".to_owned()),
        slip: None,
        also: &[],
        after_call: false,
    },
    Fault {
        pbx: Pbx::Sipuni,
        key: (
            "Услуга совершение звонков по API",
            "Услуга совершение звонков по API",
        ),
        sim: |sim| sim.sipuni.api_calls = false,
        slip: None,
        also: &[],
        after_call: false,
    },
    // The key not pasted: the guide's «…» left in relay.toml.
    Fault {
        pbx: Pbx::Uis,
        key: ("это не ключ", "this is not a key"),
        sim: SET_UP,
        slip: Some(("api_key = \"walkthrough-uis-key\"", "api_key = \"…\"")),
        also: &[],
        after_call: false,
    },
    Fault {
        pbx: Pbx::Sipuni,
        key: ("это не ключ", "this is not a key"),
        sim: SET_UP,
        slip: Some(("secret = \"walkthrough-sipuni-secret\"", "secret = \"…\"")),
        also: &[],
        after_call: false,
    },
    Fault {
        pbx: Pbx::Uis,
        key: ("сотрудника UIS с ID", "the UIS employee with ID"),
        sim: SET_UP,
        slip: Some(("--uis-employee 2339292", "--uis-employee 2339929")),
        also: &[("2339929", "2339929")],
        after_call: false,
    },
    Fault {
        pbx: Pbx::Sipuni,
        key: ("внутреннего номера", "the internal number"),
        sim: SET_UP,
        slip: Some(("--sipuni-ext 201", "--sipuni-ext 210")),
        also: &[("210", "210")],
        after_call: false,
    },
    // The cabinet number through a spreadsheet: its leading zero lost.
    Fault {
        pbx: Pbx::Sipuni,
        key: ("номер кабинета Sipuni", "a Sipuni cabinet number"),
        sim: SET_UP,
        slip: Some(("user = \"064629\"", "user = \"64629\"")),
        also: &[],
        after_call: false,
    },
    // The notifications point at an address that is not the relay's.
    Fault {
        pbx: Pbx::Uis,
        key: ("адрес не этого релея", "the address is not this relay's"),
        sim: |sim| {
            sim.uis.notification_base = Some(Url::parse("http://127.0.0.1:1/").unwrap());
            sim.delivery.attempts = 1;
        },
        slip: None,
        also: &[("адрес не этого релея", "the address is not this relay's")],
        after_call: true,
    },
    // They carry the token of an earlier installation.
    Fault {
        pbx: Pbx::Uis,
        key: ("не токен этого релея", "a token that is not this relay's"),
        sim: |sim| sim.uis.hook_token = "token-of-an-earlier-relay".to_owned(),
        slip: None,
        also: &[("не токен этого релея", "a token that is not this relay's")],
        after_call: true,
    },
];
