#!/usr/bin/env bash
# tests/e2e/73-same-source-port.sh - two internal hosts, one source port, one server
#
#   masq-t$$-lan   eth0 192.168.0.2/24 --+   both connect from port 40000
#                                        +-- br0 in masq-t$$-sw
#   masq-t$$-lan2  eth0 192.168.0.3/24 --+
#                                        |
#   masq-t$$-gw    lan0 192.168.0.1 -----+     build/masqd
#                  wan0 203.0.113.1
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 (python3 TCP server :7100: accepts
#                  both connections, logs each peer, holds both open, then
#                  sends 512 KiB to each and closes)
#
# Both connections are open at the same time with the same internal port:
# masqd must give them two different external ports (the server logs
# both), and both transfers must complete unchanged.
# E2E_OFFLOAD=on|off picks the lab's veth offloads.
# Captures: build/e2e/NAME/{lan,lan2,wan}.pcap.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init same_port_both_connected same_port_server_sees_two_ports \
	same_port_both_transfers_complete
e2e_need ping iputils-ping

lab_up --lan2 || exit 1
capture lan eth0 lan
capture lan2 eth0 lan2
capture wan eth0 wan
sleep 0.5
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
warm lan 203.0.113.2 || log "  (lan: no answer to the warm-up pings)"
warm lan2 203.0.113.2 || log "  (lan2: no answer to the warm-up pings)"

cat >"$WORK/pair.py" <<'PYEOF'
import hashlib, socket, sys, time

SIZE = 512 * 1024
def payload():
    block = bytes((i * 7 + 3) % 251 for i in range(4096))
    return block * (SIZE // len(block))

def serve(addr, port, want, secs):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(8)
    end = time.time() + float(secs)
    conns = []
    while len(conns) < int(want) and time.time() < end:
        s.settimeout(max(0.1, end - time.time()))
        try:
            c, a = s.accept()
        except socket.timeout:
            break
        print("accepted %s:%d" % a, flush=True)
        conns.append((c, a))
    print("holding %d connections" % len(conns), flush=True)
    data = payload()
    for c, a in conns:       # every connection is open until now
        try:
            c.settimeout(10)
            c.sendall(data)
            c.shutdown(socket.SHUT_WR)
            print("sent %d bytes to %s:%d" % ((len(data),) + a), flush=True)
        except OSError as e:
            print("sending to %s:%d failed: %s" % (a + (e,)), flush=True)
    for c, a in conns:
        c.close()

def client(addr, port, lport, secs):
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind(("0.0.0.0", int(lport)))
    c.settimeout(float(secs))
    c.connect((addr, int(port)))
    print("connected from %s:%d" % c.getsockname(), flush=True)
    h, n = hashlib.sha256(), 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        h.update(d)
        n += len(d)
    c.close()
    same = h.hexdigest() == hashlib.sha256(payload()).hexdigest()
    print("got %d bytes sha256 %s %s" % (n, h.hexdigest(), "same" if same else "DIFFERENT"), flush=True)
    return 0 if (n == SIZE and same) else 1

if sys.argv[1] == "serve":
    serve(*sys.argv[2:])
else:
    sys.exit(client(*sys.argv[2:]))
PYEOF

bg wan pair-server 30 "$PY" -u "$WORK/pair.py" serve 203.0.113.2 7100 2 20
SRV_PID=$BG_PID
wait_listen wan tcp 203.0.113.2:7100 || log "  (server not listening yet)"
bg lan client-lan 25 "$PY" -u "$WORK/pair.py" client 203.0.113.2 7100 40000 20
C1=$BG_PID
sleep 0.3
bg lan2 client-lan2 25 "$PY" -u "$WORK/pair.py" client 203.0.113.2 7100 40000 20
C2=$BG_PID
# while the server holds both (it does until the second arrives)
sleep 0.5
mctl masq -L -n >/dev/null
wait "$C1"; r1=$?
wait "$C2"; r2=$?
wait "$SRV_PID"
for f in pair-server client-lan client-lan2; do
	log "--- $f:"; cat "$WORK/$f.out" >>"$LOG"
done

if grep -qx 'connected from 192.168.0.2:40000' "$WORK/client-lan.out" &&
	grep -qx 'connected from 192.168.0.3:40000' "$WORK/client-lan2.out"; then
	ok same_port_both_connected
else
	fail same_port_both_connected "lan: $(head -n1 "$WORK/client-lan.out"); lan2: $(head -n1 "$WORK/client-lan2.out")"
fi

peers=$(grep -oE '^accepted [0-9.]+:[0-9]+$' "$WORK/pair-server.out" | cut -d' ' -f2)
n=$(echo "$peers" | grep -c .)
addrs=$(echo "$peers" | cut -d: -f1 | sort -u | tr '\n' ' ')
ports=$(echo "$peers" | cut -d: -f2 | sort -u | grep -c .)
log "server saw: $(echo "$peers" | tr '\n' ' ')"
if [ "$n" -eq 2 ] && [ "$addrs" = "203.0.113.1 " ] && [ "$ports" -eq 2 ] &&
	grep -qx 'holding 2 connections' "$WORK/pair-server.out"; then
	ok same_port_server_sees_two_ports
else
	fail same_port_server_sees_two_ports "server saw ${n} connection(s): $(echo "$peers" | tr '\n' ' ') (want two from 203.0.113.1 with different ports)"
fi

if [ $r1 -eq 0 ] && [ $r2 -eq 0 ]; then
	ok same_port_both_transfers_complete
else
	fail same_port_both_transfers_complete "lan: status $r1 $(tail -n1 "$WORK/client-lan.out"); lan2: status $r2 $(tail -n1 "$WORK/client-lan2.out")"
fi
stats_log
