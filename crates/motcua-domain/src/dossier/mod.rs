//! The dossier's lifecycle: states, the actions that move between them, who may take each, and
//! the event each records. `decide` is the only way to a new state; `replay` rebuilds the state
//! from the event history, so the stored state can always be checked against it.

use jiff::Timestamp;
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
    /// Received at the one-stop desk; the specialist appraises it.
    Received,
    /// The specialist asked another department or agency for its opinion.
    InConsultation,
    /// Waiting for the applicant to pay financial obligations (national status 6).
    AwaitingPayment,
    /// Processing stopped, with a notice of the reasons (national status 8).
    Stopped,
    /// Appraised by the specialist, waiting for the leader.
    AwaitingApproval,
    /// Approved and signed; the result waits to be returned.
    ResultReady,
    /// Result returned: the dossier is locked.
    Returned,
}

impl DossierState {
    pub const ALL: [DossierState; 12] = [
        DossierState::Draft,
        DossierState::Submitted,
        DossierState::SupplementRequested,
        DossierState::Refused,
        DossierState::Withdrawn,
        DossierState::Received,
        DossierState::InConsultation,
        DossierState::AwaitingPayment,
        DossierState::Stopped,
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
            DossierState::InConsultation => "in_consultation",
            DossierState::AwaitingPayment => "awaiting_payment",
            DossierState::Stopped => "stopped",
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
            DossierState::InConsultation => "Đang xin ý kiến",
            DossierState::AwaitingPayment => "Chờ thực hiện nghĩa vụ tài chính",
            DossierState::Stopped => "Dừng xử lý",
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
            DossierState::AwaitingApproval | DossierState::InConsultation => Some(4),
            DossierState::AwaitingPayment => Some(6),
            DossierState::Stopped => Some(8),
            DossierState::SupplementRequested => Some(5),
            DossierState::Withdrawn => Some(7),
            DossierState::ResultReady => Some(9),
            DossierState::Returned => Some(10),
        }
    }

    /// Nothing more happens to the dossier's handling.
    /// Handled by the agency and not yet done: the legal clock runs (or the dossier is overdue).
    pub fn is_running(self) -> bool {
        matches!(
            self,
            DossierState::Received
                | DossierState::InConsultation
                | DossierState::AwaitingPayment
                | DossierState::AwaitingApproval
        )
    }

    /// Still being handled and past `due`: late.
    pub fn is_overdue(self, due: Option<Timestamp>, now: Timestamp) -> bool {
        self.is_running() && due.is_some_and(|d| d < now)
    }

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
            DossierState::Refused
                | DossierState::Withdrawn
                | DossierState::Stopped
                | DossierState::Returned
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
    /// The specialist finds something missing during appraisal (within 3 working days of
    /// receipt, Decree 61/2018 art. 19(4)).
    RequestSupplementInAppraisal,
    Consult,
    RecordOpinion,
    RequestPayment,
    ConfirmPayment,
    Appraise,
    SendBack,
    Approve,
    StopProcessing,
    /// The apology-and-new-date slip when the dossier will be late; the date moves only once.
    Apologize,
    ReturnResult,
    Rate,
    /// A leader's recorded correction of a returned result: the only change a returned dossier
    /// takes (DOMAIN.md, "Dossier lifecycle"). It carries the corrected file, so it has its own
    /// request; see [`Action::carries_result_file`].
    CorrectResult,
}

