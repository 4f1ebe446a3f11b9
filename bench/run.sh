#!/usr/bin/env bash
# bench/run.sh - every benchmark, one "bench NAME VALUE UNIT" line each
set -eu
cd "$(dirname "$0")/.."
for b in build/bench/*; do
	[ -x "$b" ] || continue
	"$b" "$@"
done
