//! Issue 5, points 6 and 8 on every backend: follow a dossier by its code (and the receipt's QR
//! code) without personal data; rate a returned dossier; give feedback with the survey's causes;
//! the agency answers; the citizen reads the answer. Only the right people get through.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const INTAKE: &str = "tiepnhan.ubnd5443";
const SPECIALIST: &str = "chuyenvien.ubnd5443";
const LEADER: &str = "lanhdao.ubnd5443";
const FAR_INTAKE: &str = "tiepnhan.ubnd5467";

/// A citizen's HT-01 dossier driven to "returned" through the API; (id, code).
async fn returned_dossier(server: &Server, citizen: &Api) -> (String, String) {
    let intake = Api::login(server, INTAKE).await;
    let specialist = Api::login(server, SPECIALIST).await;
    let leader = Api::login(server, LEADER).await;
    let (id, code) = submitted_birth_dossier(citizen).await;
    let (status, body) = intake.act(&id, "receive", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = specialist.act(&id, "appraise", Some("Đủ điều kiện")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = leader
        .upload(
            &format!("/api/v1/dossiers/{id}/result"),
            &[],
            "giay-khai-sinh.pdf",
            PDF,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = leader.act(&id, "approve", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = intake.act(&id, "return_result", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (id, code)
}

/// The feedback items (from a list answer) about one dossier.
fn about<'a>(list: &'a Value, dossier_id: &str) -> Vec<&'a Value> {
    list.as_array()
        .unwrap()
        .iter()
        .filter(|f| f["dossier_id"] == dossier_id)
        .collect()
}

fn codes(item: &Value) -> Vec<&str> {
    item["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_citizen_rates_gives_feedback_and_reads_the_agencys_answer() {
    for server in servers() {
        let base = &server.base;
        let citizen = Api::login(server, LAN).await;
        let intake = Api::login(server, INTAKE).await;

        // While the dossier is being handled there is no feedback on it yet.
        let (open_id, _) = submitted_birth_dossier(&citizen).await;
        let (status, body) = citizen
            .post(
                &format!("/api/v1/dossiers/{open_id}/feedback"),
                json!({"causes": ["device"]}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("đã có kết quả")
        );

        let (id, code) = returned_dossier(server, &citizen).await;

        // The dossier page offers the three levels of Decision 766 and a way to give feedback;
        // the rating form works as a plain form post.
        let lan = page_login(server, LAN).await;
        let html = page_html(&lan, &format!("{base}/dossiers/{id}")).await;
        for level in ["Không hài lòng", "Hài lòng", "Rất hài lòng"] {
            assert!(html.contains(&format!(">{level}</label>")), "{level}");
        }
        assert!(html.contains(&format!("href=\"/dossiers/{id}/feedback\"")));
        let res = lan
            .post(format!("{base}/dossiers/{id}/actions/rate"))
            .form(&[("csrf", csrf_of(&html).as_str()), ("score", "2")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (_, view) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(view["rating"], 2);
        let html = page_html(&lan, &format!("{base}/dossiers/{id}")).await;
        assert!(html.contains("<dt>Đánh giá</dt><dd>Hài lòng</dd>"));

        // Feedback through the page: the survey's causes in a fieldset, free text.
        let form = page_html(&lan, &format!("{base}/dossiers/{id}/feedback")).await;
        assert!(form.contains("<fieldset") && form.contains("<legend"));
        for label in [
            "Thiết bị (điện thoại, máy tính)",
            "Mạng Internet của tôi",
            "Lỗi Cổng dịch vụ công",
            "Lỗi thanh toán trực tuyến",
            "Chia sẻ dữ liệu giữa các cơ quan",
            "Thủ tục quá phức tạp",
            "Khác",
        ] {
            assert!(form.contains(label), "{label}");
        }
        assert!(form.contains(&code) && form.contains("Tối đa 2.000 ký tự"));
        let secret_text =
            "Trang nộp hồ sơ báo lỗi khi tôi (Nguyễn Thị Lan, 0912345678) tải giấy chứng sinh";
        let res = lan
            .post(format!("{base}/dossiers/{id}/feedback"))
            .form(&[
                ("csrf", csrf_of(&form).as_str()),
                ("causes", "portal_error"),
                ("causes", "too_complex"),
                ("text", secret_text),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/me/feedback?done=sent");
        // And through the API, causes only.
        let (status, body) = citizen
            .post(
                &format!("/api/v1/dossiers/{id}/feedback"),
                json!({"causes": ["payment_error"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let api_feedback = body["id"].as_str().unwrap().to_string();

        // The free text is sealed at rest.
        if server.name == "sqlite" {
            for file in ["motcua.db", "motcua.db-wal"] {
                let bytes = std::fs::read(server.data_dir.join(file)).unwrap_or_default();
                let needle = "báo lỗi khi tôi".as_bytes();
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle),
                    "feedback text in clear in {file}"
                );
            }
        }

        // The agency's intake officer reads it (recorded in the citizen's access log).
        let (status, list) = intake.get("/api/v1/feedback").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let mine = about(&list, &id);
        assert_eq!(mine.len(), 2, "{list}");
        let page_item = mine.iter().find(|f| f["text"] == secret_text).unwrap();
        assert_eq!(codes(page_item), ["portal_error", "too_complex"]);
        assert_eq!(page_item["dossier_code"], code.as_str());
        assert_eq!(page_item["causes"][0]["label"], "Lỗi Cổng dịch vụ công");
        assert!(page_item["answer"].is_null());
        let page_feedback = page_item["id"].as_str().unwrap().to_string();
        let (log, _) = citizen.get_all("/api/v1/me/access-log").await;
        assert!(
            log.as_array()
                .unwrap()
                .iter()
                .any(|e| e["purpose"] == "Giải quyết phản ánh, kiến nghị"
                    && e["dossier_code"] == code.as_str()
                    && e["actor_role"] == "Công chức tiếp nhận"),
            "{log}"
        );

        // The officer answers through the page: empty first (kept, Vietnamese error), then done.
        let desk = page_login(server, INTAKE).await;
        let html = page_html(&desk, &format!("{base}/feedback")).await;
        assert!(html.contains("báo lỗi khi tôi") && html.contains(&code));
        assert!(html.contains(&format!("action=\"/feedback/{page_feedback}/answer?once=")));
        let res = desk
            .post(format!("{base}/feedback/{page_feedback}/answer"))
            .form(&[("csrf", csrf_of(&html).as_str()), ("answer", "   ")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let again = res.text().await.unwrap();
        assert!(again.contains("Vui lòng nhập nội dung trả lời."));
        assert!(again.contains(&format!("id=\"answer-{page_feedback}\" name=\"answer\"")));
        let answer = "Cổng đã khắc phục lỗi tải tệp ngày hôm qua. Xin cảm ơn bạn đã phản ánh.";
        let res = desk
            .post(format!("{base}/feedback/{page_feedback}/answer"))
            .form(&[("csrf", csrf_of(&html).as_str()), ("answer", answer)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        // The leader answers the other one through the API, once.
        let leader = Api::login(server, LEADER).await;
        let path = format!("/api/v1/feedback/{api_feedback}/answer");
        let (status, body) = leader
            .post(
                &path,
                json!({"answer": "Cơ quan đã báo ngân hàng kiểm tra giao dịch."}),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, body) = leader.post(&path, json!({"answer": "Lần hai"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("đã được trả lời")
        );

        // The citizen sees both answers, through the API and on "Phản ánh của tôi".
        let (status, list) = citizen.get("/api/v1/me/feedback").await;
        assert_eq!(status, StatusCode::OK);
        let mine = about(&list, &id);
        assert_eq!(mine.len(), 2);
        assert!(mine.iter().all(|f| f["answered_at"].is_string()));
        assert!(mine.iter().any(|f| f["answer"] == answer));
        let html = page_html(&lan, &format!("{base}/me/feedback")).await;
        assert!(html.contains("Cổng đã khắc phục lỗi tải tệp") && html.contains(&code));
        assert!(html.contains("Cơ quan đã báo ngân hàng kiểm tra giao dịch."));

        // She says whether each answer satisfied her, once: on the page, then through the API.
        let rating = format!("action=\"/me/feedback/{page_feedback}/rating?once=");
        assert!(html.contains(&rating), "{html}");
        let res = lan
            .post(format!("{base}/me/feedback/{page_feedback}/rating"))
            .form(&[("csrf", csrf_of(&html).as_str()), ("satisfied", "maybe")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let res = lan
            .post(format!("{base}/me/feedback/{page_feedback}/rating"))
            .form(&[("csrf", csrf_of(&html).as_str()), ("satisfied", "yes")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let html = page_html(&lan, &format!("{base}/me/feedback")).await;
        assert!(!html.contains(&rating) && html.contains("Hài lòng với câu trả lời"));
        let path = format!("/api/v1/me/feedback/{api_feedback}/rating");
        let (status, _) = intake.post(&path, json!({"satisfied": true})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "only the author rates");
        let minh = Api::login(server, MINH).await;
        let (status, _) = minh.post(&path, json!({"satisfied": true})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another citizen's feedback");
        let (status, body) = citizen.post(&path, json!({"satisfied": false})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, body) = citizen.post(&path, json!({"satisfied": true})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (_, list) = citizen.get("/api/v1/me/feedback").await;
        let rated: Vec<_> = about(&list, &id)
            .iter()
            .map(|f| f["answer_satisfied"].clone())
            .collect();
        assert!(
            rated.contains(&json!(true)) && rated.contains(&json!(false)),
            "{list}"
        );
    }
}

#[tokio::test]
async fn feedback_on_a_procedure_goes_to_the_chosen_agency() {
    for server in servers() {
        let base = &server.base;
        let lan = page_login(server, LAN).await;
        let html = page_html(&lan, &format!("{base}/feedback/new")).await;
        assert!(html.contains("<select id=\"procedure\" name=\"procedure\">"));
        let html = page_html(&lan, &format!("{base}/feedback/new?procedure=HT-01")).await;
        assert!(html.contains("Đăng ký khai sinh") && html.contains("Phan Đình Phùng"));
        // Nothing chosen at all: every problem at once, what was typed kept.
        let res = lan
            .post(format!("{base}/feedback/new"))
            .form(&[
                ("csrf", csrf_of(&html).as_str()),
                ("procedure", "HT-01"),
                ("agency_id", ""),
                ("text", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let again = res.text().await.unwrap();
        assert!(again.contains("Vui lòng chọn cơ quan nhận phản ánh, kiến nghị."));
        assert!(again.contains("Vui lòng chọn ít nhất một nguyên nhân"));
        assert!(again.contains("Còn 2 mục cần sửa."));

        let citizen = Api::login(server, LAN).await;
        let agency = citizen.agency_for("HT-01", "Phan Đình Phùng").await;
        let text = "Nên cho nộp bản chụp giấy chứng sinh thay vì bản giấy";
        let res = lan
            .post(format!("{base}/feedback/new"))
            .form(&[
                ("csrf", csrf_of(&html).as_str()),
                ("procedure", "HT-01"),
                ("agency_id", agency.as_str()),
                ("causes", "too_complex"),
                ("text", text),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (status, body) = citizen
            .post(
                "/api/v1/feedback",
                json!({"procedure_code": "HT-01", "agency_id": agency, "causes": ["other"], "text": "Qua API"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");

        let (_, list) = Api::login(server, INTAKE)
            .await
            .get("/api/v1/feedback")
            .await;
        let item = list
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["text"] == text)
            .expect("the commune's desk sees it");
        assert!(item["dossier_id"].is_null());
        assert_eq!(item["procedure_code"], "HT-01");
        let (_, far) = Api::login(server, FAR_INTAKE)
            .await
            .get("/api/v1/feedback")
            .await;
        assert!(
            !far.to_string().contains(text),
            "another commune must not see it"
        );

        // Both lists come a page at a time. Walking pages of one line gives every line of one
        // long page read before (other tests may add more meanwhile, or answer one, which
        // moves it after the unanswered); the citizen's own list in the very same order.
        let intake = Api::login(server, INTAKE).await;
        let ids = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|f| f["id"].as_str().unwrap().to_string())
                .collect()
        };
        for (api, path) in [
            (&citizen, "/api/v1/me/feedback"),
            (&intake, "/api/v1/feedback"),
        ] {
            let (status, whole) = api.get(&format!("{path}?limit=200")).await;
            assert_eq!(status, StatusCode::OK);
            let (paged, pages) = api.get_all(&format!("{path}?limit=1")).await;
            let (whole, paged) = (ids(&whole), ids(&paged));
            assert!(whole.len() >= 2 && pages >= whole.len(), "{path}");
            let seen: Vec<&String> = paged.iter().filter(|i| whole.contains(i)).collect();
            if path == "/api/v1/me/feedback" {
                assert_eq!(seen, whole.iter().collect::<Vec<_>>(), "{path}");
            } else {
                assert!(whole.iter().all(|i| seen.contains(&i)), "{path}");
            }
        }
    }
}

#[tokio::test]
async fn only_the_applicant_and_the_agencys_desk_and_leader_get_through() {
    for server in servers() {
        let base = &server.base;
        let citizen = Api::login(server, LAN).await;
        let (id, _) = returned_dossier(server, &citizen).await;
        let (status, body) = citizen
            .post(
                &format!("/api/v1/dossiers/{id}/feedback"),
                json!({"causes": ["device"], "text": "Riêng tư của chị Lan"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let feedback = body["id"].as_str().unwrap().to_string();
        let answer_path = format!("/api/v1/feedback/{feedback}/answer");

        // Anonymous callers.
        let anon = client();
        for (path, body) in [
            (
                format!("/api/v1/dossiers/{id}/feedback"),
                json!({"causes": ["device"]}),
            ),
            (answer_path.clone(), json!({"answer": "x"})),
        ] {
            let res = anon
                .post(format!("{base}{path}"))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
        }
        for path in ["/api/v1/feedback", "/api/v1/me/feedback"] {
            let res = anon.get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
        }
        let res = anon
            .post(format!("{base}/dossiers/{id}/feedback"))
            .form(&[("causes", "device")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);

        // Another citizen: the dossier does not exist for them, nor the agency's list.
        let minh = Api::login(server, MINH).await;
        let (status, _) = minh
            .post(
                &format!("/api/v1/dossiers/{id}/feedback"),
                json!({"causes": ["device"]}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = minh.get("/api/v1/feedback").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = minh.post(&answer_path, json!({"answer": "x"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (_, theirs) = minh.get("/api/v1/me/feedback").await;
        assert!(!theirs.to_string().contains("Riêng tư của chị Lan"));
        let minh_page = page_login(server, MINH).await;
        let res = minh_page
            .get(format!("{base}/dossiers/{id}/feedback"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);

        // An official of another commune: not in their list, cannot answer it.
        let far = Api::login(server, FAR_INTAKE).await;
        let (status, list) = far.get("/api/v1/feedback").await;
        assert_eq!(status, StatusCode::OK);
        assert!(!list.to_string().contains("Riêng tư của chị Lan"));
        let (status, _) = far.post(&answer_path, json!({"answer": "x"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Same commune, but a specialist, or an administrator: refused. Officials give no feedback.
        for login in [SPECIALIST, "quantri", "giamsat"] {
            let who = Api::login(server, login).await;
            let (status, _) = who.get("/api/v1/feedback").await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{login}");
            let (status, _) = who.post(&answer_path, json!({"answer": "x"})).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{login}");
        }
        let intake = Api::login(server, INTAKE).await;
        let (status, _) = intake
            .post(
                &format!("/api/v1/dossiers/{id}/feedback"),
                json!({"causes": ["device"]}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = intake.get("/api/v1/me/feedback").await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Forms without (or with a wrong) anti-forgery token change nothing.
        let lan = page_login(server, LAN).await;
        let desk = page_login(server, INTAKE).await;
        for token in [None, Some("0".repeat(32))] {
            let mut form = vec![("causes", "device".to_string())];
            let mut answer = vec![("answer", "Giả mạo".to_string())];
            if let Some(t) = &token {
                form.push(("csrf", t.clone()));
                answer.push(("csrf", t.clone()));
            }
            let res = lan
                .post(format!("{base}/dossiers/{id}/feedback"))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            let res = desk
                .post(format!("{base}/feedback/{feedback}/answer"))
                .form(&answer)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
        }
        let (_, list) = citizen.get("/api/v1/me/feedback").await;
        assert_eq!(about(&list, &id).len(), 1);
        assert!(about(&list, &id)[0]["answer"].is_null());
    }
}

#[tokio::test]
async fn bad_feedback_gets_vietnamese_errors_and_keeps_what_was_typed() {
    for server in servers() {
        let base = &server.base;
        let citizen = Api::login(server, LAN).await;
        let (id, _) = returned_dossier(server, &citizen).await;
        let path = format!("/api/v1/dossiers/{id}/feedback");

        let (status, body) = citizen.post(&path, json!({})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["code"], "invalid");
        assert!(
            body["error"]["fields"]["causes"]
                .as_str()
                .unwrap()
                .contains("ít nhất một nguyên nhân")
        );
        let (status, body) = citizen
            .post(
                &path,
                json!({"causes": ["device", "hacker"], "text": "ư".repeat(2001)}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields = &body["error"]["fields"];
        assert!(fields["causes"].as_str().unwrap().contains("«hacker»"));
        assert!(fields["text"].as_str().unwrap().contains("2.000 ký tự"));
        let (status, body) = citizen.post(&path, json!({"text": "xin\u{1}chào"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body["error"]["fields"]["text"]
                .as_str()
                .unwrap()
                .contains("ký tự điều khiển")
        );
        let (status, body) = Api::login(server, INTAKE)
            .await
            .post("/api/v1/feedback/nope/answer", json!({}))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "judged before looked up"
        );
        assert!(
            body["error"]["fields"]["answer"]
                .as_str()
                .unwrap()
                .contains("Vui lòng nhập nội dung trả lời")
        );

        // The page: the error next to the field, the boxes still ticked, the text still there.
        let lan = page_login(server, LAN).await;
        let form = page_html(&lan, &format!("{base}/dossiers/{id}/feedback")).await;
        let long = format!("{}CUỐI", "Quá dài. ".repeat(250));
        let res = lan
            .post(format!("{base}/dossiers/{id}/feedback"))
            .form(&[
                ("csrf", csrf_of(&form).as_str()),
                ("causes", "own_network"),
                ("causes", "other"),
                ("text", long.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains("class=\"error-summary\""));
        assert!(html.contains("id=\"text-error\"") && html.contains("2.000 ký tự"));
        assert!(html.contains("aria-invalid=\"true\""));
        assert!(html.contains("value=\"own_network\" checked"));
        assert!(html.contains("value=\"other\" checked"));
        assert!(!html.contains("value=\"device\" checked"));
        assert!(html.contains("CUỐI</textarea>"), "typed text kept");

        // Text is shown as text, never as markup.
        let res = lan
            .post(format!("{base}/dossiers/{id}/feedback"))
            .form(&[
                ("csrf", csrf_of(&form).as_str()),
                ("text", "<script>alert(1)</script>\nDòng hai"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let html = page_html(&lan, &format!("{base}/me/feedback")).await;
        assert!(!html.contains("<script>alert"));
        assert!(
            html.contains("&#60;script&#62;alert(1)") || html.contains("&lt;script&gt;alert(1)")
        );
        assert!(html.contains("Dòng hai"));
    }
}

#[tokio::test]
async fn the_public_status_shows_progress_but_no_personal_data() {
    for server in servers() {
        let base = &server.base;
        let citizen = Api::login(server, LAN).await;
        let intake = Api::login(server, INTAKE).await;
        let (returned, returned_code) = returned_dossier(server, &citizen).await;
        let (refused, refused_code) = submitted_birth_dossier(&citizen).await;
        let reason = "Chị Nguyễn Thị Lan đã đăng ký khai sinh cho cháu tại nơi khác";
        let (status, _) = intake.act(&refused, "refuse", Some(reason)).await;
        assert_eq!(status, StatusCode::OK);

        let form = birth_form();
        let personal = [
            "Nguyễn Thị Lan",
            LAN,
            "0912345678",
            "lan@example.vn",
            form["child_full_name"].as_str().unwrap(),
            form["child_birth_place"].as_str().unwrap(),
            reason,
            "Đủ điều kiện",
            "giay-chung-sinh.pdf",
        ];
        let anon = client();
        for (code, state) in [
            (&returned_code, "Đã trả kết quả"),
            (&refused_code, "Từ chối tiếp nhận"),
        ] {
            let html = anon
                .get(format!("{base}/status?code={code}"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let api = anon
                .get(format!("{base}/api/v1/status/{code}"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            for text in [&html, &api] {
                for secret in personal {
                    assert!(!text.contains(secret), "{secret} leaked for {code}");
                }
                assert!(text.contains(state) && text.contains("Đăng ký khai sinh"));
                assert!(text.contains("Phan Đình Phùng"), "the agency is shown");
            }
            assert!(html.contains("Hẹn trả kết quả") && html.contains("Tiến độ"));
            assert!(!html.contains("Đăng xuất"), "nobody is signed in");
        }
        let api: Value = anon
            .get(format!("{base}/api/v1/status/{returned_code}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(api["due_at"].is_string() && api["finished_at"].is_string());
        let labels: Vec<&str> = api["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["label"].as_str().unwrap())
            .collect();
        assert_eq!(
            labels,
            [
                "Nộp hồ sơ",
                "Tiếp nhận",
                "Thẩm định, trình phê duyệt",
                "Phê duyệt, ký",
                "Trả kết quả"
            ]
        );

        // Signed in, the applicant's page has the whole history with dates and the due date.
        let lan = page_login(server, LAN).await;
        let html = page_html(&lan, &format!("{base}/dossiers/{refused}")).await;
        assert!(html.contains("Lịch sử xử lý") && html.contains(reason));
        let html = page_html(&lan, &format!("{base}/dossiers/{returned}")).await;
        assert!(html.contains("Hẹn trả kết quả") && html.contains("Đủ điều kiện"));
        let (_, view) = citizen.get(&format!("/api/v1/dossiers/{returned}")).await;
        let due = view["due_at"].as_str().unwrap();
        let due_local = local(due);
        assert!(html.contains(&due_local), "due date {due_local} shown");
        assert!(view["events"].as_array().unwrap().len() >= 7);
    }
}

/// `dd/mm/yyyy HH:MM` in Vietnam's time, as pages show an instant.
fn local(instant: &str) -> String {
    let t: jiff::Timestamp = instant.parse().unwrap();
    t.to_zoned(motcua_app::domain::calendar::vietnam_tz())
        .strftime("%d/%m/%Y %H:%M")
        .to_string()
}

#[tokio::test]
async fn the_receipt_has_a_qr_code_that_opens_the_public_status() {
    for server in servers() {
        let base = &server.base;
        let citizen = Api::login(server, LAN).await;
        let (id, code) = submitted_birth_dossier(&citizen).await;
        let lan = page_login(server, LAN).await;
        let url = format!("{base}/status?code={code}");
        let label = format!("Mã QR tra cứu hồ sơ {code}: {url}");
        let expected_qr = motcua_web::qr::qr_svg(&url, &label).unwrap();

        let receipt = page_html(&lan, &format!("{base}/dossiers/{id}/receipt")).await;
        assert!(receipt.contains(&expected_qr), "the QR code encodes {url}");
        assert!(receipt.contains(&format!("<a href=\"{url}\">")));
        let page = page_html(&lan, &format!("{base}/dossiers/{id}")).await;
        assert!(page.contains(&expected_qr), "also on the applicant's page");

        // Behind a proxy the scheme follows X-Forwarded-Proto; an odd Host gives a relative link.
        let receipt = lan
            .get(format!("{base}/dossiers/{id}/receipt"))
            .header("host", "dichvucong.thainguyen.example")
            .header("x-forwarded-proto", "https")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(receipt.contains(&format!(
            "<a href=\"https://dichvucong.thainguyen.example/status?code={code}\">"
        )));
        let receipt = lan
            .get(format!("{base}/dossiers/{id}/receipt"))
            .header("host", "evil.example/\"><b>x")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(receipt.contains(&format!("<a href=\"/status?code={code}\">")));
        assert!(!receipt.contains("evil.example"));

        // Whoever scans it sees the progress without signing in.
        let res = client().get(&url).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!("Hồ sơ {code}")) && html.contains("Mới nộp, chờ tiếp nhận"));
        assert!(!html.contains("Nguyễn Thị Lan"));
    }
}

#[tokio::test]
async fn the_feedback_api_is_in_the_openapi_document() {
    for server in servers() {
        let doc: Value = client()
            .get(format!("{}/api/v1/openapi.json", server.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let paths = &doc["paths"];
        assert!(paths["/api/v1/dossiers/{id}/feedback"]["post"].is_object());
        assert!(paths["/api/v1/me/feedback"]["get"].is_object());
        assert!(paths["/api/v1/feedback"]["get"].is_object());
        assert!(paths["/api/v1/feedback"]["post"].is_object());
        assert!(paths["/api/v1/feedback/{id}/answer"]["post"].is_object());
        assert!(doc["components"]["schemas"]["FeedbackRequest"].is_object());
    }
}