/// Whose dossier it is, relative to the person acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The applicant who filed it.
    Owner,
    /// An official of the agency that handles it.
    HandlingAgency,
    /// The intake officer who files it for the applicant (assisted or in-person filing), while
    /// it is still the applicant's to change.
    Filer,
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
    pub const ALL: [Action; 19] = [
        Action::Submit,
        Action::Resubmit,
        Action::Withdraw,
        Action::Receive,
        Action::RequestSupplement,
        Action::Refuse,
        Action::RequestSupplementInAppraisal,
        Action::Consult,
        Action::RecordOpinion,
        Action::RequestPayment,
        Action::ConfirmPayment,
        Action::Appraise,
        Action::SendBack,
        Action::Approve,
        Action::StopProcessing,
        Action::Apologize,
        Action::ReturnResult,
        Action::Rate,
        Action::CorrectResult,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Resubmit => "resubmit",
            Action::Withdraw => "withdraw",
            Action::Receive => "receive",
            Action::RequestSupplement => "request_supplement",
            Action::Refuse => "refuse",
            Action::RequestSupplementInAppraisal => "request_supplement_in_appraisal",
            Action::Consult => "consult",
            Action::RecordOpinion => "record_opinion",
            Action::RequestPayment => "request_payment",
            Action::ConfirmPayment => "confirm_payment",
            Action::StopProcessing => "stop_processing",
            Action::Apologize => "apologize",
            Action::Appraise => "appraise",
            Action::SendBack => "send_back",
            Action::Approve => "approve",
            Action::ReturnResult => "return_result",
            Action::Rate => "rate",
            Action::CorrectResult => "correct_result",
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
            Action::RequestSupplementInAppraisal => "Yêu cầu bổ sung (khi thẩm định)",
            Action::Consult => "Xin ý kiến",
            Action::RecordOpinion => "Ghi nhận ý kiến trả lời",
            Action::RequestPayment => "Yêu cầu thực hiện nghĩa vụ tài chính",
            Action::ConfirmPayment => "Xác nhận đã thực hiện nghĩa vụ tài chính",
            Action::StopProcessing => "Dừng xử lý",
            Action::Apologize => "Xin lỗi và hẹn lại ngày trả",
            Action::Appraise => "Thẩm định, trình phê duyệt",
            Action::SendBack => "Trả lại chuyên viên",
            Action::Approve => "Phê duyệt, ký",
            Action::ReturnResult => "Trả kết quả",
            Action::Rate => "Đánh giá",
            Action::CorrectResult => "Đính chính kết quả",
        }
    }

    /// Whether an officer may take this action on several dossiers at once from the work list:
    /// receiving complete online dossiers and returning results that are ready need no reason
    /// and no judgement beyond what the list shows; everything else is judged one by one.
    pub fn allows_bulk(self) -> bool {
        matches!(self, Action::Receive | Action::ReturnResult)
    }

    /// Whether this action must say why (a refusal, a supplement request, ...).
    pub fn needs_reason(self) -> bool {
        self.rule().needs_reason
    }

    /// Whether the action comes with a result file of its own (the corrected result), so it is
    /// taken through its own request and never as a plain action.
    pub fn carries_result_file(self) -> bool {
        self == Action::CorrectResult
    }

    /// The role that takes this action.
    pub fn role(self) -> Role {
        self.rule().role
    }

    /// Who takes each action, from which states, to which state, and whether a reason is owed.
    /// The one-stop mechanism is Decree 61/2018/ND-CP (amended by 107/2021), replaced from
    /// 2025-07-01 by Decree 118/2025; the articles below are those of Decree 61/2018.
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
                &[
                    S::Submitted,
                    S::SupplementRequested,
                    S::Received,
                    S::InConsultation,
                    S::AwaitingPayment,
                ],
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
            // Art. 18 (intake): the officer checks completeness and, if incomplete, lists
            // everything missing at once (slip 02); if not eligible, refuses with reasons (slip 03).
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
            Action::RequestSupplementInAppraisal => (
                Role::Specialist,
                Relation::HandlingAgency,
                &[S::Received],
                Some(S::SupplementRequested),
                true,
            ),
            Action::Consult => (
                Role::Specialist,
                Relation::HandlingAgency,
                &[S::Received],
                Some(S::InConsultation),
                true,
            ),
            Action::RecordOpinion => (
                Role::Specialist,
                Relation::HandlingAgency,
                &[S::InConsultation],
                Some(S::Received),
                true,
            ),
            Action::RequestPayment => (
                Role::Specialist,
                Relation::HandlingAgency,
                &[S::Received],
                Some(S::AwaitingPayment),
                true,
            ),
            Action::ConfirmPayment => (
                Role::IntakeOfficer,
                Relation::HandlingAgency,
                &[S::AwaitingPayment],
                Some(S::Received),
                false,
            ),
            // Notice of stopped processing with its reasons (slip 05 in the 2025 forms).
            Action::StopProcessing => (
                Role::Leader,
                Relation::HandlingAgency,
                &[
                    S::Received,
                    S::InConsultation,
                    S::AwaitingPayment,
                    S::AwaitingApproval,
                ],
                Some(S::Stopped),
                true,
            ),
            // Art. 19 (handling; clause to check): a dossier that will be late gets an apology and
            // a new date (slip 04) at least a day before it falls due; the date moves only once.
            Action::Apologize => (
                Role::IntakeOfficer,
                Relation::HandlingAgency,
                &[
                    S::Received,
                    S::InConsultation,
                    S::AwaitingPayment,
                    S::AwaitingApproval,
                ],
                None,
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
            // Art. 20 (return of results, to check): afterwards the dossier is locked.
            Action::ReturnResult => (
                Role::IntakeOfficer,
                Relation::HandlingAgency,
                &[S::ResultReady],
                Some(S::Returned),
                false,
            ),
            Action::Rate => (Role::Citizen, Relation::Owner, &[S::Returned], None, false),
            // The returned dossier stays locked; only a leader of the handling agency corrects
            // its result, saying why, and the dossier stays returned.
            Action::CorrectResult => (
                Role::Leader,
                Relation::HandlingAgency,
                &[S::Returned],
                None,
                true,
            ),
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
    /// An internal step of the procedure's process was done (the state does not change).
    StepCompleted,
    /// Another agency, consulted in the process, gave its opinion.
    OpinionGiven,
    /// A step's time budget ran out: the process escalated or notified.
    StepOverdue,
    /// The fee was paid online and matched to the dossier (the state does not change).
    FeePaid,
    /// Money paid online that was not owed (a fee paid twice) went back to the payer.
    FeeRefunded,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::FormUpdated => "form_updated",
            EventKind::FileAttached => "file_attached",
            EventKind::ResultAttached => "result_attached",
            EventKind::StepCompleted => "step_completed",
            EventKind::OpinionGiven => "opinion_given",
            EventKind::StepOverdue => "step_overdue",
            EventKind::FeePaid => "fee_paid",
            EventKind::FeeRefunded => "fee_refunded",
            EventKind::Acted(a) => a.as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "created" => Some(EventKind::Created),
            "form_updated" => Some(EventKind::FormUpdated),
            "file_attached" => Some(EventKind::FileAttached),
            "result_attached" => Some(EventKind::ResultAttached),
            "step_completed" => Some(EventKind::StepCompleted),
            "opinion_given" => Some(EventKind::OpinionGiven),
            "step_overdue" => Some(EventKind::StepOverdue),
            "fee_paid" => Some(EventKind::FeePaid),
            "fee_refunded" => Some(EventKind::FeeRefunded),
            other => Action::parse(other).map(EventKind::Acted),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventKind::Created => "Tạo hồ sơ",
            EventKind::FormUpdated => "Cập nhật tờ khai",
            EventKind::FileAttached => "Đính kèm giấy tờ",
            EventKind::ResultAttached => "Đính kèm kết quả",
            EventKind::StepCompleted => "Hoàn thành bước xử lý",
            EventKind::OpinionGiven => "Cơ quan phối hợp cho ý kiến",
            EventKind::StepOverdue => "Bước xử lý quá hạn",
            EventKind::FeePaid => "Đã nộp phí, lệ phí trực tuyến",
            EventKind::FeeRefunded => "Đã hoàn trả khoản nộp thừa",
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
    /// The due date was already moved once by an apology.
    pub due_extended: bool,
    /// Still within 3 working days of receipt, when appraisal may ask for a supplement.
    pub supplement_window_open: bool,
    /// The current due instant.
    pub due_at: Option<Timestamp>,
}

