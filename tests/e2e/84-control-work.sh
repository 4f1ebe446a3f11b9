#!/usr/bin/env bash
# tests/e2e/84-control-work.sh - control work never stops forwarding
# (issue 12, items 4 and 6)
#
#   masq-t$$-lan   eth0 192.168.0.2   the LAN host's ordinary work (ping
#        |                            every 10 ms, a paced download, new
#        |                            TCP connections); build/tools/pktgen
#        |                            fills the table: UDP from 500 ports
#        |                            of 126 addresses (192.168.0.128/25)
#        |                            to port 9 of 198.51.100.1-5
#   masq-t$$-gw    lan0 192.168.0.1  <-- build/masqd -c FILE --gateway
#                  wan0 203.0.113.1      203.0.113.2 (default table:
#        |                               262,144 connections)
#   masq-t$$-wan   eth0 203.0.113.2   the download's server; drops the rest
#
# (63,000 source endpoints: within the 64,512 ports one external address
# has for UDP, each mapping shared by five connections; 2,500 a host,
# within host-cap.)
#
# With the table full, three pieces of control work, each while the LAN
# host works (lib.sh's legit_*: the longest gap between ping replies
# before the work and during it, same run): a full-table conntrack -L
# (every line arrives, none twice), a masq -L, and a SIGHUP reload of a
# -c FILE of 3,000 iptables lines (in effect afterwards). Each must keep
# the longest gap within 20 ms of the one before (a phase over it is run
# once more: the machine's cores are shared). Then the control
# socket's defences: 16 clients that connect and send nothing do not
# keep a 17th masqctl out, a request announcing more than 16 MiB is
# refused with a message saying so (and masqctl refuses a 17 MiB
# iptables-restore itself), and masqctl stats counts both.
#
# Figures (stdout, one "# control work: ..." line; the log has more):
# time of each listing and the reload, masqd's largest RSS during the
# listings, the gaps.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init table_filled conntrack_list_whole conntrack_list_gap \
	masq_list_whole masq_list_gap reload_3000_rules_applied \
	reload_3000_rules_gap idle_clients_no_lockout too_large_refused \
	control_stats_counted
[ -x "$TOOLS/pktgen" ] || skip_all "build/tools/pktgen is not built (make tools)"
e2e_need curl curl
ROUTER_LAN_MAC=02:6d:71:00:01:01
# each phase's legit run: 4 s before the work (the gap before is measured
# from its second 1), the work (0.1-0.2 s here; the gap during is
# measured up to its end) and the rest, measured by nothing, which is
# room for the work on a slow machine (was 12 s, then 8: 4 s unmeasured;
# now 2 s, ten times what the work takes here)
LSECS=${CONTROL_LEGIT_SECONDS:-6}
CONF=$WORK/masq.conf
echo "set timeout udp-unreplied 300" >"$CONF"

stat_of() {	# NAME: one counter of masqctl stats
	mctl stats | awk -v k="$1" '$1 == k {print $2}'
}
entries() { stat_of conntrack_entries | cut -d/ -f1; }
# gap_within: the last legit run's gap during within 20 ms of before
gap_within() { [ -n "$LEGIT_GAP_DURING" ] && legit_gap_ok; }
# gap_ok CASE WHAT: say it
gap_ok() {
	if gap_within; then
		ok "$1"
	else
		fail "$1" "longest ping gap ${LEGIT_GAP_DURING:-?} ms during $2, ${LEGIT_GAP_BEFORE:-?} ms before (replies ${LEGIT_PINGS:-?}; twice)"
	fi
}
# rss_watch: masqd's largest VmRSS (kB) into $WORK/rss.max until stopped
rss_watch() {
	local max=0 r
	while [ -d "/proc/$MASQD_PID" ]; do
		r=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$MASQD_PID/status" 2>/dev/null)
		[ -n "$r" ] && [ "$r" -gt "$max" ] && max=$r && echo "$max" >"$WORK/rss.max"
		sleep 0.02
	done
}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }
# phase_once NAME: the LAN host's work around one piece of control work,
# run by the function NAME (which sets WORK_SECS)
phase_once() {
	legit_start "$LSECS" || { ABORT_WHY="legit_start failed"; exit 1; }
	sleep 4
	legit_mark "$1"
	"$1"
	legit_mark end
	legit_wait
	legit_report
	log "$1: ${WORK_SECS} s; ping gap ${LEGIT_GAP_BEFORE} ms before, ${LEGIT_GAP_DURING} ms during"
}
# phase NAME: phase_once, and once more if the gap was over the bound.
# The machine's two cores are shared (builds, fuzzers): one descheduling
# can make one gap; a stall of masqd's own (the whole table formatted in
# one step, a reload in the loop) makes it every time.
phase() {
	phase_once "$1"
	gap_within && return 0
	log "$1: the gap is over the bound; once more"
	phase_once "$1"
}
# listing NAME ARGS...: masqctl ARGS > $WORK/NAME.txt, timed
listing() {
	local name=$1 t0
	shift
	: >"$WORK/rss.max"
	rss_watch &
	RSS_PID=$!
	RSS_BEFORE=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$MASQD_PID/status")
	t0=$(now)
	log "+ masqctl $* >$WORK/$name.txt (masqd RSS $RSS_BEFORE kB)"
	timeout -k 2 60 "$MASQCTL" -s "$SOCK" "$@" >"$WORK/$name.txt" 2>>"$LOG"
	LIST_RC=$?
	WORK_SECS=$(secs "$t0" "$(now)")
	kill "$RSS_PID" 2>/dev/null
	wait "$RSS_PID" 2>/dev/null
	RSS_KB=$(cat "$WORK/rss.max" 2>/dev/null)
}
ct_list() { listing conntrack conntrack -L; CT_SECS=$WORK_SECS CT_RC=$LIST_RC CT_RSS=$RSS_KB; }
masq_list() { listing masq masq -L -n; MQ_SECS=$WORK_SECS MQ_RC=$LIST_RC MQ_RSS=$RSS_KB; }
reload() {
	local n t0
	n=$(grep -c 'SIGHUP: .* reloaded' "$WORK/masqd.log")
	t0=$(now)
	log "+ kill -HUP $MASQD_PID (masqd), $(wc -l <"$CONF") lines"
	kill -HUP "$MASQD_PID"
	for _ in $(seq 1500); do
		[ "$(grep -c 'SIGHUP: .* reloaded\|SIGHUP: .* not reloaded' "$WORK/masqd.log")" -gt "$n" ] && break
		sleep 0.01
	done
	WORK_SECS=$(secs "$t0" "$(now)")
	RELOAD_LINE=$(grep 'SIGHUP: ' "$WORK/masqd.log" | tail -1)
}

