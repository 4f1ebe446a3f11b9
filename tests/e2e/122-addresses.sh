#!/usr/bin/env bash
# tests/e2e/122-addresses.sh - questionable addresses refused with the
# reason (masqd(8), ADDRESS CHECKS): at start, and from masqctl
#
#   masq-t$$-lan   eth0 192.168.0.2/24     pings 203.0.113.2
#        |
#   masq-t$$-gw    lan0, wan0: build/masqd tried with a network address, a
#                  broadcast address, its own address as --gateway, a
#                  gateway on no network, an external network over the
#                  internal one (each refused, exit status 1, nothing of
#                  the interfaces changed); then a good start (--gateway
#                  203.0.113.2, and wan1 -- a veth with a loose end --
#                  on 203.0.113.128/25: a warning) that forwards, and
#                  masqctl addr add /
#                  route add refused the same way, a warning for two
#                  overlapping external networks
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init addr_network_refused addr_broadcast_refused addr_gateway_own_refused \
	addr_gateway_off_net_refused addr_overlap_refused addr_refused_touched_nothing \
	addr_good_start_forwards addr_start_external_overlap_warned \
	addr_masqctl_network_refused \
	addr_masqctl_overlap_refused addr_masqctl_gateway_refused \
	addr_masqctl_external_overlap_warned

lab_up || exit 1

state() {
	ip netns exec "$NS_GW" sh -c 'nft list tables 2>&1 | tr "\n" " "
		for i in lan0 wan0; do for k in ipv4/conf/$i/forwarding \
			ipv4/conf/$i/arp_ignore; do
			printf "%s=%s " $k $(cat /proc/sys/net/$k); done; done
		ip -o link | cut -d: -f2 | tr -d "\n"; ip -o -4 addr | tr "\n" " "'
}
before=$(state)

# refused CASE WANT ARGS...: masqd ARGS exits 1 saying WANT
refused() {
	local c=$1 want=$2 out rc
	shift 2
	log "+ masqd $* -s $RUNDIR/bad.sock -f"
	out=$(timeout -k 1 10 ip netns exec "$NS_GW" "$MASQD" "$@" \
		-s "$RUNDIR/bad.sock" -f 2>&1)
	rc=$?
	log "  status $rc: $out"
	if [ $rc = 1 ] && echo "$out" | grep -qF "$want"; then
		ok "$c"
	else
		fail "$c" "status $rc, want 1 and '$want': $(echo "$out" | tail -n 2 | tr '\n' ' ')"
	fi
}

refused addr_network_refused \
	"192.168.0.0 is the network address of 192.168.0.0/24; give the router's own address, e.g. 192.168.0.1/24" \
	--internal lan0=192.168.0.0/24 --external wan0=203.0.113.1/24
refused addr_broadcast_refused \
	"203.0.113.255 is the broadcast address of 203.0.113.0/24; give the router's own address, e.g. 203.0.113.254/24" \
	--internal lan0=192.168.0.1/24 --external wan0=203.0.113.255/24
refused addr_gateway_own_refused \
	"gateway 203.0.113.1 is the router's own address (on wan0)" \
	"${MASQD_ARGS[@]}" --gateway 203.0.113.1
refused addr_gateway_off_net_refused \
	"gateway '198.51.100.1' is not on a connected network" \
	"${MASQD_ARGS[@]}" --gateway 198.51.100.1
refused addr_overlap_refused \
	"192.168.0.100/16 on wan0 (external) overlaps 192.168.0.1/24 on lan0 (internal)" \
	--internal lan0=192.168.0.1/24 --external wan0=192.168.0.100/16
after=$(state)
if [ "$after" = "$before" ]; then
	ok addr_refused_touched_nothing
else
	fail addr_refused_touched_nothing "before: $before; after: $after"
fi

# a second external interface for masqd to own, as the lab prepares wan0
on gw ip link add wan1 type veth peer name wan1p
on gw sysctl -qw net.ipv6.conf.wan1.disable_ipv6=1 net.ipv4.conf.wan1.arp_ignore=8
on gw ip link set wan1 up
on gw ip link set wan1p up
if masqd_start --gateway 203.0.113.2 --external wan1=203.0.113.130/25 &&
	warm lan 203.0.113.2; then
	ok addr_good_start_forwards
else
	fail addr_good_start_forwards "masqd --gateway 203.0.113.2 did not forward a ping"
fi
want="command line: warning: addr: 203.0.113.130/25 on wan1 (external) overlaps 203.0.113.1/24 on wan0 (external): hosts in both are reached on the interface of the longer prefix"
if grep -qF "$want" "$WORK/masqd.log"; then
	ok addr_start_external_overlap_warned
else
	fail addr_start_external_overlap_warned "no line '$want' in masqd's log"
fi

# mctl_says CASE STATUS WANT ARGS...: masqctl ARGS exits STATUS saying WANT
mctl_says() {
	local c=$1 st=$2 want=$3 out rc
	shift 3
	log "+ masqctl -s $SOCK $*"
	out=$(timeout -k 1 5 "$MASQCTL" -s "$SOCK" "$@" 2>&1)
	rc=$?
	log "  status $rc: $out"
	if [ $rc = "$st" ] && echo "$out" | grep -qF "$want"; then
		ok "$c"
	else
		fail "$c" "masqctl $*: status $rc, want $st and '$want': $out"
	fi
}
mctl_says addr_masqctl_network_refused 1 \
	"addr: 10.9.0.0 is the network address of 10.9.0.0/16; give the router's own address, e.g. 10.9.0.1/16" \
	addr add 10.9.0.0/16 dev lan0
mctl_says addr_masqctl_overlap_refused 1 \
	"addr: 192.168.0.9/24 on wan0 (external) overlaps 192.168.0.1/24 on lan0 (internal)" \
	addr add 192.168.0.9/24 dev wan0
mctl_says addr_masqctl_gateway_refused 1 \
	"route: gateway 192.168.0.1 is the router's own address (on lan0)" \
	route add 10.50.0.0/16 via 192.168.0.1
# a second external interface (in the engine only) on the same network
if mctl iface add wan9 mac 02:6d:71:00:09:01 role external >/dev/null; then
	mctl_says addr_masqctl_external_overlap_warned 0 \
		"warning: addr: 203.0.113.60/26 on wan9 (external) overlaps 203.0.113.1/24 on wan0 (external): hosts in both are reached on the interface of the longer prefix" \
		addr add 203.0.113.60/26 dev wan9
else
	fail addr_masqctl_external_overlap_warned "masqctl iface add wan9 refused"
fi
