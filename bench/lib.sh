# bench/lib.sh - helpers the lab benchmarks share (sourced)
# shellcheck shell=bash
#
# The caller sources it from the project's root (its own first step is
# `cd "$(dirname "$0")/.."`), which sets ROOT, LAB (lab.sh), MASQD and
# MASQCTL (BENCH_MASQD and BENCH_MASQCTL name other builds); it sets LOG
# (a file), OUT (a folder) and NS_GW (the router's namespace), then calls
# bench_scaffold, which makes RUNDIR, SOCK and the cleanup trap;
# MASQD_PID is set here.

ROOT=$(pwd)
LAB=$ROOT/lab/lab.sh
MASQD=${BENCH_MASQD:-$ROOT/build/masqd}
MASQCTL=${BENCH_MASQCTL:-$ROOT/build/masqctl}

log() { echo "$*" >>"$LOG"; }

x() {	# SECONDS CMD...: bounded, logged, output to the log
	local s=$1 rc
	shift
	log "+ $*"
	timeout -k 2 "$s" "$@" >>"$LOG" 2>&1
	rc=$?
	[ $rc -eq 0 ] || log "  (status $rc)"
	return $rc
}

# masqd_up: masqd with its default configuration in $NS_GW (plus the words
# of $BENCH_MASQD_ARGS, e.g. --no-gro, then its own arguments), bounded
# to 10 minutes, log in
# $OUT/masqd.log; true once it answers (5 s at most)
masqd_up() {
	local extra
	read -r -a extra <<<"${BENCH_MASQD_ARGS:-}"
	rm -f "$SOCK"
	log "+ [bg masqd] ip netns exec $NS_GW $MASQD --internal lan0=192.168.0.1/24 --external wan0=203.0.113.1/24 -s $SOCK -f ${extra[*]} $*"
	timeout -k 2 600 ip netns exec "$NS_GW" "$MASQD" --internal lan0=192.168.0.1/24 \
		--external wan0=203.0.113.1/24 -s "$SOCK" -f "${extra[@]}" "$@" >>"$OUT/masqd.log" 2>&1 &
	MASQD_PID=$!
	for _ in $(seq 50); do
		[ -S "$SOCK" ] && timeout 2 "$MASQCTL" -s "$SOCK" stats >/dev/null 2>&1 && return 0
		kill -0 "$MASQD_PID" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

# masqd_down: its counters into the log, then SIGTERM and wait
masqd_down() {
	local ino
	[ -n "$MASQD_PID" ] || return 0
	timeout 5 "$MASQCTL" -s "$SOCK" stats >>"$LOG" 2>&1
	ino=$(ip netns exec "$NS_GW" stat -L -c %i /proc/self/ns/net 2>/dev/null)
	kill "$MASQD_PID" 2>/dev/null
	wait "$MASQD_PID" 2>/dev/null
	# the state a stopping masqd leaves for a successor (handover.c) has
	# none here, and a later namespace may get the same inode (e2e 102
	# then finds it): gone with the lab
	[ -n "$ino" ] && rm -rf "/run/masq/$ino"
	MASQD_PID=
}

# bench_scaffold: $OUT and an empty $LOG; RUNDIR (a private folder) and
# SOCK in it; PIDS (what bg starts), MASQD_PID and LAB_UP (set it to 1 once
# the lab is up), all stopped and taken down by the EXIT trap, which
# removes RUNDIR and $OUT/www
bench_scaffold() {
	mkdir -p "$OUT"
	: >"$LOG"
	RUNDIR=$(mktemp -d /tmp/masq-t$$.XXXXXX)
	SOCK=$RUNDIR/masqd.sock
	PIDS=()
	MASQD_PID=
	LAB_UP=0
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM HUP
}

bench_cleanup() {
	local p
	trap - EXIT INT TERM HUP
	for p in "${PIDS[@]}" $MASQD_PID; do kill "$p" 2>/dev/null; done
	[ "$LAB_UP" = 1 ] && timeout -k 2 30 "$LAB" down >>"$LOG" 2>&1
	for p in "${PIDS[@]}" $MASQD_PID; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$RUNDIR" "$OUT/www"
}

bg() {	# SECONDS NAME NS CMD...: in the background, bounded; pid in BG_PID
	local s=$1 name=$2 ns=$3
	shift 3
	log "+ [bg $name, ${s}s] ip netns exec $ns $*"
	timeout -k 2 "$s" ip netns exec "$ns" "$@" >"$OUT/$name.out" 2>&1 &
	BG_PID=$!
	PIDS+=("$BG_PID")
}

listening() {	# NS ADDR:PORT: wait (5 s at most) for a TCP listener
	for _ in $(seq 50); do
		timeout 2 ip netns exec "$1" ss -H -tln 2>/dev/null | awk '{print $4}' |
			grep -qxF "$2" && return 0
		sleep 0.1
	done
	return 1
}

# iperf_bits FILE: the receiver's bit/s in iperf3's JSON, 0 if none
iperf_bits() {
	"${PY:-python3}" -c 'import json,sys
try:
    d = json.load(open(sys.argv[1])); print(int(d["end"]["sum_received"]["bits_per_second"]))
except Exception:
    print(0)' "$1"
}
