//! The JSON API under `/api/v1`. Callers sign in with `POST /api/v1/session` and send the token
//! as `Authorization: Bearer`. Errors are `{"error": {"code", "message", "fields"}}`.

pub mod catalog;
pub mod documents;
pub mod dossiers;
pub mod feedback;
pub mod indices;
pub mod keys;
pub mod payments;
pub mod process;
pub mod session;

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The OpenAPI document, generated from the same handlers the router calls.
#[derive(OpenApi)]
#[openapi(
    info(title = "motcua API", version = "1", description = "Dịch vụ công và một cửa điện tử – API JSON. Mọi yêu cầu POST nhận tiêu đề `Idempotency-Key` (1–200 ký tự ASCII): gửi lại cùng khóa và cùng nội dung thì nhận lại câu trả lời đầu tiên (`Idempotent-Replayed: true`) và không ghi thêm gì; cùng khóa, nội dung khác: 422; yêu cầu đó đang chạy: 409 với `Retry-After`."),
    paths(
        session::login,
        session::logout,
        catalog::search,
        catalog::procedure,
        catalog::status,
        dossiers::list,
        dossiers::create,
        dossiers::create_on_behalf,
        dossiers::act_on_many,
        dossiers::load,
        dossiers::show,
        dossiers::update_form,
        dossiers::attach,
        dossiers::attach_result,
        dossiers::correct_result,
        dossiers::act,
        dossiers::download,
        dossiers::access_log,
        feedback::give_on_dossier,
        feedback::give_on_procedure,
        feedback::mine,
        feedback::agency,
        feedback::answer,
        feedback::rate_answer,
        payments::fees,
        payments::start,
        payments::receipt,
        payments::callback,
        catalog::verify,
        catalog::check_file,
        keys::rotate_key,
        keys::sync_status,
        keys::dead_letters,
        keys::retry_dead_letter,
        keys::run_jobs,
        documents::mine,
        documents::reuse,
        process::show,
        process::complete_step,
        process::versions,
        process::upload,
        indices::figures,
        indices::ranking,
        indices::rebuild,
    ),
    components(schemas(
        session::LoginRequest,
        session::LoginResponse,
        dossiers::CreateDossier,
        dossiers::OnBehalf,
        dossiers::BulkRequest,
        dossiers::UpdateForm,
        dossiers::ActionRequest,
        dossiers::Created,
        feedback::FeedbackRequest,
        feedback::ProcedureFeedbackRequest,
        feedback::AnswerRequest,
        feedback::FeedbackCreated,
        feedback::AnswerRating,
        payments::PaymentStarted,
        payments::NoticeAnswer,
        keys::KeyRotated,
        documents::ReuseRequest,
        documents::Reused,
        process::StepRequest,
        process::Uploaded,
        indices::Rebuilt,
        ErrorBody,
    )),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The error shape of every failed call.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    /// `{"code": "not_found", "message": "Không tìm thấy.", "fields": {"key": "message"}}`
    error: serde_json::Value,
}

/// Anyone: the OpenAPI document.
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
