#!/usr/bin/env bash
# tests/e2e/60-reload.sh - SIGHUP re-reads the -c file; the log is capped
#
#   masq-t$$-lan   eth0 192.168.0.2/24, default via 192.168.0.1
#        |         (a TCP client that sends before and after the reload,
#        |          UDP questions)
#   masq-t$$-gw    lan0 192.168.0.1, wan0 203.0.113.1: build/masqd -c FILE
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 (TCP echo :7000, UDP echo :9999)
#
# 0. A FILE with an error on line 2 stops masqd at start (status 1).
# 1. masqd starts with FILE = "set timeout udp 300"; a TCP connection is
#    opened and kept, a UDP flow made.
# 2. FILE becomes "set timeout udp 77 / set ports 61000-65095", SIGHUP:
#    show settings has the new values, both flows are still in conntrack -L
#    and the TCP connection carries more bytes, echoed back whole.
# 3. FILE gets an error on line 3, SIGHUP: the log names FILE:3, show
#    settings is unchanged, masqd runs and forwards.
# 4. FILE gets 25 bad lines and masqd 15 SIGHUPs in a row (over 300 log
#    lines in well under a second): the log says how many lines were
#    suppressed, masqctl stats counts them, masqd answers throughout.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init start_refuses_bad_file masqd_starts_with_file reload_applies_settings \
	reload_keeps_tcp_conntrack reload_keeps_tcp_data reload_keeps_udp_flow \
	bad_reload_names_line bad_reload_changes_nothing bad_reload_still_forwards \
	log_flood_suppressed_line log_flood_suppressed_stat log_flood_responsive \
	sigterm_exit0
e2e_need ping iputils-ping

CONF=$WORK/masq.conf

# A TCP echo server and a client that sends once, waits for a go file,
# then sends 19972 bytes more; each side bounded by its own timeout.
cat >"$WORK/hold.py" <<'EOF'
import os, socket, sys, time

def out(*a):
    print(*a, flush=True)

def echo_server(addr, port, secs):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(4)
    s.settimeout(float(secs))
    c, a = s.accept()
    out("accepted %s:%d" % a)
    c.settimeout(float(secs))
    total = 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        total += len(d)
        c.sendall(d)
    out("closed after %d bytes" % total)

def recv_n(c, n):
    got = b""
    while len(got) < n:
        d = c.recv(n - len(got))
        if not d:
            break
        got += d
    return got

def client(addr, port, go, secs):
    c = socket.create_connection((addr, int(port)), timeout=5)
    out("connected from %s:%d" % c.getsockname())
    c.sendall(b"before\n")
    out("before echo %r" % recv_n(c, 7))
    end = time.time() + float(secs)
    while not os.path.exists(go) and time.time() < end:
        time.sleep(0.05)
    if not os.path.exists(go):
        out("no go")
        return 1
    data = bytes(range(256)) * 78 + b"tail"
    c.sendall(data)
    got = recv_n(c, len(data))
    out("after echo %d bytes %s" % (len(got), "same" if got == data else "DIFFERENT"))
    c.close()
    return 0

modes = {"echo-server": echo_server, "client": client}
sys.exit(modes[sys.argv[1]](*sys.argv[2:]) or 0)
EOF

lab_up || exit 1

# settings: show settings, one line (but reload-last: when, not what)
settings() { mctl show settings | grep -v '^reload-last ' | tr -s ' ' | tr '\n' ';'; }

# hup_and_wait WHAT: SIGHUP masqd, wait (3 s) for a log line with WHAT
hup_and_wait() {
	local n i
	n=$(grep -c "$1" "$WORK/masqd.log")
	log "+ kill -HUP $MASQD_PID (masqd)"
	kill -HUP "$MASQD_PID"
	for i in $(seq 30); do
		[ "$(grep -c "$1" "$WORK/masqd.log")" -gt "$n" ] && return 0
		sleep 0.1
	done
	log "  no '$1' in masqd's log 3 s after SIGHUP"
	return 1
}

udp_ask() {	# text: true when the echo comes back
	ono lan "$PY" -u "$WORK/tool.py" udp-ask 203.0.113.2 9999 "$1" |
		grep -qx "reply from 203.0.113.2:9999 echo:$1"
}

# --- 0. a bad file stops the start, naming its line -------------------------
printf 'set timeout udp 300\nset ports 9-8\n' >"$CONF"
log "+ ip netns exec $NS_GW $MASQD ${MASQD_ARGS[*]} -c $CONF -s $SOCK -f   (must refuse)"
timeout -k 1 5 ip netns exec "$NS_GW" "$MASQD" "${MASQD_ARGS[@]}" -c "$CONF" \
	-s "$SOCK" -f >"$WORK/refuse.out" 2>&1
rc=$?
log "  status $rc: $(tr '\n' ' ' <"$WORK/refuse.out")"
if [ $rc -eq 1 ] && grep -qF "$CONF:2: 'set ports 9-8'" "$WORK/refuse.out"; then
	ok start_refuses_bad_file
else
	fail start_refuses_bad_file "status $rc: $(head -c 300 "$WORK/refuse.out" | tr '\n' ' ')"
fi

# --- 1. start with the file ----------------------------------------------
printf '# 60-reload: first version\nset timeout udp 300\n' >"$CONF"
if masqd_start -c "$CONF" && settings | grep -q 'timeout udp 300;'; then
	ok masqd_starts_with_file
else
	fail masqd_starts_with_file "masqd did not start with $CONF or ignored it ($(tail -n 2 "$WORK/masqd.log" | tr '\n' ' '))"
	ABORT_WHY="masqd did not start"
	exit 1
