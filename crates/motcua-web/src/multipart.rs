//! Reads a multipart body into memory (bounded by the route's body limit), so that the CSRF
//! token can be checked before any file is stored.

use axum::extract::Multipart;
use motcua_app::AppError;

/// One uploaded file part.
pub struct FilePart {
    pub field: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

#[derive(Default)]
pub struct MultipartForm {
    pub fields: Vec<(String, String)>,
    pub files: Vec<FilePart>,
}

impl MultipartForm {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses the body; a part with a file name is a file, the rest are text fields.
pub async fn read(mut multipart: Multipart) -> Result<MultipartForm, AppError> {
    let mut form = MultipartForm::default();
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::invalid(format!(
            "Dữ liệu gửi lên không đọc được ({}). Vui lòng thử lại.",
            e.body_text()
        ))
    };
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(bad)?;
                if !bytes.is_empty() {
                    form.files.push(FilePart {
                        field: name,
                        file_name,
                        bytes: bytes.to_vec(),
                    });
                }
            }
            None => {
                let text = field.text().await.map_err(bad)?;
                form.fields.push((name, text));
            }
        }
    }
    Ok(form)
}
