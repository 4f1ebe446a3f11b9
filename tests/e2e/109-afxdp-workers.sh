#!/usr/bin/env bash
# tests/e2e/109-afxdp-workers.sh - masqd --io afxdp on an interface with
# two receive queues: an AF_XDP socket on each, with --workers 2 (worker
# k the queues q % 2 == k) and with one worker (both queues its own);
# and --workers 2 on one queue (worker 0 receives all, hands on, sends
# for worker 1)
#
#   masq-t$$-lan   eth0 192.168.0.2/24, 2 tx + 2 rx queues (lab.sh up
#        |         --queues 2; tx off: XDP on veth sees partial checksums
#        |         otherwise). A socket's frames leave on one tx queue
#        |         (XPS off: by the socket's hash), and veth delivers a
#        |         frame on the peer's rx queue of that number, so many
#        |         sockets land on both of lan0's queues
#   masq-t$$-gw    lan0, wan0 (2 + 2 queues each): build/masqd --io afxdp
#        |         --workers 2; then --io afxdp alone; then, on a lab of
#        |         one queue, --io afxdp --workers 2
#   masq-t$$-wan   eth0 203.0.113.2/24, 2 + 2 queues (http.server, a UDP
#                  echo on :9000)
#
#  - the log names each queue's worker; the XDP program on both
#  - ping, a 1 MiB download (sha256), 40 UDP flows from 40 source ports
#    (both workers' slices: slice(p) = (p >> 1) % 2) all come back
#  - ethtool -S lan0/wan0: frames redirected to the sockets on queue 0 and
#    on queue 1; both workers received frames; the hand-off lost nothing
#  - conntrack -L lists each of the 40 flows once, its port kept
#  - idle VmRSS within 64 MiB + 11 MiB per further socket (masqd(8),
#    MEMORY: 10 MiB of UMEM and the rings a queue) + 16 MiB per further
#    worker (its pool and engine)
#  - seccomp on, no forbidden call; SIGTERM leaves no XDP program; SIGKILL
#    of both processes: the next start removes it
#  - one worker on 2 queues: both queues redirected, ping and download
#  - one queue, two workers: the log says worker 0 receives for both,
#    worker 1's frames are sent by worker 0 (masqd_workers_tx_via0)
# Without root, one CPU, or a masqd built without libxdp: SKIP.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/xdplib.sh
. "$(dirname "$0")/xdplib.sh"

e2e_init xdpw_started xdpw_xdp_attached xdpw_ping xdpw_http_1mb_sha256 \
	xdpw_udp_40 xdpw_both_queues xdpw_both_workers xdpw_handoff_whole \
	xdpw_conntrack_flows xdpw_idle_rss xdpw_seccomp xdpw_sigterm_detaches \
	xdpw_sigkill_both_next_start_detaches \
	xdpw_one_worker_two_queues xdpw_one_queue_two_workers
e2e_need curl curl
e2e_need ethtool ethtool

if ! ldd "$MASQD" | grep -q libxdp; then
	skip_all "masqd was built without AF_XDP support (install libxdp-dev and rebuild)"
fi
if [ "$(nproc)" -lt 2 ]; then
	skip_all "one CPU: --workers 2 is refused (more workers than CPUs)"
fi

# redirected DEV Q: frames XDP redirected (to a socket) on DEV's rx queue Q
redirected() {
	ip netns exec "$NS_GW" ethtool -S "$1" 2>/dev/null |
		awk -v f="rx_queue_$2_xdp_redirect:" '$1 == f { print $2 }'
}
queues_seen() { echo "lan0 q0 $(redirected lan0 0) q1 $(redirected lan0 1), wan0 q0 $(redirected wan0 0) q1 $(redirected wan0 1)"; }
sv() { awk -v n="$1" '$1 == n { print $2 }' <<<"$st"; }

lab_up --queues 2 || exit 1
for n in lan wan; do on "$n" ethtool -K eth0 tx off >/dev/null || true; done

e2e_write_tool
bg wan udpecho 120 "$PY" "$WORK/tool.py" udp-echo 203.0.113.2 9000 110
UDP_PID=$BG_PID
http_serve_1mb

# download NAME: the 1 MiB file through masqd, its sha256 checked
download() {
	rm -f "$WORK/got.bin"
	on lan curl -sS --max-time 10 -o "$WORK/got.bin" http://203.0.113.2:8000/1mb.bin &&
		[ "$(sha256sum <"$WORK/got.bin" | cut -d' ' -f1)" = "$want" ]
}

