#!/usr/bin/env bash
# tests/e2e/66-restore-while-forwarding.sh - a 10,000-rule iptables-restore
# is built on masqd's worker thread while packets flow
#
#   masq-t$$-lan   eth0 192.168.0.2/24 (curl, rate-limited)
#        |
#   masq-t$$-gw    lan0 192.168.0.1 / wan0 203.0.113.1  <-- build/masqd -c FILE
#        |
#   masq-t$$-wan   eth0 203.0.113.2 (python3 http.server, a 1 MiB file)
#
# The rulesets: masqd's default (iptables-save) plus 10,000 FORWARD rules
# that match nothing (-s 172.NET.x.y/32 -p tcp --dport N -j DROP), so the
# lab keeps working. Three of them, NET 16, 17 and 18.
#
# 1. A download (curl --limit-rate, about 2 s) runs while the first ruleset
#    is restored through masqctl: the file arrives whole (sha256), the
#    restore says 0, iptables-save then shows the 10,000 rules and masqctl
#    stats counts the change as a job.
# 2. A client (ctl.py, the wire protocol of control/proto.h) sends the
#    second ruleset, waits until masqd has read every byte of it (the
#    socket's SIOCOUTQ is 0: masqd dispatched it in the same step), then a
#    second client asks for iptables-save: its answer comes after the
#    restore's (the restore's reply is already there when it arrives) and
#    shows the new ruleset. No timing is asserted: the order holds however
#    fast the job is.
# 3. The same with the third ruleset and a SIGHUP instead of the second
#    client: the restore is answered, the -c file reloaded, masqd runs.
# 4. The same with SIGTERM: masqd finishes the job, answers the restore and
#    exits 0.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init restore_during_download restore_applied_as_job \
	queued_command_answered_after sighup_during_job_deferred \
	sigterm_during_job_exit0
e2e_need curl curl

CONF=$WORK/masq.conf
echo "set timeout udp 301" >"$CONF"

# ctl.py: masqd's control protocol, enough for this test; every wait bounded
cat >"$WORK/ctl.py" <<'EOF'
import array, fcntl, os, select, signal, socket, struct, sys, termios, time

MAGIC = 0x4d514331

def out(*a):
    print(*a, flush=True)

def request(words):
    body = struct.pack(">I", len(words))
    for w in words:
        body += struct.pack(">I", len(w)) + w
    return struct.pack(">IHHI", MAGIC, 2, 1, len(body)) + body

def recv_exact(s, n, end):
    b = b""
    while len(b) < n:
        s.settimeout(max(0.01, end - time.time()))
        d = s.recv(n - len(b))
        if not d:
            raise EOFError("connection closed")
        b += d
    return b

def reply(s, secs=10):
    """The answer: reply parts (kind 3), then the reply (kind 2)"""
    end = time.time() + secs
    text = b""
    while True:
        magic, ver, kind, blen = struct.unpack(">IHHI", recv_exact(s, 12, end))
        body = recv_exact(s, blen, end)
        if kind != 3:
            break
        text += body
    text += body[4:]
    return struct.unpack(">I", body[:4])[0], text.decode(errors="replace")

def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    return s

def send_all_read(path, text):
    """Send an iptables-restore and wait until masqd has read all of it"""
    a = connect(path)
    a.sendall(request([b"iptables-restore", text]))
    end = time.time() + 10
    q = array.array("i", [0])
    while time.time() < end:
        fcntl.ioctl(a.fileno(), termios.TIOCOUTQ, q)	# SIOCOUTQ
        if q[0] == 0:
            return a
        time.sleep(0.0005)
    raise TimeoutError("masqd did not read the request")

def order(path, rules, pattern):
    a = send_all_read(path, open(rules, "rb").read())
    b = connect(path)
    b.sendall(request([b"iptables-save"]))
    st_b, text_b = reply(b)
    a_first = bool(select.select([a], [], [], 0)[0])
    st_a, text_a = reply(a)
    n = sum(1 for l in text_b.splitlines() if l.startswith(pattern))
    out("restore status %d %r" % (st_a, text_a[:200]))
    out("save status %d, %d rules matching %r" % (st_b, n, pattern))
    out("restore answered first" if a_first else "save answered first")

def signal_during(path, rules, pid, sig):
    a = send_all_read(path, open(rules, "rb").read())
    os.kill(int(pid), getattr(signal, sig))
    st, text = reply(a)
    out("restore status %d %r" % (st, text[:200]))

