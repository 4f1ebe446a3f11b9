#!/usr/bin/env bash
# bench/throughput.sh - iperf3 and curl through masqd, next to the kernel's NAT
#
# The lab (lab/lab.sh, prefix masq-t$$-): lan 192.168.0.2 -- gw -- wan
# 203.0.113.2. For each offload setting (on, off) it measures, in this
# order, build/masqd (bare lab) and the kernel's own NAT (lab.sh up
# --kernel-nat: the same namespaces and veths, nftables masquerade):
#   iperf3 TCP lan -> wan, -t ${BENCH_IPERF_SECONDS:-5}   (receiver's bit/s)
#   curl of a ${BENCH_CURL_MB:-100} MB file from wan      (curl's bytes/s)
#   connect-request-close loop, 4 processes, ${BENCH_CONN_SECONDS:-10} s
#                                    (build/tools/connloop: connections/s)
# ${BENCH_ROUNDS:-3} rounds, masqd and kernel interleaved, and prints the
# medians, one "bench NAME VALUE UNIT" line each:
#   bench iperf3_masqd_offload_on BITS bit/s
#   bench iperf3_kernel_offload_on BITS bit/s
#   bench iperf3_ratio_offload_on R ratio        (masqd / kernel)
#   bench curl_masqd_offload_on BYTES bytes/s   ... and so on, and _off;
#   bench connloop_masqd_offload_on N conn/s    (and its failed and hung
#                                    connections in the log)
#   bench iperf3_host_masqd_offload_on BITS bit/s  iperf3 from the router
#                                    host itself to 203.0.113.2, right after
#                                    the LAN host's (with masqd: through the
#                                    external twin wan0-h; kernel: wan0)
#   bench iperf3_host_kernel_offload_on BITS bit/s
#   bench iperf3_host_ratio_offload_on R ratio   (router host / LAN host
#                                    through masqd, in the same run)
# A run that fails prints 0 (and why, on stderr). Every command is bounded
# by timeout; the trap stops what it started and takes the lab down.
# Needs root, iperf3, curl, python3, ethtool, nft. Files and logs:
# build/bench-throughput/. Traffic stays inside the lab's namespaces.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=bench/lib.sh
. bench/lib.sh
SECS=${BENCH_IPERF_SECONDS:-5}
MB=${BENCH_CURL_MB:-100}
CSECS=${BENCH_CONN_SECONDS:-10}
CONNLOOP=$ROOT/build/tools/connloop
OFFLOADS=${BENCH_OFFLOADS:-on off}
ROUNDS=${BENCH_ROUNDS:-3}
case "$ROUNDS" in '' | *[!0-9]* | 0) ROUNDS=3 ;; esac
export MASQ_LAB_PREFIX=masq-t$$-
NS_LAN=${MASQ_LAB_PREFIX}lan NS_GW=${MASQ_LAB_PREFIX}gw NS_WAN=${MASQ_LAB_PREFIX}wan
OUT=$ROOT/build/bench-throughput
LOG=$OUT/throughput.log
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

