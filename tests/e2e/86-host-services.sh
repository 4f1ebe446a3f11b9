#!/usr/bin/env bash
# tests/e2e/86-host-services.sh - the router host's own services through
# masqd's twins (issue 13): sshd, DNS and DHCP from dnsmasq, and the host's
# own traffic to the outside
#
#   masq-t$$-lan   eth0 192.168.0.2/24           ssh, DNS query, download
#   masq-t$$-lan2  eth0 (no address): dhclient -> a lease from the router
#        |  (br0 in masq-t$$-sw)
#   masq-t$$-gw    lan0 192.168.0.1  <-- build/masqd owns lan0/wan0
#                  wan0 203.0.113.1
#                  lan0-h 192.168.0.1/24, wan0-h 203.0.113.1/24: the twins
#                  (TAPs masqd makes); on them the host runs
#                    sshd -D on 0.0.0.0:22 (keys made by the test)
#                    dnsmasq on lan0-h: DNS (test.lan -> 10.9.9.9) and
#                    DHCP 192.168.0.100-120
#                  and from the host itself: ping, curl, a held TCP
#                  connection to the wan node
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 (http.server :8000, TCP holder :7000)
#
# Cases (what a user would see):
#   twins_up                 lan0-h and wan0-h up with the router's addresses
#   ssh_from_lan             ssh root@192.168.0.1 runs a command on the router
#   dns_from_lan             test.lan resolves to 10.9.9.9 (router's dnsmasq)
#   dhcp_lease_lan2          lan2 gets 192.168.0.100-120 from that dnsmasq
#   lan2_reaches_outside     ... and pings 203.0.113.2 with it
#   ssh_from_wan_dropped     ssh to 203.0.113.1 from outside times out (the
#                            default INPUT policy is DROP: no RST, no answer)
#   ssh_from_wan_after_rule  ... and works after
#                            iptables -A INPUT -i wan0 -p tcp --dport 22 -j ACCEPT
#   host_ping_wan            the router host pings 203.0.113.2
#   host_curl_wan            the router host downloads 1 MiB intact
#   host_conns_tracked       conntrack -L lists the host's ping and a held
#                            TCP connection (src=203.0.113.1 dst=203.0.113.2)
#   server_sees_router       the server logged only 203.0.113.1 (host and LAN)
#   lan_download_intact      a LAN download running meanwhile arrives whole
# E2E_OFFLOAD=on|off (run.sh runs both); E2E_ROUTER=kernel: see hostlib.sh.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/hostlib.sh
. "$(dirname "$0")/hostlib.sh"

e2e_init twins_up ssh_from_lan dns_from_lan dhcp_lease_lan2 lan2_reaches_outside \
	ssh_from_wan_dropped ssh_from_wan_after_rule host_ping_wan host_curl_wan \
	host_conns_tracked server_sees_router lan_download_intact
e2e_need /usr/sbin/sshd openssh-server
e2e_need ssh openssh-client
e2e_need ssh-keygen openssh-client
e2e_need dnsmasq dnsmasq-base
e2e_need dhclient isc-dhcp-client
e2e_need curl curl
e2e_need ping iputils-ping
host_init

router_lab_up --lan2 || exit 1
capture gw lan0 lan
capture gw wan0 wan
if ! router_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
[ $KERNEL = 1 ] || twins_absent_skip
if twins_wait; then
	ok twins_up
else
	fail twins_up "$TW_LAN/$TW_WAN not up with 192.168.0.1/24 and 203.0.113.1/24 within 3 s: $(ip -n "$NS_GW" -br addr | tr -s ' \n' ' ')"
fi

# --- the host's services ------------------------------------------------
sshd_start 22 || log "  sshd did not start ($WORK/sshd.out)"
dnsmasq_bg gw dnsmasq-lan 120 --interface="$TW_LAN" --bind-interfaces \
	--listen-address=192.168.0.1 --address=/test.lan/10.9.9.9 \
	--dhcp-range=192.168.0.100,192.168.0.120,255.255.255.0,10m \
	--dhcp-option=option:router,192.168.0.1 --dhcp-option=option:dns-server,192.168.0.1 \
	--dhcp-authoritative || log "  dnsmasq did not start"

