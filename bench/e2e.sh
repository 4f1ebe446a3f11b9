#!/usr/bin/env bash
# bench/e2e.sh - on the wire: the kernel's NAT, a trivial forwarder, masqd
#
# The lab (lab/lab.sh, prefix masq-t$$-): lan 192.168.0.2 -- gw -- wan
# 203.0.113.2. Three routers in gw, the same traffic through each:
#   kernel  lab.sh up --kernel-nat: nftables masquerade, ip_forward
#   fwd     build/tools/fwd (bench/fwd/fwd.c): masqd's AF_PACKET I/O (with
#           its userspace GRO, as masqd's default) with no NAT (MAC
#           rewrite, TTL, ARP) -- the ceiling of that I/O; wan
#           gets a route to 192.168.0.0/24 via 203.0.113.1, as it has no NAT,
#           and gw the nftables ingress drop masqd's takeover installs
#   masqd   build/masqd --io afpacket defaults (host-cap raised to 200000
#           so 10,000 flows from one host are not capped; see issue 7)
#   masqd_w2 masqd --workers 2 (two engines, one PACKET_FANOUT_CBPF group
#           per interface; only with 2 CPUs or more): its ratios are
#           ratio_<figure>_masqd_w2_vs_masqd and _vs_kernel. On a 2-CPU box
#           the sender and the receiver share the CPUs with both workers.
#   fwd_afxdp, masqd_afxdp   the same two with --io afxdp (AF_XDP sockets,
#           copy mode on veth; only when masqd links libxdp, else their rows
#           print SKIP). XDP on veth sees partial checksums, so for these
#           two the lab's peers always have tx off (lan's and wan's eth0):
#           their "offloads on" iperf3 runs with tx (and so TSO) off at
#           the senders, GRO and GSO as lab.sh sets them.
#   masqd_afxdp_q2w1, masqd_afxdp_q2w2   masqd --io afxdp on a lab whose
#           veths have 2 queues each (lab.sh up --queues 2: a socket on
#           each queue), one worker / --workers 2 (worker k the queue k);
#           only when named in BENCH_SYSTEMS. Ratios:
#           ratio_<figure>_masqd_afxdp_q2w2_vs_q2w1. One UDP flow or one
#           iperf3 connection uses one queue (the sender's socket's);
#           10,000 flows and the connection loop use both.
#
# Figures (medians of ${ROUNDS:-3} rounds; in each round the systems run
# one after the other, so drift hits all alike), offloads off unless said:
#   udp1_rx        64-byte UDP frames (18 bytes of payload) from lan to wan,
#                  one flow, offered at ${BENCH_UDP_RATE:-250000}/s for
#                  ${BENCH_UDP_SECONDS:-4} s (tests/tools/pktgen, bounded in
#                  count and time): frames wan's eth0 received per second
#                  of sending (pkt/s)
#   udp1_loss      1 - received/sent (%)
#   udp10k_rx, udp10k_loss   the same from 10,000 source ports
#   cpu_udp1, cpu_udp10k     the router's CPU per forwarded frame (ns/pkt):
#                  fwd and masqd: utime+stime of every process in gw
#                  (/proc/PID/stat), over the UDP run; kernel: the softirq
#                  time of all CPUs (/proc/stat), where the kernel's NAT
#                  runs -- on veth that includes the receiver's softirq
#                  work, so it is an upper bound for the kernel
#   cpu_softirq_udp1         /proc/stat softirq ns per frame for all three
#                  (the kernel's work around the router, whoever forwards)
#   iperf3_off, iperf3_on    iperf3 TCP lan -> wan, ${BENCH_IPERF_SECONDS:-5}
#                  s, offloads off / on (the receiver's bit/s)
#   conn           connect-request-response-close loop, 4 processes,
#                  ${BENCH_CONN_SECONDS:-5} s (tests/tools/connloop; conn/s)
#   latency_idle   ping lan -> wan, 20 x 50 ms, the mean round trip (us)
#   latency_load   the same under a 1 Gbit/s iperf3 (-b 1G) load
#   latency_added_idle, latency_added_load   the same less the round trip
#                  with no router at all: at the start of each round the
#                  same pings (and load) between two namespaces joined by
#                  one veth pair, offloads off (${P}dlan 203.0.113.9 --
#                  ${P}dwan 203.0.113.2), printed as latency_direct_idle
#                  and _load. The routed path has one veth crossing more
#                  each way than the direct one; every system pays it
# BENCH_FIGURES (default: all) limits a run to some groups of figures, in
# this order: udp (udp1_*, udp10k_*, cpu_*), iperf3_off, conn, latency,
# iperf3_on; a group left out prints 0 -- so a narrow comparison gets
# many more alternating rounds in the same minutes. BENCH_PROFILE=1
# records the router's busiest process (perf record -g, 4999 Hz) over
# the udp1 and conn runs into build/bench-e2e/perf-FIGURE-SYSTEM-rROUND.data
# and counts its system calls and context switches a unit of work (perf
# stat, into the log as "# profile ..."; needs perf).
# Output, one line per figure and system, then the ratios:
#   bench <figure>_<system> VALUE UNIT
#   bench ratio_<figure>_masqd_vs_kernel VALUE x
#   bench ratio_<figure>_masqd_vs_forwarder VALUE x
# (loss, cpu and latency figures: lower is better; a ratio over a
# reference of 0 prints "inf", 0 over 0 prints 1.000). Every run's time of
# day goes to stdout as a "# " line. A run that fails yields 0 (and why on
# stderr). Needs root, iperf3, ethtool, nft, ping; build/masqd,
# build/tools/{fwd,pktgen,connloop} (make bench-e2e builds them). Files:
# build/bench-e2e/. Traffic stays inside the lab's namespaces.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=bench/lib.sh
. bench/lib.sh
FWD=$ROOT/build/tools/fwd
PKTGEN=$ROOT/build/tools/pktgen
CONNLOOP=$ROOT/build/tools/connloop
SECS=${BENCH_IPERF_SECONDS:-5}
CSECS=${BENCH_CONN_SECONDS:-5}
URATE=${BENCH_UDP_RATE:-250000}
USECS=${BENCH_UDP_SECONDS:-4}
ROUNDS=${ROUNDS:-${BENCH_ROUNDS:-3}}
FIGURES=" ${BENCH_FIGURES:-udp iperf3_off conn latency iperf3_on} "
PROFILE=${BENCH_PROFILE:-0}
XDP_SYSTEMS=
ldd "$MASQD" 2>/dev/null | grep -q libxdp && XDP_SYSTEMS="fwd_afxdp masqd_afxdp"
W2_SYSTEM=
[ "$(nproc)" -ge 2 ] && W2_SYSTEM=masqd_w2
SYSTEMS=${BENCH_SYSTEMS:-kernel fwd masqd $W2_SYSTEM $XDP_SYSTEMS}
case "$ROUNDS" in '' | *[!0-9]* | 0) ROUNDS=3 ;; esac
export MASQ_LAB_PREFIX=masq-t$$-
NS_LAN=${MASQ_LAB_PREFIX}lan NS_GW=${MASQ_LAB_PREFIX}gw NS_WAN=${MASQ_LAB_PREFIX}wan
OUT=$ROOT/build/bench-e2e
LOG=$OUT/e2e.log
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
MAC_GWLAN=02:6d:71:00:01:01
HZ=$(getconf CLK_TCK)

