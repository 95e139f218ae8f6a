//! A multipart upload read whole but bounded: the file, the text fields and a web form's CSRF token. Past the
//! limit the rest is drained and nothing is kept, so the answer is a 413 rather than a dropped connection.

use actix_multipart::Multipart;
use futures_util::StreamExt;

use crate::error::ApiError;

/// What a form carried.
pub(crate) struct UploadForm {
    /// The `file` field: its file name and bytes.
    pub file: Option<(Option<String>, Vec<u8>)>,
    /// Every other field but `csrf_token`, as text, in the form's order.
    pub fields: Vec<(String, String)>,
    /// The `csrf_token` field a web page's form sends in the body (the JSON API reads it from a header).
    pub csrf_token: Option<String>,
}

/// Reads the whole form, refusing it once it passes `limit` bytes, file and fields together.
pub(crate) async fn read_form(mut form: Multipart, limit: usize) -> Result<UploadForm, ApiError> {
    let mut read = UploadForm {
        file: None,
        fields: Vec::new(),
        csrf_token: None,
    };
    let mut total = 0usize;
    let mut too_large = false;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| {
            ApiError::bad_request("file", format!("the multipart body is malformed: {e}"))
        })?;
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| {
                ApiError::bad_request(name.clone(), format!("the upload broke off: {e}"))
            })?;
            total += chunk.len();
            if total > limit {
                too_large = true;
            } else {
                data.extend_from_slice(&chunk);
            }
        }
        if too_large {
            continue;
        }
        if name == "file" {
            read.file = Some((file_name, data));
        } else if name == "csrf_token" {
            read.csrf_token = Some(String::from_utf8_lossy(&data).into_owned());
        } else {
            let text = String::from_utf8(data)
                .map_err(|_| ApiError::bad_request(name.clone(), "must be UTF-8 text"))?;
            read.fields.push((name, text));
        }
    }
    if too_large {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    Ok(read)
}
