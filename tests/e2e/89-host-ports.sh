#!/usr/bin/env bash
# tests/e2e/89-host-ports.sh - no masquerade mapping takes a port a host
# socket holds on the router's address (issue 13)
#
#   masq-t$$-lan   eth0 192.168.0.2/24   a scan: one UDP datagram, then one
#        |                               TCP SYN, from every source port
#        |                               1-65535 (22 and 2222 first) to
#        |                               203.0.113.2:9; meanwhile ssh to the
#        |                               router on 22 and 2222, again and again
#   masq-t$$-gw    lan0 192.168.0.1  <-- build/masqd (host-cap raised so the
#                  wan0 203.0.113.1      scan is not capped)
#                  lan0-h/wan0-h: the twins; sshd -D on 0.0.0.0:22 and :2222
#                  (2222 is inside the masquerade range 1024-65535), and
#                  UDP echo servers on 0.0.0.0:22 and :2222: the host holds
#                  both ports in both protocols
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24   UDP sink :9 (counts source ports),
#                                        nothing on TCP 9 (RSTs);
#                                        tcpdump on eth0
#
# With every source port used, port preservation offers 22 and 2222 first
# and the allocator runs out of other ports at the end: a mapping that
# took a port the host holds would show in the capture as a packet from
# 203.0.113.1 port 22 or 2222.
# Cases:
#   sshd_on_22_and_2222      ssh from the LAN to the router on both ports
#   host_ports_learned       masqctl host-ports lists 22 and 2222 for TCP
#                            and UDP (SKIP when masqd has no such command)
#   udp_scan_through         the sink got datagrams from >= 20,000 source
#                            ports of 203.0.113.1
#   udp_no_sshd_port         none from port 22 or 2222 (capture and sink)
#   tcp_scan_through         the capture has SYNs from >= 20,000 ports
#   tcp_no_sshd_port         none from port 22 or 2222
#   ssh_lan_during_scan      every ssh during the scans worked
#   wan_ssh_2222_reaches_sshd  after INPUT -i wan0 --dport 2222 ACCEPT, ssh
#                            from outside to 203.0.113.1:2222 reaches sshd
#   wan_udp_2222_reaches_host  ... and UDP to 203.0.113.1:2222 the host's
#                            echo server
# E2E_OFFLOAD=on|off (run.sh runs both); E2E_ROUTER=kernel (hostlib.sh):
# the kernel's NAT keeps 2222 (its conntrack tells the flows apart), so
# there the two port cases only report what they saw.
# SCAN_SECONDS (default 8: some 8,000 ports a second) paces each scan.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/hostlib.sh
. "$(dirname "$0")/hostlib.sh"

e2e_init sshd_on_22_and_2222 host_ports_learned udp_scan_through udp_no_sshd_port \
	tcp_scan_through tcp_no_sshd_port ssh_lan_during_scan wan_ssh_2222_reaches_sshd \
	wan_udp_2222_reaches_host
e2e_need /usr/sbin/sshd openssh-server
e2e_need ssh openssh-client
e2e_need ssh-keygen openssh-client
e2e_need tcpdump tcpdump
host_init
SECS=${SCAN_SECONDS:-8}

router_lab_up || exit 1
if ! router_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
[ $KERNEL = 1 ] || twins_absent_skip
twins_wait || log "  (the twins are not ready)"
[ $KERNEL = 1 ] || mctl set host-cap 200000 >/dev/null
# on a shared machine the router has its CPU, as legit_start gives it:
# a stalled ssh must measure masqd, not who else runs
[ -n "$MASQD_PID" ] && x renice -n -10 -p "$MASQD_PID"

sshd_start 22 2222 || log "  sshd did not start ($WORK/sshd.out)"
for p in 22 2222; do
	bg gw "udp-$p" 150 "$PY" -u "$WORK/tool.py" udp-echo 0.0.0.0 $p 140
	wait_listen gw udp "0.0.0.0:$p" || log "  (UDP echo on $p not listening)"
done
warm lan 192.168.0.1 || log "  (no answer to the warm-up pings)"
ssh_check lan 192.168.0.1 22 && o22=ok || o22=$SSH_OUT
ssh_check lan 192.168.0.1 2222 && o2222=ok || o2222=$SSH_OUT
if [ "$o22" = ok ] && [ "$o2222" = ok ]; then
	ok sshd_on_22_and_2222
