#!/usr/bin/env bash
# bench/gro.sh - what userspace GRO buys: iperf3 through masqd with and
# without --no-gro, in alternating pairs, offloads off
#
# The lab (lab/lab.sh, prefix masq-t$$-, offloads off): lan 192.168.0.2 --
# gw (masqd) -- wan 203.0.113.2. Each of ${ROUNDS:-3} rounds starts masqd
# with GRO (the default), runs iperf3 lan -> wan for ${BENCH_IPERF_SECONDS:-5}
# s, stops it, then the same with --no-gro; so drift hits both alike.
# With BENCH_GRO_FWD=1 the trivial forwarder (build/tools/fwd) runs two
# more legs, with and without GRO: the ceiling of the I/O. masqd's GRO counters
# (masqctl stats: io_lan0_gro_*) go to the log. Prints, per round, a
# "# HH:MM:SS" line with the round's figures, then the medians:
#   bench iperf3_off_masqd_gro VALUE bit/s
#   bench iperf3_off_masqd_nogro VALUE bit/s
#   bench iperf3_off_fwd_gro, iperf3_off_fwd_nogro VALUE bit/s (BENCH_GRO_FWD=1)
#   bench ratio_iperf3_off_gro_vs_nogro VALUE x
# Needs root, iperf3, ethtool, nft; files in build/bench-gro/.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=bench/lib.sh
. bench/lib.sh
FWD=$ROOT/build/tools/fwd
SECS=${BENCH_IPERF_SECONDS:-5}
ROUNDS=${ROUNDS:-3}
case "$ROUNDS" in '' | *[!0-9]* | 0) ROUNDS=3 ;; esac
export MASQ_LAB_PREFIX=masq-t$$-
NS_LAN=${MASQ_LAB_PREFIX}lan NS_GW=${MASQ_LAB_PREFIX}gw NS_WAN=${MASQ_LAB_PREFIX}wan
OUT=$ROOT/build/bench-gro
LOG=$OUT/gro.log

skip() { echo "SKIP bench gro: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
for t in iperf3 ethtool nft; do
	command -v "$t" >/dev/null 2>&1 || skip "needs $t"
done
{ [ -x "$MASQD" ] && [ -x "$MASQCTL" ]; } || skip "build/masqd is not built (make)"
bench_scaffold

iperf_once() {	# NAME: the receiver's bit/s, 0 on failure
	local srv bits
	bg $((SECS + 25)) "iperf3-server-$1" "$NS_WAN" iperf3 -s -1 -B 203.0.113.2 -p 5201
	srv=$BG_PID
	listening "$NS_WAN" 203.0.113.2:5201 || log "# $1: iperf3 server not listening"
	timeout -k 2 $((SECS + 15)) ip netns exec "$NS_LAN" iperf3 -c 203.0.113.2 -p 5201 \
		-t "$SECS" -J --connect-timeout 3000 >"$OUT/iperf3-$1.json" 2>>"$LOG"
	bits=$(iperf_bits "$OUT/iperf3-$1.json")
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	echo "${bits:-0}"
}

leg() {	# NAME MASQD-ARGS: masqd up, iperf3, counters, down
	local v
	BENCH_MASQD_ARGS=$2 masqd_up || { log "# $1: masqd did not start"; echo 0; return; }
	x 10 ip netns exec "$NS_LAN" ping -n -c 2 -i 0.2 -W 1 203.0.113.2
	v=$(iperf_once "$1")
	timeout 5 "$MASQCTL" -s "$SOCK" stats 2>/dev/null | grep -E 'gro_|tx_failed' >>"$LOG"
	masqd_down
	echo "$v"
}

fwd_leg() {	# NAME [--no-gro]: the forwarder in gw, with wan's route back
	local v pid name=$1
	shift
	x 5 ip -n "$NS_WAN" route replace 192.168.0.0/24 via 203.0.113.1 dev eth0
	timeout -k 2 $((SECS + 40)) ip netns exec "$NS_GW" "$FWD" lan0 192.168.0.1 wan0 203.0.113.1 \
		$((SECS + 30)) "$@" >>"$OUT/fwd.log" 2>&1 &
	pid=$!
	sleep 0.3
	x 10 ip netns exec "$NS_LAN" ping -n -c 2 -i 0.2 -W 1 203.0.113.2
	v=$(iperf_once "$name")
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	x 5 ip -n "$NS_WAN" route del 192.168.0.0/24
	echo "$v"
}

LAB_UP=1
x 60 "$LAB" up --offload off || { echo "bench gro: lab.sh up failed ($LOG)" >&2; exit 1; }
G=() N=() F=() FN=()
for r in $(seq "$ROUNDS"); do
	g=$(leg gro "") n=$(leg nogro --no-gro)
	G+=("$g") N+=("$n")
	f="" fn=""
	if [ "${BENCH_GRO_FWD:-0}" = 1 ] && [ -x "$FWD" ]; then
		f=$(fwd_leg fwd-gro) F+=("$f")
		fn=$(fwd_leg fwd-nogro --no-gro) FN+=("$fn")
	fi
	echo "# $(date +%H:%M:%S) round $r: gro $g nogro $n${f:+ fwd_gro $f fwd_nogro $fn} bit/s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : 0) }'; }
mg=$(median "${G[@]}") mn=$(median "${N[@]}")
echo "bench iperf3_off_masqd_gro $mg bit/s"
echo "bench iperf3_off_masqd_nogro $mn bit/s"
if [ ${#F[@]} -gt 0 ]; then
	echo "bench iperf3_off_fwd_gro $(median "${F[@]}") bit/s"
	echo "bench iperf3_off_fwd_nogro $(median "${FN[@]}") bit/s"
fi
awk -v a="$mg" -v b="$mn" 'BEGIN { printf "bench ratio_iperf3_off_gro_vs_nogro %.3f x\n", (b > 0 ? a / b : 0) }'
exit 0
