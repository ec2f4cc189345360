//! Where file bytes live (spec 13 §1, Rust: behind `object_store`): a local directory
//! by default (`<data_dir>/uploads`, zero setup) or an S3-compatible bucket
//! (`storage.driver: s3`, credentials from the environment as the AWS SDKs read
//! them). Object keys are `<app>/<id>/<name>`; every part is one path segment
//! (`object_store` encodes what a segment cannot hold), so no name reaches outside
//! its `<id>` folder. Thumbnails sit beside the folder under `<app>/<id>.thumbs/`,
//! a prefix no client-chosen name can produce.
//!
//! Uploads stream: bytes are gathered up to one chunk and written as they arrive,
//! with at most one part in flight, so memory per upload stays near two chunks
//! whatever the file size.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::{Path, PathPart};
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};

use crate::config::StorageConfig;

/// Why storage could not be set up or used.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("storage.driver must be local or s3, not {0:?}")]
    UnknownDriver(String),
    #[error("storage.bucket is required with storage.driver: s3")]
    NoBucket,
    #[error("cannot create the upload directory {0}: {1}")]
    Directory(PathBuf, std::io::Error),
    #[error("the stored object is missing")]
    Missing,
    #[error("{0}")]
    Store(#[from] object_store::Error),
}

impl StorageError {
    fn from_store(e: object_store::Error) -> StorageError {
        match e {
            object_store::Error::NotFound { .. } => StorageError::Missing,
            e => StorageError::Store(e),
        }
    }
}

/// Which backend the objects are in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Driver {
    Local { root: PathBuf },
    S3 { bucket: String, prefix: String },
}

/// Bytes read back: the stream of the asked range and the object's full size.
pub struct Read {
    pub body: BoxStream<'static, Result<Bytes, StorageError>>,
    pub range: Range<u64>,
    pub total: u64,
}

/// The object store of the platform, shared by every app.
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    pub driver: Driver,
    /// Bytes gathered before a part is written.
    chunk: usize,
}

/// Local parts: small, so ten concurrent uploads hold a few MiB.
const LOCAL_CHUNK: usize = 256 * 1024;
/// S3 parts but the last must be at least 5 MiB.
const S3_CHUNK: usize = 5 * 1024 * 1024;

impl Storage {
    /// The configured store; the local root is created now so a bad path fails at
    /// startup.
    pub fn open(c: &StorageConfig, data_dir: &std::path::Path) -> Result<Storage, StorageError> {
        match c.driver.trim().to_ascii_lowercase().as_str() {
            "" | "local" => {
                let root = if c.local_path.trim().is_empty() {
                    data_dir.join("uploads")
                } else {
                    PathBuf::from(c.local_path.trim())
                };
                std::fs::create_dir_all(&root)
                    .map_err(|e| StorageError::Directory(root.clone(), e))?;
                let fs = LocalFileSystem::new_with_prefix(&root)?.with_automatic_cleanup(true);
                Ok(Storage {
                    store: Arc::new(fs),
                    driver: Driver::Local { root },
                    chunk: LOCAL_CHUNK,
                })
            }
            "s3" => Storage::s3(c),
            other => Err(StorageError::UnknownDriver(other.to_string())),
        }
    }

