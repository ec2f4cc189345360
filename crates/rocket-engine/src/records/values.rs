//! Conversions between stored cells, JSON and bound parameters, by field type
//! (spec 04 §2.4 "Rust contract" column, §3.2 filter coercion, §6.4 values).

use rocket_meta::FieldType;
use rocket_store::{Cell, Dialect, Param};
use serde_json::{Number, Value};

use crate::records::timestamp;

/// Postgres `timestamptz::text` (`2025-01-15 10:30:00.123456+00`) or SQLite
/// `datetime('now')` text → RFC 3339 UTC (`2025-01-15T10:30:00.123456Z`).
pub fn rfc3339(s: &str) -> String {
    if s.len() < 19 || s.as_bytes()[10] != b' ' || !s.is_char_boundary(11) {
        return s.to_string();
    }
    let rest = &s[11..];
    let (time, zulu) = match rest
        .strip_suffix("+00:00")
        .or_else(|| rest.strip_suffix("+00"))
    {
        Some(t) => (t, true),
        // Another offset (never with TimeZone=UTC): keep it rather than mislabel it.
        None if rest.get(8..).is_some_and(|z| z.contains(['+', '-'])) => (rest, false),
        None => (rest, true),
    };
    format!("{}T{}{}", &s[..10], time, if zulu { "Z" } else { "" })
}

/// Renders one stored cell as JSON for a field type.
pub fn render(cell: Cell, kind: FieldType, d: Dialect) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Int(i) => match kind {
            FieldType::Boolean => Value::Bool(i != 0),
            _ => Value::from(i),
        },
        // Whole REAL values print like integers (`1500`, not `1500.0`), as Go's JSON does.
        Cell::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 && kind != FieldType::Boolean => {
            Value::from(f as i64)
        }
        Cell::Float(f) => Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        Cell::Text(s) => render_text(s, kind, d),
    }
}

fn render_text(s: String, kind: FieldType, d: Dialect) -> Value {
    match kind {
        FieldType::Int | FieldType::Bigint => match s.parse::<i64>() {
            Ok(i) => Value::from(i),
            Err(_) => Value::String(s),
        },
        FieldType::Float => match s.parse::<f64>().ok().and_then(Number::from_f64) {
            Some(n) => Value::Number(n),
            None => Value::String(s),
        },
        // Postgres: the exact text with its scale ("1500.00"); SQLite stores REAL.
        FieldType::Decimal => match d {
            Dialect::Postgres => Value::String(s),
            Dialect::Sqlite => match s.parse::<f64>().ok().and_then(Number::from_f64) {
                Some(n) => Value::Number(n),
                None => Value::String(s),
            },
        },
        FieldType::Boolean => match s.as_str() {
            "t" | "true" | "1" | "TRUE" | "True" => Value::Bool(true),
            "f" | "false" | "0" | "FALSE" | "False" => Value::Bool(false),
            _ => Value::String(s),
        },
        FieldType::Json | FieldType::File => serde_json::from_str(&s).unwrap_or(Value::String(s)),
        FieldType::Timestamp => Value::String(match d {
            // `TimeZone=UTC` on every connection: the text needs reshaping only.
            Dialect::Postgres => rfc3339(&s),
            Dialect::Sqlite => timestamp::render_stored(&s),
        }),
        FieldType::Date if d == Dialect::Postgres && s.len() == 10 => {
            Value::String(format!("{s}T00:00:00Z"))
        }
        _ => Value::String(s),
    }
}

/// The string form used for enum checks, permission conditions and key matching:
/// strings as-is, numbers in shortest form, booleans `true`/`false`.
pub fn text_form(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Why a value does not fit a field.
#[derive(Debug, PartialEq)]
pub enum Mismatch {
    /// Not a value of the field's type.
    Type,
    /// Text with a NUL character: Postgres cannot store it, so neither dialect does.
    Nul,
}

fn no_nul(s: &str) -> Result<(), Mismatch> {
    if s.contains('\0') {
        Err(Mismatch::Nul)
    } else {
        Ok(())
    }
}

/// True when any string inside a JSON value holds a NUL character.
fn json_has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(a) => a.iter().any(json_has_nul),
        Value::Object(m) => m.iter().any(|(k, v)| k.contains('\0') || json_has_nul(v)),
        _ => false,
    }
}

fn parse_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn decimal_text(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty()
        && t.parse::<f64>().is_ok_and(|f| f.is_finite())
        && !t.contains(['x', 'X', 'i', 'I', 'n', 'N'])
}

