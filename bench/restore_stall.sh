#!/usr/bin/env bash
# bench/restore_stall.sh - how long forwarding pauses while a 10,000-rule
# iptables-restore is applied through masqd
#
# The lab (lab/lab.sh, prefix masq-b$$-): lan 192.168.0.2 -- gw (masqd)
# -- wan 203.0.113.2. The lan node pings the wan node through masqd every
# ${BENCH_PING_MS:-1} ms (ping -D: each reply with its arrival time); the
# longest time between two consecutive replies is how long nothing came
# through. Two phases, in one run and one masqd:
#   idle     ${BENCH_IDLE_PINGS:-2000} pings, no control command
#   restore  pings from 1 s before to 1 s after ${BENCH_RESTORES:-3}
#            restores, run one after another, alternating two rulesets: masqd's
#            default (iptables-save) plus 10,000 FORWARD rules that match
#            nothing (-s 172.N.x.y/32 -p tcp --dport P -j DROP); so the
#            first replaces the default ruleset, the others 10,000 rules
# and prints, one "bench NAME VALUE UNIT" line each:
#   bench idle_max_gap MS ms            the longest gap in the idle phase
#   bench restore_10k_max_gap MS ms     the longest gap that overlaps a
#                                       restore (from masqctl's start to
#                                       its answer)
#   bench restore_10k_time MS ms        the slowest restore, as masqctl
#                                       sees it (its own parsing too)
# A gap a little above the ping interval is no pause; before masqd built
# rulesets on a second thread, restore_10k_max_gap was the restore's whole
# engine time. A run that fails prints 0 (and why, on stderr).
# BENCH_MASQD / BENCH_MASQCTL measure another build. Every command is
# bounded by timeout; the trap stops what it started and takes the lab
# down. Needs root, ping (iputils), python3. Files and logs:
# build/bench-restore/. Traffic stays inside the lab's namespaces.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=bench/lib.sh
. bench/lib.sh
PING_MS=${BENCH_PING_MS:-1}
IDLE_PINGS=${BENCH_IDLE_PINGS:-2000}
RESTORES=${BENCH_RESTORES:-3}
RULES=10000
case "$RESTORES" in '' | *[!0-9]* | 0) RESTORES=3 ;; esac
case "$IDLE_PINGS" in '' | *[!0-9]* | 0) IDLE_PINGS=2000 ;; esac
case "$PING_MS" in '' | *[!0-9]* | 0) PING_MS=1 ;; esac
export MASQ_LAB_PREFIX=masq-b$$-
NS_LAN=${MASQ_LAB_PREFIX}lan NS_GW=${MASQ_LAB_PREFIX}gw
OUT=$ROOT/build/bench-restore
LOG=$OUT/restore_stall.log
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

