//! Random actions by random people through the real application and database: whatever is
//! accepted or refused, the stored state always equals the replay of the stored history, the
//! hash chain stays intact, and a refused action writes nothing. SQLite always; PostgreSQL too
//! when `MOTCUA_TEST_POSTGRES_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use motcua_app::AppError;
use motcua_app::domain::dossier::Action;
use motcua_app::domain::{Command, DossierState};
use motcua_testkit::app::user;

const PDF: &[u8] = b"%PDF-1.4\n%%EOF\n";

/// A small deterministic generator (xorshift), so that a failure can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn random_actions_never_break_the_history() {
    // The store's transaction rule watched, as in a request.
    motcua_app::watched(async {
    for (app, _config, _dir) in motcua_testkit::app::apps().await {
        let owner = user(&app, "019195012345").await;
        let people = vec![
            owner.clone(),
            user(&app, "019088001234").await,
            user(&app, "tiepnhan.ubnd5443").await,
            user(&app, "chuyenvien.ubnd5443").await,
            user(&app, "lanhdao.ubnd5443").await,
            user(&app, "tiepnhan.ubnd5467").await,
        ];
        let catalog = app.catalog();
        let p = catalog.procedure("HT-04").unwrap();
        let agency = catalog
            .agencies_for(p)
            .iter()
            .find(|a| a.name.contains("Phan Đình Phùng"))
            .unwrap()
            .id
            .clone();
        let form: BTreeMap<String, String> = [("event_type", "Khai sinh"), ("copies", "2")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut dossiers = Vec::new();
        for _ in 0..4 {
            dossiers.push(
                app.start_dossier(&owner, "HT-04", &agency, &form)
                    .await
                    .unwrap(),
            );
        }
        // A seed whose walk reaches every state and corrects a returned result (the walk depends
        // on the number of actions, so a new action may need a new seed); `SEED=<hex>` tries
        // another.
        let seed = std::env::var("SEED")
            .ok()
            .and_then(|s| u64::from_str_radix(&s, 16).ok())
            .unwrap_or(0x1656_67B1_9E37_79F9);
        let mut rng = Rng(seed);
        let (mut accepted, mut refused, mut steps_done, mut corrections) = (0, 0, 0, 0);
        let mut reached = std::collections::HashSet::new();
        for _ in 0..400 {
            let slot = (rng.next() % dossiers.len() as u64) as usize;
            let id = dossiers[slot].clone();
            // Mostly someone who can act now, with one of their actions (to get far); sometimes
            // anyone with anything (to be refused).
            let state_now = app.dossier_view(&owner, &id).await.unwrap().state;
            if state_now == DossierState::AwaitingApproval && rng.next().is_multiple_of(2) {
                // The leader attaches the result, so that approval becomes possible.
                app.attach_result(&people[4], &id, "kq.pdf", PDF)
                    .await
                    .unwrap();
            }
            // Whoever may completes the waiting internal steps of the process, so that the steps
            // bound to appraisal and approval come up.
            if let Ok(Some(process)) = app.dossier_process(&people[3], &id).await {
                for st in process.steps.iter().filter(|st| st.action_label.is_none()) {
                    for person in &people[2..] {
                        if app
                            .complete_step(person, &id, &st.node, Some("xong"))
                            .await
                            .is_ok()
                        {
                            steps_done += 1;
                            break;
                        }
                    }
                }
            }
            let mut able = Vec::new();
            for person in &people {
                if let Ok(v) = app.dossier_view(person, &id).await
                    && !v.actions.is_empty()
                {
                    able.push((person.clone(), v.actions));
                }
            }
            let (who, allowed) = if !able.is_empty() && !rng.next().is_multiple_of(3) {
                rng.pick(&able).clone()
            } else {
                (rng.pick(&people).clone(), Vec::new())
            };
            let before = app.dossier_view(&owner, &id).await.unwrap();
            if rng.next().is_multiple_of(10) {
                let _ = app.attach_result(&who, &id, "kq.pdf", PDF).await;
            }
            let action = if !allowed.is_empty() {
                *rng.pick(&allowed)
            } else {
                *rng.pick(&Action::ALL)
            };
            let new_due = match rng.next() % 3 {
                0 => Some(app.due_instant_on("2099-01-05").unwrap()),
                1 => Some(app.due_instant_on("2026-11-25").unwrap()),
                _ => None,
            };
            let cmd = Command {
                action,
                reason: (!rng.next().is_multiple_of(4)).then(|| "lý do".to_string()),
                score: Some((rng.next() % 4) as u8),
                new_due,
            };
            let before_len = app.dossier_view(&owner, &id).await.unwrap().events.len();
            // A correction comes with its corrected file (each one different).
            let outcome = if action.carries_result_file() {
                let file = format!("%PDF-1.4\n% dinh chinh {accepted} {refused}\n%%EOF\n");
                app.correct_result(&who, &id, cmd.reason.as_deref(), "kq.pdf", file.as_bytes())
                    .await
            } else {
                app.act(&who, &id, &cmd).await
            };
            match outcome {
                Ok(_) => {
                    accepted += 1;
                    corrections += usize::from(action.carries_result_file());
                }
                Err(
                    e @ (AppError::Transition(_)
                    | AppError::NotFound
                    | AppError::Invalid { .. }
                    | AppError::Forbidden(_)
                    | AppError::Step(_)),
                ) => {
                    if !allowed.is_empty() {
                        // Refused although offered: only for a missing reason, a bad date or
                        // a bad score.
                        let text = e.to_string();
                        assert!(
                            text.contains("lý do")
                                || text.contains("hẹn trả")
                                || text.contains("Mức đánh giá")
                                || text.contains("quy trình"),
                            "{action:?}: {text}"
                        );
                    }
                    refused += 1;
                    let after = app.dossier_view(&owner, &id).await.unwrap();
                    assert_eq!(
                        after.state, before.state,
                        "a refused action changed the state"
                    );
                    assert!(
                        after.events.len() <= before_len + 1,
                        "a refused action wrote more than an attachment"
                    );
                }
                Err(e) => panic!("unexpected error: {e:?}"),
            }
            let view = app.dossier_view(&owner, &id).await.unwrap();
            assert!(
                view.history_intact,
                "history no longer replays to the state after {action:?}"
            );
            reached.insert(view.state);
            // A finished dossier makes way for a new one, so the walk keeps going.
            if view.state.is_closed()
                && (view.state != DossierState::Returned || view.rating.is_some())
            {
                dossiers[slot] = app
                    .start_dossier(&owner, "HT-04", &agency, &form)
                    .await
                    .unwrap();
            }
        }
        eprintln!(
            "accepted {accepted}, refused {refused}, process steps {steps_done}, corrections {corrections}, states reached {reached:?}"
        );
        assert!(steps_done > 5, "the process moved: {steps_done} steps");
        assert!(
            accepted > 50 && refused > 50,
            "accepted {accepted}, refused {refused}"
        );
        // The walk went through most of the lifecycle.
        assert!(reached.len() >= 8, "{reached:?}");
        assert!(reached.contains(&DossierState::Returned), "{reached:?}");
        assert!(corrections > 0, "a returned result was corrected");
        app.close().await;
    }
    })
    .await
}
