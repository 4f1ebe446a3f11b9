#!/usr/bin/env bash
# tests/e2e/88-dhcp-external.sh - the external address from DHCP, and the
# address changing under masqd (issue 13; the seeds' ip_dynaddr)
#
#   masq-t$$-lan   eth0 192.168.0.2/24   UDP and TCP to 198.51.100.2
#        |
#   masq-t$$-gw    lan0 192.168.0.1  <-- build/masqd --internal lan0=192.168.0.1/24
#                  wan0 (no address)      --external wan0=dhcp
#                  lan0-h, wan0-h: the twins; dhclient -d on wan0-h (the
#                  test's script puts the lease on wan0-h with ip(8))
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 + .3, lo 198.51.100.2/32 (off the
#                  router's subnet: reached only by the default route the
#                  lease gives); dnsmasq DHCP on eth0 (router 203.0.113.2,
#                  the router's MAC gets 203.0.113.50, then .60);
#                  UDP echo :9999 on .2 and 198.51.100.2, TCP holder
#                  :7000 on all addresses;
#                  tcpdump on eth0
#
# Cases:
#   masqd_starts_without_address  masqd runs with wan0=dhcp
#   waiting_said                  masqctl iface says wan0 waits for an address
#   no_address_drops              before the lease, the LAN's packets get no
#                                 answer and drop_no_address grows
#   dhcp_lease_taken              dhclient on wan0-h gets 203.0.113.50
#   masqd_follows_lease           masqctl iface shows it (2 s)
#   forwards_after_lease          the LAN reaches 203.0.113.2 ...
#   server_sees_leased_address    ... which sees 203.0.113.50
#   default_route_learned         the LAN reaches 198.51.100.2 (off-link)
#   lease_changed                 the server's lease now says .60; dhclient
#                                 releases .50 and gets .60
#   masqd_follows_change          masqctl iface drops .50 (1 s after the
#                                 release), then shows .60 (1 s)
#   old_mappings_gone             conntrack -L names 203.0.113.50 nowhere, and
#                                 the TCP connection made before is gone
#   new_address_used              new UDP and TCP leave from 203.0.113.60
#   nothing_sent_with_old_address once masqd's listing dropped .50 (or 1 s
#                                 after the release, if that is sooner), the
#                                 capture on the wan side has no packet from
#                                 .50, while a UDP stream and a TCP
#                                 connection kept sending through the change
#   hand_address_followed         ip addr del/add by hand on wan0-h (.70):
#                                 new connections leave with it
# E2E_OFFLOAD=on|off (run.sh runs both); E2E_ROUTER=kernel (hostlib.sh):
# dhclient on the kernel router's wan0, its nftables masquerade.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/hostlib.sh
. "$(dirname "$0")/hostlib.sh"

e2e_init masqd_starts_without_address waiting_said no_address_drops dhcp_lease_taken \
	masqd_follows_lease forwards_after_lease server_sees_leased_address \
	default_route_learned lease_changed masqd_follows_change old_mappings_gone \
	new_address_used nothing_sent_with_old_address hand_address_followed
e2e_need dnsmasq dnsmasq-base
e2e_need dhclient isc-dhcp-client
e2e_need tcpdump tcpdump
e2e_need ping iputils-ping
host_init
MAC_WAN0=02:6d:71:00:02:01	# lab.sh: the router's wan0 (and its twin)
OLD=203.0.113.50 NEW=203.0.113.60 HAND=203.0.113.70

router_lab_up || exit 1
on wan ip addr add 198.51.100.2/32 dev lo
bg wan tcpdump-wan 120 tcpdump -Z root -n -i eth0 -c 50000 -s 128 -U -w "$WORK/wan.pcap"
CAP_PID=$BG_PID
# one UDP echo per address: a reply leaves from the address asked
bg wan udpecho-2 110 "$PY" -u "$WORK/tool.py" udp-echo 203.0.113.2 9999 100
bg wan udpecho-off 110 "$PY" -u "$WORK/tool.py" udp-echo 198.51.100.2 9999 100
bg wan tcphold 110 "$PY" -u "$WORK/tool.py" tcp-hold-server 0.0.0.0 7000 100

# server_lease ADDR: (re)start the wan node's DHCP server, the router's MAC
# getting ADDR
server_lease() {
	[ -n "${DNSMASQ_PID:-}" ] && stop "$DNSMASQ_PID"
	dnsmasq_bg wan "dnsmasq-wan-${1##*.}" 100 --port=0 --interface=eth0 --bind-interfaces \
		--dhcp-range=203.0.113.50,203.0.113.69,255.255.255.0,2m \
		--dhcp-host="$MAC_WAN0,$1" --dhcp-option=option:router,203.0.113.2 \
		--dhcp-authoritative
}
server_lease $OLD || log "  (the DHCP server did not start)"

if [ $KERNEL = 1 ]; then
	on gw ip addr flush dev wan0
	masqd_only masqd_starts_without_address
else
	MASQD_ARGS=(--internal lan0=192.168.0.1/24 --external wan0=dhcp)
	if ! masqd_start; then
		grep -q 'wan0=dhcp' "$WORK/masqd.log" &&
			skip_all "masqd refuses --external wan0=dhcp: $(grep -m1 'wan0=dhcp' "$WORK/masqd.log")"
		ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
		exit 1
	fi
	ok masqd_starts_without_address
	twins_absent_skip
	twins_wait dhcp || log "  (the twins are not ready)"
fi

# wan_line: masqctl iface's line for wan0
wan_line() { mctl iface | grep -E '^wan0\b'; }

# --- before the lease ------------------------------------------------------
if [ $KERNEL = 1 ]; then
	masqd_only waiting_said no_address_drops
else
	line=$(wan_line)
	if echo "$line" | grep -qi 'waiting'; then
		ok waiting_said
	else
		fail waiting_said "masqctl iface: ${line:-no wan0 line}"
	fi
	nb=$(mctl stats | awk '$1 == "drop_no_address" {print $2}')
	p1=$(ono lan ping -n -c 3 -i 0.2 -W 1 203.0.113.2)
	u1=$(ono lan "$PY" -u "$WORK/tool.py" udp-ask 198.51.100.2 9999 before-lease 2)
	na=$(mctl stats | awk '$1 == "drop_no_address" {print $2}')
	log "drop_no_address ${nb:-absent} -> ${na:-absent}"
	if [ -z "$na" ]; then
		fail no_address_drops "masqctl stats has no drop_no_address counter"
	elif echo "$p1" | grep -q ' 0 received' && [ "$u1" = "no reply" ] &&
		[ "$((na - nb))" -ge 5 ]; then
		ok no_address_drops
	else
		stats_log
		fail no_address_drops "ping: $(echo "$p1" | grep -m1 'packet loss'); udp: $u1; drop_no_address +$((na - nb)) for 5 packets sent"
	fi
fi

# --- the lease ---------------------------------------------------------------
dhclient_write dhclient-wan
dhclient_bg gw dhclient-wan 60 "$TW_WAN"
if a=$(addr_wait gw "$TW_WAN" "^${OLD//./\\.}/24\$" 200); then
	ok dhcp_lease_taken
else
	fail dhcp_lease_taken "no $OLD on $TW_WAN within 20 s (dhclient: $(grep -E 'DHCP|No ' "$WORK/dhclient-wan.out" | tail -n 4 | tr '\n' ' '); server: $(grep DHCP "$WORK/dnsmasq-wan-50.out" | tail -n 4 | tr '\n' ' '))"
	ABORT_WHY="no lease"
	exit 1
fi

# masqd_shows ADDR yes|no: wait (TENTHS, default 20) until masqctl iface's
# wan0 line does (yes) or does not (no) show ADDR/24; prints the line
masqd_shows() {
	local i line n=${3:-20}
	for i in $(seq "$n"); do
		line=$(wan_line)
		if echo "$line" | grep -qF " $1/24"; then
			[ "$2" = yes ] && { log "  masqd shows $1 after $i tenths"; return 0; }
		else
			[ "$2" = no ] && { log "  masqd dropped $1 after $i tenths"; return 0; }
		fi
		sleep 0.1
	done
	echo "$line"
	return 1
}
if [ $KERNEL = 1 ]; then
	masqd_only masqd_follows_lease
elif line=$(masqd_shows $OLD yes); then
	ok masqd_follows_lease
else
	fail masqd_follows_lease "2 s after the lease, masqctl iface says: ${line:-no wan0 line}"
fi

# udp_from ADDR NAME: a UDP question from the LAN to ADDR:9999; true when
# answered; UDP_SEEN: the source the server logged for it
udp_from() {
	local out
	out=$(ono lan "$PY" -u "$WORK/tool.py" udp-ask "$1" 9999 "$2" 3)
	UDP_SEEN=$(cat "$WORK"/udpecho-*.out | grep -F "'$2'" | grep -oE '^from [0-9.]+' | cut -d' ' -f2 | sort -u | tr '\n' ' ')
	log "  $2: ${out:-nothing}; the server saw ${UDP_SEEN:-nothing}"
	echo "$out" | grep -q "^reply from $1:9999 "
}
warm lan 203.0.113.2 || log "  (no answer to the warm-up pings)"
if udp_from 203.0.113.2 after-lease; then
	ok forwards_after_lease
	if [ "$UDP_SEEN" = "$OLD " ]; then
		ok server_sees_leased_address
	else
		fail server_sees_leased_address "the server saw ${UDP_SEEN:-nothing}"
	fi
else
	fail forwards_after_lease "no answer from 203.0.113.2:9999 (the server saw ${UDP_SEEN:-nothing})"
	skip server_sees_leased_address "nothing came through"
fi
if udp_from 198.51.100.2 off-link && [ "$UDP_SEEN" = "$OLD " ]; then
	ok default_route_learned
else
	fail default_route_learned "198.51.100.2 (via the lease's router 203.0.113.2): the server saw ${UDP_SEEN:-nothing} ($(ip -n "$NS_GW" -4 route | tr '\n' ';'))"
fi

# --- the lease changes while traffic flows --------------------------------
bg lan stream 30 "$PY" -u "$HT" udp-stream 198.51.100.2 9999 16 0.05
STREAM=$BG_PID
bg lan talk 30 "$PY" -u "$HT" tcp-talk 198.51.100.2 7000 16 0.2
TALK=$BG_PID
sleep 2
talk_from=$(grep -oE '^connected from [0-9.]+:[0-9]+' "$WORK/talk.out" | cut -d' ' -f3)
log "TCP connection made before the change: ${talk_from:-none}"
[ $KERNEL = 1 ] || x "$MASQCTL" -s "$SOCK" conntrack -L

server_lease $NEW || log "  (the DHCP server did not restart)"
dhclient_release gw dhclient-wan "$TW_WAN"
# from when masqd's listing no longer has the old address, nothing may
# leave with it (t_ref); the kernel forgets it as the address goes
follow_ok=0
if [ $KERNEL = 0 ] && masqd_shows $OLD no 10 >/dev/null; then
	follow_ok=1
fi
t_ref=$(date +%s.%N)
stop "$DHCLIENT_PID"
rm -f "$RUNDIR/dhclient-wan.lease"
t_rel=$(awk '$2 == "RELEASE" {print $1}' "$WORK/dhclient-wan.events" | tail -n1)
if [ $KERNEL = 1 ]; then
	t_ref=$t_rel
elif [ -n "$t_rel" ]; then	# and at the latest 1 s after the release
	t_ref=$(awk -v a="$t_ref" -v r="$t_rel" 'BEGIN { printf "%.6f", a < r + 1 ? a : r + 1 }')
fi
dhclient_bg gw dhclient-wan 60 "$TW_WAN"
if a=$(addr_wait gw "$TW_WAN" "^${NEW//./\\.}/24\$" 200) && [ -n "$t_rel" ] &&
	! ip -n "$NS_GW" -4 -o addr show dev "$TW_WAN" | grep -qF " $OLD/"; then
	ok lease_changed
else
	fail lease_changed "$TW_WAN: $(ip -n "$NS_GW" -4 -o addr show dev "$TW_WAN" | awk '{print $4}' | tr '\n' ' '); events: $(tr '\n' ';' <"$WORK/dhclient-wan.events")"
fi
if [ $KERNEL = 1 ]; then
	masqd_only masqd_follows_change
elif [ $follow_ok = 1 ] && masqd_shows $NEW yes 10 >/dev/null &&
	! wan_line | grep -qF " $OLD/"; then
	ok masqd_follows_change
else
	fail masqd_follows_change "$([ $follow_ok = 1 ] || echo "$OLD still listed 1 s after the release; ")masqctl iface: $(wan_line)"
fi
log "release at ${t_rel:-?}, masqd's listing without $OLD at $t_ref"

# the old ones are gone: no entry names the old address; the TCP
# connection made before is not in the masquerade table any more
if [ $KERNEL = 1 ]; then
	ct=$(T=5 ono gw cat /proc/net/nf_conntrack 2>/dev/null)
	ml=
else
	ct=$(mctl conntrack -L)
	ml=$(mctl masq -L -n)
fi
old_ct=$(echo "$ct" | grep -cF "$OLD")
old_tcp=$(echo "$ml" | grep -E '^TCP .* -> 7000$' | grep -cE "\b${talk_from##*:}\b")
if [ -n "$talk_from" ] && [ "$old_ct" = 0 ] && [ "$old_tcp" = 0 ]; then
	ok old_mappings_gone
else
	fail old_mappings_gone "entries naming $OLD: $old_ct; masq -L lines of the TCP connection from ${talk_from:-(none made)}: $old_tcp"
fi

# the stream has gone on through the change once the capture holds 20 of
# its datagrams from the new address after t_ref (twice what the case
# below asks): then it and the talk may stop (SIGTERM: they end their
# loop and say what they sent); at the latest they end by themselves
new_stream() {
	[ "$(timeout 10 tcpdump -r "$WORK/wan.pcap" -n -tt "ip src host $NEW and udp dst port 9999" 2>/dev/null |
		awk -v t="$t_ref" '$1 > t' | wc -l)" -ge 20 ]
}
until new_stream || gone "$STREAM"; do
	sleep 0.3
done
stop "$STREAM"
stop "$TALK"
log "stream: $(tr '\n' ' ' <"$WORK/stream.out"); talk: $(tr '\n' ' ' <"$WORK/talk.out")"
ok_udp=0 ok_tcp=0
udp_from 198.51.100.2 after-change && [ "$UDP_SEEN" = "$NEW " ] && ok_udp=1
out=$(ono lan "$PY" -u "$WORK/tool.py" tcp-probe 198.51.100.2 7000 3)
sleep 0.3
tcp_seen=$(grep -oE '^accepted [0-9.]+' "$WORK/tcphold.out" | tail -n1 | cut -d' ' -f2)
[ "$tcp_seen" = "$NEW" ] && ok_tcp=1
if [ $ok_udp = 1 ] && [ $ok_tcp = 1 ]; then
	ok new_address_used
else
	fail new_address_used "a new UDP question: the server saw ${UDP_SEEN:-nothing}; a new TCP connection ($out): accepted from ${tcp_seen:-nobody}"
fi

# --- nothing with the old address once it was gone --------------------------
# (the capture's own clock and date's are the same clock)
sleep 0.5
after=$(timeout 20 tcpdump -r "$WORK/wan.pcap" -n -tt "ip src host $OLD" 2>/dev/null |
	awk -v t="$t_ref" '$1 > t' | head -n 5)
old_before=$(timeout 20 tcpdump -r "$WORK/wan.pcap" -n -tt "ip src host $OLD and udp dst port 9999" 2>/dev/null |
	awk -v t="$t_rel" '$1 < t' | wc -l)
new_after=$(timeout 20 tcpdump -r "$WORK/wan.pcap" -n -tt "ip src host $NEW and udp dst port 9999" 2>/dev/null |
	awk -v t="$t_ref" '$1 > t' | wc -l)
log "stream datagrams from $OLD before the release: $old_before; from $NEW after: $new_after"
if [ -n "$after" ]; then
	fail nothing_sent_with_old_address "sent with $OLD after masqd's listing dropped it or 1 s after the release ($t_ref): $(echo "$after" | tr '\n' ';')"
elif [ "$old_before" -lt 10 ] || [ "$new_after" -lt 10 ]; then
	fail nothing_sent_with_old_address "the stream did not run through the change (datagrams from $OLD before: $old_before, from $NEW after: $new_after)"
else
	ok nothing_sent_with_old_address
fi

# --- an address changed by hand ----------------------------------------------
stop "$DHCLIENT_PID"
on gw ip addr del "$NEW/24" dev "$TW_WAN"
on gw ip addr add "$HAND/24" dev "$TW_WAN"
ip -n "$NS_GW" -4 route show default | grep -q . || on gw ip route add default via 203.0.113.2 dev "$TW_WAN"
[ $KERNEL = 1 ] || masqd_shows $HAND yes 20 >/dev/null || log "  masqd does not show $HAND: $(wan_line)"
if udp_from 198.51.100.2 by-hand && [ "$UDP_SEEN" = "$HAND " ]; then
	ok hand_address_followed
else
	fail hand_address_followed "after ip addr del $NEW, add $HAND on $TW_WAN: the server saw ${UDP_SEEN:-nothing}"
fi
stop "$CAP_PID"
[ $KERNEL = 1 ] || stats_log
