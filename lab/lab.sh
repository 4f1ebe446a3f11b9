#!/usr/bin/env bash
# lab/lab.sh - masq's network-namespace lab
#
#   ${P}lan   eth0 192.168.0.2/24, default via 192.168.0.1
#   ${P}lan2  eth0 192.168.0.3/24, default via 192.168.0.1     (only with --lan2)
#      |  (with --lan2 both hosts and the router's lan0 hang off bridge br0
#      |   in namespace ${P}sw; without it lan0 <-> lan eth0 is one veth pair)
#   ${P}gw    lan0 (192.168.0.1)           the router: masqd owns lan0/wan0
#             wan0 (203.0.113.1)           (addresses only in kernel-nat mode)
#      |
#   ${P}wan   eth0 203.0.113.2/24 + 203.0.113.3/24
#             NO route to 192.168.0.0/24: un-masqueraded packets go unanswered
#
# P is $MASQ_LAB_PREFIX (default "masq-demo-"; the tests use "masq-t$$-"), so
# labs with different prefixes never collide and nothing else is touched.
#
# Usage:
#   lab.sh up [--kernel-nat] [--lan2] [--offload on|off] [--noise] [--queues N]
#       (default) bare router for masqd: lan0/wan0 up with NO IPv4 address,
#                 ip_forward=0, arp_ignore=8 (all, default, lan0, wan0), IPv6
#                 disabled -- what masqd requires before it starts.
#       --kernel-nat  the kernel's own NAT for comparison: 192.168.0.1/24 on
#                 lan0, 203.0.113.1/24 on wan0, ip_forward=1 and a small
#                 nftables masquerade on wan0 (table ip masqlab).
#       --lan2    second internal host 192.168.0.3 behind a bridge.
#       --offload off (default): ethtool -K tx off tso off gso off gro off on
#                 every veth; "on" leaves the kernel's veth defaults.
#       --noise   IPv6 left ON at the endpoints (lan, lan2, wan eth0), so
#                 their kernels send router and neighbour solicitations and
#                 MLD reports, as hosts on a real network do; the router's
#                 own interfaces are still masqd's to take.
#       --queues N  every veth of lan0 and wan0 with N transmit and N
#                 receive queues (AF_XDP's queues: masqd --io afxdp takes
#                 each; the peer's rx queue is the sender's tx queue).
#       up tears this prefix's lab down first, so it can be run again.
#   lab.sh noise [-n COUNT] [-r RATE] KIND...|all
#                        send noise frames from the lan host (lab/noise.py:
#                        VLAN-tagged ARP/IPv4, LLDP, STP, IPv6 RS/NS,
#                        broadcast UDP), COUNT of each, bounded in time
#   lab.sh down          kill the processes in this prefix's namespaces (by
#                        PID, from ip netns pids) and delete the namespaces
#   lab.sh status        namespaces, addresses, routes (and nft ruleset)
#   lab.sh exec NODE CMD...   run CMD in NODE: lan lan2 gw (or router) wan sw
#   lab.sh ns NODE       print NODE's namespace name
#
# Fixed MACs: lan 02:6d:71:00:01:02, lan2 02:6d:71:00:01:03,
# gw lan0 02:6d:71:00:01:01, gw wan0 02:6d:71:00:02:01, wan 02:6d:71:00:02:02.
set -euo pipefail

P=${MASQ_LAB_PREFIX:-masq-demo-}
NS_LAN=${P}lan NS_LAN2=${P}lan2 NS_SW=${P}sw NS_GW=${P}gw NS_WAN=${P}wan
ALL_NS="$NS_LAN $NS_LAN2 $NS_SW $NS_GW $NS_WAN"
MAC_LAN=02:6d:71:00:01:02 MAC_LAN2=02:6d:71:00:01:03 MAC_GWLAN=02:6d:71:00:01:01
MAC_GWWAN=02:6d:71:00:02:01 MAC_WAN=02:6d:71:00:02:02
STATE_DIR=/run/masq-lab
STATE=$STATE_DIR/${P}mode

die() { echo "lab.sh: error: $*" >&2; exit 1; }
say() { echo "lab.sh: $*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found (apt-get install $2)"; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qxF -- "$1"; }

# The prefix becomes part of namespace names (and of /run/netns paths)
case "$P" in
	*[!A-Za-z0-9._-]* | "" | .* ) die "MASQ_LAB_PREFIX '$P' must be letters, digits, '.', '_' or '-'" ;;
