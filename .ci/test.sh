#!/usr/bin/env bash
# Installs what is missing, then runs every test: formatting, lints, engine/CLI/lesson
# tests (the zkCli and real-ensemble differential tests among them), the recorded zkCli
# transcripts against a real ZooKeeper 3.8 server, the fault scenarios against a real
# 3-server ensemble, the wasm trace-hash test in headless Chromium, the release
# build of the app, and the browser end-to-end test against that build.
set -euo pipefail
cd "$(dirname "$0")/.."
./.ci/setup.sh --browser --peers
export PATH="$HOME/.cargo/bin:$PATH"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "lints (native crates, then the wasm app)"
cargo clippy --all-targets --locked -- -D warnings
cargo clippy -p zkafka-web --target wasm32-unknown-unknown --locked -- -D warnings

step "engine, CLI, lesson and determinism tests"
cargo test --locked

step "the web app's pure logic (tree rows, Stat diffs, quiz phases), natively"
cargo test --locked -p zkafka-web

step "zkCli transcripts: the recorded outputs are still what a real ZooKeeper 3.8 prints"
./tests/zkcli/real.sh --check

step "ZAB under faults: a real 3-server ZooKeeper 3.8 ensemble still does what tests/zab-real/expected records"
./tests/zab-real/real.sh --check

step "wasm: the same lesson and seed give the same trace hash in headless Chromium"
CHROMEDRIVER=/usr/bin/chromedriver cargo test --locked -p zkafka-tests --target wasm32-unknown-unknown --test wasm_trace

step "release build of the playground"
trunk build --release --offline

step "browser end-to-end test"
./tests/e2e/serve_and_test.sh

step "all tests passed"
