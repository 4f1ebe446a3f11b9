#!/usr/bin/env bash
# tests/e2e/116-recent.sh - the ssh brute-force limit with -m recent
#
#   masq-t$$-lan   eth0 192.168.0.2/24 (+ 192.168.0.10-249: the flood)
#   masq-t$$-lan2  eth0 192.168.0.3/24        both off bridge br0
#        |
#   masq-t$$-gw    lan0 192.168.0.1           build/masqd owns lan0, wan0
#                  wan0 203.0.113.1
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24        a TCP listener on port 22,
#                                             http.server on 8000
#
# The rules (iptables-extensions(8)'s classic), first in FORWARD:
#   -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --set --name SSH
#   -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --update
#      --seconds 60 --hitcount 4 --name SSH -j DROP
# lan's first three connections to port 22 are accepted, the fourth
# inside the minute is not (its SYNs dropped), lan2's is;
# `masqctl recent SSH` lists both sources and `-192.168.0.2` lets lan in
# again. The same with --workers 2, lan's connections made from source
# ports of both workers' slices in turn (so each worker sees only two of
# the four: a list per engine would let the fourth through). Then a
# flood: one connection each from 240 more sources (bounded: 240 SYNs);
# the list keeps 100 of them, the newest, while lan2 downloads a file
# whole, and afterwards lan2 is still limited at its fourth.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init recent_three_then_drop recent_other_source recent_list_shows \
	recent_remove_lets_in recent_workers2_shared recent_flood_bounded \
	recent_flood_other_traffic recent_flood_still_limits
e2e_need curl curl
e2e_need sha256sum coreutils

cat >"$WORK/recent.py" <<'EOF'
"""probe SRC SPORT DST PORT SECS: one TCP connection (exit 0 when made);
flood PREFIX FIRST LAST DST PORT: one non-blocking connect from each
PREFIX.N, held 2 s, then closed"""
import socket, sys, time

def probe(src, sport, dst, port, secs):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((src, int(sport)))
    s.settimeout(float(secs))
    try:
        s.connect((dst, int(port)))
    except OSError as e:
        print("failed: %s" % e)
        return 1
    print("connected from %s:%d" % s.getsockname())
    s.close()
    return 0

def flood(prefix, first, last, dst, port):
    socks = []
    for n in range(int(first), int(last) + 1):
        s = socket.socket()
        s.setblocking(False)
        s.bind(("%s.%d" % (prefix, n), 0))
        s.connect_ex((dst, int(port)))
        socks.append(s)
    time.sleep(2)
    for s in socks:
        s.close()
    print("flooded %d" % len(socks))

modes = {"probe": probe, "flood": flood}
sys.exit(modes[sys.argv[1]](*sys.argv[2:]) or 0)
EOF

SSH_RULES=(
	"-I FORWARD 1 -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --set --name SSH"
	"-I FORWARD 2 -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --update --seconds 60 --hitcount 4 --name SSH -j DROP"
)
rules_in() {
	local r
	for r in "${SSH_RULES[@]}"; do
		# shellcheck disable=SC2086
		mctl iptables $r >/dev/null || return 1
	done
}

# probe NODE SRC SPORT: a connection to 203.0.113.2:22 within 2 s?
probe() {
	ono "$1" "$PY" "$WORK/recent.py" probe "$2" "$3" 203.0.113.2 22 2 >/dev/null
}

# four attempts from lan (source ports $1..$4): "1110" when the first
# three connect and the fourth does not
four_from_lan() {
	local got= p
	for p in "$@"; do
		if probe lan 192.168.0.2 "$p"; then got=${got}1; else got=${got}0; fi
	done
	echo "$got"
}

lab_up --lan2 || exit 1
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
bg wan sshd 240 "$PY" -u "$WORK/tool.py" tcp-hold-server 203.0.113.2 22 230
SRV_PID=$BG_PID
wait_listen wan tcp 203.0.113.2:22
warm lan 203.0.113.2
warm lan2 203.0.113.2
rules_in || { ABORT_WHY="the recent rules were refused"; exit 1; }

got=$(four_from_lan 41000 41002 41004 41006)
log "lan's four attempts: $got"
[ "$got" = 1110 ] && ok recent_three_then_drop ||
	fail recent_three_then_drop "connected (1) or not (0): $got, want 1110"
if probe lan2 192.168.0.3 41100; then
	ok recent_other_source
