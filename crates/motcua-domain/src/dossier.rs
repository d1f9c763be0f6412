//! The dossier's lifecycle: states, the actions that move between them, who may take each, and
//! the event each records. `decide` is the only way to a new state; `replay` rebuilds the state
//! from the event history, so the stored state can always be checked against it.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::role::Role;

/// Where a dossier stands. Each state maps to one national status code (DOMAIN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DossierState {
    /// Being prepared by the applicant; not yet filed, invisible to officials.
    Draft,
    Submitted,
    SupplementRequested,
    Refused,
    Withdrawn,
    /// Received at the one-stop desk, waiting for the specialist.
    Received,
    /// Appraised by the specialist, waiting for the leader.
    AwaitingApproval,
    /// Approved and signed; the result waits to be returned.
    ResultReady,
    /// Result returned: the dossier is locked.
    Returned,
}

impl DossierState {
    pub const ALL: [DossierState; 9] = [
        DossierState::Draft,
        DossierState::Submitted,
        DossierState::SupplementRequested,
        DossierState::Refused,
        DossierState::Withdrawn,
        DossierState::Received,
        DossierState::AwaitingApproval,
        DossierState::ResultReady,
        DossierState::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DossierState::Draft => "draft",
            DossierState::Submitted => "submitted",
            DossierState::SupplementRequested => "supplement_requested",
            DossierState::Refused => "refused",
            DossierState::Withdrawn => "withdrawn",
            DossierState::Received => "received",
            DossierState::AwaitingApproval => "awaiting_approval",
            DossierState::ResultReady => "result_ready",
            DossierState::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Vietnamese label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            DossierState::Draft => "Đang soạn",
            DossierState::Submitted => "Mới nộp, chờ tiếp nhận",
            DossierState::SupplementRequested => "Cần bổ sung hồ sơ",
            DossierState::Refused => "Từ chối tiếp nhận",
            DossierState::Withdrawn => "Đã rút hồ sơ",
            DossierState::Received => "Đã tiếp nhận, đang xử lý",
            DossierState::AwaitingApproval => "Chờ lãnh đạo phê duyệt",
            DossierState::ResultReady => "Đã có kết quả, chờ trả",
            DossierState::Returned => "Đã trả kết quả",
        }
    }

    /// The national public service portal's status code; a draft is not known to it.
    pub fn national_status(self) -> Option<u8> {
        match self {
            DossierState::Draft => None,
            DossierState::Submitted => Some(1),
            DossierState::Received => Some(2),
            DossierState::Refused => Some(3),
            DossierState::AwaitingApproval => Some(4),
            DossierState::SupplementRequested => Some(5),
            DossierState::Withdrawn => Some(7),
            DossierState::ResultReady => Some(9),
            DossierState::Returned => Some(10),
        }
    }

    /// Nothing more happens to the dossier's handling.
    /// The applicant may still change the form and the files.
    pub fn is_editable_by_applicant(self) -> bool {
        matches!(
            self,
            DossierState::Draft | DossierState::SupplementRequested
        )
    }

    pub fn is_closed(self) -> bool {
        matches!(
            self,
            DossierState::Refused | DossierState::Withdrawn | DossierState::Returned
        )
    }
}

/// What a person can do to a dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Submit,
    Resubmit,
    Withdraw,
    Receive,
    RequestSupplement,
    Refuse,
    Appraise,
    SendBack,
    Approve,
    ReturnResult,
    Rate,
}

/// Whose dossier it is, relative to the person acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The applicant who filed it.
    Owner,
    /// An official of the agency that handles it.
    HandlingAgency,
    /// Anybody else.
    Stranger,
}

struct Rule {
    role: Role,
    relation: Relation,
    from: &'static [DossierState],
    /// `None`: the state does not change.
    to: Option<DossierState>,
    needs_reason: bool,
}

impl Action {
    pub const ALL: [Action; 11] = [
        Action::Submit,
        Action::Resubmit,
        Action::Withdraw,
        Action::Receive,
        Action::RequestSupplement,
        Action::Refuse,
        Action::Appraise,
        Action::SendBack,
        Action::Approve,
        Action::ReturnResult,
        Action::Rate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Resubmit => "resubmit",
            Action::Withdraw => "withdraw",
            Action::Receive => "receive",
            Action::RequestSupplement => "request_supplement",
            Action::Refuse => "refuse",
            Action::Appraise => "appraise",
            Action::SendBack => "send_back",
            Action::Approve => "approve",
            Action::ReturnResult => "return_result",
            Action::Rate => "rate",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The Vietnamese verb, for buttons and messages.
    pub fn label(self) -> &'static str {
        match self {
            Action::Submit => "Nộp hồ sơ",
            Action::Resubmit => "Nộp lại sau bổ sung",
            Action::Withdraw => "Rút hồ sơ",
            Action::Receive => "Tiếp nhận",
            Action::RequestSupplement => "Yêu cầu bổ sung",
            Action::Refuse => "Từ chối tiếp nhận",
            Action::Appraise => "Thẩm định, trình phê duyệt",
            Action::SendBack => "Trả lại chuyên viên",
            Action::Approve => "Phê duyệt, ký",
            Action::ReturnResult => "Trả kết quả",
            Action::Rate => "Đánh giá",
        }
    }

