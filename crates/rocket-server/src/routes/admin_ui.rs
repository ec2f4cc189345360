//! The admin UI (spec 17 §1): the built bundle of `admin/` (Vite's output,
//! `admin/dist`) under `/admin/`, unless `server.admin_ui` is off.
//!
//! - `/admin` redirects to `/admin/` (permanently), and so does `/` (for now).
//! - A file of the bundle is served with its content type, a strong `ETag` (the
//!   SHA-256 of the bytes sent) and `If-None-Match` → `304`. Vite's content-hashed
//!   `assets/` are cached for a year (`immutable`); everything else (`index.html`,
//!   favicon) is revalidated on every use (`no-cache`).
//! - When the client accepts gzip and the build wrote a precompressed sibling `X.gz`,
//!   that is sent with `Content-Encoding: gzip` (then the JSON compression of the
//!   middleware leaves the response alone); a file with a sibling says it varies by
//!   `Accept-Encoding` either way. `X.gz` itself is not served.
//! - Any other path is a client-side route: `index.html`, so deep links such as
//!   `/admin/data/invoice` load. Under `assets/` a missing file is a `404`: a stale
//!   hashed asset must not come back as HTML.
//! - Every answer says `nosniff`, may not be framed, and sends the referrer only to
//!   this origin.
//!
//! Debug builds read `admin/dist` from disk on each request (a rebuilt UI shows
//! without recompiling the server); release builds embed it.

use std::borrow::Cow;
use std::fmt::Write as _;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use rust_embed::{Embed, EmbeddedFile, RustEmbed};
use serde::Deserialize;

use crate::error::ApiError;
use crate::extract::{Shared, P};
use crate::middleware::gzip;
use crate::ranges;

#[derive(Embed)]
#[folder = "../../admin/dist"]
struct Bundle;

const INDEX: &str = "index.html";
const HASHED: &str = "assets/";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// The routes, or none when the UI is switched off (`/admin` is then an unknown
/// route like any other).
pub fn router(enabled: bool) -> Router<Shared> {
    if !enabled {
        return Router::new();
    }
    if Bundle::get(INDEX).is_none() {
        tracing::warn!("the admin UI bundle has no {INDEX}: /admin/ answers 404 (build admin/)");
    }
    Router::new()
        .route("/", get(root))
        .route("/admin", get(to_admin))
        .route("/admin/", get(index))
        .route("/admin/{*path}", get(file))
}

/// `/admin` → `/admin/` for good (308), keeping the query.
async fn to_admin(uri: Uri) -> Response {
    secured(Redirect::permanent(&admin_home(&uri)).into_response())
}

/// `/` → `/admin/` for now (307): the root may serve something else one day, and
/// browsers keep permanent redirects.
async fn root(uri: Uri) -> Response {
    secured(Redirect::temporary(&admin_home(&uri)).into_response())
}

fn admin_home(uri: &Uri) -> String {
    match uri.query() {
        Some(q) => format!("/admin/?{q}"),
        None => "/admin/".to_string(),
    }
}

async fn index(headers: HeaderMap) -> Response {
    serve::<Bundle>("", &headers)
}

#[derive(Deserialize)]
struct Tail {
    path: String,
}

async fn file(P(t): P<Tail>, headers: HeaderMap) -> Response {
    serve::<Bundle>(&t.path, &headers)
}

/// The answer of bundle `B` for `path` (relative to `/admin/`, percent-decoded).
fn serve<B: RustEmbed>(path: &str, headers: &HeaderMap) -> Response {
    let found = match bundled::<B>(path) {
        Some(f) => Some((path, f)),
        None if path == "assets" || path.starts_with(HASHED) => None,
        None => B::get(INDEX).map(|f| (INDEX, f)),
    };
    let resp = match found {
        Some((name, plain)) => send::<B>(name, plain, headers),
        None => ApiError::RouteNotFound.into_response(),
    };
    secured(resp)
}

