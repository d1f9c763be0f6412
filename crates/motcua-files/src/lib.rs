//! Attachments and results: checked by content (not by name), fingerprinted with SHA-256 and
//! sealed before they reach storage, through `object_store` (a local folder by default, any
//! S3-compatible store at scale).

use std::path::Path;
use std::sync::Arc;

use motcua_vault::Vault;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Largest file accepted by default: a scanned multi-page PDF fits, a video does not.
pub const DEFAULT_MAX_BYTES: usize = 10 * 1024 * 1024;

/// File kinds accepted for dossier components and results.
pub const ALLOWED_TYPES: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

/// Why a file was refused; the text is shown to people as it is.
#[derive(Debug, Error)]
pub enum FileError {
    #[error("Tệp rỗng.")]
    Empty,
    #[error("Tệp quá lớn: tối đa {} MB.", .max / (1024 * 1024))]
    TooLarge { max: usize },
    #[error("Chỉ nhận tệp PDF, JPEG hoặc PNG (nội dung tệp không phải các định dạng này).")]
    UnsupportedType,
    #[error("Lỗi lưu trữ tệp: {0}")]
    Store(#[from] object_store::Error),
    #[error("Tệp lưu trữ bị hỏng hoặc không giải mã được.")]
    Damaged,
    /// The store has no file under the recorded key.
    #[error("Không tìm thấy tệp trong kho lưu trữ.")]
    Missing,
}

/// What was stored, for the attachment record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub key: String,
    pub sha256: String,
    pub size: u64,
    pub content_type: &'static str,
}

#[derive(Clone)]
pub struct FileStore {
    store: Arc<dyn ObjectStore>,
    vault: Arc<Vault>,
    max_bytes: usize,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileStore({})", self.store)
    }
}

/// The content type of `bytes` as their first bytes say, if it is one we accept.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let kind = infer::get(bytes)?;
    ALLOWED_TYPES
        .iter()
        .copied()
        .find(|t| *t == kind.mime_type())
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Why a files URL was refused.
#[derive(Debug, Error)]
#[error("--files-url {url}: {why}")]
pub struct FilesUrlError {
    pub url: String,
    pub why: String,
}

