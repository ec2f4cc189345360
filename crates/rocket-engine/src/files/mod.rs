//! Files (spec 13): uploads stored in the platform's object store
//! ([`storage::Storage`]) with one `_files` row each, served back with ranges and
//! thumbnails. `file` fields of records are resolved by the write pipeline
//! (`records::write::files`). Any authenticated user of the app may upload and read; deleting and
//! listing are for admins (checked by the server's extractors).

pub mod names;
pub mod storage;
pub mod thumbs;

use std::ops::Range;

use bytes::Bytes;
use futures_util::Stream;
use rocket_store::Exec;
use serde::Serialize;

use crate::app::App;
use crate::error::{EngineError, Result};
use crate::platform::Platform;
use crate::repo::files::{self as rows, FileRow};
use crate::repo::new_id;
use storage::{StorageError, WriteError};
use thumbs::{Thumb, ThumbError};

/// The answer of an upload (13 §2.1 step 7).
#[derive(Debug, Clone, Serialize)]
pub struct Uploaded {
    pub id: String,
    pub filename: String,
    pub size: i64,
    pub mime_type: String,
    pub url: String,
}

/// One file in the admin listing (13 §2.4; `storage_path` is not shown).
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub id: String,
    pub filename: String,
    pub mime_type: String,
    pub size: i64,
    pub uploaded_by: Option<String>,
    pub created_at: Option<String>,
}

impl From<FileRow> for Listed {
    fn from(r: FileRow) -> Listed {
        Listed {
            id: r.id,
            filename: r.filename,
            mime_type: r.mime_type,
            size: r.size,
            uploaded_by: r.uploaded_by,
            created_at: r.created_at,
        }
    }
}

/// What the client said about an uploaded part.
pub struct Part<'a> {
    /// The client's file name, as sent.
    pub filename: &'a str,
    /// The part's `Content-Type`, as sent.
    pub mime: Option<&'a str>,
    /// The uploading user's id.
    pub user: Option<&'a str>,
}

fn storage_failed(e: StorageError) -> EngineError {
    EngineError::internal(format!("file storage: {e}"))
}

/// Longest client file name accepted.
pub const MAX_NAME_BYTES: usize = 1024;

/// Streams one upload into the store, then records it (13 §2.1). Past
/// `storage.max_file_size` reading stops at once with `413`; a failed insert
/// removes the stored bytes.
pub async fn upload<S>(p: &Platform, app: &App, part: Part<'_>, body: S) -> Result<Uploaded>
where
    S: Stream<Item = Result<Bytes, EngineError>> + Unpin,
{
    if part.filename.len() > MAX_NAME_BYTES {
        return Err(EngineError::BadInput(format!(
            "File name too long (at most {MAX_NAME_BYTES} bytes)"
        )));
    }
    let max = p.config.storage.max_file_size;
    let id = new_id();
    let key = p
        .storage
        .key(&app.name, &id, &names::stored_name(part.filename));
    let size = p
        .storage
        .write(&key, body, |n| {
            if n > max {
                Err(EngineError::FileTooLarge { size: n, max })
            } else {
                Ok(())
            }
        })
        .await
        .map_err(|e| match e {
            WriteError::Input(e) => e,
            WriteError::Store(e) => storage_failed(e),
        })?;
    let row = FileRow {
        id: id.clone(),
        filename: part.filename.to_string(),
        storage_path: p.storage.storage_path(&key),
        mime_type: names::mime_type(part.mime),
        size: i64::try_from(size).unwrap_or(i64::MAX),
        uploaded_by: part
            .user
            .filter(|u| rocket_meta::looks_like_uuid(u))
            .map(str::to_string),
        created_at: None,
    };
    if let Err(e) = rows::insert(&mut Exec::Store(&app.store), &row).await {
        if let Err(cleanup) = p.storage.delete(&key).await {
            tracing::warn!(%key, "removing the bytes of an unrecorded upload failed: {cleanup}");
        }
        return Err(e.into());
    }
    Ok(Uploaded {
        url: format!("/api/{}/_files/{id}", app.name),
        id,
        filename: row.filename,
        size: row.size,
        mime_type: row.mime_type,
    })
}

fn not_found(id: &str) -> EngineError {
    EngineError::NotFound(format!("File {id} not found"))
}

fn missing_bytes(id: &str) -> EngineError {
    EngineError::NotFound(format!("File {id} not found on disk"))
}

/// The row of file `id`; 404 when there is none or `id` is no uuid (13 §2.2).
pub async fn find(app: &App, id: &str) -> Result<FileRow> {
    rows::get(&mut Exec::Store(&app.store), id)
        .await?
        .ok_or_else(|| not_found(id))
}

/// The bytes of `f` (the `range` of them when given); 404 when the row has no
/// bytes behind it (13 §2.2 step 3).
pub async fn read(
    p: &Platform,
    app: &App,
    f: &FileRow,
    range: Option<Range<u64>>,
) -> Result<storage::Read> {
    let key = source_key(p, app, f)?;
    p.storage
        .read(&key, range)
        .await
        .map_err(read_failed(&f.id))
}

/// The key of `f`'s bytes (404 "not found on disk" when its path names none).
fn source_key(p: &Platform, app: &App, f: &FileRow) -> Result<object_store::path::Path> {
    p.storage
        .key_of(&app.name, &f.id, &f.storage_path)
        .ok_or_else(|| missing_bytes(&f.id))
}

/// A failed read of file `id`: missing bytes are a 404, anything else a 500.
fn read_failed(id: &str) -> impl Fn(StorageError) -> EngineError + '_ {
    move |e| match e {
        StorageError::Missing => missing_bytes(id),
        e => storage_failed(e),
    }
}

