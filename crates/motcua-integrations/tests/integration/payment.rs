use std::time::{Duration, Instant};

use motcua_integrations::IntegrationError;
use motcua_integrations::payment::{
    CallbackError, GatewayClient, PaymentOrder, PaymentSession, PaymentStatus, SessionStatus,
    verify_callback,
};
use motcua_integrations::sim::{CallbackRecord, Outcome, SimHandle};
use serde_json::json;

use crate::common::{MERCHANT, Receiver, SECRET, config, get_json, put_faults, receiver, start};

const CODE: &str = "000.00.13.H56-260101-0001";
const RETURN: &str = "http://127.0.0.1:9/ho-so/thanh-toan?lang=vi";

fn client(sim: &SimHandle) -> GatewayClient {
    GatewayClient::new(&sim.base_url(), MERCHANT, SECRET, Duration::from_secs(5)).unwrap()
}

fn order(callback_url: &str) -> PaymentOrder {
    PaymentOrder {
        reference: CODE.into(),
        amount_vnd: 50_000,
        description: "Lệ phí đăng ký khai sinh".into(),
        return_url: RETURN.into(),
        callback_url: callback_url.into(),
    }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Presses a button on the gateway's page; answers the response.
async fn press(session: &PaymentSession, action: &str) -> reqwest::Response {
    browser()
        .post(&session.redirect_url)
        .form(&[("action", action)])
        .send()
        .await
        .unwrap()
}

async fn callbacks(sim: &SimHandle) -> Vec<CallbackRecord> {
    serde_json::from_value(get_json(&format!("{}/gateway/callbacks", sim.base_url())).await)
        .unwrap()
}

#[tokio::test]
async fn pay_page_callback_and_status_query() {
    let sim = start(config()).await;
    let mut rx: Receiver = receiver(0).await;
    let gateway = client(&sim);
    let session = gateway.create_payment(&order(&rx.url)).await.unwrap();
    assert!(session.redirect_url.starts_with(&sim.base_url()));

    let page = browser().get(&session.redirect_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for needle in [
        "lang=\"vi\"",
        "Thanh toán</button>",
        "Hủy</button>",
        "50.000 đồng",
        CODE,
        "Lệ phí đăng ký khai sinh",
        "Trung tâm Phục vụ hành chính công tỉnh Thái Nguyên",
    ] {
        assert!(html.contains(needle), "{needle} missing in {html}");
    }
    assert!(!html.contains("<script"));

    let resp = press(&session, "pay").await;
    assert_eq!(resp.status(), 303);
    let location = resp.headers()["location"].to_str().unwrap();
    assert_eq!(
        location,
        format!("{RETURN}&status=paid&session={}", session.session_id)
    );

    let got = rx.next(Duration::from_secs(5)).await;
    let callback = verify_callback(SECRET, &got.body, got.signature.as_deref()).unwrap();
    assert_eq!(callback.merchant_id, MERCHANT);
    assert_eq!(
        callback.session_id.as_deref(),
        Some(session.session_id.as_str())
    );
    assert_eq!(callback.reference, CODE);
    assert_eq!(callback.amount_vnd, 50_000);
    assert_eq!(callback.status, PaymentStatus::Paid);

    // A tampered body (the amount changed) is refused, as is a wrong secret.
    let tampered = String::from_utf8(got.body.clone())
        .unwrap()
        .replace("50000", "5000000");
    assert_eq!(
        verify_callback(SECRET, tampered.as_bytes(), got.signature.as_deref()),
        Err(CallbackError::BadSignature)
    );
    assert_eq!(
        verify_callback("other", &got.body, got.signature.as_deref()),
        Err(CallbackError::BadSignature)
    );

    let info = gateway.payment(&session.session_id).await.unwrap();
    assert_eq!(info.status, SessionStatus::Paid);
    assert_eq!(
        info.transaction_id.as_deref(),
        Some(callback.transaction_id.as_str())
    );

    // Paying twice is refused; the finished page links back.
    let again = press(&session, "pay").await;
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains("đã được thanh toán"));

    let records = callbacks(&sim).await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::Delivered);
    assert_eq!(records[0].status, Some(200));
    assert!(rx.quiet_for(Duration::from_millis(300)).await);
}

