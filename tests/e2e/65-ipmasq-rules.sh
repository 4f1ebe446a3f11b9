#!/usr/bin/env bash
# tests/e2e/65-ipmasq-rules.sh - the Debian ipmasq talk's rules, as written,
# through masqd's iptables
#
#   masq-t$$-lan   eth0 192.168.0.2/24 (a client)
#        |
#   masq-t$$-gw    lan0 192.168.0.1 / wan0 203.0.113.1  <-- build/masqd
#        |
#   masq-t$$-wan   eth0 203.0.113.2 (a web server; probes of the router;
#                  a route to 192.168.0.0/24 through it, to try getting in)
#
# A shell script calls $IPTABLES exactly as the ipmasq rules files do,
# with IPTABLES pointing at a link named "iptables" to masqctl (what
# /usr/lib/masq/bin holds): the C00ipacct accounting chains with the
# local network excluded, I90external as the talk changed it
# (established/related in; new ssh, smtp, http, rsync in; ident rejected;
# ping allowed), M70masq with -o and the ESTABLISHED,RELATED return rule,
# and the ZZZdenyandlog additions (noisy UDP ports and broadcasts dropped
# silently, the rest logged and dropped). Then real traffic shows what
# passes, what is refused and how (a closed port's RST for accepted ports,
# since nothing listens on the router; an ICMP port unreachable for
# ident), what is dropped silently, what is logged, and what the
# accounting counters say. A save and restore gives the same ruleset.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init rules_script_applies download_through_masquerade \
	ssh_accepted_closed_port_rst ident_rejected_icmp ping_allowed \
	other_port_dropped_and_logged noisy_udp_dropped_silently \
	inbound_forward_dropped accounting_counts_and_zeroes \
	save_restore_round_trip
e2e_need tcpdump tcpdump
e2e_need curl curl
lab_up || exit 1
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi

mkdir -p "$WORK/bin"
ln -sf "$MASQCTL" "$WORK/bin/iptables"
ln -sf "$MASQCTL" "$WORK/bin/iptables-save"
ln -sf "$MASQCTL" "$WORK/bin/iptables-restore"
export MASQ_SOCKET=$SOCK

cat >"$WORK/rules.sh" <<'EOF'
#!/bin/sh
# The ipmasq rules of the talk, for one internal and one external
# interface. IPTABLES is the caller's.
set -e
INTERNAL=lan0 EXTERNAL=wan0
IPOFIF=203.0.113.1 LANNET=192.168.0.0 LANMASK=255.255.255.0

# A00flush: start from nothing
$IPTABLES -F
$IPTABLES -X
$IPTABLES -t nat -F
$IPTABLES -P INPUT DROP
$IPTABLES -P FORWARD DROP
$IPTABLES -P OUTPUT ACCEPT

# C00ipacct: accounting chains, local networks excluded
$IPTABLES -N acctin >/dev/null 2>&1
$IPTABLES -N acctout >/dev/null 2>&1
$IPTABLES -F acctin >/dev/null 2>&1
$IPTABLES -F acctout >/dev/null 2>&1
$IPTABLES -A acctin -s $LANNET/$LANMASK -j RETURN
$IPTABLES -A acctout -d $LANNET/$LANMASK -j RETURN
$IPTABLES -A acctin
$IPTABLES -A acctout
for i in $EXTERNAL; do
	$IPTABLES -A INPUT -i ${i%%:*} -j acctin
	$IPTABLES -A OUTPUT -o ${i%%:*} -j acctout
	$IPTABLES -A FORWARD -i ${i%%:*} -j acctin
	$IPTABLES -A FORWARD -o ${i%%:*} -j acctout
done

# I10internal: the inside may talk to the router
$IPTABLES -A INPUT -j ACCEPT -i $INTERNAL

# I90external, as the talk changed it
for i in $EXTERNAL; do
	# Allow continuations of existing connections in.
	$IPTABLES -A INPUT -j ACCEPT \
		-i ${i%%:*} -m state --state ESTABLISHED,RELATED
	# Allow new connections to some TCP ports.
	for p in ssh smtp http rsync ; do
		$IPTABLES -A INPUT -j ACCEPT \
			-i ${i%%:*} -p tcp -d ${IPOFIF} --dport ${p} \
			-m state --state NEW
	done
	# Make the ident lookup on some mail/web servers fail quickly.
	$IPTABLES -A INPUT -j REJECT \
		-i ${i%%:*} -p tcp -d ${IPOFIF} --dport ident \
		-m state --state NEW
	# Allow pings. All other ICMP stuff should work due to conntrack.
	$IPTABLES -A INPUT -j ACCEPT -i ${i%%:*} -d $IPOFIF \
		-p icmp --icmp-type ping \
		-m state --state NEW
