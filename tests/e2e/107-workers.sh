#!/usr/bin/env bash
# tests/e2e/107-workers.sh - masqd --workers 2: two engines on two threads,
# one PACKET_FANOUT_CBPF group per interface, frames handed to the worker
# that owns them; what a user sees must be what one worker gives
#
#   masq-t$$-lan   eth0 192.168.0.2/24 --+
#                                        +-- br0 in masq-t$$-sw
#   masq-t$$-lan2  eth0 192.168.0.3/24 --+
#                                        |
#   masq-t$$-gw    lan0 192.168.0.1 -----+   build/masqd --workers 2
#                  wan0 203.0.113.1
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24    python3 http.server :8000, a UDP
#                                         echo on :9000, vsftpd on :21
#
#  - ping, 50 TCP connections (25 from each host, each a new source port)
#    and 20 UDP datagrams from 20 source ports all get through and back;
#    the server sees only the router's address
#  - conntrack -L lists each of the 50 connections once; conntrack -C
#    (added over the workers) counts as many lines as -L lists
#  - the hand-off lost nothing (masqd_handoff_full, _no_buf 0; every frame
#    handed out was taken in) and both workers' sockets received frames
#  - a REJECT rule added after the start refuses port 8001 from both hosts
#    and every source port (whichever worker owns the connection)
#  - FTP through the helper, passive and active (curl), whole
#  - both workers' sockets received frames (the fanout spreads them), and
#    stats' per-interface frames are the workers' frames added
#  - the router host's own traffic through its twins, both ways: 20
#    downloads from gw to wan (source ports 41001-41020), 20 from lan and lan2 to a
#    server on gw's twin address 192.168.0.1:8090
#  - (conntrack -E, txn, rule counters, LOG lines: e2e 108)
#  - SIGTERM: exit 0, the nft table of the takeover gone
#  - again with -c FILE (a REJECT of port 8001): refused from both hosts;
#    FILE changed to refuse 8002 instead, SIGHUP: 8002 refused and 8001
#    through, from both hosts and every source port
# Without root: SKIP.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/alglib.sh
. "$(dirname "$0")/alglib.sh"

e2e_init workers_started workers_ping workers_tcp_50 workers_server_sees_router \
	workers_udp_20 workers_conntrack_once workers_count_adds_up \
	workers_handoff_whole workers_reject_after_start workers_ftp_pasv \
	workers_ftp_active workers_both_received workers_io_adds_up \
	workers_twin_out workers_twin_in \
	workers_sigterm_gives_back \
	workers_conf_on_both workers_sighup_on_both
e2e_need curl curl
e2e_need ping iputils-ping

if [ "$(nproc)" -lt 2 ]; then
	skip_all "one CPU: --workers 2 is refused (more workers than CPUs)"
fi

lab_up --lan2 || exit 1
if ! masqd_start --workers "${WORKERS:-2}"; then
	ABORT_WHY="masqd --workers 2 did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
threads=$(ls "/proc/$MASQD_PID/task" 2>/dev/null | wc -l)
if grep -q '2 workers, each pinned' "$WORK/masqd.log" && [ "$threads" -ge 2 ]; then
	ok workers_started
else
	fail workers_started "no '2 workers' line in masqd.log, or $threads threads"
fi

if warm lan 203.0.113.2 && warm lan2 203.0.113.2 &&
	ono lan ping -n -c 5 -i 0.2 -W 1 203.0.113.2 | grep -q ' 5 received' &&
	ono lan2 ping -n -c 5 -i 0.2 -W 1 203.0.113.2 | grep -q ' 5 received'; then
	ok workers_ping
else
	fail workers_ping "a ping from lan or lan2 got no (or not every) reply"
fi

