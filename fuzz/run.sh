#!/usr/bin/env bash
# fuzz/run.sh - run every fuzz target briefly; builds nothing (make fuzz-build)
#
# For each target (fuzz/*.c, and any other binary in build/fuzz/):
#   corpus    build/fuzz-corpus/NAME, seeded from fuzz/corpus/NAME/ when that
#             exists and from the target itself (MASQ_FUZZ_WRITE_SEEDS=DIR:
#             targets that know it write a few valid inputs and exit)
#   run       -max_total_time=$FUZZ_SECONDS (default 10), bounded again by
#             timeout(1); crashes land in build/fuzz-artifacts/NAME/
#   log       build/fuzz-logs/NAME.log
#   at once   FUZZ_JOBS targets (default: the number of cores), each one
#             process on one core, so each gets its FUZZ_SECONDS of a core
# Prints "ok fuzz/NAME", "FAIL fuzz/NAME: crash, see FILE" or
# "SKIP fuzz/NAME: ..." per target, in the targets' order. Exits 0:
# failures are the FAIL lines.
set -u
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-10}
case $secs in ''|*[!0-9]*) echo "fuzz/run.sh: FUZZ_SECONDS must be a number" >&2; exit 2;; esac
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $jobs in ''|*[!0-9]*|0) echo "fuzz/run.sh: FUZZ_JOBS must be a number above 0" >&2; exit 2;; esac

names=()
for src in fuzz/*.c; do
	[ -e "$src" ] || continue
	n=${src##*/}; names+=("${n%.c}")
done
for bin in build/fuzz/*; do
	[ -x "$bin" ] || continue
	n=${bin##*/}
	case " ${names[*]} " in *" $n "*) ;; *) names+=("$n");; esac
done

# fuzz_one NAME: seed, run and judge one target; prints its result line
fuzz_one() {
	local name=$1 bin=build/fuzz/$1 corpus arts log before after rc crash
	if [ ! -x "$bin" ]; then
		echo "SKIP fuzz/$name: clang's libFuzzer runtime missing (apt-get install libclang-rt-14-dev)"
		return
	fi
	corpus=build/fuzz-corpus/$name
	arts=build/fuzz-artifacts/$name
	log=build/fuzz-logs/$name.log
	mkdir -p "$corpus" "$arts" build/fuzz-logs
	if [ -d "fuzz/corpus/$name" ]; then
		cp -n fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null || true
	fi
	# the seed writer's own crash is a failure, not a smaller corpus
	if ! MASQ_FUZZ_WRITE_SEEDS=$corpus timeout 30 "$bin" -runs=0 \
		"$corpus" >"$log.seeds" 2>&1; then
		echo "FAIL fuzz/$name: writing its seeds failed ($log.seeds)"
		tail -n 20 "$log.seeds" | sed 's/^/# /'
		return
	fi
	before=$(ls "$arts" | wc -l)
	timeout $((secs + 60)) "$bin" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
		-artifact_prefix="$arts/" "$corpus" >"$log" 2>&1
	rc=$?
	after=$(ls "$arts" | wc -l)
	if [ "$rc" -eq 0 ] && [ "$after" -eq "$before" ]; then
		echo "ok fuzz/$name"
	else
		crash=$(ls -t "$arts" | head -n 1)
		if [ -n "$crash" ] && [ "$after" -gt "$before" ]; then
			echo "FAIL fuzz/$name: crash, see $arts/$crash (log $log; replay: $bin $arts/$crash)"
		elif [ "$rc" -eq 124 ]; then
			echo "FAIL fuzz/$name: did not stop after ${secs}s + 60s, see $log"
		else
			echo "FAIL fuzz/$name: exited with status $rc, see $log"
		fi
	fi
}

# FUZZ_JOBS at a time, each one's line into a file; the lines in order
res=$(mktemp -d "${TMPDIR:-/tmp}/masq-fuzz.XXXXXX") || exit 1
trap 'kill $(jobs -p) 2>/dev/null; wait; rm -rf "$res"' EXIT
trap 'exit 130' INT TERM
i=0
for name in "${names[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
	fuzz_one "$name" >"$res/$i" 2>&1 &
	i=$((i + 1))
done
wait
for ((j = 0; j < i; j++)); do
	cat "$res/$j"
done
exit 0
