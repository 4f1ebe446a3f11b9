#!/usr/bin/env bash
# bench/footprint.sh - masqd's resident memory holding a million connections
#
# masqd --conntrack-max 1048576 in the namespace lab; its VmRSS (packet
# process) idle, then after pktgen has sent one UDP datagram on each of
# about a million flows from the lan side: 16 inside hosts
# (192.168.0.16/28) x 3,907 source ports x 16 destination ports of
# 203.0.113.2 (62,512 endpoints, so every endpoint gets an external port
# of the one external address), host-cap raised to let each host have
# its 62,512. Prints
#
#   bench footprint_conns N conns           what conntrack -C counts
#   bench footprint_rss_idle_1m KiB         VmRSS before the flows
#   bench footprint_rss_full_1m KiB         VmRSS holding them
#   bench footprint_bytes_per_conn N B      the difference over N
#
# The sender is bounded (--count, --seconds); traffic stays in the lab's
# namespaces (masq-t$$-*), taken down at the end. Needs root and
# build/tools/pktgen (make bench-e2e builds it).
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=bench/lib.sh
. bench/lib.sh
PKTGEN=$ROOT/build/tools/pktgen
RATE=${BENCH_FOOTPRINT_RATE:-150000}
export MASQ_LAB_PREFIX=masq-t$$-
NS_LAN=${MASQ_LAB_PREFIX}lan NS_GW=${MASQ_LAB_PREFIX}gw
OUT=$ROOT/build/bench-footprint
LOG=$OUT/footprint.log

skip() { echo "SKIP bench footprint: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
for b in "$MASQD" "$MASQCTL" "$PKTGEN"; do
	[ -x "$b" ] || skip "$b is not built (make bench-e2e)"
done
bench_scaffold
rss_kib() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }
# the packet process: masqd itself, timeout's child (ip netns exec execs it)
packet_pid() { pgrep -P "$MASQD_PID" -x masqd | head -n 1; }
mctl() { timeout 10 "$MASQCTL" -s "$SOCK" "$@"; }

x 60 "$LAB" up || { echo "bench footprint: lab did not come up ($LOG)" >&2; exit 1; }
LAB_UP=1
masqd_up --conntrack-max 1048576 || { echo "bench footprint: masqd did not start ($OUT/masqd.log)" >&2; exit 1; }
x 5 "$MASQCTL" -s "$SOCK" set host-cap 70000
x 5 "$MASQCTL" -s "$SOCK" set timeout udp 600	# none expires meanwhile
sleep 1
PID=$(packet_pid)
[ -n "$PID" ] || { echo "bench footprint: no masqd process under $MASQD_PID" >&2; exit 1; }
idle=$(rss_kib "$PID")
count=1000192
log "+ pktgen $count UDP flows at $RATE/s"
res=$(timeout -k 2 60 ip netns exec "$NS_LAN" "$PKTGEN" -i eth0 \
	--dst-mac 02:6d:71:00:01:01 --mode udp --src 192.168.0.16/28 \
	--sport 10000-13906 --dst 203.0.113.2 --dport 1000-1015 --size 18 \
	--rate "$RATE" --count "$count" --seconds 45 2>>"$LOG")
log "  $res"
sleep 1
full=$(rss_kib "$PID")
conns=$(mctl conntrack -C)
mctl stats >>"$LOG" 2>&1
echo "bench footprint_conns ${conns:-0} conns"
echo "bench footprint_rss_idle_1m $idle KiB"
echo "bench footprint_rss_full_1m $full KiB"
if [ "${conns:-0}" -gt 0 ]; then
	echo "bench footprint_bytes_per_conn $(( (full - idle) * 1024 / conns )) B"
fi
masqd_down
