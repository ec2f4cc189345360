//! Files (spec 13 §2): upload (multipart part `file`, streamed to the store, the
//! size limit enforced while reading), serve (ranges, `ETag` and `If-None-Match`,
//! a safe `Content-Disposition`, `nosniff`, `?thumb=WxH`), delete and list for
//! admins. The engine stores and reads; this module speaks HTTP.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use rocket_engine::files::{self, Page, Part};
use rocket_engine::repo::files::FileRow;
use rocket_engine::EngineError;
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::extract::{Actor, Admin, Id, Shared, P};
use crate::http;
use crate::ranges::{self, Wanted};

/// Room for the multipart framing and small extra parts around the file.
const OVERHEAD: u64 = 1024 * 1024;

pub fn router(max_file_size: u64) -> Router<Shared> {
    let limit = usize::try_from(max_file_size.saturating_add(OVERHEAD)).unwrap_or(usize::MAX);
    Router::new()
        .route(
            "/api/{app}/_files/upload",
            post(upload).layer(DefaultBodyLimit::max(limit)),
        )
        .route("/api/{app}/_files", get(list))
        .route("/api/{app}/_files/", get(list))
        .route("/api/{app}/_files/{id}", get(serve).delete(remove))
}

fn missing_file() -> ApiError {
    ApiError::Engine(EngineError::BadInput("Missing file in form data".into()))
}

/// `POST /_files/upload` (13 §2.1): the first part named `file` that carries a
/// file name; a request whose declared length is beyond the limit is refused
/// before any byte is read.
async fn upload(State(p): State<Shared>, u: Actor, req: Request) -> ApiResult<Response> {
    let max = p.config.storage.max_file_size;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(n) = declared.filter(|n| *n > max.saturating_add(OVERHEAD)) {
        return Err(EngineError::FileTooLarge { size: n, max }.into());
    }
    let idle = Duration::from_millis(p.config.server.request_timeout_ms.max(1));
    let mut form = Multipart::from_request(req, &p)
        .await
        .map_err(|_| missing_file())?;
    loop {
        let field = tokio::time::timeout(idle, form.next_field())
            .await
            .map_err(|_| ApiError::RequestTimeout)?
            .map_err(|e| part_error(e, 0, max))?
            .ok_or_else(missing_file)?;
        let filename = field.file_name().unwrap_or("").to_string();
        if field.name() != Some("file") || filename.is_empty() {
            continue;
        }
        let mime = field.content_type().map(str::to_string);
        let part = Part {
            filename: &filename,
            mime: mime.as_deref(),
            user: Some(&u.user.id),
        };
        let body = Box::pin(stalling(field, idle, max));
        let r = files::upload(&p, &u.app, part, body).await;
        if let Err(EngineError::FileTooLarge { .. }) = &r {
            drain(&mut form).await;
        }
        return Ok(http::created(r?));
    }
}

/// Reads what is left of a refused upload (at most the body limit, which is
/// `OVERHEAD` beyond the part that went over, for a short while), so the client,
/// still sending, reads the 413 instead of a reset connection.
async fn drain(form: &mut Multipart) {
    let rest = async {
        while let Ok(Some(mut f)) = form.next_field().await {
            while let Ok(Some(_)) = f.chunk().await {}
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), rest).await;
}

/// A multipart error as the envelope: the body limit is the size limit, the rest
/// is a malformed request.
fn part_error(e: axum::extract::multipart::MultipartError, seen: u64, max: u64) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        EngineError::FileTooLarge {
            size: seen.max(max.saturating_add(1)),
            max,
        }
        .into()
    } else {
        EngineError::BadInput(format!("Malformed multipart body: {}", e.body_text())).into()
    }
}

/// Slowest average an upload may keep up once it has run for `idle`.
const MIN_RATE: u64 = 16 * 1024;

/// The part's bytes. A part that sends nothing for `idle`, or averages less than
/// [`MIN_RATE`] bytes a second after its first `idle`, fails the upload: uploads
/// are exempt from the request timeout, not from making progress.
fn stalling(
    field: axum::extract::multipart::Field<'_>,
    idle: Duration,
    max: u64,
) -> impl Stream<Item = Result<Bytes, EngineError>> + '_ {
    let started = std::time::Instant::now();
    futures_util::stream::unfold((field, 0u64), move |(mut field, seen)| async move {
        let too_slow = |seen: u64| {
            let secs = started.elapsed().as_secs();
            started.elapsed() > idle && seen < MIN_RATE.saturating_mul(secs)
        };
        let next = tokio::time::timeout(idle, field.next()).await;
        let item = match next {
            Err(_) => Err(EngineError::BadInput(format!(
                "Upload stalled: nothing received for {} s",
                idle.as_secs()
            ))),
            Ok(None) => return None,
            Ok(Some(Ok(chunk))) => {
                let seen = seen + chunk.len() as u64;
                if too_slow(seen) {
                    Err(EngineError::BadInput(format!(
                        "Upload too slow: less than {} KiB/s on average",
                        MIN_RATE / 1024
                    )))
                } else {
                    return Some((Ok(chunk), (field, seen)));
                }
            }
            Ok(Some(Err(e))) => Err(match part_error(e, seen, max) {
                ApiError::Engine(e) => e,
                other => EngineError::BadInput(other.to_string()),
            }),
        };
        Some((item, (field, seen)))
    })
}

fn etag_of(f: &FileRow, variant: Option<&str>) -> String {
    match variant {
        Some(v) => format!("\"{}-{v}\"", f.id),
        None => format!("\"{}\"", f.id),
    }
}