    /// Whether this action must say why (a refusal, a supplement request, ...).
    pub fn needs_reason(self) -> bool {
        self.rule().needs_reason
    }

    /// The role that takes this action.
    pub fn role(self) -> Role {
        self.rule().role
    }

    fn rule(self) -> Rule {
        use DossierState as S;
        let (role, relation, from, to, needs_reason): (_, _, &'static [S], _, _) = match self {
            Action::Submit => (
                Role::Citizen,
                Relation::Owner,
                &[S::Draft],
                Some(S::Submitted),
                false,
            ),
            Action::Resubmit => (
                Role::Citizen,
                Relation::Owner,
                &[S::SupplementRequested],
                Some(S::Submitted),
                false,
            ),
            Action::Withdraw => (
                Role::Citizen,
                Relation::Owner,
                &[S::Submitted, S::SupplementRequested],
                Some(S::Withdrawn),
                true,
            ),
            Action::Receive => (
                Role::IntakeOfficer,
                Relation::HandlingAgency,
                &[S::Submitted],
                Some(S::Received),
                false,
            ),
            Action::RequestSupplement => (
                Role::IntakeOfficer,
                Relation::HandlingAgency,
                &[S::Submitted],
                Some(S::SupplementRequested),
                true,
            ),
            Action::Refuse => (
                Role::IntakeOfficer,
                Relation::HandlingAgency,
                &[S::Submitted],
                Some(S::Refused),
                true,
            ),
            Action::Appraise => (
                Role::Specialist,
                Relation::HandlingAgency,
                &[S::Received],
                Some(S::AwaitingApproval),
                false,
            ),
            Action::SendBack => (
                Role::Leader,
                Relation::HandlingAgency,
                &[S::AwaitingApproval],
                Some(S::Received),
                true,
            ),
            Action::Approve => (
                Role::Leader,
                Relation::HandlingAgency,
                &[S::AwaitingApproval],
                Some(S::ResultReady),
                false,
            ),
            Action::ReturnResult => (
                Role::IntakeOfficer,
                Relation::HandlingAgency,
                &[S::ResultReady],
                Some(S::Returned),
                false,
            ),
            Action::Rate => (Role::Citizen, Relation::Owner, &[S::Returned], None, false),
        };
        Rule {
            role,
            relation,
            from,
            to,
            needs_reason,
        }
    }
}

/// What happened, as recorded in the dossier's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Created,
    /// The applicant changed the declaration form of a draft or of a dossier being supplemented.
    FormUpdated,
    /// A state-changing or rating action.
    Acted(Action),
    FileAttached,
    ResultAttached,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::FormUpdated => "form_updated",
            EventKind::FileAttached => "file_attached",
            EventKind::ResultAttached => "result_attached",
            EventKind::Acted(a) => a.as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "created" => Some(EventKind::Created),
            "form_updated" => Some(EventKind::FormUpdated),
            "file_attached" => Some(EventKind::FileAttached),
            "result_attached" => Some(EventKind::ResultAttached),
            other => Action::parse(other).map(EventKind::Acted),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventKind::Created => "Tạo hồ sơ",
            EventKind::FormUpdated => "Cập nhật tờ khai",
            EventKind::FileAttached => "Đính kèm giấy tờ",
            EventKind::ResultAttached => "Đính kèm kết quả",
            EventKind::Acted(a) => a.label(),
        }
    }
}

/// The facts about a dossier that the rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DossierFacts {
    pub state: DossierState,
    /// A result file is attached.
    pub has_result: bool,
    /// The applicant has already rated the service.
    pub rated: bool,
}

/// A request to act, with what the action must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub action: Action,
    pub reason: Option<String>,
    /// Satisfaction score for `Rate`: 1 not satisfied, 2 satisfied, 3 very satisfied.
    pub score: Option<u8>,
}

impl Command {
    pub fn plain(action: Action) -> Self {
        Command {
            action,
            reason: None,
            score: None,
        }
    }
}

/// The event `decide` grants: to be appended to the history in the same transaction as the new
/// state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub kind: EventKind,
    pub from: DossierState,
    pub to: DossierState,
    pub reason: Option<String>,
    pub score: Option<u8>,
}

/// Longest reason accepted.
pub const MAX_REASON_CHARS: usize = 2000;