lab_up || exit 1
if ! masqd_start -c "$CONF" --gateway 203.0.113.2; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
warm lan 203.0.113.2 || log "  (no answer to the warm-up pings)"

# --- the table, filled -------------------------------------------------------
# the same frames again (up to 4 rounds) fill in what a busy machine's
# rings dropped: each frame i is the same tuple every time
max=$(stat_of conntrack_entries | cut -d/ -f2)
for round in 1 2 3 4; do
	T=60 on lan "$TOOLS/pktgen" -i eth0 --dst-mac $ROUTER_LAN_MAC --mode udp \
		--src 192.168.0.128/25 --sport 1024-1523 --dst 198.51.100.0/29 \
		--dport 9 --rate 100000 --count $((max + max / 8)) --seconds 40
	full=$(entries)
	log "table: $full of $max after round $round, $(grep -h '^pktgen:' "$LOG" | tail -1)"
	[ "${full:-0}" -ge $((max - max / 100)) ] && break
done
if [ "${full:-0}" -ge $((max - max / 100)) ]; then
	ok table_filled
else
	fail table_filled "$full connections of $max after the flood"
fi

# --- conntrack -L of the full table ------------------------------------------
phase ct_list
lines=$(wc -l <"$WORK/conntrack.txt")
twice=$(awk '{sub(/ packets=.*/, ""); sub(/^.* src=/, "src=")} 1' "$WORK/conntrack.txt" | sort | uniq -d | wc -l)
log "conntrack -L: status $CT_RC, $lines lines ($twice twice), $CT_SECS s, RSS $CT_RSS kB"
if [ "$CT_RC" = 0 ] && [ "$lines" -ge $((full - full / 100)) ] && [ "$twice" = 0 ]; then
	ok conntrack_list_whole
else
	fail conntrack_list_whole "status $CT_RC, $lines lines of about $full, $twice listed twice"
fi
gap_ok conntrack_list_gap "conntrack -L ($CT_SECS s)"
CT_GAPS="${LEGIT_GAP_BEFORE}/${LEGIT_GAP_DURING}"

# --- masq -L of the full table ------------------------------------------------
phase masq_list
lines=$(($(wc -l <"$WORK/masq.txt") - 2))
log "masq -L: status $MQ_RC, $lines lines, $MQ_SECS s, RSS $MQ_RSS kB"
if [ "$MQ_RC" = 0 ] && [ "$lines" -ge $((full - full / 100)) ] &&
	head -1 "$WORK/masq.txt" | grep -q '^IP masquerading entries'; then
	ok masq_list_whole
else
	fail masq_list_whole "status $MQ_RC, $lines lines of about $full"
fi
gap_ok masq_list_gap "masq -L ($MQ_SECS s)"
MQ_GAPS="${LEGIT_GAP_BEFORE}/${LEGIT_GAP_DURING}"

