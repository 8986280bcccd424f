#!/usr/bin/env bash
# One command for the hotwax.oms benchmark (see docs/performance.md): sets up .venv and the collection path
# (`make setup`, a no-op when they are there), then runs benchmarks/run.py with the .venv's Python.
#
#   benchmarks/run.sh            # full run: 1, 10, 130, 500 shops x 0 and 20 ms, about 9 minutes on 2 idle cores
#   benchmarks/run.sh --quick    # 1 shop at 0 ms, under a minute
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
make --no-print-directory -s -C "$root" setup
cd "$root"
exec "$root/.venv/bin/python" benchmarks/run.py "$@"