skip() { echo "SKIP bench e2e: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
for t in ip:iproute2 iperf3:iperf3 ethtool:ethtool nft:nftables ping:iputils-ping "$PY":python3 timeout:coreutils; do
	command -v "${t%%:*}" >/dev/null 2>&1 || skip "needs ${t%%:*} (apt-get install ${t##*:})"
done
for b in "$MASQD" "$MASQCTL" "$FWD" "$PKTGEN" "$CONNLOOP"; do
	[ -x "$b" ] || skip "$b is not built (make bench-e2e)"
done

bench_scaffold
NS_DL=${MASQ_LAB_PREFIX}dlan NS_DW=${MASQ_LAB_PREFIX}dwan

# direct_up: the no-router baseline, one veth pair; direct_down removes it
direct_up() {
	local ns
	direct_down
	for ns in "$NS_DL" "$NS_DW"; do
		x 5 ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
	done
	x 5 ip link add eth0 netns "$NS_DL" type veth peer name eth0 netns "$NS_DW" || return 1
	for ns in "$NS_DL" "$NS_DW"; do
		ip netns exec "$ns" ethtool -K eth0 tx off tso off gso off gro off >/dev/null 2>&1
	done
	ip -n "$NS_DL" addr add 203.0.113.9/24 dev eth0
	ip -n "$NS_DW" addr add 203.0.113.2/24 dev eth0
	ip -n "$NS_DL" link set eth0 up
	ip -n "$NS_DW" link set eth0 up
	x 10 ip netns exec "$NS_DL" ping -n -c 3 -i 0.2 -W 1 203.0.113.2
}

direct_down() {
	local ns p
	for ns in "$NS_DL" "$NS_DW"; do
		ip netns list 2>/dev/null | awk '{print $1}' | grep -qxF "$ns" || continue
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
}
trap 'direct_down; bench_cleanup' EXIT

note() { echo "bench e2e: $*" >&2; log "# $*"; }
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# fwd_up [--io afxdp]: the forwarder in gw (bounded to 10 minutes) and
# wan's route back
fwd_up() {
	log "+ [bg fwd] ip netns exec $NS_GW $FWD $* lan0 192.168.0.1 wan0 203.0.113.1 600"
	timeout -k 2 610 ip netns exec "$NS_GW" "$FWD" "$@" lan0 192.168.0.1 wan0 203.0.113.1 600 \
		>>"$OUT/fwd.log" 2>&1 &
	MASQD_PID=$!	# bench_cleanup stops it with masqd's
	x 5 ip -n "$NS_WAN" route replace 192.168.0.0/24 via 203.0.113.1 dev eth0
	# the same ingress drop as masqd's takeover (takeover.h): the taps
	# still see every frame, gw's own stack no longer processes them
	printf '%s\n' 'table netdev fwdown {' \
		'chain lan0in { type filter hook ingress device "lan0" priority -500; policy drop; }' \
		'chain wan0in { type filter hook ingress device "wan0" priority -500; policy drop; }' '}' |
		x 5 ip netns exec "$NS_GW" nft -f - || note "fwd: the ingress drop was not installed"
	sleep 0.3
	kill -0 "$MASQD_PID" 2>/dev/null
}

fwd_down() {
	[ -n "$MASQD_PID" ] || return 0
	kill "$MASQD_PID" 2>/dev/null
	wait "$MASQD_PID" 2>/dev/null
	MASQD_PID=
}

# router_up SYSTEM OFFLOAD: the lab and the router; false if either failed
router_up() {
	local sys=$1 off=$2 opts=()
	[ "$sys" = kernel ] && opts=(--kernel-nat)
	case $sys in *_q2w?) opts=(--queues 2) ;; esac
	LAB_UP=1
	x 60 "$LAB" up "${opts[@]}" --offload "$off" || { note "$sys offload $off: lab.sh up failed"; return 1; }
	case $sys in	# AF_XDP: no partial checksums into XDP (see the top)
	*_afxdp | *_afxdp_*) x 5 ip netns exec "$NS_LAN" ethtool -K eth0 tx off >/dev/null
		x 5 ip netns exec "$NS_WAN" ethtool -K eth0 tx off >/dev/null ;;
	esac
	case $sys in
	masqd)
		masqd_up || { note "masqd did not start ($OUT/masqd.log)"; return 1; }
		x 5 "$MASQCTL" -s "$SOCK" set host-cap 200000 || note "masqd: set host-cap failed"
		;;
	masqd_w2)
		masqd_up --workers 2 || { note "masqd --workers 2 did not start ($OUT/masqd.log)"; return 1; }
		x 5 "$MASQCTL" -s "$SOCK" set host-cap 200000 || note "masqd: set host-cap failed"
		;;
	masqd_afxdp)
		masqd_up --io afxdp || { note "masqd --io afxdp did not start ($OUT/masqd.log)"; return 1; }
		x 5 "$MASQCTL" -s "$SOCK" set host-cap 200000 || note "masqd: set host-cap failed"
		;;
	masqd_afxdp_q2w1 | masqd_afxdp_q2w2)
		masqd_up --io afxdp --workers "${sys#masqd_afxdp_q2w}" ||
			{ note "masqd $sys did not start ($OUT/masqd.log)"; return 1; }
		x 5 "$MASQCTL" -s "$SOCK" set host-cap 200000 || note "masqd: set host-cap failed"
		;;
	fwd) fwd_up || { note "fwd did not start ($OUT/fwd.log)"; return 1; } ;;
	fwd_afxdp) fwd_up --io afxdp || { note "fwd --io afxdp did not start ($OUT/fwd.log)"; return 1; } ;;
	esac
	x 10 ip netns exec "$NS_LAN" ping -n -c 3 -i 0.2 -W 1 203.0.113.2 ||
		note "$sys offload $off: no ping answer through the router"
	return 0
}

