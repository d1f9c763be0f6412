use std::time::{Duration, Instant};

use motcua_integrations::registry::{CorrectionRequest, RegistryClient, RegistryError};
use motcua_integrations::sim::seeded_people;
use serde_json::json;

use crate::common::{config, get_json, put_faults, start};

const LAN: &str = "019195012345";
const PURPOSE: &str = "Giải quyết hồ sơ 000.00.13.H56-260101-0001";

#[tokio::test]
async fn finds_demo_and_made_up_people_and_records_the_purpose() {
    let sim = start(config()).await;
    let client = RegistryClient::new(&sim.base_url(), Duration::from_secs(5)).unwrap();

    let lan = client.person(LAN, PURPOSE).await.unwrap();
    assert_eq!(lan.full_name, "Nguyễn Thị Lan");
    assert_eq!(lan.birth_date, "1995-03-14");
    assert_eq!(lan.sex, "Nữ");

    let made_up = &seeded_people(&config())[10];
    assert_eq!(
        &client
            .person(&made_up.personal_id, "Kiểm tra")
            .await
            .unwrap(),
        made_up
    );

    let lookups = get_json(&format!("{}/registry/lookups", sim.base_url())).await;
    assert_eq!(lookups[0]["personal_id"], LAN);
    assert_eq!(lookups[0]["purpose"], PURPOSE);
    assert_eq!(lookups[0]["found"], true);
    assert_eq!(lookups.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn unknown_person_and_bad_requests() {
    let sim = start(config()).await;
    let client = RegistryClient::new(&sim.base_url(), Duration::from_secs(5)).unwrap();
    let people = seeded_people(&config());
    let absent = "001099999999";
    assert!(people.iter().all(|p| p.personal_id != absent));
    assert_eq!(
        client.person(absent, PURPOSE).await,
        Err(RegistryError::NotFound)
    );
    // Refused before any call: not 12 digits, unknown province, no purpose.
    assert!(matches!(
        client.person("12345", PURPOSE).await,
        Err(RegistryError::InvalidId(_))
    ));
    assert!(matches!(
        client.person("999195012345", PURPOSE).await,
        Err(RegistryError::InvalidId(_))
    ));
    assert!(matches!(
        client.person(LAN, " ").await,
        Err(RegistryError::Invalid(_))
    ));

    // The registry itself refuses a read without a purpose.
    let resp = reqwest::get(format!("{}/registry/people/{LAN}", sim.base_url()))
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let lookups = get_json(&format!("{}/registry/lookups", sim.base_url())).await;
    assert_eq!(lookups.as_array().unwrap().len(), 1, "only the absent one");
}

#[tokio::test]
async fn outage_is_unavailable_with_a_message_for_citizens() {
    let sim = start(config()).await;
    let client = RegistryClient::new(&sim.base_url(), Duration::from_secs(5)).unwrap();
    put_faults(&sim, "registry", json!({"error_rate": 1.0})).await;
    let err = client.person(LAN, PURPOSE).await.unwrap_err();
    assert!(matches!(err, RegistryError::Unavailable(_)), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(
        err.to_string(),
        "Chưa kết nối được Cơ sở dữ liệu quốc gia về dân cư. Bạn có thể tự nhập, cán bộ sẽ kiểm tra lại."
    );
    // The error never carries the personal ID.
    assert!(!format!("{err:?}").contains(LAN));
}

#[tokio::test]
async fn hang_is_a_timeout_and_shutdown_does_not_wait_for_it() {
    let sim = start(config()).await;
    let client = RegistryClient::new(&sim.base_url(), Duration::from_millis(300)).unwrap();
    put_faults(&sim, "registry", json!({"timeout_rate": 1.0})).await;
    let started = Instant::now();
    let err = client.person(LAN, PURPOSE).await.unwrap_err();
    assert_eq!(err, RegistryError::Timeout);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(err.to_string().contains("chưa trả lời kịp"));

    // A request still hanging in the simulator (30 s) does not hold its shutdown.
    let base = sim.base_url();
    let hanging = tokio::spawn(async move {
        reqwest::Client::new()
            .get(format!("{base}/registry/people/{LAN}"))
            .header("X-Purpose", "x")
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    sim.shutdown().await;
    assert!(started.elapsed() < Duration::from_secs(5));
    let _ = hanging.await;
}

#[tokio::test]
async fn latency_within_and_beyond_the_client_timeout() {
    let sim = start(config()).await;
    put_faults(&sim, "registry", json!({"latency_ms": 400})).await;
    let patient = RegistryClient::new(&sim.base_url(), Duration::from_secs(5)).unwrap();
    let started = Instant::now();
    assert!(patient.person(LAN, PURPOSE).await.is_ok());
    assert!(started.elapsed() >= Duration::from_millis(400));
    let hasty = RegistryClient::new(&sim.base_url(), Duration::from_millis(150)).unwrap();
    assert_eq!(
        hasty.person(LAN, PURPOSE).await,
        Err(RegistryError::Timeout)
    );
}

#[tokio::test]
async fn corrections_get_a_ticket_and_are_listed() {
    let sim = start(config()).await;
    let client = RegistryClient::new(&sim.base_url(), Duration::from_secs(5)).unwrap();
    let request = CorrectionRequest {
        personal_id: LAN.into(),
        field: "permanent_address".into(),
        recorded_value: "Tổ 5, Phường Phan Đình Phùng, tỉnh Thái Nguyên".into(),
        claimed_value: "Tổ 7, Phường Phan Đình Phùng, tỉnh Thái Nguyên".into(),
        note: Some("Đã chuyển nơi thường trú năm 2025".into()),
    };
    let ticket = client.report_correction(&request).await.unwrap();
    assert!(ticket.starts_with("DC"), "{ticket}");
    let listed = get_json(&format!("{}/registry/corrections", sim.base_url())).await;
    assert_eq!(listed[0]["ticket"], ticket.as_str());
    assert_eq!(listed[0]["claimed_value"], request.claimed_value.as_str());
    assert_eq!(listed[0]["note"], "Đã chuyển nơi thường trú năm 2025");

    let unknown_field = CorrectionRequest {
        field: "blood_type".into(),
        ..request
    };
    let err = client.report_correction(&unknown_field).await.unwrap_err();
    assert!(
        matches!(err, RegistryError::Invalid(ref m) if m.contains("full_name")),
        "{err:?}"
    );
}