    fn s3(c: &StorageConfig) -> Result<Storage, StorageError> {
        if c.bucket.trim().is_empty() {
            return Err(StorageError::NoBucket);
        }
        let mut b = AmazonS3Builder::from_env().with_bucket_name(c.bucket.trim());
        if !c.region.trim().is_empty() {
            b = b.with_region(c.region.trim());
        }
        if !c.access_key_id.trim().is_empty() {
            b = b
                .with_access_key_id(c.access_key_id.trim())
                .with_secret_access_key(c.secret_access_key.expose());
        }
        let endpoint = c.endpoint.trim();
        if !endpoint.is_empty() {
            // MinIO, moto and most S3-compatible services want path-style URLs.
            b = b
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        Ok(Storage {
            store: Arc::new(b.build()?),
            driver: Driver::S3 {
                bucket: c.bucket.trim().to_string(),
                prefix: c.prefix.trim().trim_matches('/').to_string(),
            },
            chunk: S3_CHUNK,
        })
    }

    fn prefix(&self) -> Option<&str> {
        match &self.driver {
            Driver::S3 { prefix, .. } if !prefix.is_empty() => Some(prefix),
            _ => None,
        }
    }

    /// The key of a file's bytes: `[prefix/]<app>/<id>/<name>`, the name shortened
    /// (its extension kept) so its encoded segment fits a file system's 255 bytes.
    pub fn key(&self, app: &str, id: &str, name: &str) -> Path {
        self.path(&[app, id, &fitted(name)])
    }

    fn path(&self, parts: &[&str]) -> Path {
        let prefix = self.prefix().into_iter().flat_map(|p| p.split('/'));
        Path::from_iter(prefix.chain(parts.iter().copied()).map(PathPart::from))
    }

    /// The `storage_path` recorded for `key` (02 §4.12): the local file's path under
    /// the configured root, or `s3://<bucket>/<key>`.
    pub fn storage_path(&self, key: &Path) -> String {
        match &self.driver {
            Driver::Local { root } => root.join(key.as_ref()).to_string_lossy().into_owned(),
            Driver::S3 { bucket, .. } => format!("s3://{bucket}/{key}"),
        }
    }

    /// The key of a stored file from its row: the final segment of `storage_path`
    /// is the stored name (already encoded).
    pub fn key_of(&self, app: &str, id: &str, storage_path: &str) -> Option<Path> {
        let name = storage_path.rsplit(['/', '\\']).next()?;
        let prefix = self.prefix().map(|p| format!("{p}/")).unwrap_or_default();
        Path::parse(format!("{prefix}{app}/{id}/{name}")).ok()
    }

    /// The cached thumbnail `size` of file `id`.
    pub fn thumb_key(&self, app: &str, id: &str, size: &str) -> Path {
        self.path(&[app, &format!("{id}.thumbs"), size])
    }

    /// Writes `body` to `key` as it arrives. `check` sees the running byte count
    /// after each chunk and stops the upload with its error (the partial object is
    /// removed). Returns the number of bytes written.
    pub async fn write<S, E>(
        &self,
        key: &Path,
        mut body: S,
        mut check: impl FnMut(u64) -> Result<(), E>,
    ) -> Result<u64, WriteError<E>>
    where
        S: futures_util::Stream<Item = Result<Bytes, E>> + Unpin,
    {
        let mut first = BytesMut::new();
        let mut total = 0u64;
        // Small files (the common case) are one plain PUT.
        while first.len() < self.chunk {
            match body.next().await {
                None => {
                    self.store
                        .put(key, PutPayload::from(first.freeze()))
                        .await
                        .map_err(|e| WriteError::Store(StorageError::from_store(e)))?;
                    return Ok(total);
                }
                Some(chunk) => {
                    let chunk = chunk.map_err(WriteError::Input)?;
                    total += chunk.len() as u64;
                    check(total).map_err(WriteError::Input)?;
                    first.extend_from_slice(&chunk);
                }
            }
        }
        let upload = self
            .store
            .put_multipart(key)
            .await
            .map_err(|e| WriteError::Store(StorageError::from_store(e)))?;
        let mut w = WriteMultipart::new_with_chunk_size(upload, self.chunk);
        w.put(first.freeze());
        let r = async {
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(WriteError::Input)?;
                total += chunk.len() as u64;
                check(total).map_err(WriteError::Input)?;
                w.wait_for_capacity(1)
                    .await
                    .map_err(|e| WriteError::Store(StorageError::from_store(e)))?;
                w.put(chunk);
            }
            Ok(())
        }
        .await;
        match r {
            Ok(()) => {
                w.finish()
                    .await
                    .map_err(|e| WriteError::Store(StorageError::from_store(e)))?;
                Ok(total)
            }
            Err(e) => {
                if let Err(abort) = w.abort().await {
                    tracing::warn!(%key, "aborting a partial upload failed: {abort}");
                }
                Err(e)
            }
        }
    }

