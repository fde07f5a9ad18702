//! `new NAME`: a function crate that builds and passes its test at once — a handler, its
//! `polyfaas.toml`, the platform features, and a test that calls the handler in process.

use std::path::{Path, PathBuf};

/// Where the new crate's `polyfaas` dependency comes from.
#[derive(Clone, Debug)]
pub enum Source {
    /// A local checkout's `polyfaas/` folder.
    Path(PathBuf),
    /// A git repository (and branch).
    Git {
        /// The repository URL.
        url: String,
        /// The branch, if not the default.
        branch: Option<String>,
    },
}

/// Why the crate could not be created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NewError {
    /// The name is not a valid package and function name.
    #[error("{0:?} cannot name a function: use 1 to 49 lower-case letters, digits and `-`, starting with a letter (it becomes the Lambda, Cloud Run, Azure and OpenWhisk name)")]
    BadName(String),
    /// The folder exists.
    #[error("{} already exists", .0.display())]
    Exists(PathBuf),
    /// No polyfaas checkout was found.
    #[error("no polyfaas checkout at {}: pass --polyfaas-path <checkout>/polyfaas or --git <url>", .0.display())]
    NoCheckout(PathBuf),
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The `polyfaas/` folder of the checkout this CLI was built from.
pub fn default_polyfaas_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(|root| root.join("polyfaas"))
        .unwrap_or_else(|| PathBuf::from("polyfaas"))
}

/// Writes the crate `name` into `dir` (which must not exist) and returns the files written.
pub fn create(name: &str, dir: &Path, source: &Source) -> Result<Vec<PathBuf>, NewError> {
    if crate::declaration::check_function_name(name).is_err() {
        return Err(NewError::BadName(name.to_owned()));
    }
    if dir.exists() {
        return Err(NewError::Exists(dir.to_owned()));
    }
    let dependency = match source {
        Source::Path(path) => {
            let path = std::fs::canonicalize(path)
                .ok()
                .filter(|p| p.join("Cargo.toml").is_file())
                .ok_or_else(|| NewError::NoCheckout(path.clone()))?;
            format!(
                "polyfaas = {{ path = {}, default-features = false }}",
                toml_string(&path.to_string_lossy())
            )
        }
        Source::Git { url, branch } => match branch {
            Some(branch) => format!(
                "polyfaas = {{ git = {}, branch = {}, default-features = false }}",
                toml_string(url),
                toml_string(branch)
            ),
            None => format!(
                "polyfaas = {{ git = {}, default-features = false }}",
                toml_string(url)
            ),
        },
    };
    let files = [
        (
            "Cargo.toml",
            CARGO_TOML
                .replace("{{name}}", name)
                .replace("{{polyfaas}}", &dependency),
        ),
        ("polyfaas.toml", POLYFAAS_TOML.replace("{{name}}", name)),
        ("src/main.rs", MAIN_RS.replace("{{name}}", name)),
        (".gitignore", "/target\n/.polyfaas\n".to_owned()),
    ];
    let mut written = Vec::new();
    for (file, text) in files {
        let path = dir.join(file);
        let io = |source| NewError::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&path, text).map_err(io)?;
        written.push(path);
    }
    Ok(written)
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

const CARGO_TOML: &str = r#"[package]
name = "{{name}}"
version = "0.1.0"
edition = "2021"
publish = false

# Each platform is a feature; `cargo polyfaas build --platform P` picks one.
[features]
default = ["local"]
local = ["polyfaas/local"]
aws = ["polyfaas/aws"]
gcp = ["polyfaas/gcp"]
azure = ["polyfaas/azure"]
openwhisk = ["polyfaas/openwhisk"]

[dependencies]
{{polyfaas}}
serde_json = "1"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }

[dev-dependencies]
http = "1"

# A crate of its own; remove this table to make it a member of an enclosing workspace.
[workspace]
"#;

const POLYFAAS_TOML: &str = r#"# How {{name}} is deployed, on every platform:
#   cargo polyfaas package --platform aws|gcp|azure|openwhisk
# Keys: https://docs.rs/polyfaas-cli (module `declaration`).

[function]
memory = 256    # MiB
timeout = 30    # seconds

[environment]
RUST_LOG = "info"

[[trigger]]
name = "web"
type = "http"
auth = "public"

[[trigger]]
name = "nightly"
type = "schedule"
cron = "0 2 * * *"   # UTC
"#;

const MAIN_RS: &str = r##"//! {{name}}: a polyfaas function. `cargo run` serves it on 127.0.0.1:8080;
//! `cargo polyfaas package --platform aws|gcp|azure|openwhisk` writes its deployment.

use polyfaas::{Context, Error, Event, RequestExt, Response};

/// Greets HTTP callers, and answers a schedule's tick with its name.
async fn handle(event: Event, _ctx: Context) -> Result<Response, Error> {
    match event {
        Event::Http(request) => {
            let name = request
                .query_param("name")
                .unwrap_or_else(|| "world".to_owned());
            Ok(Response::text(format!(
                "Hello, {name}! ({} {})\n",
                request.method(),
                request.decoded_path()
            )))
        }
        Event::Schedule(tick) => Response::json(&serde_json::json!({ "tick": tick.name })),
        other => Response::json(&serde_json::json!({ "ignored": other.kind() })),
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    polyfaas::run(polyfaas::handler_fn(handle)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use polyfaas::{Provider, Tick};

    fn ctx() -> Context {
        Context::builder(Provider::LOCAL, "test-1").build()
    }

    #[tokio::test]
    async fn greets_by_name() {
        let request = http::Request::get("/hello?name=Ada")
            .body(Default::default())
            .unwrap();
        let response = handle(Event::Http(request), ctx()).await.unwrap();
        assert_eq!(response.body().as_ref(), b"Hello, Ada! (GET /hello)\n");
    }

    #[tokio::test]
    async fn answers_a_tick_with_its_name() {
        let tick = Tick::new().named("nightly");
        let response = handle(Event::Schedule(tick), ctx()).await.unwrap();
        assert_eq!(response.body().as_ref(), br#"{"tick":"nightly"}"#);
    }
}
"##;
