#!/usr/bin/env bash
# tests/e2e/40-fragments.sh - a 4 KB UDP answer crosses masqd in fragments
#
#   masq-t$$-lan   eth0 192.168.0.2/24, default via 192.168.0.1
#        |         (a DNS-style client: a small query, a 4000-byte answer)
#   masq-t$$-gw    lan0 192.168.0.1  <-- build/masqd owns both at layer 2
#                  wan0 203.0.113.1
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 (python3 UDP server :5300, answers
#                  every query with 4000 bytes; MTU 1500, so its kernel
#                  sends the 4028-byte datagram as three IP fragments)
#
# masqd must reassemble the answer (the mapping's port is only in the
# first fragment), de-masquerade it, and refragment it for lan0 at most
# as big as the fragments it came in. The client must get all 4000
# bytes, unchanged. Captures: build/e2e/40-fragments/{lan,wan}.pcap.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init big_udp_answer_whole wan_side_was_fragmented frag_counters \
	no_frag_drops
lab_up || exit 1
capture lan eth0 lan
capture wan eth0 wan
sleep 0.3
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi

# The answer: 4000 bytes, byte i is (i * 7 + 3) % 251, so a shifted or
# mixed-up fragment shows in the digest.
cat >"$WORK/bigudp.py" <<'PYEOF'
import hashlib, socket, sys, time

def answer():
    return bytes((i * 7 + 3) % 251 for i in range(4000))

def serve(addr, port, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    end = time.time() + float(secs)
    while time.time() < end:
        s.settimeout(max(0.1, end - time.time()))
        try:
            d, a = s.recvfrom(2048)
        except socket.timeout:
            break
        print("query %r from %s:%d" % (d[:32], a[0], a[1]), flush=True)
        s.sendto(answer(), a)

def ask(addr, port, tries):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.5)
    for _ in range(int(tries)):
        s.sendto(b"\x12\x34 big TXT please", (addr, int(port)))
        try:
            d, a = s.recvfrom(65535)
        except socket.timeout:
            continue
        ok = d == answer()
        print("got %d bytes from %s:%d sha256 %s %s" % (len(d), a[0], a[1],
              hashlib.sha256(d).hexdigest(), "same" if ok else "DIFFERENT"),
              flush=True)
        return 0 if ok else 2
    print("no answer", flush=True)
    return 1

if sys.argv[1] == "serve":
    serve(*sys.argv[2:])
else:
    sys.exit(ask(*sys.argv[2:]))
PYEOF

warm lan 203.0.113.2
bg wan bigudp-server 30 "$PY" -u "$WORK/bigudp.py" serve 203.0.113.2 5300 25
sleep 0.5

out=$(T=10 ono lan "$PY" -u "$WORK/bigudp.py" ask 203.0.113.2 5300 3)
if echo "$out" | grep -q '^got 4000 bytes from 203.0.113.2:5300 .* same$'; then
	ok big_udp_answer_whole
else
	fail big_udp_answer_whole "${out:-no output} (server: $(head -c 200 "$WORK/bigudp-server.out" | tr '\n' ' '))"
fi

# The server's kernel fragmented it: the wan side counter of fragments
# received by the router's interface (ip -s shows frames; the capture, if
# tcpdump is there, shows MF)
stats=$(mctl stats)
val() { echo "$stats" | grep -oE "\b$1[[:space:]:=]+[0-9]+" | grep -oE '[0-9]+$' | head -n1; }
rcv=$(val frag_received)
if [ "${rcv:-0}" -ge 3 ]; then
	ok wan_side_was_fragmented
else
	fail wan_side_was_fragmented "frag_received ${rcv:-missing}, expected at least 3 fragments of the answer"
fi

reas=$(val frag_reassembled)
made=$(val frag_created)
if [ "${reas:-0}" -ge 1 ] && [ "${made:-0}" -ge 3 ]; then
	ok frag_counters
else
	fail frag_counters "frag_reassembled ${reas:-missing} (want >= 1), frag_created ${made:-missing} (want >= 3)"
fi

drops=$(echo "$stats" | grep -oE '\bdrop_frag_[a-z_]+[[:space:]:=]+[1-9][0-9]*' | tr '\n' ' ')
if [ -z "$drops" ]; then
	ok no_frag_drops
else
	fail no_frag_drops "$drops"
fi
