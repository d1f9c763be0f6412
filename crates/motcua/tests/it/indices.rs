//! Decision 766 figures over real HTTP on both databases: three dossiers with known events give
//! the figures worked out by hand below; recomputing every aggregate from the event log gives
//! the same figures as the live ones; the dashboard is for leaders (their own agency) and
//! supervisors; the public pages and exports need no sign-in and carry no personal data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use motcua_app::Integrations;
use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const RESULT: &[u8] = b"%PDF-1.4\n% Trich luc khai sinh\n%%EOF\n";

fn indicator<'a>(f: &'a Value, key: &str) -> &'a Value {
    f["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["indicators"].as_array().unwrap())
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("{key}"))
}

fn rate<'a>(f: &'a Value, key: &str) -> &'a Value {
    f["rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap()
}

async fn figures(api: &Api, agency: &str) -> Value {
    let (status, f) = api.get(&format!("/api/v1/indices?agency={agency}")).await;
    assert_eq!(status, StatusCode::OK, "{f}");
    f
}

#[tokio::test]
async fn figures_by_hand_live_equals_rebuilt_and_who_sees_what() {
    let sim = own_simulators(Default::default());
    for server in own_servers(|| Integrations {
        portal_url: Some(sim.clone()),
        retry_base: Some(Duration::from_millis(50)),
        ..Integrations::default()
    }) {
        let lan = Api::login(&server, LAN).await;
        let minh = Api::login(&server, MINH).await;
        let intake = Api::login(&server, "tiepnhan.ubnd5443").await;
        let specialist = Api::login(&server, "chuyenvien.ubnd5443").await;
        let leader = Api::login(&server, "lanhdao.ubnd5443").await;
        let admin = Api::login(&server, "quantri").await;
        let (_, p) = lan.get("/api/v1/procedures/HT-01").await;
        let agency = p["agencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"].as_str().unwrap().contains("Phan Đình Phùng"))
            .map(|a| a["code"].as_str().unwrap().to_string())
            .unwrap();

        // D1: received, appraised, approved with a result, returned, rated 3, then a complaint
        // (answered the same day).
        let (d1, _) = submitted_birth_dossier(&lan).await;
        assert_eq!(intake.act(&d1, "receive", None).await.0, StatusCode::OK);
        assert_eq!(
            specialist.act(&d1, "appraise", Some("Đủ")).await.0,
            StatusCode::OK
        );
        let (status, _) = leader
            .upload(
                &format!("/api/v1/dossiers/{d1}/result"),
                &[],
                "trich-luc.pdf",
                RESULT,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(leader.act(&d1, "approve", None).await.0, StatusCode::OK);
        assert_eq!(
            intake.act(&d1, "return_result", None).await.0,
            StatusCode::OK
        );
        let (status, _) = lan
            .post(
                &format!("/api/v1/dossiers/{d1}/actions"),
                json!({"action": "rate", "score": 3}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, fb) = lan
            .post(
                &format!("/api/v1/dossiers/{d1}/feedback"),
                json!({"causes": ["too_complex"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{fb}");
        let fb = fb["id"].as_str().unwrap();
        let (status, _) = intake
            .post(
                &format!("/api/v1/feedback/{fb}/answer"),
                json!({"answer": "Đã hướng dẫn lại."}),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = lan
            .post(
                &format!("/api/v1/me/feedback/{fb}/rating"),
                json!({"satisfied": true}),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        // D2: refused at intake, never received: counts nowhere.
        let (d2, _) = submitted_birth_dossier(&lan).await;
        assert_eq!(
            intake.act(&d2, "refuse", Some("Sai cơ quan")).await.0,
            StatusCode::OK
        );
        // D3: received, still being handled, not yet due.
        let (d3, code3) = submitted_birth_dossier(&minh).await;
        assert_eq!(intake.act(&d3, "receive", None).await.0, StatusCode::OK);

        // The portal gets every message; then both received dossiers count as synced.
        server.run_due_jobs().await;
        let live = figures(&lan, &agency).await;
        let by_hand = [
            // received D1 D3, both synced: 2/2 of 6 points.
            ("synced", 2, 2, 100.0, 6.0),
            // D1 ended on time, D3 open and not due: 2/2 of 20.
            ("on_time", 2, 2, 100.0, 20.0),
            // Both filed online: 2/2 × sync 2/2 = 100% ≥ 50% → 6.
            ("online_filing_synced", 2, 2, 100.0, 6.0),
            // D1's result is signed: 1 of the 1 resolved.
            ("electronic_result", 1, 1, 100.0, 6.0),
            // D1 has its component and its result as files, D3 no result yet: 1/2 ÷ 80% of 4.
            ("digitised", 1, 2, 50.0, 2.5),
            // The complaint answered the same day: 1/1 of 6.
            ("feedback_on_time", 1, 1, 100.0, 6.0),
            // Lan was satisfied with the answer: 1/1 of 6.
            ("feedback_satisfaction", 1, 1, 100.0, 6.0),
            // The commune offers certification (CT-01..03) online: 1/1 of 2.
            ("certified_copies", 1, 1, 100.0, 2.0),
        ];
        for (key, n, d, percent, points) in by_hand {
            let i = indicator(&live, key);
            assert_eq!(
                (i["numerator"].as_i64(), i["denominator"].as_i64()),
                (Some(n), Some(d)),
                "{key} {i}"
            );
            assert_eq!(
                (i["percent"].as_f64(), i["points"].as_f64()),
                (Some(percent), Some(points)),
                "{key}"
            );
        }
        // 100% − (0 late of 2 + 1 complained of 2) = 50%, ÷ 90% of 6 = 3.33.
        let s = indicator(&live, "handling_satisfaction");
        assert_eq!(
            (s["percent"].as_f64(), s["points"].as_f64()),
            (Some(50.0), Some(3.33))
        );
        assert!(indicator(&live, "published_on_time")["points"].is_null());
        assert_eq!(rate(&live, "self_filed")["percent"].as_f64(), Some(100.0));
        assert_eq!(rate(&live, "in_person")["percent"].as_f64(), Some(0.0));
        assert_eq!(
            (
                live["open_at_end"].as_i64(),
                live["overdue_open_at_end"].as_i64()
            ),
            (Some(1), Some(0))
        );
        assert!(
            live["score"].as_f64().is_some() && live["grade"].is_string(),
            "{live}"
        );

        // Recomputed from the event log, every figure is the same.
        let province = figures(&lan, "").await;
        let (status, _) = leader
            .post("/api/v1/admin/indices/rebuild", json!({}))
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "only administrators recompute"
        );
        let (status, rebuilt) = admin.post("/api/v1/admin/indices/rebuild", json!({})).await;
        assert_eq!(status, StatusCode::OK);
        assert!(rebuilt["dossiers"].as_u64().unwrap() >= 3);
        assert_eq!(figures(&lan, &agency).await, live);
        assert_eq!(figures(&lan, "").await, province);

        // `motcua indices` prints the same figures for scripts, as JSON and as CSV.
        if server.name == "sqlite" {
            let (from, to) = (live["from"].as_str().unwrap(), live["to"].as_str().unwrap());
            let cli = |format: &str| {
                let out = std::process::Command::new(env!("CARGO_BIN_EXE_motcua"))
                    .args([
                        "indices", "--from", from, "--to", to, "--agency", &agency, "--format",
                        format,
                    ])
                    .arg("--data")
                    .arg(&server.data_dir)
                    .env_remove("MOTCUA_DATABASE_URL")
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                String::from_utf8(out.stdout).unwrap()
            };
            let printed: Value = serde_json::from_str(&cli("json")).unwrap();
            assert_eq!(printed, live);
            let csv = cli("csv");
            assert!(
                csv.starts_with("group,key,name,numerator,denominator,percent,points,max_points\n")
            );
            assert!(
                csv.contains(
                    "\nprogress,on_time,Hồ sơ giải quyết trước và đúng hạn,2,2,100.00,20.00,20.00\n"
                ),
                "{csv}"
            );
            assert!(csv.contains("\ntransparency,published_on_time,"), "{csv}");
            let missing = std::process::Command::new(env!("CARGO_BIN_EXE_motcua"))
                .args([
                    "indices",
                    "--from",
                    from,
                    "--to",
                    to,
                    "--data",
                    "/nonexistent/motcua",
                ])
                .env_remove("MOTCUA_DATABASE_URL")
                .output()
                .unwrap();
            assert!(!missing.status.success());
            assert!(String::from_utf8_lossy(&missing.stderr).contains("không có cơ sở dữ liệu"));
        }

        // The ranking puts the only agency with dossiers first.
        let (_, ranking) = lan.get("/api/v1/ranking").await;
        assert_eq!(ranking[0]["agency_code"], agency.as_str());
        assert_eq!(ranking[0]["score"], live["score"]);
        assert!(
            ranking.as_array().unwrap()[1..]
                .iter()
                .all(|r| r["score"].is_null())
        );

        // Bad input is refused in Vietnamese, as structured JSON.
        let (status, body) = lan.get("/api/v1/indices?period=2026-13").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body["error"]["fields"]["period"]
                .as_str()
                .unwrap()
                .starts_with("Kỳ không hợp lệ")
        );
        let (status, _) = lan.get("/api/v1/indices?agency=000.00.99.X00").await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The dashboard: the agency's leader, and supervisors; not citizens, not another
        // agency's leader.
        let url = |path: &str| format!("{}{path}", server.base);
        for (who, path, expected) in [
            (LAN, "/dashboard".to_string(), StatusCode::FORBIDDEN),
            (
                "tiepnhan.ubnd5443",
                "/dashboard".to_string(),
                StatusCode::FORBIDDEN,
            ),
            (
                "lanhdao.ubnd5467",
                format!("/dashboard?agency={agency}"),
                StatusCode::FORBIDDEN,
            ),
            (
                "lanhdao.ubnd5467",
                format!("/dashboard/qua-han.csv?agency={agency}"),
                StatusCode::FORBIDDEN,
            ),
            ("lanhdao.ubnd5443", "/dashboard".to_string(), StatusCode::OK),
            (
                "giamsat",
                format!("/dashboard?agency={agency}"),
                StatusCode::OK,
            ),
            ("giamsat", "/dashboard".to_string(), StatusCode::OK),
        ] {
            let http = page_login(&server, who).await;
            let res = http.get(url(&path)).send().await.unwrap();
            assert_eq!(res.status(), expected, "{who} {path}");
        }
        let http = page_login(&server, "lanhdao.ubnd5443").await;
        let page = page_html(&http, &url("/dashboard")).await;
        assert!(page.contains("Hồ sơ giải quyết trước và đúng hạn"));
        assert!(page.contains("<svg class=\"chart\""));
        assert!(
            page.contains(&code3),
            "D3 is listed among the running dossiers due"
        );
        let csv = http
            .get(url("/dashboard/chi-so-766.csv"))
            .send()
            .await
            .unwrap();
        assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
        let csv = csv.text().await.unwrap();
        assert!(csv.contains("Hồ sơ giải quyết trước và đúng hạn,"), "{csv}");
        assert!(csv.contains(",2,2,100.00,20.00,20.00\n"), "{csv}");

        // Public pages: no sign-in, no dossier code, no name.
        let anyone = client();
        for path in [
            format!("/transparency/{agency}"),
            "/ranking".to_string(),
            format!("/transparency/{agency}/xu-huong.csv"),
        ] {
            let res = anyone.get(url(&path)).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            let text = res.text().await.unwrap();
            assert!(
                !text.contains(&code3) && !text.contains("Nguyễn Thị Lan"),
                "{path}"
            );
        }
        let xlsx = anyone
            .get(url("/ranking/xep-hang.xlsx"))
            .send()
            .await
            .unwrap();
        assert_eq!(xlsx.status(), StatusCode::OK);
        assert_eq!(&xlsx.bytes().await.unwrap()[..2], b"PK");
        let res = anyone.get(url("/ranking/other.csv")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
}
