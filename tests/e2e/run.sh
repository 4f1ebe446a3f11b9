#!/usr/bin/env bash
# tests/e2e/run.sh - run the end-to-end tests, one file after another
#
# Each tests/e2e/NN-*.sh builds its own namespace lab (prefix masq-t$$-),
# starts build/masqd in it, prints one "ok|FAIL|SKIP NAME" line per case
# and tears everything down in a trap. Their logs: build/e2e/NN-*.log.
# Without root every case is SKIPped with the reason. E2E_ONLY=PATTERN
# runs only the files whose name matches the shell pattern.
set -u
cd "$(dirname "$0")/../.." || exit 1
mkdir -p build/e2e
for t in tests/e2e/[0-9]*.sh; do
	[ -f "$t" ] || continue
	name=${t##*/}
	name=${name%.sh}
	# shellcheck disable=SC2254 # E2E_ONLY is a pattern
	case "$name" in ${E2E_ONLY:-*}) ;; *) continue ;; esac
	# 5 minutes per file at most; the file's own trap cleans up on TERM
	timeout -k 30 300 bash "$t"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL e2e-$name: exited with status $rc (log: build/e2e/$name.log)"
	fi
done
exit 0