# --- 50 TCP connections from two hosts ------------------------------------
http_serve_1mb
echo hello >"$WORK/www/small.txt"
# one curl a host, 25 URLs: the server (HTTP/1.0) closes each connection,
# so each URL is a connection of its own from a new source port (was a
# curl process a connection: 50 process starts in the router's lab)
got=0
urls=$(for i in $(seq 25); do echo "http://203.0.113.2:8000/small.txt?$i"; done)
for n in lan lan2; do
	# shellcheck disable=SC2086 # the 25 URLs are words
	got=$((got + $(T=40 ono "$n" curl -sS --max-time 30 $urls | grep -c '^hello$')))
done
if [ "$got" = 50 ]; then ok workers_tcp_50
else fail workers_tcp_50 "$got of 50 connections got their answer"; fi
clients=$(grep -oE '^[0-9.]+ - - \[.*"GET ' "$WORK/http.out" | cut -d' ' -f1 | sort -u | tr '\n' ' ')
if [ "$clients" = "203.0.113.1 " ]; then ok workers_server_sees_router
else fail workers_server_sees_router "the server saw '$clients'"; fi

# --- UDP from 20 source ports ---------------------------------------------
cat >"$WORK/echo.py" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("203.0.113.2", 9000))
s.settimeout(1)
end = time.time() + 30
while time.time() < end:
    try:
        d, a = s.recvfrom(2048)
    except socket.timeout:
        continue
    s.sendto(d, a)
EOF
cat >"$WORK/udp.py" <<'EOF'
import socket
ok = 0
for i in range(20):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 41000 + i))
    s.settimeout(1)
    s.sendto(b"x%d" % i, ("203.0.113.2", 9000))
    try:
        if s.recvfrom(2048)[0] == b"x%d" % i:
            ok += 1
    except socket.timeout:
        pass
    s.close()
print(ok)
EOF
bg wan udpecho 40 "$PY" "$WORK/echo.py"
sleep 0.5
u=$(ono lan "$PY" "$WORK/udp.py")
if [ "$u" = 20 ]; then ok workers_udp_20
else fail workers_udp_20 "$u of 20 datagrams came back"; fi

# --- the table, listed over both workers -----------------------------------
ct=$(mctl conntrack -L)
log "$ct"
lines=$(grep -c 'dport=8000' <<<"$ct")
dups=$(grep 'dport=8000' <<<"$ct" | grep -oE 'src=192\.168\.0\.[0-9]+ dst=203\.0\.113\.2 sport=[0-9]+' | sort | uniq -d | wc -l)
if [ "$lines" = 50 ] && [ "$dups" = 0 ]; then ok workers_conntrack_once
else fail workers_conntrack_once "conntrack -L: $lines connections to :8000 (want 50), $dups listed twice"; fi
# each worker maps an inside port in its own slice: every port is kept,
# except where lan and lan2 happened to pick the same one (the second to
# arrive is rightly given another: one external port, one mapping)
moved=$(grep 'dport=8000' <<<"$ct" | awk '{
	n = 0; o = ""; r = ""
	for (i = 1; i <= NF; i++) {
		if ($i ~ /^sport=/ && o == "") o = substr($i, 7)
		if ($i ~ /^dport=/ && ++n == 2) r = substr($i, 7)
	}
	orig[NR] = o; repl[NR] = r; seen[o]++
}
END {
	for (k = 1; k <= NR; k++)
		if (orig[k] == "" || (orig[k] != repl[k] && seen[orig[k]] < 2))
			print orig[k] "->" repl[k]
}')
if [ "$lines" = 50 ] && [ -z "$moved" ]; then ok workers_ports_kept
else fail workers_ports_kept "of $lines connections, source ports not kept: $(echo $moved)"; fi
all=$(grep -c 'src=' <<<"$ct")
cnt=$(mctl conntrack -C)
if [ -n "$cnt" ] && [ "$cnt" -ge "$all" ] && [ "$cnt" -le $((all + 4)) ]; then
	ok workers_count_adds_up
else
	fail workers_count_adds_up "conntrack -C says '$cnt', -L listed $all"
fi

