#!/usr/bin/env bash
# tests/e2e/110-workers-restart.sh - restarts that keep connections with
# masqd --workers N: the state file holds every worker's connections and
# the successor puts each on the worker that owns it under its own count
#
#   masq-t$$-lan   eth0 192.168.0.2/24: four TCP connections, each echoing
#        |         4 bytes every 100 ms (source ports B, B+2, B+4, B+6)
#        |         and four UDP flows, a datagram every 50 ms (ports
#        |         B+1000 .. B+1006): ports by pairs, so both workers'
#        |         slices ((p >> 1) % 2) hold two of each; B is 41000,
#        |         41100, 41200 for the three restarts
#   masq-t$$-gw    build/masqd --workers A; SIGUSR2 while the flows run,
#        |         the successor started with --workers B
#   masq-t$$-wan   eth0 203.0.113.2/24: a TCP echo server and a UDP sink,
#                  each logging the source address:port it sees
#
# and, DNATed from outside, six slow downloads (300 KiB at 100 KiB/s)
# from 203.0.113.2 and .3 through 203.0.113.1:8080 (a plain nat
# PREROUTING DNAT, which steering knows: hash(remote) both ways), :8081
# and :8083 (the same DNAT in a user chain, which it does not: the
# client's segments go by slice(port), 0 and 1 of 2, so one of the two
# differs from the reply's hash(remote) whatever the remote) to a web
# server at 192.168.0.2:8000; the rules come from masqd -c, so both
# masqds have them.
#
# For (A, B) = (2, 2), (2, 1), (1, 2) (the downloads when B = 2): every
# held connection goes on without a reset, every byte echoed, and every
# flow is seen by the server from one external port, its own (kept with
# two workers: the slice of its port is its worker's); UDP datagrams
# sent after the restart arrive; every download arrives whole (sha256:
# a connection DNATed from outside is restored on the worker its
# client's segments reach; on its reply's worker, as before the fix,
# 8081's or 8083's stalled for each remote); masqd logs "restart: 14
# connections ... restored (0 skipped)" (8 without the downloads). The flows run 8 s,
# the restart after about 1 s (a held connection waits 10 s for its
# echo: the gap is seconds on a busy machine). Without root, or with
# one CPU: SKIP.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init wrestart_2_to_2 wrestart_2_to_1 wrestart_1_to_2

if [ "$(nproc)" -lt 2 ]; then
	skip_all "one CPU: --workers 2 is refused (more workers than CPUs)"
fi

lab_up || exit 1

NETNS=$(ip netns exec "$NS_GW" stat -L -c %i /proc/self/ns/net)
RECDIR=/run/masq/$NETNS
trap 'rm -rf "$RECDIR"; e2e_cleanup' EXIT

SECS=8
REMOTES="2 3"	# 203.0.113.N: the downloads' clients
DL_PORTS="8080 8081 8083"
for r in $REMOTES; do
	[ "$r" = 2 ] || on wan ip addr add "203.0.113.$r/24" dev eth0
done
# the clients' receive window small (64 KiB at most): a download whose
# client's segments are lost stalls at once, not after the server has
# sent what a large window lets it (the file's rest, unacknowledged)
on wan sysctl -qw net.ipv4.tcp_rmem="4096 32768 65536"
mkdir -p "$WORK/www"
head -c 307200 /dev/urandom >"$WORK/www/f.bin"
WANT=$(sha256sum <"$WORK/www/f.bin" | cut -d' ' -f1)
bg lan http 80 "$PY" -u -m http.server 8000 --bind 192.168.0.2 --directory "$WORK/www"
wait_listen lan tcp 192.168.0.2:8000 || log "(the web server did not start)"
# (the file writes nat, so nat is the file's alone: masq.conf(5))
cat >"$WORK/masq.conf" <<'EOF'
iptables -t nat -A POSTROUTING -o wan0 -j MASQUERADE
iptables -t nat -A PREROUTING -i wan0 -p tcp --dport 8080 -j DNAT --to-destination 192.168.0.2:8000
iptables -t nat -N fwds
iptables -t nat -A PREROUTING -i wan0 -j fwds
iptables -t nat -A fwds -p tcp --dport 8081 -j DNAT --to-destination 192.168.0.2:8000
iptables -t nat -A fwds -p tcp --dport 8083 -j DNAT --to-destination 192.168.0.2:8000
EOF
cat >"$WORK/peers.py" <<'EOF'
"""108's traffic: server (wan side), clients (lan side)"""
import socket, socketserver, sys, threading, time

