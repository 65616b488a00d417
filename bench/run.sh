#!/usr/bin/env bash
# Full-load benchmark: installs the peer tools, builds Ferry, generates the dataset and times
# every pair. Usage: bench/run.sh [--scale 1] [--rounds 5] [--pairs a,b] [--tools x,y] [--regenerate]
# Results: bench/results/<timestamp>.json and a Markdown table on stdout. See BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in pgloader mydumper pgcopydb pt-table-checksum; do
  command -v "$tool" > /dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "[bench] installing peers: pgloader mydumper pgcopydb percona-toolkit" >&2
  apt-get install -y pgloader mydumper pgcopydb percona-toolkit > /dev/null \
    || { apt-get update > /dev/null && apt-get install -y pgloader mydumper pgcopydb percona-toolkit > /dev/null; }
fi
[ -x /usr/bin/time ] || apt-get install -y time > /dev/null

[ -f dist/cli/main.js ] || npm run build --silent
node bench/bench.mjs "$@"