# --- the hand-off ------------------------------------------------------------
st=$(mctl stats)
log "$st"
sv() { awk -v n="$1" '$1 == n { print $2 }' <<<"$st"; }
hout=$(sv masqd_handoff_out) hin=$(sv masqd_handoff_in)
full=$(sv masqd_handoff_full) nobuf=$(sv masqd_handoff_no_buf)
if [ "$(sv masqd_workers)" = 2 ] && [ -n "$hout" ] && [ "$hout" = "$hin" ] &&
	[ "$full" = 0 ] && [ "$nobuf" = 0 ] && [ "$hout" -gt 0 ]; then
	ok workers_handoff_whole
else
	fail workers_handoff_whole "workers $(sv masqd_workers), handed out $hout, in $hin, ring full $full, no buffer $nobuf"
fi

# --- a rule added after the start, on every worker (first: the default
# FORWARD chain accepts everything further down) ------------------------
mctl iptables -I FORWARD -p tcp --dport 8001 -j REJECT --reject-with tcp-reset
mctl iptables -L FORWARD -n >/dev/null
bg wan http8001 30 "$PY" -u -m http.server 8001 --bind 203.0.113.2 --directory "$WORK/www"
H8001=$BG_PID
wait_listen wan tcp 203.0.113.2:8001
refused=0 passed=0
for i in $(seq 10); do
	for n in lan lan2; do
		if ono "$n" curl -sS --max-time 2 http://203.0.113.2:8001/small.txt >/dev/null; then
			passed=$((passed + 1))
		else
			refused=$((refused + 1))
		fi
	done
