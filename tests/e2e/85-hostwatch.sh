#!/usr/bin/env bash
# tests/e2e/85-hostwatch.sh - masqd follows what the host does on its twins
#
#   masq-t$$-lan   eth0 192.168.0.2/24, default via 192.168.0.1
#        |         (curl to the server; a 1 MiB download, paced)
#   masq-t$$-gw    lan0, wan0: owned by build/masqd --external wan0=dhcp,
#                  which makes lan0-h (192.168.0.1/24) and wan0-h (no
#                  address); the test plays the host's DHCP client by hand
#                  (ip addr / ip route on wan0-h) and its services (a TCP
#                  listener, a bound UDP socket)
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 (python3 http.server :8000, its log
#                  names each client's address)
#
# 1. no address: masqctl iface says wan0 waits for one (dhcp); a LAN
#    download does not get out.
# 2. ip addr add 203.0.113.7/24 + ip route add default via 203.0.113.2 on
#    wan0-h: masqd logs "wan0: address 203.0.113.7/24 from the host
#    (wan0-h); masquerading with it" and the default route; masqctl route
#    shows it; a LAN curl reaches the server from 203.0.113.7.
# 3. the address changed by hand to 203.0.113.8 (ip addr del/add, the
#    default route again) while a LAN download runs: masqd logs the old
#    address gone; masq -L holds no mapping on .7; a new curl reaches the
#    server from .8; after the change the wan side sees no packet from .7
#    (the running download breaks, as it would with any address change).
# 4. host ports: a TCP listener on 0.0.0.0:2222 and a UDP socket on
#    203.0.113.8:5353 in the router's namespace appear in masqctl
#    host-ports within 3 s (and tcp 2222 leaves it once closed).
# 5. wan0-h set down: the host's default route goes with it in the
#    kernel, but masqd keeps it: LAN pings still get out; set up again.
# 6. masqctl stats counts it (masqd_host_addrs_added 2, _deleted 1; no
#    netlink dump refused or timed out: _netlink_retries 0).
# Captures: wan eth0 during step 3 (build/e2e/85-hostwatch/wan.pcap).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init masqd_starts waiting_for_address no_way_out address_followed \
	route_followed leaves_with_address address_changed old_mappings_gone \
	leaves_with_new_address nothing_with_old_address host_ports_learned \
	host_port_closed twin_down_keeps_route host_counters
e2e_need curl curl
e2e_need tcpdump tcpdump

lab_up || exit 1
gwx() { T=5 xo ip netns exec "$NS_GW" "$@"; }
stat_of() { mctl stats | awk -v n="$1" '$1 == n {print $2}'; }
# wait_for SECS CMD...: true once CMD succeeds (every 100 ms)
wait_for() {
	local secs=$1 i
	shift
	for i in $(seq $((secs * 10))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
logged() { grep -qF "$1" "$WORK/masqd.log"; }
# served_from ADDR: the http server's log names a request from ADDR
served_from() { grep -q "^$1 " "$WORK/http.out"; }
lan_get() { on lan curl -sS --max-time 5 -o /dev/null http://203.0.113.2:8000/1mb.bin; }

MASQD_ARGS=(--internal lan0=192.168.0.1/24 --external wan0=dhcp)
if masqd_start; then
	ok masqd_starts
else
	fail masqd_starts "no answer on the control socket (build/e2e/$E2E_NAME/masqd.log)"
	ABORT_WHY="masqd did not start"
	exit 1
fi
http_serve_1mb

# --- 1 ---------------------------------------------------------------------
if mctl iface | grep -q '^wan0 .*waiting for an address'; then
	ok waiting_for_address
else
	fail waiting_for_address "masqctl iface: $(mctl iface | tr '\n' ';')"
fi
# (no connection within 2 s: a SYN and its retry, where the lab connects
# in milliseconds; one that got out would have 5 s to download)
if on lan curl -sS --connect-timeout 2 --max-time 5 -o /dev/null http://203.0.113.2:8000/1mb.bin; then
	fail no_way_out "a download got out with no address"
else
	ok no_way_out
fi

# --- 2 ---------------------------------------------------------------------
on gw ip addr add 203.0.113.7/24 dev wan0-h
on gw ip route add default via 203.0.113.2 dev wan0-h
if wait_for 2 logged "wan0: address 203.0.113.7/24 from the host (wan0-h); masquerading with it"; then
	ok address_followed
else
	fail address_followed "no such line in masqd's log"
fi
if wait_for 2 sh -c "'$MASQCTL' -s '$SOCK' route | grep -q '^default via 203.0.113.2 dev wan0'" &&
	logged "wan0: default route via 203.0.113.2 from the host (wan0-h)"; then
	ok route_followed
else
	fail route_followed "masqctl route: $(mctl route | tr '\n' ';')"
fi
if warm lan 203.0.113.2 && lan_get && served_from 203.0.113.7; then
	ok leaves_with_address
else
	fail leaves_with_address "the server saw: $(grep -o '^[0-9.]* ' "$WORK/http.out" | sort -u | tr '\n' ' ')"
fi

# --- 3 ---------------------------------------------------------------------
bg lan curl 30 curl -sS --max-time 20 --limit-rate 128k -o /dev/null \
	http://203.0.113.2:8000/1mb.bin
CURL_PID=$BG_PID
capture wan eth0 wan
CAP_PID=$BG_PID
sleep 1.5
on gw ip addr del 203.0.113.7/24 dev wan0-h
t_change=$(date +%s.%N)
on gw ip addr add 203.0.113.8/24 dev wan0-h
on gw ip route add default via 203.0.113.2 dev wan0-h
if wait_for 2 logged "wan0: address 203.0.113.7/24 gone from the host (wan0-h); its connections and mappings are dropped"; then
	ok address_changed
else
	fail address_changed "no such line in masqd's log"
fi
if mctl masq -L -n | grep -q '203\.0\.113\.7'; then
	fail old_mappings_gone "masq -L: $(mctl masq -L -n | grep '203\.0\.113\.7' | head -3 | tr '\n' ';')"
else
	ok old_mappings_gone
fi
if wait_for 2 sh -c "'$MASQCTL' -s '$SOCK' route | grep -q '^default via 203.0.113.2 dev wan0'" &&
	lan_get && served_from 203.0.113.8; then
	ok leaves_with_new_address
else
	fail leaves_with_new_address "route: $(mctl route | tr '\n' ';') server saw: $(grep -o '^[0-9.]* ' "$WORK/http.out" | sort -u | tr '\n' ' ')"
fi
sleep 2
stop "$CURL_PID"
stop "$CAP_PID"
if [ -s "$WORK/wan.pcap" ]; then
	# packets from .7 stamped after the change (+50 ms for the first
	# that may have been on its way)
	late=$(tcpdump -r "$WORK/wan.pcap" -n -tt 'src host 203.0.113.7' 2>/dev/null |
		awk -v t="$t_change" '$1 > t + 0.05' | wc -l)
	if [ "$late" -eq 0 ]; then
		ok nothing_with_old_address
	else
		fail nothing_with_old_address "$late packets from 203.0.113.7 after the change"
	fi
else
	skip nothing_with_old_address "no capture (tcpdump)"
fi

# --- 4 ---------------------------------------------------------------------
bg gw listen 20 "$PY" -c 'import socket, time
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("0.0.0.0", 2222)); t.listen(4)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("203.0.113.8", 5353))
print("listening", flush=True); time.sleep(6)'
LISTEN_PID=$BG_PID
if wait_for 3 sh -c "'$MASQCTL' -s '$SOCK' host-ports | grep -qE '^tcp (.*,)?2222(,|\$)' && '$MASQCTL' -s '$SOCK' host-ports | grep -qE '^udp (.*,)?5353(,|\$)'"; then
	ok host_ports_learned
else
	fail host_ports_learned "masqctl host-ports: $(mctl host-ports | tr '\n' ';')"
fi
stop "$LISTEN_PID"
if wait_for 3 sh -c "! '$MASQCTL' -s '$SOCK' host-ports | grep -qE '^tcp (.*,)?2222(,|\$)'"; then
	ok host_port_closed
else
	fail host_port_closed "masqctl host-ports: $(mctl host-ports | tr '\n' ';')"
fi

# --- 5 ---------------------------------------------------------------------
on gw ip link set wan0-h down
sleep 1.5
r=$(gwx ip -4 route show default)
out=$(ono lan ping -n -c 3 -i 0.2 -W 1 203.0.113.2)
if echo "$out" | grep -q ' 3 received' &&
	mctl route | grep -q '^default via 203.0.113.2 dev wan0'; then
	ok twin_down_keeps_route
else
	fail twin_down_keeps_route "host route '${r}', masqctl route: $(mctl route | tr '\n' ';'), $(echo "$out" | grep -m1 'packet loss')"
fi
on gw ip link set wan0-h up

# --- 6 ---------------------------------------------------------------------
a=$(stat_of masqd_host_addrs_added) dl=$(stat_of masqd_host_addrs_deleted)
re=$(stat_of masqd_host_netlink_retries)
if [ "$a" = 2 ] && [ "$dl" = 1 ] && [ "$re" = 0 ]; then
	ok host_counters
else
	fail host_counters "masqd_host_addrs_added ${a:-missing}, _deleted ${dl:-missing}, _netlink_retries ${re:-missing} (want 2, 1, 0)"
fi
masqd_stop
