#!/usr/bin/env bash
# tests/e2e/104-restart.sh - a restart keeps the connections: masqd writes
# its state at the stop and the next masqd, started with the same
# arguments (as the unit does), loads it
#
#   masq-t$$-lan   eth0 192.168.0.2/24: three flows, each from a source port
#        |         below 1024 (masqd's ports start at 1024, so each leaves
#        |         with another external port):
#        |           download  curl --local-port 903, 1.2 MB at 300 KB/s
#        |           udp       a datagram every 50 ms from port 901
#        |           hold      TCP from port 902, 4 bytes every 100 ms,
#        |                     each echoed back
#   masq-t$$-gw    build/masqd: stopped (SIGTERM) while the flows run,
#        |         started again with the same arguments
#   masq-t$$-wan   eth0 203.0.113.2/24: an HTTP server, a UDP sink, a TCP
#                  echo server; each logs the source address:port it sees
#
# Proofs: the download completes with the source's bytes; the UDP flow
# and the held connection go on after the restart, from one external
# source port each (not their internal one), the held connection without
# a reset and with every byte echoed; masqd logs "restart: N connections
# ... forwarding stopped for T ms" (T printed). Then a corrupt state file
# is refused with the reason and masqd starts empty. Then the flows
# again across SIGUSR2 (a restart: the takeover and twins left for the
# successor, which adopts them): the twin keeps its ifindex and address,
# and the final SIGTERM gives the interfaces back as they were before
# the first start (the recorded originals, kept through the adoption),
# the twin removed. Last, wan0=dhcp with the address on wan0-h (put there
# by hand, as a DHCP client would): across SIGUSR2 the address stays on
# the adopted twin, the new masqd learns it from the host before it loads
# the state, and the UDP and held flows on it go on. And --no-restore
# starts empty. Last, a state file another network namespace wrote (one
# UDP flow in it), put where this namespace's would be (the lab made
# again: what a namespace whose inode number is used again finds) is
# refused, naming the namespace, and removed; nothing is restored.
#
# Every generator is bounded (count and time); the state file and records
# live in /run/masq/NETNS (the gw namespace's inode): the trap removes it.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init download_survives udp_flow_same_port hold_no_reset_same_port \
	gap_reported corrupt_state_refused usr2_twin_kept usr2_flows_kept \
	usr2_stop_restores usr2_dhcp_address_kept no_restore_starts_empty \
	other_netns_state_refused
e2e_need curl curl

lab_up || exit 1

NETNS=$(ip netns exec "$NS_GW" stat -L -c %i /proc/self/ns/net)
RECDIR=/run/masq/$NETNS
trap 'rm -rf "$RECDIR"; e2e_cleanup' EXIT

SECS=6		# how long the UDP and held flows run
cat >"$WORK/peers.py" <<'EOF'
"""104-restart's traffic: server (wan side) and client (lan side)"""
import os, socket, sys, threading, time
from http.server import HTTPServer, BaseHTTPRequestHandler

OUT_LOCK = threading.Lock()

def out(*a):
    # one write per line under a lock: print() writes the text and the
    # newline apart, so two threads' lines could run into one another
    line = " ".join(str(x) for x in a) + "\n"
    with OUT_LOCK:
        sys.stdout.write(line)
        sys.stdout.flush()

def server(blob, secs):
    end = time.time() + secs
    data = open(blob, 'rb').read()

    class H(BaseHTTPRequestHandler):
        def do_GET(self):
            out("http from %s:%d" % self.client_address)
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        def log_message(self, *a):
            pass
    http = HTTPServer(("0.0.0.0", 8080), H)
    threading.Thread(target=http.serve_forever, daemon=True).start()

    def udp():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", 9999))
        s.settimeout(0.5)
        seen = {}
        while time.time() < end:
            try:
                d, a = s.recvfrom(2048)
            except socket.timeout:
                continue
            if a not in seen:
                out("udp from %s:%d" % a)
            seen[a] = seen.get(a, 0) + 1
            out("udp %s:%d %s %.3f" % (a[0], a[1], d.decode(), time.time()))
    threading.Thread(target=udp, daemon=True).start()

    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("0.0.0.0", 7000))
    l.listen(4)
    l.settimeout(0.5)
    while time.time() < end:
        try:
            c, a = l.accept()
        except socket.timeout:
            continue
        out("hold from %s:%d" % a)
        c.settimeout(end - time.time())
        try:
            while True:
                d = c.recv(4096)
                if not d:
                    out("hold closed by client")
                    break
                c.sendall(d)
        except Exception as e:
            out("hold error %r" % e)
        c.close()

def client_udp(secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 901))
    end = time.time() + secs
    n = 0
    while time.time() < end:
        s.sendto(b"%d" % n, ("203.0.113.2", 9999))
        n += 1
        time.sleep(0.05)
    out("udp sent %d" % n)

