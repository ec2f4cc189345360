//! Files over HTTP (spec 13): uploads streamed to local storage in the test's data
//! directory, bytes served back identical (binary, empty, at and over the limit),
//! names that try to leave their folder, ranges and validators, rights, file
//! fields in records, nested rows and includes, and thumbnails.

use std::io::Cursor;

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{id, keys, one_to_many, Resp, T};
use crate::{both, both_with};

/// The upload limit of the limit tests.
const LIMIT: u64 = 64 * 1024;

fn small_limit(c: &mut rocket_server::Config) {
    c.storage.max_file_size = LIMIT;
}

/// Deterministic binary content: every byte value, repeated.
fn binary(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 256) as u8).collect()
}

async fn send_form(t: &T, form: Form) -> Resp {
    let mut rb = t.http.post(t.url("/_files/upload")).multipart(form);
    if let Some(tok) = &t.token {
        rb = rb.bearer_auth(tok);
    }
    let r = rb.send().await.expect("upload sent");
    let status = r.status();
    let text = r.text().await.unwrap_or_default();
    let body =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("non-JSON ({status}): {text}"));
    Resp { status, body }
}

async fn upload_as(t: &T, part: &str, name: &str, mime: &str, bytes: Vec<u8>) -> Resp {
    let p = Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str(mime)
        .unwrap();
    send_form(
        t,
        Form::new()
            .text("note", "ignored")
            .part(part.to_string(), p),
    )
    .await
}

/// Uploads `bytes` in a hand-written multipart body whose part header carries
/// `filename` exactly as given (a quote escaped as `\"`).
async fn raw_upload(t: &T, filename: &str, bytes: &[u8]) -> Resp {
    let mut body = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
         Content-Type: text/plain\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(b"\r\n--XyZ--\r\n");
    let ct = Some("multipart/form-data; boundary=XyZ");
    t.raw(reqwest::Method::POST, "/_files/upload", ct, body)
        .await
}

pub(crate) async fn upload(t: &T, name: &str, mime: &str, bytes: Vec<u8>) -> Value {
    upload_as(t, "file", name, mime, bytes)
        .await
        .data(201)
        .clone()
}

async fn download(t: &T, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut rb = t.http.get(t.url(path));
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    if let Some(tok) = &t.token {
        rb = rb.bearer_auth(tok);
    }
    rb.send().await.expect("download sent")
}

fn header<'a>(r: &'a reqwest::Response, k: &str) -> &'a str {
    r.headers()
        .get(k)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

