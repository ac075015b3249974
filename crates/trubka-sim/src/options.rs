//! Small typed values of the simulator's options: [`IpRange`] (the UIS API allow-list),
//! [`UisComponent`] (tariff options that can be switched off) and [`ApiOutcome`] (how calls
//! started through the PBX APIs end). Each parses from its command-line spelling.

use std::{net::IpAddr, str::FromStr};

use crate::{error::SimError, request::Outcome};

/// A tariff option («компонент») of the UIS API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UisComponent {
    /// «Call API Базовый набор»: `start.employee_call`, `release.call`, ….
    CallApiBasic,
    /// «Call API Управление вызовами»: `list.calls`, ….
    CallApiManagement,
    /// «Call API Вызов сценария»: `start.scenario_call`.
    CallApiScenario,
    /// The Data API as a whole.
    DataApi,
    /// «Загрузка офлайн-заявок из внешней системы»: `upload.offline_messages`.
    UploadOfflineMessages,
}

impl UisComponent {
    /// Every component.
    pub const ALL: [Self; 5] = [
        Self::CallApiBasic,
        Self::CallApiManagement,
        Self::CallApiScenario,
        Self::DataApi,
        Self::UploadOfflineMessages,
    ];

    /// The option's name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CallApiBasic => "call_api_basic",
            Self::CallApiManagement => "call_api_management",
            Self::CallApiScenario => "call_api_scenario",
            Self::DataApi => "data_api",
            Self::UploadOfflineMessages => "upload_offline_messages",
        }
    }
}

impl FromStr for UisComponent {
    type Err = SimError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
            .ok_or_else(|| {
                SimError::Config(format!(
                    "unknown UIS component {s:?}; expected call_api_basic, \
                     call_api_management, call_api_scenario, data_api or \
                     upload_offline_messages"
                ))
            })
    }
}

/// An address or a network in CIDR notation (`10.0.0.0/8`, `0.0.0.0/0`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    /// The network address.
    pub addr: IpAddr,
    /// Bits of the prefix.
    pub prefix: u8,
}

impl IpRange {
    /// Whether `ip` is in the range (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for IpRange {
    type Err = SimError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || SimError::Config(format!("{s:?} is not an IP address or CIDR range"));
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s.trim(), None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| invalid())?;
        let addr = addr.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(invalid)?,
            None => max,
        };
        Ok(Self { addr, prefix })
    }
}

/// How a call started through a PBX API ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApiOutcome {
    /// By the dialled number's last two digits: `00` busy, `99` no answer, `98` cancelled
    /// (the caller gives up while it rings); anything else is answered.
    #[default]
    ByNumber,
    /// Every API call ends the same way.
    Always(Outcome),
}

impl ApiOutcome {
    /// The outcome of a call to `number`.
    pub fn for_number(self, number: &str) -> Outcome {
        match self {
            Self::Always(outcome) => outcome,
            Self::ByNumber => {
                let digits: String = number.chars().filter(char::is_ascii_digit).collect();
                if digits.ends_with("00") {
                    Outcome::Busy
                } else if digits.ends_with("99") {
                    Outcome::Missed
                } else if digits.ends_with("98") {
                    Outcome::Cancelled
                } else {
                    Outcome::Answered
                }
            }
        }
    }
}

impl FromStr for ApiOutcome {
    type Err = SimError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim() {
            "by-number" => Self::ByNumber,
            "answered" => Self::Always(Outcome::Answered),
            "missed" | "no-answer" => Self::Always(Outcome::Missed),
            "busy" => Self::Always(Outcome::Busy),
            "cancelled" => Self::Always(Outcome::Cancelled),
            other => {
                return Err(SimError::Config(format!(
                    "unknown API outcome {other:?}; expected by-number, answered, missed, \
                     busy or cancelled"
                )));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_ranges_match_addresses_and_networks() {
        let one: IpRange = "127.0.0.1".parse().unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(one.contains("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let all: IpRange = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("203.0.113.9".parse().unwrap()));
        let net: IpRange = "10.1.0.0/16".parse().unwrap();
        assert!(net.contains("10.1.200.3".parse().unwrap()));
        assert!(!net.contains("10.2.0.1".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<IpRange>().is_err());
        assert!("host".parse::<IpRange>().is_err());
        let v6: IpRange = "::1".parse().unwrap();
        assert!(v6.contains("::1".parse().unwrap()) && !v6.contains("::2".parse().unwrap()));
    }

    #[test]
    fn api_outcome_follows_the_last_digits() {
        let rule = ApiOutcome::ByNumber;
        assert_eq!(rule.for_number("+7 926 000-11-00"), Outcome::Busy);
        assert_eq!(rule.for_number("79260001199"), Outcome::Missed);
        assert_eq!(rule.for_number("79260001198"), Outcome::Cancelled);
        assert_eq!(rule.for_number("79260001234"), Outcome::Answered);
        let always: ApiOutcome = "busy".parse().unwrap();
        assert_eq!(always.for_number("79260001234"), Outcome::Busy);
        assert!("sometimes".parse::<ApiOutcome>().is_err());
        assert_eq!(
            "data_api".parse::<UisComponent>().unwrap(),
            UisComponent::DataApi
        );
    }
}
