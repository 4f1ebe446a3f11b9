#!/usr/bin/env bash
# tests/e2e/114-random-fully.sh - MASQUERADE --random-fully and a DNAT
# shifted port range, as a server sees them, with one worker and two
#
#   masq-t$$-lan   eth0 192.168.0.2/24   40 UDP clients, source ports
#        |                               41000-41039 (42000-42039 with two
#        |                               workers: masqd keeps the first
#        |                               run's mappings); a TCP server on
#        |                               8000-8009 that says its port
#   masq-t$$-gw    lan0 192.168.0.1      build/masqd [--workers 2]
#                  wan0 203.0.113.1        -t nat POSTROUTING -o wan0 -p udp
#        |                                   -j MASQUERADE --random-fully
#        |                                 -t nat PREROUTING -i wan0 -p tcp
#        |                                   --dport 7000:7009 -j DNAT
#        |                                   --to-destination
#        |                                   192.168.0.2:8000-8009/7000
#   masq-t$$-wan   eth0 203.0.113.2/24   a UDP server on :9000 and :9001
#                                        that logs each datagram's source
#                                        and echoes it; TCP clients to
#                                        203.0.113.1:7003 and :7008
#
# Each UDP client sends one datagram to :9000, then one to :9001 from the
# same socket, and waits for both echoes. The server must see, for every
# client, an external port that is not the client's own (never kept),
# the same port for both datagrams (the mapping is the endpoint's), 40
# different ports spread over the range (their span over 20,000 ports)
# and not handed out in order (fewer than 5 of them 1 or 2 above the one
# before); every echo must come back. With two workers each external
# port must be of the slice of the worker the client's port is steered
# to (else its answers would go to the other and be lost). The DNAT
# connections must reach ports 8003 and 8008 (port P goes to
# 8000 + (P - 7000)). All of it with one worker, then with two (SKIP
# with one CPU). Captures: build/e2e/NAME/{lan,wan}.pcap.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init rf_w1_echoes rf_w1_not_kept rf_w1_same_mapping rf_w1_spread \
	rf_w1_listed shifted_w1_ports \
	rf_w2_echoes rf_w2_not_kept rf_w2_same_mapping rf_w2_spread \
	rf_w2_own_slice rf_w2_listed shifted_w2_ports
e2e_need ping iputils-ping

# shellcheck disable=SC2119 # the lab with no options
lab_up || exit 1
capture lan eth0 lan
capture wan eth0 wan
sleep 0.5

cat >"$WORK/rf.py" <<'PYEOF'
import select, socket, sys, time

def udp_server(addr, secs):
    socks = []
    for port in (9000, 9001):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, port))
        socks.append(s)
    end = time.time() + float(secs)
    while time.time() < end:
        r, _, _ = select.select(socks, [], [], 0.2)
        for s in r:
            d, a = s.recvfrom(2048)
            print("to %d from %s:%d %s" % (s.getsockname()[1], a[0], a[1],
                                           d.decode()), flush=True)
            s.sendto(d, a)

def udp_clients(addr, first, n):
    bad = 0
    for i in range(int(n)):
        port = int(first) + i
        c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind(("0.0.0.0", port))
        c.settimeout(2)
        for sport in (9000, 9001):
            msg = b"p=%d" % port
            try:
                c.sendto(msg, (addr, sport))
                d, _ = c.recvfrom(2048)
                ok = d == msg
            except socket.timeout:
                ok = False
            print("%d to %d %s" % (port, sport, "echoed" if ok else "LOST"),
                  flush=True)
            bad += not ok
        c.close()
    return 1 if bad else 0

def tcp_server(addr, lo, hi, secs):
    socks = []
    for port in range(int(lo), int(hi) + 1):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(4)
        socks.append(s)
    end = time.time() + float(secs)
    while time.time() < end:
        r, _, _ = select.select(socks, [], [], 0.2)
        for s in r:
            c, a = s.accept()
            port = s.getsockname()[1]
            print("accepted on %d from %s:%d" % ((port,) + a), flush=True)
            c.sendall(b"port %d\n" % port)
            c.close()