else
	fail recent_other_source "192.168.0.3's first connection was refused"
fi
list=$(mctl recent SSH)
if echo "$list" | grep -q '^src=192\.168\.0\.2 ttl: 64 .*oldest_pkt: [5-9] ' &&
	echo "$list" | grep -q '^src=192\.168\.0\.3 ttl: 64 .*oldest_pkt: 1 '; then
	ok recent_list_shows
else
	fail recent_list_shows "masqctl recent SSH: $(echo "$list" | tr '\n' '|')"
fi
mctl recent SSH -192.168.0.2 >/dev/null
if probe lan 192.168.0.2 41008 && ! mctl recent SSH | grep -q '^src=192\.168\.0\.2 .*oldest_pkt: [2-9]'; then
	ok recent_remove_lets_in
else
	fail recent_remove_lets_in "after -192.168.0.2 lan still refused (or its old stamps kept)"
fi

# --workers 2: ports 42000, 42002, ... alternate between the slices
masqd_stop
if [ "$(nproc)" -lt 2 ]; then
	skip recent_workers2_shared "one CPU: --workers 2 is refused"
	masqd_start || { ABORT_WHY="masqd did not start again"; exit 1; }
else
	masqd_start --workers 2 || { ABORT_WHY="masqd --workers 2 did not start"; exit 1; }
fi
warm lan 203.0.113.2
warm lan2 203.0.113.2
rules_in || { ABORT_WHY="the recent rules were refused"; exit 1; }
if [ "$(nproc)" -ge 2 ]; then
	got=$(four_from_lan 42000 42002 42004 42006)
	other=0
	probe lan2 192.168.0.3 42100 && other=1
	mctl recent SSH +192.0.2.9 >/dev/null	# written once, not per worker
	log "--workers 2: lan's four attempts $got, lan2's $other"
	if [ "$got" = 1110 ] && [ $other = 1 ] &&
		mctl recent SSH | grep -q '^src=192\.168\.0\.2 .*oldest_pkt: [5-9] ' &&
		mctl recent SSH | grep -q '^src=192\.0\.2\.9 ttl: 0 .*oldest_pkt: 1 '; then
		ok recent_workers2_shared
	else
		fail recent_workers2_shared "lan $got (want 1110), lan2 $other (want 1), +192.0.2.9 stamped once?, list: $(mctl recent SSH | tr '\n' '|')"
	fi
fi

# the flood: 240 more sources on lan, one connection each, while lan2
# downloads; the list keeps the newest 100
for n in $(seq 10 249); do
	echo "address add 192.168.0.$n/24 dev eth0"
done >"$WORK/flood.ip"
on lan ip -batch "$WORK/flood.ip"
http_serve_1mb
bg lan flood 30 "$PY" "$WORK/recent.py" flood 192.168.0 10 249 203.0.113.2 22
FLOOD_PID=$BG_PID
bg lan2 curl 25 curl -sS --max-time 20 -o "$WORK/got.bin" http://203.0.113.2:8000/1mb.bin
CURL_PID=$BG_PID
wait "$FLOOD_PID"
wait "$CURL_PID"
list=$(mctl recent SSH)
n=$(echo "$list" | grep -c '^src=')
log "after the flood: $n entries; $(cat "$WORK/flood.out")"
if [ "$n" = 100 ] && ! echo "$list" | grep -q '^src=192\.168\.0\.10 ' &&
	echo "$list" | grep -q '^src=192\.168\.0\.249 '; then
	ok recent_flood_bounded
else
	fail recent_flood_bounded "$n entries (want 100: the newest kept, 192.168.0.10 evicted, .249 there)"
fi
got=$(sha256sum <"$WORK/got.bin" 2>/dev/null | cut -d' ' -f1)
[ "$got" = "$want" ] && ok recent_flood_other_traffic ||
	fail recent_flood_other_traffic "lan2's download during the flood: sha256 ${got:-none}"
mctl recent SSH -192.168.0.3 >/dev/null	# (the flood evicted it anyway)
got=
for p in 43000 43002 43004 43006; do
	if probe lan2 192.168.0.3 "$p"; then got=${got}1; else got=${got}0; fi
done
[ "$got" = 1110 ] && ok recent_flood_still_limits ||
	fail recent_flood_still_limits "lan2 after the flood: $got, want 1110"
stop "$HTTP_PID"
stop "$SRV_PID"