esac
[ ${#P} -le 40 ] || die "MASQ_LAB_PREFIX '$P' is too long"

ns_name() {
	case "$1" in
	lan) echo "$NS_LAN" ;; lan2) echo "$NS_LAN2" ;; sw) echo "$NS_SW" ;;
	gw | router) echo "$NS_GW" ;; wan) echo "$NS_WAN" ;;
	*) die "unknown node '$1' (expected lan, lan2, gw, wan or sw)" ;;
	esac
}

# Every namespace: IPv6 off, loopback up, no rp_filter, ICMP not rate
# limited (traceroute would be starved), unprivileged ping allowed.
base_ns() {	# ns
	ip netns add "$1"
	nsx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.ip_forward=0 net.ipv4.icmp_ratelimit=0 \
		net.ipv4.ping_group_range="0 2147483647" >/dev/null
	nsx "$1" ip link set lo up
}

offload_off() {	# ns dev
	# tx off: no CHECKSUM_PARTIAL frames; tso/gso off: no 64 KB super-frames
	# on the wire; gro off: no merging on receive.
	nsx "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1 ||
		nsx "$1" ethtool -K "$2" tx off tso off gso off >/dev/null ||
		die "ethtool -K $2 failed in $1"
}

do_down() {
	local ns pids p
	for ns in $ALL_NS; do
		ns_exists "$ns" || continue
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		if [ -n "$pids" ]; then
			say "stopping processes in $ns: $(echo $pids)"
			for p in $pids; do kill "$p" 2>/dev/null || true; done
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				[ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
				sleep 0.1
			done
			for p in $(ip netns pids "$ns" 2>/dev/null || true); do
				kill -9 "$p" 2>/dev/null || true
			done
		fi
		ip netns del "$ns" 2>/dev/null || say "warning: could not delete $ns"
	done
	rm -f "$STATE"
}

# nftables masquerade for --kernel-nat: what masqd does with no rules
# (masquerade out of wan0, drop unsolicited connections from outside).
KERNEL_NAT_NFT='
table ip masqlab {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		iifname "lan0" accept
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "wan0" masquerade
	}
}'

