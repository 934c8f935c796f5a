#!/usr/bin/env bash
# Thin wrapper: the harness is real.py (same directory).
#   tests/zab-real/real.sh scenarios/01-fresh-ensemble.zkafka   # print the real outcome lines
#   tests/zab-real/real.sh --all      # re-record expected/*.out on a real ensemble
#   tests/zab-real/real.sh --check    # rerun every scenario, compare with expected/
# Needs Debian's `zookeeper` package (3.8.0), java 17 and python3.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 "$here/real.py" "$@"