LOCK = threading.Lock()

def out(line):		# whole lines: the threads write at once
    with LOCK:
        print(line, flush=True)

def server(secs):
    end = time.time() + secs

    def udp():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", 9999))
        s.settimeout(0.5)
        while time.time() < end:
            try:
                d, a = s.recvfrom(2048)
            except socket.timeout:
                continue
            out("udp %s:%d %s" % (a[0], a[1], d.decode()))
    threading.Thread(target=udp, daemon=True).start()

    class Echo(socketserver.BaseRequestHandler):
        def handle(self):
            c, a = self.request, self.client_address
            out("hold from %s:%d" % a)
            c.settimeout(max(end - time.time(), 0.1))
            try:
                while d := c.recv(4096):
                    c.sendall(d)
            except Exception as e:
                out("hold error %r from %s:%d" % (e, a[0], a[1]))
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    socketserver.ThreadingTCPServer.daemon_threads = True
    srv = socketserver.ThreadingTCPServer(("0.0.0.0", 7000), Echo)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    time.sleep(max(end - time.time(), 0))
    time.sleep(0.5)

def hold(port, secs):
    sent = 0
    try:
        s = socket.create_connection(("203.0.113.2", 7000), timeout=3,
                                     source_address=("0.0.0.0", port))
        s.settimeout(10)	# the restart's gap: seconds on a busy machine
        end = time.time() + secs
        while time.time() < end:
            s.sendall(b"abcd")
            if len(s.recv(4, socket.MSG_WAITALL)) != 4:
                raise Exception("closed by the server")
            sent += 4
            time.sleep(0.1)
        s.close()
        out("hold %d ok sent %d echoed %d" % (port, sent, sent))
    except Exception as e:
        out("hold %d error %r after %d sent and echoed" % (port, e, sent))