router_down() {
	if [ -n "$MASQD_PID" ]; then
		case $1 in masqd*) masqd_down ;; *) fwd_down ;; esac
	fi
	x 30 "$LAB" down
	LAB_UP=0
}

# gw_ticks: utime+stime (clock ticks) of every process in the router's namespace
gw_ticks() {
	local p t=0 f
	for p in $(ip netns pids "$NS_GW" 2>/dev/null); do
		f=$(cut -d')' -f2- "/proc/$p/stat" 2>/dev/null) || continue
		t=$((t + $(echo "$f" | awk '{print $12 + $13}')))
	done
	echo "$t"
}

wants() { case $FIGURES in *" $1 "*) return 0 ;; esac; return 1; }

# gw_router_pid: the router's process in gw (masqd or fwd), the one with
# the most CPU time; empty if none
gw_router_pid() {
	local p best='' most=-1 t
	for p in $(ip netns pids "$NS_GW" 2>/dev/null); do
		t=$(cut -d')' -f2- "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}')
		[ -n "$t" ] && [ "$t" -gt "$most" ] && { most=$t best=$p; }
	done
	echo "$best"
}

# profile_start NAME SECONDS: with BENCH_PROFILE=1, perf record and perf
# stat of the router's process for SECONDS (bounded), in the background
PROF_PIDS=()
profile_start() {
	local pid
	PROF_PIDS=()
	[ "$PROFILE" = 1 ] || return 0
	command -v perf >/dev/null 2>&1 || { note "BENCH_PROFILE: needs perf (apt-get install linux-perf)"; return 0; }
	pid=$(gw_router_pid)
	[ -n "$pid" ] || return 0
	timeout -k 2 $(($2 + 5)) perf record -q -F 4999 -g -o "$OUT/perf-$1.data" \
		-p "$pid" -- sleep "$2" >>"$LOG" 2>&1 &
	PROF_PIDS+=($!)
	timeout -k 2 $(($2 + 5)) perf stat -x, -o "$OUT/perfstat-$1.txt" \
		-e raw_syscalls:sys_enter,syscalls:sys_enter_poll,syscalls:sys_enter_sendmmsg,syscalls:sys_enter_sendto,syscalls:sys_enter_recvmsg,context-switches,task-clock \
		-p "$pid" -- sleep "$2" >>"$LOG" 2>&1 &
	PROF_PIDS+=($!)
}

# profile_end NAME UNITS: wait for the recorders; each count a unit of
# work into the log (task-clock in ns)
profile_end() {
	local p
	for p in "${PROF_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	[ "${#PROF_PIDS[@]}" -gt 0 ] && [ "$2" -gt 0 ] && [ -s "$OUT/perfstat-$1.txt" ] || return 0
	awk -F, -v n="$2" -v name="$1" '$1 + 0 > 0 { printf "# profile %s %s %.2f a unit\n", name, $3,
		($3 == "task-clock" ? $1 * 1e6 : $1) / n }' "$OUT/perfstat-$1.txt" >>"$LOG"
}

softirq_ticks() { awk '$1 == "cpu" {print $8}' /proc/stat; }

wan_rx() { ip netns exec "$NS_WAN" cat /sys/class/net/eth0/statistics/rx_packets 2>/dev/null || echo 0; }

# udp_run SYSTEM SPORTS: sets RX (pkt/s), LOSS (%), CPU and SIRQ (ns/pkt)
udp_run() {
	local sys=$1 sports=$2 count=$((URATE * USECS)) r0 r1 t0 t1 s0 s1 res sent secs got
	RX=0 LOSS=100 CPU=0 SIRQ=0
	r0=$(wan_rx) t0=$(gw_ticks) s0=$(softirq_ticks)
	case $sports in *-*) ;; *) profile_start "udp1-$sys-r$r" "$USECS" ;; esac
	log "+ ip netns exec $NS_LAN $PKTGEN udp sport $sports rate $URATE count $count"
	res=$(timeout -k 2 $((USECS + 15)) ip netns exec "$NS_LAN" "$PKTGEN" -i eth0 \
		--dst-mac "$MAC_GWLAN" --mode udp --src 192.168.0.2 --dst 203.0.113.2 \
		--sport "$sports" --dport 9 --size 18 --rate "$URATE" --count "$count" \
		--seconds $((USECS + 10)) 2>>"$LOG")
	sleep 0.5	# what is still in the rings
	r1=$(wan_rx) t1=$(gw_ticks) s1=$(softirq_ticks)
	log "  $res"
	sent=$(echo "$res" | awk '{print $3}') secs=$(echo "$res" | awk '{print $6}')
	case "$sent" in '' | *[!0-9]*) note "$sys: pktgen failed: $res"; return ;; esac
	got=$((r1 - r0))
	[ "$got" -gt "$sent" ] && got=$sent	# ARP and ICMP errors
	case $sports in *-*) ;; *) profile_end "udp1-$sys-r$r" "$got" ;; esac
	RX=$(awk -v g="$got" -v s="$secs" 'BEGIN { printf "%d", (s > 0 ? g / s : 0) }')
	LOSS=$(awk -v g="$got" -v s="$sent" 'BEGIN { printf "%.2f", (s > 0 ? 100 * (1 - g / s) : 100) }')
	SIRQ=$(awk -v d=$((s1 - s0)) -v g="$got" -v hz="$HZ" 'BEGIN { printf "%.0f", (g > 0 ? d * 1e9 / hz / g : 0) }')
	if [ "$sys" = kernel ]; then
		CPU=$SIRQ
	else
		CPU=$(awk -v d=$((t1 - t0)) -v g="$got" -v hz="$HZ" 'BEGIN { printf "%.0f", (g > 0 ? d * 1e9 / hz / g : 0) }')
	fi
	log "  udp $sys sports $sports: sent $sent in $secs s, received $got: $RX pkt/s, loss $LOSS %, cpu $CPU ns/pkt, softirq $SIRQ ns/pkt"
}