skip() { echo "SKIP bench restore_stall: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
for t in ip:iproute2 ping:iputils-ping "$PY":python3 ethtool:ethtool nft:nftables timeout:coreutils; do
	command -v "${t%%:*}" >/dev/null 2>&1 || skip "needs ${t%%:*} (apt-get install ${t##*:})"
done
[ -x "$MASQD" ] && [ -x "$MASQCTL" ] || skip "build/masqd is not built (make)"

mkdir -p "$OUT"
: >"$LOG"
RUNDIR=$(mktemp -d /tmp/masq-b$$.XXXXXX)
SOCK=$RUNDIR/masqd.sock
PING_PID=
MASQD_PID=
LAB_UP=0

note() { echo "bench restore_stall: $*" >&2; log "# $*"; }

cleanup() {
	local p
	trap - EXIT INT TERM HUP
	for p in $PING_PID $MASQD_PID; do kill "$p" 2>/dev/null; done
	[ $LAB_UP = 1 ] && timeout -k 2 30 "$LAB" down >>"$LOG" 2>&1
	for p in $PING_PID $MASQD_PID; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$RUNDIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

now() { date +%s.%N; }	# ping -D's clock (CLOCK_REALTIME)

# ping_start COUNT NAME: COUNT pings from lan to wan in the background,
# bounded in time as well; replies with their times in $OUT/NAME.out
ping_start() {
	local secs=$(($1 * PING_MS / 1000 + 10)) ival
	ival=$(awk -v m="$PING_MS" 'BEGIN { printf "%.3f", m / 1000 }')
	log "+ [bg ping, ${secs}s] ip netns exec $NS_LAN ping -n -D -i $ival -c $1 -W 1 203.0.113.2"
	timeout -k 2 "$secs" ip netns exec "$NS_LAN" ping -n -D -i "$ival" -c "$1" -W 1 \
		203.0.113.2 >"$OUT/$2.out" 2>&1 &
	PING_PID=$!
}
ping_wait() { wait "$PING_PID" 2>/dev/null; PING_PID=; }
ping_end() { kill -INT "$PING_PID" 2>/dev/null; ping_wait; }	# timeout passes it on

# max_gap FILE [WINDOWS]: the longest time in ms between consecutive
# replies in a ping -D output; with a file of "START END" lines, only the
# gaps that overlap one of those windows count
max_gap() {
	awk -v win="${2:-}" '
	BEGIN { n = 0; if (win != "") while ((getline l < win) > 0) { split(l, w, " "); s[n] = w[1]; e[n++] = w[2] } }
	/bytes from/ {
		t = substr($1, 2, length($1) - 2) + 0
		if (have) {
			keep = (win == "")
			for (i = 0; i < n && !keep; i++)
				keep = (t >= s[i] && prev <= e[i])
			if (keep && t - prev > max) max = t - prev
		}
		prev = t; have = 1
	}
	END { printf "%.1f", max * 1000 }' "$1"
}
replies() { grep -c 'bytes from' "$1" 2>/dev/null || echo 0; }


# ruleset BASE NET: BASE (iptables-save text) with $RULES FORWARD rules
# that match nothing added to the filter table
ruleset() {
	"$PY" - "$1" "$2" "$RULES" <<'PYEOF'
import sys
base, net, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
table, done = None, False
for l in open(base).read().splitlines():
    if l.startswith("*"):
        table = l[1:]
    if l == "COMMIT" and table == "filter" and not done:
        for i in range(n):
            print("-A FORWARD -s 172.%s.%d.%d/32 -p tcp --dport %d -j DROP"
                  % (net, i // 250, i % 250 + 1, 1024 + i % 60000))
        done = True
    print(l)
PYEOF
}

fail_out() {
	note "$*"
	echo "bench idle_max_gap 0 ms"
	echo "bench restore_10k_max_gap 0 ms"
	echo "bench restore_10k_time 0 ms"
	exit 0
}

LAB_UP=1
x 60 "$LAB" up || fail_out "lab.sh up failed ($LOG)"
masqd_up || fail_out "masqd did not start ($OUT/masqd.log)"
x 10 ip netns exec "$NS_LAN" ping -n -c 3 -i 0.2 -W 1 203.0.113.2 ||
	note "no ping answer through masqd before the measurement"
log "+ $MASQCTL -s $SOCK iptables-save >$OUT/base.rules"
timeout 10 "$MASQCTL" -s "$SOCK" iptables-save >"$OUT/base.rules" 2>>"$LOG" ||
	fail_out "masqctl iptables-save failed ($LOG)"
ruleset "$OUT/base.rules" 16 >"$OUT/a.rules" && ruleset "$OUT/base.rules" 17 >"$OUT/b.rules" ||
	fail_out "cannot write the rulesets"

# idle
ping_start "$IDLE_PINGS" idle
ping_wait
idle=$(max_gap "$OUT/idle.out")
log "# idle: $(replies "$OUT/idle.out") of $IDLE_PINGS replies, max gap $idle ms"

# restores: pings from 1 s before to 1 s after (at most 60 s of them)
count=$((60000 / PING_MS))
ping_start "$count" restore
sleep 1
: >"$OUT/windows"
slow=0
for r in $(seq "$RESTORES"); do
	f=$OUT/a.rules
	[ $((r % 2)) -eq 0 ] && f=$OUT/b.rules
	t0=$(now)
	x 30 "$MASQCTL" -s "$SOCK" iptables-restore "$f" || note "restore $r failed"
	t1=$(now)
	echo "$t0 $t1" >>"$OUT/windows"
	ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
	log "# restore $r ($(basename "$f")): $ms ms"
	slow=$(awk -v a="$slow" -v b="$ms" 'BEGIN { print (b > a ? b : a) }')
	sleep 0.5
done
sleep 0.5
ping_end
# (printed as the string it is: a number would print as %.6g, 1.79566e+09)
last=$(awk '/bytes from/ { t = $1 } END { print substr(t, 2, length(t) - 2) }' "$OUT/restore.out")
awk -v a="$last" -v b="$t1" 'BEGIN { exit !(a > b) }' ||
	note "the pings ended before the last restore did: its gap is not measured"
n=$(timeout 10 "$MASQCTL" -s "$SOCK" iptables-save 2>>"$LOG" | grep -c '^-A FORWARD -s 172\.1[67]\.' || true)
[ "$n" = "$RULES" ] || note "after the restores iptables-save shows $n of the $RULES rules"
gap=$(max_gap "$OUT/restore.out" "$OUT/windows")
log "# restore phase: $(replies "$OUT/restore.out") replies ($(grep -o '[0-9]* packets transmitted' "$OUT/restore.out")), max gap $gap ms over the restores, $(max_gap "$OUT/restore.out") ms over all"
timeout 5 "$MASQCTL" -s "$SOCK" stats >>"$LOG" 2>&1

echo "bench idle_max_gap $idle ms"
echo "bench restore_10k_max_gap $gap ms"
echo "bench restore_10k_time $slow ms"
exit 0
