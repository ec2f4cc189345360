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
    fn quoting_doubles_quotes() {
        assert_eq!(quote_ident("order"), "\"order\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
