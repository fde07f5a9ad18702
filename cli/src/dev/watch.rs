//! Watching a function's sources: every local package it is built from (itself and its path
//! dependencies, as `cargo metadata` resolves them), recursively, with the `notify` crate.
//!
//! Changes under the target directory, the record folder, `.polyfaas/` (the local blob store),
//! hidden files and folders (`.git`, editor swap files), editor backups (`~`) and `Cargo.lock`
//! are not source changes and are left out; reads and other access events too.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher as _};
use serde::Deserialize;
use tokio::sync::mpsc;

use crate::project::{cargo, Project};

/// How long the sources must be quiet before a batch of changes is handed over (an editor's
/// save is often several events, a `git checkout` many).
pub const SETTLE: Duration = Duration::from_millis(300);

/// Why the sources cannot be watched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WatchError {
    /// `cargo metadata` failed.
    #[error("`cargo metadata --manifest-path {}` failed: {message}", manifest.display())]
    Metadata {
        /// The manifest.
        manifest: PathBuf,
        /// Why.
        message: String,
    },
    /// The file watcher could not be set up.
    #[error("cannot watch {}: {source}", path.display())]
    Notify {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: notify::Error,
    },
}

/// A running watch; changes come out of [`Watch::changed`].
pub struct Watch {
    roots: Vec<PathBuf>,
    ignored: Vec<PathBuf>,
    events: mpsc::UnboundedReceiver<notify::Result<notify::Event>>,
    // Kept alive: dropping it stops the watch.
    _watcher: notify::RecommendedWatcher,
}

impl Watch {
    /// Watches the folders of `project` and of its local path dependencies; changes under
    /// `ignored` (the target and record folders) do not count.
    pub fn start(project: &Project, ignored: Vec<PathBuf>) -> Result<Watch, WatchError> {
        let roots = source_roots(project)?;
        let (tx, events) = mpsc::unbounded_channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            // The receiver is gone only when the watch is dropped.
            let _ = tx.send(event);
        })
        .map_err(|source| WatchError::Notify {
            path: project.dir.clone(),
            source,
        })?;
        for root in &roots {
            watcher
                .watch(root, RecursiveMode::Recursive)
                .map_err(|source| WatchError::Notify {
                    path: root.clone(),
                    source,
                })?;
        }
        let ignored = ignored
            .into_iter()
            .map(|p| std::fs::canonicalize(&p).unwrap_or(p))
            .collect();
        Ok(Watch {
            roots,
            ignored,
            events,
            _watcher: watcher,
        })
    }

    /// The folders watched.
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// Waits for source changes and returns the files changed, once [`SETTLE`] has passed
    /// without another source change. Only source changes count: events under the ignored
    /// folders (a record written per request, cargo reading the sources) neither start nor
    /// prolong the wait. A watcher error is returned as a change of nothing, with the error's
    /// text, so the caller rebuilds to be safe.
    pub async fn changed(&mut self) -> Result<BTreeSet<PathBuf>, String> {
        let mut changed = BTreeSet::new();
        let mut settled_at: Option<tokio::time::Instant> = None;
        loop {
            let event = match settled_at {
                None => self.events.recv().await,
                Some(at) => match tokio::time::timeout_at(at, self.events.recv()).await {
                    Ok(event) => event,
                    Err(_) => return Ok(changed),
                },
            };
            match event {
                None => return Err("the file watcher stopped".to_owned()),
                Some(Err(e)) => return Err(format!("the file watcher failed: {e}")),
                Some(Ok(event)) => {
                    if !counts(&event.kind) {
                        continue;
                    }
                    let sources: Vec<PathBuf> = event
                        .paths
                        .into_iter()
                        .filter(|p| self.is_source(p))
                        .collect();
                    if !sources.is_empty() {
                        changed.extend(sources);
                        settled_at = Some(tokio::time::Instant::now() + SETTLE);
                    }
                }
            }
        }
    }

    /// Whether a change of `path` is a source change.
    pub fn is_source(&self, path: &Path) -> bool {
        is_source(&self.roots, &self.ignored, path)
    }
}

