# tests/e2e/lib.sh - shared helpers for the end-to-end tests (sourced)
# shellcheck shell=bash disable=SC2034
#
# A test file sets its case names, sources this file and calls e2e_init:
#
#	. "$(dirname "$0")/lib.sh"
#	e2e_init case_a case_b ...	# SKIPs every case and exits when it
#					# cannot run (not root, a tool missing)
#	e2e_need tcpdump tcpdump	# command, Debian package
#	lab_up; masqd_start
#	if ...; then ok case_a; else fail case_a "why"; fi
#
# Environment: E2E_OFFLOAD=on|off (the lab's veth offloads, default off),
# E2E_MASQD / E2E_MASQCTL (another build), E2E_TIMEOUT (seconds per command).
#
# Output: one line per case on stdout ("ok NAME", "FAIL NAME: why",
# "SKIP NAME: why"); everything else (each command run, with its output)
# goes to build/e2e/NAME.log, and files the test makes (server logs,
# captures, masqd's log) to build/e2e/NAME/. Every command runs under
# timeout(1). The EXIT trap stops what the test started, takes the lab
# down, and reports a case never reached as FAIL, with the reason.
#
# The lab is this test's own: namespaces named masq-t$$-{lan,gw,wan,...}.

E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
E2E_NAME=$(basename "$0" .sh)
MASQD=${E2E_MASQD:-$E2E_ROOT/build/masqd}	# E2E_MASQD: try another build
MASQCTL=${E2E_MASQCTL:-$E2E_ROOT/build/masqctl}
LAB=$E2E_ROOT/lab/lab.sh
export MASQ_LAB_PREFIX=masq-t$$-
NS_LAN=${MASQ_LAB_PREFIX}lan NS_LAN2=${MASQ_LAB_PREFIX}lan2
NS_GW=${MASQ_LAB_PREFIX}gw NS_WAN=${MASQ_LAB_PREFIX}wan
WORK=$E2E_ROOT/build/e2e/$E2E_NAME
LOG=$E2E_ROOT/build/e2e/$E2E_NAME.log
RUNDIR=			# short private dir for the control socket
SOCK=
T=${E2E_TIMEOUT:-15}	# default bound for one command, seconds
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

CASES=()
DONE=" "
ABORT_WHY="the test script stopped before this case"
BG_PIDS=()
MASQD_PID=
LAB_IS_UP=0

log() { echo "$*" >>"$LOG"; }

# result lines: on stdout and in the log
_result() {	# line case
	echo "$1"
	log "$1"
	DONE="$DONE$2 "
}
ok() { _result "ok $1" "$1"; }
fail() { _result "FAIL $1: $2" "$1"; }
skip() { _result "SKIP $1: $2" "$1"; }
reported() { case "$DONE" in *" $1 "*) return 0 ;; esac; return 1; }

# skip_all WHY: every case not yet reported is skipped, and the test ends
skip_all() {
	local c
	for c in "${CASES[@]}"; do reported "$c" || skip "$c" "$1"; done
	exit 0
}

e2e_need() {	# command package
	command -v "$1" >/dev/null 2>&1 ||
		skip_all "needs $1 (apt-get install $2)"
}

e2e_init() {	# case names...
	CASES=("$@")
	if [ "$(id -u)" -ne 0 ]; then
		local c
		for c in "${CASES[@]}"; do echo "SKIP $c: needs root (network namespaces)"; done
		exit 0
	fi
	rm -rf "$WORK"
	mkdir -p "$WORK"
	: >"$LOG"
	log "# $E2E_NAME, lab prefix $MASQ_LAB_PREFIX, $(date -u +%FT%TZ)"
	e2e_need ip iproute2
	e2e_need timeout coreutils
	e2e_need ethtool ethtool
	e2e_need "$PY" python3
	[ -x "$MASQD" ] || skip_all "build/masqd is not built (make)"
	[ -x "$MASQCTL" ] || skip_all "build/masqctl is not built (make)"
	RUNDIR=$(mktemp -d /tmp/masq-t$$.XXXXXX)
	SOCK=$RUNDIR/masqd.sock
	e2e_write_tool
	trap e2e_cleanup EXIT
	trap 'log "# interrupted"; exit 130' INT TERM HUP
}

