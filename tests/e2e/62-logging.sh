#!/usr/bin/env bash
# tests/e2e/62-logging.sh - logging never stops the router
#
#   masq-t$$-lan   eth0 192.168.0.2/24, default via 192.168.0.1 (ping)
#        |
#   masq-t$$-gw    lan0 192.168.0.1, wan0 203.0.113.1: build/masqd -f,
#        |         with "iptables -I FORWARD -j LOG": a line per packet
#   masq-t$$-wan   eth0 203.0.113.2/24
#
# 1. A stuck log. masqd's stderr is a FIFO whose reader (this script's
#    fd 3) never reads, its pipe shrunk to one page, so masqd's writes
#    block within a few lines. The lan host pings through masqd for 3 s
#    (300 echoes, two LOG lines each: more than twice the 256 lines
#    masqd's ring for them holds): every echo is answered, the pipe
#    is full throughout, masqctl answers, and masqctl stats counts LOG
#    lines suppressed and lines that found the queue full. SIGTERM: masqd
#    exits 0 within 3 s although its stderr is still stuck.
# 2. A LOG flood. masqd logs to a file; the lan host flood-pings (ping
#    -f: the next echo as soon as the reply is back; two LOG lines each,
#    thousands a second, many times the LOG rules' cap). During the
#    flood a SIGHUP without a -c file makes masqd log its warning
#    "SIGHUP: no -c file was given": the line is in the log within 3 s,
#    while LOG lines are being capped (masqd_log_suppressed_rules grows
#    meanwhile; "log lines suppressed (LOG rules: ...)" is logged) and
#    none of masqd's own lines is lost (masqd_log_suppressed_daemon 0).
#    Every echo is answered.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init stuck_log_pings_answered stuck_log_pipe_full stuck_log_counted \
	stuck_log_sigterm_exit0 flood_daemon_line_logged flood_rules_capped \
	flood_daemon_lines_kept flood_pings_answered
e2e_need ping iputils-ping

# pipe.py: the FIFO's pipe, through this script's fd 3 (read-write)
cat >"$WORK/pipe.py" <<'EOF'
import fcntl, os, struct, sys, termios

F_SETPIPE_SZ, F_GETPIPE_SZ = 1031, 1032
fd = 3
if sys.argv[1] == "shrink":		# to one page
    print(fcntl.fcntl(fd, F_SETPIPE_SZ, 4096))
elif sys.argv[1] == "fill":		# "QUEUED SIZE"
    q = struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0]
    print(q, fcntl.fcntl(fd, F_GETPIPE_SZ))
elif sys.argv[1] == "drain":		# what is queued, to stdout
    os.set_blocking(fd, False)
    while True:
        try:
            d = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not d:
            break
        sys.stdout.buffer.write(d)
EOF

# stat NAME: one masqctl stats counter
stat() { mctl stats | awk -v n="$1" '$1 == n { print $2 }'; }

# pings FILE COUNT: true when ping's summary in FILE says all COUNT came back
pings_all_back() {
	grep -q "^$2 packets transmitted, $2 received" "$1"
}

lab_up || exit 1

# --- 1. a stuck log ---------------------------------------------------------
FIFO=$WORK/stderr.fifo
mkfifo "$FIFO"
exec 3<>"$FIFO"		# a reader that never reads (and keeps it open)
log "pipe size now $($PY "$WORK/pipe.py" shrink 2>&1)"
if ! MASQD_OUT=$FIFO masqd_start; then
	ABORT_WHY="masqd did not start with its stderr on a FIFO"
	exit 1
fi
mctl iptables -I FORWARD -j LOG >/dev/null
warm lan 203.0.113.2 || log "warm-up pings unanswered"
T=20 ono lan ping -n -q -c 300 -i 0.01 -W 2 203.0.113.2 >"$WORK/ping1.out"
fill=$($PY "$WORK/pipe.py" fill)
log "pipe: $fill bytes queued / size"
if pings_all_back "$WORK/ping1.out" 300; then
	ok stuck_log_pings_answered
else
	fail stuck_log_pings_answered "$(grep transmitted "$WORK/ping1.out")"
fi
read -r queued size <<<"$fill"
if [ -n "$size" ] && [ "$size" -gt 0 ] && [ "$queued" -ge $((size - 600)) ]; then
	ok stuck_log_pipe_full