# iperf_run NAME [EXTRA...]: bit/s of an iperf3 lan -> wan, 0 on failure
iperf_run() {
	local name=$1 srv rc bits
	shift
	bg $((SECS + 25)) "iperf3-server-$name" "$NS_WAN" iperf3 -s -1 -B 203.0.113.2 -p 5201
	srv=$BG_PID
	listening "$NS_WAN" 203.0.113.2:5201 || note "$name: iperf3 server not listening"
	log "+ ip netns exec $NS_LAN iperf3 -c 203.0.113.2 -t $SECS -J $*"
	timeout -k 2 $((SECS + 15)) ip netns exec "$NS_LAN" iperf3 -c 203.0.113.2 -p 5201 \
		-t "$SECS" -J --connect-timeout 3000 "$@" >"$OUT/iperf3-$name.json" 2>>"$LOG"
	rc=$?
	bits=$(iperf_bits "$OUT/iperf3-$name.json")
	[ $rc -eq 0 ] && [ "$bits" -gt 0 ] || { note "$name: iperf3 failed (status $rc)"; bits=0; }
	stop "$srv"
	echo "$bits"
}

conn_run() {	# SYSTEM
	local srv res n
	bg $((CSECS + 25)) connloop-server "$NS_WAN" "$CONNLOOP" serve 203.0.113.2 7000 $((CSECS + 15)) 4
	srv=$BG_PID
	listening "$NS_WAN" 203.0.113.2:7000 || note "connloop server not listening"
	profile_start "conn-$1-r$r" "$CSECS"
	res=$(timeout -k 2 $((CSECS + 20)) ip netns exec "$NS_LAN" "$CONNLOOP" run 203.0.113.2 7000 "$CSECS" 4 2>>"$LOG")
	log "  connloop: $res"
	n=$(echo "$res" | awk '{for (i = 1; i < NF; i++) if ($i == "rate") print $(i + 1) + 0}')
	profile_end "conn-$1-r$r" "$(echo "$res" | awk '{for (i = 1; i < NF; i++) if ($i == "ok") print $(i + 1) + 0}')"
	stop "$srv"
	echo "${n:-0}"
}

