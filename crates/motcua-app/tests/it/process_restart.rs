//! A dossier's process survives a restart of the application (its instance is in the database),
//! and a step past its time budget escalates as an event in the history. SQLite always;
//! PostgreSQL too when `MOTCUA_TEST_POSTGRES_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use motcua_app::App;
use motcua_app::domain::Command;
use motcua_app::domain::dossier::Action;
use motcua_testkit::app::user;

fn steps(p: &motcua_app::ProcessView) -> Vec<String> {
    let mut v: Vec<String> = p.steps.iter().map(|s| s.node.clone()).collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn the_process_survives_a_restart_and_late_steps_escalate() {
    // The store's transaction rule watched, as in a request.
    motcua_app::watched(async {
        for (app, config, _dir) in motcua_testkit::app::apps().await {
            let citizen = user(&app, "019088001234").await;
            let agency = {
                let catalog = app.catalog();
                let p = catalog.procedure("TP-01").unwrap();
                catalog.agencies_for(p)[0].id.clone()
            };
            let form: BTreeMap<String, String> = [
                ("record_type", "Phiếu số 1"),
                ("purpose", "Xin việc"),
                ("copies", "1"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
            let (id, _) = app
                .file_and_submit(&citizen, "TP-01", &agency, &form)
                .await
                .unwrap();
            let desk = user(&app, "tiepnhan.sotuphap").await;
            app.act(&desk, &id, &Command::plain(Action::Receive))
                .await
                .unwrap();
            let specialist = user(&app, "chuyenvien.sotuphap").await;
            app.complete_step(&specialist, &id, "Activity_check", None)
                .await
                .unwrap();
            let before = app
                .dossier_process(&specialist, &id)
                .await
                .unwrap()
                .unwrap();
            app.close().await;
            drop(app);

            // A new process on the same data: the steps wait where they were.
            let app = App::open(&config).await.unwrap();
            let after = app
                .dossier_process(&specialist, &id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(steps(&after), steps(&before));
            assert_eq!(
                steps(&after),
                ["Activity_police_lookup", "Activity_registry_lookup"]
            );

            // Nothing is late yet; thirty days later the police look-up (5 working days) is.
            let now = jiff::Timestamp::now().as_microsecond();
            assert_eq!(app.fire_process_timers(now).await.unwrap(), 0);
            let later = now + 30 * 24 * 3_600_000_000;
            assert_eq!(app.fire_process_timers(later).await.unwrap(), 1);
            assert_eq!(
                app.fire_process_timers(later).await.unwrap(),
                0,
                "a timer fires once"
            );
            let view = app.dossier_view(&specialist, &id).await.unwrap();
            let overdue = view
                .events
                .iter()
                .find(|e| e.kind == "step_overdue")
                .expect("escalation in the history");
            assert!(
                overdue
                    .detail
                    .as_deref()
                    .unwrap()
                    .contains("Tra cứu, xác minh")
            );
            assert!(view.history_intact);
            let p = app
                .dossier_process(&specialist, &id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                steps(&p),
                ["Activity_police_lookup", "Activity_registry_lookup"],
                "a non-interrupting timer leaves the step waiting"
            );

            // The process goes on after the restart.
            let police = user(&app, "chuyenvien.congantinh").await;
            app.complete_step(
                &police,
                &id,
                "Activity_police_lookup",
                Some("Không có án tích"),
            )
            .await
            .unwrap();
            app.complete_step(&specialist, &id, "Activity_registry_lookup", None)
                .await
                .unwrap();
            app.act(&specialist, &id, &Command::plain(Action::Appraise))
                .await
                .unwrap();
            app.close().await;
        }
    })
    .await
}
