/// Longest identifier Postgres keeps without truncation.
const MAX_IDENT: usize = 63;

/// `^[a-z_][a-z0-9_]*$`, at most 63 bytes: the identifiers we accept for tables,
/// columns and join tables (spec 02 §5.7).
pub fn is_safe_ident(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > MAX_IDENT {
        return false;
    }
    if !(b[0].is_ascii_lowercase() || b[0] == b'_') {
        return false;
    }
    b.iter()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

/// Names no business table, column or join table may take: the system tables of
/// spec 02 start with `_`, and `pg_` / `sqlite_` are the databases' own catalogs.
/// An unqualified `pg_authid` resolves to the catalog before the app's schema.
pub fn is_reserved_ident(s: &str) -> bool {
    s.starts_with('_') || s.starts_with("pg_") || s.starts_with("sqlite_")
}

/// A safe identifier that is not reserved (see [`is_reserved_ident`]).
pub fn is_user_ident(s: &str) -> bool {
    is_safe_ident(s) && !is_reserved_ident(s)
}

/// Double-quotes an identifier. Identifiers are validated at admin time, but quoting
/// is applied unconditionally so reserved words (`order`, `user`) work as names.
pub fn quote_ident(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_quoted(&mut out, s);
    out
}

pub(crate) fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    for ch in s.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_rejects() {
        assert!(is_safe_ident("order"));
        assert!(is_safe_ident("_x1"));
        assert!(!is_safe_ident(""));
        assert!(!is_safe_ident("1a"));
        assert!(!is_safe_ident("A"));
        assert!(!is_safe_ident("a-b"));
        assert!(!is_safe_ident("a;drop"));
        assert!(!is_safe_ident(&"a".repeat(64)));
    }

    #[test]
    fn reserved_prefixes() {
        for r in ["_users", "pg_authid", "pg_database", "sqlite_master", "_"] {
            assert!(is_reserved_ident(r), "{r}");
            assert!(!is_user_ident(r), "{r}");
        }
        for ok in ["pgx", "users", "page_views", "sqlitex", "a_pg_b"] {
            assert!(is_user_ident(ok), "{ok}");
        }
    }

    #[test]
    fn quoting_doubles_quotes() {
        assert_eq!(quote_ident("order"), "\"order\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
