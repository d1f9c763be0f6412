//! Tests of the lifecycle rules.

use super::*;
use proptest::prelude::*;

fn facts(state: DossierState) -> DossierFacts {
    DossierFacts::in_state(state)
}

#[test]
fn main_path_goes_from_draft_to_returned() {
    use Action::*;
    let steps = [
        (Submit, Role::Citizen, Relation::Owner),
        (
            RequestSupplement,
            Role::IntakeOfficer,
            Relation::HandlingAgency,
        ),
        (Resubmit, Role::Citizen, Relation::Owner),
        (Receive, Role::IntakeOfficer, Relation::HandlingAgency),
        (Appraise, Role::Specialist, Relation::HandlingAgency),
        (Approve, Role::Leader, Relation::HandlingAgency),
        (ReturnResult, Role::IntakeOfficer, Relation::HandlingAgency),
        (Rate, Role::Citizen, Relation::Owner),
    ];
    let mut f = DossierFacts {
        has_result: true,
        ..DossierFacts::in_state(DossierState::Draft)
    };
    let mut history = vec![EventKind::Created];
    for (action, role, rel) in steps {
        let cmd = Command {
            score: Some(3),
            ..Command::with_reason(action, "thiếu giấy chứng sinh")
        };
        let ev = decide(f, role, rel, &cmd).unwrap();
        f.state = ev.to;
        history.push(ev.kind);
    }
    assert_eq!(f.state, DossierState::Returned);
    assert_eq!(replay(history), Some(DossierState::Returned));
}

#[test]
fn the_filing_officer_files_in_the_applicants_place_and_nothing_more() {
    let draft = facts(DossierState::Draft);
    let submit = Command::plain(Action::Submit);
    let ev = decide(draft, Role::IntakeOfficer, Relation::Filer, &submit).unwrap();
    assert_eq!(ev.to, DossierState::Submitted);
    assert_eq!(
        available_actions(draft, Role::IntakeOfficer, Relation::Filer),
        vec![Action::Submit]
    );
    let again = facts(DossierState::SupplementRequested);
    assert!(
        decide(
            again,
            Role::IntakeOfficer,
            Relation::Filer,
            &Command::plain(Action::Resubmit)
        )
        .is_ok()
    );
    // A specialist is no filer, and the filer does not withdraw or rate for the applicant.
    assert!(decide(draft, Role::Specialist, Relation::Filer, &submit).is_err());
    let withdraw = Command::with_reason(Action::Withdraw, "không cần nữa");
    assert!(matches!(
        decide(again, Role::IntakeOfficer, Relation::Filer, &withdraw),
        Err(TransitionError::Forbidden(_))
    ));
    // Filing on behalf needs the relation: a plain officer of the agency cannot submit a draft.
    assert!(
        decide(
            draft,
            Role::IntakeOfficer,
            Relation::HandlingAgency,
            &submit
        )
        .is_err()
    );
}

#[test]
fn wrong_role_or_stranger_is_forbidden() {
    let f = facts(DossierState::Submitted);
    let cmd = Command::plain(Action::Receive);
    assert!(matches!(
        decide(f, Role::Citizen, Relation::Owner, &cmd),
        Err(TransitionError::Forbidden(_))
    ));
    assert!(matches!(
        decide(f, Role::IntakeOfficer, Relation::Stranger, &cmd),
        Err(TransitionError::Forbidden(_))
    ));
    assert!(decide(f, Role::IntakeOfficer, Relation::HandlingAgency, &cmd).is_ok());
}

#[test]
fn refusal_needs_a_reason_and_approval_needs_a_result() {
    let cmd = Command::with_reason(Action::Refuse, "   ");
    assert_eq!(
        decide(
            facts(DossierState::Submitted),
            Role::IntakeOfficer,
            Relation::HandlingAgency,
            &cmd
        ),
        Err(TransitionError::ReasonRequired)
    );
    assert_eq!(
        decide(
            facts(DossierState::AwaitingApproval),
            Role::Leader,
            Relation::HandlingAgency,
            &Command::plain(Action::Approve)
        ),
        Err(TransitionError::ResultRequired)
    );
}