skip() { echo "SKIP bench throughput: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
for t in ip:iproute2 iperf3:iperf3 curl:curl "$PY":python3 ethtool:ethtool nft:nftables timeout:coreutils; do
	command -v "${t%%:*}" >/dev/null 2>&1 || skip "needs ${t%%:*} (apt-get install ${t##*:})"
done
[ -x "$MASQD" ] && [ -x "$MASQCTL" ] || skip "build/masqd is not built (make)"
[ -x "$CONNLOOP" ] || skip "build/tools/connloop is not built (make tools)"

bench_scaffold

note() { echo "bench throughput: $*" >&2; log "# $*"; }

stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

mkdir -p "$OUT/www"
head -c $((MB * 1048576)) /dev/zero >"$OUT/www/file.bin"	# the content does not matter here


# host_iperf MODE OFFLOAD: iperf3 from the router host itself (namespace
# gw) to 203.0.113.2, the same length as the LAN host's; with masqd it
# goes out through the external twin (wan0-h), with the kernel straight
# out of wan0. Prints the receiver's bit/s, 0 on failure.
host_iperf() {
	local mode=$1 off=$2 srv rc bits
	bg $((SECS + 25)) iperf3-host-server "$NS_WAN" iperf3 -s -1 -B 203.0.113.2 -p 5202
	srv=$BG_PID
	listening "$NS_WAN" 203.0.113.2:5202 || note "$mode offload $off: iperf3 server (host run) not listening"
	log "+ ip netns exec $NS_GW iperf3 -c 203.0.113.2 -p 5202 -t $SECS -J"
	timeout -k 2 $((SECS + 15)) ip netns exec "$NS_GW" iperf3 -c 203.0.113.2 -p 5202 \
		-t "$SECS" -J --connect-timeout 3000 >"$OUT/iperf3-host-$mode-$off.json" 2>>"$LOG"
	rc=$?
	bits=$(iperf_bits "$OUT/iperf3-host-$mode-$off.json")
	[ $rc -eq 0 ] && [ "$bits" -gt 0 ] ||
		{ note "$mode offload $off: iperf3 from the router host failed (status $rc, $(grep -o '"error":.*' "$OUT/iperf3-host-$mode-$off.json" | tr -d '\t'); with masqd it goes through the twins)"; bits=0; }
	stop "$srv"
	echo "$bits"
}

# measure MODE OFFLOAD: sets IPERF (bit/s), HOST (bit/s, the router host's
# own iperf3), CURL (bytes/s) and CONN (connections/s), 0 on failure
measure() {
	local mode=$1 off=$2 opts=() res rc
	IPERF=0 HOST=0 CURL=0 CONN=0
	[ "$mode" = kernel ] && opts=(--kernel-nat)
	LAB_UP=1
	x 60 "$LAB" up "${opts[@]}" --offload "$off" || { note "$mode offload $off: lab.sh up failed"; return; }
	if [ "$mode" = masqd ] && ! masqd_up; then
		note "masqd offload $off: masqd did not start ($OUT/masqd.log)"
		return
	fi
	x 10 ip netns exec "$NS_LAN" ping -n -c 3 -i 0.2 -W 1 203.0.113.2 ||
		note "$mode offload $off: no ping answer through the router"

	bg $((SECS + 25)) iperf3-server "$NS_WAN" iperf3 -s -1 -B 203.0.113.2 -p 5201
	local srv=$BG_PID
	listening "$NS_WAN" 203.0.113.2:5201 || note "$mode offload $off: iperf3 server not listening"
	log "+ ip netns exec $NS_LAN iperf3 -c 203.0.113.2 -t $SECS -J"
	timeout -k 2 $((SECS + 15)) ip netns exec "$NS_LAN" iperf3 -c 203.0.113.2 -p 5201 \
		-t "$SECS" -J --connect-timeout 3000 >"$OUT/iperf3-$mode-$off.json" 2>>"$LOG"
	rc=$?
	IPERF=$(iperf_bits "$OUT/iperf3-$mode-$off.json")
	[ $rc -eq 0 ] && [ "$IPERF" -gt 0 ] || { note "$mode offload $off: iperf3 failed (status $rc)"; IPERF=0; }
	log "  iperf3 $mode offload $off: $IPERF bit/s"
	stop "$srv"
	HOST=$(host_iperf "$mode" "$off")
	log "  iperf3 from the router host, $mode offload $off: $HOST bit/s"

	bg 90 httpd "$NS_WAN" "$PY" -u "$ROOT/bench/sendfile_httpd.py" 203.0.113.2 8000 "$OUT/www/file.bin" 85
	srv=$BG_PID
	listening "$NS_WAN" 203.0.113.2:8000 || note "$mode offload $off: HTTP server not listening"
	log "+ ip netns exec $NS_LAN curl -o /dev/null http://203.0.113.2:8000/file.bin"
	res=$(timeout -k 2 70 ip netns exec "$NS_LAN" curl -sS --max-time 60 -o /dev/null \
		-w '%{speed_download} %{size_download}' http://203.0.113.2:8000/file.bin 2>>"$LOG")
	rc=$?
	log "  curl status $rc: $res"
	if [ $rc -eq 0 ] && [ "${res#* }" = $((MB * 1048576)) ]; then
		CURL=${res%% *}
		CURL=${CURL%%.*}
	else
		note "$mode offload $off: curl failed (status $rc, ${res:-no output})"
	fi
	stop "$srv"

	bg $((CSECS + 25)) connloop-server "$NS_WAN" "$CONNLOOP" serve 203.0.113.2 7000 $((CSECS + 15)) 4
	srv=$BG_PID
	listening "$NS_WAN" 203.0.113.2:7000 || note "$mode offload $off: connloop server not listening"
	res=$(timeout -k 2 $((CSECS + 20)) ip netns exec "$NS_LAN" "$CONNLOOP" run 203.0.113.2 7000 "$CSECS" 4 2>>"$LOG")
	log "  connloop $mode offload $off: $res"
	CONN=$(echo "$res" | awk '{for (i = 1; i < NF; i++) if ($i == "rate") print $(i + 1) + 0}')
	[ -n "$CONN" ] || CONN=0
	stop "$srv"
	masqd_down
	x 30 "$LAB" down
	LAB_UP=0
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print 0 }'; }

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : 0) }'; }

