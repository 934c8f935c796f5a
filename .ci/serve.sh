#!/usr/bin/env bash
# Installs what is missing, builds the playground and serves it at http://127.0.0.1:8080
set -euo pipefail
cd "$(dirname "$0")/.."
./.ci/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
echo "[serve] building and serving the playground at http://127.0.0.1:8080 (Ctrl-C stops)"
exec trunk serve --release --offline --address 127.0.0.1 --port 8080