async fn bytes_of(t: &T, file_id: &str) -> Vec<u8> {
    let r = download(t, &format!("/_files/{file_id}"), &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.bytes().await.unwrap().to_vec()
}

async fn bytes_round_trip(t: T) {
    let content = binary(300_000);
    let f = upload(&t, "photo.bin", "application/octet-stream", content.clone()).await;
    assert_eq!(keys(&f), ["id", "filename", "size", "mime_type", "url"]);
    assert_eq!(f["size"], json!(300_000));
    assert_eq!(f["filename"], json!("photo.bin"));
    assert_eq!(f["url"], json!(format!("/api/{}/_files/{}", t.app, id(&f))));
    let r = download(&t, &format!("/_files/{}", id(&f)), &[]).await;
    assert_eq!(header(&r, "content-type"), "application/octet-stream");
    assert_eq!(header(&r, "content-length"), "300000");
    assert_eq!(header(&r, "x-content-type-options"), "nosniff");
    assert_eq!(header(&r, "accept-ranges"), "bytes");
    assert_eq!(header(&r, "etag"), format!("\"{}\"", id(&f)));
    assert_eq!(
        header(&r, "content-disposition"),
        "inline; filename=\"photo.bin\"; filename*=UTF-8''photo.bin"
    );
    assert!(r.bytes().await.unwrap().to_vec() == content, "bytes differ");

    let empty = upload(&t, "empty.txt", "text/plain", vec![]).await;
    assert_eq!(empty["size"], json!(0));
    assert!(bytes_of(&t, &id(&empty)).await.is_empty());

    // A name with a quote, a backslash and non-ASCII: stored as sent, served safely.
    let f = raw_upload(&t, "r\u{e9}sum\u{e9} \\\"q\\\"\\.txt", b"x")
        .await
        .data(201)
        .clone();
    let odd = "r\u{e9}sum\u{e9} \"q\"\\.txt";
    assert_eq!(f["filename"], json!(odd));
    let r = download(&t, &format!("/_files/{}", id(&f)), &[]).await;
    assert_eq!(
        header(&r, "content-disposition"),
        "inline; filename=\"r_sum_ \\\"q\\\"\\\\.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22q%22%5C.txt"
    );
    // A long name is stored in full and kept short on disk (extension kept).
    let long = format!("{}.pdf", "\u{6587}".repeat(300));
    let f = upload(&t, &long, "application/pdf", b"long".to_vec()).await;
    assert_eq!(f["filename"], json!(long));
    assert_eq!(bytes_of(&t, &id(&f)).await, b"long");
    let too_long = "a".repeat(1025);
    upload_as(&t, "file", &too_long, "text/plain", b"x".to_vec())
        .await
        .error_is(
            400,
            "INVALID_PAYLOAD",
            "File name too long (at most 1024 bytes)",
        );
    // Active content gets a sandbox on top of nosniff.
    let f = upload(&t, "x.html", "text/html", b"<script>1</script>".to_vec()).await;
    let r = download(&t, &format!("/_files/{}", id(&f)), &[]).await;
    assert_eq!(header(&r, "content-type"), "text/html");
    assert!(header(&r, "content-security-policy").contains("sandbox"));
}

async fn limits(t: T) {
    let at = upload(
        &t,
        "at.bin",
        "application/octet-stream",
        binary(LIMIT as usize),
    )
    .await;
    assert_eq!(bytes_of(&t, &id(&at)).await, binary(LIMIT as usize));
    let over = upload_as(
        &t,
        "file",
        "over.bin",
        "application/octet-stream",
        binary(LIMIT as usize + 1),
    )
    .await;
    let e = over.error(413, "FILE_TOO_LARGE");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .ends_with(&format!("bytes (max {LIMIT})")),
        "{e}"
    );
    // Far over: refused by its declared length before a byte of the body is read.
    assert_eq!(declared_only(&t, 50 * 1024 * 1024).await, 413);
    let listed = t.get("/_files").await.data(200).clone();
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "refused uploads leave no row: {listed}"
    );
    let on_disk = walk(&t.data_dir.join("uploads"));
    assert_eq!(
        on_disk.len(),
        1,
        "refused uploads leave no bytes: {on_disk:?}"
    );
}

/// Sends only the head of an upload that declares `length` bytes; returns the
/// status of the answer, which must come without the body being sent.
async fn declared_only(t: &T, length: u64) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let url = reqwest::Url::parse(&t.url("/_files/upload")).unwrap();
    let addr = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {length}\r\n\r\n",
        url.path(),
        t.token.as_deref().unwrap()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), s.read(&mut buf))
        .await
        .expect("answered without the body")
        .unwrap();
    let text = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(text.contains("FILE_TOO_LARGE"), "{text}");
    text[9..12].parse().unwrap()
}

/// Every regular file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

async fn bad_forms(t: T) {
    upload_as(&t, "upload", "a.txt", "text/plain", b"a".to_vec())
        .await
        .error_is(400, "INVALID_PAYLOAD", "Missing file in form data");
    send_form(&t, Form::new().text("file", "just text"))
        .await
        .error_is(400, "INVALID_PAYLOAD", "Missing file in form data");
    t.post("/_files/upload", json!({"file": "x"}))
        .await
        .error_is(400, "INVALID_PAYLOAD", "Missing file in form data");
    t.raw(
        reqwest::Method::POST,
        "/_files/upload",
        Some("multipart/form-data; boundary=zz"),
        b"--zz\r\nbroken".to_vec(),
    )
    .await
    .error(400, "INVALID_PAYLOAD");
    t.anon().get("/_files/x").await.error(401, "UNAUTHORIZED");
    // The first `file` part wins; a second is ignored.
    let form = Form::new()
        .part("file", Part::bytes(b"one".to_vec()).file_name("1.txt"))
        .part("file", Part::bytes(b"two".to_vec()).file_name("2.txt"));
    let f = send_form(&t, form).await.data(201).clone();
    assert_eq!(f["filename"], json!("1.txt"));
    assert_eq!(bytes_of(&t, &id(&f)).await, b"one");
}