/// The headers of every answer about file `f` (13 §2.2, §5).
fn file_headers(h: &mut HeaderMap, f: &FileRow, mime: &str, etag: &str) {
    let mut set = |k: header::HeaderName, v: &str| {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(k, v);
        }
    };
    set(header::CONTENT_TYPE, mime);
    set(
        header::CONTENT_DISPOSITION,
        &files::names::content_disposition(&f.filename),
    );
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::ETAG, etag);
    set(header::ACCEPT_RANGES, "bytes");
    // An id's bytes never change; the token keeps caches private.
    set(
        header::CACHE_CONTROL,
        "private, max-age=31536000, immutable",
    );
    if files::names::is_active_content(mime) {
        set(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        );
    }
}

fn header_text(h: &HeaderMap, k: header::HeaderName) -> Option<&str> {
    h.get(k).and_then(|v| v.to_str().ok())
}

fn not_modified(f: &FileRow, mime: &str, etag: &str) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::NOT_MODIFIED;
    file_headers(r.headers_mut(), f, mime, etag);
    r.headers_mut().remove(header::CONTENT_TYPE);
    r
}

/// `GET /_files/{id}` (13 §2.2), or its thumbnail with `?thumb=WxH`.
async fn serve(
    State(p): State<Shared>,
    u: Actor,
    P(i): P<Id>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let f = files::find(&u.app, &i.id).await?;
    let thumb = form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "thumb")
        .map(|(_, v)| v.into_owned());
    if let Some(t) = thumb {
        return thumbnail(&p, &u, &f, &t, &headers).await;
    }
    let etag = etag_of(&f, None);
    if ranges::none_match(header_text(&headers, header::IF_NONE_MATCH), &etag) {
        return Ok(not_modified(&f, &f.mime_type, &etag));
    }
    let size = u64::try_from(f.size).unwrap_or(0);
    let honour = ranges::if_range_holds(header_text(&headers, header::IF_RANGE), &etag);
    let range_header = header_text(&headers, header::RANGE).filter(|_| honour);
    let part = match ranges::wanted(range_header, size) {
        Wanted::Unsatisfiable => return Ok(unsatisfiable(&f, size)),
        Wanted::All => None,
        Wanted::Part(r) => Some(r),
    };
    let read = files::read(&p, &u.app, &f, part.clone()).await?;
    let len = read.range.end - read.range.start;
    let mut r = Response::new(Body::from_stream(read.body.map_err(|e| {
        tracing::error!("reading a stored file failed: {e}");
        std::io::Error::other(e.to_string())
    })));
    file_headers(r.headers_mut(), &f, &f.mime_type, &etag);
    r.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    if part.is_some() {
        *r.status_mut() = StatusCode::PARTIAL_CONTENT;
        let cr = format!(
            "bytes {}-{}/{}",
            read.range.start,
            read.range.end.saturating_sub(1),
            read.total
        );
        if let Ok(v) = HeaderValue::from_str(&cr) {
            r.headers_mut().insert(header::CONTENT_RANGE, v);
        }
    }
    Ok(r)
}

fn unsatisfiable(f: &FileRow, size: u64) -> Response {
    let mut r = http::json_response(
        StatusCode::RANGE_NOT_SATISFIABLE,
        &json!({"error": {"code": "RANGE_NOT_SATISFIABLE",
            "message": format!("Range not satisfiable: file {} has {size} bytes", f.id)}}),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
        r.headers_mut().insert(header::CONTENT_RANGE, v);
    }
    r
}

async fn thumbnail(
    p: &Shared,
    u: &Actor,
    f: &FileRow,
    spec: &str,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    let t = files::thumb_size(spec)?;
    let etag = etag_of(f, Some(&t.name()));
    if ranges::none_match(header_text(headers, header::IF_NONE_MATCH), &etag) {
        let mime = files::thumbs::thumb_mime(&f.mime_type).unwrap_or("image/png");
        return Ok(not_modified(f, mime, &etag));
    }
    let (bytes, mime) = files::thumbnail(p, &u.app, f, t).await?;
    let mut r = Response::new(Body::from(bytes));
    file_headers(r.headers_mut(), f, &mime, &etag);
    r.headers_mut().remove(header::ACCEPT_RANGES);
    Ok(r)
}

/// `DELETE /_files/{id}` (admin, 13 §2.3).
async fn remove(State(p): State<Shared>, a: Admin, P(i): P<Id>) -> ApiResult<Response> {
    Ok(http::ok(files::delete(&p, &a.app, &i.id).await?))
}

/// `GET /_files` (admin, 13 §2.4): every file, or a page of them with
/// `page`/`per_page` (then with `meta`).
async fn list(a: Admin, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let page = page_of(q.as_deref())?;
    let (rows, total) = files::list(&a.app, page).await?;
    Ok(match page {
        None => http::ok(rows),
        Some(pg) => http::json_response(
            StatusCode::OK,
            &json!({"data": rows, "meta": {"total": total, "page": pg.page, "per_page": pg.per_page}}),
        ),
    })
}

fn page_of(q: Option<&str>) -> Result<Option<Page>, ApiError> {
    let (mut page, mut per_page) = (None, None);
    for (k, v) in form_urlencoded::parse(q.unwrap_or_default().as_bytes()) {
        let n = || {
            v.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| EngineError::BadInput(format!("{k} must be a positive integer")))
        };
        match k.as_ref() {
            "page" => page = Some(n()?),
            "per_page" | "limit" => per_page = Some(n()?.min(files::MAX_PER_PAGE)),
            _ => {}
        }
    }
    Ok((page.is_some() || per_page.is_some()).then(|| Page {
        page: page.unwrap_or(1),
        per_page: per_page.unwrap_or(100),
    }))
}