impl FileStore {
    /// The store a URL names: `file:///path` (a local folder) or
    /// `s3://bucket?endpoint=http://host:port&region=…` (any S3-compatible store; the keys are
    /// `keys` (access key, secret key) or else `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`,
    /// never the URL). Several nodes share attachments by sharing the bucket.
    pub fn open(
        url: &str,
        keys: Option<(&str, &str)>,
        vault: Arc<Vault>,
    ) -> Result<Self, FilesUrlError> {
        let refuse = |why: &str| FilesUrlError {
            url: url.to_string(),
            why: why.to_string(),
        };
        if let Some(path) = url.strip_prefix("file://") {
            if !path.starts_with('/') {
                return Err(refuse(
                    "cần đường dẫn tuyệt đối, ví dụ file:///var/lib/motcua/files",
                ));
            }
            return FileStore::local(Path::new(path), vault).map_err(|e| refuse(&e.to_string()));
        }
        let Some(rest) = url.strip_prefix("s3://") else {
            return Err(refuse("chỉ nhận file:///… hoặc s3://bucket?endpoint=…"));
        };
        let (bucket, query) = rest.split_once('?').unwrap_or((rest, ""));
        let bucket = bucket.trim_end_matches('/');
        if bucket.is_empty() || bucket.contains('/') {
            return Err(refuse("thiếu tên bucket (s3://bucket?endpoint=…)"));
        }
        let mut builder = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .with_region("us-east-1");
        if let Some((access, secret)) = keys {
            builder = builder
                .with_access_key_id(access)
                .with_secret_access_key(secret);
        }
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("endpoint", e)) => {
                    builder = builder
                        .with_endpoint(e)
                        .with_allow_http(e.starts_with("http://"));
                }
                Some(("region", r)) => builder = builder.with_region(r),
                _ => {
                    return Err(refuse(&format!(
                        "không hiểu tham số «{pair}» (endpoint, region)"
                    )));
                }
            }
        }
        let store = builder.build().map_err(|e| refuse(&e.to_string()))?;
        Ok(FileStore {
            store: Arc::new(store),
            vault,
            max_bytes: DEFAULT_MAX_BYTES,
        })
    }

    /// A store in a local folder (created if missing).
    pub fn local(root: &Path, vault: Arc<Vault>) -> Result<Self, FileError> {
        std::fs::create_dir_all(root).map_err(|e| {
            FileError::Store(object_store::Error::Generic {
                store: "local",
                source: Box::new(e),
            })
        })?;
        let store = LocalFileSystem::new_with_prefix(root)?;
        Ok(FileStore {
            store: Arc::new(store),
            vault,
            max_bytes: DEFAULT_MAX_BYTES,
        })
    }

    /// Checks and stores a file; the key is random, so names never leak into storage paths.
    pub async fn put(&self, bytes: &[u8]) -> Result<StoredFile, FileError> {
        if bytes.is_empty() {
            return Err(FileError::Empty);
        }
        if bytes.len() > self.max_bytes {
            return Err(FileError::TooLarge {
                max: self.max_bytes,
            });
        }
        let content_type = sniff(bytes).ok_or(FileError::UnsupportedType)?;
        let key = format!("files/{}", uuid::Uuid::now_v7().simple());
        let sealed = self.vault.seal(bytes);
        self.store
            .put(&ObjectPath::from(key.as_str()), PutPayload::from(sealed))
            .await?;
        Ok(StoredFile {
            key,
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
            content_type,
        })
    }

    /// Writes, reads back and deletes a small probe: the store takes files now (`/readyz`).
    pub async fn probe(&self) -> Result<(), FileError> {
        let key = ObjectPath::from(format!("probe/{}", uuid::Uuid::now_v7().simple()));
        self.store
            .put(&key, PutPayload::from_static(b"motcua"))
            .await?;
        let back = self.store.get(&key).await?.bytes().await?;
        self.store.delete(&key).await?;
        if back.as_ref() != b"motcua" {
            return Err(FileError::Damaged);
        }
        Ok(())
    }

    /// Reads a file back, opened and checked against its recorded SHA-256.
    pub async fn get(&self, key: &str, expected_sha256: &str) -> Result<Vec<u8>, FileError> {
        let sealed = match self.store.get(&ObjectPath::from(key)).await {
            Ok(found) => found.bytes().await?,
            Err(object_store::Error::NotFound { .. }) => return Err(FileError::Missing),
            Err(e) => return Err(e.into()),
        };
        let bytes = self.vault.open(&sealed).map_err(|_| FileError::Damaged)?;
        if sha256_hex(&bytes) != expected_sha256 {
            return Err(FileError::Damaged);
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";
    const PNG: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
    ];

    fn store(dir: &Path) -> FileStore {
        FileStore::local(dir, Arc::new(Vault::from_master(&[1; 32]))).unwrap()
    }

    #[tokio::test]
    async fn stored_file_is_sealed_on_disk_and_comes_back_intact() {
        let dir = tempfile::tempdir().unwrap();
        let fs = store(dir.path());
        let stored = fs.put(PDF).await.unwrap();
        assert_eq!(stored.content_type, "application/pdf");
        assert_eq!(stored.sha256, sha256_hex(PDF));
        let on_disk = std::fs::read(dir.path().join(&stored.key)).unwrap();
        assert!(!on_disk.windows(4).any(|w| w == b"%PDF"), "sealed at rest");
        assert_eq!(fs.get(&stored.key, &stored.sha256).await.unwrap(), PDF);
        assert!(matches!(
            fs.get(&stored.key, "00").await,
            Err(FileError::Damaged)
        ));
    }

    #[tokio::test]
    async fn type_is_judged_by_content_and_size_is_limited() {
        let dir = tempfile::tempdir().unwrap();
        let fs = store(dir.path());
        assert_eq!(fs.put(PNG).await.unwrap().content_type, "image/png");
        assert!(matches!(
            fs.put(b"MZ\x90\x00 not a pdf").await,
            Err(FileError::UnsupportedType)
        ));
        assert!(matches!(fs.put(b"").await, Err(FileError::Empty)));
        let mut big = PDF.to_vec();
        big.resize(DEFAULT_MAX_BYTES + 1, b' ');
        assert!(matches!(
            fs.put(&big).await,
            Err(FileError::TooLarge { .. })
        ));
    }
}