e2e_cleanup() {
	local rc=$? c p
	trap - EXIT INT TERM HUP
	log "# cleanup (status $rc)"
	for p in "${BG_PIDS[@]}" $MASQD_PID; do
		kill "$p" 2>/dev/null || true
	done
	[ "$LAB_IS_UP" = 1 ] && lab_down
	for p in "${BG_PIDS[@]}" $MASQD_PID; do
		kill -9 "$p" 2>/dev/null || true
	done
	wait 2>/dev/null
	[ -n "$RUNDIR" ] && rm -rf "$RUNDIR"
	for c in "${CASES[@]}"; do reported "$c" || fail "$c" "$ABORT_WHY"; done
	if [ -s "$WORK/masqd.log" ]; then
		log "# masqd log ($WORK/masqd.log), last lines:"
		tail -n 40 "$WORK/masqd.log" >>"$LOG"
	fi
	exit 0
}

# x CMD...: log the command, run it under timeout $T, its output (both
# streams) to the log; returns its status.
x() {
	log "+ $*"
	timeout -k 2 "$T" "$@" >>"$LOG" 2>&1
	local rc=$?
	[ $rc -eq 0 ] || log "  (status $rc)"
	return $rc
}

# xo CMD...: as x, but stdout also goes to the caller
xo() {
	log "+ $*"
	timeout -k 2 "$T" "$@" 2>>"$LOG" | tee -a "$LOG"
	local rc=${PIPESTATUS[0]}
	[ $rc -eq 0 ] || log "  (status $rc)"
	return $rc
}

nsof() {	# node -> namespace
	case "$1" in
	lan) echo "$NS_LAN" ;; lan2) echo "$NS_LAN2" ;; gw) echo "$NS_GW" ;;
	wan) echo "$NS_WAN" ;; *) echo "nsof: bad node $1" >&2; return 1 ;;
	esac
}

# on NODE CMD...: x inside a node; ono NODE CMD...: xo inside a node
on() { local ns; ns=$(nsof "$1") || return 1; shift; x ip netns exec "$ns" "$@"; }
ono() { local ns; ns=$(nsof "$1") || return 1; shift; xo ip netns exec "$ns" "$@"; }

# bg NODE NAME SECONDS CMD...: start CMD in NODE in the background, bounded
# by SECONDS; output to $WORK/NAME.out; its pid in $BG_PID.
bg() {
	local ns name=$2 secs=$3
	ns=$(nsof "$1") || return 1
	shift 3
	log "+ [bg $name, ${secs}s] ip netns exec $ns $*"
	timeout -k 2 "$secs" ip netns exec "$ns" "$@" >"$WORK/$name.out" 2>&1 &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# stop PID: end one background job we started and reap it
stop() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# E2E_OFFLOAD=on runs the lab with the kernel's veth offloads (default off)
lab_up() {	# lab.sh up options...
	LAB_IS_UP=1
	if ! x "$LAB" up --offload "${E2E_OFFLOAD:-off}" "$@"; then
		ABORT_WHY="lab.sh up failed (see $LOG)"
		return 1
	fi
}

lab_down() {
	T=30 x "$LAB" down
	LAB_IS_UP=0
}

# gone PID: true once the process has exited (gone or a zombie)
gone() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$st" ] || [ "$st" = Z ]
}

# workers_lab_up: SKIP with one CPU; else the lab and masqd --workers 2
# (ABORT when it does not start)
workers_lab_up() {
	if [ "$(nproc)" -lt 2 ]; then
		skip_all "one CPU: --workers 2 is refused (more workers than CPUs)"
	fi
	lab_up || exit 1
	if ! masqd_start --workers 2; then
		ABORT_WHY="masqd --workers 2 did not start (build/e2e/$E2E_NAME/masqd.log)"
		exit 1
	fi
}

