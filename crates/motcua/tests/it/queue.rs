//! The official's work list over real HTTP on both databases: most pressing first with the
//! urgency in words, counts by urgency, narrowed by code or procedure and by urgency; a bad
//! filter is a clear 400; citizens keep their own list.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::Value;

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
        let (mine, _) = lan.get_all("/api/v1/dossiers?urgency=paused").await;
        assert!(codes(&mine).contains(&asked_code), "{mine}");
        assert!(!codes(&mine).contains(&waiting_code));
    }
}

#[tokio::test]
async fn several_dossiers_are_received_at_once_and_each_says_how_it_went() {
    for server in servers() {
        let lan = Api::login(server, LAN).await;
        let intake = Api::login(server, "tiepnhan.ubnd5443").await;
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(submitted_birth_dossier(&lan).await.0);
        }
        let (status, _) = intake.act(&ids[0], "receive", None).await;
        assert_eq!(status, StatusCode::OK);

        let (status, out) = intake
            .post(
                "/api/v1/dossiers/bulk-actions",
                serde_json::json!({"action": "receive", "ids": ids}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{out}");
        let out = out.as_array().unwrap();
        assert_eq!(out.len(), 3);
        assert!(
            out[0]["error"].as_str().unwrap().contains("Tiếp nhận"),
            "{out:?}"
        );
        assert!(
            out[1]["error"].is_null() && out[2]["error"].is_null(),
            "{out:?}"
        );
        for id in &ids {
            let (_, view) = intake.get(&format!("/api/v1/dossiers/{id}")).await;
            assert_eq!(view["state"], "received");
        }

        // Only what the law allows, only for whom it allows, and not without a choice.
        let (status, body) = intake
            .post(
                "/api/v1/dossiers/bulk-actions",
                serde_json::json!({"action": "refuse", "ids": [ids[1]]}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, _) = intake
            .post(
                "/api/v1/dossiers/bulk-actions",
                serde_json::json!({"action": "receive", "ids": []}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (another, _) = submitted_birth_dossier(&lan).await;
        for who in [LAN, "tiepnhan.ubnd5467"] {
            let caller = Api::login(server, who).await;
            let (status, out) = caller
                .post(
                    "/api/v1/dossiers/bulk-actions",
                    serde_json::json!({"action": "receive", "ids": [another]}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{out}");
            assert!(out[0]["error"].is_string(), "{who} may not: {out}");
        }
        let (_, view) = lan.get(&format!("/api/v1/dossiers/{another}")).await;
        assert_eq!(view["state"], "submitted");
    }
}

#[tokio::test]
async fn the_leader_sees_the_load_and_officials_find_dossiers_by_the_applicants_name() {
    // Servers of its own: the counts must not move under other tests' dossiers.
    for server in &own_servers(motcua_app::Integrations::default) {
        let lan = Api::login(server, LAN).await;
        let intake = Api::login(server, "tiepnhan.ubnd5443").await;
        let leader = Api::login(server, "lanhdao.ubnd5443").await;
        let (_, before) = leader.get("/api/v1/agency/load").await;
        let running = |load: &serde_json::Value| load["total"]["running"].as_u64().unwrap();
        let waiting = |load: &serde_json::Value| load["total"]["waiting_intake"].as_u64().unwrap();
        let (id, code) = submitted_birth_dossier(&lan).await;
        let (status, after) = leader.get("/api/v1/agency/load").await;
        assert_eq!(status, StatusCode::OK, "{after}");
        assert_eq!(running(&after), running(&before) + 1);
        assert_eq!(waiting(&after), waiting(&before) + 1);
        let row = after["by_procedure"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["procedure_code"] == "HT-01")
            .unwrap();
        assert!(row["running"].as_u64().unwrap() >= 1);
        intake.act(&id, "receive", None).await;
        let (_, received) = leader.get("/api/v1/agency/load").await;
        assert_eq!(waiting(&received), waiting(&before));
        // Only leaders and supervisors of an agency.
        for who in [LAN, "tiepnhan.ubnd5443", "quantri"] {
            let (status, _) = Api::login(server, who)
                .await
                .get("/api/v1/agency/load")
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
        }

        // The specialist's list, searched by the applicant's name without diacritics.
        let specialist = Api::login(server, "chuyenvien.ubnd5443").await;
        let (found, _) = specialist
            .get_all("/api/v1/dossiers?q=nguyen%20thi%20lan")
            .await;
        let found = found.as_array().unwrap();
        assert!(
            found.iter().any(|l| l["code"] == code.as_str()),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .all(|l| l["applicant_name"] == "Nguyễn Thị Lan")
        );
        let (none, _) = specialist
            .get_all("/api/v1/dossiers?q=tran%20van%20minh")
            .await;
        assert!(
            !none
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["code"] == code.as_str())
        );
        // Each match is in Lan's access log; her own list shows no names.
        let (log, _) = lan.get_all("/api/v1/me/access-log").await;
        assert!(
            log.as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "Tìm hồ sơ theo tên người nộp"),
            "{log}"
        );
        let (_, mine) = lan.get("/api/v1/dossiers").await;
        let mine = mine.as_array().unwrap();
        assert!(!mine.is_empty() && mine.iter().all(|l| l["applicant_name"].is_null()));
    }
}

#[tokio::test]
async fn two_desks_receiving_the_same_dossiers_at_once_each_get_plain_answers() {
    for server in servers() {
        let lan = Api::login(server, LAN).await;
        let mut ids = Vec::new();
        for _ in 0..12 {
            ids.push(submitted_birth_dossier(&lan).await.0);
        }
        // The same officer at two desks (two sessions), the same dossiers, the same moment.
        let desks = [
            Api::login(server, "tiepnhan.ubnd5443").await,
            Api::login(server, "tiepnhan.ubnd5443").await,
        ];
        let body = serde_json::json!({"action": "receive", "ids": ids});
        let answers = futures::future::join_all(
            desks
                .iter()
                .map(|d| d.post("/api/v1/dossiers/bulk-actions", body.clone())),
        )
        .await;
        let mut received = 0;
        for (status, out) in &answers {
            assert_eq!(*status, StatusCode::OK, "{out}");
            for o in out.as_array().unwrap() {
                match o["error"].as_str() {
                    None => received += 1,
                    Some(e) => assert!(
                        !e.contains("Lỗi hệ thống"),
                        "{}: an ordinary race, not a system error: {e}",
                        server.name
                    ),
                }
            }
        }
        assert_eq!(received, ids.len(), "{}: each received once", server.name);
        for id in &ids {
            let (_, view) = desks[0].get(&format!("/api/v1/dossiers/{id}")).await;
            assert_eq!(view["state"], "received");
            let receipts = view["events"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["kind"] == "receive")
                .count();
            assert_eq!(receipts, 1, "{}: {view}", server.name);
        }
    }
}

#[tokio::test]
async fn every_list_comes_a_page_at_a_time_and_the_pages_hold_every_line_once() {
    for server in servers() {
        let lan = Api::login(server, LAN).await;
        let intake = Api::login(server, "tiepnhan.ubnd5443").await;
        let (mut mine, mut ids) = (Vec::new(), Vec::new());
        for _ in 0..5 {
            let (id, code) = submitted_birth_dossier(&lan).await;
            mine.push(code);
            ids.push(id);
        }
        // Officials looking at her dossiers: lines in her access log.
        for id in &ids[..3] {
            let (status, _) = intake.get(&format!("/api/v1/dossiers/{id}")).await;
            assert_eq!(status, StatusCode::OK);
        }
        for (who, api) in [("citizen", &lan), ("official", &intake)] {
            let (all, pages) = api.get_all("/api/v1/dossiers?limit=2").await;
            let ids: Vec<&str> = all
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["id"].as_str().unwrap())
                .collect();
            let mut unique = ids.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), ids.len(), "{who}: a line on two pages");
            assert!(pages >= 3, "{who}: {pages} pages of 2");
            for c in &mine {
                assert!(codes(&all).contains(c), "{who}: {c} on no page");
            }
        }
        // The first page says where the next starts; the last says nothing.
        let res = lan
            .http
            .get(lan.url("/api/v1/dossiers?limit=1"))
            .bearer_auth(&lan.token)
            .send()
            .await
            .unwrap();
        let link = res.headers()["link"].to_str().unwrap().to_string();
        assert!(
            link.starts_with("</api/v1/dossiers?limit=1&cursor=")
                && link.ends_with(">; rel=\"next\""),
            "{link}"
        );
        // Not our cursor, or a page too long: a clear 400 that names the parameter.
        for (query, field) in [
            ("cursor=xyz", "cursor"),
            ("limit=0", "limit"),
            ("limit=201", "limit"),
        ] {
            let (status, body) = lan.get(&format!("/api/v1/dossiers?{query}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
            assert!(
                body["error"]["fields"][field].is_string(),
                "{query}: {body}"
            );
        }
        // Another citizen's cursor shows nothing of Lan's: the page is always the caller's.
        let other = Api::login(server, MINH).await;
        let href = link.trim_start_matches('<').split('>').next().unwrap();
        let (status, theirs) = other.get(href).await;
        assert_eq!(status, StatusCode::OK);
        assert!(codes(&theirs).iter().all(|c| !mine.contains(c)), "{theirs}");

        // Her access log pages the same way, newest first, each line once.
        let (paged, pages) = lan.get_all("/api/v1/me/access-log?limit=1").await;
        let views: Vec<&Value> = paged
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| mine[..3].iter().any(|c| e["dossier_code"] == c.as_str()))
            .collect();
        assert_eq!(views.len(), 3, "each look once: {paged}");
        assert_eq!(pages, paged.as_array().unwrap().len(), "one line a page");
        let (status, _) = lan.get("/api/v1/me/access-log?cursor=%21").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // The page: a next link that keeps the filters, and a way back to the first page.
        let page = page_login(server, "tiepnhan.ubnd5443").await;
        let html = page_html(
            &page,
            &format!("{}/dossiers?limit=1&urgency=no_deadline", server.base),
        )
        .await;
        assert!(html.contains("rel=\"next\""), "{html}");
        assert!(html.contains("Trang sau"));
        let next = html
            .split("href=\"")
            .filter_map(|h| h.split('"').next())
            .find(|h| h.contains("cursor="))
            .unwrap()
            .replace("&#38;", "&")
            .replace("&amp;", "&");
        assert!(
            next.contains("urgency=no_deadline") && next.contains("limit=1"),
            "{next}"
        );
        let second = page_html(&page, &format!("{}{next}", server.base)).await;
        assert!(second.contains("Về trang đầu"), "{second}");
    }
}