done

# M70masq, as the talk changed it
i=$INTERNAL j=$EXTERNAL
$IPTABLES -t nat -A POSTROUTING -j MASQUERADE \
	-o ${j%%:*} -s $LANNET/$LANMASK
$IPTABLES -A FORWARD -j ACCEPT \
	-i ${i%%:*} -o ${j%%:*} -s $LANNET/$LANMASK
$IPTABLES -A FORWARD -j ACCEPT \
	-o ${i%%:*} -i ${j%%:*} -d $LANNET/$LANMASK \
	-m state --state ESTABLISHED,RELATED

# ZZZdenyandlog, with the talk's additions
# DROP some ports for UDP, but do it silently.
for p in bootps netbios-ns netbios-dgm snmp who route 1985; do
	$IPTABLES -A INPUT -j DROP -p udp --destination-port ${p}
done
$IPTABLES -A INPUT -j DROP -d 255.255.255.255/32
$IPTABLES -A INPUT -j DROP -p tcp \
	-s 9.3.165.66 -d 9.185.116.201 --dport 1021:1022
$IPTABLES -A INPUT -j LOG -s 0.0.0.0/0 -d 0.0.0.0/0
$IPTABLES -A INPUT -j DROP -s 0.0.0.0/0 -d 0.0.0.0/0
$IPTABLES -A FORWARD -j LOG -s 0.0.0.0/0 -d 0.0.0.0/0
$IPTABLES -A FORWARD -j DROP -s 0.0.0.0/0 -d 0.0.0.0/0
EOF
chmod +x "$WORK/rules.sh"

if IPTABLES=$WORK/bin/iptables x sh "$WORK/rules.sh"; then
	n=$(mctl iptables-save | grep -c '^-A' || true)
	if [ "$n" -ge 30 ]; then
		ok rules_script_applies
	else
		fail rules_script_applies "iptables-save shows $n rules"
	fi
else
	fail rules_script_applies "the script failed (see $LOG)"
fi
mctl iptables-save >"$WORK/ruleset.txt"
mctl ipacct-dump >/dev/null	# start the counts from here

# the wan side's view: every packet to or from the router's address
bg wan tcpdump 60 tcpdump -Z root -n -i eth0 --immediate-mode -c 20000 -s 128 -U -w "$WORK/wan.pcap"
for _ in $(seq 30); do grep -q 'listening on' "$WORK/tcpdump.out" 2>/dev/null && break; sleep 0.1; done

