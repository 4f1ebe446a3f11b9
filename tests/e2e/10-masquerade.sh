#!/usr/bin/env bash
# tests/e2e/10-masquerade.sh - masqd with no rules is a masquerading router
#
#   masq-t$$-lan   eth0 192.168.0.2/24, default via 192.168.0.1
#        |         (curl, ping, UDP and TCP clients)
#   masq-t$$-gw    lan0 192.168.0.1  <-- build/masqd owns both at layer 2;
#                  wan0 203.0.113.1      the kernel has no address on them
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 + 203.0.113.3/24
#                  (python3 http.server :8000, UDP echo :9999, TCP holder :7000)
#                  no route back to 192.168.0.0/24 -- except in the inbound
#                  case, which adds one via 203.0.113.1 so the packets reach
#                  masqd and must be dropped there.
#
# masqd: --internal lan0=192.168.0.1/24 --external wan0=203.0.113.1/24, no -c.
# Captures of both sides: build/e2e/10-masquerade/{lan,wan}.pcap.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init masqd_starts ping_router_lan ping_router_wan_from_wan \
	ping_router_wan_from_lan ping_through traceroute_router_hop http_1mb_sha256 \
	http_server_sees_router udp_reply udp_server_sees_router \
	masq_list_live_tcp conntrack_list_live_tcp inbound_tcp_blocked \
	inbound_ping_blocked inbound_drop_counted sigterm_exit0
e2e_need ping iputils-ping
e2e_need curl curl
e2e_need sha256sum coreutils

lab_up || exit 1
capture lan eth0 lan
capture wan eth0 wan
sleep 0.5

if masqd_start; then
	ok masqd_starts
else
	fail masqd_starts "no answer on the control socket (build/e2e/$E2E_NAME/masqd.log)"
	ABORT_WHY="masqd did not start"
	exit 1
fi

# --- ping: the router's own addresses, then through it --------------------
# ping_case NAME NODE ADDR: a warm-up ping (ARP on both sides), then 3 more
# that must all be answered
ping_case() {
	local out
	warm "$2" "$3" || { fail "$1" "no answer from $3 to 5 single pings"; return; }
	out=$(ono "$2" ping -n -c 3 -i 0.2 -W 1 "$3")
	if echo "$out" | grep -q ' 3 received'; then
		ok "$1"
	else
		fail "$1" "$(echo "$out" | grep -m1 'packet loss' || echo 'ping failed')"
	fi
}
ping_case ping_router_lan lan 192.168.0.1
ping_case ping_router_wan_from_wan wan 203.0.113.1
ping_case ping_router_wan_from_lan lan 203.0.113.1
ping_case ping_through lan 203.0.113.2

# --- traceroute: hop 1 is the router (ICMP time exceeded from masqd), hop 2
# the server (its port unreachable, translated back by masqd)
if command -v traceroute >/dev/null 2>&1; then
	out=$(ono lan traceroute -n -m 5 -w 1 -q 1 203.0.113.2)
	if echo "$out" | grep -qE '^ *1 +192\.168\.0\.1 ' && echo "$out" | grep -qE '^ *2 +203\.0\.113\.2 '; then
		ok traceroute_router_hop
	else
		fail traceroute_router_hop "$(echo "$out" | sed 1d | tr -s ' \n' ' ')"
	fi
else
	skip traceroute_router_hop "needs traceroute (apt-get install traceroute)"
fi

# --- HTTP: 1 MB through the router, checksum and the client address -------
http_serve_1mb
rm -f "$WORK/got.bin"
if on lan curl -sS --max-time 10 -o "$WORK/got.bin" http://203.0.113.2:8000/1mb.bin; then
	got=$(sha256sum <"$WORK/got.bin" | cut -d' ' -f1)
	if [ "$got" = "$want" ]; then
		ok http_1mb_sha256
		rm -f "$WORK/got.bin"
	else
		fail http_1mb_sha256 "sha256 $got, expected $want ($(stat -c %s "$WORK/got.bin") bytes)"
	fi
else
	fail http_1mb_sha256 "curl failed (status $?, see $LOG)"
fi
stop "$HTTP_PID"
clients=$(grep -oE '^[0-9.]+ - - \[.*"GET ' "$WORK/http.out" | cut -d' ' -f1 | sort -u | tr '\n' ' ')
log "http clients seen by the server: $clients"
if [ "$clients" = "203.0.113.1 " ]; then
	ok http_server_sees_router
elif [ -z "$clients" ]; then
	fail http_server_sees_router "the server logged no request"
else
	fail http_server_sees_router "the server saw clients: $clients"
fi