#[tokio::test]
async fn cancel_sends_a_failed_callback() {
    let sim = start(config()).await;
    let mut rx = receiver(0).await;
    let session = client(&sim).create_payment(&order(&rx.url)).await.unwrap();
    let resp = press(&session, "cancel").await;
    assert_eq!(resp.status(), 303);
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .contains("status=failed")
    );
    let got = rx.next(Duration::from_secs(5)).await;
    let callback = verify_callback(SECRET, &got.body, got.signature.as_deref()).unwrap();
    assert_eq!(callback.status, PaymentStatus::Failed);
}

#[tokio::test]
async fn merchant_requests_must_be_signed_with_the_secret() {
    let sim = start(config()).await;
    let wrong =
        GatewayClient::new(&sim.base_url(), MERCHANT, "guess", Duration::from_secs(5)).unwrap();
    let err = wrong.create_payment(&order("http://127.0.0.1:9/cb")).await;
    assert!(
        matches!(err, Err(IntegrationError::Rejected { status: 401, .. })),
        "{err:?}"
    );
    let stranger =
        GatewayClient::new(&sim.base_url(), "OTHER", SECRET, Duration::from_secs(5)).unwrap();
    let err = stranger
        .create_payment(&order("http://127.0.0.1:9/cb"))
        .await;
    assert!(
        matches!(err, Err(IntegrationError::Rejected { status: 401, .. })),
        "{err:?}"
    );
    // Checked before sending.
    let bad = PaymentOrder {
        amount_vnd: 0,
        ..order("http://127.0.0.1:9/cb")
    };
    assert!(matches!(
        client(&sim).create_payment(&bad).await,
        Err(IntegrationError::Invalid(_))
    ));
    let unknown = client(&sim).payment("PS0").await;
    assert!(matches!(
        unknown,
        Err(IntegrationError::Rejected { status: 404, .. })
    ));
}

#[tokio::test]
async fn duplicate_fault_delivers_twice_with_one_transaction_id() {
    let sim = start(config()).await;
    let mut rx = receiver(0).await;
    put_faults(&sim, "gateway", json!({"duplicate_rate": 1.0})).await;
    let session = client(&sim).create_payment(&order(&rx.url)).await.unwrap();
    assert_eq!(press(&session, "pay").await.status(), 303);
    let first = rx.next(Duration::from_secs(5)).await;
    let second = rx.next(Duration::from_secs(5)).await;
    let a = verify_callback(SECRET, &first.body, first.signature.as_deref()).unwrap();
    let b = verify_callback(SECRET, &second.body, second.signature.as_deref()).unwrap();
    assert_eq!(a, b);
    let records = callbacks(&sim).await;
    let copies: Vec<u8> = records.iter().map(|r| r.copy).collect();
    assert_eq!(copies, [1, 2]);
}

#[tokio::test]
async fn dropped_callback_arrives_late() {
    let sim = start(config()).await;
    let mut rx = receiver(0).await;
    put_faults(&sim, "gateway", json!({"drop_rate": 1.0})).await;
    let session = client(&sim).create_payment(&order(&rx.url)).await.unwrap();
    let pressed = Instant::now();
    assert_eq!(press(&session, "pay").await.status(), 303);
    assert!(rx.quiet_for(Duration::from_millis(200)).await);
    let got = rx.next(Duration::from_secs(5)).await;
    assert!(pressed.elapsed() >= Duration::from_millis(400));
    assert!(verify_callback(SECRET, &got.body, got.signature.as_deref()).is_ok());
    let records = callbacks(&sim).await;
    assert_eq!(records[0].outcome, Outcome::Dropped);
    assert_eq!(records[1].outcome, Outcome::Delivered);
    assert!(records[1].late);
}

#[tokio::test]
async fn latency_delays_the_callback_not_the_browser() {
    let sim = start(config()).await;
    let mut rx = receiver(0).await;
    let session = client(&sim).create_payment(&order(&rx.url)).await.unwrap();
    put_faults(&sim, "gateway", json!({"latency_ms": 1000})).await;
    let pressed = Instant::now();
    assert_eq!(press(&session, "pay").await.status(), 303);
    assert!(pressed.elapsed() < Duration::from_millis(900));
    rx.next(Duration::from_secs(5)).await;
    assert!(pressed.elapsed() >= Duration::from_millis(1000));
}

