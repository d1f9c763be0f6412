//! The official's work list over real HTTP on both databases: most pressing first with the
//! urgency in words, counts by urgency, narrowed by code or procedure and by urgency; a bad
//! filter is a clear 400; citizens keep their own list.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reqwest::StatusCode;

fn codes(lines: &serde_json::Value) -> Vec<String> {
    lines
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["code"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn the_work_list_is_sorted_counted_and_filtered() {
    for server in servers() {
        let lan = Api::login(server, LAN).await;
        let intake = Api::login(server, "tiepnhan.ubnd5443").await;
        let (waiting, waiting_code) = submitted_birth_dossier(&lan).await;
        let (asked, asked_code) = submitted_birth_dossier(&lan).await;
        let (status, _) = intake
            .act(
                &asked,
                "request_supplement",
                Some("Thiếu bản chụp rõ giấy chứng sinh"),
            )
            .await;
        assert_eq!(status, StatusCode::OK);

        // The whole list, then narrowed by code.
        let (status, all) = intake.get("/api/v1/dossiers").await;
        assert_eq!(status, StatusCode::OK);
        assert!(codes(&all).contains(&waiting_code));
        let (_, one) = intake
            .get(&format!(
                "/api/v1/dossiers?q={}",
                &waiting_code[waiting_code.len() - 11..]
            ))
            .await;
        assert_eq!(codes(&one), vec![waiting_code.as_str()], "{one}");
        let (_, by_name) = intake
            .get("/api/v1/dossiers?q=dang%20ky%20khai%20sinh")
            .await;
        assert!(
            codes(&by_name).contains(&waiting_code),
            "folded name search"
        );
        let line = all
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == waiting.as_str())
            .unwrap();
        assert_eq!(line["urgency"], "no_deadline", "not received yet: {line}");

        // Sorted: nothing runs against a deadline sorts after what does.
        let urgencies: Vec<&str> = all
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["urgency"].as_str().unwrap())
            .collect();
        let rank = |u: &str| {
            [
                "overdue",
                "due_today",
                "due_soon",
                "on_time",
                "paused",
                "no_deadline",
            ]
            .iter()
            .position(|x| *x == u)
            .unwrap()
        };
        assert!(
            urgencies.windows(2).all(|w| rank(w[0]) <= rank(w[1])),
            "{urgencies:?}"
        );

        // The page: counts, a filter by urgency, words beside the colour.
        let page = page_login(server, "tiepnhan.ubnd5443").await;
        let html = page_html(&page, &format!("{}/dossiers", server.base)).await;
        assert!(html.contains("Số hồ sơ theo mức độ khẩn"), "{html}");
        assert!(html.contains("Chưa tính hạn"));
        let html = page_html(
            &page,
            &format!("{}/dossiers?urgency=no_deadline", server.base),
        )
        .await;
        assert!(html.contains(&waiting_code));
        assert!(
            !html.contains(&asked_code),
            "a dossier with the applicant is not in this list"
        );
        let res = page
            .get(format!("{}/dossiers?urgency=soon", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let (status, body) = intake.get("/api/v1/dossiers?urgency=soon").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["fields"]["urgency"], "Không có giá trị này.");
        let html = page_html(
            &page,
            &format!("{}/dossiers?q=khong-co-ma-nay", server.base),
        )
        .await;
        assert!(html.contains("Không có hồ sơ nào khớp điều kiện lọc."));

        // The citizen's own list shows the supplement request as waiting on her.
        let (_, mine) = lan.get("/api/v1/dossiers?urgency=paused").await;
        assert!(codes(&mine).contains(&asked_code), "{mine}");
        assert!(!codes(&mine).contains(&waiting_code));
    }
}