# masqd_start [ARGS...]: masqd in the router namespace with the default
# configuration (plus ARGS), in the foreground (-f) logging to
# $WORK/masqd.log (or to $MASQD_OUT when set: a FIFO, say); waits (5 s
# at most) until masqctl gets an answer.
MASQD_ARGS=(--internal lan0=192.168.0.1/24 --external wan0=203.0.113.1/24)
masqd_start() {
	local out=${MASQD_OUT:-$WORK/masqd.log}
	rm -f "$SOCK"
	log "+ [bg masqd] ip netns exec $NS_GW $MASQD ${MASQD_ARGS[*]} $* -s $SOCK -f >>$out 2>&1"
	ip netns exec "$NS_GW" "$MASQD" "${MASQD_ARGS[@]}" "$@" -s "$SOCK" -f \
		>>"$out" 2>&1 &
	MASQD_PID=$!
	local i
	for i in $(seq 50); do
		if gone "$MASQD_PID"; then
			wait "$MASQD_PID"
			log "  masqd exited with status $? before answering; its log:"
			tail -n 20 "$WORK/masqd.log" >>"$LOG"
			MASQD_PID=
			return 1
		fi
		if [ -S "$SOCK" ] && timeout 2 "$MASQCTL" -s "$SOCK" stats >/dev/null 2>&1; then
			log "  masqd (pid $MASQD_PID) answers after ${i}00 ms"
			return 0
		fi
		sleep 0.1
	done
	log "  masqd did not answer on $SOCK within 5 s"
	return 1
}

# masqd_stop: SIGTERM; returns masqd's exit status (124 if still running
# after 1 s, then it is killed)
masqd_stop() {
	local pid=$MASQD_PID i rc
	[ -n "$pid" ] || return 125
	log "+ kill -TERM $pid (masqd)"
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 20); do
		gone "$pid" && break
		sleep 0.05
	done
	if ! gone "$pid"; then
		log "  masqd still running 1 s after SIGTERM; killing it"
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		MASQD_PID=
		return 124
	fi
	wait "$pid"
	rc=$?
	log "  masqd exited with status $rc"
	MASQD_PID=
	return $rc
}

# mctl ARGS...: masqctl against this test's masqd (stdout to caller)
mctl() { T=5 xo "$MASQCTL" -s "$SOCK" "$@"; }

# drop_counters: "name value" for every drop_* counter in masqctl stats
drop_counters() {
	mctl stats | grep -oE '\bdrop_[a-z0-9_]+[[:space:]:=]+[0-9]+' |
		sed -E 's/[[:space:]:=]+/ /' | sort
}

# warm NODE ADDR: a few pings until ADDR answers (ARP, masqd's neighbour
# table); true if it did
warm() {
	local i
	for i in 1 2 3 4 5; do
		on "$1" ping -n -c 1 -W 1 "$2" && return 0
	done
	return 1
}

# capture NODE IFACE NAME: bounded tcpdump (120 s, 20000 packets) to
# $WORK/NAME.pcap, for the report when something fails; no-op without tcpdump
capture() {
	command -v tcpdump >/dev/null 2>&1 || return 0
	bg "$1" "tcpdump-$3" 120 tcpdump -Z root -n -i "$2" -c 20000 -s 256 -U -w "$WORK/$3.pcap"
}

# A small Python tool for the traffic the tests need; every mode ends by
# itself (timeouts), and the caller wraps it in timeout(1) as well.
e2e_write_tool() {
	cat >"$WORK/tool.py" <<'EOF'
"""e2e traffic tool: udp-echo [SIZE], udp-ask, tcp-hold-server, tcp-hold-client, tcp-probe, udp-ports"""
import socket, sys, time

def out(*a):
    print(*a, flush=True)

def big_answer(head, size):
    """SIZE bytes: HEAD, then byte i is (i * 7 + 3) % 251"""
    fill = bytes((i * 7 + 3) % 251 for i in range(size))
    return (head + fill[len(head):])[:size]

def udp_echo(addr, port, secs, size=0):
    """answer "echo:" + each datagram; with SIZE, padded to SIZE bytes"""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    end = time.time() + float(secs)
    while time.time() < end:
        s.settimeout(max(0.1, end - time.time()))
        try:
            d, a = s.recvfrom(65535)
        except socket.timeout:
            break
        out("from %s:%d %r" % (a[0], a[1], d[:64]))
        s.sendto(big_answer(b"echo:" + d, int(size)) if int(size) else b"echo:" + d, a)

def udp_ask(addr, port, text, tries=3):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.5)
    for _ in range(int(tries)):
        s.sendto(text.encode(), (addr, int(port)))
        try:
            d, a = s.recvfrom(65535)
        except socket.timeout:
            continue
        out("reply from %s:%d %s" % (a[0], a[1], d.decode(errors="replace")))
        return 0
    out("no reply")
    return 1

def tcp_hold_server(addr, port, secs):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(8)
    end = time.time() + float(secs)
    conns = []
    while time.time() < end:
        s.settimeout(max(0.1, min(0.5, end - time.time())))
        try:
            c, a = s.accept()
            out("accepted %s:%d" % a)
            conns.append(c)
        except socket.timeout:
            pass
    for c in conns:
        c.close()

