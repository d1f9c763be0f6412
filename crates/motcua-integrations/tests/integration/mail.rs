use std::time::Duration;

use motcua_integrations::IntegrationError;
use motcua_integrations::mail::Mailer;
use motcua_integrations::sim::{MailMessage, SimHandle};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::common::{config, get_json, put_faults, start};

const FROM: &str = "Cổng dịch vụ công tỉnh Thái Nguyên <khong-tra-loi@dichvucong.example.vn>";

async fn mails_to(sim: &SimHandle, to: &str) -> Vec<MailMessage> {
    serde_json::from_value(get_json(&format!("{}/mail/messages?to={to}", sim.base_url())).await)
        .unwrap()
}

#[tokio::test]
async fn vietnamese_subject_and_body_arrive_intact() {
    let sim = start(config()).await;
    let mailer = Mailer::new("127.0.0.1", sim.smtp_addr.port(), FROM).unwrap();
    let subject = "Hồ sơ 000.00.13.H56-260101-0001 đã được tiếp nhận – hẹn trả ngày 12/01/2026";
    let body = "Kính gửi bà Nguyễn Thị Lan,\n\n\
Trung tâm Phục vụ hành chính công tỉnh Thái Nguyên đã tiếp nhận hồ sơ đăng ký khai sinh của bà. \
Dòng này cố ý dài hơn bảy mươi sáu ký tự để bộ mã hóa phải ngắt dòng mềm.\n\
.Dòng bắt đầu bằng dấu chấm.\n\
..\n\
Trân trọng,\nBộ phận Một cửa\n";
    mailer.send("lan@example.vn", subject, body).await.unwrap();
    mailer
        .send("minh@example.vn", "Thư khác", "Nội dung khác")
        .await
        .unwrap();

    let got = mails_to(&sim, "LAN@example.vn").await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].subject, subject);
    assert_eq!(got[0].body, body);
    assert_eq!(got[0].from, "khong-tra-loi@dichvucong.example.vn");
    assert_eq!(got[0].to, ["lan@example.vn"]);
    let all = get_json(&format!("{}/mail/messages", sim.base_url())).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn refused_addresses_and_outage() {
    let sim = start(config()).await;
    let mailer = Mailer::new("127.0.0.1", sim.smtp_addr.port(), FROM).unwrap();
    assert!(matches!(
        mailer.send("not an address", "a", "b").await,
        Err(IntegrationError::Invalid(_))
    ));
    assert!(Mailer::new("127.0.0.1", 25, "not an address").is_err());

    put_faults(&sim, "mail", json!({"error_rate": 1.0})).await;
    let err = mailer.send("lan@example.vn", "a", "b").await.unwrap_err();
    assert!(matches!(err, IntegrationError::Unavailable(_)), "{err:?}");
    assert!(err.is_retryable());
    assert!(!err.to_string().contains("lan@"));
    assert!(mails_to(&sim, "lan@example.vn").await.is_empty());

    // No server at all.
    sim.shutdown().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let nobody = Mailer::new("127.0.0.1", port, FROM).unwrap();
    let err = nobody.send("lan@example.vn", "a", "b").await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
}

/// The sink by hand, as any SMTP client speaks it: dot-stuffing, RSET, several recipients.
#[tokio::test]
async fn raw_smtp_conversation() {
    let sim = start(config()).await;
    let stream = TcpStream::connect(sim.smtp_addr).await.unwrap();
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let mut expect = async |code: &str| {
        // Multi-line replies: read until the line whose fourth character is a space.
        loop {
            let line = tokio::time::timeout(Duration::from_secs(5), lines.next_line())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            assert!(line.starts_with(code), "expected {code}, got {line}");
            if line.as_bytes().get(3) == Some(&b' ') {
                return line;
            }
        }
    };
    expect("220").await;
    for (command, code) in [
        ("EHLO test.local", "250"),
        ("MAIL FROM:<a@example.vn>", "250"),
        ("RSET", "250"),
        ("RCPT TO:<b@example.vn>", "503"),
        ("MAIL FROM:<a@example.vn> BODY=8BITMIME", "250"),
        ("RCPT TO:<b@example.vn>", "250"),
        ("RCPT TO:<c@example.vn>", "250"),
        ("NOOP", "250"),
        ("DATA", "354"),
    ] {
        write
            .write_all(format!("{command}\r\n").as_bytes())
            .await
            .unwrap();
        expect(code).await;
    }
    let message = "Subject: Thử nghiệm\r\nContent-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\r\nDòng một\r\n..chấm\r\n.\r\n";
    write.write_all(message.as_bytes()).await.unwrap();
    let queued = expect("250").await;
    assert!(queued.contains("queued as MAIL"));
    write.write_all(b"QUIT\r\n").await.unwrap();
    expect("221").await;

    let got = mails_to(&sim, "c@example.vn").await;
    assert_eq!(got[0].to, ["b@example.vn", "c@example.vn"]);
    assert_eq!(got[0].subject, "Thử nghiệm");
    assert_eq!(got[0].body, "Dòng một\n.chấm\n");
}