impl DossierFacts {
    /// Facts of a dossier in `state` with nothing else known (tests and probes).
    pub fn in_state(state: DossierState) -> Self {
        DossierFacts {
            state,
            has_result: false,
            rated: false,
            due_extended: false,
            supplement_window_open: true,
            due_at: None,
        }
    }
}

/// A request to act, with what the action must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub action: Action,
    pub reason: Option<String>,
    /// Satisfaction score for `Rate`: 1 not satisfied, 2 satisfied, 3 very satisfied.
    pub score: Option<u8>,
    /// The new due instant for `Apologize`.
    pub new_due: Option<Timestamp>,
}

impl Command {
    pub fn plain(action: Action) -> Self {
        Command {
            action,
            reason: None,
            score: None,
            new_due: None,
        }
    }

    pub fn with_reason(action: Action, reason: &str) -> Self {
        Command {
            reason: Some(reason.to_string()),
            ..Command::plain(action)
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
    /// The new due instant an apology sets.
    pub new_due: Option<Timestamp>,
}

impl NewEvent {
    /// An event that records something without changing the state (a file, a form update).
    pub fn unchanged(kind: EventKind, state: DossierState) -> Self {
        NewEvent {
            kind,
            from: state,
            to: state,
            reason: None,
            score: None,
            new_due: None,
        }
    }
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
    #[error("Chỉ được yêu cầu bổ sung khi thẩm định trong 3 ngày làm việc kể từ ngày tiếp nhận.")]
    SupplementWindowClosed,
    #[error("Ngày hẹn trả chỉ được điều chỉnh một lần.")]
    AlreadyExtended,
    #[error("Ngày hẹn trả mới phải sau ngày hẹn trả hiện tại.")]
    NewDueNotLater,
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
    if !permits(cmd.action, &rule, role, relation) {
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
    let mut new_due = None;
    match cmd.action {
        Action::Approve if !facts.has_result => return Err(TransitionError::ResultRequired),
        Action::RequestSupplementInAppraisal if !facts.supplement_window_open => {
            return Err(TransitionError::SupplementWindowClosed);
        }
        Action::Apologize => {
            if facts.due_extended {
                return Err(TransitionError::AlreadyExtended);
            }
            match (cmd.new_due, facts.due_at) {
                (Some(new), Some(old)) if new > old => new_due = Some(new),
                (Some(new), None) => new_due = Some(new),
                _ => return Err(TransitionError::NewDueNotLater),
            }
        }
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
        new_due,
    })
}

/// Whether `role` in `relation` may take `action` at all: its rule's own taker, or the intake
/// officer filing for the applicant, who files and files again in the applicant's place.
fn permits(action: Action, rule: &Rule, role: Role, relation: Relation) -> bool {
    (rule.role == role && rule.relation == relation)
        || (role == Role::IntakeOfficer
            && relation == Relation::Filer
            && matches!(action, Action::Submit | Action::Resubmit))
}

/// The actions `role` may take now, for showing only the buttons that will work.
pub fn available_actions(facts: DossierFacts, role: Role, relation: Relation) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| {
            let rule = a.rule();
            permits(*a, &rule, role, relation)
                && rule.from.contains(&facts.state)
                && match a {
                    Action::Rate => !facts.rated,
                    Action::Approve => facts.has_result,
                    Action::Apologize => !facts.due_extended,
                    Action::RequestSupplementInAppraisal => facts.supplement_window_open,
                    _ => true,
                }
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
                EventKind::FileAttached
                | EventKind::ResultAttached
                | EventKind::FormUpdated
                | EventKind::StepCompleted
                | EventKind::OpinionGiven
                | EventKind::StepOverdue
                | EventKind::FeePaid
                | EventKind::FeeRefunded,
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
mod tests;
