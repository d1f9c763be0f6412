//! Forms are data: each procedure's form is a JSON Schema in the catalog, drawn on the server, and
//! what is typed is saved as it is typed (the form's script posts to the draft routes; the same
//! routes are tested here as a browser's script would call them).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn the_catalog_publishes_each_form_as_a_json_schema() {
    for server in servers() {
        let res = client()
            .get(format!("{}/api/v1/procedures/HT-01", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let p: Value = res.json().await.unwrap();
        let form = &p["definition"]["form"];
        assert_eq!(
            form["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{p}"
        );
        assert_eq!(form["type"], "object");
        assert_eq!(form["properties"]["child_sex"]["enum"][1], "Nữ");
        assert_eq!(form["properties"]["child_birth_date"]["format"], "date");
        assert_eq!(
            form["properties"]["mother_personal_id"]["x-motcua-type"],
            "personal_id"
        );
        let required: Vec<&str> = form["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(required.contains(&"child_full_name") && !required.contains(&"father_personal_id"));
        assert_eq!(form["x-motcua-order"][0], "child_full_name");
    }
}

#[tokio::test]
async fn the_form_is_drawn_from_its_schema_with_hints_and_radio_buttons() {
    for server in servers() {
        let lan = page_login(server, LAN).await;
        let html = page_html(&lan, &format!("{}/procedures/HT-01/file", server.base)).await;
        // Two options: radio buttons in a fieldset whose legend is the label.
        assert!(html.contains("<legend>Giới tính</legend>"), "{html}");
        assert!(
            html.contains("type=\"radio\" id=\"f_child_sex-2\" name=\"f_child_sex\" value=\"Nữ\"")
        );
        // Five options: a list.
        assert!(html.contains("<select id=\"f_relationship\""));
        // The schema's description is the hint, tied to its input.
        assert!(html.contains("id=\"f_child_full_name-hint\">Viết có dấu"));
        assert!(html.contains("aria-describedby=\"f_child_full_name-hint\""));
        // The page saves as it is typed when scripts run, and works without them.
        assert!(html.contains("data-autosave=\"/procedures/HT-01/draft\""));
        assert!(html.contains("<script src=\"/static/autosave.js\" defer></script>"));
        let js = client()
            .get(format!("{}/static/autosave.js", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(js.status(), StatusCode::OK);
        assert!(js.text().await.unwrap().contains("sessionStorage"));
    }
}

#[tokio::test]
async fn what_is_typed_is_saved_as_a_draft_and_resumed() {
    for server in servers() {
        let base = &server.base;
        let lan = page_login(server, LAN).await;
        let html = page_html(&lan, &format!("{base}/procedures/HT-01/file")).await;
        let csrf = csrf_of(&html);
        let api = Api::login(server, LAN).await;
        let agency = api.agency_for("HT-01", "Phan Đình Phùng").await;

        // Without an agency nothing can be saved yet, and the reason is given.
        let res = lan
            .post(format!("{base}/procedures/HT-01/draft"))
            .form(&[("csrf", csrf.as_str()), ("f_child_full_name", "Lò Văn Páo")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // The first save starts the draft; half-typed and even invalid values are kept as typed.
        let res = lan
            .post(format!("{base}/procedures/HT-01/draft"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("agency_id", agency.as_str()),
                ("f_child_full_name", "Lò Văn Páo"),
                ("f_child_birth_date", "31/02/2026"),
                ("f_not_in_the_form", "dropped"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let saved: Value = res.json().await.unwrap();
        let id = saved["dossier_id"].as_str().unwrap().to_string();
        assert_eq!(saved["autosave_url"], format!("/dossiers/{id}/draft"));
        assert_eq!(saved["edit_url"], format!("/dossiers/{id}/edit"));
        assert_eq!(saved["saved_at"].as_str().unwrap().len(), 5);
        let first_version = saved["version"].as_u64().unwrap();

        // Later saves go to the draft and move its version on; the page resumes from them.
        let res = lan
            .post(format!("{base}/dossiers/{id}/draft"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("f_child_full_name", "Lò Văn Páo"),
                ("f_child_birth_date", "2026-02-28"),
                ("f_child_sex", "Nam"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let saved: Value = res.json().await.unwrap();
        assert!(saved["version"].as_u64().unwrap() > first_version);
        let html = page_html(&lan, &format!("{base}/dossiers/{id}/edit")).await;
        assert!(html.contains("value=\"Lò Văn Páo\""));
        assert!(html.contains("value=\"2026-02-28\""));
        assert!(html.contains("value=\"Nam\" checked"));
        assert!(!html.contains("dropped"));
        assert!(html.contains(&format!("data-version=\"{}\"", saved["version"])));
        let (_, d) = api.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(d["state"], "draft");
        assert!(d["form"].get("not_in_the_form").is_none());

        // Refused: a wrong CSRF token, another citizen, an official. The draft is unchanged.
        let res = lan
            .post(format!("{base}/dossiers/{id}/draft"))
            .form(&[("csrf", "wrong"), ("f_child_full_name", "X")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let minh = page_login(server, MINH).await;
        let minh_csrf = csrf_of(&page_html(&minh, &format!("{base}/procedures/HT-01/file")).await);
        let res = minh
            .post(format!("{base}/dossiers/{id}/draft"))
            .form(&[("csrf", minh_csrf.as_str()), ("f_child_full_name", "X")])
            .send()
            .await
            .unwrap();
        assert!(
            res.status() == StatusCode::NOT_FOUND || res.status() == StatusCode::FORBIDDEN,
            "{}",
            res.status()
        );
        let officer = page_login(server, "tiepnhan.ubnd5443").await;
        let officer_csrf = csrf_of(&page_html(&officer, &format!("{base}/dossiers")).await);
        let res = officer
            .post(format!("{base}/procedures/HT-01/draft"))
            .form(&[
                ("csrf", officer_csrf.as_str()),
                ("agency_id", agency.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let anonymous = client()
            .post(format!("{base}/dossiers/{id}/draft"))
            .form(&[("f_child_full_name", "X")])
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
        let (_, d) = api.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(d["form"]["child_full_name"], "Lò Văn Páo");
    }
}
