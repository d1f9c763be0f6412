//! The personal document store over real HTTP on both databases: what the agency checked at
//! intake and the result it returned are kept for the citizen, reused in a new dossier with one
//! tick (no upload), kept once per file, seen and used only by their owner, and removable.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn documents(api: &Api) -> Vec<Value> {
    let (status, list) = api.get("/api/v1/me/documents").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_checked_document_is_reused_in_a_new_dossier_without_uploading_it_again() {
    // Servers of its own: it counts Lan's documents, which other tests add to.
    for server in &own_servers(Default::default) {
        let lan = Api::login(server, LAN).await;
        let before = documents(&lan).await.len();
        let (first, first_code) = submitted_birth_dossier(&lan).await;
        assert_eq!(
            documents(&lan).await.len(),
            before,
            "nothing kept before intake checks it"
        );
        handle_to_return(server, &first).await;
        let docs = documents(&lan).await;
        let mine: Vec<&Value> = docs
            .iter()
            .filter(|d| d["source_code"] == first_code.as_str())
            .collect();
        assert_eq!(mine.len(), 2, "{docs:?}");
        // A page at a time, the same documents in the same order.
        let (one_by_one, pages) = lan.get_all("/api/v1/me/documents?limit=1").await;
        assert_eq!(pages, docs.len(), "{docs:?}");
        assert_eq!(one_by_one.as_array().unwrap(), &docs);
        let component = mine.iter().find(|d| d["kind"] == "component").unwrap();
        let result = mine.iter().find(|d| d["kind"] == "result").unwrap();
        assert_eq!(
            component["title"],
            "Giấy chứng sinh (hoặc văn bản của người làm chứng)"
        );
        assert_eq!(component["sha256"], sha256_of(PDF));
        assert!(
            result["title"].as_str().unwrap().contains("khai sinh"),
            "{result}"
        );
        let doc_id = component["id"].as_str().unwrap().to_string();

        // One tick on the filing page, no file: the dossier is filed with the kept document.
        let page = page_login(server, LAN).await;
        let html = page_html(&page, &format!("{}/procedures/HT-01/file", server.base)).await;
        assert!(
            html.contains("Hoặc dùng giấy tờ đã có trong kho của bạn"),
            "{html}"
        );
        assert!(html.contains(&format!("value=\"{doc_id}\"")));
        let agency = lan.agency_for("HT-01", "Phan Đình Phùng").await;
        let mut form = reqwest::multipart::Form::new()
            .text("csrf", csrf_of(&html))
            .text("agency_id", agency)
            .text("reuse_2", doc_id.clone())
            .text("intent", "submit");
        for (k, v) in birth_form().as_object().unwrap() {
            form = form.text(format!("f_{k}"), v.as_str().unwrap().to_string());
        }
        let res = page
            .post(format!("{}/procedures/HT-01/file", server.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "{}",
            res.text().await.unwrap()
        );
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let second = location
            .trim_start_matches("/dossiers/")
            .trim_end_matches("?done=submit")
            .to_string();
        let (_, view) = lan.get(&format!("/api/v1/dossiers/{second}")).await;
        assert_eq!(view["state"], "submitted", "{view}");
        let files = view["attachments"].as_array().unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0]["sha256"], sha256_of(PDF));

        // Received again: the same file is not kept twice.
        let intake = Api::login(server, "tiepnhan.ubnd5443").await;
        assert_eq!(intake.act(&second, "receive", None).await.0, StatusCode::OK);
        let same: Vec<Value> = documents(&lan)
            .await
            .into_iter()
            .filter(|d| d["sha256"] == sha256_of(PDF))
            .collect();
        assert_eq!(same.len(), 1);

        // Only the owner: another citizen neither sees nor uses it; officials have no store.
        let minh = Api::login(server, MINH).await;
        assert!(
            documents(&minh)
                .await
                .iter()
                .all(|d| d["id"] != doc_id.as_str())
        );
        let agency = minh.agency_for("HT-01", "Phan Đình Phùng").await;
        let (_, draft) = minh
            .post(
                "/api/v1/dossiers",
                json!({"procedure_code": "HT-01", "agency_id": agency, "form": birth_form()}),
            )
            .await;
        let minh_draft = draft["id"].as_str().unwrap();
        let (status, _) = minh
            .post(
                &format!("/api/v1/dossiers/{minh_draft}/reuse"),
                json!({"component_index": 2, "document_id": doc_id}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = intake.get("/api/v1/me/documents").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // Nor into a component that takes no file, nor into a dossier already filed.
        let (_, lan_draft) = lan
            .post(
                "/api/v1/dossiers",
                json!({"procedure_code": "HT-01", "agency_id": lan.agency_for("HT-01", "Phan Đình Phùng").await}),
            )
            .await;
        let lan_draft = lan_draft["id"].as_str().unwrap();
        let (status, body) = lan
            .post(
                &format!("/api/v1/dossiers/{lan_draft}/reuse"),
                json!({"component_index": 0, "document_id": doc_id}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, _) = lan
            .post(
                &format!("/api/v1/dossiers/{second}/reuse"),
                json!({"component_index": 2, "document_id": doc_id}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        // Removed from the store; the dossiers keep their files.
        let html = page_html(&page, &format!("{}/me/documents", server.base)).await;
        assert!(html.contains("Giấy chứng sinh"), "{html}");
        let res = page
            .post(format!("{}/me/documents/{doc_id}/forget", server.base))
            .form(&[("csrf", "0".repeat(32))])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = page
            .post(format!("{}/me/documents/{doc_id}/forget", server.base))
            .form(&[("csrf", csrf_of(&html))])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(
            documents(&lan)
                .await
                .iter()
                .all(|d| d["id"] != doc_id.as_str())
        );
        let (_, view) = lan.get(&format!("/api/v1/dossiers/{first}")).await;
        assert!(
            view["attachments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["sha256"] == sha256_of(PDF))
        );
    }
}

fn sha256_of(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
