//! The write path of spec 04 §6–§7 and spec 05: [`plan`] turns a body into a typed
//! plan (pure), [`pipeline`] runs create, update and delete as one ordered function
//! each, [`exec`] builds one row's statements ([`files`] resolves file fields), [`nested`] writes relations at any
//! depth and [`delete`] applies the `on_delete` policies.

mod delete;
mod exec;
mod files;
mod hooks;
mod logic;
mod nested;
mod pipeline;
pub mod plan;

pub use pipeline::{create, delete, update};

use serde_json::{Map, Value};

use crate::error::{EngineError, Result};

/// A request body as received: parsed only when the pipeline gets to it, so that
/// earlier steps (404, 403) win over a bad body (spec 06 §5).
#[derive(Debug, Clone, Copy)]
pub struct JsonBody<'a> {
    /// The content type was `application/json` (or `+json`).
    pub is_json: bool,
    pub bytes: &'a [u8],
}

impl JsonBody<'_> {
    /// The body as a JSON object; anything else is `400 "Invalid JSON body"`.
    pub fn object(&self) -> Result<Map<String, Value>> {
        let bad = || EngineError::BadInput("Invalid JSON body".into());
        if !self.is_json {
            return Err(bad());
        }
        match serde_json::from_slice::<Value>(self.bytes) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(bad()),
        }
    }
}

/// The answer of a create or update: the record as written, or only its key when
/// the caller may not read the row (docs/security.md).
#[derive(Debug)]
pub struct Written {
    pub data: Map<String, Value>,
    /// The record's entity tag; `None` for a key-only answer.
    pub etag: Option<String>,
}
