//! The admin UI bundle under `/admin/` (spec 17 §1): client-side routes load
//! `index.html`, hashed assets are cached for good and a missing one is a 404,
//! precompressed `.gz` siblings by `Accept-Encoding`, `ETag`/304, redirects, security
//! headers, and the API around it unchanged. The bundle is `admin/dist` as it is on
//! disk now (debug builds read it at run time).

use std::io::Read;
use std::path::PathBuf;

use reqwest::header::HeaderMap;
use reqwest::{Client, Method, StatusCode};
use rocket_server::Config;
use serde_json::{json, Value};

use crate::common::T;
use crate::{both, both_with};

fn dist() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../admin/dist")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(dist().join(rel)).unwrap_or_else(|e| panic!("admin/dist/{rel}: {e}"))
}

/// The hashed JavaScript assets of the bundle, as `assets/<name>`.
fn hashed_assets() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dist().join("assets"))
        .expect("admin/dist/assets exists: build admin/")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".js"))
        .map(|n| format!("assets/{n}"))
        .collect();
    names.sort();
    names
}

fn hashed_asset() -> String {
    let all = hashed_assets();
    all.first()
        .cloned()
        .expect("a hashed .js asset in admin/dist/assets")
}

/// A hashed asset with the precompressed sibling the admin build writes for it.
fn precompressed_asset() -> String {
    hashed_assets()
        .into_iter()
        .find(|n| dist().join(format!("{n}.gz")).is_file())
        .expect("a hashed .js asset with its .gz sibling in admin/dist/assets")
}

/// A client that shows responses as sent: no redirects followed, no decoding.
fn raw() -> Client {
    Client::builder()
        .no_gzip()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

struct Got {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Got {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no {name} header: {:?}", self.headers))
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    #[track_caller]
    fn secured(&self) {
        assert_eq!(self.header("x-content-type-options"), "nosniff");
        assert_eq!(self.header("x-frame-options"), "DENY");
        assert_eq!(self.header("referrer-policy"), "same-origin");
    }

    #[track_caller]
    fn route_not_found(&self) {
        assert_eq!(self.status, 404);
        assert!(self.header("content-type").starts_with("application/json"));
        assert_eq!(
            self.json(),
            json!({"error": {"code": "NOT_FOUND", "message": "Route not found"}})
        );
    }
}

async fn fetch(t: &T, m: Method, path: &str, headers: &[(&str, &str)]) -> Got {
    let mut rb = raw().request(m, format!("{}{path}", t.base));
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    let r = rb.send().await.expect("request sent");
    let (status, headers) = (r.status(), r.headers().clone());
    let body = r.bytes().await.expect("body").to_vec();
    Got {
        status,
        headers,
        body,
    }
}

async fn get(t: &T, path: &str) -> Got {
    fetch(t, Method::GET, path, &[]).await
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a gzip body");
    out
}

async fn client_routes_load_the_app(t: T) {
    let index = read("index.html");
    for path in [
        "/admin/",
        "/admin/index.html",
        "/admin/data/invoice",
        "/admin/entities/new",
        "/admin/help/getting-started?tab=1",
        "/admin/favicon-that-is-not-there.ico",
    ] {
        let r = get(&t, path).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), "text/html; charset=utf-8");
        assert_eq!(r.header("cache-control"), "no-cache", "{path}");
        assert_eq!(r.body, index, "{path}: index.html");
        r.secured();
    }
    // Paths that try to leave the bundle are client routes too.
    for path in [
        "/admin/..%2F..%2FCargo.toml",
        "/admin/a%5C..%5C..%5CCargo.toml",
    ] {
        let r = get(&t, path).await;
        assert_eq!((r.status.as_u16(), &r.body), (200, &index), "{path}");
    }
    let head = fetch(&t, Method::HEAD, "/admin/data/invoice", &[]).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), "text/html; charset=utf-8");
    assert!(head.body.is_empty());
    for m in [Method::POST, Method::PUT, Method::DELETE] {
        let r = fetch(&t, m.clone(), "/admin/data/invoice", &[]).await;
        assert_eq!(r.status, 405, "{m}");
        assert_eq!(r.json()["error"]["code"], "METHOD_NOT_ALLOWED");
    }
    let r = fetch(&t, Method::POST, "/admin/", &[]).await;
    assert_eq!(r.status, 405);
}