#[test]
fn returned_dossier_is_locked_except_for_one_rating() {
    let f = facts(DossierState::Returned);
    assert_eq!(
        available_actions(f, Role::IntakeOfficer, Relation::HandlingAgency),
        vec![]
    );
    assert_eq!(
        available_actions(f, Role::Citizen, Relation::Owner),
        vec![Action::Rate]
    );
    assert_eq!(
        available_actions(f, Role::Leader, Relation::HandlingAgency),
        vec![Action::CorrectResult]
    );
    assert!(available_actions(f, Role::Leader, Relation::Stranger).is_empty());
    let rated = DossierFacts { rated: true, ..f };
    assert!(DossierState::Returned.is_closed() && !DossierState::Returned.is_running());
    assert!(available_actions(rated, Role::Citizen, Relation::Owner).is_empty());
}

#[test]
fn nothing_but_a_rating_or_a_leaders_correction_touches_a_returned_dossier() {
    let f = DossierFacts {
        has_result: true,
        ..facts(DossierState::Returned)
    };
    let relations = [
        Relation::Owner,
        Relation::HandlingAgency,
        Relation::Stranger,
    ];
    let mut granted = Vec::new();
    for action in Action::ALL {
        for role in Role::ALL {
            for rel in relations {
                let cmd = Command {
                    score: Some(3),
                    new_due: Some("2030-01-01T00:00:00Z".parse().unwrap()),
                    ..Command::with_reason(action, "Sai họ tên người được cấp")
                };
                if let Ok(ev) = decide(f, role, rel, &cmd) {
                    assert_eq!(
                        ev.to,
                        DossierState::Returned,
                        "{action:?} keeps it returned"
                    );
                    granted.push((action, role, rel));
                }
            }
        }
    }
    assert_eq!(
        granted,
        vec![
            (Action::Rate, Role::Citizen, Relation::Owner),
            (
                Action::CorrectResult,
                Role::Leader,
                Relation::HandlingAgency
            ),
        ]
    );
}

#[test]
fn a_correction_is_a_leaders_with_a_reason_and_only_after_return() {
    let returned = facts(DossierState::Returned);
    let cmd = Command::with_reason(Action::CorrectResult, "Sai ngày sinh trên trích lục");
    let ev = decide(returned, Role::Leader, Relation::HandlingAgency, &cmd).unwrap();
    assert_eq!(
        (ev.kind, ev.from, ev.to, ev.reason.as_deref()),
        (
            EventKind::Acted(Action::CorrectResult),
            DossierState::Returned,
            DossierState::Returned,
            Some("Sai ngày sinh trên trích lục")
        )
    );
    for blank in [None, Some("  ")] {
        let cmd = Command {
            reason: blank.map(str::to_string),
            ..Command::plain(Action::CorrectResult)
        };
        assert_eq!(
            decide(returned, Role::Leader, Relation::HandlingAgency, &cmd),
            Err(TransitionError::ReasonRequired)
        );
    }
    for (role, rel) in [
        (Role::Specialist, Relation::HandlingAgency),
        (Role::IntakeOfficer, Relation::HandlingAgency),
        (Role::Citizen, Relation::Owner),
        (Role::Leader, Relation::Stranger),
    ] {
        assert!(matches!(
            decide(returned, role, rel, &cmd),
            Err(TransitionError::Forbidden(_))
        ));
    }
    for state in DossierState::ALL {
        if state != DossierState::Returned {
            assert!(matches!(
                decide(facts(state), Role::Leader, Relation::HandlingAgency, &cmd),
                Err(TransitionError::InvalidState { .. })
            ));
        }
    }
    assert!(Action::CorrectResult.carries_result_file());
    assert!(
        Action::ALL
            .iter()
            .all(|a| a.carries_result_file() == (*a == Action::CorrectResult))
    );
}

