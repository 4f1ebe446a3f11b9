#!/usr/bin/env bash
# tests/e2e/113-workers-jobs.sh - masqd --workers 2: a 10,000-rule
# iptables-restore and a SIGHUP reload of a 10,000-rule -c file are
# built beside the workers, which go on forwarding
#
#   masq-t$$-lan   eth0 192.168.0.2/24  two UDP flows, one datagram each
#        |                              5 ms: source ports 41000 (worker
#        |                              0's slice) and 41002 (worker 1's)
#   masq-t$$-gw    lan0 192.168.0.1 / wan0 203.0.113.1
#        |         build/masqd (one worker, then --workers 2) -c FILE
#   masq-t$$-wan   eth0 203.0.113.2/24  the receiver: each flow's count
#                                       and longest gap between arrivals
#
# Rulesets: masqd's default plus 10,000 FORWARD rules that match nothing
# (-s 172.NET.x.y/32 -p tcp --dport N -j DROP), as 66-restore-while-
# forwarding.sh makes them.
#
#  - one worker, then two: the restore runs while the flows cross; it
#    says 0, iptables-save shows the 10,000 rules, masqctl stats counts
#    a job (masqd_control_jobs; with two workers it is the only one:
#    iptables-save is none there, wcount.c adds its counters); with two workers each worker's
#    masqd_workerK_rx_in_jobs grew: frames both workers received while
#    the job ran beside them (read by masqd as the job started and as
#    it finished). The longest gap of each flow is logged for both runs,
#    not asserted (speed is the benchmarks').
#  - --workers 2, a SIGHUP with a -c file of 10,000 iptables -A lines and
#    a setting: "reloaded (... checked in S s beside the loop ...)" in
#    masqd's log, the setting in effect on both engines (show settings
#    answers once), the rules there, and both workers received frames
#    while it was checked.
#  - --workers 2 --metrics: 16 first fragments of 16 datagrams (own IP
#    ids, so spread over both workers) never completed: the endpoint's
#    frag_held_datagrams says 16, every worker's.
#  - SIGTERM while a restore is built: masqd finishes it on every engine,
#    answers it (status 0) and exits 0.
# Without root: SKIP.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init wjobs_one_worker_restore wjobs_restore_applied \
	wjobs_restore_beside_workers wjobs_reload_beside_workers \
	wjobs_metrics_frag_every_worker wjobs_sigterm_during_job

if [ "$(nproc)" -lt 2 ]; then
	skip_all "one CPU: --workers 2 is refused (more workers than CPUs)"
fi

cat >"$WORK/flows.py" <<'EOF'
import socket, struct, sys, time

def send(secs):
    """Two flows, a datagram every 5 ms each, for @secs seconds"""
    socks = []
    for port in (41000, 41002):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", port))
        socks.append(s)
    end, seq = time.monotonic() + float(secs), 0
    while time.monotonic() < end:
        for tag, s in zip(b"AB", socks):
            s.sendto(bytes([tag]) + b" %d" % seq, ("203.0.113.2", 9000))
        seq += 1
        time.sleep(0.005)

def receive(secs):
    """Each flow's datagrams and longest gap (ms), after @secs seconds"""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 9000))
    end, last, gap, n = time.monotonic() + float(secs), {}, {}, {}
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            d = s.recv(64)
        except socket.timeout:
            break
        now, tag = time.monotonic(), chr(d[0])
        if tag in last:
            gap[tag] = max(gap.get(tag, 0), now - last[tag])
        last[tag] = now
        n[tag] = n.get(tag, 0) + 1
    for tag in "AB":
        print("flow %s %d datagrams, longest gap %.1f ms"
              % (tag, n.get(tag, 0), gap.get(tag, 0) * 1000), flush=True)

