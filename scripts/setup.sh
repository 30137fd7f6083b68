#!/usr/bin/env bash
# Sets up a fresh Debian machine (as root) for building and testing Quant Drift, offline except for the npm
# registry and Debian's archive. Idempotent: every step checks whether it is already done and skips if so.
#   1. apt: chromium (headless browser for the tests), libkrb5-dev + ripgrep (code-server's native deps), a C++ toolchain
#   2. npm ci, with onnxruntime-node's CUDA download skipped (the CPU binaries ship in its tarball)
#   3. code-server 4.100.3 (VS Code 1.100.3 for the browser; the newest that runs on node 20) into .cache/code-server
# See ../shared/docs/ENVIRONMENT.md (or the README's "Develop" section) for why each trick is needed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CODE_SERVER_VERSION=4.100.3
CODE_SERVER_PREFIX="$ROOT/.cache/code-server"
STARTED=$(date +%s)

step() { printf '\n== setup: %s\n' "$*"; }
elapsed() { echo "$(($(date +%s) - STARTED)) s"; }

# onnxruntime-node's install script always tries to download CUDA files; skip it in every install path.
export ONNXRUNTIME_NODE_INSTALL=skip
export npm_config_onnxruntime_node_install=skip
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
# Native modules (node-pty, kerberos) build against the installed node's headers, never downloaded ones.
if [[ -f /usr/include/node/node.h ]]; then export npm_config_nodedir=/usr; fi

# ---- 1. Debian packages -----------------------------------------------------------------------------------
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if ((${#missing[@]})); then
  step "apt-get install ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: need root to install ${missing[*]} (run as root, or install them yourself)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  step "apt packages present (chromium, ripgrep, libkrb5-dev, toolchain)"
fi

# ---- 2. npm dependencies ----------------------------------------------------------------------------------
# Up to date when every package in package-lock.json is installed at its locked version (what npm ci would do).
deps_current() {
  node - "$ROOT" <<'EOF'
const fs = require('node:fs');
const path = require('node:path');
const root = process.argv[2];
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
for (const [location, entry] of Object.entries(lock.packages ?? {})) {
  if (!location || entry.link || entry.optional) continue;
  try {
    const installed = JSON.parse(fs.readFileSync(path.join(root, location, 'package.json'), 'utf8'));
    if (installed.version !== entry.version) process.exit(1);
  } catch {
    process.exit(1);
  }
}
EOF
}
if deps_current; then
  step "node_modules matches package-lock.json"
else
  step "npm ci"
  (cd "$ROOT" && npm ci --no-audit --no-fund)
fi

# ---- 3. code-server ---------------------------------------------------------------------------------------
CODE_SERVER_BIN="$CODE_SERVER_PREFIX/node_modules/.bin/code-server"
code_server_current() {
  [[ -x "$CODE_SERVER_BIN" ]] || return 1
  # --version writes a default config file; keep it out of the home folder.
  local scratch
  scratch="$(mktemp -d)"
  XDG_CONFIG_HOME="$scratch" XDG_DATA_HOME="$scratch" "$CODE_SERVER_BIN" --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION "
  local status=$?
  rm -rf "$scratch"
  return $status
}
if code_server_current; then
  step "code-server $CODE_SERVER_VERSION present in .cache/code-server"
else
  step "npm install code-server@$CODE_SERVER_VERSION into .cache/code-server"
  # As root, npm drops privileges for install scripts unless told not to; node-pty runs `npx node-gyp`,
  # which must not stop to ask.
  export npm_config_unsafe_perm=true npm_config_yes=true
  # @vscode/ripgrep downloads rg from GitHub unless its cache already holds the tarball: give it Debian's rg.
  work_tmp="$(mktemp -d)"
  trap 'rm -rf "$work_tmp"' EXIT
  export TMPDIR="$work_tmp"
  rg_cache="$TMPDIR/vscode-ripgrep-cache-1.15.11"
  mkdir -p "$rg_cache"
  cp "$(command -v rg)" "$work_tmp/rg"
  tar -czf "$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$work_tmp" rg
  rm -rf "$CODE_SERVER_PREFIX"
  mkdir -p "$CODE_SERVER_PREFIX"
  # A local install in its own package (not `npm install --global --prefix`): npm hands npm_config_global to
  # code-server's postinstall, whose nested `npm install` would then install over code-server itself.
  echo '{ "name": "quant-drift-code-server", "private": true }' >"$CODE_SERVER_PREFIX/package.json"
  (cd "$CODE_SERVER_PREFIX" && npm install --no-audit --no-fund --no-save "code-server@$CODE_SERVER_VERSION")
  code_server_current || {
    echo "setup: code-server did not install (see the npm output above)" >&2
    exit 1
  }
fi

step "done in $(elapsed)"