def tcp_hold_client(addr, port, secs):
    c = socket.create_connection((addr, int(port)), timeout=3)
    out("connected from %s:%d" % c.getsockname())
    time.sleep(float(secs))
    c.close()
    out("closed")

def tcp_probe(addr, port, secs):
    try:
        c = socket.create_connection((addr, int(port)), timeout=float(secs))
    except OSError as e:
        out("failed: %s" % (e,))
        return 1
    out("connected from %s:%d" % c.getsockname())
    c.close()
    return 0

def udp_ports(addr, port, first, count):
    """a datagram from each of COUNT source ports from FIRST on (3 tries
    each) to an udp-echo; prints how many were echoed"""
    back = 0
    for sport in range(int(first), int(first) + int(count)):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", sport))
        s.settimeout(1)
        want = b"echo:%d" % sport
        for _ in range(3):
            s.sendto(want[5:], (addr, int(port)))
            try:
                if s.recvfrom(65535)[0] == want:
                    back += 1
                    break
            except socket.timeout:
                pass
        s.close()
    out(back)

modes = {"udp-echo": udp_echo, "udp-ask": udp_ask, "tcp-hold-server": tcp_hold_server,
         "tcp-hold-client": tcp_hold_client, "tcp-probe": tcp_probe,
         "udp-ports": udp_ports}
sys.exit(modes[sys.argv[1]](*sys.argv[2:]) or 0)
EOF
}

# --- Runs once per offload setting -----------------------------------------
# tests/e2e/run.sh runs the issue-5 files twice, with E2E_OFFLOAD=off and
# E2E_OFFLOAD=on, and E2E_TAG=offload-off / offload-on. With E2E_TAG set,
# the log and work directory are build/e2e/NAME-TAG{.log,/} and every case
# is reported as NAME@TAG, so the two runs' results and files stay apart.
if [ -n "${E2E_TAG:-}" ]; then
	case "$E2E_TAG" in
	*[!A-Za-z0-9._-]*) echo "lib.sh: E2E_TAG '$E2E_TAG': letters, digits, '.', '_', '-' only" >&2; exit 2 ;;
	esac
	E2E_NAME=$E2E_NAME-$E2E_TAG
	WORK=$E2E_ROOT/build/e2e/$E2E_NAME
	LOG=$E2E_ROOT/build/e2e/$E2E_NAME.log
	ok() { _result "ok $1@$E2E_TAG" "$1"; }
	fail() { _result "FAIL $1@$E2E_TAG: $2" "$1"; }
	skip() { _result "SKIP $1@$E2E_TAG: $2" "$1"; }
fi
E2E_OFFLOAD=${E2E_OFFLOAD:-off}	# the lab's veth offloads (lab_up): on|off

# stats_log: masqctl stats into the log, non-zero counters only (for the
# report when a case fails)
stats_log() {
	log "# masqctl stats (non-zero):"
	timeout 5 "$MASQCTL" -s "$SOCK" stats 2>&1 | grep -vE '[[:space:]]0(/[0-9]+)?$' >>"$LOG" || true
}

# wait_listen NODE PROTO ADDR:PORT [TENTHS]: wait (default 5 s) until a
# socket listens there (ss in NODE); true when it does
wait_listen() {
	local ns i n=${4:-50} opt=-tln
	ns=$(nsof "$1") || return 1
	[ "$2" = udp ] && opt=-uln
	for i in $(seq "$n"); do
		timeout 2 ip netns exec "$ns" ss -H "$opt" 2>/dev/null |
			awk '{print $4}' | grep -qxF -- "$3" && return 0
		sleep 0.1
	done
	log "  nothing listens on $2 $3 in $1 after $((n / 10)) s"
	return 1
}

# lab_down, robust: the lab goes down even when the log cannot be written
# (build/ removed while the test ran). The claims and records a killed
# masqd left for the router namespace (/run/masq/NETNS, masqd(8) CRASH
# RECOVERY) go with it: that namespace's inode number may be used again.
lab_down() {
	local ino
	ino=$(ip netns exec "$NS_GW" stat -L -c %i /proc/self/ns/net 2>/dev/null)
	case $ino in '' | *[!0-9]*) ;; *) rm -rf "/run/masq/$ino" ;; esac
	T=30 x "$LAB" down || timeout -k 2 30 "$LAB" down >/dev/null 2>&1
	LAB_IS_UP=0
}

