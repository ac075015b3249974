//! What each PBX lets Trubka do with a call in progress and with an employee's presence, so
//! that the app offers only what the call's PBX can do.
//!
//! UIS: the Call API's control methods ([`crate::uis::call_control`]) and employee statuses
//! ([`crate::uis::presence`]). Sipuni: hang-up and listen/whisper ([`crate::sipuni::events`])
//! and employee status ([`crate::sipuni::workplace`]); no public source shows a Sipuni
//! transfer or hold method (reference B.2.3). Neither PBX has a barge-in method.

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
    /// Connect a coach to an agent's call the way the cabinet's coach settings say (UIS
    /// `add.coach`, which has no mode).
    pub coach: bool,
    /// A supervisor listens to an agent's call unheard (Sipuni spy mode).
    pub listen: bool,
    /// A supervisor talks to the agent only (Sipuni spy mode with `whisper`).
    pub whisper: bool,
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
            listen: false,
            whisper: false,
            presence: true,
        },
        Provider::Sipuni => Capabilities {
            hang_up: true,
            hold: false,
            blind_transfer: false,
            attended_transfer: false,
            coach: false,
            listen: true,
            whisper: true,
            presence: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sipuni_offers_no_transfer_or_hold() {
        let sipuni = capabilities(Provider::Sipuni);
        assert!(sipuni.presence && sipuni.hang_up && sipuni.listen && sipuni.whisper);
        assert!(!(sipuni.hold || sipuni.blind_transfer || sipuni.attended_transfer));
        let uis = capabilities(Provider::Uis);
        assert!(uis.hold && uis.blind_transfer && uis.attended_transfer && uis.coach);
    }
}
