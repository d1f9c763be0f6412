//! "Dữ liệu của tôi": the citizen's registry facts, who looked at their data and why, and a form
//! to report a fact that is wrong.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_app::{AppError, MyData};
use serde::Deserialize;

use super::{Layout, render_status};
use crate::AppState;
use crate::auth::{PageUser, check_csrf};
use crate::error::PageError;

#[derive(Template)]
#[template(path = "mydata.html")]
struct MyDataPage {
    layout: Layout,
    csrf: String,
    data: MyData,
    /// The report being typed, kept on an error.
    fact_key: String,
    claimed: String,
    note: String,
    errors: BTreeMap<String, String>,
    message: Option<String>,
    done: bool,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

/// Citizens: their own data.
pub async fn show(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> Result<Response, PageError> {
    let data = s.app.my_data(&user).await?;
    render_status(
        StatusCode::OK,
        &MyDataPage {
            layout: Layout::new("Dữ liệu của tôi", Some(user.clone())),
            csrf: user.csrf_token.clone(),
            data,
            fact_key: String::new(),
            claimed: String::new(),
            note: String::new(),
            errors: BTreeMap::new(),
            message: None,
            done: q.done.is_some(),
        },
    )
}

#[derive(Deserialize)]
pub struct FlagForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    fact_key: String,
    #[serde(default)]
    claimed: String,
    #[serde(default)]
    note: String,
}

/// Citizens: report that a fact is wrong.
pub async fn flag(
    State(s): State<AppState>,
    PageUser(user): PageUser,
    Form(form): Form<FlagForm>,
) -> Result<Response, PageError> {
    check_csrf(&user, Some(&form.csrf))?;
    match s
        .app
        .flag_fact(&user, &form.fact_key, &form.claimed, &form.note)
        .await
    {
        Ok(_) => Ok(Redirect::to("/me/data?done=flag#flags").into_response()),
        Err(AppError::Invalid { message, fields }) => {
            let data = s.app.my_data(&user).await?;
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &MyDataPage {
                    layout: Layout::new("Dữ liệu của tôi", Some(user.clone())),
                    csrf: user.csrf_token.clone(),
                    data,
                    fact_key: form.fact_key,
                    claimed: form.claimed,
                    note: form.note,
                    errors: fields,
                    message: Some(message),
                    done: false,
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}
