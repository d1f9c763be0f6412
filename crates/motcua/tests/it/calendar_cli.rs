//! `motcua calendar …` as an operator runs it, with and without the server's overrides.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use motcua_app::domain::Role;
use motcua_app::{App, Config, CurrentUser};

const BIN: &str = env!("CARGO_BIN_EXE_motcua");

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("MOTCUA_DATABASE_URL")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn holidays_due_and_lunar_print_what_the_law_says() {
    let (ok, out, _) = run(&["calendar", "holidays", "2026"]);
    assert!(ok);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines.contains(&"2026-02-17 Tết Nguyên đán (mùng 1)"),
        "{out}"
    );
    assert!(
        lines.contains(&"2026-04-27 Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l.len() > 11 && l.as_bytes()[10] == b' '),
        "YYYY-MM-DD name"
    );

    let (ok, out, _) = run(&[
        "calendar",
        "due",
        "--from",
        "2026-11-20T10:00:00+07:00",
        "--days",
        "3",
    ]);
    assert!(ok);
    assert_eq!(
        out.trim(),
        "2026-11-26T10:00:00+07:00",
        "Tuesday 24 November is a day off"
    );
    let (_, out, _) = run(&[
        "calendar",
        "due",
        "--from",
        "2026-11-16T08:30:00Z",
        "--days",
        "0",
    ]);
    assert_eq!(
        out.trim(),
        "2026-11-17T17:00:00+07:00",
        "after the 15:00 cut-off: next working day"
    );

    let (_, out, _) = run(&[
        "calendar",
        "due",
        "--from",
        "2026-11-16T15:30:00+07:00",
        "--days",
        "0",
        "--cutoff",
        "16:00",
    ]);
    assert_eq!(
        out.trim(),
        "2026-11-16T17:00:00+07:00",
        "a later cut-off keeps 15:30 on the same day"
    );
    let (ok, _, err) = run(&[
        "calendar",
        "due",
        "--from",
        "2026-11-16T15:30:00+07:00",
        "--days",
        "0",
        "--cutoff",
        "25:00",
    ]);
    assert!(!ok && err.contains("HH:MM"), "{err}");

    let (ok, out, _) = run(&["calendar", "lunar", "2023-03-22"]);
    assert!(ok);
    assert_eq!(out.trim(), "1/2/2023 nhuận");
    assert_eq!(
        run(&["calendar", "lunar", "2026-02-17"]).1.trim(),
        "1/1/2026"
    );

    let (ok, _, err) = run(&["calendar", "due", "--from", "hôm qua", "--days", "1"]);
    assert!(!ok);
    assert!(err.contains("RFC 3339"), "{err}");
    let (ok, _, err) = run(&["calendar", "holidays", "1800"]);
    assert!(!ok && err.contains("1900"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_server_overrides_apply_when_a_data_folder_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        database_url: None,
        master_key_hex: None,
        cutoff: None,
        integrations: Default::default(),
        pool: Default::default(),
        files_url: None,
        files_keys: None,
    };
    let app = App::open(&config).await.unwrap();
    app.seed_demo().await.unwrap();
    let admin = CurrentUser {
        id: "admin".into(),
        role: Role::Admin,
        agency_id: None,
        display_name: "Quản trị".into(),
        csrf_token: String::new(),
    };
    app.set_calendar_day(
        &admin,
        "2026-11-23",
        false,
        "Nghỉ theo quyết định của UBND tỉnh",
    )
    .await
    .unwrap();
    app.set_calendar_day(&admin, "2026-11-28", true, "Làm bù thứ Bảy")
        .await
        .unwrap();
    let clerk = CurrentUser {
        role: Role::IntakeOfficer,
        ..admin.clone()
    };
    assert!(
        app.set_calendar_day(&clerk, "2026-11-30", false, "x")
            .await
            .is_err(),
        "only admins"
    );
    assert!(
        app.set_calendar_day(&admin, "30/11/2026", false, "x")
            .await
            .is_err(),
        "bad date refused"
    );
    app.close().await;

    let data = dir.path().to_str().unwrap();
    let (ok, out, err) = run(&["calendar", "holidays", "2026", "--data", data]);
    assert!(ok, "{err}");
    assert!(out.contains("2026-11-23 Nghỉ theo quyết định của UBND tỉnh"));
    // Friday 20 Nov 10:00 + 3 days: Mon 23 and Tue 24 off, Wed, Thu, Fri 10:00 … Sat 28 worked.
    let (_, with, _) = run(&[
        "calendar",
        "due",
        "--from",
        "2026-11-20T10:00:00+07:00",
        "--days",
        "3",
        "--data",
        data,
    ]);
    assert_eq!(with.trim(), "2026-11-27T10:00:00+07:00");
    let (_, with, _) = run(&[
        "calendar",
        "due",
        "--from",
        "2026-11-26T10:00:00+07:00",
        "--days",
        "2",
        "--data",
        data,
    ]);
    assert_eq!(
        with.trim(),
        "2026-11-28T10:00:00+07:00",
        "the Saturday worked in exchange counts"
    );
}
