#!/usr/bin/env bash
# tests/e2e/111-workers-frag.sh - masqd --workers 2: fragmented datagrams
# reach the worker that owns their connection
#
#   masq-t$$-lan   eth0 192.168.0.2/24: a UDP echo on :9001 (behind a port
#        |         forward); a client sending 3,000-byte datagrams
#   masq-t$$-gw    build/masqd --workers 2; portfw udp 203.0.113.1:5353 ->
#        |         192.168.0.2:9001
#   masq-t$$-wan   eth0 203.0.113.2/24: a UDP echo on :9000; a client
#
# The links' MTU is 1,500, so each datagram crosses the router in three
# fragments. Fragments are steered by hash(src, dst, ip id) -- only the
# first carries the ports -- so the worker that reassembles a datagram
# is often not its connection's; it hands the datagram on (cut again)
# to the owner. Cases:
#   frag_masq_whole	8 flows from lan (source ports 43000 .. 43014, by
#			twos: both workers' slices), a small datagram first
#			(the workers resolve their neighbours: a neighbour's
#			queue holds fewer frames than a datagram's
#			fragments), then 6 of 3,000 bytes each, to the wan
#			echo: every one and every echo (fragmented both
#			ways) comes back whole, byte for byte
#   frag_portfw_whole	8 flows from wan to the forwarded port, 6
#			datagrams each, echoed by the lan host: all whole
#   frag_handed_on	masqctl stats counts frag_handed_on > 0 (the path
#			above was taken, not luck)
# Without root, or with one CPU: SKIP.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init frag_masq_whole frag_portfw_whole frag_handed_on

workers_lab_up

cat >"$WORK/udp.py" <<'EOF'
"""109's datagrams: echo PORT SECS | send HOST PORT SRCPORT.. """
import os, socket, sys, threading, time

if sys.argv[1] == "echo":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(sys.argv[2])))
    s.settimeout(0.5)
    end = time.time() + float(sys.argv[3])
    while time.time() < end:
        try:
            d, a = s.recvfrom(65535)
        except socket.timeout:
            continue
        s.sendto(d, a)
    sys.exit(0)

host, port = sys.argv[2], int(sys.argv[3])
lock = threading.Lock()
good = []

def flow(sport):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", sport))
    s.settimeout(2)
    s.sendto(b"warm", (host, port))	# each worker resolves its neighbours
    try:				# (a queue of fewer frames than a
        s.recv(65535)			# fragmented datagram has)
    except socket.timeout:
        pass
    for i in range(6):
        d = os.urandom(3000)
        s.sendto(d, (host, port))
        try:
            r = s.recv(65535)
        except socket.timeout:
            continue
        if r == d:
            with lock:
                good.append(sport)
        time.sleep(0.05)

ts = [threading.Thread(target=flow, args=(int(p),)) for p in sys.argv[4:]]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("whole %d of %d" % (len(good), 6 * len(ts)), flush=True)
EOF

PORTS=$(seq 43000 2 43014 | tr '\n' ' ')
warm lan 203.0.113.2 || log "(no ping through before the flows)"

# echo_case CASE ECHO_NODE ECHO_PORT CLIENT_NODE HOST PORT: an echo on
# ECHO_NODE, the flows from CLIENT_NODE to HOST:PORT; every datagram whole
echo_case() {
	local name=$1 echo res
	bg "$2" "echo-$name" 30 "$PY" "$WORK/udp.py" echo "$3" 25
	echo=$BG_PID
	wait_until 5 on "$2" sh -c "ss -lnu | grep -q ':$3 '" || log "(echo not bound)"
	# shellcheck disable=SC2086
	ono "$4" timeout 60 "$PY" "$WORK/udp.py" send "$5" "$6" $PORTS >"$WORK/$name.out" 2>&1
	res=$(cat "$WORK/$name.out")
	kill "$echo" 2>/dev/null
	wait "$echo"
	if [ "$res" = "whole 48 of 48" ]; then ok "$name"; else fail "$name" "$res"; fi
}

# 1. masqueraded: lan -> wan echo, fragmented both ways
echo_case frag_masq_whole wan 9000 lan 203.0.113.2 9000
# 2. a port forward: wan -> 203.0.113.1:5353 -> lan echo :9001
mctl ipmasqadm portfw -a -P udp -L 203.0.113.1 5353 -R 192.168.0.2 9001 >/dev/null
echo_case frag_portfw_whole lan 9001 wan 203.0.113.1 5353

mctl stats | awk '$2 != 0 && ($1 ~ /^drop_|^frag_/)' >>"$LOG"
handed=$(mctl stats | awk '$1 == "frag_handed_on" { print $2 }')
log "frag_handed_on: $handed"
if [ "${handed:-0}" -gt 0 ]; then ok frag_handed_on; else fail frag_handed_on "frag_handed_on '${handed}'"; fi
masqd_stop
