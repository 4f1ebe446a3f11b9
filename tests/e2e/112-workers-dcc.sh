#!/usr/bin/env bash
# tests/e2e/112-workers-dcc.sh - masqd --workers 2: IRC DCC SEND offered
# by an inside client arrives whole, whichever workers its ports name
#
#   masq-t$$-lan   eth0 192.168.0.2/24: the IRC client, offering files
#        |
#   masq-t$$-gw    build/masqd --workers 2, helper irc on (port 6667)
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24: an IRC server on :6667 that is
#                  also the receiving user: it reads each DCC SEND offer
#                  and connects to the address and port it names
#
# The helper rewrites the offer on the IRC connection's worker,
# slice(IRC source port), and expects the receiver's connection there;
# the client answers it from its DCC port, whose slice may name the
# other worker (src/engine/walk.c passes those segments on). Cases:
#   dcc_send_whole	four offers of 1 MiB each, from IRC source ports
#			41000 41002 41004 41006 (worker 0 1 0 1) with DCC
#			ports 5000 5002 5010 5012 (worker 0 1 1 0): every
#			file arrives at the receiver whole (sha256)
#   dcc_offer_router	each offer the receiver read named the router's
#			address, 203.0.113.1, not the client's
#   dcc_walked_on	masqctl stats counts tcp_walked_on > 0 (the two
#			mixed pairs took the walk, not luck)
# Without root, or with one CPU: SKIP.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init dcc_send_whole dcc_offer_router dcc_walked_on

workers_lab_up
mctl helper irc on >/dev/null

cat >"$WORK/dcc.py" <<'EOF'
"""112's IRC: server SECS (also the receiver) | offer SERVER IRCPORT:DCCPORT.."""
import hashlib, os, socket, sys, time

def receive(line):
    # PRIVMSG bob :\1DCC SEND NAME ADDR PORT SIZE\1
    w = line.strip(b"\r\n\1").split(b"\1DCC SEND ")[1].split()
    name, addr, port, size = w[0].decode(), int(w[1]), int(w[2]), int(w[3])
    ip = socket.inet_ntoa(addr.to_bytes(4, "big"))
    h, got = hashlib.sha256(), 0
    try:
        c = socket.create_connection((ip, port), timeout=10)
        while got < size:
            d = c.recv(65536)
            if not d:
                break
            h.update(d)
            got += len(d)
        c.close()
    except OSError as e:
        print("ERR %s %s:%d %s" % (name, ip, port, e), flush=True)
        return
    print("GOT %s %s %d %d %s" % (name, ip, port, got, h.hexdigest()), flush=True)

if sys.argv[1] == "server":
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", 6667))
    s.listen(8)
    s.settimeout(1)
    end = time.time() + float(sys.argv[2])
    while time.time() < end:
        try:
            c, _ = s.accept()
        except socket.timeout:
            continue
        c.settimeout(10)
        buf = b""
        try:
            while b"\n" not in buf:
                d = c.recv(4096)
                if not d:
                    break
                buf += d
        except OSError:
            pass
        if b"DCC SEND" in buf:
            receive(buf.split(b"\n")[0])
        c.close()
    sys.exit(0)

server = sys.argv[2]
for pair in sys.argv[3:]:
    iport, dport = (int(x) for x in pair.split(":"))
    data = os.urandom(1 << 20)
    name = "f-%d-%d" % (iport, dport)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("192.168.0.2", dport))
    ls.listen(1)
    ls.settimeout(10)
    irc = socket.socket()
    irc.bind(("0.0.0.0", iport))
    irc.settimeout(10)
    try:
        irc.connect((server, 6667))
        irc.sendall(b"PRIVMSG bob :\1DCC SEND %s %d %d %d\1\r\n" % (
            name.encode(), 3232235522, dport, len(data)))
        c, _ = ls.accept()
        c.sendall(data)
        c.close()
        print("SENT %s %s" % (name, hashlib.sha256(data).hexdigest()), flush=True)
    except OSError as e:
        print("ERR %s %s" % (name, e), flush=True)
    time.sleep(0.5)	# the receiver reads to the end before its IRC closes
    irc.close()
    ls.close()
EOF

warm lan 203.0.113.2 || log "(no ping through before the offers)"
bg wan irc 60 "$PY" "$WORK/dcc.py" server 45
srv=$BG_PID
wait_until 5 on wan sh -c "ss -lnt | grep -q ':6667 '" || log "(IRC server not bound)"
ono lan timeout 60 "$PY" "$WORK/dcc.py" offer 203.0.113.2 \
	41000:5000 41002:5002 41004:5010 41006:5012 >"$WORK/sent.out" 2>&1
sleep 1
stop "$srv"
got="$WORK/irc.out"
log "sent: $(tr '\n' ';' <"$WORK/sent.out")"
log "received: $(tr '\n' ';' <"$got")"

whole=0
while read -r what name sum; do
	[ "$what" = SENT ] || continue
	grep -q "^GOT $name [0-9.]* [0-9]* 1048576 $sum\$" "$got" && whole=$((whole + 1))
done <"$WORK/sent.out"
if [ "$whole" = 4 ]; then ok dcc_send_whole
else fail dcc_send_whole "$whole of 4 files arrived whole"; fi

offers=$(grep -c '^GOT ' "$got")
router=$(grep -c '^GOT f-[0-9-]* 203\.0\.113\.1 ' "$got")
if [ "$offers" = 4 ] && [ "$router" = 4 ]; then ok dcc_offer_router
else fail dcc_offer_router "$router of $offers offers read named 203.0.113.1"; fi

mctl stats | awk '$2 != 0 && ($1 ~ /^drop_|^alg_|walked/)' >>"$LOG"
walked=$(mctl stats | awk '$1 == "tcp_walked_on" { print $2 }')
log "tcp_walked_on: $walked"
if [ "${walked:-0}" -gt 0 ]; then ok dcc_walked_on; else fail dcc_walked_on "tcp_walked_on '${walked}'"; fi
masqd_stop
