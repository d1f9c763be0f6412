use std::time::Duration;

use motcua_integrations::registry::RegistryClient;
use motcua_integrations::sim::{FaultConfig, Service, SimConfig};
use serde_json::{Value, json};

use crate::common::{config, get_json, put_faults, start};

/// Which of `n` look-ups failed, on a fresh simulator with this seed and a 50 % error rate.
async fn failure_pattern(seed: u64, n: usize) -> Vec<bool> {
    let sim = start(SimConfig { seed, ..config() }).await;
    sim.set_faults(
        Service::Registry,
        FaultConfig {
            error_rate: 0.5,
            ..FaultConfig::default()
        },
    );
    let client = RegistryClient::new(&sim.base_url(), Duration::from_secs(5)).unwrap();
    let mut pattern = Vec::new();
    for _ in 0..n {
        pattern.push(client.person("019195012345", "kiểm thử").await.is_err());
    }
    sim.shutdown().await;
    pattern
}

#[tokio::test]
async fn faults_are_deterministic_for_a_seed() {
    let a = failure_pattern(11, 24).await;
    assert_eq!(a, failure_pattern(11, 24).await);
    assert_ne!(a, failure_pattern(12, 24).await);
    assert!(a.contains(&true) && a.contains(&false), "{a:?}");
}

#[tokio::test]
async fn fault_settings_api() {
    let sim = start(config()).await;
    let health = get_json(&format!("{}/sim/healthz", sim.base_url())).await;
    assert_eq!(health["status"], "ok");

    let resp = put_faults(&sim, "all", json!({"latency_ms": 5, "error_rate": 0.25})).await;
    assert_eq!(resp.status(), 200);
    let all: Value = get_json(&format!("{}/sim/faults", sim.base_url())).await;
    for service in ["registry", "gateway", "bank", "sms", "mail", "portal"] {
        assert_eq!(all[service]["latency_ms"], 5, "{service}");
        assert_eq!(all[service]["error_rate"], 0.25, "{service}");
    }
    assert_eq!(
        put_faults(&sim, "registry", json!({"error_rate": 2}))
            .await
            .status(),
        400
    );
    assert_eq!(
        put_faults(&sim, "registry", json!({"eror_rate": 0.1}))
            .await
            .status(),
        400
    );
    assert_eq!(put_faults(&sim, "weather", json!({})).await.status(), 404);

    let resp = reqwest::Client::new()
        .delete(format!("{}/sim/faults", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let all: Value = get_json(&format!("{}/sim/faults", sim.base_url())).await;
    assert_eq!(all["sms"]["error_rate"], 0.0);
}