def client_hold(secs):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", 902))
    s.settimeout(5)
    s.connect(("203.0.113.2", 7000))
    end = time.time() + secs
    sent = got = 0
    try:
        while time.time() < end:
            s.sendall(b"abcd")
            sent += 4
            while got < sent:
                d = s.recv(4096)
                if not d:
                    raise Exception("closed by the server")
                got += len(d)
            time.sleep(0.1)
        s.close()
        out("hold ok sent %d echoed %d" % (sent, got))
    except Exception as e:
        out("hold error %r after %d sent %d echoed" % (e, sent, got))

if sys.argv[1] == "server":
    server(sys.argv[2], float(sys.argv[3]))
elif sys.argv[1] == "udp":
    client_udp(float(sys.argv[2]))
else:
    client_hold(float(sys.argv[2]))
EOF

head -c 1200000 /dev/urandom >"$WORK/blob"
sysctls() {	# what the takeover changes, and the nft tables
	ip netns exec "$NS_GW" sh -c 'for i in lan0 wan0; do
		for k in ipv4/conf/$i/forwarding ipv6/conf/$i/disable_ipv6 ipv4/conf/$i/arp_ignore; do
			printf "%s=%s " $k $(cat /proc/sys/net/$k); done; done; nft list tables'
}
BEFORE=$(sysctls)
conns() { mctl conntrack -L 2>/dev/null | grep -c 'dport=' ; }
flows_up() { [ "$(conns)" -ge 3 ]; }
got_some() { [ "$(stat -c %s "$GOT" 2>/dev/null || echo 0)" -ge 100000 ]; }
flows_two() { [ "$(conns)" -ge 2 ]; }
flows_one() { [ "$(conns)" -ge 1 ]; }

# run_flows NAME: the server and the three flows, then $1 restart: stop
# with SIGNAL, start again with the same arguments
run_flows() {	# tag signal
	local tag=$1 sig=$2
	bg wan "server-$tag" $((SECS + 6)) "$PY" "$WORK/peers.py" server "$WORK/blob" $((SECS + 4))
	SERVER=$BG_PID
	wait_until 5 on wan sh -c 'ss -lnt | grep -q ":7000 "' || log "(server not listening)"
	# 200 kB/s: the download lasts as long as the other flows (SECS),
	# so it spans the restart even when the flows were slow to come up
	bg lan "curl-$tag" $((SECS + 12)) curl -sS --local-port 903 --limit-rate 200k \
		-o "$WORK/got-$tag" http://203.0.113.2:8080/blob
	CURL=$BG_PID
	bg lan "udp-$tag" $((SECS + 4)) "$PY" "$WORK/peers.py" udp $SECS
	UDP=$BG_PID
	bg lan "hold-$tag" $((SECS + 6)) "$PY" "$WORK/peers.py" hold $SECS
	HOLD=$BG_PID
	wait_until 5 flows_up || log "(fewer than 3 connections before the restart)"
	sleep 1		# a second of each flow before the restart
	GOT=$WORK/got-$tag
	wait_until 3 got_some || log "(download not under way before the restart)"
	mctl conntrack -L >/dev/null
	AT_RESTART=$(stat -c %s "$WORK/got-$tag" 2>/dev/null || echo 0)
	log "download at the restart: $AT_RESTART bytes"
	log "+ kill -$sig $MASQD_PID (masqd), then started again"
	if [ "$sig" = TERM ]; then
		masqd_stop
	else
		kill -USR2 "$MASQD_PID"
		wait "$MASQD_PID"
		log "  masqd exited with status $?"
		MASQD_PID=
	fi
	masqd_start || log "(masqd did not start again)"
	mctl conntrack -L >/dev/null
	wait "$CURL"; CURL_RC=$?
	wait "$UDP" "$HOLD" "$SERVER"
}

# The external port a server saw for KIND ("udp from A:P"): one line each
ext_ports() { grep -o "^$1 from [0-9.]*:[0-9]*" "$WORK/server-$2.out" | sed 's/.*://' | sort -u; }