# http_serve_1mb: a 1 MiB random file served by python3 http.server on
# 203.0.113.2:8000 in the wan node (bounded to 60 s); sets $want (its
# sha256) and $HTTP_PID; its log is $WORK/http.out
http_serve_1mb() {
	mkdir -p "$WORK/www"
	head -c 1048576 /dev/urandom >"$WORK/www/1mb.bin"
	want=$(sha256sum <"$WORK/www/1mb.bin" | cut -d' ' -f1)
	bg wan http 60 "$PY" -u -m http.server 8000 --bind 203.0.113.2 --directory "$WORK/www"
	HTTP_PID=$BG_PID
	for _ in $(seq 30); do
		grep -q 'Serving HTTP' "$WORK/http.out" 2>/dev/null && break
		sleep 0.1
	done
}

# --- A LAN host's ordinary work, while a test attacks or loads the router ---
# legit_start SECONDS: from the lan node, for about SECONDS, what a user
# would notice stopping: a ping to 203.0.113.2 every 10 ms (timestamped,
# ping -D), a download of 1 MiB paced by curl to last about SECONDS
# (started before the attack), and a new TCP connection every 20 ms
# (build/tools/connloop to a connloop server on 203.0.113.2:7001). All
# bounded by SECONDS + 20. masqd and the ping run at nice -10, so that
# on a shared machine the gap measures masqd, not who else runs. legit_mark NAME notes a phase's start (e.g.
# "attack"); legit_report, after legit_wait, sets:
#   LEGIT_GAP_BEFORE  longest gap between ping replies before the first
#                     mark, ms (the same run's gap without the attack)
#   LEGIT_GAP_DURING  longest gap from the first mark to the last (or to
#                     the end), ms
#   LEGIT_PINGS       "received/sent"
#   LEGIT_CONN        connloop's line (ok N failed F hung H slow S ...)
#   LEGIT_CONN_BAD    failed + hung connections
#   LEGIT_DL          "ok" when the download arrived whole, else why
# and logs them. Needs http_serve_1mb's server (started here if not).
TOOLS=$E2E_ROOT/build/tools
legit_start() {	# seconds
	local secs=$1 rate
	[ -x "$TOOLS/connloop" ] || { log "build/tools/connloop missing (make tools)"; return 1; }
	[ -n "${HTTP_PID:-}" ] || http_serve_1mb
	bg wan legit-server $((secs + 30)) "$TOOLS/connloop" serve 203.0.113.2 7001 $((secs + 25)) 2
	LEGIT_SRV_PID=$BG_PID
	wait_listen wan tcp 203.0.113.2:7001 || return 1
	: >"$WORK/legit-marks"
	echo "start $(date +%s.%N)" >>"$WORK/legit-marks"
	rate=$((1048576 / (secs > 2 ? secs - 2 : 1)))
	bg lan legit-dl $((secs + 20)) curl -sS --max-time $((secs + 15)) --limit-rate "$rate" \
		-o "$WORK/legit-dl.bin" http://203.0.113.2:8000/1mb.bin
	LEGIT_DL_PID=$BG_PID
	bg lan legit-ping $((secs + 20)) ping -n -D -i 0.01 -W 1 -w "$secs" 203.0.113.2
	LEGIT_PING_PID=$BG_PID
	# the router and the probe have their CPU (on a shared machine other
	# work must not be what the gap measures): nice -10 for both
	[ -n "$MASQD_PID" ] && x renice -n -10 -p "$MASQD_PID"
	sleep 0.1
	x renice -n -10 -p "$(pgrep -P "$LEGIT_PING_PID" | head -n1)"
	bg lan legit-conn $((secs + 20)) "$TOOLS/connloop" run 203.0.113.2 7001 "$secs" 1 20
	LEGIT_CONN_PID=$BG_PID
}

legit_mark() {	# name
	echo "$1 $(date +%s.%N)" >>"$WORK/legit-marks"
}

legit_wait() {	# (and the connloop server goes: the next legit_start's
		# must not find its port taken)
	wait "$LEGIT_PING_PID" "$LEGIT_CONN_PID" "$LEGIT_DL_PID" 2>/dev/null
	stop "$LEGIT_SRV_PID"
	for _ in $(seq 30); do
		wait_listen wan tcp 203.0.113.2:7001 1 || break
		sleep 0.1
	done
}

