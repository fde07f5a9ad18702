//! Google Cloud Storage through OpenDAL's GCS service (the JSON API).
//!
//! Why not `object_store` here, as for S3 and Azure: its GCS client speaks the XML API, which no
//! GCS emulator that installs from a package registry implements (fake-gcs-server answers 1 of
//! 14 basic checks, gcp-storage-emulator none), so it could not be tested against a real server.
//! OpenDAL's GCS service speaks the JSON API that fake-gcs-server implements.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::TryStreamExt;
use opendal::layers::RetryLayer;
use opendal::services::Gcs;
use opendal::{ErrorKind, Metadata, Operator};

use super::stream::{io_error, READ_CHUNK};
use super::transfer::{self, PART_SIZE};
use super::unbound::BucketOpener;
use super::{
    BlobError, BlobKey, BlobMeta, BlobStore, BlobWriter, Capabilities, EnvVars, StoreLocation,
};

/// Variables that tell the store runs on Google Cloud, where the metadata server gives tokens.
const ON_GOOGLE_CLOUD: [&str; 3] = ["K_SERVICE", "FUNCTION_TARGET", "GCE_METADATA_HOST"];

/// Opens `bucket` (under `prefix`) with the settings in `env`: `STORAGE_EMULATOR_HOST` (an
/// emulator, no credentials), `GOOGLE_APPLICATION_CREDENTIALS` (a service-account key file), or,
/// on Google Cloud (`K_SERVICE`/`FUNCTION_TARGET` set), the metadata server's tokens.
/// `GOOGLE_CLOUD_STORAGE_ENDPOINT` overrides the endpoint.
pub(crate) fn open(
    bucket: &str,
    prefix: &str,
    env: &EnvVars,
) -> Result<Arc<dyn BlobStore>, BlobError> {
    super::tls::install_ring_provider();
    install_http_transport();
    let location = StoreLocation::new(bucket, prefix);
    let mut builder = Gcs::default()
        .bucket(bucket)
        .root(&format!("/{}", location.prefix))
        .disable_config_load();
    if let Some(host) = env.get("STORAGE_EMULATOR_HOST") {
        let endpoint = if host.contains("://") {
            host.to_owned()
        } else {
            format!("http://{host}")
        };
        builder = builder
            .endpoint(endpoint.trim_end_matches('/'))
            .skip_signature()
            .disable_vm_metadata();
    } else {
        if let Some(endpoint) = env.get("GOOGLE_CLOUD_STORAGE_ENDPOINT") {
            builder = builder.endpoint(endpoint);
        }
        check(env)?;
        if let Some(path) = env.get("GOOGLE_APPLICATION_CREDENTIALS") {
            builder = builder.credential_path(path).disable_vm_metadata();
        }
    }
    let op = Operator::new(builder)
        .map_err(|e| {
            BlobError::Config(format!(
                "GCS bucket {bucket:?} could not be configured: {e}"
            ))
        })?
        .layer(RetryLayer::new());
    let reopen_env = env.clone();
    Ok(Arc::new(GcsBlobs {
        op,
        location,
        open: Arc::new(move |b| open(b, "", &reopen_env)),
    }))
}

/// The settings' check done at start-up, without building a client: an emulator, a key file,
/// or Google Cloud's metadata server.
pub(crate) fn check(env: &EnvVars) -> Result<(), BlobError> {
    let found = env.has("STORAGE_EMULATOR_HOST")
        || env.has("GOOGLE_APPLICATION_CREDENTIALS")
        || ON_GOOGLE_CLOUD.iter().any(|v| env.has(v));
    if found {
        return Ok(());
    }
    Err(BlobError::Config(
        "no Google Cloud credentials: set GOOGLE_APPLICATION_CREDENTIALS to a service-account key \
         file (or STORAGE_EMULATOR_HOST for an emulator; on Cloud Run the metadata server is \
         used)"
            .to_owned(),
    ))
}

/// Installs reqwest (on rustls with ring) as OpenDAL's process-wide HTTP transport, once.
fn install_http_transport() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        opendal::HttpTransporter::install_default(
            opendal_http_transport_reqwest::ReqwestTransport::default(),
        );
    });
}