async fn names_stay_inside(t: T) {
    let names = [
        "../../escape.txt",
        "../x/escape.txt",
        "..",
        "/etc/passwd",
        "a\\..\\..\\b.txt",
        "%2e%2e%2fp.txt",
    ];
    let mut ids = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let r = raw_upload(&t, n, format!("content {i}").as_bytes()).await;
        let f = r.data(201).clone();
        assert_eq!(f["filename"], json!(n), "the original name is kept");
        ids.push(id(&f));
    }
    for (i, file_id) in ids.iter().enumerate() {
        assert_eq!(
            bytes_of(&t, file_id).await,
            format!("content {i}").into_bytes(),
            "{}",
            names[i]
        );
    }
    let root = t.data_dir.join("uploads");
    for p in walk(&t.data_dir) {
        if p.extension().is_some_and(|e| e == "txt") || p.file_name().is_some_and(|n| n == "passwd")
        {
            assert!(
                p.starts_with(root.join(&t.app)),
                "{p:?} is outside the app's folder"
            );
        }
    }
}

async fn ranges_and_validators(t: T) {
    let content = binary(1000);
    let f = upload(&t, "v.mp4", "video/mp4", content.clone()).await;
    let path = format!("/_files/{}", id(&f));
    let etag = format!("\"{}\"", id(&f));
    let r = download(&t, &path, &[("range", "bytes=10-19")]).await;
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&r, "content-range"), "bytes 10-19/1000");
    assert_eq!(header(&r, "content-length"), "10");
    assert_eq!(r.bytes().await.unwrap().to_vec(), content[10..20]);
    let r = download(&t, &path, &[("range", "bytes=-100")]).await;
    assert_eq!(header(&r, "content-range"), "bytes 900-999/1000");
    assert_eq!(r.bytes().await.unwrap().to_vec(), content[900..]);
    let r = download(&t, &path, &[("range", "bytes=990-")]).await;
    assert_eq!(r.bytes().await.unwrap().to_vec(), content[990..]);
    let r = download(&t, &path, &[("range", "bytes=1000-")]).await;
    assert_eq!(r.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(header(&r, "content-range"), "bytes */1000");
    let r = download(&t, &path, &[("range", "bytes=0-1,5-6")]).await;
    assert_eq!(r.status(), StatusCode::OK, "several ranges: the whole file");
    let r = download(
        &t,
        &path,
        &[("range", "bytes=0-9"), ("if-range", "\"stale\"")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().len(), 1000);
    let r = download(&t, &path, &[("range", "bytes=0-9"), ("if-range", &etag)]).await;
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    let r = download(&t, &path, &[("if-none-match", &etag)]).await;
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&r, "etag"), etag);
    assert!(r.bytes().await.unwrap().is_empty());
    let r = download(&t, &path, &[("if-none-match", "\"other\"")]).await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn rights_and_listing(t: T) {
    let user = t.as_user("reader@x.io", json!(["user"])).await;
    let f = upload(&user, "mine.txt", "text/plain", b"hello".to_vec()).await;
    assert_eq!(bytes_of(&user, &id(&f)).await, b"hello");
    let mine = format!("/_files/{}", id(&f));
    user.get("/_files")
        .await
        .error_is(403, "FORBIDDEN", "Admin access required");
    user.delete(&mine)
        .await
        .error_is(403, "FORBIDDEN", "Admin access required");
    upload(&t, "second.txt", "text/plain", b"2".to_vec()).await;

    let all = t.get("/_files").await.data(200).clone();
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(
        keys(&all[1]),
        [
            "id",
            "filename",
            "mime_type",
            "size",
            "uploaded_by",
            "created_at"
        ]
    );
    let row = all
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == f["id"])
        .unwrap();
    assert!(row["uploaded_by"].is_string(), "{row}");
    assert_eq!(row["size"], json!(5));
    assert_eq!(t.get("/_files/").await.data(200), &all, "trailing slash");
    let page = t.get("/_files?per_page=1&page=2").await.expect(200).clone();
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert_eq!(page["meta"], json!({"total": 2, "page": 2, "per_page": 1}));
    t.get("/_files?page=0").await.error(400, "INVALID_PAYLOAD");

    assert_eq!(t.delete(&mine).await.data(200), &json!({"deleted": true}));
    t.get(&mine)
        .await
        .error_is(404, "NOT_FOUND", &format!("File {} not found", id(&f)));
    t.delete(&mine).await.error(404, "NOT_FOUND");
    t.get("/_files/not-a-uuid")
        .await
        .error_is(404, "NOT_FOUND", "File not-a-uuid not found");

    // A row whose bytes are gone: the Express answer (13 §2.2 step 3).
    let g = upload(&t, "gone.txt", "text/plain", b"x".to_vec()).await;
    for p in walk(&t.data_dir.join("uploads")) {
        if p.file_name().is_some_and(|n| n == "gone.txt") {
            std::fs::remove_file(p).unwrap();
        }
    }
    t.get(&format!("/_files/{}", id(&g))).await.error_is(
        404,
        "NOT_FOUND",
        &format!("File {} not found on disk", id(&g)),
    );
    assert_eq!(
        t.delete(&format!("/_files/{}", id(&g))).await.data(200),
        &json!({"deleted": true})
    );
}

