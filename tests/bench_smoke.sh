#!/usr/bin/env bash
# tests/bench_smoke.sh - the in-memory benchmarks still run to the end
#
# Speed is never asserted here (make bench measures it); this only checks
# that each benchmark builds its tables and prints its figures, so a
# change elsewhere that breaks a benchmark's set-up (workers_bench once
# gave worker 1 no hosts and exited "500000 of 1000000 connections"
# unnoticed for a session) fails make check instead of the next bench run.
set -u
cd "$(dirname "$0")/.."
smoke() {	# name figure command...: exits 0 and prints "bench ratio_FIGURE"
	local name=$1 fig=$2 out rc; shift 2
	if [ ! -x "$1" ]; then
		echo "FAIL bench-$name: $1 not built"
		return
	fi
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" = 0 ] && grep -q "^bench ratio_$fig " <<<"$out"; then
		echo "ok bench-$name: $(grep "^bench ratio_$fig " <<<"$out" | head -n 1)"
	else
		echo "FAIL bench-$name: status $rc, no 'bench ratio_$fig' line: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
	fi
}
smoke workers workers2_vs_1 build/bench/workers_bench --quick