#[test]
fn corrections_replay_to_returned_and_only_after_return() {
    use Action::*;
    let to_returned = [Submit, Receive, Appraise, Approve, ReturnResult].map(EventKind::Acted);
    let mut history = vec![EventKind::Created];
    history.extend(to_returned);
    history.push(EventKind::Acted(CorrectResult));
    history.push(EventKind::Acted(Rate));
    history.push(EventKind::Acted(CorrectResult));
    assert_eq!(replay(history), Some(DossierState::Returned));
    let early = [
        EventKind::Created,
        EventKind::Acted(Submit),
        EventKind::Acted(Receive),
        EventKind::Acted(Appraise),
        EventKind::Acted(Approve),
        EventKind::Acted(CorrectResult),
    ];
    assert_eq!(
        replay(early),
        None,
        "no correction before the result is returned"
    );
}

#[test]
fn consultation_and_payment_return_to_processing() {
    let spec = |f, a, r: &str| {
        decide(
            f,
            Role::Specialist,
            Relation::HandlingAgency,
            &Command::with_reason(a, r),
        )
    };
    let ev = spec(
        facts(DossierState::Received),
        Action::Consult,
        "Xin ý kiến Sở Xây dựng",
    )
    .unwrap();
    assert_eq!(ev.to, DossierState::InConsultation);
    assert_eq!(ev.to.national_status(), Some(4));
    assert!(
        spec(
            facts(DossierState::InConsultation),
            Action::RecordOpinion,
            ""
        )
        .is_err(),
        "the answer is recorded"
    );
    let ev = spec(
        facts(DossierState::InConsultation),
        Action::RecordOpinion,
        "Đồng ý",
    )
    .unwrap();
    assert_eq!(ev.to, DossierState::Received);
    let ev = spec(
        facts(DossierState::Received),
        Action::RequestPayment,
        "Lệ phí 75.000 đồng",
    )
    .unwrap();
    assert_eq!(
        (ev.to, ev.to.national_status()),
        (DossierState::AwaitingPayment, Some(6))
    );
    let intake = decide(
        facts(DossierState::AwaitingPayment),
        Role::IntakeOfficer,
        Relation::HandlingAgency,
        &Command::plain(Action::ConfirmPayment),
    );
    assert_eq!(intake.unwrap().to, DossierState::Received);
}

#[test]
fn supplement_in_appraisal_only_within_the_window() {
    let cmd = Command::with_reason(Action::RequestSupplementInAppraisal, "Thiếu bản vẽ");
    let open = facts(DossierState::Received);
    let closed = DossierFacts {
        supplement_window_open: false,
        ..open
    };
    assert_eq!(
        decide(open, Role::Specialist, Relation::HandlingAgency, &cmd)
            .unwrap()
            .to,
        DossierState::SupplementRequested
    );
    assert_eq!(
        decide(closed, Role::Specialist, Relation::HandlingAgency, &cmd),
        Err(TransitionError::SupplementWindowClosed)
    );
    assert!(
        !available_actions(closed, Role::Specialist, Relation::HandlingAgency)
            .contains(&Action::RequestSupplementInAppraisal)
    );
}

#[test]
fn apology_moves_the_due_date_once_and_only_later() {
    let due: Timestamp = "2026-11-26T10:00:00Z".parse().unwrap();
    let later: Timestamp = "2026-11-30T10:00:00Z".parse().unwrap();
    let f = DossierFacts {
        due_at: Some(due),
        ..facts(DossierState::Received)
    };
    let cmd = |new_due| Command {
        new_due: Some(new_due),
        ..Command::with_reason(Action::Apologize, "Cần xác minh thêm")
    };
    let ev = decide(
        f,
        Role::IntakeOfficer,
        Relation::HandlingAgency,
        &cmd(later),
    )
    .unwrap();
    assert_eq!((ev.to, ev.new_due), (DossierState::Received, Some(later)));
    assert_eq!(
        decide(f, Role::IntakeOfficer, Relation::HandlingAgency, &cmd(due)),
        Err(TransitionError::NewDueNotLater)
    );
    let moved = DossierFacts {
        due_extended: true,
        ..f
    };
    assert_eq!(
        decide(
            moved,
            Role::IntakeOfficer,
            Relation::HandlingAgency,
            &cmd(later)
        ),
        Err(TransitionError::AlreadyExtended)
    );
}

