#!/usr/bin/env bash
# tests/e2e/50-kernel-out.sh - masqd keeps the router's kernel off the wire
#
#   masq-t$$-lan   eth0 192.168.0.2/24, default via 192.168.0.1   (curl)
#        |
#   masq-t$$-gw    lan0, wan0: owned by build/masqd. Before masqd starts the
#                  namespace is set up like a host that would get in the way:
#                  ip_forward=1, IPv6 on, arp_ignore 0 everywhere; the
#                  router's addresses 192.168.0.1/32 and 203.0.113.1/32 held
#                  by the kernel on h0 (a veth inside gw, NOT owned), and
#                  routes 192.168.0.0/24 dev lan0, 203.0.113.0/24 dev wan0.
#                  Without masqd's takeover this kernel answers ARP for
#                  203.0.113.1 on wan0, resets connections to it, and
#                  forwards lan packets out of wan0 untranslated.
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 (http.server :8000)
#                  tcpdump -w here (bounded) while: curl 1 MB through masqd,
#                  an inbound TCP connection attempt and a UDP probe to
#                  203.0.113.1, ARP requests for 203.0.113.1, and the gw
#                  host itself sending UDP out of wan0 (its route).
#
# On the wire outside there must be: no RST and no ICMP error from
# 203.0.113.1 (masqd drops unsolicited traffic silently, so any would be
# the kernel's), exactly one ARP reply per request, no 192.168.0.0/24
# address and nothing the host sent itself, no IPv6 from the router, and
# no more frames from wan0's MAC than masqd says it sent. While masqd runs,
# an `nft flush ruleset` is undone and a changed sysctl logged once. After
# SIGTERM: the sysctls are what they were and masqd's nft table is gone.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init control_kernel_would_answer masqd_starts http_1mb_sha256 inbound_tcp_no_answer \
	wire_no_kernel_rst wire_no_kernel_icmp wire_one_arp_reply_per_request \
	wire_no_untranslated wire_no_ipv6_from_router wire_only_masqd_frames \
	drop_put_back_after_flush change_logged_once sysctls_restored nft_table_removed
e2e_need nft nftables
e2e_need tcpdump tcpdump
e2e_need curl curl
e2e_need ping iputils-ping
e2e_need sha256sum coreutils

lab_up || exit 1

MAC_GWWAN=02:6d:71:00:02:01
# --- the host as a distribution leaves it, plus addresses that collide ----
on gw ip link add h0 type veth peer name h1
on gw ip addr add 192.168.0.1/32 dev h0
on gw ip addr add 203.0.113.1/32 dev h0
on gw ip link set h1 up
on gw ip link set h0 up
on gw sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.disable_ipv6=0 \
	net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.lan0.disable_ipv6=0 \
	net.ipv6.conf.wan0.disable_ipv6=0 net.ipv4.conf.all.arp_ignore=0 \
	net.ipv4.conf.default.arp_ignore=0 net.ipv4.conf.lan0.arp_ignore=0 \
	net.ipv4.conf.wan0.arp_ignore=0
on gw ip route add 192.168.0.0/24 dev lan0
on gw ip route add 203.0.113.0/24 dev wan0
state() {
	ip netns exec "$NS_GW" sh -c 'for d in lan0 wan0; do for k in ipv4/conf/$d/forwarding \
		ipv6/conf/$d/disable_ipv6 ipv4/conf/$d/arp_ignore; do
		printf "%s=%s " "$k" "$(cat /proc/sys/net/$k)"; done; done
		printf "ip_forward=%s" "$(cat /proc/sys/net/ipv4/ip_forward)"'
}
masqd_tables() { ip netns exec "$NS_GW" nft list tables netdev 2>/dev/null | grep -c 'masqd_'; }
BEFORE=$(state)
log "sysctls before masqd: $BEFORE"

# --- control: this kernel does answer when masqd is not there ------------
out=$(ono wan "$PY" -u "$WORK/tool.py" tcp-probe 203.0.113.1 7000 2)
if echo "$out" | grep -qi 'refused'; then
	ok control_kernel_would_answer
else
	fail control_kernel_would_answer "expected the kernel's RST (connection refused), got: $out"
fi
on wan ip neigh flush dev eth0

if masqd_start; then
	ok masqd_starts
else
	fail masqd_starts "no answer on the control socket (build/e2e/$E2E_NAME/masqd.log)"
	ABORT_WHY="masqd did not start"
	exit 1
fi

http_serve_1mb

bg wan tcpdump 60 tcpdump -Z root -n -i eth0 --immediate-mode -c 50000 -s 256 -U -w "$WORK/wan.pcap"
TCPDUMP_PID=$BG_PID
for _ in $(seq 30); do grep -q 'listening on' "$WORK/tcpdump.out" 2>/dev/null && break; sleep 0.1; done
tx_wan() { mctl stats | awk '$1 == "io_wan0_tx_frames" {print $2}'; }
TX0=$(tx_wan)

rm -f "$WORK/got.bin"
if on lan curl -sS --max-time 15 -o "$WORK/got.bin" http://203.0.113.2:8000/1mb.bin; then
	got=$(sha256sum <"$WORK/got.bin" | cut -d' ' -f1)
	[ "$got" = "$want" ] && ok http_1mb_sha256 ||
		fail http_1mb_sha256 "sha256 $got, expected $want"
else
	fail http_1mb_sha256 "curl failed (see $LOG)"