check_flows() {	# tag: the three cases, named by suffix
	local tag=$1 d u h sent
	d=$(ext_ports http "$tag"); u=$(ext_ports udp "$tag"); h=$(ext_ports hold "$tag")
	log "external ports: http $d, udp $u, hold $h"
	# (it must have spanned the restart)
	if [ "$CURL_RC" = 0 ] && cmp -s "$WORK/blob" "$WORK/got-$tag" &&
		[ "$AT_RESTART" -lt 1200000 ] &&
		[ "$(echo "$d" | wc -l)" = 1 ] && [ "$d" != 903 ]; then
		echo ok
	else
		echo "curl status $CURL_RC, $(stat -c %s "$WORK/got-$tag" 2>/dev/null) of 1200000 bytes ($AT_RESTART at the restart), external ports '$d'; $(cat "$WORK/curl-$tag.out")"
	fi
	sent=$(grep -o 'udp sent [0-9]*' "$WORK/udp-$tag.out")
	# datagrams that came in the last second of the flow, after the restart
	if [ -n "$u" ] && [ "$(echo "$u" | wc -l)" = 1 ] && [ "$u" != 901 ] &&
		[ "$(grep -c "^udp 203.0.113.1:$u " "$WORK/server-$tag.out")" -gt $((SECS * 10)) ]; then
		echo ok
	else
		echo "external ports '$u', $(grep -c '^udp 203' "$WORK/server-$tag.out") of $sent received"
	fi
	if grep -q '^hold ok' "$WORK/hold-$tag.out" && [ "$(echo "$h" | wc -l)" = 1 ] &&
		[ -n "$h" ] && [ "$h" != 902 ] && ! grep -q 'hold error' "$WORK/server-$tag.out"; then
		echo ok
	else
		echo "$(cat "$WORK/hold-$tag.out"); server: $(grep hold "$WORK/server-$tag.out" | tr '\n' ' ')"
	fi
}

report3() {	# case1 case2 case3, lines of check_flows on stdin
	local c line
	for c in "$@"; do
		read -r line
		if [ "$line" = ok ]; then ok "$c"; else fail "$c" "$line"; fi
	done
}

# 1. SIGTERM, start again
if ! masqd_start; then
	ABORT_WHY="masqd did not start: $(tail -n 3 "$WORK/masqd.log" | tr '\n' ' ')"
	exit 1
fi
run_flows term TERM
report3 download_survives udp_flow_same_port hold_no_reset_same_port <<<"$(check_flows term)"
line=$(grep -o 'restart: [0-9]* connections.*forwarding stopped for [0-9]* ms' "$WORK/masqd.log" | tail -n 1)
log "restore line: $line"
if [ -n "$line" ]; then
	echo "# gap (SIGTERM restart): ${line##*for }"
	ok gap_reported
else
	fail gap_reported "no restore line in the log: $(grep restart "$WORK/masqd.log" | tr '\n' ' ')"
fi