# --- a SIGHUP reload of 3,000 iptables lines ----------------------------------
{
	echo "set timeout udp-unreplied 300"
	echo "reset rules"	# on top of the default ruleset, forwarding on
	for i in $(seq 0 2999); do
		echo "iptables -A FORWARD -s 172.16.$((i / 250)).$((i % 250 + 1))/32 -p tcp --dport $((1024 + i)) -j DROP"
	done
} >"$CONF"
phase reload
RL_SECS=$WORK_SECS
rules=$(timeout 20 "$MASQCTL" -s "$SOCK" iptables-save 2>>"$LOG" | grep -c '^-A FORWARD -s 172\.16\.')
log "reload: $RELOAD_LINE; $rules rules in iptables-save; $RL_SECS s from SIGHUP to the log line"
if [ "$rules" = 3000 ] && grep -q 'SIGHUP: .* reloaded' <<<"$RELOAD_LINE"; then
	ok reload_3000_rules_applied
else
	fail reload_3000_rules_applied "$rules of 3000 rules in iptables-save; '$RELOAD_LINE'"
fi
gap_ok reload_3000_rules_gap "the reload ($RL_SECS s)"
RL_GAPS="${LEGIT_GAP_BEFORE}/${LEGIT_GAP_DURING}"

# --- 16 idle clients do not keep a 17th out ------------------------------------
cat >"$WORK/idle.py" <<'EOF'
import socket, sys, time
path, n, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
held = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    held.append(s)
print("holding %d connections" % len(held), flush=True)
time.sleep(secs)
EOF
bg_idle() {	# the idle clients, in the test's own namespace (no netns)
	log "+ [bg idle] $PY $WORK/idle.py $SOCK 16 20"
	timeout -k 2 25 "$PY" "$WORK/idle.py" "$SOCK" 16 20 >"$WORK/idle.out" 2>&1 &
	BG_PIDS+=("$!")
	IDLE_PID=$!
}
bg_idle
for _ in $(seq 50); do
	grep -q holding "$WORK/idle.out" 2>/dev/null && break
	sleep 0.1
done
sleep 0.5
t0=$(now)
log "+ masqctl show settings (a 17th client)"
if timeout 10 "$MASQCTL" -s "$SOCK" show settings >"$WORK/17th.out" 2>>"$LOG" &&
	grep -q '^timeout' "$WORK/17th.out"; then
	ok idle_clients_no_lockout
	log "  answered after $(secs "$t0" "$(now)") s"
else
	fail idle_clients_no_lockout "a 17th masqctl got no answer with 16 idle clients connected ($(cat "$WORK/idle.out"))"
fi
stop "$IDLE_PID"

# --- a request over 16 MiB ---------------------------------------------------
cat >"$WORK/big.py" <<'EOF'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(struct.pack(">IHHI", 0x4d514331, 2, 1, 17 << 20))
got = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    got += d
kind, blen = struct.unpack(">HI", got[6:12])
print("kind %d status %d: %s" % (kind, struct.unpack(">I", got[12:16])[0],
      got[16:12 + blen].decode(errors="replace").strip()))
EOF
res=$(T=10 xo "$PY" "$WORK/big.py" "$SOCK")
head -c $((17 << 20)) /dev/zero | tr '\0' '#' >"$WORK/big.rules"
T=20 x "$MASQCTL" -s "$SOCK" iptables-restore "$WORK/big.rules"
rrc=$?
if grep -q '^kind 2 status 2: masqd: bad control request: word or command too long (limit 16 MiB)' <<<"$res" &&
	[ "$rrc" = 1 ] && grep -q 'larger than' "$LOG"; then
	ok too_large_refused
else
	fail too_large_refused "masqd answered '$res'; masqctl iptables-restore of 17 MiB exited $rrc"
fi

# --- the counters ------------------------------------------------------------
mctl stats | grep '^masqd_control_' >"$WORK/control.stats"
tl=$(awk '$1 == "masqd_control_too_large" {print $2}' "$WORK/control.stats")
ev=$(awk '$1 == "masqd_control_evicted" {print $2}' "$WORK/control.stats")
ls=$(awk '$1 == "masqd_control_listings" {print $2}' "$WORK/control.stats")
if [ "${tl:-0}" -ge 1 ] && [ "${ev:-0}" -ge 1 ] && [ "${ls:-0}" -ge 2 ] &&
	grep -q '^masqd_control_idle_closed ' "$WORK/control.stats" &&
	grep -q '^masqd_control_memory ' "$WORK/control.stats"; then
	ok control_stats_counted
else
	fail control_stats_counted "$(tr '\n' ' ' <"$WORK/control.stats")"
fi
stats_log
echo "# control work: table $full; conntrack -L ${CT_SECS} s (ping gap before/during ${CT_GAPS} ms, masqd RSS ${CT_RSS:-?} kB); masq -L ${MQ_SECS} s (${MQ_GAPS} ms, RSS ${MQ_RSS:-?} kB); SIGHUP of 3,000 iptables lines ${RL_SECS} s (${RL_GAPS} ms)"
exit 0
