#!/usr/bin/env bash
# Serves dist/ on 127.0.0.1 (a free port) and runs the browser end-to-end test against it.
# Run from the repo top level after `trunk build --release --offline` and
# `npm ci --prefix tests/e2e`:   tests/e2e/serve_and_test.sh
set -euo pipefail

if [ ! -f dist/index.html ]; then
  echo "serve_and_test: dist/index.html is missing; run 'trunk build --release --offline' first" >&2
  exit 2
fi
if [ ! -d tests/e2e/node_modules/playwright-core ]; then
  echo "serve_and_test: playwright-core is missing; run 'npm ci --prefix tests/e2e' first" >&2
  exit 2
fi

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
python3 -m http.server --bind 127.0.0.1 --directory dist "$PORT" >/dev/null 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

URL="http://127.0.0.1:$PORT/"
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$URL" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$SERVER" 2>/dev/null; then
    echo "serve_and_test: the HTTP server on port $PORT did not start" >&2
    exit 2
  fi
  sleep 0.1
done

echo "serving dist/ at $URL"
ZKAFKA_URL="$URL" node tests/e2e/play_election.mjs
ZKAFKA_URL="$URL" node tests/e2e/consumer_group.mjs