else
	fail stuck_log_pipe_full "the pipe holds '$queued' of '$size' bytes: masqd's stderr was not stuck"
fi
t0=$(date +%s%N)
supp=$(stat masqd_log_suppressed_rules)
full=$(stat masqd_log_queue_full)
ms=$((($(date +%s%N) - t0) / 1000000))
stats_log
if [ "${supp:-0}" -gt 0 ] && [ "${full:-0}" -gt 0 ] && [ $ms -lt 2000 ]; then
	ok stuck_log_counted
else
	fail stuck_log_counted "masqd_log_suppressed_rules '${supp:-}', masqd_log_queue_full '${full:-}', stats took ${ms} ms"
fi
t0=$(date +%s%N)
log "+ kill -TERM $MASQD_PID (masqd, stderr stuck)"
kill -TERM "$MASQD_PID"
for _ in $(seq 30); do gone "$MASQD_PID" && break; sleep 0.1; done
ms=$((($(date +%s%N) - t0) / 1000000))
if gone "$MASQD_PID"; then
	wait "$MASQD_PID"
	rc=$?
	MASQD_PID=
	log "  masqd exited with status $rc after $ms ms"
	[ $rc -eq 0 ] && ok stuck_log_sigterm_exit0 ||
		fail stuck_log_sigterm_exit0 "exit status $rc"
else
	fail stuck_log_sigterm_exit0 "still running $ms ms after SIGTERM"
	kill -9 "$MASQD_PID" 2>/dev/null
	wait "$MASQD_PID" 2>/dev/null
	MASQD_PID=
fi
$PY "$WORK/pipe.py" drain >"$WORK/stuck.log" 2>&1
exec 3>&-
log "what got through the stuck pipe ($WORK/stuck.log): $(wc -l <"$WORK/stuck.log") lines"

# --- 2. a LOG flood --------------------------------------------------------
if ! masqd_start; then
	ABORT_WHY="masqd did not start"
	exit 1
fi
mctl iptables -I FORWARD -j LOG >/dev/null
warm lan 203.0.113.2 || log "warm-up pings unanswered"
bg lan ping2 30 ping -n -q -f -c 100000 -W 2 203.0.113.2
PING_PID=$BG_PID
for _ in $(seq 50); do		# until the flood's lines come
	grep -q 'SRC=' "$WORK/masqd.log" && break
	sleep 0.1
done
sleep 0.5			# the cap bites in the first ms of a second
supp0=$(stat masqd_log_suppressed_rules)
log "+ kill -HUP $MASQD_PID (masqd, no -c file); LOG lines suppressed so far: $supp0"
kill -HUP "$MASQD_PID"
found=0
for _ in $(seq 30); do
	grep -q 'SIGHUP: no -c file was given' "$WORK/masqd.log" && found=1 && break
	sleep 0.1
done
supp=$(stat masqd_log_suppressed_rules)
log "  the SIGHUP line logged: $found; LOG lines suppressed now: $supp"
if [ $found = 1 ] && [ "${supp:-0}" -gt "${supp0:-0}" ]; then
	ok flood_daemon_line_logged
else
	fail flood_daemon_line_logged "no 'SIGHUP: no -c file' line within 3 s ($found), or LOG lines were not being capped meanwhile (suppressed $supp0 -> $supp)"
fi
wait "$PING_PID"
for _ in $(seq 20); do
	grep -q 'log lines suppressed (LOG rules' "$WORK/masqd.log" && break
	sleep 0.1
done
if [ "${supp:-0}" -gt 0 ] && grep -q 'log lines suppressed (LOG rules' "$WORK/masqd.log"; then
	ok flood_rules_capped
else
	fail flood_rules_capped "masqd_log_suppressed_rules '${supp:-}' when the SIGHUP line came; no 'log lines suppressed (LOG rules' line"
fi
d=$(stat masqd_log_suppressed_daemon)
stats_log
if [ "$d" = 0 ]; then
	ok flood_daemon_lines_kept
else
	fail flood_daemon_lines_kept "masqd_log_suppressed_daemon '$d'"
fi
if pings_all_back "$WORK/ping2.out" 100000; then
	ok flood_pings_answered
else
	fail flood_pings_answered "$(grep transmitted "$WORK/ping2.out")"
fi
masqd_stop || log "masqd_stop: status $?"