# 2. a corrupt state file is refused, masqd starts empty
masqd_stop
state=$(ls "$RECDIR"/*.state 2>/dev/null | head -n 1)
log "state file: $state, $(stat -c %s "$state" 2>/dev/null) bytes"
if [ -s "$state" ]; then
	size=$(stat -c %s "$state")
	printf '\377' | dd of="$state" bs=1 seek=$((size - 20)) conv=notrunc 2>/dev/null
fi
if masqd_start && grep -q 'restart: state file .* refused: corrupt: checksum mismatch; starting empty' "$WORK/masqd.log" &&
	[ "$(conns)" = 0 ]; then
	ok corrupt_state_refused
else
	fail corrupt_state_refused "$(grep 'restart' "$WORK/masqd.log" | tail -n 2 | tr '\n' ' '), $(conns) connections"
fi

# 3. SIGUSR2: a restart that leaves the takeover and the twins
twin() { ip netns exec "$NS_GW" sh -c 'cat /sys/class/net/wan0-h/ifindex; ip -o -4 addr show dev wan0-h'; }
before=$(twin 2>&1 | sed 's/^[0-9]*: //' | tr '\n' ' ')
run_flows usr2 USR2
after=$(twin 2>&1 | sed 's/^[0-9]*: //' | tr '\n' ' ')
log "twin before: $before; after: $after"
if [ -n "$before" ] && [ "$before" = "$after" ] &&
	grep -q 'twin wan0-h adopted' "$WORK/masqd.log"; then
	ok usr2_twin_kept
else
	fail usr2_twin_kept "before: $before; after: $after"
fi
res=$(check_flows usr2 | tr '\n' ' ')
if [ "$res" = "ok ok ok " ]; then
	line=$(grep -o 'forwarding stopped for [0-9]* ms' "$WORK/masqd.log" | tail -n 1)
	echo "# gap (SIGUSR2 restart): ${line##*for }"
	ok usr2_flows_kept
else
	fail usr2_flows_kept "$res"
fi
masqd_stop
after=$(sysctls)

if [ "$after" = "$BEFORE" ] && ! ip netns exec "$NS_GW" test -e /sys/class/net/wan0-h; then
	ok usr2_stop_restores
else
	fail usr2_stop_restores "before: $BEFORE; after the stop: $after; $(ip netns exec "$NS_GW" ls /sys/class/net | tr '\n' ' ')"
fi

# 4. wan0=dhcp: the address the host's DHCP client holds on the twin
MASQD_ARGS=(--internal lan0=192.168.0.1/24 --external wan0=dhcp)
SECS=5
knows_50() { mctl iface 2>/dev/null | grep -q 203.0.113.50; }
if masqd_start && on gw ip addr add 203.0.113.50/24 dev wan0-h &&
	wait_until 3 knows_50; then
	bg wan server-dhcp $((SECS + 6)) "$PY" "$WORK/peers.py" server "$WORK/blob" $((SECS + 3))
	SERVER=$BG_PID
	wait_until 5 on wan sh -c 'ss -lnt | grep -q ":7000 "'
	bg lan udp-dhcp $((SECS + 4)) "$PY" "$WORK/peers.py" udp $SECS
	UDP=$BG_PID
	bg lan hold-dhcp $((SECS + 6)) "$PY" "$WORK/peers.py" hold $SECS
	HOLD=$BG_PID
	wait_until 5 flows_two || log "(fewer than 2 connections before the restart)"
	sleep 1
	log "+ kill -USR2 $MASQD_PID (masqd), then started again"
	kill -USR2 "$MASQD_PID"; wait "$MASQD_PID"; MASQD_PID=
	masqd_start || log "(masqd did not start again)"
	wait "$UDP" "$HOLD" "$SERVER"
	u=$(ext_ports udp dhcp); h=$(ext_ports hold dhcp)
	line=$(grep -o 'restart: [0-9]* connections.*' "$WORK/masqd.log" | tail -n 1)
	log "external ports: udp $u, hold $h; $line"
	if [ "$(grep -c '^udp from' "$WORK/server-dhcp.out")" = 1 ] &&
		grep -q '^udp from 203.0.113.50:' "$WORK/server-dhcp.out" &&
		[ "$(grep -c "^udp 203.0.113.50:$u " "$WORK/server-dhcp.out")" -gt $((SECS * 10)) ] &&
		grep -q '^hold ok' "$WORK/hold-dhcp.out" && [ "$(echo "$h" | wc -l)" = 1 ] &&
		echo "$line" | grep -q 'restart: 2 connections.*(0 skipped)'; then
		ok usr2_dhcp_address_kept
	else
		fail usr2_dhcp_address_kept "$line; udp: $(grep -c '^udp 203' "$WORK/server-dhcp.out") received from '$u'; $(cat "$WORK/hold-dhcp.out")"
	fi
	masqd_stop
	# 5. --no-restore: the state the stop just wrote is not loaded
	if masqd_start --no-restore &&
		grep -q 'restart: state file .* not loaded (--no-restore): starting empty' "$WORK/masqd.log" &&
		[ "$(conns)" = 0 ]; then
		ok no_restore_starts_empty
	else
		fail no_restore_starts_empty "$(grep 'restart' "$WORK/masqd.log" | tail -n 1), $(conns) connections"
	fi
	masqd_stop
else
	fail usr2_dhcp_address_kept "masqd with wan0=dhcp did not start or learn 203.0.113.50: $(tail -n 3 "$WORK/masqd.log" | tr '\n' ' ')"
fi

# 6. another namespace's state file: written here with a UDP flow in it,
# then the lab made again (new namespaces) and the file put at the new
# router namespace's path, as a namespace with the old one's inode number
# would find it
MASQD_ARGS=(--internal lan0=192.168.0.1/24 --external wan0=203.0.113.1/24)
stranger=
if masqd_start && on lan bash -c 'echo x >/dev/udp/203.0.113.2/9999' &&
	wait_until 3 flows_one && masqd_stop &&
	grep -q 'restart: 1 connections written' "$WORK/masqd.log"; then
	stranger=$(ls "$RECDIR"/*.state)
	cp "$stranger" "$WORK/stranger.state"
fi
lab_down
lab_up || exit 1
NETNS=$(ip netns exec "$NS_GW" stat -L -c %i /proc/self/ns/net)
RECDIR=/run/masq/$NETNS
log "the new router namespace: $NETNS"
if [ -n "$stranger" ] && mkdir -p "$RECDIR" &&
	cp "$WORK/stranger.state" "$RECDIR/${stranger##*/}" && masqd_start &&
	grep -q 'restart: state file .* refused: written in another network namespace (its cookie [0-9]*, this one.s [0-9]*); starting empty (the file removed)' "$WORK/masqd.log" &&
	[ "$(conns)" = 0 ] && ! cmp -s "$WORK/stranger.state" "$RECDIR/${stranger##*/}"; then
	ok other_netns_state_refused
else
	fail other_netns_state_refused "file '$stranger'; $(grep 'restart' "$WORK/masqd.log" | tail -n 1), $(conns) connections"
fi
masqd_stop
