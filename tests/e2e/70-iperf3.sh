#!/usr/bin/env bash
# tests/e2e/70-iperf3.sh - iperf3 TCP through masqd, both directions
#
#   masq-t$$-lan   eth0 192.168.0.2/24, default via 192.168.0.1
#        |         (iperf3 -c 203.0.113.2 -t 3, then -R)
#   masq-t$$-gw    lan0 192.168.0.1  <-- build/masqd owns both at layer 2
#                  wan0 203.0.113.1
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 (iperf3 -s)
#
# Each run must end by itself with status 0 and the receiver must report
# more than 0 bit/s (the figures go to the log). E2E_OFFLOAD=on|off picks
# the lab's veth offloads (tests/e2e/run.sh runs this file with both).
# Then the receive rings' copy path: with offloads on, GSO super-frames
# longer than a ring slot must have come whole through it (io_*_rx_copied
# above 0, none lost as io_*_rx_truncated); with them off every frame fits
# a slot (rx_copied 0).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init iperf3_tcp_lan_to_wan iperf3_tcp_reverse ring_copy_path
e2e_need iperf3 iperf3
e2e_need ping iputils-ping

lab_up || exit 1
sleep 0.3
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
warm lan 203.0.113.2 || log "  (no answer to the warm-up pings)"

# The server serves any number of tests (one after another) for 40 s.
bg wan iperf3-server 40 iperf3 -s -B 203.0.113.2 -p 5201
SRV_PID=$BG_PID
wait_listen wan tcp 203.0.113.2:5201 || log "  (iperf3 server not listening yet)"

# bits NAME JSON-FILE: "BITS BYTES" the receiver reported (sum_received)
bits() {
	"$PY" - "$1" <<'PYEOF' 2>>"$LOG"
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print("0 0 unreadable-json:%s" % type(e).__name__); sys.exit()
if "error" in d:
    print("0 0 error:%s" % d["error"].replace(" ", "_")); sys.exit()
r = d.get("end", {}).get("sum_received", {})
print("%d %d" % (r.get("bits_per_second", 0), r.get("bytes", 0)))
PYEOF
}

# iperf_case NAME [iperf3 options]: one 3-second TCP run
iperf_case() {
	local name=$1 rc res b n
	shift
	log "+ ip netns exec $NS_LAN iperf3 -c 203.0.113.2 -p 5201 -t 3 -J --connect-timeout 3000 $*"
	timeout -k 2 20 ip netns exec "$NS_LAN" iperf3 -c 203.0.113.2 -p 5201 -t 3 -J \
		--connect-timeout 3000 "$@" >"$WORK/$name.json" 2>>"$LOG"
	rc=$?
	res=$(bits "$WORK/$name.json")
	b=${res%% *}
	n=$(echo "$res" | cut -d' ' -f2)
	log "  status $rc, receiver: $b bit/s, $n bytes ($res)"
	if [ $rc -eq 0 ] && [ "${b:-0}" -gt 0 ] && [ "${n:-0}" -gt 0 ]; then
		ok "$name"
		echo "  $name: $((b / 1000000)) Mbit/s (offload $E2E_OFFLOAD)" >>"$LOG"
	elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		fail "$name" "iperf3 did not end within 20 s ($res)"
	else
		fail "$name" "iperf3 status $rc, receiver $b bit/s ($res; $WORK/$name.json)"
	fi
}

# io_sum FIELD: FIELD summed over lan0 and wan0 (masqctl stats)
io_sum() {
	timeout 5 "$MASQCTL" -s "$SOCK" stats 2>>"$LOG" |
		awk -v f="$1" '$1 == "io_lan0_" f || $1 == "io_wan0_" f { n += $2 }
			       END { print n + 0 }'
}

# copy_path_case: what the rings' copy path did, against the offloads
copy_path_case() {
	local copied trunc
	copied=$(io_sum rx_copied)
	trunc=$(io_sum rx_truncated)
	log "  rx_copied $copied, rx_truncated $trunc (offload $E2E_OFFLOAD)"
	if [ "$E2E_OFFLOAD" = on ] && [ "$copied" -gt 0 ] && [ "$trunc" -eq 0 ]; then
		ok ring_copy_path
	elif [ "$E2E_OFFLOAD" != on ] && [ "$copied" -eq 0 ]; then
		ok ring_copy_path
	else
		fail ring_copy_path "offload $E2E_OFFLOAD: rx_copied $copied, rx_truncated $trunc"
	fi
}

iperf_case iperf3_tcp_lan_to_wan
iperf_case iperf3_tcp_reverse -R
stop "$SRV_PID"
copy_path_case
stats_log
