//! Fixed SQL for system tables, written once for both dialects.
//!
//! Templates are constants in our code (never input). Markers:
//! `{N}` text parameter; `{N:type}` parameter cast to a Postgres type (uuid, jsonb,
//! timestamptz, int4, int8, bool); `{N:list}` a string-array parameter (Postgres
//! `text[]`, SQLite JSON text); `[col]` a column read as text on Postgres;
//! `[col:list]` a `TEXT[]` column read as JSON text; `{now}` the current time.

use crate::builder::Dialect;

pub fn render(d: Dialect, tpl: &str) -> String {
    let pg = d == Dialect::Postgres;
    let mut out = String::with_capacity(tpl.len() + 32);
    let mut rest = tpl;
    while let Some(i) = rest.find(['{', '[']) {
        out.push_str(&rest[..i]);
        let open = rest.as_bytes()[i];
        let close = if open == b'{' { '}' } else { ']' };
        let Some(j) = rest[i..].find(close) else {
            out.push_str(&rest[i..]);
            return out;
        };
        let inner = &rest[i + 1..i + j];
        let (name, ty) = match inner.split_once(':') {
            Some((a, b)) => (a, Some(b)),
            None => (inner, None),
        };
        if open == b'{' {
            if name == "now" {
                out.push_str(if pg { "NOW()" } else { "datetime('now')" });
            } else if pg {
                match ty {
                    Some("list") => out.push_str(&format!("${name}::text[]")),
                    Some(t) => out.push_str(&format!("${name}::text::{t}")),
                    None => out.push_str(&format!("${name}::text")),
                }
            } else {
                out.push('?');
                out.push_str(name);
            }
        } else if pg {
            match ty {
                Some("list") => out.push_str(&format!("array_to_json({name})::text")),
                _ => out.push_str(&format!("{name}::text")),
            }
        } else {
            out.push_str(name);
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_both() {
        let t = "SELECT [id], [roles:list] FROM u WHERE id = {1:uuid} AND e = {2} AND r = {3:list} AND t < {now}";
        assert_eq!(
            render(Dialect::Postgres, t),
            "SELECT id::text, array_to_json(roles)::text FROM u WHERE id = $1::text::uuid AND e = $2::text AND r = $3::text[] AND t < NOW()"
        );
        assert_eq!(
            render(Dialect::Sqlite, t),
            "SELECT id, roles FROM u WHERE id = ?1 AND e = ?2 AND r = ?3 AND t < datetime('now')"
        );
    }
}