fn thumb_error(e: ThumbError) -> EngineError {
    match e {
        ThumbError::BadSize => EngineError::BadInput(e.to_string()),
        _ => EngineError::Invalid(e.to_string()),
    }
}

/// Parses a `thumb` parameter (400 when malformed).
pub fn thumb_size(s: &str) -> Result<Thumb> {
    Thumb::parse(s).map_err(thumb_error)
}

/// Thumbnails made at the same time, process-wide.
static THUMBNAILERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Most thumbnail sizes kept per file: further sizes are made on every request but
/// not stored, so no client can fill the store with sizes.
pub const MAX_CACHED_SIZES: usize = 16;

/// Thumbnail `t` of image `f` and its MIME type: from the store's cache, or made
/// now (on a blocking thread) and cached. Not an image, too large or undecodable
/// → 422.
pub async fn thumbnail(p: &Platform, app: &App, f: &FileRow, t: Thumb) -> Result<(Bytes, String)> {
    let mime =
        thumbs::thumb_mime(&f.mime_type).ok_or_else(|| thumb_error(ThumbError::NotAnImage))?;
    let cached = p.storage.thumb_key(&app.name, &f.id, &t.name());
    match p.storage.bytes(&cached).await {
        Ok(b) => return Ok((b, mime.to_string())),
        Err(StorageError::Missing) => {}
        Err(e) => return Err(storage_failed(e)),
    }
    if u64::try_from(f.size).unwrap_or(u64::MAX) > thumbs::MAX_SOURCE_BYTES {
        return Err(thumb_error(ThumbError::TooLarge));
    }
    let key = source_key(p, app, f)?;
    // Decoding may take a second and up to the decoder's memory limit: a few at a
    // time, the source read only once it is this request's turn, and the turn held
    // by the decoding thread itself (a cancelled request does not free it early).
    let turn = THUMBNAILERS
        .acquire()
        .await
        .map_err(EngineError::internal)?;
    let source = p.storage.bytes(&key).await.map_err(read_failed(&f.id))?;
    let bytes = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        thumbs::make(&source, t, mime)
    })
    .await
    .map_err(EngineError::internal)?
    .map_err(thumb_error)?;
    let bytes = Bytes::from(bytes);
    let thumbs_dir = format!("{}.thumbs", f.id);
    let kept = p
        .storage
        .count(&[&app.name, &thumbs_dir])
        .await
        .unwrap_or(usize::MAX);
    // A failed cache write costs a later request the work again, nothing more.
    if kept < MAX_CACHED_SIZES {
        if let Err(e) = p.storage.put(&cached, bytes.clone()).await {
            tracing::warn!(key = %cached, "caching a thumbnail failed: {e}");
        }
    }
    Ok((bytes, mime.to_string()))
}

/// Deletes file `id`: its bytes, its thumbnails, then its row (13 §2.3).
pub async fn delete(p: &Platform, app: &App, id: &str) -> Result<serde_json::Value> {
    let f = find(app, id).await?;
    if let Some(key) = p.storage.key_of(&app.name, &f.id, &f.storage_path) {
        p.storage.delete(&key).await.map_err(storage_failed)?;
    }
    let thumbs = format!("{}.thumbs", f.id);
    if let Err(e) = p.storage.delete_all(&[&app.name, &thumbs]).await {
        tracing::warn!(file = %f.id, "removing thumbnails failed: {e}");
    }
    rows::delete(&mut Exec::Store(&app.store), &f.id).await?;
    Ok(serde_json::json!({"deleted": true}))
}

/// A page of the listing: `page` from 1, `per_page` rows.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub page: i64,
    pub per_page: i64,
}

/// Largest `per_page` of the file listing.
pub const MAX_PER_PAGE: i64 = 1000;

/// Every file, newest first (13 §2.4), or one page of them with the total count.
pub async fn list(app: &App, page: Option<Page>) -> Result<(Vec<Listed>, i64)> {
    let x = &mut Exec::Store(&app.store);
    let window = page.map(|p| (p.per_page, (p.page - 1).saturating_mul(p.per_page)));
    let found: Vec<Listed> = rows::list(x, window)
        .await?
        .into_iter()
        .map(Listed::from)
        .collect();
    let total = match page {
        None => i64::try_from(found.len()).unwrap_or(i64::MAX),
        Some(_) => rows::count(x).await?,
    };
    Ok((found, total))
}

/// Removes every stored object of an app (its files and thumbnails) in the
/// background, once the app is deleted: many files must not hold up the request.
pub fn delete_app(p: &Platform, app: &str) {
    let (storage, app) = (p.storage.clone(), app.to_string());
    tokio::spawn(async move {
        if let Err(e) = storage.delete_all(&[&app]).await {
            tracing::warn!(app, "removing the app's files failed: {e}");
        }
    });
}