warm lan 192.168.0.1 || log "  (no answer to the warm-up pings)"
if ssh_check lan 192.168.0.1 22; then
	ok ssh_from_lan
else
	fail ssh_from_lan "ssh root@192.168.0.1 printed: ${SSH_OUT:-nothing} (sshd: $(tail -n 3 "$WORK/sshd.out" | tr '\n' ' '))"
fi

out=$(ono lan "$PY" -u "$HT" dns-a 192.168.0.1 test.lan)
if echo "$out" | grep -qx 'A 10.9.9.9'; then
	ok dns_from_lan
else
	fail dns_from_lan "query for test.lan to 192.168.0.1: $(echo "$out" | tr '\n' ' ')"
fi

# --- a DHCP lease for lan2 from the router's dnsmasq ----------------------
on lan2 ip route flush dev eth0
on lan2 ip addr flush dev eth0
dhclient_bg lan2 dhclient-lan2 60 eth0
if lease=$(addr_wait lan2 eth0 '^192\.168\.0\.(1[01][0-9]|120)/24$' 150); then
	if grep -qE "DHCPACK\($TW_LAN\) ${lease%/*} 02:6d:71:00:01:03" "$WORK/dnsmasq-lan.out"; then
		ok dhcp_lease_lan2
	else
		fail dhcp_lease_lan2 "lan2 holds $lease but the router's dnsmasq logged no DHCPACK for it"
	fi
	out=$(ono lan2 ping -n -c 3 -i 0.2 -W 1 203.0.113.2)
	if echo "$out" | grep -q ' 3 received'; then
		ok lan2_reaches_outside
	else
		fail lan2_reaches_outside "ping 203.0.113.2 from $lease: $(echo "$out" | grep -m1 'packet loss' || echo failed)"
	fi
else
	fail dhcp_lease_lan2 "no lease within 15 s (dhclient: $(grep -E 'DHCP|No ' "$WORK/dhclient-lan2.out" | tail -n 4 | tr '\n' ' '); dnsmasq: $(grep -E 'DHCP' "$WORK/dnsmasq-lan.out" | tail -n 4 | tr '\n' ' '))"
	skip lan2_reaches_outside "lan2 has no lease"
fi
stop "$DHCLIENT_PID"

# --- ssh from outside: dropped by the default rules, allowed by a rule ---
if [ $KERNEL = 1 ]; then
	masqd_only ssh_from_wan_dropped ssh_from_wan_after_rule
else
	warm wan 203.0.113.1 || log "  (no answer to the warm-up pings from wan)"
	before=$(grep -c 'Connection from 203.0.113.2' "$WORK/sshd.out")
	out=$(ono wan "$PY" -u "$WORK/tool.py" tcp-probe 203.0.113.1 22 2)
	after=$(grep -c 'Connection from 203.0.113.2' "$WORK/sshd.out")
	if echo "$out" | grep -q 'timed out' && [ "$after" = "$before" ]; then
		ok ssh_from_wan_dropped
	else
		fail ssh_from_wan_dropped "connect to 203.0.113.1:22 from outside: $out; sshd saw $((after - before)) connection(s) from 203.0.113.2"
	fi
	mctl iptables -A INPUT -i wan0 -p tcp --dport 22 -j ACCEPT >/dev/null
	if ssh_check wan 203.0.113.1 22; then
		ok ssh_from_wan_after_rule
	else
		fail ssh_from_wan_after_rule "after the INPUT rule, ssh root@203.0.113.1 printed: ${SSH_OUT:-nothing}"
	fi
fi

# --- the router host's own traffic, with a LAN download at the same time -
http_serve_1mb
bg wan tcphold 30 "$PY" -u "$WORK/tool.py" tcp-hold-server 203.0.113.2 7000 25
HOLD_SRV=$BG_PID
wait_listen wan tcp 203.0.113.2:8000 || log "  (http server not listening)"
wait_listen wan tcp 203.0.113.2:7000 || log "  (TCP holder not listening)"
rm -f "$WORK/lan-dl.bin" "$WORK/host-dl.bin"
# (paced to some 4 s, and under way before the host's own traffic)
bg lan lan-dl 30 curl -sS --max-time 25 --limit-rate 250k -o "$WORK/lan-dl.bin" \
	http://203.0.113.2:8000/1mb.bin