/// Converts a JSON body value to the parameter for a column of `kind`.
pub fn to_param(v: &Value, kind: FieldType, d: Dialect) -> Result<Param, Mismatch> {
    if v.is_null() {
        return Ok(Param::Null);
    }
    Ok(match kind {
        FieldType::String | FieldType::Text => match v {
            Value::String(s) => {
                no_nul(s)?;
                Param::Text(s.clone())
            }
            Value::Number(n) => Param::Text(n.to_string()),
            Value::Bool(b) => Param::Text(b.to_string()),
            _ => return Err(Mismatch::Type),
        },
        FieldType::Int => {
            let i = parse_int(v).ok_or(Mismatch::Type)?;
            // INTEGER is 32-bit on Postgres; keep both dialects alike.
            if i32::try_from(i).is_err() {
                return Err(Mismatch::Type);
            }
            Param::Int(i)
        }
        FieldType::Bigint => Param::Int(parse_int(v).ok_or(Mismatch::Type)?),
        FieldType::Float | FieldType::Decimal => match v {
            Value::Number(n) => match d {
                Dialect::Postgres => Param::Text(n.to_string()),
                Dialect::Sqlite => match n.as_i64() {
                    Some(i) => Param::Int(i),
                    None => Param::Float(n.as_f64().ok_or(Mismatch::Type)?),
                },
            },
            Value::String(s) if decimal_text(s) => match d {
                Dialect::Postgres => Param::Text(s.trim().to_string()),
                Dialect::Sqlite => Param::Float(s.trim().parse().map_err(|_| Mismatch::Type)?),
            },
            _ => return Err(Mismatch::Type),
        },
        FieldType::Boolean => match v {
            Value::Bool(b) => Param::Bool(*b),
            _ => return Err(Mismatch::Type),
        },
        FieldType::Uuid => match v {
            Value::String(s) if rocket_meta::looks_like_uuid(s) => {
                Param::Text(s.to_ascii_lowercase())
            }
            _ => return Err(Mismatch::Type),
        },
        FieldType::Timestamp => match v.as_str().and_then(timestamp::parse) {
            Some(t) => Param::Text(timestamp::storage(t)),
            None => return Err(Mismatch::Type),
        },
        FieldType::Date => match v.as_str().and_then(timestamp::date) {
            Some(day) => Param::Text(day),
            None => return Err(Mismatch::Type),
        },
        // A file field holds an upload's id (resolved later) or an object stored as
        // given (spec 13 §4.2); other values would read back as neither (Rust: 422).
        FieldType::File
            if !(v.is_object() || v.as_str().is_some_and(rocket_meta::looks_like_uuid)) =>
        {
            return Err(Mismatch::Type)
        }
        FieldType::Json | FieldType::File => {
            if json_has_nul(v) {
                return Err(Mismatch::Nul);
            }
            Param::Text(v.to_string())
        }
    })
}

/// Converts a query-string value for a filter on a field (spec 04 §3.2, made strict
/// for every type so bad input is a 400 on both dialects). `Err` carries the reason.
pub fn filter_param(raw: &str, kind: FieldType) -> Result<Param, String> {
    if raw.contains('\0') {
        return Err("NUL characters are not allowed".into());
    }
    match kind {
        FieldType::Int | FieldType::Bigint => {
            let i: i64 = raw
                .trim()
                .parse()
                .map_err(|_| format!("{raw:?} is not an integer"))?;
            if kind == FieldType::Int && i32::try_from(i).is_err() {
                return Err(format!("{raw} is out of range"));
            }
            Ok(Param::Int(i))
        }
        FieldType::Float | FieldType::Decimal => {
            if !decimal_text(raw) {
                return Err(format!("{raw:?} is not a number"));
            }
            Ok(Param::Float(
                raw.trim()
                    .parse()
                    .map_err(|_| format!("{raw:?} is not a number"))?,
            ))
        }
        FieldType::Boolean => match raw {
            "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(Param::Bool(true)),
            "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(Param::Bool(false)),
            _ => Err(format!("{raw:?} is not a boolean")),
        },
        FieldType::Uuid => {
            if rocket_meta::looks_like_uuid(raw) {
                Ok(Param::Text(raw.to_ascii_lowercase()))
            } else {
                Err(format!("{raw:?} is not a uuid"))
            }
        }
        // Compared as instants: normalised exactly like stored values.
        FieldType::Timestamp => match timestamp::parse(raw) {
            Some(t) => Ok(Param::Text(timestamp::storage(t))),
            None => Err(format!("{raw:?} is not a timestamp")),
        },
        FieldType::Date => match timestamp::date(raw) {
            Some(day) => Ok(Param::Text(day)),
            None => Err(format!("{raw:?} is not a date")),
        },
        FieldType::Json | FieldType::File => {
            if serde_json::from_str::<Value>(raw).is_ok() {
                Ok(Param::Text(raw.to_string()))
            } else {
                Err(format!("{raw:?} is not JSON"))
            }
        }
        FieldType::String | FieldType::Text => Ok(Param::Text(raw.to_string())),
    }
}