# ping_us: mean round trip lan -> wan of 20 pings 50 ms apart (us), 0 if none
ping_us() {
	timeout -k 2 10 ip netns exec "$NS_LAN" ping -n -q -c 20 -i 0.05 -W 1 203.0.113.2 2>>"$LOG" |
		awk -F/ '/^rtt|^round-trip/ { printf "%.0f", $5 * 1000; found = 1 } END { if (!found) print 0 }'
}

latency_load_us() {
	local srv cli v
	bg 20 iperf3-server-load "$NS_WAN" iperf3 -s -1 -B 203.0.113.2 -p 5202
	srv=$BG_PID
	listening "$NS_WAN" 203.0.113.2:5202 || note "load iperf3 server not listening"
	bg 15 iperf3-load "$NS_LAN" iperf3 -c 203.0.113.2 -p 5202 -t 4 -b 1G --connect-timeout 3000
	cli=$BG_PID
	sleep 1
	v=$(ping_us)
	stop "$cli"
	stop "$srv"
	echo "$v"
}

declare -A V	# V[figure_system] = "value value ..." over the rounds
D_IDLE=0 D_LOAD=0	# this round's no-router round trips (us)

add() { V[$1_$2]="${V[$1_$2]:-} $3"; }

# added RTT BASE: RTT less the no-router one (0 when either failed)
added() { if [ "$1" -gt 0 ] && [ "$2" -gt 0 ]; then echo $(($1 - $2)); else echo 0; fi; }