def ruleset(base, net, n):
    """base iptables-save text with n FORWARD rules added before COMMIT"""
    table, done = None, False
    for l in open(base).read().splitlines():
        if l.startswith("*"):
            table = l[1:]
        if l == "COMMIT" and table == "filter" and not done:
            for i in range(int(n)):
                print("-A FORWARD -s 172.%s.%d.%d/32 -p tcp --dport %d -j DROP"
                      % (net, i // 250, i % 250 + 1, 1024 + i))
            done = True
        print(l)

def conf(net, n):
    """a -c file: a setting and n iptables -A lines on top of the default
    ruleset (reset rules: else the file's filter table starts empty)"""
    print("set timeout udp 303")
    print("reset rules")
    for i in range(int(n)):
        print("iptables -A FORWARD -s 172.%s.%d.%d/32 -p tcp --dport %d -j DROP"
              % (net, i // 250, i % 250 + 1, 1024 + i))

def frags(n):
    """n first fragments (more to come, never sent) of UDP datagrams to
    203.0.113.2:9000, each with its own IP id: held by masqd's reassembly"""
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    src, dst = socket.inet_aton("192.168.0.2"), socket.inet_aton("203.0.113.2")
    for i in range(int(n)):
        udp = struct.pack(">HHHH", 42000 + 2 * i, 9000, 8 + 1000, 0) + b"x" * 16
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 7000 + i,
                         0x2000, 64, 17, 0, src, dst)	# MF, offset 0
        s.sendto(ip + udp, ("203.0.113.2", 0))

modes = {"send": send, "receive": receive, "ruleset": ruleset, "conf": conf,
         "frags": frags}
modes[sys.argv[1]](*sys.argv[2:])
EOF

# counter NAME: a masqctl stats counter
counter() { mctl stats | awk -v n="$1" '$1 == n { print $2 }'; }
# count NET: rules of that ruleset in masqd's iptables-save
count() {
	timeout 10 "$MASQCTL" -s "$SOCK" iptables-save 2>>"$LOG" |
		grep -c "^-A FORWARD -s 172\.$1\." || true
}
# flows_during CMD...: CMD run 1 s into 4 s of both flows; the
# receiver's lines in $WORK/flows.txt, CMD's status returned
flows_during() {
	local rx tx rc
	ip netns exec "$NS_WAN" timeout 10 "$PY" "$WORK/flows.py" receive 5 \
		>"$WORK/flows.txt" 2>>"$LOG" &
	rx=$!
	BG_PIDS+=("$rx")
	sleep 0.3
	ip netns exec "$NS_LAN" timeout 10 "$PY" "$WORK/flows.py" send 4 2>>"$LOG" &
	tx=$!
	BG_PIDS+=("$tx")
	sleep 1
	"$@"
	rc=$?
	wait "$tx"
	wait "$rx"
	log "$(cat "$WORK/flows.txt")"
	return $rc
}
# gaps: "A ms, B ms" from the last flows_during
gaps() { awk '{ s = s (NR > 1 ? ", " : "") $7 " ms" } END { print s }' "$WORK/flows.txt"; }
restore() { T=30 x "$MASQCTL" -s "$SOCK" iptables-restore <"$WORK/$1.rules"; }

lab_up || exit 1
echo "set timeout udp 301" >"$WORK/masq.conf"

# --- one worker: the gap it shows, for the log ---------------------------------
if ! masqd_start -c "$WORK/masq.conf"; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
warm lan 203.0.113.2 || log "  no ping answer"
mctl iptables-save >"$WORK/base.rules"
for net in 16 17; do
	"$PY" "$WORK/flows.py" ruleset "$WORK/base.rules" $net 10000 >"$WORK/$net.rules"
done
"$PY" "$WORK/flows.py" conf 18 10000 >"$WORK/big.conf"
flows_during restore 16
rc=$?
gap1=$(gaps)
if [ $rc = 0 ] && [ "$(count 16)" = 10000 ] && [ "$(counter masqd_control_jobs)" -ge 1 ]; then
	ok wjobs_one_worker_restore
else
	fail wjobs_one_worker_restore "restore status $rc, $(count 16) of the 10000 rules, masqd_control_jobs $(counter masqd_control_jobs)"
fi
masqd_stop >/dev/null

# --- two workers: the restore beside them --------------------------------------
METRICS=127.0.0.1:9466
if ! masqd_start --workers 2 -c "$WORK/masq.conf" --metrics "$METRICS"; then
	ABORT_WHY="masqd --workers 2 did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
warm lan 203.0.113.2 || log "  no ping answer"
flows_during restore 17
rc=$?
gap2=$(gaps)
log "longest gaps while the restore ran: one worker $gap1; two workers $gap2"
echo "# longest gaps (flows A, B) during the restore: --workers 1: $gap1; --workers 2: $gap2"
jobs=$(counter masqd_control_jobs)
if [ $rc = 0 ] && [ "$(count 17)" = 10000 ] && [ "$(count 16)" = 0 ]; then
	ok wjobs_restore_applied
else
	fail wjobs_restore_applied "restore status $rc, iptables-save shows $(count 17) of the 10000 rules and $(count 16) of the old ones"
fi
r0=$(counter masqd_worker0_rx_in_jobs) r1=$(counter masqd_worker1_rx_in_jobs)
log "jobs $jobs; received while it ran: worker 0 ${r0:-none}, worker 1 ${r1:-none}"
if [ "${jobs:-0}" = 1 ] && [ "${r0:-0}" -gt 0 ] && [ "${r1:-0}" -gt 0 ]; then
	ok wjobs_restore_beside_workers
else
	fail wjobs_restore_beside_workers "masqd_control_jobs '${jobs:-none}' (want 1), frames received while it ran: worker 0 '${r0:-none}', worker 1 '${r1:-none}' (want more than 0 each)"
fi

# --- two workers: a SIGHUP reload checked beside them ---------------------------
cp "$WORK/big.conf" "$WORK/masq.conf"
hup() {
	log "+ kill -HUP $MASQD_PID"
	kill -HUP "$MASQD_PID"
	wait_until 10 grep -q 'SIGHUP: .* reloaded' "$WORK/masqd.log"
}
flows_during hup
log "longest gaps while the reload ran (two workers): $(gaps)"
s0=$(counter masqd_worker0_rx_in_jobs) s1=$(counter masqd_worker1_rx_in_jobs)
line=$(grep 'SIGHUP: ' "$WORK/masqd.log" | tail -n 1)
log "$line; received while jobs ran: worker 0 $r0 -> $s0, worker 1 $r1 -> $s1"
if grep -q 'reloaded (.* checked in .* s beside the loop' <<<"$line" &&
	mctl show settings | tr -s ' ' | tr '\n' ';' | grep -q 'timeout udp 303;' &&
	[ "$(count 18)" = 10000 ] &&
	[ "${s0:-0}" -gt "${r0:-0}" ] && [ "${s1:-0}" -gt "${r1:-0}" ]; then
	ok wjobs_reload_beside_workers
else
	fail wjobs_reload_beside_workers "log '$line'; show settings: $(mctl show settings | grep -c 'udp 303') lines with udp 303; $(count 18) of 10000 rules; received while jobs ran: worker 0 $r0 -> $s0, worker 1 $r1 -> $s1"
fi

# --- --metrics: the fragments every worker holds ---------------------------------
# 16 first fragments, each its own datagram (IP id): steered by hash(src,
# dst, id), so both workers hold some until FRAG_TIMEOUT_S (30 s)
on lan "$PY" "$WORK/flows.py" frags 16
sleep 1.5	# the metrics thread's snapshot: once a second
held=$(ono gw curl -sS --max-time 3 "http://$METRICS/metrics" |
	awk '$1 ~ /frag_held_datagrams$/ { print $2; exit }')
st=$(counter frag_received)
log "--metrics: frag_held_datagrams $held; frag_received $st"
if [ "$held" = 16 ]; then
	ok wjobs_metrics_frag_every_worker
else
	fail wjobs_metrics_frag_every_worker "--metrics frag_held_datagrams '$held' (want 16: every worker's)"
fi

# --- SIGTERM while a restore is built beside the workers ------------------------
log "+ [bg] masqctl iptables-restore <16.rules; kill -TERM masqd 0.2 s later"
timeout 30 "$MASQCTL" -s "$SOCK" iptables-restore <"$WORK/16.rules" >>"$LOG" 2>&1 &
RST_PID=$!
BG_PIDS+=("$RST_PID")
sleep 0.2	# most likely into the job; what is asserted holds either way
masqd_stop >/dev/null
rc=$?
wait "$RST_PID"
rrc=$?
if [ "$rc" = 0 ] && [ "$rrc" = 0 ]; then
	ok wjobs_sigterm_during_job
else
	fail wjobs_sigterm_during_job "masqd exit $rc, the restore's status $rrc (want 0 and 0: the job finished on every engine and answered)"
fi
exit 0
