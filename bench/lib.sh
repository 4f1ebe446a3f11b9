# bench/lib.sh - helpers the lab benchmarks share (sourced)
# shellcheck shell=bash
#
# The caller sets LOG (a file), OUT (a folder), MASQD, MASQCTL, SOCK and
# NS_GW (the router's namespace) first; MASQD_PID is set here.

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

# masqd_up: masqd with its default configuration in $NS_GW, bounded to 10
# minutes, log in $OUT/masqd.log; true once it answers (5 s at most)
masqd_up() {
	rm -f "$SOCK"
	log "+ [bg masqd] ip netns exec $NS_GW $MASQD --internal lan0=192.168.0.1/24 --external wan0=203.0.113.1/24 -s $SOCK -f"
	timeout -k 2 600 ip netns exec "$NS_GW" "$MASQD" --internal lan0=192.168.0.1/24 \
		--external wan0=203.0.113.1/24 -s "$SOCK" -f >>"$OUT/masqd.log" 2>&1 &
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
	[ -n "$MASQD_PID" ] || return 0
	timeout 5 "$MASQCTL" -s "$SOCK" stats >>"$LOG" 2>&1
	kill "$MASQD_PID" 2>/dev/null
	wait "$MASQD_PID" 2>/dev/null
	MASQD_PID=
}