/// Where [`GcsBlobs::put_file`] stages uploads: under a first segment no key may use.
const STAGING: &str = ".polyfaas-staging";

/// A staging object name no other upload uses.
fn staging_name() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{STAGING}/{}-{nanos:x}-{n}", std::process::id())
}

/// One GCS bucket, optionally under a key prefix (OpenDAL's root).
struct GcsBlobs {
    op: Operator,
    location: StoreLocation,
    open: Arc<BucketOpener>,
}

impl GcsBlobs {
    /// Refuses writes under the staging area's name.
    fn writable<'k>(&self, key: &'k BlobKey) -> Result<&'k str, BlobError> {
        if key.segments().next() == Some(STAGING) {
            return Err(BlobError::InvalidKey {
                key: key.to_string(),
                reason: "its first segment `.polyfaas-staging` is reserved by the GCS store",
            });
        }
        Ok(key.as_str())
    }

    fn error(&self, op: &'static str, key: &str) -> impl Fn(opendal::Error) -> BlobError {
        let store = self.describe();
        let key = key.to_owned();
        move |e| match e.kind() {
            ErrorKind::NotFound => BlobError::NotFound {
                key: key.clone(),
                store: store.clone(),
            },
            ErrorKind::ConditionNotMatch | ErrorKind::AlreadyExists => BlobError::AlreadyExists {
                key: key.clone(),
                store: store.clone(),
            },
            ErrorKind::Unsupported => BlobError::Unsupported {
                op,
                store: store.clone(),
            },
            _ => BlobError::Backend {
                store: store.clone(),
                op,
                key: key.clone(),
                source: Box::new(e),
            },
        }
    }

    fn meta(key: &BlobKey, meta: &Metadata) -> BlobMeta {
        BlobMeta {
            key: key.clone(),
            size: meta.content_length(),
            etag: meta.etag().map(str::to_owned),
            content_type: meta.content_type().map(str::to_owned),
            last_modified: meta.last_modified().map(SystemTime::from),
        }
    }
}

#[async_trait]
impl BlobStore for GcsBlobs {
    async fn get(&self, key: &BlobKey) -> Result<Bytes, BlobError> {
        let data = self
            .op
            .read(key.as_str())
            .await
            .map_err(self.error("get", key.as_str()))?;
        Ok(data.to_bytes())
    }

    async fn put(&self, key: &BlobKey, data: Bytes) -> Result<BlobMeta, BlobError> {
        let size = data.len() as u64;
        let meta = self
            .op
            .write(self.writable(key)?, data)
            .await
            .map_err(self.error("put", key.as_str()))?;
        Ok(BlobMeta {
            size,
            ..Self::meta(key, &meta)
        })
    }

    async fn put_if_absent(&self, key: &BlobKey, data: Bytes) -> Result<BlobMeta, BlobError> {
        let size = data.len() as u64;
        let meta = self
            .op
            .write_with(self.writable(key)?, data)
            .if_not_exists(true)
            .await
            .map_err(self.error("put_if_absent", key.as_str()))?;
        Ok(BlobMeta {
            size,
            ..Self::meta(key, &meta)
        })
    }

    /// Streams the file with a resumable upload (JSON API, bounded chunks) to a staging name,
    /// then copies it onto the key server-side and deletes the staging object. OpenDAL's plain
    /// chunked writer would use the XML multipart API instead, which no emulator here has; the
    /// resumable path is what fake-gcs-server implements, so it is the one tested.
    async fn put_file(&self, key: &BlobKey, source: &Path) -> Result<BlobMeta, BlobError> {
        let err = self.error("put_file", key.as_str());
        let mut file = tokio::fs::File::open(source)
            .await
            .map_err(io_error("upload", key))?;
        let staging = staging_name();
        let mut writer = self
            .op
            .writer_with(&staging)
            .if_not_exists(true)
            .chunk(PART_SIZE)
            .await
            .map_err(&err)?;
        let mut sent = 0u64;
        let outcome: Result<(), BlobError> = async {
            loop {
                let chunk = transfer::read_chunk(&mut file, READ_CHUNK, key).await?;
                if chunk.is_empty() {
                    return Ok(());
                }
                sent += chunk.len() as u64;
                writer.write(chunk).await.map_err(&err)?;
            }
        }
        .await;
        if let Err(e) = outcome {
            let _ = writer.abort().await;
            return Err(e);
        }
        writer.close().await.map_err(&err)?;
        let copied = self
            .op
            .copy(&staging, self.writable(key)?)
            .await
            .map_err(&err);
        let _ = self.op.delete(&staging).await;
        copied?;
        let meta = self.op.stat(key.as_str()).await.map_err(&err)?;
        Ok(BlobMeta {
            size: sent,
            ..Self::meta(key, &meta)
        })
    }

