#!/usr/bin/env bash
# Installs the validators the CLI's tests run on every generated package, from the registries,
# under ~/.cache/polyfaas (override with POLYFAAS_VALIDATORS_DIR):
#
#   cfn-lint 1.58.0, aws-sam-translator 1.115.0 (PyPI)   -> $PREFIX/cli-venv/bin/{cfn-lint,python}
#   @kubernetes-models/knative 2.4.4, js-yaml 4 (npm)    -> $PREFIX/cli-node/node_modules
#   with --arm64 also cargo-zigbuild 0.24.1, ziglang 0.17.1 (PyPI) -> $PREFIX/cli-venv/bin, for
#   `cargo polyfaas build --arch arm64` (put that folder on PATH; the tests do not need them)
#
# Idempotent. The tests find them there, or where POLYFAAS_VALIDATORS_DIR points.
set -euo pipefail

PREFIX="${POLYFAAS_VALIDATORS_DIR:-$HOME/.cache/polyfaas}"
PY="${PYTHON:-python3}"
log() { echo "== install-validators: $*"; }

if [ ! -x "$PREFIX/cli-venv/bin/python" ]; then
    log "creating $PREFIX/cli-venv"
    mkdir -p "$PREFIX"
    "$PY" -m venv "$PREFIX/cli-venv"
fi
VPIP=("$PREFIX/cli-venv/bin/python" -m pip --disable-pip-version-check -q)
if ! "$PREFIX/cli-venv/bin/python" -c 'import cfnlint, samtranslator' 2>/dev/null; then
    log "pip install cfn-lint aws-sam-translator"
    "${VPIP[@]}" install 'cfn-lint==1.58.0' 'aws-sam-translator==1.115.0'
fi
if [ "${1:-}" = "--arm64" ] && [ ! -x "$PREFIX/cli-venv/bin/cargo-zigbuild" ]; then
    log "pip install cargo-zigbuild ziglang"
    "${VPIP[@]}" install 'cargo-zigbuild==0.24.1' 'ziglang==0.17.1'
fi

if [ ! -f "$PREFIX/cli-node/node_modules/@kubernetes-models/knative/package.json" ]; then
    log "npm install @kubernetes-models/knative js-yaml"
    mkdir -p "$PREFIX/cli-node"
    ( cd "$PREFIX/cli-node"
      [ -f package.json ] || echo '{"name":"polyfaas-validators","private":true}' > package.json
      npm install --no-audit --no-fund --loglevel=error '@kubernetes-models/knative@2.4.4' 'js-yaml@4.1.0' )
fi

log "done:"
"$PREFIX/cli-venv/bin/cfn-lint" --version
"$PREFIX/cli-venv/bin/python" -c 'import samtranslator; print("aws-sam-translator", samtranslator.__version__)'
node -e "console.log('@kubernetes-models/knative', require('$PREFIX/cli-node/node_modules/@kubernetes-models/knative/package.json').version)"