LAN_DL=$BG_PID
lan_dl_going() { [ -s "$WORK/lan-dl.bin" ]; }
wait_until 3 lan_dl_going || log "  (the LAN download has no bytes after 3 s)"

out=$(ono gw ping -n -c 3 -i 0.2 -W 1 203.0.113.2)
if echo "$out" | grep -q ' 3 received'; then
	ok host_ping_wan
else
	fail host_ping_wan "ping 203.0.113.2 from the router host: $(echo "$out" | grep -m1 'packet loss' || echo failed)"
fi
if on gw curl -sS --max-time 10 -o "$WORK/host-dl.bin" http://203.0.113.2:8000/1mb.bin &&
	[ "$(sha256sum <"$WORK/host-dl.bin" | cut -d' ' -f1)" = "$want" ]; then
	ok host_curl_wan
else
	fail host_curl_wan "curl from the router host: $(stat -c %s "$WORK/host-dl.bin" 2>/dev/null || echo 0) of 1048576 bytes, or a wrong checksum"
fi

bg gw host-hold 15 "$PY" -u "$WORK/tool.py" tcp-hold-client 203.0.113.2 7000 5
HOST_HOLD=$BG_PID
for _ in $(seq 30); do
	grep -q '^connected' "$WORK/host-hold.out" 2>/dev/null && break
	sleep 0.1
done
if [ $KERNEL = 1 ]; then
	masqd_only host_conns_tracked
else
	tcp='' icmp=''
	for _ in $(seq 20); do
		ct=$(mctl conntrack -L)
		tcp=$(echo "$ct" | grep -E '^tcp .*src=203\.0\.113\.1 dst=203\.0\.113\.2 sport=[0-9]+ dport=7000 ' | head -n1)
		icmp=$(echo "$ct" | grep -E '^icmp .*src=203\.0\.113\.1 dst=203\.0\.113\.2 ' | head -n1)
		[ -n "$tcp" ] && [ -n "$icmp" ] && break
		sleep 0.2
	done
	log "conntrack: tcp: ${tcp:-none}; icmp: ${icmp:-none}"
	if [ -n "$tcp" ] && [ -n "$icmp" ]; then
		ok host_conns_tracked
	else
		fail host_conns_tracked "conntrack -L: the host's TCP to 203.0.113.2:7000 ${tcp:+listed}${tcp:-missing}, its ping ${icmp:+listed}${icmp:-missing} (connection: $(tr '\n' ' ' <"$WORK/host-hold.out"))"
	fi
fi
wait "$LAN_DL" 2>/dev/null
got=$(sha256sum <"$WORK/lan-dl.bin" 2>/dev/null | cut -d' ' -f1)
if [ "$got" = "$want" ]; then
	ok lan_download_intact
else
	fail lan_download_intact "LAN download: $(stat -c %s "$WORK/lan-dl.bin" 2>/dev/null || echo 0) of 1048576 bytes, sha256 ${got:-none} ($(tr '\n' ' ' <"$WORK/lan-dl.out"))"
fi
stop "$HOST_HOLD"
stop "$HOLD_SRV"
stop "$HTTP_PID"
clients=$(grep -oE '^[0-9.]+ - - \[.*"GET ' "$WORK/http.out" | cut -d' ' -f1 | sort | uniq -c | awk '{printf "%s(%d) ", $2, $1}')
holders=$(grep -oE '^accepted [0-9.]+' "$WORK/tcphold.out" | cut -d' ' -f2 | sort -u | tr '\n' ' ')
log "http clients: $clients; TCP holder clients: $holders"
if [ "$clients" = "203.0.113.1(2) " ] && [ "$holders" = "203.0.113.1 " ]; then
	ok server_sees_router
else
	fail server_sees_router "the server saw http clients ${clients:-none}(want 203.0.113.1 twice: LAN and host) and TCP clients ${holders:-none}"
fi
[ $KERNEL = 1 ] || stats_log