async fn hashed_assets_are_immutable(t: T) {
    let asset = hashed_asset();
    let r = get(&t, &format!("/admin/{asset}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(r.header("content-type"), "text/javascript; charset=utf-8");
    assert_eq!(r.body, read(&asset));
    r.secured();
    let head = fetch(&t, Method::HEAD, &format!("/admin/{asset}"), &[]).await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    // A stale or mistyped asset is a 404, never the app's HTML.
    for path in [
        "/admin/assets/index-00000000.js",
        "/admin/assets/",
        "/admin/assets",
        &format!("/admin/{asset}.gz"),
        "/admin/assets/..%2Findex.html",
    ] {
        let r = get(&t, path).await;
        r.route_not_found();
        r.secured();
    }
}

async fn precompressed_siblings_and_etags(t: T) {
    let asset = precompressed_asset();
    let url = format!("/admin/{asset}");
    let gz = [("accept-encoding", "gzip, deflate, br")];
    let packed = fetch(&t, Method::GET, &url, &gz).await;
    assert_eq!(packed.status, 200);
    assert_eq!(packed.header("content-encoding"), "gzip");
    assert_eq!(packed.header("vary"), "accept-encoding");
    assert_eq!(
        packed.header("content-type"),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        packed.body,
        read(&format!("{asset}.gz")),
        "the file as built"
    );
    assert_eq!(gunzip(&packed.body), read(&asset));
    assert_eq!(
        packed.headers.get_all("content-encoding").iter().count(),
        1,
        "compressed once"
    );
    let plain = fetch(&t, Method::GET, &url, &[("accept-encoding", "gzip;q=0")]).await;
    assert!(plain.headers.get("content-encoding").is_none());
    assert_eq!(plain.header("vary"), "accept-encoding");
    assert_eq!(plain.body, read(&asset));
    let none = get(&t, &url).await;
    assert!(none.headers.get("content-encoding").is_none());
    let (e_plain, e_packed) = (plain.header("etag"), packed.header("etag"));
    assert!(e_plain.starts_with('"') && e_plain.len() == 66, "{e_plain}");
    assert_ne!(e_plain, e_packed, "one validator per representation");
    assert_eq!(none.header("etag"), e_plain);

    // If-None-Match → 304, with the validator and caching headers, no body.
    for (etag, enc) in [(e_plain, "identity"), (e_packed, "gzip")] {
        let list = format!("\"other\", {etag}");
        for inm in [etag, "*", list.as_str()] {
            let hs = [("accept-encoding", enc), ("if-none-match", inm)];
            let r = fetch(&t, Method::GET, &url, &hs).await;
            assert_eq!(r.status, 304, "{inm}");
            assert!(r.body.is_empty());
            assert_eq!(r.header("etag"), etag);
            assert_eq!(
                r.header("cache-control"),
                "public, max-age=31536000, immutable"
            );
            r.secured();
        }
    }
    let hs = [("if-none-match", "\"stale\"")];
    assert_eq!(fetch(&t, Method::GET, &url, &hs).await.status, 200);

    // index.html: the same, revalidated on every use, on every client route.
    if dist().join("index.html.gz").is_file() {
        let r = fetch(&t, Method::GET, "/admin/data/invoice", &gz).await;
        assert_eq!(r.header("content-encoding"), "gzip");
        assert_eq!(r.header("cache-control"), "no-cache");
        assert_eq!(gunzip(&r.body), read("index.html"));
        let etag = r.header("etag").to_string();
        let hs = [
            ("accept-encoding", "gzip"),
            ("if-none-match", etag.as_str()),
        ];
        let r = fetch(&t, Method::GET, "/admin/", &hs).await;
        assert_eq!(r.status, 304);
        assert_eq!(r.header("cache-control"), "no-cache");
    }
    let r = get(&t, "/admin/").await;
    let etag = r.header("etag").to_string();
    let r = fetch(&t, Method::GET, "/admin/x/y", &[("if-none-match", &etag)]).await;
    assert_eq!(r.status, 304);
}

async fn redirects_and_the_api_around_it(t: T) {
    for (path, status, to) in [
        ("/admin", 308, "/admin/"),
        (
            "/admin?next=%2Fadmin%2Fapps",
            308,
            "/admin/?next=%2Fadmin%2Fapps",
        ),
        ("/", 307, "/admin/"),
    ] {
        let r = get(&t, path).await;
        assert_eq!(r.status, status, "{path}");
        assert_eq!(r.header("location"), to, "{path}");
        r.secured();
    }
    let head = fetch(&t, Method::HEAD, "/admin", &[]).await;
    assert_eq!(head.status, 308);
    let r = fetch(&t, Method::POST, "/", &[]).await;
    assert_eq!(r.status, 405);

    // The API is untouched: its 404 envelope, its JSON and its compression.
    for path in [
        "/nope",
        "/administrator",
        "/api/nope/x/y/z/w",
        "/api/_platform/nope",
    ] {
        let r = get(&t, path).await;
        r.route_not_found();
        assert!(r.headers.get("x-frame-options").is_none(), "{path}");
    }
    let r = get(&t, "/health").await;
    assert_eq!(r.json(), json!({"status": "ok"}));
    let list = t.get("/_admin/entities").await;
    list.data(200);
    let r = t
        .http
        .get(t.url("/_admin/entities"))
        .bearer_auth(t.token.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("cache-control").is_none());
    assert!(r.headers().get("x-frame-options").is_none());
}

fn switched_off(c: &mut Config) {
    c.server.admin_ui = false;
}

async fn admin_ui_can_be_switched_off(t: T) {
    for path in [
        "/",
        "/admin",
        "/admin/",
        "/admin/data/invoice",
        "/admin/assets/x.js",
    ] {
        get(&t, path).await.route_not_found();
    }
    t.get("/_admin/entities").await.data(200);
}

both!(
    client_routes_load_the_app,
    hashed_assets_are_immutable,
    precompressed_siblings_and_etags,
    redirects_and_the_api_around_it,
);
both_with!(switched_off; admin_ui_can_be_switched_off);
