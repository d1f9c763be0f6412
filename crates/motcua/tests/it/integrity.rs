//! `motcua verify` on both databases: a clean store passes; an event changed in the database,
//! an event deleted from it, and a result file replaced on disk are each found and named by
//! their dossier, and the command exits 1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use motcua_testkit::*;

const BIN: &str = env!("CARGO_BIN_EXE_motcua");

/// `motcua verify` against the server's store: (exit code, stdout).
fn verify(server: &Server) -> (i32, String) {
    let mut cmd = std::process::Command::new(BIN);
    cmd.args(["verify", "--data", server.data_dir.to_str().unwrap()])
        .env("MOTCUA_LOG", "warn")
        .env_remove("MOTCUA_DATABASE_URL");
    if let Some(url) = &server.database_url {
        cmd.args(["--database-url", url]);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    (out.status.code().unwrap_or(-1), stdout)
}

#[tokio::test]
async fn verify_finds_an_altered_event_a_deleted_event_and_a_corrupted_file() {
    for server in own_servers(Default::default) {
        let name = server.name;
        let lan = Api::login(&server, LAN).await;
        let (altered, altered_code) = submitted_birth_dossier(&lan).await;
        let (deleted, deleted_code) = submitted_birth_dossier(&lan).await;
        let (returned, returned_code) = submitted_birth_dossier(&lan).await;
        handle_to_return(&server, &returned).await;

        let (code, out) = verify(&server);
        assert_eq!(code, 0, "{name}: {out}");
        assert!(
            out.contains("Không phát hiện sai lệch nào."),
            "{name}: {out}"
        );
        assert!(out.contains("Đã kiểm tra 3 hồ sơ"), "{name}: {out}");
        assert!(out.contains("1 chữ ký kết quả"), "{name}: {out}");

        // Someone with database access rewrites a reason, and deletes an event.
        let mut db = server.db().await;
        sqlx::query(
            "UPDATE dossier_events SET actor_role = 'leader' WHERE dossier_id = $1 AND seq = 2",
        )
        .bind(&altered)
        .execute(&mut db)
        .await
        .unwrap();
        let (code, out) = verify(&server);
        assert_eq!(code, 1, "{name}: {out}");
        assert!(
            out.contains(&format!(
                "Đầu tiên: hồ sơ {altered_code}: sự kiện số 2 đã bị sửa"
            )),
            "{name}: {out}"
        );
        sqlx::query("DELETE FROM dossier_events WHERE dossier_id = $1 AND seq = 2")
            .bind(&deleted)
            .execute(&mut db)
            .await
            .unwrap();

        // And a result file is replaced on disk by another of the same size.
        let (_, view) = lan.get(&format!("/api/v1/dossiers/{returned}")).await;
        let result_id = view["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["purpose"] == "result")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let key: String = sqlx::query_scalar("SELECT object_key FROM attachments WHERE id = $1")
            .bind(&result_id)
            .fetch_one(&mut db)
            .await
            .unwrap();
        let path = server.data_dir.join("files").join(&key);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&path, bytes).unwrap();

        let (code, out) = verify(&server);
        assert_eq!(code, 1, "{name}: {out}");
        assert!(out.contains("Phát hiện 3 sai lệch."), "{name}: {out}");
        for (dossier, what) in [
            (&altered_code, "sự kiện số 2 đã bị sửa"),
            (&deleted_code, "thiếu sự kiện số 2"),
            (&returned_code, &format!("tệp đính kèm {result_id} bị hỏng")),
        ] {
            assert!(
                out.contains(&format!("- hồ sơ {dossier} (id ")) && out.contains(what),
                "{name}: {dossier} {what}: {out}"
            );
        }
    }
}
