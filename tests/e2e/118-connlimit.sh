#!/usr/bin/env bash
# tests/e2e/118-connlimit.sh - -m connlimit caps one host's concurrent TCP
# connections; with one engine and with --workers 2 (a host's connections
# land on both workers: the count is over both)
#
#   masq-t$$-lan   eth0 192.168.0.2/24 --+   two held connections, then a
#                                        |   third, then one after the
#                                        |   first closed
#   masq-t$$-lan2  eth0 192.168.0.3/24 --+   one connection meanwhile
#                                        +-- br0 in masq-t$$-sw
#   masq-t$$-gw    lan0 192.168.0.1 -----+   build/masqd, FORWARD:
#                  wan0 203.0.113.1          -p tcp --syn -m connlimit
#        |                                   --connlimit-above 2
#        |                                   -j REJECT --reject-with tcp-reset
#   masq-t$$-wan   eth0 203.0.113.2/24    a TCP server on :7000 that closes
#                                         each connection when its client does
#
# The third connection of 192.168.0.2 is refused (a reset) while its first
# two stay up (both listed by masq -L); 192.168.0.3 connects meanwhile;
# once the first closed, a new one from 192.168.0.2 is accepted.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init connlimit_third_refused connlimit_first_two_up \
	connlimit_other_host connlimit_after_close connlimit_listed \
	connlimit_workers_third_refused connlimit_workers_first_two_up \
	connlimit_workers_other_host connlimit_workers_after_close
e2e_need python3 python3

RULE=(-p tcp --syn -m connlimit --connlimit-above 2 -j REJECT
      --reject-with tcp-reset)

cat >"$WORK/server.py" <<'EOF'
"""accept on ADDR:PORT for SECS; close each connection when its peer does"""
import socket, sys, threading, time
addr, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
def serve(c):
    c.settimeout(secs)
    try:
        while c.recv(1024):
            pass
    except OSError:
        pass
    c.close()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(16)
s.settimeout(0.2)
print("listening", flush=True)
end = time.time() + secs
while time.time() < end:
    try:
        c, a = s.accept()
    except socket.timeout:
        continue
    print("accepted %s:%d" % a, flush=True)
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF

# held NODE NAME SECONDS: a connection to the server held SECONDS, in the
# background ($BG_PID); waits until it is up; false when it is not
held() {
	bg "$1" "$2" $(($3 + 5)) "$PY" -u "$WORK/tool.py" tcp-hold-client 203.0.113.2 7000 "$3"
	wait_until 4 grep -q connected "$WORK/$2.out"
}

# round TAG: "" for one engine, "workers_" for two
round() {
	local tag=$1 n
	mctl iptables -I FORWARD 1 "${RULE[@]}" >/dev/null
	warm lan 203.0.113.2
	warm lan2 203.0.113.2
	bg wan server 40 "$PY" -u "$WORK/server.py" 203.0.113.2 7000 35
	local srv=$BG_PID
	wait_until 3 grep -q listening "$WORK/server.out"
	held lan "${tag}first" 8 || log "the first connection did not open"
	local first=$BG_PID
	held lan "${tag}second" 20 || log "the second connection did not open"
	local second=$BG_PID
	if ono lan "$PY" -u "$WORK/tool.py" tcp-probe 203.0.113.2 7000 3 |
		grep -q 'failed: .*refused'; then
		ok "connlimit_${tag}third_refused"
	else
		fail "connlimit_${tag}third_refused" "192.168.0.2's third connection was not refused: $(tail -1 "$LOG")"
	fi
	# established ones: hours to expire (closed ones, a round's before
	# among them when masqd kept its table over the restart: minutes)
	n=$(mctl masq -L -n | grep -E '\b7000\b' | grep -E '192\.168\.0\.2\b' |
		awk '{split($2, t, ":"); if (t[1] + 0 >= 10) n++} END {print n + 0}')
	if [ "$n" = 2 ] && ! grep -q closed "$WORK/${tag}first.out"; then
		ok "connlimit_${tag}first_two_up"
	else
		fail "connlimit_${tag}first_two_up" "masq -L -n lists $n established connections of 192.168.0.2 to port 7000, want 2"
	fi
	if ono lan2 "$PY" -u "$WORK/tool.py" tcp-probe 203.0.113.2 7000 3 |
		grep -q connected; then
		ok "connlimit_${tag}other_host"
	else
		fail "connlimit_${tag}other_host" "192.168.0.3 could not connect"
	fi
	wait "$first"
	sleep 0.5
	if grep -q closed "$WORK/${tag}first.out" &&
		ono lan "$PY" -u "$WORK/tool.py" tcp-probe 203.0.113.2 7000 3 |
		grep -q connected; then
		ok "connlimit_${tag}after_close"
	else
		fail "connlimit_${tag}after_close" "after its first connection closed, 192.168.0.2 still could not connect"
	fi
	stop "$second"
	stop "$srv"
}

lab_up --lan2 || exit 1
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
round ""
listing=$(mctl iptables -L FORWARD -n)
if echo "$listing" | grep -q '#conn src/32 > 2 reject-with tcp-reset'; then
	ok connlimit_listed
else
	fail connlimit_listed "iptables -L FORWARD -n: $(echo "$listing" | tr '\n' ' ')"
fi
stats_log
masqd_stop >/dev/null

if [ "$(nproc)" -lt 2 ]; then
	skip_all "one CPU: --workers 2 is refused"
fi
if ! masqd_start --workers 2; then
	ABORT_WHY="masqd --workers 2 did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
round "workers_"
stats_log