legit_report() {
	local got line
	line=$("$PY" - "$WORK/legit-ping.out" "$WORK/legit-marks" <<'PYEOF'
import re, sys
ts = [float(m.group(1)) for m in
      (re.match(r'\[(\d+\.\d+)\] \d+ bytes from', l) for l in open(sys.argv[1])) if m]
marks = [float(l.split()[1]) for l in open(sys.argv[2]) if l.strip()]
start = marks[0]
first = marks[1] if len(marks) > 1 else float('inf')
last = marks[-1] if len(marks) > 2 else float('inf')
sent = 0
for l in open(sys.argv[1]):
    m = re.search(r'(\d+) packets transmitted', l)
    if m:
        sent = int(m.group(1))
def gap(lo, hi):
    pts = [lo] + [t for t in ts if lo <= t <= hi] + ([hi] if hi != float('inf') else [])
    if hi == float('inf') and ts:
        pts.append(ts[-1])
    return max((b - a for a, b in zip(pts, pts[1:])), default=0) * 1000
print("%.1f %.1f %d/%d" % (gap(start + 1.0, first), gap(first, last), len(ts), sent))
PYEOF
)
	read -r LEGIT_GAP_BEFORE LEGIT_GAP_DURING LEGIT_PINGS <<<"$line"
	LEGIT_CONN=$(grep '^connloop:' "$WORK/legit-conn.out" | tail -1)
	LEGIT_CONN_BAD=$(echo "$LEGIT_CONN" | awk '{for (i = 1; i < NF; i++) if ($i == "failed" || $i == "hung") s += $(i + 1)} END {print s + 0}')
	got=$(sha256sum <"$WORK/legit-dl.bin" 2>/dev/null | cut -d' ' -f1)
	if [ -n "$got" ] && [ "$got" = "$want" ]; then
		LEGIT_DL=ok
	else
		LEGIT_DL="download incomplete ($(stat -c %s "$WORK/legit-dl.bin" 2>/dev/null || echo 0) of 1048576 bytes; $(head -c 120 "$WORK/legit-dl.out" | tr '\n' ' '))"
	fi
	log "legit: ping gap before ${LEGIT_GAP_BEFORE} ms, during ${LEGIT_GAP_DURING} ms, replies $LEGIT_PINGS; $LEGIT_CONN; download $LEGIT_DL"
}

# legit_cases CONN_CASE DOWNLOAD_CASE PING_CASE: legit_report's figures
# judged, one case each: no new connection failed or hung; the download
# arrived whole; the longest ping gap from the first mark to the last is
# within 20 ms of the one before (a gap of a second would mean forwarding
# stopped)
# legit_gap_ok: the longest ping gap during is within 100 ms of the one
# before. The stalls these tests were written against were 0.7 s to 8 s
# (a full-table listing, a reload in the loop) or a host starved for
# good; on two cores shared with the flood generator, and in CI with
# other builds beside it, scheduling alone has put 20-50 ms on a gap
# (82: 47.8 ms during, 27.7 ms before, a loaded run).
legit_gap_ok() {
	awk -v b="$LEGIT_GAP_BEFORE" -v d="$LEGIT_GAP_DURING" 'BEGIN {exit !(d <= b + 100)}'
}

legit_cases() {
	if [ "$LEGIT_CONN_BAD" = 0 ] && [ -n "$LEGIT_CONN" ]; then
		ok "$1"
	else
		fail "$1" "${LEGIT_CONN:-connloop printed nothing}"
	fi
	if [ "$LEGIT_DL" = ok ]; then
		ok "$2"
	else
		fail "$2" "$LEGIT_DL"
	fi
	if legit_gap_ok; then
		ok "$3"
	else
		fail "$3" "longest gap between replies ${LEGIT_GAP_DURING} ms during, ${LEGIT_GAP_BEFORE} ms before (replies $LEGIT_PINGS)"
	fi
}

# wait_until SECONDS CMD...: CMD again every 0.1 s until it succeeds, for
# SECONDS at most: a poll in place of a fixed sleep for something that
# follows in its own time (masqd noticing a change, say). Its status: 0
# once CMD succeeded, 1 if it never did; the caller checks what it
# asserts afterwards, as before.
wait_until() {	# seconds cmd...
	local end=$(($(date +%s%N) + $1 * 1000000000))
	shift
	until "$@"; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.1
	done
}