# --- UDP: a request and its reply ---------------------------------------
bg wan udpecho 30 "$PY" -u "$WORK/tool.py" udp-echo 203.0.113.2 9999 25
UDP_PID=$BG_PID
sleep 0.3
text=hello-masq-$$
out=$(ono lan "$PY" -u "$WORK/tool.py" udp-ask 203.0.113.2 9999 "$text")
if echo "$out" | grep -qx "reply from 203.0.113.2:9999 echo:$text"; then
	ok udp_reply
else
	fail udp_reply "got: ${out:-nothing}"
fi
stop "$UDP_PID"
seen=$(grep -oE '^from [0-9.]+' "$WORK/udpecho.out" | cut -d' ' -f2 | sort -u | tr '\n' ' ')
log "udp clients seen by the server: $seen"
if [ "$seen" = "203.0.113.1 " ]; then
	ok udp_server_sees_router
else
	fail udp_server_sees_router "the server saw: ${seen:-nobody}"
fi

# --- the masquerade table shows a live TCP connection -------------------
bg wan tcphold 20 "$PY" -u "$WORK/tool.py" tcp-hold-server 203.0.113.2 7000 15
SRV_PID=$BG_PID
sleep 0.3
bg lan tcpclient 15 "$PY" -u "$WORK/tool.py" tcp-hold-client 203.0.113.2 7000 6
CLI_PID=$BG_PID
# live_line VERB...: wait (4 s at most) for a listing line that names both ends
live_line() {
	local line
	for _ in $(seq 20); do
		line=$(mctl "$@" | grep -E '192\.168\.0\.2\b' | grep -E '203\.0\.113\.2\b' | grep -E '\b7000\b' | head -n1)
		[ -n "$line" ] && { echo "$line"; return 0; }
		sleep 0.2
	done
	return 1
}
if line=$(live_line masq -L -n); then
	log "masq -L -n line: $line"
	ok masq_list_live_tcp
else
	fail masq_list_live_tcp "no line with 192.168.0.2 and 203.0.113.2:7000 while the connection was open (client: $(head -c 200 "$WORK/tcpclient.out" | tr '\n' ' '))"
fi
if line=$(live_line conntrack -L); then
	log "conntrack -L line: $line"
	ok conntrack_list_live_tcp
else
	fail conntrack_list_live_tcp "no line with 192.168.0.2 and 203.0.113.2:7000"
fi
stop "$CLI_PID"
stop "$SRV_PID"

# --- from outside to an internal host: dropped and counted ---------------
# (by the default ruleset's FORWARD policy: drop_filter)
# Give the external host a route so its packets really reach masqd.
on wan ip route add 192.168.0.0/24 via 203.0.113.1 dev eth0
bg lan inlisten 15 "$PY" -u "$WORK/tool.py" tcp-hold-server 192.168.0.2 8080 10
IN_PID=$BG_PID
sleep 0.3
before=$(drop_counters)
out=$(ono wan "$PY" -u "$WORK/tool.py" tcp-probe 192.168.0.2 8080 3)
probe_rc=$?
pout=$(ono wan ping -n -c 2 -i 0.3 -W 1 192.168.0.2)
sleep 0.2
after=$(drop_counters)
stop "$IN_PID"
if [ $probe_rc -ne 0 ] && ! grep -q accepted "$WORK/inlisten.out"; then
	ok inbound_tcp_blocked
else
	fail inbound_tcp_blocked "probe: $out; internal listener: $(tr '\n' ' ' <"$WORK/inlisten.out")"
fi
if echo "$pout" | grep -q ' 0 received'; then
	ok inbound_ping_blocked
else
	fail inbound_ping_blocked "$(echo "$pout" | grep -m1 'packet loss')"
fi
rose=$(join -a2 -e 0 -o 0,1.2,2.2 <(echo "$before") <(echo "$after") |
	awk '$3 > $2 { printf "%s+%d ", $1, $3 - $2 }')
log "drop counters that rose: ${rose:-none}"
if [ -z "$after" ]; then
	fail inbound_drop_counted "masqctl stats shows no drop_* counters"
elif echo "$rose" | grep -qE 'drop_(filter|unsolicited|tcp_no_conn)\+'; then
	ok inbound_drop_counted
else
	fail inbound_drop_counted "no unsolicited drop counted (rose: ${rose:-none})"
fi
on wan ip route del 192.168.0.0/24

mctl stats >/dev/null

# --- SIGTERM: exit 0 within a second -------------------------------------
masqd_stop
rc=$?
case $rc in
0) ok sigterm_exit0 ;;
124) fail sigterm_exit0 "still running 1 s after SIGTERM" ;;
*) fail sigterm_exit0 "exit status $rc" ;;
esac