fi
# a connection from outside to the router's address, and a UDP probe: the
# kernel would reset / answer port unreachable; masqd drops them silently
out=$(ono wan "$PY" -u "$WORK/tool.py" tcp-probe 203.0.113.1 7000 2)
if echo "$out" | grep -qi 'timed out'; then
	ok inbound_tcp_no_answer
else
	fail inbound_tcp_no_answer "expected a time-out, got: $out"
fi
ono wan "$PY" -u "$WORK/tool.py" udp-ask 203.0.113.1 9 probe 1 >/dev/null
# the host itself sends out of wan0 (its route says so): the egress drop
# must keep that off the wire, ARP for it included
on gw "$PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    s.sendto(b"host-egress", ("203.0.113.2", 9999))'
# ARP: five broadcast requests for 203.0.113.1 (lab/noise.py; the wan
# kernel itself asks only once, then keeps the entry fresh from traffic)
on wan "$PY" "$E2E_ROOT/lab/noise.py" -i eth0 -n 5 -r 10 --target 203.0.113.1 arp
sleep 1.2	# tcpdump reads the kernel's buffer at least once a second
TX1=$(tx_wan)
stop "$TCPDUMP_PID"
stop "$HTTP_PID"
log "masqd wan0 tx frames during the capture: $TX0 -> $TX1"

pc() {	# count FILTER: packets in the capture that match
	timeout 20 tcpdump -n -r "$WORK/wan.pcap" "$@" 2>/dev/null | wc -l
}
show() { timeout 20 tcpdump -n -r "$WORK/wan.pcap" "$@" 2>/dev/null | head -n 3 | tr '\n' ' '; }
total=$(pc)
log "capture: $total packets"
[ "$total" -gt 500 ] || log "warning: the capture is short ($total packets)"

n=$(pc 'tcp[tcpflags] & tcp-rst != 0 and src host 203.0.113.1')
[ "$n" = 0 ] && ok wire_no_kernel_rst || fail wire_no_kernel_rst "$n RSTs from 203.0.113.1: $(show 'tcp[tcpflags] & tcp-rst != 0')"

n=$(pc 'icmp and src host 203.0.113.1 and icmp[icmptype] != icmp-echoreply')
[ "$n" = 0 ] && ok wire_no_kernel_icmp || fail wire_no_kernel_icmp "$n ICMP messages: $(show 'icmp and src host 203.0.113.1')"

req=$(pc 'arp and arp[6:2] = 1 and arp[24:4] = 0xcb007101')
rep=$(pc 'arp and arp[6:2] = 2 and arp[14:4] = 0xcb007101')
log "ARP for 203.0.113.1: $req requests, $rep replies"
if [ "$req" -ge 5 ] && [ "$rep" = "$req" ]; then
	ok wire_one_arp_reply_per_request
else
	fail wire_one_arp_reply_per_request "$req requests, $rep replies"
fi

n=$(pc 'net 192.168.0.0/24 or udp port 9999 or (arp and arp[14:4] = 0xc0a80001)')
[ "$n" = 0 ] && ok wire_no_untranslated || fail wire_no_untranslated "$n packets: $(show 'net 192.168.0.0/24 or udp port 9999 or arp')"

n=$(pc "ip6 and ether src $MAC_GWWAN")
[ "$n" = 0 ] && ok wire_no_ipv6_from_router || fail wire_no_ipv6_from_router "$n IPv6 packets: $(show "ip6 and ether src $MAC_GWWAN")"

# every frame from wan0's MAC was sent by masqd: no more than its counter
# grew during the capture (a couple more for the moments around the reads)
n=$(pc "ether src $MAC_GWWAN")
sent=$((TX1 - TX0))
log "frames from $MAC_GWWAN on the wire: $n; masqd sent $sent"
if [ "$n" -le $((sent + 2)) ] && [ "$n" -gt 0 ]; then
	ok wire_only_masqd_frames
else
	fail wire_only_masqd_frames "$n frames from wan0 on the wire, masqd sent $sent"
fi

# --- while it runs: the drop comes back, a changed sysctl is logged once --
masqd_tables_wait() {	# N SECONDS: until masqd's table count is N
	local i
	for i in $(seq $(($2 * 10))); do
		[ "$(masqd_tables)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
on gw nft flush ruleset
if masqd_tables_wait 1 8; then
	ok drop_put_back_after_flush
else
	fail drop_put_back_after_flush "no masqd table 8 s after nft flush ruleset"
fi
on gw sysctl -qw net.ipv4.conf.wan0.forwarding=1
# masqd checks every 3 s (TO_CHECK_SEC): the round that logs the change,
# then 3.5 s more for the next round, which must not log it again
fwd_logged() { grep -q 'wan0.forwarding was changed' "$WORK/masqd.log"; }
wait_until 4 fwd_logged || log "  (no line about wan0.forwarding 4 s after the change)"
sleep 3.5
n=$(grep -c 'wan0.forwarding was changed' "$WORK/masqd.log")
on gw sysctl -qw net.ipv4.conf.wan0.forwarding=0	# masqd's value again
if [ "$n" = 1 ]; then
	ok change_logged_once
else
	fail change_logged_once "$n log lines about wan0.forwarding in two check rounds"
fi

masqd_stop
AFTER=$(state)
log "sysctls after masqd: $AFTER"
[ "$AFTER" = "$BEFORE" ] && ok sysctls_restored || fail sysctls_restored "before: $BEFORE; after: $AFTER"
[ "$(masqd_tables)" = 0 ] && ok nft_table_removed ||
	fail nft_table_removed "$(ip netns exec "$NS_GW" nft list tables 2>&1 | tr '\n' ' ')"
