use std::time::Duration;

use motcua_integrations::IntegrationError;
use motcua_integrations::sim::SmsMessage;
use motcua_integrations::sms::SmsClient;
use serde_json::json;

use crate::common::{config, get_json, put_faults, start};

const TEXT: &str =
    "Hồ sơ 000.00.13.H56-260101-0001 đã được tiếp nhận, hẹn trả kết quả ngày 12/01/2026.";

#[tokio::test]
async fn send_and_list() {
    let sim = start(config()).await;
    let sms = SmsClient::new(&sim.base_url(), Duration::from_secs(5)).unwrap();
    let id = sms.send("+84 912 345 678", TEXT).await.unwrap();
    sms.send("0987654321", "Khác").await.unwrap();

    let listed: Vec<SmsMessage> = serde_json::from_value(
        get_json(&format!("{}/sms/messages?to=0912.345.678", sim.base_url())).await,
    )
    .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, id);
    assert_eq!(listed[0].to, "0912345678");
    assert_eq!(listed[0].text, TEXT);
    assert_eq!(listed[0].segments, 2);
    let all = get_json(&format!("{}/sms/messages", sim.base_url())).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn refused_and_failing() {
    let sim = start(config()).await;
    let sms = SmsClient::new(&sim.base_url(), Duration::from_secs(5)).unwrap();
    assert!(matches!(
        sms.send("12345", TEXT).await,
        Err(IntegrationError::Invalid(_))
    ));
    assert!(matches!(
        sms.send("0912345678", "").await,
        Err(IntegrationError::Invalid(_))
    ));
    put_faults(&sim, "sms", json!({"error_rate": 1.0})).await;
    let err = sms.send("0912345678", TEXT).await.unwrap_err();
    assert!(matches!(err, IntegrationError::Unavailable(_)), "{err:?}");
    assert!(!err.to_string().contains("0912345678"));
}
