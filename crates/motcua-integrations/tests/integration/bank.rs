use std::time::Duration;

use motcua_integrations::payment::{PaymentStatus, verify_callback};
use motcua_integrations::sim::{SimConfig, TransferReceipt};
use motcua_integrations::vietqr::VietQr;
use serde_json::{Value, json};

use crate::common::{MERCHANT, SECRET, config, receiver, start};

const CODE: &str = "000.00.13.H56-260101-0002";

async fn transfer(base: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/bank/transfer"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn transfer_by_vietqr_sends_the_signed_callback() {
    let mut rx = receiver(0).await;
    let sim = start(SimConfig {
        callback_url: Some(rx.url.clone()),
        ..config()
    })
    .await;
    let payload = VietQr::new("970415", "113000006868", 30_000, CODE)
        .payload()
        .unwrap();
    let resp = transfer(&sim.base_url(), json!({ "payload": payload })).await;
    assert_eq!(resp.status(), 200);
    let receipt: TransferReceipt = resp.json().await.unwrap();
    assert_eq!(receipt.reference, CODE);
    assert_eq!(receipt.amount_vnd, 30_000);

    let got = rx.next(Duration::from_secs(5)).await;
    let callback = verify_callback(SECRET, &got.body, got.signature.as_deref()).unwrap();
    assert_eq!(callback.merchant_id, MERCHANT);
    assert_eq!(callback.session_id, None);
    assert_eq!(callback.reference, CODE);
    assert_eq!(callback.amount_vnd, 30_000);
    assert_eq!(callback.status, PaymentStatus::Paid);
    assert_eq!(callback.transaction_id, receipt.transaction_id);
}

#[tokio::test]
async fn refuses_a_damaged_code_or_a_missing_receiver() {
    let rx = receiver(0).await;
    let sim = start(SimConfig {
        callback_url: Some(rx.url.clone()),
        ..config()
    })
    .await;
    let payload = VietQr::new("970415", "113000006868", 30_000, CODE)
        .payload()
        .unwrap();
    let damaged = payload.replace("540530000", "540590000");
    let resp = transfer(&sim.base_url(), json!({ "payload": damaged })).await;
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("CRC"));
    // An amount other than the code's is refused.
    let resp = transfer(
        &sim.base_url(),
        json!({ "payload": payload, "amount_vnd": 1 }),
    )
    .await;
    assert_eq!(resp.status(), 400);

    let nowhere = start(config()).await;
    let resp = transfer(&nowhere.base_url(), json!({ "payload": payload })).await;
    assert_eq!(resp.status(), 409);
}