/// Whether `path` is a source file of one of `roots`, outside the `ignored` folders.
fn is_source(roots: &[PathBuf], ignored: &[PathBuf], path: &Path) -> bool {
    let Some(root) = roots.iter().find(|r| path.starts_with(r)) else {
        return false;
    };
    // An ignored folder counts inside a package, not around it (a package may live under the
    // target folder it builds into).
    if ignored
        .iter()
        .any(|dir| path.starts_with(dir) && !root.starts_with(dir))
    {
        return false;
    }
    let relative = path.strip_prefix(root).unwrap_or(path);
    let hidden = relative.components().any(|c| {
        let name = c.as_os_str().to_string_lossy();
        name.starts_with('.') || name == "target"
    });
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    !hidden && !name.ends_with('~') && name != "Cargo.lock"
}

/// Creations, modifications (content or metadata: `touch` changes what cargo compares) and
/// removals; not reads.
fn counts(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any
    )
}

#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Package>,
    resolve: Option<Resolve>,
}

#[derive(Deserialize)]
struct Package {
    id: String,
    source: Option<String>,
    manifest_path: PathBuf,
}

#[derive(Deserialize)]
struct Resolve {
    nodes: Vec<Node>,
}

#[derive(Deserialize)]
struct Node {
    id: String,
    dependencies: Vec<String>,
}

/// The folders of the package and of every local package it depends on, however indirectly
/// (in a workspace, the members it uses; elsewhere, its path dependencies).
fn source_roots(project: &Project) -> Result<Vec<PathBuf>, WatchError> {
    let failed = |message: String| WatchError::Metadata {
        manifest: project.manifest_path.clone(),
        message,
    };
    let mut command = Command::new(cargo());
    polyfaas_testkit::build::scrub_cargo_env(&mut command);
    let output = command
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(&project.manifest_path)
        .output()
        .map_err(|e| failed(e.to_string()))?;
    if !output.status.success() {
        return Err(failed(
            String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        ));
    }
    let metadata: Metadata = serde_json::from_slice(&output.stdout)
        .map_err(|e| failed(format!("unreadable output: {e}")))?;
    let root_id = metadata
        .packages
        .iter()
        .find(|p| p.manifest_path == project.manifest_path)
        .map(|p| p.id.clone())
        .ok_or_else(|| failed("the package is not in cargo's metadata".to_owned()))?;
    let nodes = metadata.resolve.map(|r| r.nodes).unwrap_or_default();
    let mut reached: HashSet<String> = HashSet::from([root_id.clone()]);
    let mut queue = vec![root_id];
    while let Some(id) = queue.pop() {
        if let Some(node) = nodes.iter().find(|n| n.id == id) {
            for dep in &node.dependencies {
                if reached.insert(dep.clone()) {
                    queue.push(dep.clone());
                }
            }
        }
    }
    let mut roots: Vec<PathBuf> = metadata
        .packages
        .iter()
        .filter(|p| p.source.is_none() && reached.contains(&p.id))
        .filter_map(|p| p.manifest_path.parent().map(Path::to_owned))
        .collect();
    roots.sort();
    // A package inside another one's folder is watched with it.
    let mut outer: Vec<PathBuf> = Vec::new();
    for root in roots {
        if !outer.iter().any(|o| root.starts_with(o)) {
            outer.push(root);
        }
    }
    Ok(outer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_the_packages_files_but_builds_records_and_hidden_ones() {
        let roots = [PathBuf::from("/w/app"), PathBuf::from("/w/core")];
        let ignored = [PathBuf::from("/w/target"), PathBuf::from("/w/app/events")];
        let source = |p: &str| is_source(&roots, &ignored, Path::new(p));
        assert!(source("/w/app/src/main.rs"));
        assert!(source("/w/app/Cargo.toml"));
        assert!(source("/w/core/src/lib.rs"));
        assert!(!source("/w/app/events/000001-http.json"));
        assert!(!source("/w/app/.polyfaas/blobs/visits/Ada"));
        assert!(!source("/w/app/src/.main.rs.swp"));
        assert!(!source("/w/app/src/main.rs~"));
        assert!(!source("/w/app/target/debug/app"));
        assert!(!source("/w/app/Cargo.lock"));
        assert!(!source("/w/elsewhere/src/lib.rs"));
        // A package inside the target folder it builds into is still watched.
        let roots = [PathBuf::from("/w/target/tmp/app")];
        assert!(is_source(
            &roots,
            &ignored,
            Path::new("/w/target/tmp/app/src/main.rs")
        ));
    }
}
