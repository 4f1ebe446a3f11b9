#!/usr/bin/env bash
# tests/check.sh - run every test suite and count what they report
#
# Each suite prints one line per test case:
#     ok NAME            passed
#     FAIL NAME: WHY     failed
#     SKIP NAME: WHY     could not run here (the reason says why)
# This script runs the suites, keeps their full output in build/check.log,
# and ends with the line "N passed, N failed, N skipped". It exits
# non-zero when anything failed or a suite crashed. Each suite's time goes
# to the log ("# suite NAME: N s"), each phase's (the part of the suite's
# name before ':') and the whole run's to the end of the output.
#
# The unit, ASan+UBSan and TSan suites are single processes that share
# nothing: they run in two lanes at once (unit then TSan in one,
# ASan+UBSan in the other, about 30 s each) when the machine has two
# cores or more; each lane's output is kept apart and printed and logged
# after, lane by lane, in the order above. Then the binary, fuzz and e2e
# suites, one at a time (fuzz/run.sh runs its targets a core each
# itself; the e2e tests are timing-sensitive and run alone).
set -u
cd "$(dirname "$0")/.."
log=build/check.log
mkdir -p build
: >"$log"
crashed=0
start=$SECONDS

run_suite() {	# name command...
	local name=$1 t0=$SECONDS; shift
	echo "== $name" | tee -a "$log"
	"$@" 2>&1 | tee -a "$log" | grep -E '^(ok|FAIL|SKIP|time) ' || true
	local rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ]; then
		echo "FAIL suite-$name: exited with status $rc" | tee -a "$log"
		crashed=1
	fi
	echo "# suite $name: $((SECONDS - t0)) s" >>"$log"
}

# tsan_run TEST: a ThreadSanitizer build of a unit test. Its reports go to
# a file (build/tsan-TEST.*), not to the test's stderr, which a test may
# point at a pipe of its own, and are copied here. TSan needs a memory
# layout that some kernels' address randomisation breaks (it stops with
# "FATAL: ThreadSanitizer: unexpected memory mapping"); the test then runs
# again with randomisation off (setarch -R), and is SKIPped, with the
# reason, if even that cannot start it. A race found exits 66.
tsan_fatal() {	# output report: TSan could not start (in either)
	{ echo "$1"; cat "$2".* 2>/dev/null; } | grep -q "FATAL: ThreadSanitizer"
}
tsan_run() {
	local t=$1 out rc rep=build/tsan-${1##*/}
	rm -f "$rep".*
	out=$(TSAN_OPTIONS="log_path=$rep ${TSAN_OPTIONS:-}" "$t" 2>&1)
	rc=$?
	if tsan_fatal "$out" "$rep"; then
		echo "# ThreadSanitizer could not start; again without ASLR (setarch -R)"
		rm -f "$rep".*
		out=$(TSAN_OPTIONS="log_path=$rep ${TSAN_OPTIONS:-}" setarch "$(uname -m)" -R "$t" 2>&1)
		rc=$?
		if tsan_fatal "$out" "$rep"; then
			echo "$out"
			cat "$rep".* 2>/dev/null
			echo "SKIP tsan-${t##*/}: ThreadSanitizer cannot map its memory on this kernel ($(uname -r)), even under setarch -R"
			return 0
		fi
	fi
	echo "$out"
	cat "$rep".* 2>/dev/null
	[ "$rc" -eq 66 ] && echo "FAIL tsan-${t##*/}: ThreadSanitizer reported a data race (the report is in build/check.log)"
	return "$rc"
}

lane_unit_tsan() {
	local t
	for t in build/tests/*; do
		[ -x "$t" ] && run_suite "unit:${t##*/}" "$t"
	done
	for t in build/tests-tsan/*; do
		[ -x "$t" ] && run_suite "tsan:${t##*/}" tsan_run "$t"
	done
}
lane_asan() {
	local t
	for t in build/tests-san/*; do
		[ -x "$t" ] && run_suite "asan+ubsan:${t##*/}" "$t"
	done
}
# lane NAME FUNCTION: the function's suites, their log and output into
# build/check-NAME.{log,out}; its status says whether a suite crashed
lane() {
	log=build/check-$1.log
	: >"$log"
	"$2" >"build/check-$1.out"
	exit "$crashed"
}
if [ "$(nproc 2>/dev/null || echo 1)" -ge 2 ]; then
	echo "== unit and tsan suites beside the asan+ubsan suites (their lines follow)" | tee -a "$log"
	(lane unit-tsan lane_unit_tsan) &
	lane1=$!
	(lane asan lane_asan) &
	lane2=$!
	wait "$lane1" || crashed=1
	wait "$lane2" || crashed=1
	for l in unit-tsan asan; do
		cat "build/check-$l.out"
		cat "build/check-$l.log" >>"$log"
		rm -f "build/check-$l.out" "build/check-$l.log"
	done
else
	lane_unit_tsan
	lane_asan
fi
run_suite binary tests/binary.sh
run_suite bench-smoke tests/bench_smoke.sh
if [ -x fuzz/run.sh ]; then
	# 4 s a target: each one's seeds and its first inputs, briefly (make
	# fuzz runs them 30 s); 8 s took a minute more of the CI budget
	run_suite fuzz env FUZZ_SECONDS="${FUZZ_SECONDS:-4}" fuzz/run.sh
fi
if [ -x tests/e2e/run.sh ]; then
	run_suite e2e tests/e2e/run.sh
fi

passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^FAIL ' "$log")
skipped=$(grep -c '^SKIP ' "$log")
awk -v all=$((SECONDS - start)) '
	$1 == "#" && $2 == "suite" {
		p = $3; sub(/:$/, "", p); sub(/:.*/, "", p)
		if (!(p in s)) order[n++] = p
		s[p] += $(NF - 1)
	}
	END {
		printf "time:"
		for (i = 0; i < n; i++) printf " %s %d s,", order[i], s[order[i]]
		printf " all %d s\n", all
	}' "$log"
echo "full log: $log"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$crashed" -eq 0 ] && [ "$passed" -gt 0 ]
