#!/usr/bin/env bash
# tests/e2e/83-frag-flood.sh - a flood of spoofed first fragments must not
# stop fragmented traffic, nor anything else (issue 12, item 3)
#
#   masq-t$$-lan   eth0 192.168.0.2/24, default via 192.168.0.1
#        |         a user's ordinary work (legit_start: ping every 10 ms,
#        |         a paced 1 MiB download, a new TCP connection every
#        |         20 ms) and a client asking for a 3,000-byte UDP answer
#        |         every 20 ms
#   masq-t$$-gw    lan0 192.168.0.1  <-- build/masqd owns both at layer 2
#                  wan0 203.0.113.1      (02:6d:71:00:02:01)
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24: the servers, the UDP one answering
#                  each query with 3,000 bytes (its kernel sends the 3,028-
#                  byte datagram as three fragments at MTU 1500); and the
#                  attacker, build/tools/pktgen writing tiny first
#                  fragments (MF set, 16 bytes of UDP data, random IP ids)
#                  from 198.18.0.0/15 to 203.0.113.1 onto its eth0, 50,000
#                  a second (E2E_FRAG_RATE)
#
# Phases: the user's work and the UDP client start together; after
# BEFORE_S seconds the flood runs for FLOOD_S seconds, then the rest
# finishes. Each spoofed fragment opens a datagram that will never
# complete; with masq's old 64-slot pool the first 64 of them locked
# fragmented traffic out for 30 s. Now they fill a 4 MiB budget and evict
# each other, oldest first, while the answers, whose three fragments come
# within a millisecond, complete.
#
# Cases (what a user would see):
#   big_answers_during_flood  at least 95 % of the 3,000-byte answers asked
#                             for during the flood arrive whole
#   flood_filled_reassembly   the flood really reached reassembly: masqd
#                             evicted datagrams (frag_evicted > 0) and got
#                             most of what pktgen sent (frag_received)
#   tcp_connections_succeed   no new TCP connection failed or hung
#   download_completes        the paced download arrived whole
#   ping_gap_unchanged        the longest gap between ping replies during
#                             the flood is within 20 ms of the gap before
# One line "# flood R/s ...; answers ...; ping gap ..." on stdout, and the
# log (build/e2e/83-frag-flood.log), give the figures: pktgen's rate, the
# answers before and during, the ping gaps, the counters. (masq before
# the byte budget, on this machine: 5 answers of 406 during the flood.)
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

FLOOD_S=5	# the flood (250,000 fragments, 60 times the budget; 250 answers)
BEFORE_S=$((FLOOD_S + 1))	# the user's work alone: the "before" figures
			# start after its first second, so both windows
			# are as long (a longest gap grows with its window)
AFTER_S=3	# the tail: the download and the last answers finish
RATE=${E2E_FRAG_RATE:-50000}	# spoofed first fragments a second
ANSWER=3000	# bytes of each UDP answer

e2e_init big_answers_during_flood flood_filled_reassembly \
	tcp_connections_succeed download_completes ping_gap_unchanged
[ -x "$TOOLS/pktgen" ] || skip_all "build/tools/pktgen is not built (make tools)"
e2e_need curl curl
lab_up || exit 1
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
# The attacker runs behind other work (nice 10; legit_start puts masqd
# and the ping probe at nice -10), so what is measured is masqd's handling
# of the flood, not who else runs.

# The UDP server is lib.sh's udp-echo with a size: each query "q SEQ"
# gets ANSWER bytes, "echo:q SEQ" and a pattern. The client asks every
# 20 ms and writes, per query, "SEQ SENT_AT GOT" (GOT 1 when the whole
# answer came back within a second).
cat >"$WORK/bigask.py" <<'PYEOF'
import re, select, socket, sys, time

def ask(addr, port, size, secs):
    fill = bytes((i * 7 + 3) % 251 for i in range(int(size)))  # as tool.py's
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((addr, int(port)))
    s.setblocking(False)
    sent, got = {}, set()
    start = time.time()
    end, nxt, seq = start + float(secs), start, 0
    while True:
        now = time.time()
        if now >= end + 1.0:
            break
        if now >= nxt and now < end:
            sent[seq] = now
            s.send(b"q %d" % seq)
            seq += 1
            nxt += 0.02
        r, _, _ = select.select([s], [], [], 0.005)
        while r:
            try:
                d = s.recv(65535)
            except BlockingIOError:
                break
            m = re.match(rb"echo:q (\d+)", d)
            k = int(m.group(1)) if m else -1
            if k in sent and now - sent[k] < 1.0 and \
               d == m.group(0) + fill[m.end():]:
                got.add(k)
    for k in sorted(sent):
        print("%d %.6f %d" % (k, sent[k], k in got))

