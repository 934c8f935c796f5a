#!/usr/bin/env bash
# Thin wrapper: the harness is real.py (same directory).
#   tests/zkcli/real.sh transcripts/01-basics.zk   # print normalised real output
#   tests/zkcli/real.sh --all                      # regenerate expected/*.out
#   tests/zkcli/real.sh --check                    # rerun all, diff against expected/
#   tests/zkcli/real.sh --raw FILE.zk              # un-normalised merged output
# Needs Debian's `zookeeper` package (3.8.0), java 17 and python3.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 "$here/real.py" "$@"
