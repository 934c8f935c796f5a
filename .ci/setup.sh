#!/usr/bin/env bash
# Installs what zkafka needs and is missing on this machine, and nothing else:
#   - the wasm32-unknown-unknown Rust target
#   - trunk 0.21.14 (the newest that builds with rustc 1.95)
#   - wasm-bindgen-cli at the exact wasm-bindgen version in Cargo.lock
#   - with --browser: Debian's chromium and chromium-driver, a CJK font (fonts-wqy-microhei,
#     so the 中文 pages render in headless screenshots), and the e2e test's npm packages
#   - with --peers: Debian's zookeeper package (a real ZooKeeper 3.8 server and zkCli.sh)
#     and Java, the real peer the zkCli differential test is recorded against; and PyPI
#     kafka-python with its codecs in tests/kafka-python/.venv (record batch v2 peer)
# Safe to run again: each step checks first.
set -euo pipefail
cd "$(dirname "$0")/.."

browser=0
peers=0
for arg in "$@"; do
  case "$arg" in
    --browser) browser=1 ;;
    --peers) peers=1 ;;
    *) echo "usage: $0 [--browser] [--peers]" >&2; exit 2 ;;
  esac
done
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

TRUNK_VERSION=0.21.14
if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (this takes about 11 minutes once)"
  cargo install trunk --locked --version "$TRUNK_VERSION"
fi

WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ -z "$WBG_VERSION" ]; then
  echo "[setup] cannot find the wasm-bindgen version in Cargo.lock" >&2
  exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WBG_VERSION" ]; then
  say "installing wasm-bindgen-cli $WBG_VERSION (the version in Cargo.lock)"
  # Not --locked: the CLI's own lock file names a crate version the registry lacks.
  cargo install wasm-bindgen-cli --version "$WBG_VERSION" --force
fi
if ! grep -q "wasm_bindgen = \"$WBG_VERSION\"" Trunk.toml; then
  echo "[setup] Trunk.toml must pin [tools] wasm_bindgen = \"$WBG_VERSION\" (the Cargo.lock version)" >&2
  exit 1
fi

if [ "$browser" = 1 ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
    || ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then
    say "installing Debian's chromium, chromium-driver and a CJK font"
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium chromium-driver fonts-wqy-microhei
  fi
  if [ ! -d tests/e2e/node_modules/playwright-core ]; then
    say "installing the e2e test's npm packages (playwright-core; it uses Debian's chromium)"
    npm ci --prefix tests/e2e --no-audit --no-fund
  fi
fi
if [ "$peers" = 1 ]; then
  if ! dpkg -s zookeeper >/dev/null 2>&1 || ! command -v java >/dev/null; then
    say "installing Debian's zookeeper (a real ZooKeeper 3.8 for the zkCli differential test)"
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends zookeeper default-jre-headless
  fi
fi
if [ "$peers" = 1 ]; then
  venv=tests/kafka-python/.venv
  if ! "$venv/bin/python" -c 'import kafka, snappy, lz4, zstandard' 2>/dev/null; then
    say "installing kafka-python and its codecs into $venv (the record batch peer)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r tests/kafka-python/requirements.txt
  fi
fi
say "ready"