for off in $OFFLOADS; do
	case "$off" in on | off) ;; *) note "BENCH_OFFLOADS: '$off' is not on or off"; continue ;; esac
	mi=() mc=() ki=() kc=() mn=() kn=() mh=() kh=() hr=()
	for r in $(seq "$ROUNDS"); do	# interleaved, so drift hits both alike
		measure masqd "$off"
		mi+=("$IPERF") mc+=("$CURL") mn+=("$CONN") mh+=("$HOST")
		hr+=("$(ratio "$HOST" "$IPERF")")	# host / LAN host, this run
		measure kernel "$off"
		ki+=("$IPERF") kc+=("$CURL") kn+=("$CONN") kh+=("$HOST")
		log "# round $r offload $off: iperf3 masqd ${mi[-1]} kernel ${ki[-1]} bit/s; from the router host masqd ${mh[-1]} kernel ${kh[-1]} bit/s; curl masqd ${mc[-1]} kernel ${kc[-1]} bytes/s; connloop masqd ${mn[-1]} kernel ${kn[-1]} conn/s"
	done
	a=$(median "${mi[@]}") b=$(median "${ki[@]}")
	echo "bench iperf3_masqd_offload_$off $a bit/s"
	echo "bench iperf3_kernel_offload_$off $b bit/s"
	echo "bench iperf3_ratio_offload_$off $(ratio "$a" "$b") ratio"
	a=$(median "${mh[@]}") b=$(median "${kh[@]}")
	echo "bench iperf3_host_masqd_offload_$off $a bit/s"
	echo "bench iperf3_host_kernel_offload_$off $b bit/s"
	echo "bench iperf3_host_ratio_offload_$off $(median "${hr[@]}") ratio"
	a=$(median "${mc[@]}") b=$(median "${kc[@]}")
	echo "bench curl_masqd_offload_$off $a bytes/s"
	echo "bench curl_kernel_offload_$off $b bytes/s"
	echo "bench curl_ratio_offload_$off $(ratio "$a" "$b") ratio"
	a=$(median "${mn[@]}") b=$(median "${kn[@]}")
	echo "bench connloop_masqd_offload_$off $a conn/s"
	echo "bench connloop_kernel_offload_$off $b conn/s"
	echo "bench connloop_ratio_offload_$off $(ratio "$a" "$b") ratio"
done
exit 0