/// The file of `B` at `path`: plain relative segments only, never a `.gz`.
fn bundled<B: RustEmbed>(path: &str) -> Option<EmbeddedFile> {
    let plain = !path.is_empty()
        && !path.ends_with(".gz")
        && !path.contains('\\')
        && path
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..");
    if !plain {
        return None;
    }
    B::get(path)
}

/// File `name` (found as `plain`), precompressed when the client accepts it.
fn send<B: RustEmbed>(name: &str, plain: EmbeddedFile, headers: &HeaderMap) -> Response {
    let packed = B::get(&format!("{name}.gz"));
    let has_sibling = packed.is_some();
    let packed = packed.filter(|_| gzip::accepted(headers));
    let gzipped = packed.is_some();
    let content_type = content_type(plain.metadata.mimetype());
    let chosen = packed.unwrap_or(plain);
    let etag = etag(&chosen.metadata.sha256_hash());

    let not_modified = ranges::none_match(
        headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok()),
        &etag,
    );
    let mut r = if not_modified {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let body = match chosen.data {
            Cow::Borrowed(b) => Body::from(b),
            Cow::Owned(v) => Body::from(v),
        };
        let mut r = Response::new(body);
        if let Ok(v) = HeaderValue::from_str(&content_type) {
            r.headers_mut().insert(header::CONTENT_TYPE, v);
        }
        if gzipped {
            r.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        r
    };
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    let cache = if name.starts_with(HASHED) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if has_sibling {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    r
}

/// The file's type, with `charset=utf-8` for text (Vite writes UTF-8).
fn content_type(mime: &str) -> String {
    let text = mime.starts_with("text/")
        || matches!(
            mime,
            "application/javascript" | "application/json" | "image/svg+xml"
        );
    if text && !mime.contains("charset") {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

/// A strong validator: the SHA-256 of the bytes sent, in hex.
fn etag(hash: &[u8; 32]) -> String {
    let mut s = String::with_capacity(66);
    s.push('"');
    for b in hash {
        let _ = write!(s, "{b:02x}");
    }
    s.push('"');
    s
}

fn secured(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// A small bundle laid out as the admin build writes it: `index.html` and a
    /// content-hashed asset, each with its `X.gz` (`gzip -9 -n -k`), and a favicon
    /// without one.
    #[derive(Embed)]
    #[folder = "tests/fixtures/admin-dist"]
    struct Fixture;

    const ASSET: &str = "assets/app-4f3c2a1b.js";

    struct Got {
        status: u16,
        headers: HeaderMap,
        body: Vec<u8>,
    }

    impl Got {
        fn h(&self, name: &str) -> Option<&str> {
            self.headers.get(name).and_then(|v| v.to_str().ok())
        }
    }

    async fn get(path: &str, headers: &[(&'static str, &str)]) -> Got {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(
                header::HeaderName::from_static(k),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        let r = serve::<Fixture>(path, &h);
        let (parts, body) = r.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        Got {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: body.to_vec(),
        }
    }

    fn fixture(rel: &str) -> Vec<u8> {
        Fixture::get(rel).unwrap().data.into_owned()
    }

    fn gunzip(b: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(b)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[tokio::test]
    async fn files_fallback_and_missing_assets() {
        for path in ["", INDEX, "data/invoice", "favicon.png", "a/../assets/x.js"] {
            let r = get(path, &[]).await;
            assert_eq!(r.status, 200, "{path}");
            assert_eq!(r.body, fixture(INDEX), "{path}");
            assert_eq!(r.h("content-type"), Some("text/html; charset=utf-8"));
            assert_eq!(r.h("cache-control"), Some(REVALIDATE));
            assert_eq!(r.h("x-frame-options"), Some("DENY"));
        }
        let r = get("favicon.svg", &[]).await;
        assert_eq!(r.h("content-type"), Some("image/svg+xml; charset=utf-8"));
        assert_eq!(r.h("cache-control"), Some(REVALIDATE));
        assert!(r.h("vary").is_none(), "no sibling, nothing to negotiate");
        let r = get(ASSET, &[]).await;
        assert_eq!(r.body, fixture(ASSET));
        assert_eq!(r.h("cache-control"), Some(IMMUTABLE));
        assert_eq!(r.h("content-type"), Some("text/javascript; charset=utf-8"));
        for path in [
            "assets/gone-00000000.js",
            "assets",
            "assets/",
            "assets/../index.html",
        ] {
            let r = get(path, &[]).await;
            assert_eq!(r.status, 404, "{path}");
            assert_eq!(r.h("content-type"), Some("application/json"));
            assert_eq!(r.h("x-content-type-options"), Some("nosniff"));
        }
        let r = get(&format!("{ASSET}.gz"), &[("accept-encoding", "gzip")]).await;
        assert_eq!(r.status, 404, ".gz files are not served by name");
    }

    #[tokio::test]
    async fn precompressed_siblings_by_accept_encoding() {
        for path in [ASSET, INDEX, "deep/link"] {
            let r = get(path, &[("accept-encoding", "br, gzip")]).await;
            assert_eq!(r.h("content-encoding"), Some("gzip"), "{path}");
            assert_eq!(r.h("vary"), Some("accept-encoding"));
            let plain = if path == ASSET { ASSET } else { INDEX };
            assert_eq!(gunzip(&r.body), fixture(plain), "{path}");
            assert_ne!(r.h("content-type"), Some("application/gzip"));
            for refuses in ["br", "gzip;q=0", ""] {
                let r = get(path, &[("accept-encoding", refuses)]).await;
                assert!(r.h("content-encoding").is_none(), "{path} {refuses}");
                assert_eq!(r.h("vary"), Some("accept-encoding"));
                assert_eq!(r.body, fixture(plain));
            }
        }
    }

    #[tokio::test]
    async fn etags_name_each_representation() {
        let plain = get(ASSET, &[]).await;
        let packed = get(ASSET, &[("accept-encoding", "gzip")]).await;
        let (ep, eg) = (plain.h("etag").unwrap(), packed.h("etag").unwrap());
        assert_eq!(
            ep,
            etag(&Fixture::get(ASSET).unwrap().metadata.sha256_hash())
        );
        assert_ne!(ep, eg);
        let r = get(ASSET, &[("if-none-match", ep)]).await;
        assert_eq!(r.status, 304);
        assert!(r.body.is_empty());
        assert_eq!(r.h("etag"), Some(ep));
        assert_eq!(r.h("cache-control"), Some(IMMUTABLE));
        assert!(r.h("content-type").is_none());
        let r = get(ASSET, &[("if-none-match", eg)]).await;
        assert_eq!(
            r.status, 200,
            "the gzip validator does not match the plain file"
        );
        let r = get(ASSET, &[("if-none-match", eg), ("accept-encoding", "gzip")]).await;
        assert_eq!(r.status, 304);
        assert_eq!(r.h("vary"), Some("accept-encoding"));
    }

    #[test]
    fn only_plain_relative_paths_name_files() {
        for bad in [
            "",
            "../Cargo.toml",
            "assets/../index.html",
            "./index.html",
            "a//b",
            "index.html.gz",
            "..\\x",
        ] {
            assert!(bundled::<Fixture>(bad).is_none(), "{bad}");
        }
        assert!(bundled::<Fixture>(INDEX).is_some());
    }

    #[test]
    fn text_types_say_utf_8() {
        assert_eq!(content_type("text/html"), "text/html; charset=utf-8");
        assert_eq!(content_type("image/png"), "image/png");
        assert_eq!(etag(&[0xab; 32]).len(), 66);
        assert!(etag(&[0xab; 32]).starts_with("\"abab"));
    }
}
