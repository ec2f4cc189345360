//! `_files` (spec 02 §4.12, spec 13 §3): one row per upload. The bytes live in the
//! object store (`crate::files::storage`); `storage_path` says where.

use rocket_store::{DbError, Exec, Param};
use serde::{Deserialize, Serialize};

use super::run;
use super::table::{select, Stored, Table};

/// A stored upload.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct FileRow {
    pub id: String,
    pub filename: String,
    pub storage_path: String,
    pub mime_type: String,
    pub size: i64,
    pub uploaded_by: Option<String>,
    pub created_at: Option<String>,
}

impl Stored for FileRow {
    const TABLE: Table = Table::new(
        "_files",
        "id:uuid filename storage_path mime_type size:int uploaded_by:uuid created_at:time",
    )
    .order("created_at DESC, id");
}

/// Inserts the row of a finished upload (`created_at` by the database).
pub async fn insert(x: &mut Exec<'_>, f: &FileRow) -> Result<(), DbError> {
    run(
        x,
        "INSERT INTO _files (id, filename, storage_path, mime_type, size, uploaded_by) \
         VALUES ({1:uuid}, {2}, {3}, {4}, {5:int8}, {6:uuid})",
        vec![
            Param::Text(f.id.clone()),
            Param::Text(f.filename.clone()),
            Param::Text(f.storage_path.clone()),
            Param::Text(f.mime_type.clone()),
            Param::Int(f.size),
            f.uploaded_by.clone().map_or(Param::Null, Param::Text),
        ],
    )
    .await
    .map(|_| ())
}

/// The row `id`; a text that is no uuid finds nothing (13 §2.2: any lookup error is
/// a 404).
pub async fn get(x: &mut Exec<'_>, id: &str) -> Result<Option<FileRow>, DbError> {
    super::find(x, id).await
}

/// One page of rows, newest first; every row when `page` is `None` (13 §2.4).
pub async fn list(x: &mut Exec<'_>, page: Option<(i64, i64)>) -> Result<Vec<FileRow>, DbError> {
    match page {
        None => select(x, "ORDER BY created_at DESC, id", vec![]).await,
        Some((limit, offset)) => {
            select(
                x,
                "ORDER BY created_at DESC, id LIMIT {1:int8} OFFSET {2:int8}",
                vec![Param::Int(limit), Param::Int(offset)],
            )
            .await
        }
    }
}

/// How many rows there are.
pub async fn count(x: &mut Exec<'_>) -> Result<i64, DbError> {
    let n = super::fetch_one(x, "SELECT COUNT(*) FROM _files", vec![], |r| r.int()).await?;
    Ok(n.unwrap_or(0))
}

/// Removes the row `id`; returns whether there was one.
pub async fn delete(x: &mut Exec<'_>, id: &str) -> Result<bool, DbError> {
    Ok(super::delete_by_id(x, "_files", id).await? > 0)
}
