//! What each PBX lets Trubka do with a call in progress and with an employee's presence, so
//! that the app offers only what the call's PBX can do.
//!
//! UIS: the Call API's control methods ([`crate::uis::call_control`]) and employee statuses
//! ([`crate::uis::presence`]). Sipuni: employee status only ([`crate::sipuni::workplace`]);
//! no public source shows a Sipuni transfer or hold method (reference B.2.3).

use trubka_core::Provider;

/// The call-control and presence actions a PBX supports through this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// End the call (`release.call`).
    pub hang_up: bool,
    /// Put the contact on hold and take them off it.
    pub hold: bool,
    /// Transfer without talking to the colleague first.
    pub blind_transfer: bool,
    /// Talk to the colleague first, then transfer or return to the contact.
    pub attended_transfer: bool,
    /// Connect a supervisor to an agent's call. UIS has one mode (`add.coach`, as the
    /// employee's coach settings in the cabinet say); no separate listen, whisper or barge.
    pub coach: bool,
    /// Set and read the employee's status that routing follows.
    pub presence: bool,
}

/// What `provider` supports.
pub fn capabilities(provider: Provider) -> Capabilities {
    match provider {
        Provider::Uis => Capabilities {
            hang_up: true,
            hold: true,
            blind_transfer: true,
            attended_transfer: true,
            coach: true,
            presence: true,
        },
        Provider::Sipuni => Capabilities {
            hang_up: false,
            hold: false,
            blind_transfer: false,
            attended_transfer: false,
            coach: false,
            presence: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sipuni_offers_presence_only() {
        let sipuni = capabilities(Provider::Sipuni);
        assert!(sipuni.presence);
        assert!(!(sipuni.hold || sipuni.blind_transfer || sipuni.attended_transfer));
        let uis = capabilities(Provider::Uis);
        assert!(uis.hold && uis.blind_transfer && uis.attended_transfer && uis.coach);
    }
}
