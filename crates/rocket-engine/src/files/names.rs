//! File names and types of uploads (spec 13 §2.1 and the Rust notes of §5): the
//! stored name is only the final path component of the client's name, never empty,
//! `.` or `..`; the original name is kept for display; the `Content-Disposition`
//! of a served file quotes it safely and adds an RFC 5987 `filename*`.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

/// The name a file is stored under: the part after the last `/` or `\`, without
/// control characters; `file` when nothing usable is left.
pub fn stored_name(client: &str) -> String {
    let last = client.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim();
    if clean.is_empty() || clean == "." || clean == ".." {
        "file".into()
    } else {
        clean.to_string()
    }
}

/// The MIME type to record: the part's `Content-Type` as sent when it is a
/// well-formed `type/subtype[; params]` header value, else
/// `application/octet-stream` (13 §2.1 step 4).
pub fn mime_type(sent: Option<&str>) -> String {
    let Some(t) = sent.map(str::trim).filter(|t| !t.is_empty()) else {
        return "application/octet-stream".into();
    };
    let essence = t.split(';').next().unwrap_or("").trim();
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    let well_formed = essence
        .split_once('/')
        .is_some_and(|(a, b)| token(a) && token(b))
        && t.bytes().all(|b| (0x20..0x7f).contains(&b));
    if well_formed {
        t.to_string()
    } else {
        "application/octet-stream".into()
    }
}

/// Characters percent-encoded in `filename*` (RFC 5987 `attr-char` is kept).
const NOT_ATTR_CHAR: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'%')
    .add(b'\'')
    .add(b'(')
    .add(b')')
    .add(b'*')
    .add(b',')
    .add(b'/')
    .add(b':')
    .add(b';')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'?')
    .add(b'@')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'{')
    .add(b'}');

/// `inline; filename="…"; filename*=UTF-8''…` for `name` (13 §5): the quoted form
/// is ASCII with `"` and `\` escaped and control characters dropped (non-ASCII
/// becomes `_`); `filename*` carries the exact name.
pub fn content_disposition(name: &str) -> String {
    let mut quoted = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '"' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            c if c.is_control() => {}
            c if c.is_ascii() => quoted.push(c),
            _ => quoted.push('_'),
        }
    }
    let exact: String = name.chars().filter(|c| !c.is_control()).collect();
    let encoded = utf8_percent_encode(&exact, NOT_ATTR_CHAR);
    format!("inline; filename=\"{quoted}\"; filename*=UTF-8''{encoded}")
}

/// True for types a browser would run as a document (HTML, SVG, XML): served with
/// a sandboxing `Content-Security-Policy` on top of `nosniff`.
pub fn is_active_content(mime: &str) -> bool {
    let essence = mime
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    const DOCUMENTS: [&str; 3] = ["text/html", "text/javascript", "application/javascript"];
    DOCUMENTS.contains(&essence.as_str()) || essence.ends_with("/xml") || essence.ends_with("+xml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_final_component_is_kept() {
        assert_eq!(stored_name("report.pdf"), "report.pdf");
        assert_eq!(stored_name("../../etc/passwd"), "passwd");
        assert_eq!(stored_name("C:\\Users\\x\\evil.exe"), "evil.exe");
        assert_eq!(stored_name("dir/"), "file");
        assert_eq!(stored_name(".."), "file");
        assert_eq!(stored_name("a/.."), "file");
        assert_eq!(stored_name("."), "file");
        assert_eq!(stored_name(""), "file");
        assert_eq!(stored_name("a\u{0}b\r\n.txt"), "ab.txt");
        assert_eq!(stored_name("  spaced.txt "), "spaced.txt");
        assert_eq!(stored_name("résumé 2024.pdf"), "résumé 2024.pdf");
    }

    #[test]
    fn mime_types_are_kept_when_well_formed() {
        assert_eq!(mime_type(Some("application/pdf")), "application/pdf");
        assert_eq!(
            mime_type(Some("text/plain; charset=utf-8")),
            "text/plain; charset=utf-8"
        );
        assert_eq!(mime_type(None), "application/octet-stream");
        assert_eq!(mime_type(Some("")), "application/octet-stream");
        assert_eq!(mime_type(Some("pdf")), "application/octet-stream");
        assert_eq!(
            mime_type(Some("text/html\r\nX: y")),
            "application/octet-stream"
        );
        assert_eq!(mime_type(Some("a b/c")), "application/octet-stream");
    }

    #[test]
    fn disposition_escapes_and_encodes() {
        assert_eq!(
            content_disposition("invoice.pdf"),
            "inline; filename=\"invoice.pdf\"; filename*=UTF-8''invoice.pdf"
        );
        assert_eq!(
            content_disposition("a\"b\\c\r\nd.txt"),
            "inline; filename=\"a\\\"b\\\\cd.txt\"; filename*=UTF-8''a%22b%5Ccd.txt"
        );
        assert_eq!(
            content_disposition("résumé 1.pdf"),
            "inline; filename=\"r_sum_ 1.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%201.pdf"
        );
    }

    #[test]
    fn active_types_are_recognised() {
        for t in [
            "text/html",
            "TEXT/HTML; charset=utf-8",
            "image/svg+xml",
            "application/xml",
        ] {
            assert!(is_active_content(t), "{t}");
        }
        for t in [
            "image/png",
            "application/pdf",
            "text/plain",
            "application/json",
        ] {
            assert!(!is_active_content(t), "{t}");
        }
    }
}