    /// Writes a small object at once (thumbnails).
    pub async fn put(&self, key: &Path, bytes: Bytes) -> Result<(), StorageError> {
        self.store
            .put(key, PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(StorageError::from_store)
    }

    /// Reads `range` of `key` (all of it when `None`) as a stream.
    pub async fn read(&self, key: &Path, range: Option<Range<u64>>) -> Result<Read, StorageError> {
        let opts = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        let r = self
            .store
            .get_opts(key, opts)
            .await
            .map_err(StorageError::from_store)?;
        let (range, total) = (r.range.clone(), r.meta.size);
        let body = match r.payload {
            // `object_store` reads local files 8 KiB per blocking call; larger reads
            // serve a local file several times faster.
            object_store::GetResultPayload::File(file, _) => {
                local_stream(file, range.clone()).await?
            }
            object_store::GetResultPayload::Stream(s) => {
                s.map_err(StorageError::from_store).boxed()
            }
        };
        Ok(Read { body, range, total })
    }

    /// The whole object, for objects known to be small (thumbnail sources are
    /// bounded by the caller).
    pub async fn bytes(&self, key: &Path) -> Result<Bytes, StorageError> {
        let r = self
            .store
            .get(key)
            .await
            .map_err(StorageError::from_store)?;
        r.bytes().await.map_err(StorageError::from_store)
    }

    /// Deletes `key`; a missing object is no error (13 §2.3).
    pub async fn delete(&self, key: &Path) -> Result<(), StorageError> {
        match self.store.delete(key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(StorageError::Store(e)),
        }
    }

    /// Deletes every object under `parts` (a file's thumbnails, an app), in bulk
    /// where the store supports it.
    pub async fn delete_all(&self, parts: &[&str]) -> Result<(), StorageError> {
        let prefix = self.path(parts);
        let keys = self
            .store
            .list(Some(&prefix))
            .map_ok(|m| m.location)
            .boxed();
        let mut deleted = self.store.delete_stream(keys);
        while let Some(r) = deleted.next().await {
            match r {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(StorageError::Store(e)),
            }
        }
        Ok(())
    }

    /// How many objects there are under `parts`.
    pub async fn count(&self, parts: &[&str]) -> Result<usize, StorageError> {
        let prefix = self.path(parts);
        self.store
            .list(Some(&prefix))
            .try_fold(0usize, |n, _| futures_util::future::ready(Ok(n + 1)))
            .await
            .map_err(StorageError::from_store)
    }
}

/// Bytes read from a local file per blocking call.
const LOCAL_READ: usize = 256 * 1024;

async fn local_stream(
    file: std::fs::File,
    range: Range<u64>,
) -> Result<BoxStream<'static, Result<Bytes, StorageError>>, StorageError> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let mut f = tokio::fs::File::from_std(file);
    f.seek(std::io::SeekFrom::Start(range.start))
        .await
        .map_err(|e| {
            StorageError::Store(object_store::Error::Generic {
                store: "local",
                source: Box::new(e),
            })
        })?;
    let limited = f.take(range.end - range.start);
    Ok(
        tokio_util::io::ReaderStream::with_capacity(limited, LOCAL_READ)
            .map_err(|e| {
                StorageError::Store(object_store::Error::Generic {
                    store: "local",
                    source: Box::new(e),
                })
            })
            .boxed(),
    )
}

/// Longest encoded name segment (file systems allow 255 bytes; `object_store`
/// writes a local file through a staging name a few bytes longer).
const MAX_SEGMENT: usize = 200;