async fn concurrent_uploads(t: T) {
    let mut tasks = Vec::new();
    for i in 0..10u8 {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            let content: Vec<u8> = std::iter::repeat_n(i, 200_000 + usize::from(i)).collect();
            let f = upload(
                &t,
                "same-name.bin",
                "application/octet-stream",
                content.clone(),
            )
            .await;
            (id(&f), content)
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        let (file_id, content) = task.await.unwrap();
        assert!(bytes_of(&t, &file_id).await == content);
        ids.push(file_id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 10);
}

async fn file_fields(t: T) {
    t.entity(
        "doc",
        json!([{"name": "title", "type": "string"}, {"name": "attachment", "type": "file"}]),
    )
    .await;
    t.entity(
        "page",
        json!([{"name": "doc_id", "type": "uuid"}, {"name": "scan", "type": "file"}]),
    )
    .await;
    t.relation(one_to_many("pages", "doc", "page", "doc_id"))
        .await;
    let f = upload(&t, "invoice.pdf", "application/pdf", b"%PDF".to_vec()).await;
    let meta = json!({"id": f["id"], "filename": "invoice.pdf", "size": 4, "mime_type": "application/pdf"});
    let upper = id(&f).to_ascii_uppercase();
    let d = t
        .create("doc", json!({"title": "a", "attachment": upper}))
        .await;
    assert_eq!(d["attachment"], meta);
    assert_eq!(
        t.fetch(&format!("/doc/{}", id(&d))).await["attachment"],
        meta
    );

    let unknown = "5f0c2b1e-8d3a-4c6f-9b2e-1a7d4e3f6c80";
    t.post("/doc", json!({"title": "b", "attachment": unknown}))
        .await
        .error_is(404, "NOT_FOUND", &format!("File {unknown} not found"));
    t.put(&format!("/doc/{}", id(&d)), json!({"attachment": unknown}))
        .await
        .error(404, "NOT_FOUND");
    assert_eq!(t.total("doc", "").await, json!(1), "nothing written");
    // A missing record is reported before an unknown file (spec 06 §5).
    t.put(
        "/doc/6f0c2b1e-8d3a-4c6f-9b2e-1a7d4e3f6c81",
        json!({"attachment": unknown}),
    )
    .await
    .error_is(
        404,
        "NOT_FOUND",
        "doc with id 6f0c2b1e-8d3a-4c6f-9b2e-1a7d4e3f6c81 not found",
    );
    // Anything but a file id, an object or null is a 422: it would read back as
    // neither (the OpenAPI document promises a file object).
    for v in [json!("not-a-uuid"), json!(7), json!(true), json!(["x"])] {
        t.put(&format!("/doc/{}", id(&d)), json!({"attachment": v}))
            .await
            .error(422, "VALIDATION_FAILED");
    }
    // Objects are stored as given; null clears.
    let given = json!({"id": "x", "filename": "elsewhere.png"});
    assert_eq!(
        t.update(&format!("/doc/{}", id(&d)), json!({"attachment": given}))
            .await["attachment"],
        given
    );
    assert_eq!(
        t.update(&format!("/doc/{}", id(&d)), json!({"attachment": null}))
            .await["attachment"],
        Value::Null
    );
    assert_eq!(
        t.update(&format!("/doc/{}", id(&d)), json!({"attachment": id(&f)}))
            .await["attachment"],
        meta
    );

    // Nested rows resolve too (Rust contract of 05 §1), and includes show it.
    let body = json!({"title": "n", "pages": {"data": [{"scan": id(&f)}]}});
    let parent = t.create("doc", body).await;
    let with = t
        .fetch(&format!("/doc/{}?include=pages", id(&parent)))
        .await;
    assert_eq!(with["pages"][0]["scan"], meta);
    let bad = json!({"title": "m", "pages": {"data": [{"scan": unknown}]}});
    t.post("/doc", bad).await.error(404, "NOT_FOUND");
    assert_eq!(
        t.total("doc", "").await,
        json!(2),
        "the nested failure rolled back"
    );
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 9]));
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// A 1×1 PNG whose header claims `w`×`h` pixels.
fn bomb(w: u32, h: u32) -> Vec<u8> {
    let mut b = png(1, 1);
    b[16..20].copy_from_slice(&w.to_be_bytes());
    b[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32fast::hash(&b[12..29]);
    b[29..33].copy_from_slice(&crc.to_be_bytes());
    b
}

async fn thumbnails(t: T) {
    let f = upload(&t, "pic.png", "image/png", png(300, 150)).await;
    let path = format!("/_files/{}?thumb=60x60", id(&f));
    let r = download(&t, &path, &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "content-type"), "image/png");
    let etag = header(&r, "etag").to_string();
    assert_eq!(etag, format!("\"{}-60x60\"", id(&f)));
    let img = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
    assert_eq!((img.width(), img.height()), (60, 60));
    let fit = download(&t, &format!("/_files/{}?thumb=60x60f", id(&f)), &[]).await;
    let img = image::load_from_memory(&fit.bytes().await.unwrap()).unwrap();
    assert_eq!((img.width(), img.height()), (60, 30));
    let cached: Vec<_> = walk(&t.data_dir.join("uploads"))
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".thumbs"))
        .collect();
    assert_eq!(cached.len(), 2, "made once, cached: {cached:?}");
    let again = download(&t, &path, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    t.get(&format!("/_files/{}?thumb=big", id(&f)))
        .await
        .error(400, "INVALID_PAYLOAD");
    t.get(&format!("/_files/{}?thumb=5000x10", id(&f)))
        .await
        .error(400, "INVALID_PAYLOAD");
    let b = upload(&t, "bomb.png", "image/png", bomb(60_000, 60_000)).await;
    t.get(&format!("/_files/{}?thumb=10x10", id(&b)))
        .await
        .error(422, "VALIDATION_FAILED");
    let pdf = upload(&t, "x.pdf", "application/pdf", b"%PDF".to_vec()).await;
    t.get(&format!("/_files/{}?thumb=10x10", id(&pdf)))
        .await
        .error(422, "VALIDATION_FAILED");
    let liar = upload(&t, "liar.png", "image/png", b"not really".to_vec()).await;
    t.get(&format!("/_files/{}?thumb=10x10", id(&liar)))
        .await
        .error(422, "VALIDATION_FAILED");
    // Deleting the file removes its thumbnails.
    t.delete(&format!("/_files/{}", id(&f))).await.data(200);
    let left: Vec<_> = walk(&t.data_dir.join("uploads"))
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(&id(&f)))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