fi
warm lan 203.0.113.2 || log "warm-up pings unanswered"

bg wan echo 40 "$PY" -u "$WORK/hold.py" echo-server 203.0.113.2 7000 35
wait_listen wan tcp 203.0.113.2:7000 || true
bg wan udpecho 40 "$PY" -u "$WORK/tool.py" udp-echo 203.0.113.2 9999 35
wait_listen wan udp 203.0.113.2:9999 || true
rm -f "$WORK/go"
bg lan client 40 "$PY" -u "$WORK/hold.py" client 203.0.113.2 7000 "$WORK/go" 30
CLI_PID=$BG_PID
for _ in $(seq 30); do grep -q 'before echo' "$WORK/client.out" && break; sleep 0.1; done
udp_ask flow-1 || log "the first UDP question got no answer"
log "client: $(tr '\n' ' ' <"$WORK/client.out")"
mctl conntrack -L >/dev/null

# --- 2. a good reload ------------------------------------------------------
printf '# 60-reload: second version\nset timeout udp 77\nset ports 61000-65095\n' >"$CONF"
if hup_and_wait 'reloaded'; then
	s=$(settings)
	if echo "$s" | grep -q 'timeout udp 77;' && echo "$s" | grep -q 'ports 61000-65095;'; then
		ok reload_applies_settings
	else
		fail reload_applies_settings "show settings: $s"
	fi
else
	fail reload_applies_settings "no 'reloaded' line: $(tail -n 3 "$WORK/masqd.log" | tr '\n' ' ')"
fi
ct=$(mctl conntrack -L)
if echo "$ct" | grep -E '^tcp ' | grep -q 'ESTABLISHED.*dport=7000'; then
	ok reload_keeps_tcp_conntrack
else
	fail reload_keeps_tcp_conntrack "no established TCP :7000 in conntrack -L: $(echo "$ct" | tr '\n' ' ')"
fi
if echo "$ct" | grep -E '^udp ' | grep -q 'dport=9999'; then
	ok reload_keeps_udp_flow
else
	fail reload_keeps_udp_flow "no UDP :9999 in conntrack -L: $(echo "$ct" | tr '\n' ' ')"
fi
touch "$WORK/go"
for _ in $(seq 50); do grep -qE 'after echo|no go' "$WORK/client.out" && break; sleep 0.1; done
stop "$CLI_PID"
log "client: $(tr '\n' ' ' <"$WORK/client.out")"
if grep -q 'after echo 19972 bytes same' "$WORK/client.out"; then
	ok reload_keeps_tcp_data
else
	fail reload_keeps_tcp_data "client: $(tr '\n' ' ' <"$WORK/client.out")"
fi

# --- 3. a reload with an error on line 3 ---------------------------------
before=$(settings)
printf '# 60-reload: broken\nset timeout udp 55\nset timeout bogus 5\nset ports 2000-3000\n' >"$CONF"
if hup_and_wait 'not reloaded'; then
	if grep -qF "$CONF:3:" "$WORK/masqd.log"; then
		ok bad_reload_names_line
	else
		fail bad_reload_names_line "no '$CONF:3:' in the log: $(tail -n 3 "$WORK/masqd.log" | tr '\n' ' ')"
	fi
else
	fail bad_reload_names_line "no 'not reloaded' line: $(tail -n 3 "$WORK/masqd.log" | tr '\n' ' ')"
fi
after=$(settings)
if [ -n "$before" ] && [ "$before" = "$after" ]; then
	ok bad_reload_changes_nothing
else
	fail bad_reload_changes_nothing "before: $before after: $after"
fi
if ! gone "$MASQD_PID" && udp_ask flow-2 && on lan ping -n -c 2 -i 0.2 -W 1 203.0.113.2; then
	ok bad_reload_still_forwards
else
	fail bad_reload_still_forwards "masqd gone or traffic not forwarded"
fi

# --- 4. a log flood ----------------------------------------------------------
{ echo '# 60-reload: 25 bad lines'; for i in $(seq 25); do echo "bogus-$i"; done; } >"$CONF"
log "+ 15 x kill -HUP $MASQD_PID, 20 ms apart"
slow=0
for i in $(seq 15); do
	kill -HUP "$MASQD_PID"
	sleep 0.02
	if [ $((i % 5)) -eq 0 ]; then
		t0=$(date +%s%N)
		mctl stats >/dev/null || slow=1
		t1=$(date +%s%N)
		[ $(((t1 - t0) / 1000000)) -lt 1000 ] || slow=1
	fi
done
for _ in $(seq 40); do grep -q 'log lines suppressed' "$WORK/masqd.log" && break; sleep 0.1; done
if line=$(grep -m1 'log lines suppressed' "$WORK/masqd.log"); then
	log "log: $line"
	ok log_flood_suppressed_line
else
	fail log_flood_suppressed_line "no 'log lines suppressed' line after $(grep -c 'bogus-' "$WORK/masqd.log") bogus lines were logged"
fi
n=$(mctl stats | awk '$1 == "masqd_log_suppressed" { print $2 }')
if [ -n "$n" ] && [ "$n" -gt 0 ]; then
	ok log_flood_suppressed_stat
else
	fail log_flood_suppressed_stat "masqd_log_suppressed is '${n:-missing}'"
fi
if [ $slow -eq 0 ] && ! gone "$MASQD_PID" && udp_ask flow-3; then
	ok log_flood_responsive
else
	fail log_flood_responsive "masqctl slow or failing ($slow), or masqd gone, or UDP not forwarded"
fi

masqd_stop
rc=$?
[ $rc -eq 0 ] && ok sigterm_exit0 || fail sigterm_exit0 "exit status $rc"