# --- 1. two queues, two workers ----------------------------------------------
if masqd_start --io afxdp --workers 2; then
	if grep -q 'lan0: 2 receive queues, an AF_XDP socket on each (queue 0 worker 0, queue 1 worker 1)' "$WORK/masqd.log" &&
	   grep -q 'wan0: 2 receive queues, an AF_XDP socket on each (queue 0 worker 0, queue 1 worker 1)' "$WORK/masqd.log" &&
	   grep -q '2 workers, each pinned' "$WORK/masqd.log"; then
		ok xdpw_started
	else
		fail xdpw_started "no queue-to-worker lines in masqd.log"
	fi
	if xdp_on lan0 && xdp_on wan0; then ok xdpw_xdp_attached
	else fail xdpw_xdp_attached "an interface without the XDP program"; fi

	if warm lan 203.0.113.2 && ono lan ping -n -c 5 -i 0.2 -W 1 203.0.113.2 | grep -q ' 5 received'; then
		ok xdpw_ping
	else
		fail xdpw_ping "a ping through masqd got no (or not every) reply"
	fi
	if download; then ok xdpw_http_1mb_sha256
	else fail xdpw_http_1mb_sha256 "download failed or corrupt (see $LOG)"; fi

	u=$(ono lan "$PY" "$WORK/tool.py" udp-ports 203.0.113.2 9000 41000 40)
	if [ "$u" = 40 ]; then ok xdpw_udp_40
	else fail xdpw_udp_40 "${u:-none} of 40 UDP flows came back"; fi

	log "queues: $(queues_seen)"
	l0=$(redirected lan0 0) l1=$(redirected lan0 1) w0=$(redirected wan0 0) w1=$(redirected wan0 1)
	if [ "${l0:-0}" -gt 0 ] && [ "${l1:-0}" -gt 0 ] && [ "${w0:-0}" -gt 0 ] && [ "${w1:-0}" -gt 0 ]; then
		ok xdpw_both_queues
	else
		fail xdpw_both_queues "frames redirected to the sockets: $(queues_seen)"
	fi

	st=$(mctl stats)
	log "$st"
	r0=$(sv masqd_worker0_rx_frames) r1=$(sv masqd_worker1_rx_frames)
	if [ "${r0:-0}" -gt 0 ] && [ "${r1:-0}" -gt 0 ]; then ok xdpw_both_workers
	else fail xdpw_both_workers "worker 0 received ${r0:-?} frames, worker 1 ${r1:-?}"; fi
	hout=$(sv masqd_handoff_out) hin=$(sv masqd_handoff_in)
	if [ -n "$hout" ] && [ "$hout" -gt 0 ] && [ "$hout" = "$hin" ] &&
	   [ "$(sv masqd_handoff_full)" = 0 ] && [ "$(sv masqd_handoff_no_buf)" = 0 ]; then
		ok xdpw_handoff_whole
	else
		fail xdpw_handoff_whole "handed out $hout, in $hin, full $(sv masqd_handoff_full), no buffer $(sv masqd_handoff_no_buf)"
	fi

	ct=$(mctl conntrack -L)
	log "$ct"
	flows=$(grep 'dport=9000' <<<"$ct" | grep -oE 'sport=41[0-9]{3} dport=9000' | sort -u)
	n=$(grep -c . <<<"$flows")
	s0=0 s1=0
	for p in $(grep -oE 'sport=[0-9]+' <<<"$flows" | cut -d= -f2); do
		if [ $(((p >> 1) % 2)) = 0 ]; then s0=$((s0 + 1)); else s1=$((s1 + 1)); fi
	done
	kept=$(grep 'dport=9000' <<<"$ct" | awk '{
		n = 0; o = ""; r = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^sport=/ && o == "") o = substr($i, 7)
			if ($i ~ /^dport=/ && ++n == 2) r = substr($i, 7)
		}
		if (o != "" && o == r) k++
	} END { print k + 0 }')
	lines=$(grep -c 'dport=9000' <<<"$ct")
	if [ "$n" = 40 ] && [ "$lines" = 40 ] && [ "$kept" = 40 ] && [ "$s0" -gt 0 ] && [ "$s1" -gt 0 ]; then
		ok xdpw_conntrack_flows
	else
		fail xdpw_conntrack_flows "conntrack -L: $lines UDP lines, $n flows, $kept ports kept, $s0 in slice 0, $s1 in slice 1"
	fi

	# 106's 64 MiB (a socket an interface, one worker), plus 11 MiB for
	# each further socket (2: 10 MiB of UMEM and its rings), plus 16 MiB
	# for the second worker (its pool, 4096 x 2.3 KiB, all of it touched
	# once frames wait in the hand-off rings; its engine)
	rss=$(field "$MASQD_PID" VmRSS)
	bound=$(((64 + 2 * 11 + 16) * 1024))
	log "bench rss_idle_masqd_afxdp_2q_w2 $rss KiB (bound $bound)"
	echo "# bench rss_idle_masqd_afxdp_2q_w2 $rss KiB"
	if [ -n "$rss" ] && [ "$rss" -le "$bound" ]; then ok xdpw_idle_rss
	else fail xdpw_idle_rss "VmRSS ${rss:-?} KiB > $bound KiB"; fi

	if sandboxed "$MASQD_PID"; then ok xdpw_seccomp
	else fail xdpw_seccomp "Seccomp: $(field "$MASQD_PID" Seccomp), running: $(gone "$MASQD_PID" && echo no || echo yes)"; fi

	masqd_stop
	if ! xdp_any && ! grep -q "forbidden system call" "$WORK/masqd.log"; then ok xdpw_sigterm_detaches
	else fail xdpw_sigterm_detaches "after SIGTERM: XDP left on lan0 or wan0, or a forbidden call: $(grep forbidden "$WORK/masqd.log")"; fi