/// A key (id, FK value) as a parameter for a column of `kind`; `None` when the text
/// cannot be such a key (then nothing can match).
pub fn key_param(s: &str, kind: FieldType) -> Option<Param> {
    if s.contains('\0') {
        return None;
    }
    match kind {
        // An `int` key outside the 32-bit range cannot exist: 404, on both dialects.
        FieldType::Int => s.parse::<i32>().ok().map(|i| Param::Int(i64::from(i))),
        FieldType::Bigint => s.parse::<i64>().ok().map(Param::Int),
        FieldType::Uuid => {
            rocket_meta::looks_like_uuid(s).then(|| Param::Text(s.to_ascii_lowercase()))
        }
        FieldType::Float | FieldType::Decimal => s.parse::<f64>().ok().map(Param::Float),
        _ => Some(Param::Text(s.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps() {
        assert_eq!(
            rfc3339("2025-01-15 10:30:00.123456+00"),
            "2025-01-15T10:30:00.123456Z"
        );
        assert_eq!(rfc3339("2025-01-15 10:30:00+00"), "2025-01-15T10:30:00Z");
        assert_eq!(rfc3339("2025-01-15 10:30:00"), "2025-01-15T10:30:00Z");
        assert_eq!(rfc3339("infinity"), "infinity");
    }

    #[test]
    fn rendering_by_type() {
        let pg = Dialect::Postgres;
        assert_eq!(
            render(Cell::Text("t".into()), FieldType::Boolean, pg),
            json!(true)
        );
        assert_eq!(
            render(Cell::Int(0), FieldType::Boolean, Dialect::Sqlite),
            json!(false)
        );
        assert_eq!(
            render(Cell::Text("1500.00".into()), FieldType::Decimal, pg),
            json!("1500.00")
        );
        assert_eq!(
            render(Cell::Float(2.5), FieldType::Decimal, Dialect::Sqlite),
            json!(2.5)
        );
        assert_eq!(
            render(
                Cell::Text("{\"a\":1}".into()),
                FieldType::Json,
                Dialect::Sqlite
            ),
            json!({"a": 1})
        );
        assert_eq!(
            render(Cell::Text("42".into()), FieldType::Bigint, pg),
            json!(42)
        );
        assert_eq!(
            render(Cell::Text("2025-01-15".into()), FieldType::Date, pg),
            json!("2025-01-15T00:00:00Z")
        );
    }

    #[test]
    fn params_by_type() {
        let d = Dialect::Postgres;
        assert!(to_param(&json!("abc"), FieldType::Int, d).is_err());
        assert!(to_param(&json!(3_000_000_000i64), FieldType::Int, d).is_err());
        assert_eq!(
            to_param(&json!(3_000_000_000i64), FieldType::Bigint, d).unwrap(),
            Param::Int(3_000_000_000)
        );
        assert!(to_param(&json!("nope"), FieldType::Uuid, d).is_err());
        assert!(to_param(&json!({"a": 1}), FieldType::String, d).is_err());
        assert_eq!(
            to_param(&json!({"a": 1}), FieldType::Json, d).unwrap(),
            Param::Text("{\"a\":1}".into())
        );
        assert_eq!(
            to_param(&json!(true), FieldType::Boolean, Dialect::Sqlite).unwrap(),
            Param::Bool(true)
        );
        assert!(to_param(&json!("2025-13-45"), FieldType::Timestamp, d).is_err());
        assert_eq!(
            to_param(&json!("2025-01-15T12:00:00+02:00"), FieldType::Timestamp, d).unwrap(),
            Param::Text("2025-01-15T10:00:00.000000Z".into())
        );
        assert_eq!(
            to_param(&json!("a\u{0}b"), FieldType::String, d),
            Err(Mismatch::Nul)
        );
        assert_eq!(
            to_param(&json!({"k": ["\u{0}"]}), FieldType::Json, d),
            Err(Mismatch::Nul)
        );
        assert_eq!(key_param("2147483648", FieldType::Int), None);
        assert_eq!(
            key_param("2147483647", FieldType::Int),
            Some(Param::Int(2147483647))
        );
        assert!(to_param(&json!("NaN"), FieldType::Decimal, d).is_err());
        assert_eq!(
            to_param(&json!("12.50"), FieldType::Decimal, d).unwrap(),
            Param::Text("12.50".into())
        );
    }

    #[test]
    fn filter_values() {
        assert!(filter_param("abc", FieldType::Int).is_err());
        assert_eq!(
            filter_param("T", FieldType::Boolean).unwrap(),
            Param::Bool(true)
        );
        assert!(filter_param("yes", FieldType::Boolean).is_err());
        assert!(filter_param("1' OR '1'='1", FieldType::Uuid).is_err());
        assert_eq!(
            filter_param("x' OR 1=1 --", FieldType::String).unwrap(),
            Param::Text("x' OR 1=1 --".into())
        );
    }
}