else
	fail sshd_on_22_and_2222 "ssh to 192.168.0.1 port 22: ${o22:-nothing}; port 2222: ${o2222:-nothing}"
fi

# in_list PORT LIST: PORT is in a list like 22,2222,6000-6010
in_list() {
	echo "$2" | tr ',' '\n' | awk -F- -v p="$1" \
		'($2 == "" && $1 == p) || ($2 != "" && $1 <= p && p <= $2) {f = 1} END {exit !f}'
}
if [ $KERNEL = 1 ]; then
	masqd_only host_ports_learned
else
	hp='' learned=0
	for _ in $(seq 50); do
		hp=$(mctl host-ports 2>&1)
		echo "$hp" | grep -q "unknown command 'host-ports'" && break
		tcp=$(echo "$hp" | tr -s ' \n' '  ' | sed -nE 's/.*\btcp ([0-9,-]+).*/\1/p')
		udp=$(echo "$hp" | tr -s ' \n' '  ' | sed -nE 's/.*\budp ([0-9,-]+).*/\1/p')
		in_list 22 "$tcp" && in_list 2222 "$tcp" && in_list 22 "$udp" &&
			in_list 2222 "$udp" && learned=1 && break
		sleep 0.1
	done
	if echo "$hp" | grep -q "unknown command 'host-ports'"; then
		skip host_ports_learned "the engine has no host-ports command ($hp)"
	elif [ $learned = 1 ]; then
		ok host_ports_learned
	else
		fail host_ports_learned "5 s after the host held TCP and UDP 22 and 2222, masqctl host-ports says: $(echo "$hp" | tr '\n' ' ')"
	fi
fi

# --- the scans, with ssh to the router all along ------------------------------
bg wan tcpdump-scan $((4 * SECS + 40)) tcpdump -Z root -n -i eth0 -B 32768 -s 64 -U \
	-c 300000 -w "$WORK/scan.pcap" "ip src host 203.0.113.1 and dst port 9"
CAP_PID=$BG_PID
bg wan sink $((4 * SECS + 40)) "$PY" -u "$HT" udp-sink 203.0.113.2 9 $((2 * SECS + 20))
SINK_PID=$BG_PID
wait_listen wan udp 203.0.113.2:9 || log "  (the sink is not listening)"
# tcpdump has its socket once it says so (stderr, in its .out)
tcpdump_listening() { grep -q '^tcpdump: listening on' "$WORK/tcpdump-scan.out" 2>/dev/null; }
wait_until 5 tcpdump_listening || log "  (tcpdump did not say it listens)"

bg lan scan $((2 * SECS + 30)) sh -c "'$PY' -u '$HT' udp-scan 203.0.113.2 9 1 65535 $SECS 22,2222 && sleep 2 &&
	'$PY' -u '$HT' tcp-scan 203.0.113.2 9 1 65535 $SECS 22,2222"
SCAN_PID=$BG_PID
ssh_ok=0 ssh_bad=()
while ! gone "$SCAN_PID"; do
	for p in 22 2222; do
		[ $KERNEL = 1 ] || d0=$(drop_counters)
		if ssh_check lan 192.168.0.1 $p; then
			ssh_ok=$((ssh_ok + 1))
		else
			[ $KERNEL = 1 ] || SSH_OUT="${SSH_OUT:-nothing}; drops meanwhile: $(drop_rise "$d0" "$(drop_counters)")"
			ssh_bad+=("port $p at $(date +%T): ${SSH_OUT:-nothing}")
		fi
	done
	sleep 0.5
