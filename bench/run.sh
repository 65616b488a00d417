#!/usr/bin/env bash
# Benchmarks: installs the peer tools, builds Ferry, generates the dataset and times every pair.
#   bench/run.sh [--scale 1] [--rounds 5] [--pairs a,b] [--tools x,y] [--regenerate]   full load
#   bench/run.sh verify [--scale 1] [--rounds 5]                                        verify
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

# Always the checkout's own code: a stale build would time something else.
npm run build --silent
if [ "${1:-}" = verify ]; then
  shift
  node bench/verify.mjs "$@"
else
  node bench/bench.mjs "$@"
fi
