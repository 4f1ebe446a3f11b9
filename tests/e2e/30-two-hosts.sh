#!/usr/bin/env bash
# tests/e2e/30-two-hosts.sh - two internal hosts share the one external address
#
#   masq-t$$-lan   eth0 192.168.0.2/24 --+
#                                        +-- br0 in masq-t$$-sw (a switch)
#   masq-t$$-lan2  eth0 192.168.0.3/24 --+
#                                        |
#   masq-t$$-gw    lan0 192.168.0.1 -----+     build/masqd owns lan0 and wan0
#                  wan0 203.0.113.1
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 + 203.0.113.3/24
#                  (python3 http.server :8000, TCP holder :7000)
#
# Both hosts download at the same time, and hold a connection open at the
# same time; the server must see only 203.0.113.1.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init lan2_ping_through two_hosts_http_sha256 two_hosts_server_sees_router \
	masq_list_two_hosts
e2e_need ping iputils-ping
e2e_need curl curl
e2e_need sha256sum coreutils

lab_up --lan2 || exit 1
capture wan eth0 wan
sleep 0.3
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi

warm lan 203.0.113.2
if warm lan2 203.0.113.2 &&
	ono lan2 ping -n -c 3 -i 0.2 -W 1 203.0.113.2 | grep -q ' 3 received'; then
	ok lan2_ping_through
else
	fail lan2_ping_through "192.168.0.3 gets no (or not every) answer from 203.0.113.2"
fi

http_serve_1mb
bg lan curl-lan 20 curl -sS --max-time 15 -o "$WORK/got-lan.bin" http://203.0.113.2:8000/1mb.bin
P1=$BG_PID
bg lan2 curl-lan2 20 curl -sS --max-time 15 -o "$WORK/got-lan2.bin" http://203.0.113.2:8000/1mb.bin
P2=$BG_PID
wait "$P1"; r1=$?
wait "$P2"; r2=$?
log "curl statuses: lan $r1, lan2 $r2"
why=
for h in lan lan2; do
	got=$(sha256sum <"$WORK/got-$h.bin" 2>/dev/null | cut -d' ' -f1)
	[ "$got" = "$want" ] || why="$why $h: $(head -c 100 "$WORK/curl-$h.out" | tr '\n' ' ') sha256 ${got:-none};"
done
if [ -z "$why" ]; then
	ok two_hosts_http_sha256
	rm -f "$WORK"/got-*.bin
else
	fail two_hosts_http_sha256 "$why"
fi
stop "$HTTP_PID"
clients=$(grep -oE '^[0-9.]+ - - \[.*"GET ' "$WORK/http.out" | cut -d' ' -f1 | sort | uniq -c | tr -s ' \n' ' ')
log "http clients seen by the server (count address): $clients"
if [ "$clients" = " 2 203.0.113.1 " ]; then
	ok two_hosts_server_sees_router
else
	fail two_hosts_server_sees_router "expected 2 requests from 203.0.113.1, the server saw:${clients:- nothing}"
fi

bg wan tcphold 20 "$PY" -u "$WORK/tool.py" tcp-hold-server 203.0.113.2 7000 15
SRV_PID=$BG_PID
sleep 0.3
bg lan hold-lan 15 "$PY" -u "$WORK/tool.py" tcp-hold-client 203.0.113.2 7000 6
bg lan2 hold-lan2 15 "$PY" -u "$WORK/tool.py" tcp-hold-client 203.0.113.2 7000 6
seen=
for _ in $(seq 20); do
	table=$(mctl masq -L -n)
	if echo "$table" | grep -E '\b7000\b' | grep -qE '192\.168\.0\.2\b' &&
		echo "$table" | grep -E '\b7000\b' | grep -qE '192\.168\.0\.3\b'; then
		seen=1
		break
	fi
	sleep 0.2
done
[ -n "$seen" ] && ok masq_list_two_hosts ||
	fail masq_list_two_hosts "masq -L -n does not list both 192.168.0.2 and 192.168.0.3 to port 7000"
stop "$SRV_PID"