done
wait "$SCAN_PID"
log "scan: $(tr '\n' ' ' <"$WORK/scan.out")"
if [ $ssh_ok -ge 4 ] && [ ${#ssh_bad[@]} = 0 ]; then
	ok ssh_lan_during_scan
else
	fail ssh_lan_during_scan "$ssh_ok ssh sessions worked, ${#ssh_bad[@]} failed: ${ssh_bad[*]:0:3}"
fi
[ $KERNEL = 1 ] || stats_log
wait "$SINK_PID"
sleep 1
stop "$CAP_PID"
log "capture: $(tr '\n' ' ' <"$WORK/tcpdump-scan.out")"
sink=$(grep '^udp-sink' "$WORK/sink.out")
log "$sink"

# count FILTER: packets of the capture that match
count() { timeout 60 tcpdump -r "$WORK/scan.pcap" -n "$1" 2>/dev/null | wc -l; }
u_all=$(count udp)
u_bad=$(count 'udp and (src port 22 or src port 2222)')
t_all=$(count 'tcp[tcpflags] & tcp-syn != 0')
t_bad=$(count 'tcp and (src port 22 or src port 2222)')
u_ports=$(echo "$sink" | sed -nE 's/.* from ([0-9]+) source ports.*/\1/p')
log "capture: udp $u_all (from port 22/2222: $u_bad), tcp SYN $t_all (from port 22/2222: $t_bad); sink: ${u_ports:-?} source ports"
[ $KERNEL = 1 ] || log "drop counters: $(drop_counters | awk '$2 > 0' | tr '\n' ' ')"

if [ "${u_ports:-0}" -ge 20000 ]; then
	ok udp_scan_through
else
	fail udp_scan_through "the sink got datagrams from ${u_ports:-0} source ports of 203.0.113.1 (capture: $u_all; ${sink:-the sink said nothing})"
fi
sink_bad=$(echo "$sink" | sed -nE 's/.*ports 22\/2222: (.*)$/\1/p')
if [ $KERNEL = 1 ]; then
	skip udp_no_sshd_port "E2E_ROUTER=kernel: reports only: $u_bad datagrams from port 22/2222 (sink: ${sink_bad:-?})"
elif [ "$u_bad" = 0 ] && [ "$sink_bad" = none ]; then
	ok udp_no_sshd_port
else
	fail udp_no_sshd_port "$u_bad datagrams left 203.0.113.1 from port 22 or 2222 (the sink saw: ${sink_bad:-?}); $(timeout 10 tcpdump -r "$WORK/scan.pcap" -n -c 2 'udp and (src port 22 or src port 2222)' 2>/dev/null | tr '\n' ';')"
fi
if [ "$t_all" -ge 20000 ]; then
	ok tcp_scan_through
else
	fail tcp_scan_through "the capture has SYNs from $t_all ports of 203.0.113.1"
fi
if [ $KERNEL = 1 ]; then
	skip tcp_no_sshd_port "E2E_ROUTER=kernel: reports only: $t_bad segments from port 22/2222"
elif [ "$t_bad" = 0 ]; then
	ok tcp_no_sshd_port
else
	fail tcp_no_sshd_port "$t_bad segments left 203.0.113.1 from port 22 or 2222: $(timeout 10 tcpdump -r "$WORK/scan.pcap" -n -c 2 'tcp and (src port 22 or src port 2222)' 2>/dev/null | tr '\n' ';')"
fi

# --- sshd's 2222 from outside, once a rule lets it in ------------------------
if [ $KERNEL = 1 ]; then
	: # the kernel's router has no INPUT filter: nothing to open
else
	mctl iptables -A INPUT -i wan0 -p tcp --dport 2222 -j ACCEPT >/dev/null
fi
[ $KERNEL = 1 ] || d0=$(drop_counters)
if ssh_check wan 203.0.113.1 2222; then
	ok wan_ssh_2222_reaches_sshd
else
	[ $KERNEL = 1 ] || SSH_OUT="${SSH_OUT:-nothing}; drops meanwhile: $(drop_rise "$d0" "$(drop_counters)")"
	fail wan_ssh_2222_reaches_sshd "ssh -p 2222 root@203.0.113.1 from outside printed: ${SSH_OUT:-nothing}"
fi
[ $KERNEL = 1 ] || mctl iptables -A INPUT -i wan0 -p udp --dport 2222 -j ACCEPT >/dev/null
out=$(ono wan "$PY" -u "$WORK/tool.py" udp-ask 203.0.113.1 2222 to-the-host 2)
if [ "$out" = "reply from 203.0.113.1:2222 echo:to-the-host" ] &&
	grep -q "^from 203.0.113.2:[0-9]* b'to-the-host'" "$WORK/udp-2222.out"; then
	ok wan_udp_2222_reaches_host
else
	fail wan_udp_2222_reaches_host "UDP to 203.0.113.1:2222 from outside: ${out:-nothing}; the host's server saw: $(grep -c . "$WORK/udp-2222.out") line(s)"
fi