    async fn get_to(
        &self,
        key: &BlobKey,
        writer: &mut BlobWriter<'_>,
    ) -> Result<BlobMeta, BlobError> {
        let err = self.error("get", key.as_str());
        let meta = self.op.stat(key.as_str()).await.map_err(&err)?;
        let reader = self.op.reader(key.as_str()).await.map_err(&err)?;
        let chunks = reader
            .into_bytes_stream(..)
            .await
            .map_err(&err)?
            .map_err(|e| BlobError::Io {
                op: "download",
                key: key.to_string(),
                source: e,
            });
        transfer::copy_stream(chunks, writer, key, |e: BlobError| e).await?;
        Ok(Self::meta(key, &meta))
    }

    async fn head(&self, key: &BlobKey) -> Result<BlobMeta, BlobError> {
        let meta = self
            .op
            .stat(key.as_str())
            .await
            .map_err(self.error("head", key.as_str()))?;
        if meta.is_dir() {
            return Err(BlobError::NotFound {
                key: key.to_string(),
                store: self.describe(),
            });
        }
        Ok(Self::meta(key, &meta))
    }

    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, BlobError> {
        // List the prefix's directory recursively, keep files whose key has the prefix.
        let dir = prefix.rsplit_once('/').map_or("/", |(dir, _)| dir);
        let dir = if dir == "/" {
            dir.to_owned()
        } else {
            format!("{dir}/")
        };
        let entries = self
            .op
            .list_with(&dir)
            .recursive(true)
            .await
            .map_err(self.error("list", prefix))?;
        let mut found: Vec<BlobMeta> = entries
            .iter()
            .filter(|e| e.metadata().is_file())
            .filter(|e| !e.path().trim_start_matches('/').starts_with(STAGING))
            .filter_map(|e| {
                let key = BlobKey::parse(e.path().trim_start_matches('/')).ok()?;
                key.as_str()
                    .starts_with(prefix)
                    .then(|| Self::meta(&key, e.metadata()))
            })
            .collect();
        found.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(found)
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        match self.op.delete(self.writable(key)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.error("delete", key.as_str())(e)),
        }
    }

    fn capabilities(&self) -> Capabilities {
        let cap = self.op.info().capability();
        Capabilities {
            put_if_absent: cap.write_with_if_not_exists,
            // put_file streams through a resumable upload (see there).
            multipart_upload: cap.write_with_if_not_exists,
            etag: true,
            last_modified: true,
        }
    }

    fn location(&self) -> Option<StoreLocation> {
        Some(self.location.clone())
    }

    fn open_bucket(&self, bucket: &str) -> Option<Result<Arc<dyn BlobStore>, BlobError>> {
        Some((self.open)(bucket))
    }

    fn describe(&self) -> String {
        if self.location.prefix.is_empty() {
            format!("gs://{}", self.location.bucket)
        } else {
            format!("gs://{}/{}", self.location.bucket, self.location.prefix)
        }
    }
}

impl fmt::Debug for GcsBlobs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GcsBlobs")
            .field("url", &self.describe())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_credentials_name_the_variable() {
        let err = open("b-1", "", &EnvVars::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("GOOGLE_APPLICATION_CREDENTIALS"), "{err}");
        let env = EnvVars::from_pairs([("STORAGE_EMULATOR_HOST", "127.0.0.1:9")]);
        assert_eq!(open("b-1", "p", &env).unwrap().describe(), "gs://b-1/p");
    }
}