/// Why an action was refused; the text is shown to people as it is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransitionError {
    #[error("Bạn không có quyền thực hiện thao tác «{0}» trên hồ sơ này.")]
    Forbidden(&'static str),
    #[error("Không thể «{action}» khi hồ sơ đang ở trạng thái «{state}».")]
    InvalidState {
        action: &'static str,
        state: &'static str,
    },
    #[error("Vui lòng nêu rõ lý do (tối đa {MAX_REASON_CHARS} ký tự).")]
    ReasonRequired,
    #[error("Cần đính kèm tệp kết quả trước khi phê duyệt.")]
    ResultRequired,
    #[error("Hồ sơ này đã được đánh giá.")]
    AlreadyRated,
    #[error("Mức đánh giá phải là 1, 2 hoặc 3.")]
    InvalidScore,
}

/// Decides whether `role`, standing in `relation` to the dossier, may take `cmd`; if so, returns
/// the event to record. Pure: nothing changes until the caller stores the event.
pub fn decide(
    facts: DossierFacts,
    role: Role,
    relation: Relation,
    cmd: &Command,
) -> Result<NewEvent, TransitionError> {
    let rule = cmd.action.rule();
    if rule.role != role || rule.relation != relation {
        return Err(TransitionError::Forbidden(cmd.action.label()));
    }
    if !rule.from.contains(&facts.state) {
        return Err(TransitionError::InvalidState {
            action: cmd.action.label(),
            state: facts.state.label(),
        });
    }
    let reason = cmd
        .reason
        .as_deref()
        .map(crate::text::clean)
        .filter(|r| !r.is_empty());
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_REASON_CHARS)
    {
        return Err(TransitionError::ReasonRequired);
    }
    if rule.needs_reason && reason.is_none() {
        return Err(TransitionError::ReasonRequired);
    }
    let mut score = None;
    match cmd.action {
        Action::Approve if !facts.has_result => return Err(TransitionError::ResultRequired),
        Action::Rate => {
            if facts.rated {
                return Err(TransitionError::AlreadyRated);
            }
            match cmd.score {
                Some(s @ 1..=3) => score = Some(s),
                _ => return Err(TransitionError::InvalidScore),
            }
        }
        _ => {}
    }
    Ok(NewEvent {
        kind: EventKind::Acted(cmd.action),
        from: facts.state,
        to: rule.to.unwrap_or(facts.state),
        reason,
        score,
    })
}

/// The actions `role` may take now, for showing only the buttons that will work.
pub fn available_actions(facts: DossierFacts, role: Role, relation: Relation) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| {
            let rule = a.rule();
            rule.role == role
                && rule.relation == relation
                && rule.from.contains(&facts.state)
                && !(*a == Action::Rate && facts.rated)
        })
        .collect()
}

/// Rebuilds the state from the history; `None` if the history is not a legal sequence.
pub fn replay(kinds: impl IntoIterator<Item = EventKind>) -> Option<DossierState> {
    let mut state = None;
    for kind in kinds {
        state = match (state, kind) {
            (None, EventKind::Created) => Some(DossierState::Draft),
            (
                Some(s),
                EventKind::FileAttached | EventKind::ResultAttached | EventKind::FormUpdated,
            ) => Some(s),
            (Some(s), EventKind::Acted(a)) => {
                let rule = a.rule();
                if !rule.from.contains(&s) {
                    return None;
                }
                Some(rule.to.unwrap_or(s))
            }
            _ => return None,
        };
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn facts(state: DossierState) -> DossierFacts {
        DossierFacts {
            state,
            has_result: false,
            rated: false,
        }
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
            state: DossierState::Draft,
            has_result: true,
            rated: false,
        };
        let mut history = vec![EventKind::Created];
        for (action, role, rel) in steps {
            let cmd = Command {
                action,
                reason: Some("thiếu giấy chứng sinh".into()),
                score: Some(3),
            };
            let ev = decide(f, role, rel, &cmd).unwrap();
            f.state = ev.to;
            history.push(ev.kind);
        }
        assert_eq!(f.state, DossierState::Returned);
        assert_eq!(replay(history), Some(DossierState::Returned));
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
        let cmd = Command {
            action: Action::Refuse,
            reason: Some("   ".into()),
            score: None,
        };
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
        let rated = DossierFacts { rated: true, ..f };
        assert!(available_actions(rated, Role::Citizen, Relation::Owner).is_empty());
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
            let mut f = DossierFacts { state: DossierState::Draft, has_result: false, rated: false };
            let mut history = vec![EventKind::Created];
            for (action, role, rel, with_reason, score) in steps {
                let cmd = Command {
                    action,
                    reason: with_reason.then(|| "lý do".to_string()),
                    score: Some(score),
                };
                let before = f;
                match decide(f, role, rel, &cmd) {
                    Ok(ev) => {
                        prop_assert_eq!(ev.from, f.state);
                        prop_assert_eq!(role, action.role());
                        f.state = ev.to;
                        if action == Action::Rate { f.rated = true; }
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
}