ask(*sys.argv[1:5])
PYEOF

total=$((BEFORE_S + FLOOD_S + AFTER_S))
warm lan 203.0.113.2
bg wan bigask-server $((total + 30)) "$PY" -u "$WORK/tool.py" udp-echo 203.0.113.2 5300 $((total + 20)) "$ANSWER"
wait_listen wan udp 203.0.113.2:5300 || { ABORT_WHY="the UDP server did not start"; exit 1; }
legit_start "$total" || { ABORT_WHY="legit_start failed (see $LOG)"; exit 1; }
bg lan bigask-client $((total + 20)) "$PY" -u "$WORK/bigask.py" 203.0.113.2 5300 "$ANSWER" "$total"
ASK_PID=$BG_PID

sleep "$BEFORE_S"
legit_mark attack
pktgen_out=$(T=$((FLOOD_S + 10)) ono wan nice -n 10 "$TOOLS/pktgen" -i eth0 --dst-mac 02:6d:71:00:02:01 \
	--mode frag --src 198.18.0.0/15 --dst 203.0.113.1 --size 16 \
	--rate "$RATE" --count $((RATE * FLOOD_S)) --seconds "$FLOOD_S")
legit_mark end
log "flood: $pktgen_out"
stats_during=$(mctl stats)
rss=$(awk '/^VmRSS/ {print $2 " " $3}' "/proc/$MASQD_PID/status" 2>/dev/null)
legit_wait
wait "$ASK_PID" 2>/dev/null
legit_report
stats_log

# Answers asked for before the flood (after the first second) and during it
read -r before_sent before_got during_sent during_got < <("$PY" - "$WORK/bigask-client.out" "$WORK/legit-marks" <<'PYEOF'
import sys
marks = [float(l.split()[1]) for l in open(sys.argv[2]) if l.strip()]
start, attack, end = marks[0], marks[1], marks[2]
bs = bg = ds = dg = 0
for l in open(sys.argv[1]):
    p = l.split()
    if len(p) != 3:
        continue
    t, ok = float(p[1]), p[2] == "1"
    if start + 1.0 <= t < attack:
        bs += 1; bg += ok
    elif attack <= t < end:
        ds += 1; dg += ok
print(bs, bg, ds, dg)
PYEOF
)
sent=$(echo "$pktgen_out" | grep -oE 'sent [0-9]+' | grep -oE '[0-9]+')
rate=$(echo "$pktgen_out" | grep -oE '\([0-9]+/s\)' | tr -d '()')
val() { echo "$stats_during" | grep -oE "\b$1[[:space:]:=]+[0-9]+" | grep -oE '[0-9]+$' | head -n1; }
received=$(val frag_received)
evicted=$(val frag_evicted)
summary="flood ${rate:-?} (${sent:-0} first fragments); answers before ${before_got:-0}/${before_sent:-0}, during ${during_got:-0}/${during_sent:-0}; ping gap before ${LEGIT_GAP_BEFORE} ms, during ${LEGIT_GAP_DURING} ms; frag_received ${received:-0}, frag_evicted ${evicted:-0}; masqd RSS ${rss:-?}"
log "figures: $summary"
echo "# $summary"

if [ "${during_sent:-0}" -gt 0 ] && [ $((during_got * 100)) -ge $((during_sent * 95)) ]; then
	ok big_answers_during_flood
else
	fail big_answers_during_flood "got ${during_got:-0} of ${during_sent:-0} answers during the flood (before: ${before_got:-0} of ${before_sent:-0})"
fi

if [ "${evicted:-0}" -gt 0 ] && [ "${sent:-0}" -gt 0 ] &&
	[ $((${received:-0} * 2)) -ge "$sent" ]; then
	ok flood_filled_reassembly
else
	fail flood_filled_reassembly "pktgen sent ${sent:-0} ($pktgen_out), masqd took ${received:-0} fragments into reassembly and evicted ${evicted:-0} datagrams"
fi

legit_cases tcp_connections_succeed download_completes ping_gap_unchanged
