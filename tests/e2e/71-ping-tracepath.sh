#!/usr/bin/env bash
# tests/e2e/71-ping-tracepath.sh - ping, tracepath and traceroute -I through masqd
#
#   masq-t$$-lan   eth0 192.168.0.2/24, default via 192.168.0.1
#        |         (ping, tracepath -n, traceroute -I -n)
#   masq-t$$-gw    lan0 192.168.0.1  <-- build/masqd owns both at layer 2
#                  wan0 203.0.113.1
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 + 203.0.113.3/24
#
# The router's hop shows: hop 1 is 192.168.0.1 (ICMP time exceeded made
# by masqd), the last hop is 203.0.113.2 (its port unreachable or echo
# reply, translated back by masqd). The UDP-probe traceroute is in
# 10-masquerade.sh; here tracepath (UDP, with its PMTU report) and
# traceroute's ICMP-echo probes. E2E_OFFLOAD=on|off picks the offloads.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init ping_through_20 ping_full_mtu_df tracepath_router_hop \
	traceroute_icmp_router_hop
e2e_need ping iputils-ping
e2e_need tracepath iputils-tracepath
e2e_need traceroute traceroute

lab_up || exit 1
sleep 0.3
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
warm lan 203.0.113.2 || log "  (no answer to the warm-up pings)"

# 20 echo requests 50 ms apart: every one answered, by the server
out=$(ono lan ping -n -c 20 -i 0.05 -W 1 203.0.113.2)
if echo "$out" | grep -q ' 20 received' &&
	[ "$(echo "$out" | grep -c '^[0-9]* bytes from 203\.0\.113\.2: icmp_seq=.* ttl=63 ')" -eq 20 ]; then
	ok ping_through_20
else
	fail ping_through_20 "$(echo "$out" | grep -m1 'packet loss' || echo 'ping failed') (want 20 replies from 203.0.113.2 with ttl 63)"
fi

# A full-size frame (1500-byte IP packet, DF) both ways
out=$(ono lan ping -n -c 3 -i 0.2 -W 1 -M "do" -s 1472 203.0.113.2)
if echo "$out" | grep -q ' 3 received' && echo "$out" | grep -q '^1480 bytes from 203\.0\.113\.2'; then
	ok ping_full_mtu_df
else
	fail ping_full_mtu_df "$(echo "$out" | grep -m1 -E 'packet loss|too long|[Ee]rror' || echo 'ping failed')"
fi

# tracepath -n: " 1:  192.168.0.1  0.1ms" ... " 2:  203.0.113.2  0.1ms reached"
out=$(T=20 ono lan tracepath -n -m 5 203.0.113.2)
if echo "$out" | grep -qE '^ *1: +192\.168\.0\.1 ' &&
	echo "$out" | grep -qE '^ *2: +203\.0\.113\.2 .*reached'; then
	ok tracepath_router_hop
else
	fail tracepath_router_hop "$(echo "$out" | tr -s ' \n' ' ' | cut -c1-300)"
fi

# traceroute -I: ICMP echo probes with TTL 1, 2 (identifier translated)
out=$(T=20 ono lan traceroute -I -n -m 5 -w 1 -q 1 203.0.113.2)
if echo "$out" | grep -qE '^ *1 +192\.168\.0\.1 ' && echo "$out" | grep -qE '^ *2 +203\.0\.113\.2 '; then
	ok traceroute_icmp_router_hop
else
	fail traceroute_icmp_router_hop "$(echo "$out" | sed 1d | tr -s ' \n' ' ' | cut -c1-300)"
fi
stats_log