def tcp_client(addr, port):
    c = socket.create_connection((addr, int(port)), timeout=3)
    print("to %s: %s" % (port, c.recv(100).decode().strip()), flush=True)
    c.close()

cmd = sys.argv[1]
if cmd == "udp-server":
    udp_server(*sys.argv[2:])
elif cmd == "udp-clients":
    sys.exit(udp_clients(*sys.argv[2:]))
elif cmd == "tcp-server":
    tcp_server(*sys.argv[2:])
else:
    tcp_client(*sys.argv[2:])
PYEOF

NCLIENTS=40

# rules W: the nat rules and a FORWARD rule for the DNAT'd connections
rules() {
	T=5 x "$MASQCTL" -s "$SOCK" iptables -t nat -I POSTROUTING 1 -o wan0 \
		-p udp -j MASQUERADE --random-fully &&
	T=5 x "$MASQCTL" -s "$SOCK" iptables -t nat -A PREROUTING -i wan0 \
		-p tcp --dport 7000:7009 -j DNAT \
		--to-destination 192.168.0.2:8000-8009/7000 &&
	T=5 x "$MASQCTL" -s "$SOCK" iptables -I FORWARD 1 -i wan0 -p tcp \
		-d 192.168.0.2 --dport 8000:8009 -j ACCEPT
}