do_up() {
	local mode=bare lan2=0 offl=off noise=0 d q=()
	while [ $# -gt 0 ]; do
		case "$1" in
		--kernel-nat | kernel-nat) mode=kernel-nat ;;
		--bare | bare) mode=bare ;;
		--lan2) lan2=1 ;;
		--noise) noise=1 ;;
		--queues) shift; q=(numtxqueues "${1:-}" numrxqueues "${1:-}") ;;
		--offload) shift; [ $# -gt 0 ] || die "--offload needs on or off"; offl=$1 ;;
		--offload=*) offl=${1#--offload=} ;;
		*) die "unknown option '$1' (up [--kernel-nat] [--lan2] [--offload on|off] [--noise] [--queues N])" ;;
		esac
		shift
	done
	case "$offl" in on | off) ;; *) die "--offload must be on or off, not '$offl'" ;; esac
	[ "$offl" = off ] && need ethtool ethtool
	[ $mode = kernel-nat ] && need nft nftables

	do_down	# idempotent: this prefix's lab always starts from scratch

	base_ns "$NS_LAN"
	base_ns "$NS_GW"
	base_ns "$NS_WAN"
	if [ $lan2 = 1 ]; then
		base_ns "$NS_LAN2"
		base_ns "$NS_SW"
		nsx "$NS_SW" ip link add br0 type bridge
		nsx "$NS_SW" ip link set br0 type bridge stp_state 0 forward_delay 0
		ip link add lan0 netns "$NS_GW" address $MAC_GWLAN type veth \
			peer name p-gw netns "$NS_SW"
		ip link add eth0 netns "$NS_LAN" address $MAC_LAN type veth \
			peer name p-lan netns "$NS_SW"
		ip link add eth0 netns "$NS_LAN2" address $MAC_LAN2 type veth \
			peer name p-lan2 netns "$NS_SW"
		for d in p-gw p-lan p-lan2; do nsx "$NS_SW" ip link set "$d" master br0 up; done
		nsx "$NS_SW" ip link set br0 up
	else
		ip link add lan0 netns "$NS_GW" address $MAC_GWLAN "${q[@]}" \
			type veth peer name eth0 netns "$NS_LAN" \
			address $MAC_LAN "${q[@]}"
	fi
	ip link add wan0 netns "$NS_GW" address $MAC_GWWAN "${q[@]}" type veth \
		peer name eth0 netns "$NS_WAN" address $MAC_WAN "${q[@]}"

	# the hosts (with --noise, IPv6 on before the links come up: DAD, RS, MLD)
	if [ $noise = 1 ]; then
		for d in "$NS_LAN" "$NS_WAN" $([ $lan2 = 1 ] && echo "$NS_LAN2"); do
			nsx "$d" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
				net.ipv6.conf.default.disable_ipv6=0 \
				net.ipv6.conf.eth0.disable_ipv6=0 >/dev/null
		done
	fi
	nsx "$NS_LAN" ip addr add 192.168.0.2/24 dev eth0
	nsx "$NS_LAN" ip link set eth0 up
	nsx "$NS_LAN" ip route add default via 192.168.0.1 dev eth0
	if [ $lan2 = 1 ]; then
		nsx "$NS_LAN2" ip addr add 192.168.0.3/24 dev eth0
		nsx "$NS_LAN2" ip link set eth0 up
		nsx "$NS_LAN2" ip route add default via 192.168.0.1 dev eth0
	fi
	nsx "$NS_WAN" ip addr add 203.0.113.2/24 dev eth0
	nsx "$NS_WAN" ip addr add 203.0.113.3/24 dev eth0
	nsx "$NS_WAN" ip link set eth0 up
	# no default route and no route to 192.168.0.0/24 on the external side

	# the router
	for d in lan0 wan0; do
		nsx "$NS_GW" sysctl -qw net.ipv6.conf.$d.disable_ipv6=1 >/dev/null
	done
	if [ $mode = kernel-nat ]; then
		nsx "$NS_GW" ip addr add 192.168.0.1/24 dev lan0
		nsx "$NS_GW" ip addr add 203.0.113.1/24 dev wan0
		nsx "$NS_GW" sysctl -qw net.ipv4.ip_forward=1 >/dev/null
		printf '%s\n' "$KERNEL_NAT_NFT" | nsx "$NS_GW" nft -f - ||
			die "loading the kernel-nat nftables ruleset failed"
	else
		# masqd owns lan0/wan0 at layer 2: the kernel must neither hold an
		# address there, nor forward, nor answer ARP.
		nsx "$NS_GW" sysctl -qw net.ipv4.ip_forward=0 \
			net.ipv4.conf.all.forwarding=0 net.ipv4.conf.lan0.forwarding=0 \
			net.ipv4.conf.wan0.forwarding=0 \
			net.ipv4.conf.all.arp_ignore=8 net.ipv4.conf.default.arp_ignore=8 \
			net.ipv4.conf.lan0.arp_ignore=8 net.ipv4.conf.wan0.arp_ignore=8 >/dev/null
	fi
	nsx "$NS_GW" ip link set lan0 up
	nsx "$NS_GW" ip link set wan0 up

	if [ "$offl" = off ]; then
		offload_off "$NS_LAN" eth0
		offload_off "$NS_WAN" eth0
		offload_off "$NS_GW" lan0
		offload_off "$NS_GW" wan0
		if [ $lan2 = 1 ]; then
			offload_off "$NS_LAN2" eth0
			for d in p-gw p-lan p-lan2; do offload_off "$NS_SW" "$d"; done
		fi
	fi
	mkdir -p "$STATE_DIR"
	echo "mode=$mode lan2=$lan2 offload=$offl noise=$noise" >"$STATE"
	say "up ($P): mode=$mode lan2=$lan2 offload=$offl noise=$noise"
}

do_status() {
	local ns any=0
	if [ -f "$STATE" ]; then echo "lab $P: $(cat "$STATE")"; else echo "lab $P: down"; fi
	for ns in $ALL_NS; do
		ns_exists "$ns" || continue
		any=1
		echo "=== $ns"
		nsx "$ns" ip -br link | grep -v '^lo ' || true
		nsx "$ns" ip -br -4 addr | grep -v '^lo ' || true
		nsx "$ns" ip route
		if [ "$ns" = "$NS_GW" ] && command -v nft >/dev/null; then
			nsx "$ns" nft list ruleset
		fi
	done
	[ $any = 1 ] || echo "(no namespaces with prefix $P)"
}

[ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"
need ip iproute2

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
up) do_up "$@" ;;
down) do_down; say "down ($P)" ;;
status) do_status ;;
ns) [ $# -eq 1 ] || die "usage: lab.sh ns NODE"; ns_name "$1" ;;
noise)
	ns_exists "$NS_LAN" || die "namespace $NS_LAN does not exist (run: lab.sh up)"
	need python3 python3
	# noise.py bounds itself (count, rate, deadline); timeout is a backstop
	exec timeout -k 2 600 ip netns exec "$NS_LAN" python3 "$(dirname "$0")/noise.py" "$@" ;;
exec)
	[ $# -ge 2 ] || die "usage: lab.sh exec NODE CMD..."
	ns=$(ns_name "$1"); shift
	ns_exists "$ns" || die "namespace $ns does not exist (run: lab.sh up)"
	exec ip netns exec "$ns" "$@" ;;
*) sed -n '2,45p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