/// `name`, shortened until its encoded segment has at most [`MAX_SEGMENT`] bytes;
/// an extension of up to 16 characters is kept.
fn fitted(name: &str) -> String {
    let encoded = |s: &str| PathPart::from(s).as_ref().len();
    if encoded(name) <= MAX_SEGMENT {
        return name.to_string();
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.chars().count() <= 16 => {
            (stem, format!(".{ext}"))
        }
        _ => (name, String::new()),
    };
    // Encoding is per character (a lone `.` is encoded too, so this errs short).
    let room = MAX_SEGMENT.saturating_sub(encoded(&ext));
    let mut used = 0;
    let mut buf = [0u8; 4];
    let stem: Vec<char> = stem
        .chars()
        .take_while(|c| {
            used += encoded(c.encode_utf8(&mut buf));
            used <= room
        })
        .collect();
    let out = format!("{}{ext}", String::from_iter(&stem));
    if out.is_empty() || encoded(&out) > MAX_SEGMENT {
        "file".into()
    } else {
        out
    }
}

/// A streamed write that failed: the input (the caller's error) or the store.
#[derive(Debug)]
pub enum WriteError<E> {
    Input(E),
    Store(StorageError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(root: &std::path::Path) -> Storage {
        let c = StorageConfig {
            local_path: root.to_string_lossy().into_owned(),
            ..StorageConfig::default()
        };
        Storage::open(&c, root).unwrap()
    }

    #[test]
    fn keys_keep_every_name_inside_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let s = local(dir.path());
        for name in [
            "../../etc/passwd",
            "..",
            ".",
            "a/b",
            "%2e%2e",
            "x\\..\\y",
            "\u{0}",
        ] {
            let k = s.key("demo", "id1", name);
            let parts: Vec<_> = k.parts().collect();
            assert_eq!(parts.len(), 3, "{name} → {k}");
            assert_eq!(parts[0].as_ref(), "demo");
            assert_eq!(parts[1].as_ref(), "id1");
            let path = s.storage_path(&k);
            assert!(path.starts_with(&*dir.path().to_string_lossy()), "{path}");
            assert_eq!(s.key_of("demo", "id1", &path).as_ref(), Some(&k), "{name}");
        }
    }

    #[test]
    fn long_names_are_shortened_keeping_the_extension() {
        assert_eq!(fitted("report.pdf"), "report.pdf");
        let cjk = format!("{}.pdf", "文".repeat(300));
        let f = fitted(&cjk);
        assert!(f.ends_with(".pdf") && f.starts_with('文'), "{f}");
        assert!(PathPart::from(f.as_str()).as_ref().len() <= MAX_SEGMENT);
        let ascii = "a".repeat(1000);
        assert_eq!(fitted(&ascii).len(), MAX_SEGMENT);
        let ext = format!("x.{}", "e".repeat(500));
        assert!(PathPart::from(fitted(&ext).as_str()).as_ref().len() <= MAX_SEGMENT);
    }

    #[test]
    fn drivers_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let bad = StorageConfig {
            driver: "ftp".into(),
            ..StorageConfig::default()
        };
        assert_eq!(
            Storage::open(&bad, dir.path()).err().map(|e| e.to_string()),
            Some("storage.driver must be local or s3, not \"ftp\"".into())
        );
        let no_bucket = StorageConfig {
            driver: "s3".into(),
            ..StorageConfig::default()
        };
        assert!(matches!(
            Storage::open(&no_bucket, dir.path()),
            Err(StorageError::NoBucket)
        ));
        let s3 = StorageConfig {
            driver: "S3".into(),
            bucket: "b".into(),
            prefix: "/files/x/".into(),
            endpoint: "http://127.0.0.1:9".into(),
            ..StorageConfig::default()
        };
        let s = Storage::open(&s3, dir.path()).unwrap();
        let k = s.key("demo", "id", "a b.txt");
        assert_eq!(k.as_ref(), "files/x/demo/id/a b.txt");
        assert_eq!(s.storage_path(&k), "s3://b/files/x/demo/id/a b.txt");
        assert_eq!(s.key_of("demo", "id", &s.storage_path(&k)), Some(k));
    }

    #[test]
    fn the_default_root_is_under_the_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::open(&StorageConfig::default(), dir.path()).unwrap();
        assert_eq!(
            s.driver,
            Driver::Local {
                root: dir.path().join("uploads")
            }
        );
        assert!(dir.path().join("uploads").is_dir());
    }
}
