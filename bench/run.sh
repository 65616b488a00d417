#!/usr/bin/env bash
# Benchmarks: installs the peer tools, builds Ferry, generates the dataset and times every pair.
#   bench/run.sh [--scale 1] [--rounds 5] [--pairs a,b] [--tools x,y] [--regenerate]   full load
#   bench/run.sh verify [--scale 1] [--rounds 5]                                        verify
#   bench/run.sh sync [--rounds 3] [--changes 500000] [--rate 5000] [--seconds 60]       change data capture
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
# pgcopydb's change data capture decodes with wal2json (bench/sync.mjs allows it on the server).
if [ "${1:-}" = sync ] && [ ! -e /usr/lib/postgresql/15/lib/wal2json.so ]; then
  echo "[bench] installing postgresql-15-wal2json" >&2
  apt-get install -y postgresql-15-wal2json > /dev/null \
    || { apt-get update > /dev/null && apt-get install -y postgresql-15-wal2json > /dev/null; }
fi

# Always the checkout's own code: a stale build would time something else.
npm run build --silent
if [ "${1:-}" = verify ]; then
  shift
  node bench/verify.mjs "$@"
elif [ "${1:-}" = sync ]; then
  shift
  node bench/sync.mjs "$@"
else
  node bench/bench.mjs "$@"
fi
