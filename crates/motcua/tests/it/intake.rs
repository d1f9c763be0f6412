//! Filing for a citizen at the one-stop desk or a support point, over real HTTP on both
//! databases: the applicant needs no account (one is made from the population registry, with no
//! password), the typed name must match the registry, counter dossiers are received as filed,
//! assisted ones wait in the intake queue, the filing mode is kept, and nobody else may file or
//! touch the draft.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_app::Integrations;
use motcua_integrations::sim::{SimConfig, seeded_people};
use motcua_testkit::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn on_behalf(mode: &str, personal_id: &str, full_name: &str) -> Value {
    let mut form = birth_form();
    form["mother_personal_id"] = json!(personal_id);
    json!({
        "procedure_code": "HT-01",
        "mode": mode,
        "personal_id": personal_id,
        "full_name": full_name,
        "phone": "0912 345 678",
        "form": form,
    })
}

async fn scan_and_submit(officer: &Api, id: &str) -> Value {
    let (status, body) = officer
        .upload(
            &format!("/api/v1/dossiers/{id}/attachments"),
            &[("component_index", "2")],
            "giay-chung-sinh-scan.pdf",
            PDF,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = officer.act(id, "submit", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn the_desk_files_for_a_citizen_without_an_account() {
    let sim = simulators();
    let people = seeded_people(&SimConfig::default());
    // A made-up person of the registry's (the first ones are the demo citizens, who have accounts).
    let person = people.last().unwrap().clone();
    for server in own_servers(|| Integrations {
        registry_url: Some(sim.to_string()),
        ..Default::default()
    }) {
        let officer = Api::login(&server, "tiepnhan.ubnd5443").await;

        // Who may file for others: intake officers only.
        for who in [LAN, "chuyenvien.ubnd5443", "quantri"] {
            let caller = Api::login(&server, who).await;
            let (status, body) = caller
                .post(
                    "/api/v1/desk/dossiers",
                    on_behalf("counter", &person.personal_id, &person.full_name),
                )
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {body}");
        }

        // The typed name is checked against the registry; a bad ID is a field error.
        let (status, body) = officer
            .post(
                "/api/v1/desk/dossiers",
                on_behalf("counter", &person.personal_id, "Người Khác Tên"),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["error"]["fields"]["full_name"].is_string(), "{body}");
        let (status, body) = officer
            .post(
                "/api/v1/desk/dossiers",
                on_behalf("counter", "12345", &person.full_name),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["error"]["fields"]["personal_id"].is_string(), "{body}");
        let (status, body) = officer
            .post(
                "/api/v1/desk/dossiers",
                on_behalf("postal", &person.personal_id, &person.full_name),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

        // At the counter: filed and received in one go, kept as filed in person.
        let typed = person.full_name.to_uppercase();
        let (status, body) = officer
            .post(
                "/api/v1/desk/dossiers",
                on_behalf("counter", &person.personal_id, &typed),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{}: {body}", server.name);
        let counter_id = body["id"].as_str().unwrap().to_string();

        // Another agency's officer and the demo citizens cannot touch the draft.
        let other = Api::login(&server, "tiepnhan.ubnd5467").await;
        let lan = Api::login(&server, LAN).await;
        for stranger in [&other, &lan] {
            let (status, _) = stranger
                .upload(
                    &format!("/api/v1/dossiers/{counter_id}/attachments"),
                    &[("component_index", "2")],
                    "x.pdf",
                    PDF,
                )
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND);
            let (status, _) = stranger.act(&counter_id, "submit", None).await;
            assert_eq!(status, StatusCode::NOT_FOUND);
        }

        let filed = scan_and_submit(&officer, &counter_id).await;
        assert!(filed["code"].as_str().unwrap().contains('-'), "{filed}");
        let (_, view) = officer.get(&format!("/api/v1/dossiers/{counter_id}")).await;
        assert_eq!(view["state"], "received", "{view}");
        assert_eq!(view["filing_mode"], "counter");
        // The account's name is the registry's, not what was typed.
        assert_eq!(view["applicant_name"], person.full_name.as_str());
        assert_eq!(view["identity"][0]["source"], "CSDL quốc gia về dân cư");
        assert_eq!(view["events"][1]["actor_role"], "Công chức tiếp nhận");

        // The account has no password: nobody signs in with the demo password.
        let res = client()
            .post(format!("{}/api/v1/session", server.base))
            .json(&json!({"login": person.personal_id, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

        // Assisted: the same person's account is found again; the dossier waits for intake.
        let (status, body) = officer
            .post(
                "/api/v1/desk/dossiers",
                on_behalf("assisted", &person.personal_id, &person.full_name),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let assisted_id = body["id"].as_str().unwrap().to_string();
        scan_and_submit(&officer, &assisted_id).await;
        let (_, view) = officer
            .get(&format!("/api/v1/dossiers/{assisted_id}"))
            .await;
        assert_eq!(view["state"], "submitted", "{view}");
        assert_eq!(view["filing_mode"], "assisted");
        assert_eq!(view["applicant_name"], person.full_name.as_str());

        // A known account's name must match too.
        let (status, body) = officer
            .post(
                "/api/v1/desk/dossiers",
                on_behalf("assisted", LAN, "Trần Văn Khác"),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

        // A self-filed dossier says so.
        let (own, _) = submitted_birth_dossier(&lan).await;
        let (_, view) = lan.get(&format!("/api/v1/dossiers/{own}")).await;
        assert_eq!(view["filing_mode"], "self");
    }
}

#[tokio::test]
async fn the_desk_page_starts_a_draft_and_opens_its_form() {
    for server in servers() {
        let desk = page_login(server, "tiepnhan.ubnd5443").await;
        let html = page_html(&desk, &format!("{}/desk/intake", server.base)).await;
        assert!(html.contains("Nộp hồ sơ thay người dân"), "{html}");
        assert!(html.contains("HT-01"));
        let csrf = csrf_of(&html);

        // Missing name: the page says so next to the field and keeps what was typed.
        let res = desk
            .post(format!("{}/desk/intake", server.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("procedure", "HT-01"),
                ("mode", "counter"),
                ("personal_id", MINH),
                ("full_name", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains("Vui lòng nhập họ và tên người nộp"), "{html}");
        assert!(html.contains(MINH));

        let minh = Api::login(server, MINH).await;
        let (_, me) = minh.get("/api/v1/dossiers").await;
        let before = me.as_array().unwrap().len();
        let no_redirect = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        // (Same session as `desk`: sign in again without following redirects.)
        let res = no_redirect
            .post(format!("{}/login", server.base))
            .form(&[
                ("login", "tiepnhan.ubnd5443"),
                ("password", PASSWORD),
                ("next", "/desk/intake"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let html = page_html(&no_redirect, &format!("{}/desk/intake", server.base)).await;
        let res = no_redirect
            .post(format!("{}/desk/intake", server.base))
            .form(&[
                ("csrf", csrf_of(&html).as_str()),
                ("procedure", "HT-01"),
                ("mode", "counter"),
                ("personal_id", MINH),
                ("full_name", "Trần Văn Minh"),
            ])
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
        assert!(location.ends_with("/edit"), "{location}");
        let html = page_html(&no_redirect, &format!("{}{location}", server.base)).await;
        assert!(
            html.contains("giấy chứng sinh") || html.contains("Giấy chứng sinh"),
            "{html}"
        );

        // The draft is Minh's (he sees it in his list) though the desk keeps it until filed.
        let (_, me) = minh.get("/api/v1/dossiers").await;
        assert_eq!(me.as_array().unwrap().len(), before + 1);

        // Citizens have no desk.
        let lan = page_login(server, LAN).await;
        let res = lan
            .get(format!("{}/desk/intake", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
}