def udp(port, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    end = time.time() + secs
    n = 0
    while time.time() < end:
        s.sendto(b"%d %d %.3f" % (port, n, time.time()), ("203.0.113.2", 9999))
        n += 1
        time.sleep(0.05)
    out("udp %d sent %d" % (port, n))

if sys.argv[1] == "server":
    server(float(sys.argv[2]))
else:
    secs, base = float(sys.argv[2]), int(sys.argv[3])
    ts = [threading.Thread(target=hold, args=(base + p, secs)) for p in (0, 2, 4, 6)]
    ts += [threading.Thread(target=udp, args=(base + 1000 + p, secs)) for p in (0, 2, 4, 6)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
EOF

conns() { mctl conntrack -L 2>/dev/null | grep -c 'dport=' ; }
flows_up() { [ "$(conns)" -ge 8 ]; }

# downloads TAG: the six slow downloads, in the background
downloads() {
	local r port
	DL_PIDS=()
	for r in $REMOTES; do
		for port in $DL_PORTS; do
			bg wan "dl-$1-$port-$r" 25 curl -sS --max-time 20 \
				--limit-rate 100k --interface "203.0.113.$r" \
				-o "$WORK/dl-$1-$port-$r" "http://203.0.113.1:$port/f.bin"
			DL_PIDS+=("$BG_PID")
		done
	done
}

# downloads_whole TAG: why a download is not whole added to $errs (the
# caller's; not in a $(...), whose shell could not wait for the curls)
downloads_whole() {
	local i=0 r port rc got
	for r in $REMOTES; do
		for port in $DL_PORTS; do
			wait "${DL_PIDS[$i]}"; rc=$?
			i=$((i + 1))
			got=$(sha256sum <"$WORK/dl-$1-$port-$r" 2>/dev/null | cut -d' ' -f1)
			[ "$rc" = 0 ] && [ "$got" = "$WANT" ] ||
				errs+="download :$port from 203.0.113.$r: curl status $rc, $(stat -c %s "$WORK/dl-$1-$port-$r" 2>/dev/null || echo 0) bytes; "
		done
	done
}

# run_restart A B: the flows through masqd --workers A, SIGUSR2, a
# successor with --workers B; then the checks; prints "ok" or why not
run_restart() {	# A B BASE: source ports BASE.. (TCP), BASE+1000.. (UDP)
	local a=$1 b=$2 base=$3 tag=$1to$2 at p n errs=""
	masqd_start --workers "$a" --no-restore -c "$WORK/masq.conf" ||
		{ echo "masqd --workers $a did not start"; return; }
	bg wan "server-$tag" $((SECS + 16)) "$PY" "$WORK/peers.py" server $((SECS + 12))
	local server=$BG_PID
	wait_until 5 on wan sh -c 'ss -lnt | grep -q ":7000 "' || log "(server not listening)"
	bg lan "client-$tag" $((SECS + 14)) "$PY" "$WORK/peers.py" client $SECS "$base"
	local client=$BG_PID
	wait_until 5 flows_up || log "(fewer than 8 connections before the restart)"
	[ "$b" = 2 ] && downloads "$tag"
	sleep 1
	mctl conntrack -L >/dev/null
	at=$(date +%s.%N)
	log "+ kill -USR2 $MASQD_PID (masqd --workers $a), then masqd --workers $b"
	kill -USR2 "$MASQD_PID"
	wait "$MASQD_PID"
	MASQD_PID=
	masqd_start --workers "$b" -c "$WORK/masq.conf" ||
		errs+="the successor did not start; "
	mctl conntrack -L >/dev/null
	[ "$b" = 2 ] && downloads_whole "$tag"
	wait "$client"
	kill "$server" 2>/dev/null	# its own bound (timeout) stops it too
	wait "$server"
	masqd_stop
	local line
	line=$(grep -o 'restart: [0-9]* connections, .* restored.*' "$WORK/masqd.log" | tail -n 1)
	log "restore line: $line"
	echo "$line" | grep -q "restart: $((b == 2 ? 14 : 8)) connections.*(0 skipped)" ||
		errs+="restore line '$line'; "
	for p in $base $((base + 2)) $((base + 4)) $((base + 6)); do
		grep -q "^hold $p ok" "$WORK/client-$tag.out" ||
			errs+="$(grep "^hold $p" "$WORK/client-$tag.out"); "
		n=$(grep -c "^hold from 203.0.113.1:$p\$" "$WORK/server-$tag.out")
		[ "$n" = 1 ] || errs+="hold $p seen from $n times its own port; "
	done
	grep -q 'hold error' "$WORK/server-$tag.out" &&
		errs+="$(grep 'hold error' "$WORK/server-$tag.out" | tr '\n' ' ')"
	for p in $((base + 1000)) $((base + 1002)) $((base + 1004)) $((base + 1006)); do
		# every source the server saw for this flow is the router's, port p
		n=$(grep "^udp [0-9.:]* $p " "$WORK/server-$tag.out" |
			awk '{print $2}' | sort -u | tr '\n' ' ')
		[ "$n" = "203.0.113.1:$p " ] || errs+="udp $p seen from '$n'; "
		# datagrams sent a second and more after the restart
		n=$(awk -v t="$at" -v p="$p" '$1 == "udp" && $3 == p && $5 > t + 1' \
			"$WORK/server-$tag.out" | wc -l)
		[ "$n" -ge 10 ] || errs+="udp $p: $n datagrams after the restart; "
	done
	echo "${errs:-ok}"
}

for run in "2 2 41000" "2 1 41100" "1 2 41200"; do
	set -- $run
	res=$(run_restart "$1" "$2" "$3")
	if [ "$res" = ok ]; then ok "wrestart_$1_to_$2"; else fail "wrestart_$1_to_$2" "$res"; fi
done