else
	fail xdpw_started "masqd --io afxdp --workers 2 did not start: $(tail -n 3 "$WORK/masqd.log" | tr '\n' ' ')"
fi

# --- 2. SIGKILL of both: the record makes the next start detach it ----------
if masqd_start --io afxdp --workers 2; then
	kill_both
	left=$(xdp_any && echo yes || echo no)
	if [ "$left" = yes ] && masqd_start && ! xdp_any; then ok xdpw_sigkill_both_next_start_detaches
	else fail xdpw_sigkill_both_next_start_detaches "left after the kill: $left; after the next start: $(xdp_any && echo XDP || echo none)"; fi
	masqd_stop
else
	fail xdpw_sigkill_both_next_start_detaches "masqd did not start"
fi

# --- 3. two queues, one worker: both queues are its own ----------------------
if masqd_start --io afxdp; then
	b0=$(redirected lan0 0) b1=$(redirected lan0 1)
	good=0
	grep -q 'lan0: 2 receive queues, an AF_XDP socket on each (queue 0 worker 0, queue 1 worker 0)' "$WORK/masqd.log" &&
		warm lan 203.0.113.2 && download &&
		[ "$(ono lan "$PY" "$WORK/tool.py" udp-ports 203.0.113.2 9000 41000 40)" = 40 ] && good=1
	a0=$(redirected lan0 0) a1=$(redirected lan0 1)
	echo "# bench rss_idle_masqd_afxdp_2q_w1 $(field "$MASQD_PID" VmRSS) KiB"
	masqd_stop
	if [ $good = 1 ] && [ $((${a0:-0} - ${b0:-0})) -gt 0 ] && [ $((${a1:-0} - ${b1:-0})) -gt 0 ] && ! xdp_any; then
		ok xdpw_one_worker_two_queues
	else
		fail xdpw_one_worker_two_queues "forwarded: $good; lan0 queue 0 +$((${a0:-0} - ${b0:-0})), queue 1 +$((${a1:-0} - ${b1:-0})); XDP left: $(xdp_any && echo yes || echo no)"
	fi
else
	fail xdpw_one_worker_two_queues "masqd --io afxdp did not start"
fi
stop "$HTTP_PID"
stop "$UDP_PID"

# --- 4. one queue, two workers: worker 0 receives, worker 1 sends through it -
lab_down	# (with the records masqd left for this gw namespace)
lab_up || exit 1
for n in lan wan; do on "$n" ethtool -K eth0 tx off >/dev/null || true; done
bg wan udpecho 60 "$PY" "$WORK/tool.py" udp-echo 203.0.113.2 9000 50
UDP_PID=$BG_PID
http_serve_1mb
if masqd_start --io afxdp --workers 2; then
	good=0
	grep -q 'lan0: 1 receive queue for 2 workers: worker 1 receives nothing here' "$WORK/masqd.log" &&
		warm lan 203.0.113.2 && download &&
		[ "$(ono lan "$PY" "$WORK/tool.py" udp-ports 203.0.113.2 9000 41000 40)" = 40 ] && good=1
	st=$(mctl stats)
	log "$st"
	echo "# bench rss_idle_masqd_afxdp_1q_w2 $(field "$MASQD_PID" VmRSS) KiB"
	masqd_stop
	if [ $good = 1 ] && [ "$(sv masqd_worker1_rx_frames)" = 0 ] &&
	   [ "$(sv masqd_workers_tx_via0)" -gt 0 ] && ! xdp_any; then
		ok xdpw_one_queue_two_workers
	else
		fail xdpw_one_queue_two_workers "forwarded: $good; worker 1 received $(sv masqd_worker1_rx_frames), worker 0 sent $(sv masqd_workers_tx_via0) for it"
	fi
else
	fail xdpw_one_queue_two_workers "masqd --io afxdp --workers 2 did not start on one queue"
fi
stop "$HTTP_PID"
stop "$UDP_PID"