# phase W: masqd with W workers, the UDP clients and the DNAT clients
phase() {
	local w=$1 srv tsrv rc lines ports
	local first=$((40000 + 1000 * w)) args=()
	[ "$w" -gt 1 ] && args=(--workers "$w")
	if ! masqd_start "${args[@]}"; then
		ABORT_WHY="masqd ${args[*]} did not start (build/e2e/$E2E_NAME/masqd.log)"
		exit 1
	fi
	if ! rules; then
		ABORT_WHY="the rules were refused (see $LOG)"
		exit 1
	fi
	warm lan 203.0.113.2 || log "  (lan: no answer to the warm-up pings)"
	bg wan "udp-server-w$w" 40 "$PY" -u "$WORK/rf.py" udp-server 203.0.113.2 30
	srv=$BG_PID
	bg lan "tcp-server-w$w" 20 "$PY" -u "$WORK/rf.py" tcp-server 192.168.0.2 8000 8009 15
	tsrv=$BG_PID
	wait_listen wan udp 203.0.113.2:9001 || log "  (udp server not bound yet)"
	wait_listen lan tcp 192.168.0.2:8009 || log "  (tcp server not listening yet)"
	T=40 xo ip netns exec "$NS_LAN" "$PY" -u "$WORK/rf.py" udp-clients \
		203.0.113.2 "$first" "$NCLIENTS" >"$WORK/udp-clients-w$w.out" 2>&1
	rc=$?
	T=5 xo ip netns exec "$NS_WAN" "$PY" -u "$WORK/rf.py" tcp-client \
		203.0.113.1 7003 >"$WORK/tcp-client-w$w.out" 2>&1
	T=5 xo ip netns exec "$NS_WAN" "$PY" -u "$WORK/rf.py" tcp-client \
		203.0.113.1 7008 >>"$WORK/tcp-client-w$w.out" 2>&1
	mctl iptables-save -t nat >"$WORK/save-w$w.out" 2>&1
	stop "$srv"
	stop "$tsrv"
	for f in "udp-server-w$w" "udp-clients-w$w" "tcp-server-w$w" \
		"tcp-client-w$w" "save-w$w"; do
		log "--- $f:"; cat "$WORK/$f.out" >>"$LOG"
	done
	stats_log
	masqd_stop

	lines=$(grep -c ' echoed$' "$WORK/udp-clients-w$w.out")
	if [ "$rc" -eq 0 ] && [ "$lines" -eq $((2 * NCLIENTS)) ]; then
		ok "rf_w${w}_echoes"
	else
		fail "rf_w${w}_echoes" "$lines of $((2 * NCLIENTS)) echoes came back (status $rc)"
	fi
	# "to 9000 from 203.0.113.1:EXT p=CLIENT"
	awk -v n="$NCLIENTS" '
		/^to 900[01] from 203\.0\.113\.1:[0-9]+ p=[0-9]+$/ {
			split($4, a, ":"); split($5, b, "=")
			seen[$2 " " b[2]] = a[2]
		}
		END {
			for (k in seen) {
				split(k, c, " ")
				if (seen[k] == c[2]) kept++
				if (int(seen[k] / 2) % 2 != int(c[2] / 2) % 2) other++
				if (c[1] == 9000) {
					m++; if (seen["9001 " c[2]] == seen[k]) same++
				}
			}
			printf "%d %d %d %d\n", m, kept, same, other
		}' "$WORK/udp-server-w$w.out" >"$WORK/verdict-w$w"
	read -r seen kept same other <"$WORK/verdict-w$w"
	log "server: $seen clients seen on 9000, $kept ports kept, $same the same on 9001"
	if [ "$seen" -eq "$NCLIENTS" ] && [ "$kept" -eq 0 ]; then
		ok "rf_w${w}_not_kept"
	else
		fail "rf_w${w}_not_kept" "$seen clients seen; $kept of their datagrams left with the client's own port"
	fi
	if [ "$same" -eq "$NCLIENTS" ]; then
		ok "rf_w${w}_same_mapping"
	else
		fail "rf_w${w}_same_mapping" "$same of $NCLIENTS clients kept one external port for both servers"
	fi
	# a client's port p is steered to worker (p / 2) % 2, which gives
	# only ports of its own slice
	if [ "$w" -eq 2 ]; then
		if [ "$seen" -eq "$NCLIENTS" ] && [ "$other" -eq 0 ]; then
			ok rf_w2_own_slice
		else
			fail rf_w2_own_slice "$other of $seen external ports from the other worker's slice"
		fi
	fi
	# the external ports in the order the clients sent
	ports=$(grep -E '^to 9000 from 203\.0\.113\.1:' "$WORK/udp-server-w$w.out" |
		sed -E 's/^.*:([0-9]+) p=.*$/\1/')
	echo "$ports" | awk '
		NR > 1 && ($1 - prev == 1 || $1 - prev == 2) { steps++ }
		{ prev = $1; if (NR == 1 || $1 < lo) lo = $1; if ($1 > hi) hi = $1; u[$1] = 1 }
		END { for (p in u) n++; printf "%d %d %d\n", n, hi - lo, steps }' \
		>"$WORK/spread-w$w"
	read -r distinct span steps <"$WORK/spread-w$w"
	log "external ports: $(echo "$ports" | tr '\n' ' ')"
	log "distinct $distinct, span $span, $steps one or two above the last"
	if [ "$distinct" -eq "$NCLIENTS" ] && [ "$span" -gt 20000 ] &&
		[ "$steps" -lt 5 ]; then
		ok "rf_w${w}_spread"
	else
		fail "rf_w${w}_spread" "$distinct distinct ports over a span of $span, $steps in order (want $NCLIENTS over 20000, fewer than 5)"
	fi
	if grep -qx -- '-A POSTROUTING -o wan0 -p udp -j MASQUERADE --random-fully' \
		"$WORK/save-w$w.out" &&
		grep -qx -- '-A PREROUTING -i wan0 -p tcp -m tcp --dport 7000:7009 -j DNAT --to-destination 192.168.0.2:8000-8009/7000' \
		"$WORK/save-w$w.out"; then
		ok "rf_w${w}_listed"
	else
		fail "rf_w${w}_listed" "iptables-save -t nat lacks the rules as written (see $LOG)"
	fi
	if grep -qx 'to 7003: port 8003' "$WORK/tcp-client-w$w.out" &&
		grep -qx 'to 7008: port 8008' "$WORK/tcp-client-w$w.out" &&
		grep -q '^accepted on 8003 from 203\.0\.113\.2:' "$WORK/tcp-server-w$w.out"; then
		ok "shifted_w${w}_ports"
	else
		fail "shifted_w${w}_ports" "$(tr '\n' ' ' <"$WORK/tcp-client-w$w.out") (want 7003 -> 8003, 7008 -> 8008)"
	fi
}

phase 1
if [ "$(nproc)" -lt 2 ]; then
	skip_all "one CPU: --workers 2 is refused (more workers than CPUs)"
fi
phase 2
