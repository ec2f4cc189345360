//! What every document shares: the error envelope and its statuses (spec 06), the
//! list meta (spec 04 §2.1), the stored file object (spec 13 §4.2), the token pair
//! (spec 11 §2) and bearer authentication.

use serde_json::{json, Map, Value};

use super::fields::reference;

/// Statuses every operation can answer besides its own: an overloaded or timed-out
/// database (the server's `503` / `504` envelope).
const ALWAYS: [&str; 2] = ["503", "504"];

/// What each error status means, for its shared response object.
const STATUSES: [(&str, &str); 14] = [
    ("400", "Bad request: INVALID_PAYLOAD or UNKNOWN_FIELD"),
    (
        "401",
        "UNAUTHORIZED: missing, malformed or expired token, or failed login",
    ),
    (
        "403",
        "FORBIDDEN: admin access or an entity permission is required",
    ),
    ("404", "APP_NOT_FOUND, UNKNOWN_ENTITY or NOT_FOUND"),
    (
        "409",
        "CONFLICT: a unique value is taken, or a restrict policy blocks a delete",
    ),
    ("412", "PRECONDITION_FAILED: If-Match names another version"),
    ("413", "FILE_TOO_LARGE, or a body over the size limit"),
    ("416", "RANGE_NOT_SATISFIABLE"),
    (
        "422",
        "VALIDATION_FAILED (with details), WEBHOOK_REJECTED or INVALID_STATE",
    ),
    ("501", "NOT_CONFIGURED"),
    ("502", "WEBHOOK_FAILED or AI_REQUEST_FAILED"),
    (
        "503",
        "The database is overloaded; retry after the Retry-After header",
    ),
    ("504", "The request took too long and was cancelled"),
    ("500", "INTERNAL_ERROR"),
];

/// `(status, $ref)` of the error responses for `codes`, plus the ones every
/// operation can answer.
pub fn errors(codes: &[&str]) -> Vec<(String, Value)> {
    codes
        .iter()
        .chain(ALWAYS.iter())
        .map(|c| {
            (
                c.to_string(),
                json!({"$ref": format!("#/components/responses/E{c}")}),
            )
        })
        .collect()
}

/// A success response with a JSON body.
pub fn ok(status: &str, schema: Value) -> (String, Value) {
    (
        status.to_string(),
        json!({"description": "Success", "content": {"application/json": {"schema": schema}}}),
    )
}

/// `{"data": <schema>}`.
pub fn data(schema: Value) -> Value {
    json!({"type": "object", "required": ["data"], "properties": {"data": schema}})
}

/// `{"message": "…"}` (logout, app delete: no `data` envelope).
pub fn message() -> Value {
    json!({"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}})
}

/// The shared schemas.
pub fn schemas() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "Error".into(),
        json!({
            "type": "object",
            "required": ["error"],
            "additionalProperties": false,
            "properties": {"error": {
                "type": "object",
                "required": ["code", "message"],
                "additionalProperties": false,
                "properties": {
                    "code": {"type": "string", "examples": ["VALIDATION_FAILED"]},
                    "message": {"type": "string"},
                    "details": {"type": "array", "minItems": 1, "items": reference("ErrorDetail")},
                },
            }},
        }),
    );
    m.insert(
        "ErrorDetail".into(),
        json!({
            "type": "object",
            "required": ["message"],
            "properties": {
                "field": {"type": "string", "description": "Path of the field (items[2].quantity)"},
                "rule": {"type": "string"},
                "message": {"type": "string"},
            },
        }),
    );
    m.insert(
        "ListMeta".into(),
        json!({
            "type": "object",
            "required": ["page", "per_page", "total"],
            "properties": {
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "total": {"type": "integer"},
                "truncated_includes": {
                    "type": "object",
                    "description": "Include tokens cut at limits.include_rows, with the limit",
                    "additionalProperties": {"type": "integer"},
                },
            },
        }),
    );
    m.insert(
        "File".into(),
        json!({
            "type": "object",
            "description": "An uploaded file as a file field stores it",
            "required": ["id", "filename", "size", "mime_type"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "filename": {"type": "string"},
                "size": {"type": "integer"},
                "mime_type": {"type": "string"},
            },
        }),
    );
    m.insert(
        "TokenPair".into(),
        json!({
            "type": "object",
            "required": ["access_token", "refresh_token"],
            "properties": {
                "access_token": {"type": "string", "description": "JWT, sent as `Authorization: Bearer …`"},
                "refresh_token": {"type": "string"},
            },
        }),
    );
    m
}

/// One response object per error status, all with the envelope.
pub fn responses() -> Map<String, Value> {
    STATUSES
        .iter()
        .map(|(code, what)| {
            (
                format!("E{code}"),
                json!({"description": what,
                    "content": {"application/json": {"schema": reference("Error")}}}),
            )
        })
        .collect()
}

/// Bearer JWT authentication.
pub fn security_schemes() -> Value {
    json!({"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}})
}