#[tokio::test]
async fn failed_delivery_is_retried() {
    let sim = start(config()).await;
    let mut rx = receiver(1).await;
    let session = client(&sim).create_payment(&order(&rx.url)).await.unwrap();
    assert_eq!(press(&session, "pay").await.status(), 303);
    let first = rx.next(Duration::from_secs(5)).await;
    let second = rx.next(Duration::from_secs(5)).await;
    assert_eq!(first.body, second.body);
    // The record of the success is written just after the receiver answers.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let records = callbacks(&sim).await;
    assert_eq!(
        records
            .iter()
            .map(|r| (r.attempt, r.outcome, r.status))
            .collect::<Vec<_>>(),
        [
            (1, Outcome::Failed, Some(500)),
            (2, Outcome::Delivered, Some(200))
        ]
    );
}

#[tokio::test]
async fn gateway_outage_on_create_and_on_the_form() {
    let sim = start(config()).await;
    let rx = receiver(0).await;
    let session = client(&sim).create_payment(&order(&rx.url)).await.unwrap();
    put_faults(&sim, "gateway", json!({"error_rate": 1.0})).await;
    let err = client(&sim)
        .create_payment(&order(&rx.url))
        .await
        .unwrap_err();
    assert!(matches!(err, IntegrationError::Unavailable(_)), "{err:?}");
    assert!(err.is_retryable());
    let resp = press(&session, "pay").await;
    assert_eq!(resp.status(), 503);
    assert!(resp.text().await.unwrap().contains("chưa bị trừ tiền"));
    // The session is still open: the payer can try again once the gateway is back.
    put_faults(&sim, "gateway", json!({})).await;
    assert_eq!(press(&session, "pay").await.status(), 303);
}

#[tokio::test]
async fn a_paid_transaction_is_refunded_once_and_never_beyond_what_was_paid() {
    let sim = start(config()).await;
    let rx: Receiver = receiver(0).await;
    let gateway = client(&sim);
    let session = gateway.create_payment(&order(&rx.url)).await.unwrap();
    assert_eq!(press(&session, "pay").await.status(), 303);
    let info = gateway.payment(&session.session_id).await.unwrap();
    let transaction = info.transaction_id.unwrap();

    // Refused before the call: nothing to give back, or no transaction named.
    assert!(matches!(
        gateway.refund("r0", &transaction, 0, "nộp thừa").await,
        Err(IntegrationError::Invalid(_))
    ));
    // Unknown transaction, or more than was paid: the gateway refuses, for good.
    let unknown = gateway.refund("r1", "FT-NONE", 1_000, "nộp thừa").await;
    assert!(
        matches!(unknown, Err(IntegrationError::Rejected { status: 404, .. })),
        "{unknown:?}"
    );
    let too_much = gateway.refund("r2", &transaction, 60_000, "nộp thừa").await;
    assert!(
        matches!(too_much, Err(ref e @ IntegrationError::Rejected { status: 400, .. }) if !e.is_retryable()),
        "{too_much:?}"
    );

    // Down for a moment: retryable, nothing refunded.
    put_faults(&sim, "gateway", json!({"error_rate": 1.0})).await;
    let down = gateway.refund("r3", &transaction, 50_000, "nộp thừa").await;
    assert!(
        down.as_ref().is_err_and(IntegrationError::is_retryable),
        "{down:?}"
    );
    put_faults(&sim, "gateway", json!({})).await;

    // Refunded; the same request again is the same refund, not a second one.
    let first = gateway
        .refund("r3", &transaction, 50_000, "nộp thừa")
        .await
        .unwrap();
    assert_eq!(first.amount_vnd, 50_000);
    assert_eq!(first.transaction_id, transaction);
    let again = gateway
        .refund("r3", &transaction, 50_000, "nộp thừa")
        .await
        .unwrap();
    assert_eq!(again, first);
    let more = gateway.refund("r4", &transaction, 1, "nộp thừa").await;
    assert!(
        matches!(more, Err(IntegrationError::Rejected { status: 400, .. })),
        "all was given back"
    );
    let listed = get_json(&format!("{}/gateway/refunds", sim.base_url())).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
}
