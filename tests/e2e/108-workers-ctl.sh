#!/usr/bin/env bash
# tests/e2e/108-workers-ctl.sh - masqd --workers 2: the commands that
# read or change every engine (rule counters, LOG lines, conntrack -E,
# rules runs, warnings) answer as one worker would for the same traffic
#
#   masq-t$$-lan   eth0 192.168.0.2/24 --+
#                                        +-- br0 in masq-t$$-sw
#   masq-t$$-lan2  eth0 192.168.0.3/24 --+
#                                        |
#   masq-t$$-gw    lan0 192.168.0.1 -----+   build/masqd --workers 2
#                  wan0 203.0.113.1          --metrics 127.0.0.1:9465
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24    (nothing listens: the datagrams
#                                          are counted on the way out)
#
#  - 40 UDP datagrams to 203.0.113.2:9000 from 40 source ports (both
#    workers' slices): iptables -L -v -x, -L -v, iptables-save -c and
#    the --metrics rule counter say 40 packets (each engine counted its
#    own share)
#  - iptables -Z FORWARD: every engine's zeroed (-L -v -x says 0), and
#    10 more datagrams count 10; ipacct-dump FORWARD (iptables-save -c
#    --zero: read and zeroed in one step) gives 10, then 0
#  - a LOG rule: 20 datagrams from 20 source ports, 10 in each worker's
#    slice, give 20 lines in masqd's log (worker 1's engine logs too)
#  - conntrack -E while 20 UDP flows start from ports of both slices: a
#    [NEW] line for each of the 20, every line whole, the listener
#    still listening
#  - masqctl rules DIR (a rules run: txn begin, do, commit) whose file
#    adds a DROP of UDP port 9004: 20 datagrams from both slices, 20
#    counted by the DROP rule (worker 1's engine has it too)
#  - a MASQUERADE --to-ports 5000 added: masqd.log names the rule and
#    worker 1 (its slice of the range is empty); 5004-5007 is not named
#  - reset rules, then ipchains: a forward MASQ rule for UDP 9005, 20
#    datagrams from both slices: ipchains -L forward -v -x says 20
#  - restarted with a -c file's SNAT to ports 6002-6003: named at the
#    start (worker 0)
# Without root: SKIP.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init wctl_started wctl_counters_list wctl_counters_list_exact \
	wctl_counters_save wctl_counters_metrics wctl_counters_zero \
	wctl_counters_acct wctl_log_every_worker wctl_events_every_worker \
	wctl_txn_every_worker wctl_warns_narrow_range wctl_counters_ipchains \
	wctl_warns_at_start

if [ "$(nproc)" -lt 2 ]; then
	skip_all "one CPU: --workers 2 is refused (more workers than CPUs)"
fi
METRICS=127.0.0.1:9465

lab_up --lan2 || exit 1
if masqd_start --workers 2 --metrics "$METRICS"; then
	ok wctl_started
else
	ABORT_WHY="masqd --workers 2 did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
warm lan 203.0.113.2

# udp_from FIRST COUNT [DPORT]: one 100-byte datagram from each source
# port FIRST.. to 203.0.113.2:DPORT (9000)
cat >"$WORK/udp.py" <<'EOF2'
import socket, sys
first, count, dport = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for p in range(first, first + count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", p))
    s.sendto(b"x" * 100, ("203.0.113.2", dport))
    s.close()
EOF2
udp_from() { on lan "$PY" "$WORK/udp.py" "$1" "$2" "${3:-9000}"; sleep 0.3; }
# the rule's packets in iptables -L FORWARD -v [-x] -n (its first line)
pkts() { mctl iptables -L FORWARD -v -n "$@" | awk '/udp dpt:9000/ { print $1; exit }'; }

# --- rule counters over both workers ---------------------------------------
mctl iptables -I FORWARD -p udp --dport 9000 >/dev/null
rx1a=$(mctl stats | awk '$1 == "masqd_worker1_rx_frames" { print $2 }')
udp_from 41000 40
h=$(mctl stats | awk '$1 == "masqd_handoff_out" { print $2 }')
log "handed off so far: $h; worker 1 had received $rx1a frames"
l=$(pkts) lx=$(pkts -x)
if [ "$l" = 40 ]; then ok wctl_counters_list
else fail wctl_counters_list "iptables -L -v: '$l' packets (want 40)"; fi
if [ "$lx" = 40 ]; then ok wctl_counters_list_exact
else fail wctl_counters_list_exact "iptables -L -v -x: '$lx' packets (want 40)"; fi
sv=$(mctl iptables-save -c | grep -- '--dport 9000')
log "$sv"
if [ "$sv" = "[40:5120] -A FORWARD -p udp -m udp --dport 9000" ]; then
	ok wctl_counters_save
else
	fail wctl_counters_save "iptables-save -c: '$sv' (want [40:5120], 128-byte datagrams)"
fi
sleep 1.2	# the metrics thread's snapshot: once a second
m=$(ono gw curl -sS --max-time 3 "http://$METRICS/metrics" |
	awk '$1 == "masq_rule_packets_total{table=\"filter\",chain=\"FORWARD\",rule=\"1\"}" { print $2 }')
if [ "$m" = 40 ]; then ok wctl_counters_metrics
else fail wctl_counters_metrics "--metrics: FORWARD rule 1 '$m' packets (want 40)"; fi

mctl iptables -Z FORWARD >/dev/null
z=$(pkts -x)
udp_from 41100 10
t=$(pkts -x)
if [ "$z" = 0 ] && [ "$t" = 10 ]; then ok wctl_counters_zero
else fail wctl_counters_zero "after -Z: '$z' (want 0); after 10 more: '$t' (want 10)"; fi
# ipacct-dump: iptables-save -c --zero CHAIN, read and zeroed in one step
a=$(mctl ipacct-dump FORWARD | awk '/udp dpt:9000/ { print $1 ":" $2; exit }')
b=$(mctl ipacct-dump FORWARD | awk '/udp dpt:9000/ { print $1 ":" $2; exit }')
if [ "$a" = 10:1280 ] && [ "$b" = 0:0 ]; then ok wctl_counters_acct
else fail wctl_counters_acct "ipacct-dump FORWARD: '$a' then '$b' (want 10:1280 then 0:0)"; fi

# --- LOG lines from both workers' engines ---------------------------------
mctl iptables -I FORWARD -p udp --dport 9002 -j LOG --log-prefix "wctl-log: " >/dev/null
udp_from 41200 20 9002
wait_until 3 test "$(grep -c 'wctl-log: .*DPT=9002' "$WORK/masqd.log")" -ge 20
spts=$(grep -o 'wctl-log: .*DPT=9002' "$WORK/masqd.log" | grep -oE 'SPT=[0-9]+' | sort -u | wc -l)
odd=$(grep -o 'wctl-log: .*DPT=9002' "$WORK/masqd.log" | grep -cE 'SPT=412(0[2367]|1[014589]) ')
log "LOG lines: $spts source ports, $odd of them worker 1's ((p / 2) % 2 == 1)"
if [ "$spts" = 20 ] && [ "$odd" = 10 ]; then ok wctl_log_every_worker
else fail wctl_log_every_worker "masqd.log has LOG lines for $spts of the 20 source ports (want 20), $odd of worker 1's 10"; fi

# --- conntrack -E: every engine's events, to one listener -------------------
log "+ [bg events] $MASQCTL -s $SOCK conntrack -E > $WORK/events.txt"
timeout 6 "$MASQCTL" -s "$SOCK" conntrack -E >"$WORK/events.txt" 2>&1 &
EV_PID=$!
BG_PIDS+=("$EV_PID")
sleep 0.5
udp_from 41300 20 9003
wait_until 3 test "$(grep -c 'NEW.*dport=9003' "$WORK/events.txt")" -ge 20
new=$(grep -E '^ *\[NEW\] udp +17 [0-9]+ src=192\.168\.0\.2 dst=203\.0\.113\.2 sport=413[01][0-9] dport=9003 \[UNREPLIED\] src=203\.0\.113\.2 dst=203\.0\.113\.1 sport=9003 dport=413[01][0-9]$' "$WORK/events.txt" |
	grep -oE 'sport=413[01][0-9]' | sort -u | wc -l)
bad=$(grep -vcE '^ *\[(NEW|UPDATE|DESTROY)\] ' "$WORK/events.txt")
log "conntrack -E: $(wc -l <"$WORK/events.txt") lines, $new of the 20 source ports NEW, $bad not whole"
if [ "$new" = 20 ] && [ "$bad" = 0 ] && ! gone "$EV_PID"; then ok wctl_events_every_worker
else fail wctl_events_every_worker "conntrack -E: NEW lines for $new of 20 source ports, $bad lines not whole, listener $(gone "$EV_PID" && echo ended || echo running) ($(head -c 200 "$WORK/events.txt"))"; fi
kill "$EV_PID" 2>/dev/null

# --- a rules run (txn) on every engine ----------------------------------------
mkdir -p "$WORK/rules"
echo '$IPTABLES -I FORWARD -p udp --dport 9004 -j DROP' >"$WORK/rules/A10drop.rul"
log "+ [gw] masqctl rules $WORK/rules"
said=$(timeout -k 2 30 ip netns exec "$NS_GW" "$MASQCTL" -s "$SOCK" rules "$WORK/rules" 2>&1)
rrc=$?
log "$said (status $rrc)"
udp_from 41400 20 9004
d=$(mctl iptables -L FORWARD -v -x -n | awk '$3 == "DROP" && /udp dpt:9004/ { print $1; exit }')
if [ "$rrc" = 0 ] && [ "$d" = 20 ]; then ok wctl_txn_every_worker
else fail wctl_txn_every_worker "masqctl rules: status $rrc ('$said'); its DROP rule counted '$d' of 20 datagrams from both slices"; fi

# --- a --to-ports range narrower than 2n: the worker left out is named ----
mctl iptables -t nat -I POSTROUTING -o wan0 -p udp --dport 9100 -j MASQUERADE --to-ports 5000 >/dev/null
mctl iptables -t nat -I POSTROUTING -o wan0 -p udp --dport 9101 -j MASQUERADE --to-ports 5004-5007 >/dev/null
sleep 0.2
w=$(grep -c -- '--workers 2 (iptables): nat POSTROUTING rule 1: ports 5000-5000: none for worker 1 ' "$WORK/masqd.log")
w4=$(grep -c 'ports 5004-5007' "$WORK/masqd.log")	# (rule 1 is now 2: named again)
if [ "$w" = 1 ] && [ "$w4" = 0 ]; then ok wctl_warns_narrow_range
else fail wctl_warns_narrow_range "masqd.log: $w warnings naming rule 1 and worker 1 (want 1), $w4 for 5004-5007 (want 0)"; fi

# --- the 2.x languages' listings add up too: ipchains -L -v -x -----------
mctl reset rules >/dev/null
mctl ipchains -P input ACCEPT >/dev/null
mctl ipchains -P forward DENY >/dev/null
mctl ipchains -A forward -p udp -s 192.168.0.0/24 -d 203.0.113.2 9005 -j MASQ >/dev/null
udp_from 41500 20 9005
c=$(mctl ipchains -L forward -v -n -x | awk '$3 == "MASQ" { print $1; exit }')
log "$(mctl ipchains -L forward -v -n -x)"
if [ "$c" = 20 ]; then ok wctl_counters_ipchains
else fail wctl_counters_ipchains "ipchains -L forward -v -x: the MASQ rule counted '$c' of 20 datagrams"; fi

masqd_stop >/dev/null
echo "iptables -t nat -A POSTROUTING -o wan0 -p tcp -j SNAT --to-source 203.0.113.1:6002-6003" >"$WORK/masq.conf"
if masqd_start --workers 2 -c "$WORK/masq.conf"; then
	w=$(grep -c -- '--workers 2 (start): nat POSTROUTING rule [0-9]*: ports 6002-6003: none for worker 0 ' "$WORK/masqd.log")
	[ "$w" = 1 ] && ok wctl_warns_at_start ||
		fail wctl_warns_at_start "masqd.log: $w start warnings naming the rule and worker 0 (want 1)"
	masqd_stop >/dev/null
else
	fail wctl_warns_at_start "masqd --workers 2 -c FILE did not start"
fi