done
still=$(ono lan curl -sS --max-time 3 http://203.0.113.2:8000/small.txt)
if [ "$refused" = 20 ] && [ "$still" = hello ]; then ok workers_reject_after_start
else fail workers_reject_after_start "$refused of 20 refused, $passed got through; port 8000 answered '$still'"; fi

# --- FTP through the helper ----------------------------------------------------
mctl helper ftp on >/dev/null
if vsftpd_bg wan vs 203.0.113.2 30000 30009; then
	want=$(sha256sum <"$WORK/vs-root/1mb.bin" | cut -d' ' -f1)
	got=$(ono lan curl -sS --max-time 10 ftp://203.0.113.2/1mb.bin | sha256sum | cut -d' ' -f1)
	if [ "$got" = "$want" ]; then ok workers_ftp_pasv
	else fail workers_ftp_pasv "passive download: sha256 $got (want $want)"; fi
	got=$(ono lan2 curl -sS --max-time 10 --ftp-port - ftp://203.0.113.2/1mb.bin | sha256sum | cut -d' ' -f1)
	if [ "$got" = "$want" ]; then ok workers_ftp_active
	else fail workers_ftp_active "active download: sha256 $got (want $want)"; fi
else
	skip workers_ftp_pasv "vsftpd did not start"
	skip workers_ftp_active "vsftpd did not start"
fi

w0=$(mctl stats | awk '$1 == "masqd_worker0_rx_frames" { print $2 }')
w1=$(mctl stats | awk '$1 == "masqd_worker1_rx_frames" { print $2 }')
if [ "${w0:-0}" -gt 0 ] && [ "${w1:-0}" -gt 0 ]; then ok workers_both_received
else fail workers_both_received "worker 0 received ${w0:-?} frames, worker 1 ${w1:-?}"; fi

st=$(mctl stats)
sv() { awk -v n="$1" '$1 == n { print $2 }' <<<"$st"; }
a=$(sv io_lan0_rx_frames) b=$(sv io_wan0_rx_frames)
c=$(sv masqd_worker0_rx_frames) e=$(sv masqd_worker1_rx_frames)
io=$(( ${a:-0} + ${b:-0} )) wk=$(( ${c:-0} + ${e:-0} ))
if [ "$io" -gt 0 ] && [ "$io" = "$wk" ]; then ok workers_io_adds_up
else fail workers_io_adds_up "io_*_rx_frames add to $io, the workers' to $wk"; fi


got=0
for i in $(seq 20); do
	[ "$(ono gw curl -sS --max-time 3 --local-port $((41000 + i)) http://203.0.113.2:8000/small.txt)" = hello ] &&
		got=$((got + 1))
done
# 20 source ports, odd and even (Linux picks even ports for connect(), all
# worker 0's): worker 1 owns the odd ones (sport % 2), and its engine's
# frames for the twin go to worker 0 on a ring (masqd_workers_twin_frames)
tw=$(mctl stats | awk '$1 == "masqd_workers_twin_frames" { print $2 }')
if [ "$got" = 20 ] && [ "${tw:-0}" -gt 0 ]; then ok workers_twin_out
else fail workers_twin_out "$got of 20 downloads from the router host got their answer; ${tw:-no} frames from worker 1 to a twin"; fi
bg gw hostweb 30 "$PY" -u -m http.server 8090 --bind 192.168.0.1 --directory "$WORK/www"
wait_listen gw tcp 192.168.0.1:8090
got=0
for i in $(seq 10); do
	for n in lan lan2; do
		[ "$(ono "$n" curl -sS --max-time 3 http://192.168.0.1:8090/small.txt)" = hello ] &&
			got=$((got + 1))
	done
done
if [ "$got" = 20 ]; then ok workers_twin_in
else fail workers_twin_in "$got of 20 downloads from the router host's server got their answer"; fi

# --- SIGTERM ----------------------------------------------------------------------
masqd_stop
rc=$?
tables=$(ip netns exec "$NS_GW" nft list tables 2>/dev/null | grep -c masq)
if [ "$rc" = 0 ] && [ "$tables" = 0 ]; then ok workers_sigterm_gives_back
else fail workers_sigterm_gives_back "exit status $rc, $tables masq nft tables left"; fi

# --- the -c file on both workers, and SIGHUP ------------------------------------
# tries PORT: how many of 10 connections (5 from each host) were refused
tries() {
	local refused=0 n i
	for i in 1 2 3 4 5; do
		for n in lan lan2; do
			ono "$n" curl -sS --max-time 2 "http://203.0.113.2:$1/small.txt" >/dev/null ||
				refused=$((refused + 1))
		done
	done
	echo "$refused"
}
stop "$HTTP_PID"; stop "$H8001"	# the servers again, for this part's 40 s
bg wan http2 40 "$PY" -u -m http.server 8001 --bind 203.0.113.2 --directory "$WORK/www"
bg wan http8002 40 "$PY" -u -m http.server 8002 --bind 203.0.113.2 --directory "$WORK/www"
wait_listen wan tcp 203.0.113.2:8001
wait_listen wan tcp 203.0.113.2:8002
printf 'reset rules\niptables -I FORWARD -p tcp --dport 8001 -j REJECT --reject-with tcp-reset\n' >"$WORK/masq.conf"
if masqd_start --workers "${WORKERS:-2}" -c "$WORK/masq.conf"; then
	warm lan 203.0.113.2; warm lan2 203.0.113.2
	r1=$(tries 8001) r2=$(tries 8002)
	if [ "$r1" = 10 ] && [ "$r2" = 0 ]; then ok workers_conf_on_both
	else fail workers_conf_on_both "-c FILE refusing 8001: $r1 of 10 refused on 8001, $r2 of 10 on 8002"; fi
	printf 'reset rules\niptables -I FORWARD -p tcp --dport 8002 -j REJECT --reject-with tcp-reset\n' >"$WORK/masq.conf"
	kill -HUP "$MASQD_PID"
	wait_until 3 grep -q 'SIGHUP: .* reloaded' "$WORK/masqd.log"
	r1=$(tries 8001) r2=$(tries 8002)
	if [ "$r1" = 0 ] && [ "$r2" = 10 ]; then ok workers_sighup_on_both
	else fail workers_sighup_on_both "after SIGHUP (refuse 8002): $r1 of 10 refused on 8001, $r2 of 10 on 8002 ($(grep SIGHUP "$WORK/masqd.log"))"; fi
	masqd_stop
else
	fail workers_conf_on_both "masqd --workers 2 -c FILE did not start"
	skip workers_sighup_on_both "masqd did not start"
fi
