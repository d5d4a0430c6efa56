//! The JSON body extractor: like `web::Json`, but a body that does not fit its type is a 422
//! naming the field (`carers[1]`, `role`), found by `serde_path_to_error` rather than guessed from
//! serde's message.

use crate::error::{ApiError, FieldErrors};
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use std::future::Future;
use std::pin::Pin;
use utoipa::ToSchema;

/// A JSON request body of type `T`.
pub struct ApiJson<T>(pub T);

impl<T> ApiJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for ApiJson<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + ToSchema + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|ct| ct.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase())
            .is_some_and(|m| m == "application/json" || m.ends_with("+json"));
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType(
                    "send the body as application/json".into(),
                ));
            }
            let bytes = bytes
                .await
                .map_err(|e| match e.as_error::<PayloadError>() {
                    Some(PayloadError::Overflow) => {
                        ApiError::PayloadTooLarge("the request body is too large".into())
                    }
                    _ if e.as_response_error().status_code() == 413 => {
                        ApiError::PayloadTooLarge("the request body is too large".into())
                    }
                    _ => ApiError::BadRequest(format!("unreadable body: {e}")),
                })?;
            parse_body(&bytes).map(ApiJson)
        })
    }
}

/// A field that was sent, as `Some`, even when it was `null` (`Some(None)`): for bodies where
/// leaving a field out keeps its value and `null` clears it. Use with `#[serde(default)]`.
pub fn sent<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// [`parse`], and then no array where `T`'s schema says object (serde would read one as a struct
/// of its fields in order).
pub fn parse_body<T: DeserializeOwned + ToSchema + 'static>(bytes: &[u8]) -> Result<T, ApiError> {
    let body = parse::<T>(bytes)?;
    if bytes.contains(&b'[') {
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
        if let Some(field) = super::body_shape::array_for_object::<T>(&value) {
            return Err(ApiError::field(
                &field,
                "must be a JSON object, not an array",
            ));
        }
    }
    Ok(body)
}

/// Malformed JSON is a 400; well-formed JSON of the wrong shape is a 422 naming the field.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // PostgreSQL cannot store NUL in text (SQLite can), so a `\u0000` would end as a 500 there.
    if bytes.windows(6).any(|w| w == br"\u0000") {
        if let Some(field) = serde_json::from_slice(bytes).ok().and_then(|v| nul_in(&v)) {
            let field = if field.is_empty() {
                "body".into()
            } else {
                field
            };
            return Err(ApiError::field(
                &field,
                "must not contain the NUL character",
            ));
        }
    }
    // Every body is an object: serde would also read a struct from an array of its fields in
    // order (`[null, null]`), which no client means and the OpenAPI document does not allow.
    let starts_as_object = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    if !starts_as_object && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
        return Err(ApiError::field("body", "must be a JSON object"));
    }
    let first = deserialize(bytes);
    // JSON has one kind of number: `2.0` is the integer 2 to JSON Schema (and to the OpenAPI
    // document's `type: integer`), though serde refuses it for an `i32`. Only then is the body
    // read again with such numbers spelled as integers, so every other answer stays as it was.
    if let Err(e) = &first {
        if e.inner()
            .to_string()
            .starts_with("invalid type: floating point")
        {
            if let Some(respelled) = whole_numbers_as_integers(bytes) {
                return deserialize(&respelled).map_err(shape_error);
            }
        }
    }
    first.map_err(shape_error)
}

fn deserialize<T: DeserializeOwned>(
    bytes: &[u8],
) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
    serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(bytes))
}

/// The body with every number outside strings that has a fraction or exponent but a whole value
/// (`41.0`, `4.1e1`) written as an integer (`41`); `None` when there is none.
fn whole_numbers_as_integers(bytes: &[u8]) -> Option<Vec<u8>> {
    let (mut out, mut changed, mut i) = (Vec::with_capacity(bytes.len()), false, 0);
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'"' {
            // Copy the string as it is, escapes included.
            let start = i;
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(bytes.len());
            out.extend_from_slice(&bytes[start..i]);
        } else if b == b'-' || b.is_ascii_digit() {
            let start = i;
            while i < bytes.len()
                && matches!(bytes[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
            {
                i += 1;
            }
            let token = &bytes[start..i];
            let whole = std::str::from_utf8(token)
                .ok()
                .filter(|t| t.contains(['.', 'e', 'E']))
                .and_then(|t| t.parse::<f64>().ok())
                .filter(|v| v.fract() == 0.0 && v.abs() <= 9_007_199_254_740_992.0);
            match whole {
                Some(v) => {
                    out.extend_from_slice(format!("{}", v as i64).as_bytes());
                    changed = true;
                }
                None => out.extend_from_slice(token),
            }
        } else {
            out.push(b);
            i += 1;
        }
    }
    changed.then_some(out)
}

/// Well-formed JSON of the wrong shape is a 422 naming the field; malformed JSON a 400.
fn shape_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let inner = e.inner();
    if inner.is_syntax() || inner.is_eof() {
        return ApiError::BadRequest(format!("malformed JSON: {inner}"));
    }
    let path = e.path().to_string();
    let message = inner.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    // A missing or unknown field is named in serde's message; anything else by its path.
    let field = match path.as_str() {
        "." | "" => message
            .split('`')
            .nth(1)
            .filter(|f| !f.contains(' '))
            .unwrap_or("body")
            .to_string(),
        p => p.to_string(),
    };
    let errors = FieldErrors::from([(field.clone(), vec![message.clone()])]);
    ApiError::Validation {
        detail: format!("{field}: {message}"),
        errors,
    }
}