both!(
    bytes_round_trip,
    bad_forms,
    names_stay_inside,
    ranges_and_validators,
    rights_and_listing,
    concurrent_uploads,
    file_fields,
    thumbnails
);
both_with!(small_limit; limits);

/// Short enough for a quick test, long enough for the harness to create its app
/// (a Postgres `CREATE DATABASE`) on a busy machine.
fn short_timeout(c: &mut rocket_server::Config) {
    c.server.request_timeout_ms = 2500;
}

/// Sends the head of an upload, then `chunks` bytes one at a time `every` apart;
/// returns the answer's text.
async fn trickle(t: &T, chunks: usize, every: std::time::Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let url = reqwest::Url::parse(&t.url("/_files/upload")).unwrap();
    let addr = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n",
        url.path(),
        t.token.as_deref().unwrap()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let part =
        "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.bin\"\r\n\r\n";
    s.write_all(format!("{:x}\r\n{part}\r\n", part.len()).as_bytes())
        .await
        .unwrap();
    for _ in 0..chunks {
        tokio::time::sleep(every).await;
        if s.write_all(b"1\r\nx\r\n").await.is_err() {
            break;
        }
    }
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), s.read(&mut buf))
        .await
        .expect("answered")
        .unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).to_string()
}

/// Uploads are exempt from the request timeout, not from making progress.
async fn stalled_and_crawling_uploads(t: T) {
    let stalled = trickle(&t, 0, std::time::Duration::ZERO).await;
    assert!(
        stalled.starts_with("HTTP/1.1 400") && stalled.contains("Upload stalled"),
        "{stalled}"
    );
    let slow = trickle(&t, 45, std::time::Duration::from_millis(100)).await;
    assert!(
        slow.starts_with("HTTP/1.1 400") && slow.contains("Upload too slow"),
        "{slow}"
    );
    assert!(t
        .get("/_files")
        .await
        .data(200)
        .as_array()
        .unwrap()
        .is_empty());
}