# measure_direct: this round's no-router round trips, idle and loaded
measure_direct() {
	echo "# $(date +%H:%M:%S) round $r: no router (one veth pair)"
	D_IDLE=0 D_LOAD=0
	if direct_up; then
		D_IDLE=$(NS_LAN=$NS_DL ping_us)
		D_LOAD=$(NS_LAN=$NS_DL NS_WAN=$NS_DW latency_load_us)
	else
		note "the no-router veth pair did not come up"
	fi
	direct_down
	add latency_direct_idle direct "$D_IDLE"
	add latency_direct_load direct "$D_LOAD"
}

# measure SYSTEM: one round of every figure through SYSTEM
measure() {
	local sys=$1 lat
	echo "# $(date +%H:%M:%S) round $r: $sys, offloads off"
	if router_up "$sys" off; then
		if wants udp; then
			udp_run "$sys" 10000
			add udp1_rx "$sys" "$RX"; add udp1_loss "$sys" "$LOSS"
			add cpu_udp1 "$sys" "$CPU"; add cpu_softirq_udp1 "$sys" "$SIRQ"
			udp_run "$sys" 10000-19999
			add udp10k_rx "$sys" "$RX"; add udp10k_loss "$sys" "$LOSS"
			add cpu_udp10k "$sys" "$CPU"
		fi
		wants iperf3_off && add iperf3_off "$sys" "$(iperf_run "$sys-off")"
		wants conn && add conn "$sys" "$(conn_run "$sys")"
		if wants latency; then
			lat=$(ping_us)
			add latency_idle "$sys" "$lat"
			add latency_added_idle "$sys" "$(added "$lat" "$D_IDLE")"
			lat=$(latency_load_us)
			add latency_load "$sys" "$lat"
			add latency_added_load "$sys" "$(added "$lat" "$D_LOAD")"
		fi
	fi
	router_down "$sys"
	if wants iperf3_on; then
		echo "# $(date +%H:%M:%S) round $r: $sys, offloads on"
		router_up "$sys" on && add iperf3_on "$sys" "$(iperf_run "$sys-on")"
		router_down "$sys"
	fi
	round_line "$sys"
}