http_serve_1mb
warm lan 192.168.0.1
got=$(ono lan curl -s --max-time 10 http://203.0.113.2:8000/1mb.bin | sha256sum | cut -d' ' -f1)
if [ "$got" = "$want" ] && grep -q '203.0.113.1 .*GET /1mb.bin' "$WORK/http.out"; then
	ok download_through_masquerade
else
	fail download_through_masquerade "sha256 $got, server saw: $(grep GET "$WORK/http.out" | head -1)"
fi

# probes of the router from outside
probe() {	# port: one TCP connect from wan, 2 s at most
	ono wan "$PY" "$WORK/tool.py" tcp-probe 203.0.113.1 "$1" 2 >"$WORK/probe-$1.out"
}
probe 22
probe 113
# 3306 is dropped: its 2 s run beside the rest (the inside probe's too)
bg wan probe-3306 10 "$PY" "$WORK/tool.py" tcp-probe 203.0.113.1 3306 2
P3306=$BG_PID
on wan ping -n -c 2 -W 1 203.0.113.1
ping_rc=$?
# noisy UDP (netbios-ns) to the router
on wan "$PY" "$WORK/tool.py" udp-ask 203.0.113.1 137 noise 1 >/dev/null 2>&1
# straight at the inside, routed through the router
on wan ip route add 192.168.0.0/24 via 203.0.113.1
ono wan "$PY" "$WORK/tool.py" tcp-probe 192.168.0.2 22 2 >"$WORK/probe-in.out"
wait "$P3306"
sleep 1.2	# tcpdump writes what it read
stop "$HTTP_PID"	# (the last bg before the probe's: http_serve_1mb's)

pc() { timeout 20 tcpdump -n -r "$WORK/wan.pcap" "$@" 2>/dev/null | wc -l; }
rst22=$(pc 'src host 203.0.113.1 and tcp src port 22 and tcp[tcpflags] & tcp-rst != 0')
if grep -q 'refused' "$WORK/probe-22.out" && [ "$rst22" -ge 1 ]; then
	ok ssh_accepted_closed_port_rst
else
	fail ssh_accepted_closed_port_rst "probe: $(cat "$WORK/probe-22.out"), RSTs from :22: $rst22"
fi
icmp113=$(pc 'src host 203.0.113.1 and icmp[icmptype] = 3 and icmp[icmpcode] = 3')
rst113=$(pc 'src host 203.0.113.1 and tcp src port 113')
if grep -q 'refused' "$WORK/probe-113.out" && [ "$icmp113" -ge 1 ] && [ "$rst113" = 0 ]; then
	ok ident_rejected_icmp
else
	fail ident_rejected_icmp "probe: $(cat "$WORK/probe-113.out"), port unreachables $icmp113, TCP from :113 $rst113"
fi
if [ $ping_rc = 0 ]; then
	ok ping_allowed
else
	fail ping_allowed "ping 203.0.113.1 from outside got no answer"
fi
ans3306=$(pc 'src host 203.0.113.1 and (tcp src port 3306 or icmp)' )
if grep -q 'timed out' "$WORK/probe-3306.out" &&
	grep -q 'IN=wan0 OUT= MAC=.*SRC=203.0.113.2 DST=203.0.113.1 .*PROTO=TCP .*DPT=3306' "$WORK/masqd.log"; then
	ok other_port_dropped_and_logged
else
	fail other_port_dropped_and_logged "probe: $(cat "$WORK/probe-3306.out"); log: $(grep -c DPT=3306 "$WORK/masqd.log") lines; answers $ans3306"
fi
# an unreachable quoting a UDP datagram: the quoted protocol byte is 17;
# and the datagram did reach the rule that drops it (its counter)
ans137=$(pc 'src host 203.0.113.1 and icmp[icmptype] = 3 and icmp[17] = 17')
hit137=$(mctl iptables-save -c -t filter | grep -E '^\[[1-9][0-9]*:[0-9]+\] -A INPUT -p udp -m udp --dport 137 -j DROP' | wc -l)
if ! grep -q 'DPT=137' "$WORK/masqd.log" && [ "$ans137" = 0 ] && [ "$hit137" = 1 ]; then
	ok noisy_udp_dropped_silently
else
	fail noisy_udp_dropped_silently "log lines for DPT=137: $(grep -c 'DPT=137' "$WORK/masqd.log"), port unreachables $ans137, drop rule hit: $hit137"
fi
if grep -q 'timed out' "$WORK/probe-in.out" &&
	grep -q 'IN=wan0 OUT=lan0 .*DST=192.168.0.2 .*DPT=22' "$WORK/masqd.log"; then
	ok inbound_forward_dropped
else
	fail inbound_forward_dropped "probe: $(cat "$WORK/probe-in.out"); FORWARD log lines: $(grep -c 'OUT=lan0' "$WORK/masqd.log")"
fi

# accounting: what came in from outside (the download, the probes) and
# went out; the next dump starts from zero
mctl ipacct-dump >"$WORK/acct1.txt"
mctl ipacct-dump >"$WORK/acct2.txt"
# the count-only rule's line: pkts bytes prot opt in out source destination
acct_bytes() {	# file: bytes of acctin's count-only rule
	awk '/^Chain acctin/{c=1;next} /^Chain/{c=0} c && NF==8 && $1 ~ /^[0-9]+$/ {print $2}' "$1" | tail -1
}
bytes_in=$(acct_bytes "$WORK/acct1.txt")
bytes_in2=$(acct_bytes "$WORK/acct2.txt")
if [ "${bytes_in:-0}" -gt 1048576 ] && [ "${bytes_in2:-x}" = 0 ]; then
	ok accounting_counts_and_zeroes
else
	fail accounting_counts_and_zeroes "acctin bytes: first dump '${bytes_in:-}', second '${bytes_in2:-}' (see $WORK/acct1.txt)"
fi

# save, restore what was saved, save again: the same text
# (the chain lines' policy counters aside: a restore without -c zeroes them)
saved() { mctl iptables-save | grep -v '^#' | sed -E 's/ \[[0-9]+:[0-9]+\]$//'; }
saved >"$WORK/save1.txt"
IPTABLES_RESTORE=$WORK/bin/iptables-restore
x sh -c "'$IPTABLES_RESTORE' <'$WORK/save1.txt'"
saved >"$WORK/save2.txt"
if cmp -s "$WORK/save1.txt" "$WORK/save2.txt" && [ -s "$WORK/save1.txt" ]; then
	ok save_restore_round_trip
else
	fail save_restore_round_trip "$(diff "$WORK/save1.txt" "$WORK/save2.txt" | head -5 | tr '\n' ' ')"
fi
stats_log