def ruleset(base, net, n):
    """base iptables-save text with n FORWARD rules added before COMMIT"""
    lines, table, done = [], None, False
    for l in open(base).read().splitlines():
        if l.startswith("*"):
            table = l[1:]
        if l == "COMMIT" and table == "filter" and not done:
            for i in range(int(n)):
                lines.append("-A FORWARD -s 172.%s.%d.%d/32 -p tcp --dport %d -j DROP"
                             % (net, i // 250, i % 250 + 1, 1024 + i))
            done = True
        lines.append(l)
    out("\n".join(lines))

modes = {"order": order, "signal-during": signal_during, "ruleset": ruleset}
sys.exit(modes[sys.argv[1]](*sys.argv[2:]) or 0)
EOF
ctl() { T=30 xo "$PY" "$WORK/ctl.py" "$@"; }

lab_up || exit 1
if ! masqd_start -c "$CONF"; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
mctl iptables-save >"$WORK/base.rules"
for net in 16 17 18; do
	"$PY" "$WORK/ctl.py" ruleset "$WORK/base.rules" $net 10000 >"$WORK/$net.rules"
done
log "# rulesets: $(wc -l "$WORK"/*.rules | tail -n 1)"
# count NET: rules of that ruleset in masqd's iptables-save (not logged: big)
count() {
	timeout 10 "$MASQCTL" -s "$SOCK" iptables-save 2>>"$LOG" |
		grep -c "^-A FORWARD -s 172\.$1\." || true
}

# 1. a download across the restore
http_serve_1mb
warm lan 203.0.113.2 || log "  no ping answer before the download"
log "+ [bg] curl --limit-rate 512k http://203.0.113.2:8000/1mb.bin"
timeout -k 2 30 ip netns exec "$NS_LAN" curl -s --max-time 25 --limit-rate 512k \
	-o "$WORK/got.bin" http://203.0.113.2:8000/1mb.bin 2>>"$LOG" &
CURL_PID=$!
BG_PIDS+=("$CURL_PID")
sleep 0.5	# into the download; the assertions hold either way
log "+ masqctl iptables-restore <16.rules"
T=30 x "$MASQCTL" -s "$SOCK" iptables-restore <"$WORK/16.rules"
rst=$?
wait "$CURL_PID"
crc=$?
got=$(sha256sum <"$WORK/got.bin" 2>/dev/null | cut -d' ' -f1)
if [ $rst -eq 0 ] && [ $crc -eq 0 ] && [ "$got" = "$want" ]; then
	ok restore_during_download
else
	fail restore_during_download "restore status $rst, curl status $crc, sha256 ${got:-none} (want $want)"
fi
stop "$HTTP_PID"

n=$(count 16)
jobs=$(mctl stats | awk '$1 == "masqd_control_jobs" { print $2 }')
if [ "$n" = 10000 ] && [ "${jobs:-0}" -ge 1 ] && warm lan 203.0.113.2; then
	ok restore_applied_as_job
else
	fail restore_applied_as_job "iptables-save shows $n of the 10000 rules, masqd_control_jobs ${jobs:-none}, or no ping through"
fi

# 2. a second client during the job is answered after it
res=$(ctl order "$SOCK" "$WORK/17.rules" "-A FORWARD -s 172.17.")
if grep -q '^restore status 0 ' <<<"$res" &&
	grep -q '^save status 0, 10000 rules' <<<"$res" &&
	grep -q '^restore answered first' <<<"$res" && [ "$(count 17)" = 10000 ]; then
	ok queued_command_answered_after
else
	fail queued_command_answered_after "$(tr '\n' ' ' <<<"${res:-no output from ctl.py}")"
fi

# 3. SIGHUP during a job: the reload waits for it
echo "set timeout udp 302" >"$CONF"
res=$(ctl signal-during "$SOCK" "$WORK/18.rules" "$MASQD_PID" SIGHUP)
for _ in $(seq 20); do
	grep -q 'SIGHUP: .* reloaded' "$WORK/masqd.log" && break
	sleep 0.1
done
if grep -q '^restore status 0 ' <<<"$res" && [ "$(count 18)" = 10000 ] &&
	grep -q 'SIGHUP: .* reloaded' "$WORK/masqd.log" &&
	mctl show settings | tr -s ' ' | tr '\n' ';' | grep -q 'timeout udp 302;'; then
	ok sighup_during_job_deferred
else
	fail sighup_during_job_deferred "$(tr '\n' ' ' <<<"${res:-no output from ctl.py}"), $(grep -c 'SIGHUP' "$WORK/masqd.log") SIGHUP lines in the log"
fi

# 4. SIGTERM during a job: finished, answered, exit 0
res=$(ctl signal-during "$SOCK" "$WORK/16.rules" "$MASQD_PID" SIGTERM)
pid=$MASQD_PID
for _ in $(seq 50); do
	gone "$pid" && break
	sleep 0.1
done
if gone "$pid"; then
	wait "$pid"
	rc=$?
	MASQD_PID=
else
	rc="still running 5 s after SIGTERM"
fi
log "  masqd: $rc"
if grep -q '^restore status 0 ' <<<"$res" && [ "$rc" = 0 ]; then
	ok sigterm_during_job_exit0
else
	fail sigterm_during_job_exit0 "masqd exit $rc; $(tr '\n' ' ' <<<"${res:-no output from ctl.py}")"
fi
exit 0
