//! The journey through the server-rendered pages, as a browser without JavaScript does it:
//! forms, cookies, CSRF tokens, redirects.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_testkit::*;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

fn filing_form(csrf: &str, agency: &str, name: &str, with_file: bool, intent: &str) -> Form {
    let mut f = Form::new()
        .text("csrf", csrf.to_string())
        .text("agency_id", agency.to_string())
        .text("f_child_full_name", name.to_string())
        .text("f_child_birth_date", "2026-11-01")
        .text("f_child_sex", "Nữ")
        .text("f_child_birth_place", "Trạm y tế phường Phan Đình Phùng")
        .text("f_child_ethnicity", "Tày")
        .text("f_mother_personal_id", LAN)
        .text("f_relationship", "Mẹ")
        .text("intent", intent.to_string());
    if with_file {
        f = f.part(
            "file_2",
            Part::bytes(PDF.to_vec()).file_name("giay-chung-sinh.pdf"),
        );
    }
    f
}

fn dossier_id_of(html: &str) -> String {
    let at = html
        .find("name=\"dossier_id\" value=\"")
        .expect("dossier id");
    let rest = &html[at + 25..];
    rest[..rest.find('"').unwrap()].to_string()
}

#[tokio::test]
async fn citizen_files_through_the_pages_and_officials_handle_it() {
    for server in servers() {
        let base = &server.base;
        // Anonymous visitor: the filing link leads to sign-in and back.
        let res = client()
            .get(format!("{base}/procedures/HT-01/file"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers()["location"],
            "/login?next=/procedures/HT-01/file"
        );

        let lan = page_login(server, LAN).await;
        let page = lan
            .get(format!("{base}/procedures/HT-01/file"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Nguyễn Thị Lan"),
            "identity prefilled from the account"
        );
        let csrf = csrf_of(&page);
        let agency = {
            // The agency list, not the permanent address shown above it.
            let select = page.find("<select id=\"agency_id\"").unwrap();
            let at = select + page[select..].find("Phan Đình Phùng").unwrap();
            let before = &page[..at];
            let v = before.rfind("option value=\"").unwrap();
            let rest = &before[v + 14..];
            rest[..rest.find('"').unwrap()].to_string()
        };

        // First try: the child's name is missing and no file; values are kept, errors shown.
        let res = lan
            .post(format!("{base}/procedures/HT-01/file"))
            .multipart(filing_form(&csrf, &agency, "", false, "submit"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains("error-summary"));
        assert!(html.contains("Vui lòng nhập «Họ, chữ đệm và tên của trẻ»"));
        assert!(html.contains("Vui lòng đính kèm «Giấy chứng sinh"));
        assert!(
            html.contains("value=\"Trạm y tế phường Phan Đình Phùng\""),
            "typed value kept"
        );
        assert!(html.contains("aria-invalid=\"true\""));
        let id = dossier_id_of(&html);

        // Save a draft, then submit properly.
        let res = lan
            .post(format!("{base}/dossiers/{id}/edit"))
            .multipart(filing_form(&csrf, &agency, "Hoàng Thị Mai", true, "save"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        assert!(html.contains("Đã lưu nháp") && html.contains("giay-chung-sinh.pdf"));
        let res = lan
            .post(format!("{base}/dossiers/{id}/edit"))
            .multipart(filing_form(
                &csrf,
                &agency,
                "Hoàng Thị Mai",
                false,
                "submit",
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            res.headers()["location"].to_str().unwrap(),
            format!("/dossiers/{id}?done=submit")
        );
        let html = lan
            .get(format!("{base}/dossiers/{id}?done=submit"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Đã nộp hồ sơ thành công. Mã hồ sơ của bạn: 000.01.01.H19-"));
        let receipt = lan
            .get(format!("{base}/dossiers/{id}/receipt"))
            .send()
            .await
            .unwrap();
        assert_eq!(receipt.status(), StatusCode::OK);
        assert!(
            receipt
                .text()
                .await
                .unwrap()
                .contains("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
        );
        let mine = lan
            .get(format!("{base}/dossiers"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(mine.contains(&format!("/dossiers/{id}")));

        // The intake officer sees it in the queue and receives it.
        let intake = page_login(server, "tiepnhan.ubnd5443").await;
        let queue = intake
            .get(format!("{base}/dossiers"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            queue.contains(&format!("/dossiers/{id}")),
            "in the intake queue"
        );
        let html = intake
            .get(format!("{base}/dossiers/{id}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Hoàng Thị Mai") && html.contains(LAN));
        let res = intake
            .post(format!("{base}/dossiers/{id}/actions/receive"))
            .form(&[("csrf", csrf_of(&html))])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);

        // An illegal step is refused on the page with a clear message and changes nothing.
        let res = intake
            .post(format!("{base}/dossiers/{id}/actions/receive"))
            .form(&[("csrf", csrf_of(&html))])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert!(res.text().await.unwrap().contains(
            "Không thể «Tiếp nhận» khi hồ sơ đang ở trạng thái «Đã tiếp nhận, đang xử lý»"
        ));

        let specialist = page_login(server, "chuyenvien.ubnd5443").await;
        let html = specialist
            .get(format!("{base}/dossiers/{id}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let res = specialist
            .post(format!("{base}/dossiers/{id}/actions/appraise"))
            .form(&[("csrf", csrf_of(&html))])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);

        let leader = page_login(server, "lanhdao.ubnd5443").await;
        let html = leader
            .get(format!("{base}/dossiers/{id}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_of(&html);
        let result = Form::new().text("csrf", csrf.clone()).part(
            "file",
            Part::bytes(PDF.to_vec()).file_name("giấy khai sinh.pdf"),
        );
        let res = leader
            .post(format!("{base}/dossiers/{id}/result"))
            .multipart(result)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = leader
            .post(format!("{base}/dossiers/{id}/actions/approve"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = intake
            .post(format!("{base}/dossiers/{id}/actions/return_result"))
            .form(&[("csrf", csrf_of(&queue))])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);

        // The citizen downloads the result and rates the service.
        let html = lan
            .get(format!("{base}/dossiers/{id}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Đã trả kết quả") && html.contains("Kết quả giải quyết"));
        let link = {
            let at = html.find("Kết quả giải quyết").unwrap();
            let rest = &html[at..];
            let h = rest.find("href=\"/files/").unwrap();
            let rest = &rest[h + 6..];
            rest[..rest.find('"').unwrap()].to_string()
        };
        let file = lan.get(format!("{base}{link}")).send().await.unwrap();
        assert_eq!(file.status(), StatusCode::OK);
        assert!(
            file.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("attachment")
        );
        assert_eq!(file.bytes().await.unwrap().as_ref(), PDF);
        let res = lan
            .post(format!("{base}/dossiers/{id}/actions/rate"))
            .form(&[
                ("csrf", csrf_of(&html).as_str()),
                ("score", "3"),
                ("reason", "Cảm ơn"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let html = lan
            .get(format!("{base}/dossiers/{id}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Rất hài lòng"));
        for step in [
            "Tạo hồ sơ",
            "Nộp hồ sơ",
            "Tiếp nhận",
            "Thẩm định, trình phê duyệt",
            "Đính kèm kết quả",
            "Phê duyệt, ký",
            "Trả kết quả",
            "Đánh giá",
        ] {
            assert!(
                html.contains(&format!("<strong>{step}</strong>")),
                "history shows {step}"
            );
        }
    }
}
