//! Fault injection: per service, latency plus the odds of an error (503), a hang longer than any
//! client's timeout, a duplicated or a dropped-then-late callback. Draws come from one seeded
//! generator per service, four per request whatever the rates, so a seed replays the same run.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::state::{ApiError, SimState};

/// A simulated outside system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    Registry,
    Gateway,
    Bank,
    Sms,
    Mail,
    /// The national public service portal (reserved: its simulator is not written yet).
    Portal,
}

impl Service {
    pub const ALL: [Service; 6] = [
        Service::Registry,
        Service::Gateway,
        Service::Bank,
        Service::Sms,
        Service::Mail,
        Service::Portal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Service::Registry => "registry",
            Service::Gateway => "gateway",
            Service::Bank => "bank",
            Service::Sms => "sms",
            Service::Mail => "mail",
            Service::Portal => "portal",
        }
    }

    pub fn parse(s: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The faults of one service; rates are probabilities from 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Added before answering (or, for a callback, before sending it).
    pub latency_ms: u64,
    /// Answer 503.
    pub error_rate: f64,
    /// Hang longer than any client waits.
    pub timeout_rate: f64,
    /// Send the callback twice.
    pub duplicate_rate: f64,
    /// Send no callback at first, then a late one.
    pub drop_rate: f64,
}

impl FaultConfig {
    fn check(&self) -> Result<(), String> {
        let rates = [
            ("error_rate", self.error_rate),
            ("timeout_rate", self.timeout_rate),
            ("duplicate_rate", self.duplicate_rate),
            ("drop_rate", self.drop_rate),
        ];
        for (name, rate) in rates {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} phải trong khoảng 0 đến 1"));
            }
        }
        if self.latency_ms > 600_000 {
            return Err("latency_ms tối đa 600000 (10 phút)".into());
        }
        Ok(())
    }
}

/// How one request goes wrong, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Decision {
    pub latency: Duration,
    pub failure: Option<Failure>,
    pub duplicate: bool,
    pub drop: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    Error,
    Timeout,
}

/// The configured faults and their generators.
pub(crate) struct Faults {
    configs: BTreeMap<Service, FaultConfig>,
    rngs: BTreeMap<Service, StdRng>,
}

impl Faults {
    pub fn new(seed: u64, initial: &BTreeMap<Service, FaultConfig>) -> Faults {
        let rngs = Service::ALL
            .into_iter()
            .enumerate()
            .map(|(i, s)| (s, StdRng::seed_from_u64(mix(seed, 0x1000 + i as u64))))
            .collect();
        let configs = Service::ALL
            .into_iter()
            .map(|s| (s, initial.get(&s).copied().unwrap_or_default()))
            .collect();
        Faults { configs, rngs }
    }

    pub fn decide(&mut self, service: Service) -> Decision {
        let config = self.configs.get(&service).copied().unwrap_or_default();
        let Some(rng) = self.rngs.get_mut(&service) else {
            return Decision::default();
        };
        let draws: [f64; 4] = [rng.r#gen(), rng.r#gen(), rng.r#gen(), rng.r#gen()];
        let failure = if draws[0] < config.timeout_rate {
            Some(Failure::Timeout)
        } else if draws[1] < config.error_rate {
            Some(Failure::Error)
        } else {
            None
        };
        Decision {
            latency: Duration::from_millis(config.latency_ms),
            failure,
            duplicate: draws[2] < config.duplicate_rate,
            drop: draws[3] < config.drop_rate,
        }
    }

    pub fn set(&mut self, service: Service, config: FaultConfig) {
        self.configs.insert(service, config);
    }

    pub fn all(&self) -> BTreeMap<Service, FaultConfig> {
        self.configs.clone()
    }
}

/// Derives independent seeds for the simulator's generators (SplitMix64's finaliser).
pub(crate) fn mix(seed: u64, stream: u64) -> u64 {
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `GET /sim/faults`
pub(crate) async fn list(State(state): State<SimState>) -> Json<BTreeMap<Service, FaultConfig>> {
    Json(state.faults_snapshot())
}

/// `PUT /sim/faults/{service}` (`all` sets every service).
pub(crate) async fn set(
    State(state): State<SimState>,
    Path(service): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<BTreeMap<Service, FaultConfig>>, ApiError> {
    let config: FaultConfig = super::state::parse_json(&body)?;
    config
        .check()
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e))?;
    let services: Vec<Service> = if service == "all" {
        Service::ALL.to_vec()
    } else {
        let one = Service::parse(&service).ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "dịch vụ phải là registry, gateway, bank, sms, mail, portal hoặc all",
            )
        })?;
        vec![one]
    };
    for s in services {
        state.set_faults(s, config);
    }
    Ok(Json(state.faults_snapshot()))
}

/// `DELETE /sim/faults`: every service back to no faults.
pub(crate) async fn reset(State(state): State<SimState>) -> StatusCode {
    for s in Service::ALL {
        state.set_faults(s, FaultConfig::default());
    }
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_faults() {
        let half = FaultConfig {
            error_rate: 0.5,
            ..FaultConfig::default()
        };
        let initial = BTreeMap::from([(Service::Registry, half)]);
        let run = |seed| {
            let mut f = Faults::new(seed, &initial);
            (0..64)
                .map(|_| f.decide(Service::Registry).failure.is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let errors = run(7).iter().filter(|e| **e).count();
        assert!((16..=48).contains(&errors), "{errors}");
    }

    #[test]
    fn services_draw_independently() {
        let mut a = Faults::new(1, &BTreeMap::new());
        let mut b = Faults::new(1, &BTreeMap::new());
        for _ in 0..10 {
            a.decide(Service::Sms);
        }
        a.set(
            Service::Registry,
            FaultConfig {
                error_rate: 0.5,
                ..Default::default()
            },
        );
        b.set(
            Service::Registry,
            FaultConfig {
                error_rate: 0.5,
                ..Default::default()
            },
        );
        let pa: Vec<_> = (0..32)
            .map(|_| a.decide(Service::Registry).failure)
            .collect();
        let pb: Vec<_> = (0..32)
            .map(|_| b.decide(Service::Registry).failure)
            .collect();
        assert_eq!(pa, pb);
    }

    #[test]
    fn refuses_bad_rates() {
        assert!(
            FaultConfig {
                error_rate: 1.5,
                ..Default::default()
            }
            .check()
            .is_err()
        );
        assert!(
            FaultConfig {
                drop_rate: -0.1,
                ..Default::default()
            }
            .check()
            .is_err()
        );
        assert!(
            FaultConfig {
                error_rate: f64::NAN,
                ..Default::default()
            }
            .check()
            .is_err()
        );
        assert!(
            FaultConfig {
                error_rate: 1.0,
                ..Default::default()
            }
            .check()
            .is_ok()
        );
    }
}
