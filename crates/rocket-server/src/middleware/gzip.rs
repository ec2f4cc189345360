//! Response compression (`server.compress_min_bytes`, docs/configuration.md): a JSON
//! body of at least the threshold is gzip-compressed for a client whose
//! `Accept-Encoding` allows gzip. Everything else passes through untouched (also a
//! response its handler encoded or negotiated itself: the admin UI's precompressed
//! files); the common small answer costs one header lookup and no body wrapper.

use std::io::Write;

use axum::body::Body;
use axum::http::header::{
    ACCEPT_ENCODING, ACCEPT_RANGES, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, VARY,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use flate2::write::GzEncoder;
use flate2::Compression;
use http_body::Body as _;

/// Whether `Accept-Encoding` allows gzip (RFC 9110 §12.5.3: a `gzip` or `*` entry
/// whose weight is not zero).
pub fn accepted(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(allows_gzip)
}

fn allows_gzip(entry: &str) -> bool {
    let mut parts = entry.split(';');
    let coding = parts.next().unwrap_or("").trim();
    if !coding.eq_ignore_ascii_case("gzip") && coding != "*" {
        return false;
    }
    let weight = parts
        .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
        .find_map(|q| q.trim().parse::<f32>().ok());
    weight.is_none_or(|q| q > 0.0)
}

/// A complete JSON body of at least `min` bytes, not already encoded and not
/// negotiated by its handler (the admin UI's precompressed files, which already say
/// they vary by `Accept-Encoding`).
fn compressible(resp: &Response, min: u64) -> bool {
    let h = resp.headers();
    !h.contains_key(CONTENT_ENCODING)
        && !h.contains_key(ACCEPT_RANGES)
        && h.get(CONTENT_TYPE)
            .is_some_and(|t| t.as_bytes().starts_with(b"application/json"))
        && resp.body().size_hint().exact().is_some_and(|n| n >= min)
        && !negotiated(h)
}

/// The response already says it varies by `Accept-Encoding`.
fn negotiated(h: &HeaderMap) -> bool {
    h.get_all(VARY).iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',')
                .any(|t| t.trim().eq_ignore_ascii_case("accept-encoding"))
        })
    })
}

/// The response, gzip-compressed when `gzip` was accepted and it qualifies; a
/// qualifying response says it varies by `Accept-Encoding` either way.
pub async fn finish(mut resp: Response, gzip: bool, min: u64) -> Response {
    if !compressible(&resp, min) {
        return resp;
    }
    resp.headers_mut()
        .append(VARY, HeaderValue::from_static("accept-encoding"));
    if !gzip {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    // The body is complete (its exact size is known): this only gathers its frames.
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    // Fast compression: most of the size win of JSON at a fraction of the CPU.
    let mut enc = GzEncoder::new(Vec::with_capacity(bytes.len() / 4), Compression::fast());
    let packed = match enc.write_all(&bytes).and_then(|()| enc.finish()) {
        Ok(p) => p,
        // Writing into a Vec cannot fail; if it did, answer uncompressed.
        Err(_) => return Response::from_parts(parts, Body::from(bytes)),
    };
    parts.headers.remove(CONTENT_LENGTH);
    parts
        .headers
        .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    Response::from_parts(parts, Body::from(packed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts(v: &str) -> bool {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
        accepted(&h)
    }

    #[test]
    fn accept_encoding_is_read_with_weights() {
        assert!(accepts("gzip"));
        assert!(accepts("deflate, GZIP"));
        assert!(accepts("br;q=1.0, gzip;q=0.5"));
        assert!(accepts("*"));
        assert!(!accepts("gzip;q=0"));
        assert!(!accepts("gzip; q=0.0, br"));
        assert!(!accepts("br, deflate"));
        assert!(!accepts("gzipx"));
        assert!(!accepted(&HeaderMap::new()));
    }

    fn json(len: usize) -> Response {
        let mut r = Response::new(Body::from(vec![b' '; len]));
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r
    }

    #[tokio::test]
    async fn only_large_json_is_compressed() {
        let r = finish(json(4000), true, 1024).await;
        assert_eq!(r.headers()[CONTENT_ENCODING], "gzip");
        assert_eq!(r.headers()[VARY], "accept-encoding");
        let packed = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        let mut plain = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&packed[..]), &mut plain)
            .unwrap();
        assert_eq!(plain, vec![b' '; 4000]);

        let r = finish(json(4000), false, 1024).await;
        assert!(r.headers().get(CONTENT_ENCODING).is_none());
        assert_eq!(r.headers()[VARY], "accept-encoding", "caches must know");
        let r = finish(json(1000), true, 1024).await;
        assert!(r.headers().get(CONTENT_ENCODING).is_none());
        assert!(r.headers().get(VARY).is_none());
        let mut text = json(4000);
        text.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        let r = finish(text, true, 1024).await;
        assert!(r.headers().get(CONTENT_ENCODING).is_none());
    }

    #[tokio::test]
    async fn negotiated_responses_pass_through() {
        let mut packed = json(4000);
        packed
            .headers_mut()
            .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        let r = finish(packed, true, 1024).await;
        assert!(r.headers().get(VARY).is_none(), "not compressed twice");
        let mut plain = json(4000);
        plain
            .headers_mut()
            .insert(VARY, HeaderValue::from_static("Origin, Accept-Encoding"));
        let r = finish(plain, true, 1024).await;
        assert!(r.headers().get(CONTENT_ENCODING).is_none());
        assert_eq!(r.headers().get_all(VARY).iter().count(), 1);
    }
}