# round_line SYSTEM: this round's figures of SYSTEM, on one "# " line
round_line() {
	local f line="# round $r $1:" v
	for f in udp1_rx udp1_loss udp10k_rx udp10k_loss cpu_udp1 iperf3_off iperf3_on conn latency_idle latency_load latency_added_idle latency_added_load; do
		v=${V[${f}_$1]:-}
		line="$line $f ${v##* }"
	done
	echo "$line"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : 0) }'; }

# ratio A B: A / B; "inf" over 0 unless A is 0 too (then 1)
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else if (a == 0) print "1.000"; else print "inf" }'
}

echo "# $(date +%H:%M:%S) bench e2e: $ROUNDS rounds of: $SYSTEMS; UDP offered $URATE/s for $USECS s"
for r in $(seq "$ROUNDS"); do
	wants latency && measure_direct
	for s in $SYSTEMS; do measure "$s"; done
done
echo "# $(date +%H:%M:%S) bench e2e: done"

declare -A M
FIGS="udp1_rx:pkt/s udp1_loss:% udp10k_rx:pkt/s udp10k_loss:% cpu_udp1:ns/pkt cpu_udp10k:ns/pkt cpu_softirq_udp1:ns/pkt iperf3_off:bit/s iperf3_on:bit/s conn:conn/s latency_idle:us latency_load:us latency_added_idle:us latency_added_load:us"
# shellcheck disable=SC2086
echo "bench latency_direct_idle $(median ${V[latency_direct_idle_direct]:-0}) us"
# shellcheck disable=SC2086
echo "bench latency_direct_load $(median ${V[latency_direct_load_direct]:-0}) us"
for fu in $FIGS; do
	f=${fu%%:*} u=${fu#*:}
	M=()
	for s in $SYSTEMS; do
		# shellcheck disable=SC2086
		M[$s]=$(median ${V[${f}_$s]:-0})
		echo "bench ${f}_$s ${M[$s]} $u"
	done
	if [ -z "$XDP_SYSTEMS" ]; then
		echo "SKIP bench ${f}_masqd_afxdp: masqd was built without AF_XDP support (install libxdp-dev and rebuild)"
	elif [ -n "${M[masqd_afxdp]:-}" ]; then	# named apart from AF_PACKET's
		[ -n "${M[kernel]:-}" ] && echo "bench ratio_${f}_masqd_afxdp_vs_kernel $(ratio "${M[masqd_afxdp]}" "${M[kernel]}") x"
		[ -n "${M[fwd_afxdp]:-}" ] && echo "bench ratio_${f}_masqd_afxdp_vs_forwarder $(ratio "${M[masqd_afxdp]}" "${M[fwd_afxdp]}") x"
	fi
	if [ -n "${M[masqd_afxdp_q2w2]:-}" ] && [ -n "${M[masqd_afxdp_q2w1]:-}" ]; then
		echo "bench ratio_${f}_masqd_afxdp_q2w2_vs_q2w1 $(ratio "${M[masqd_afxdp_q2w2]}" "${M[masqd_afxdp_q2w1]}") x"
	fi
	if [ -n "${M[masqd_w2]:-}" ]; then	# two workers against one, the kernel
		[ -n "${M[masqd]:-}" ] && echo "bench ratio_${f}_masqd_w2_vs_masqd $(ratio "${M[masqd_w2]}" "${M[masqd]}") x"
		[ -n "${M[kernel]:-}" ] && echo "bench ratio_${f}_masqd_w2_vs_kernel $(ratio "${M[masqd_w2]}" "${M[kernel]}") x"
	fi
	[ -n "${M[masqd]:-}" ] || continue
	[ -n "${M[kernel]:-}" ] && echo "bench ratio_${f}_masqd_vs_kernel $(ratio "${M[masqd]}" "${M[kernel]}") x"
	[ -n "${M[fwd]:-}" ] && echo "bench ratio_${f}_masqd_vs_forwarder $(ratio "${M[masqd]}" "${M[fwd]}") x"
done
exit 0