/// The path (`a.b[0]`) of the first string holding a NUL character, if any.
fn nul_in(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::String(s) if s.contains('\0') => Some(String::new()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| nul_in(x).map(|rest| format!("[{i}]{rest}"))),
        Value::Object(map) => map.iter().find_map(|(k, x)| {
            let rest = if k.contains('\0') {
                Some(String::new())
            } else {
                nul_in(x)
            }?;
            let sep = if rest.starts_with('[') || rest.is_empty() {
                ""
            } else {
                "."
            };
            Some(format!("{k}{sep}{rest}"))
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        carers: Vec<String>,
        when: Option<chrono::NaiveDate>,
    }

    fn field(json: &str) -> String {
        match parse::<Body>(json.as_bytes()) {
            Err(ApiError::Validation { errors, .. }) => {
                errors.keys().next().cloned().unwrap_or_default()
            }
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn shape_errors_name_the_field() {
        assert_eq!(field(r#"{"name": 5, "carers": []}"#), "name");
        assert_eq!(field(r#"{"name": "a", "carers": ["x", 2]}"#), "carers[1]");
        assert_eq!(
            field(r#"{"name": "a", "carers": [], "when": "2026-13-01"}"#),
            "when"
        );
        assert_eq!(field(r#"{"carers": []}"#), "name");
        assert_eq!(field(r#"{"name": "a", "carers": [], "extra": 1}"#), "extra");
    }

    #[test]
    fn nul_characters_are_a_422_naming_the_field() {
        assert_eq!(field(r#"{"name": "a\u0000b", "carers": []}"#), "name");
        assert_eq!(
            field(r#"{"name": "a", "carers": ["x", "\u0000"]}"#),
            "carers[1]"
        );
        // An escaped backslash before `u0000` is plain text, not a NUL.
        assert!(parse::<Body>(br#"{"name": "a\\u0000", "carers": []}"#).is_ok());
    }

    #[derive(Debug, Deserialize)]
    struct Numbers {
        places: i32,
        ids: Vec<i32>,
        score: f64,
        note: String,
    }

    #[test]
    fn whole_numbers_written_with_a_fraction_are_integers() {
        let n: Numbers =
            parse(br#"{"places": 41.0, "ids": [-181.0, 4.1e1, 7], "score": 2.5, "note": "1.0"}"#)
                .unwrap();
        assert_eq!((n.places, n.ids, n.score), (41, vec![-181, 41, 7], 2.5));
        assert_eq!(n.note, "1.0", "strings are left alone");
        let e = parse::<Numbers>(br#"{"places": 41.5, "ids": [], "score": 1, "note": ""}"#);
        assert!(matches!(e, Err(ApiError::Validation { .. })), "{e:?}");
        let e = parse::<Numbers>(br#"{"places": 3e10, "ids": [], "score": 1, "note": ""}"#);
        assert!(matches!(e, Err(ApiError::Validation { .. })), "{e:?}");
    }

    #[test]
    fn a_body_that_is_not_an_object_is_a_422() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct AllOptional {
            a: Option<bool>,
            b: Option<String>,
        }
        for body in [
            "[null, null]",
            "[]",
            "null",
            "7",
            "\"text\"",
            " [true, \"x\"]",
        ] {
            match parse::<AllOptional>(body.as_bytes()) {
                Err(ApiError::Validation { errors, .. }) => {
                    assert_eq!(errors["body"], ["must be a JSON object"], "{body}")
                }
                other => panic!("{body}: expected 422, got {other:?}"),
            }
        }
        assert!(parse::<AllOptional>(b" {}").is_ok());
    }

    #[test]
    fn malformed_json_is_400() {
        assert!(matches!(
            parse::<Body>(b"{\"name\": "),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            parse::<Body>(b"nonsense"),
            Err(ApiError::BadRequest(_))
        ));
    }
}
