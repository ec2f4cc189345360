//! Step 12 of the write pipeline (spec 04 §6.1, 13 §4.2): a `file` field given a
//! file id (a UUID string, any case) stores the upload's metadata
//! `{"id", "filename", "size", "mime_type"}`; an id no upload has is
//! `404 "File <uuid> not found"`. Objects, null and other values pass unchanged.
//! Runs for every row written, nested rows included (Rust contract of spec 05 §1).

use std::borrow::Cow;

use rocket_meta::FieldType;
use rocket_store::{Exec, Param};
use serde_json::{json, Value};

use super::plan::FieldValue;
use crate::error::{EngineError, Result};
use crate::repo::files;

/// The file id a bound `file` value names, if it is a JSON string holding a UUID.
fn named_id(v: &FieldValue) -> Option<String> {
    if v.kind != FieldType::File {
        return None;
    }
    let Param::Text(text) = &v.param else {
        return None;
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::String(s)) if rocket_meta::looks_like_uuid(&s) => Some(s),
        _ => None,
    }
}

/// `values` with every file id replaced by its upload's metadata (borrowed back
/// unchanged when no value names a file).
pub(super) async fn resolve<'p>(
    x: &mut Exec<'_>,
    values: Cow<'p, [FieldValue]>,
) -> Result<Cow<'p, [FieldValue]>> {
    if !values.iter().any(|v| named_id(v).is_some()) {
        return Ok(values);
    }
    let mut out = values.into_owned();
    for v in &mut out {
        let Some(id) = named_id(v) else { continue };
        let f = files::get(x, &id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("File {id} not found")))?;
        let meta =
            json!({"id": f.id, "filename": f.filename, "size": f.size, "mime_type": f.mime_type});
        v.param = Param::Text(meta.to_string());
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> FieldValue {
        FieldValue {
            name: "f".into(),
            kind: FieldType::File,
            param: Param::Text(text.into()),
        }
    }

    #[test]
    fn only_uuid_strings_name_files() {
        let id = "5F0C2B1E-8D3A-4C6F-9B2E-1A7D4E3F6C80";
        assert_eq!(named_id(&file(&format!("\"{id}\""))).as_deref(), Some(id));
        assert_eq!(named_id(&file("\"report.pdf\"")), None);
        assert_eq!(named_id(&file(&format!("{{\"id\": \"{id}\"}}"))), None);
        assert_eq!(named_id(&file("null")), None);
        let json = FieldValue {
            kind: FieldType::Json,
            ..file(&format!("\"{id}\""))
        };
        assert_eq!(named_id(&json), None);
    }
}