#[test]
fn only_running_dossiers_past_due_are_overdue() {
    let due: Timestamp = "2026-11-26T10:00:00Z".parse().unwrap();
    let after: Timestamp = "2026-11-27T00:00:00Z".parse().unwrap();
    assert!(DossierState::Received.is_overdue(Some(due), after));
    assert!(!DossierState::Received.is_overdue(Some(due), due));
    assert!(
        !DossierState::Returned.is_overdue(Some(due), after),
        "finished is not late"
    );
    assert!(
        !DossierState::Submitted.is_overdue(None, after),
        "no clock before receipt"
    );
}

#[test]
fn stopping_closes_the_dossier_with_reasons() {
    let cmd = Command::with_reason(Action::StopProcessing, "Người nộp không bổ sung");
    for state in [
        DossierState::Received,
        DossierState::InConsultation,
        DossierState::AwaitingPayment,
        DossierState::AwaitingApproval,
    ] {
        let ev = decide(facts(state), Role::Leader, Relation::HandlingAgency, &cmd).unwrap();
        assert_eq!(
            (ev.to, ev.to.national_status()),
            (DossierState::Stopped, Some(8))
        );
    }
    assert!(
        decide(
            facts(DossierState::Stopped),
            Role::Leader,
            Relation::HandlingAgency,
            &cmd
        )
        .is_err()
    );
    assert!(DossierState::Stopped.is_closed());
}

#[test]
fn every_state_maps_to_a_national_code_except_draft() {
    for s in DossierState::ALL {
        assert_eq!(s.national_status().is_none(), s == DossierState::Draft);
        assert_eq!(DossierState::parse(s.as_str()), Some(s));
    }
    for a in Action::ALL {
        assert_eq!(EventKind::parse(a.as_str()), Some(EventKind::Acted(a)));
    }
}

fn any_role() -> impl Strategy<Value = Role> {
    prop::sample::select(Role::ALL.to_vec())
}
fn any_relation() -> impl Strategy<Value = Relation> {
    prop::sample::select(vec![
        Relation::Owner,
        Relation::HandlingAgency,
        Relation::Stranger,
    ])
}

proptest! {
    /// Random sequences of commands from random people: whatever is granted replays to the
    /// same state, and a refused command changes nothing.
    #[test]
    fn granted_events_always_replay_to_the_state(
        steps in prop::collection::vec(
            (prop::sample::select(Action::ALL.to_vec()), any_role(), any_relation(),
             any::<bool>(), 0u8..5),
            0..40)
    ) {
        let mut f = DossierFacts::in_state(DossierState::Draft);
        let mut history = vec![EventKind::Created];
        for (action, role, rel, with_reason, score) in steps {
            let cmd = Command {
                action,
                reason: with_reason.then(|| "lý do".to_string()),
                score: Some(score),
                new_due: Some(Timestamp::from_second(i64::from(score) * 86_400).unwrap()),
            };
            let before = f;
            match decide(f, role, rel, &cmd) {
                Ok(ev) => {
                    prop_assert_eq!(ev.from, f.state);
                    prop_assert_eq!(role, action.role());
                    f.state = ev.to;
                    if action == Action::Rate { f.rated = true; }
                    if action == Action::Apologize {
                        prop_assert!(!f.due_extended, "the due date moves only once");
                        f.due_extended = true;
                        f.due_at = ev.new_due;
                    }
                    if action == Action::Receive { f.due_extended = false; f.due_at = None; }
                    history.push(ev.kind);
                }
                Err(_) => prop_assert_eq!(f, before),
            }
            if f.state == DossierState::Received {
                // results get attached between receipt and approval
                f.has_result = true;
            }
        }
        prop_assert_eq!(replay(history), Some(f.state));
    }
}

#[test]
fn only_actions_without_reason_or_judgement_go_in_bulk() {
    let bulk: Vec<Action> = Action::ALL
        .into_iter()
        .filter(|a| a.allows_bulk())
        .collect();
    assert_eq!(bulk, vec![Action::Receive, Action::ReturnResult]);
    assert!(
        bulk.iter()
            .all(|a| !a.needs_reason() && a.role() == Role::IntakeOfficer)
    );
}