both_with!(short_timeout; stalled_and_crawling_uploads);

/// The same contract on the S3 driver, against a local S3-compatible server
/// (moto): a multipart upload (over one 5 MiB part), a small and an empty one,
/// ranges, a cached thumbnail, and deletion of the objects.
async fn on_s3(db: crate::common::Db) {
    let Some(s3) = rocket_testkit::S3::start().await else {
        return;
    };
    let (endpoint, bucket) = (s3.endpoint.clone(), s3.bucket.clone());
    let tweak = move |c: &mut rocket_server::Config| {
        c.storage.driver = "s3".into();
        c.storage.endpoint = endpoint;
        c.storage.bucket = bucket;
        c.storage.region = "us-east-1".into();
        c.storage.prefix = "rocket-test".into();
        c.storage.access_key_id = "testing".into();
        c.storage.secret_access_key = rocket_server::config::Secret::new("testing");
    };
    crate::common::run_with(db, tweak, |t: T| async move {
        let big = binary(6 * 1024 * 1024 + 123);
        let f = upload(&t, "big.bin", "application/octet-stream", big.clone()).await;
        assert!(
            bytes_of(&t, &id(&f)).await == big,
            "multipart upload round trip"
        );
        let small = upload(&t, "../small.txt", "text/plain", b"small".to_vec()).await;
        assert_eq!(bytes_of(&t, &id(&small)).await, b"small");
        let empty = upload(&t, "empty", "text/plain", vec![]).await;
        assert!(bytes_of(&t, &id(&empty)).await.is_empty());
        let r = download(
            &t,
            &format!("/_files/{}", id(&f)),
            &[("range", "bytes=5242870-5242889")],
        )
        .await;
        assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(r.bytes().await.unwrap().to_vec(), big[5_242_870..5_242_890]);
        let pic = upload(&t, "p.png", "image/png", png(40, 20)).await;
        let th = download(&t, &format!("/_files/{}?thumb=10x0", id(&pic)), &[]).await;
        let img = image::load_from_memory(&th.bytes().await.unwrap()).unwrap();
        assert_eq!((img.width(), img.height()), (10, 5));

        let keys = s3.keys().await;
        let prefix = format!("rocket-test/{}/", t.app);
        assert_eq!(keys.len(), 5, "{keys:?}");
        assert!(keys.iter().all(|k| k.starts_with(&prefix)), "{keys:?}");
        assert!(
            keys.contains(&format!("{prefix}{}/small.txt", id(&small))),
            "{keys:?}"
        );
        assert!(keys.iter().any(|k| k.contains(".thumbs/10x0")), "{keys:?}");

        t.delete(&format!("/_files/{}", id(&pic))).await.data(200);
        t.delete(&format!("/_files/{}", id(&f))).await.data(200);
        let left = s3.keys().await;
        assert_eq!(left.len(), 2, "bytes and thumbnails deleted: {left:?}");
        assert_eq!(
            t.get("/_files").await.data(200).as_array().unwrap().len(),
            2
        );
    })
    .await;
}

mod s3 {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::on_s3(crate::common::Db::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::on_s3(crate::common::Db::Postgres).await;
    }
}
