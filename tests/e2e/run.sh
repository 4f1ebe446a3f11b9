#!/usr/bin/env bash
# tests/e2e/run.sh - run the end-to-end tests, one file after another
#
# Each tests/e2e/NN-*.sh builds its own namespace lab (prefix masq-t$$-),
# starts build/masqd in it, prints one "ok|FAIL|SKIP NAME" line per case
# and tears everything down in a trap. Their logs: build/e2e/NN-*.log.
# Without root every case is SKIPped with the reason. E2E_ONLY=PATTERN
# runs only the files whose name matches the shell pattern. After each
# file a line "time e2e-NAME N s" says how long it took.
#
# The issue-5 suite (real programs through masqd) and issue 13's proof
# (the router host's own services: 86-89) -- the files matching E2E_BOTH,
# default "10-masquerade 40-fragments 7[0-9]-* 8[6-9]-*" -- run twice, with
# the lab's veth offloads off and then on (E2E_OFFLOAD=off|on); its cases
# are reported as NAME@offload-off / NAME@offload-on and its logs are
# build/e2e/NN-*-offload-{off,on}.log. Setting E2E_OFFLOAD yourself runs
# every file once, with that setting.
set -u
cd "$(dirname "$0")/../.." || exit 1
mkdir -p build/e2e
BOTH=${E2E_BOTH:-10-masquerade 40-fragments 7[0-9]-* 8[6-9]-*}

run_one() {	# file [offload]: the file, with that offload setting if given
	local t=$1 o=${2:-} name rc t0=$SECONDS
	name=${t##*/}
	name=${name%.sh}
	# 5 minutes per file at most; the file's own trap cleans up on TERM
	if [ -n "$o" ]; then
		E2E_OFFLOAD=$o E2E_TAG=offload-$o timeout -k 30 300 bash "$t"
		rc=$?
		name=$name-offload-$o
	else
		timeout -k 30 300 bash "$t"
		rc=$?
	fi
	if [ $rc -ne 0 ]; then
		echo "FAIL e2e-$name: exited with status $rc (log: build/e2e/$name.log)"
	fi
	echo "time e2e-$name $((SECONDS - t0)) s"
}

for t in tests/e2e/[0-9]*.sh; do
	[ -f "$t" ] || continue
	name=${t##*/}
	name=${name%.sh}
	# shellcheck disable=SC2254 # E2E_ONLY is a pattern
	case "$name" in ${E2E_ONLY:-*}) ;; *) continue ;; esac
	both=0
	set -f	# the words of $BOTH are patterns, not globs for the cwd
	for p in $BOTH; do
		# shellcheck disable=SC2254 # a pattern
		case "$name" in $p) both=1 ;; esac
	done
	set +f
	if [ $both = 1 ] && [ -z "${E2E_OFFLOAD:-}" ]; then
		run_one "$t" off
		run_one "$t" on
	else
		run_one "$t"
	fi
done
exit 0
