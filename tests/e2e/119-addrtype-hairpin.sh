#!/usr/bin/env bash
# tests/e2e/119-addrtype-hairpin.sh - the hairpin port forward written with
# -m addrtype --dst-type LOCAL, and TTL/TOS set by mangle rules, seen on the
# wire (issue 20)
#
#   masq-t$$-lan   eth0 192.168.0.2/24 --+  web server S1 (:80, answers "S1")
#                                        +-- br0 in masq-t$$-sw
#   masq-t$$-lan2  eth0 192.168.0.3/24 --+  an inside client
#                                        |
#   masq-t$$-gw    lan0 192.168.0.1 -----+  build/masqd --workers 2 (1 on a
#                  wan0 203.0.113.1           one-CPU machine), default
#        |                                    ruleset plus the rules below
#   masq-t$$-wan   eth0 203.0.113.2/24: an outside client, and web server
#                  W (:8080, answers "W")
#
# The rules, as a Linux router's owner writes them:
#
#   -t nat -A PREROUTING -m addrtype --dst-type LOCAL -p tcp --dport 8080
#          -j DNAT --to-destination 192.168.0.2:80
#   -t nat -A POSTROUTING -s 192.168.0.0/24 -d 192.168.0.2/32 -p tcp
#          --dport 80 -j MASQUERADE                 (the hairpin's answer)
#   -t mangle -A POSTROUTING -o lan0 -p tcp --dport 80 -j TTL --ttl-set 33
#   -t mangle -A POSTROUTING -o lan0 -p tcp --dport 80 -j TOS --set-tos 0x10
#
# What a user sees: an outside client asking the router's external address
# on 8080 gets S1's page, and S1 logs the client's own address; an inside
# client asking the same gets the same page, and S1 logs the router's LAN
# address (the masquerade of the hairpin), so its answer comes back through
# the router; 8080 of an address that is not the router's is not
# forwarded (the inside client reaches W out there); the segments that
# reach S1 carry TTL 33 and TOS 0x10 with valid checksums (S1's kernel
# took them: the page came; tcpdump in S1's namespace shows the fields and
# no bad checksum).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/fwdlib.sh
. "$(dirname "$0")/fwdlib.sh"

e2e_init addrtype_rules_loaded addrtype_hairpin_outside addrtype_hairpin_inside \
	addrtype_not_local_not_forwarded addrtype_server_sees \
	mangle_ttl_tos_on_wire
e2e_need curl curl
e2e_need tcpdump tcpdump

EXT=203.0.113.1 S1=192.168.0.2 IN=192.168.0.3 OUT=203.0.113.2
workers=2
[ "$(nproc)" -lt 2 ] && workers=1

lab_up --lan2 || exit 1
bg lan tcpdump-s1 120 tcpdump -Z root -n -i eth0 -c 2000 -s 128 -U \
	-w "$WORK/s1.pcap" tcp port 80
PCAP_PID=$BG_PID
if ! masqd_start --workers $workers; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi

web lan S1 $S1 80
web wan W $OUT 8080
wait_listen lan tcp $S1:80 || log "S1 did not start"
wait_listen wan tcp $OUT:8080 || log "W did not start"

# --- the rules ------------------------------------------------------------------
loaded=1
mctl iptables -t nat -A PREROUTING -m addrtype --dst-type LOCAL -p tcp \
	--dport 8080 -j DNAT --to-destination $S1:80 >/dev/null || loaded=0
mctl iptables -t nat -A POSTROUTING -s 192.168.0.0/24 -d $S1/32 -p tcp \
	--dport 80 -j MASQUERADE >/dev/null || loaded=0
mctl iptables -t mangle -A POSTROUTING -o lan0 -p tcp --dport 80 \
	-j TTL --ttl-set 33 >/dev/null || loaded=0
mctl iptables -t mangle -A POSTROUTING -o lan0 -p tcp --dport 80 \
	-j TOS --set-tos 0x10 >/dev/null || loaded=0
saved=$(mctl iptables-save)
if [ $loaded = 1 ] &&
	echo "$saved" | grep -qx -- "-A PREROUTING -p tcp -m addrtype --dst-type LOCAL -m tcp --dport 8080 -j DNAT --to-destination $S1:80" &&
	echo "$saved" | grep -qx -- '-A POSTROUTING -o lan0 -p tcp -m tcp --dport 80 -j TTL --ttl-set 33' &&
	echo "$saved" | grep -qx -- '-A POSTROUTING -o lan0 -p tcp -m tcp --dport 80 -j TOS --set-tos 0x10/0xff'; then
	ok addrtype_rules_loaded
else
	fail addrtype_rules_loaded "the rules are not in iptables-save as written: $(echo "$saved" | grep -E 'addrtype|TTL|TOS' | tr '\n' ';')"
fi

warm wan $EXT
warm lan2 192.168.0.1

# --- the port forward from outside and from inside --------------------------------
# through NODE: three asks of $EXT:8080; SAID the answers, FROM whom S1 logged
through() {
	local n0
	n0=$(requests S1 | wc -l)
	SAID=$(hits "$1" http://$EXT:8080/who 3)
	FROM=$(requests S1 | tail -n +$((n0 + 1)) | sort -u | tr '\n' ' ')
}
declare -A SEEN=()	# case -> whom S1 logged
for who in outside:wan:$OUT inside:lan2:$IN; do
	IFS=: read -r c node addr <<<"$who"
	through "$node"
	SEEN[$c]=$FROM
	if [ "$SAID" = "S1 S1 S1 " ]; then
		ok "addrtype_hairpin_$c"
	else
		fail "addrtype_hairpin_$c" "$EXT:8080 from $addr: '$SAID' (want S1 three times)"
	fi
done

# --- 8080 of an address that is not the router's: not forwarded -------------------
n2=$(requests S1 | wc -l)
c=$(hits lan2 http://$OUT:8080/who 2)
n3=$(requests S1 | wc -l)
if [ "$c" = "W W " ] && [ "$n3" = "$n2" ]; then
	ok addrtype_not_local_not_forwarded
else
	fail addrtype_not_local_not_forwarded "$OUT:8080 from $IN: '$c' (want W twice), S1 logged $((n3 - n2)) of them"
fi

# --- who S1 saw --------------------------------------------------------------------
if [ "${SEEN[outside]}" = "$OUT " ] && [ "${SEEN[inside]}" = "192.168.0.1 " ]; then
	ok addrtype_server_sees
else
	fail addrtype_server_sees "S1 logged '${SEEN[outside]}' for the outside client (want $OUT) and '${SEEN[inside]}' for the inside one (want 192.168.0.1)"
fi

# --- TTL and TOS on the wire into S1 ------------------------------------------------
sleep 1
stop "$PCAP_PID"	# tcpdump writes its last packets out
dump=$(timeout 10 tcpdump -n -v -r "$WORK/s1.pcap" "dst host $S1 and dst port 80" 2>/dev/null)
echo "$dump" >"$WORK/s1.txt"
nseg=$(echo "$dump" | grep -c 'proto TCP')
nright=$(echo "$dump" | grep -c 'tos 0x10, ttl 33,')
nbad=$(echo "$dump" | grep -ci 'bad cksum\|incorrect')
if [ "$nseg" -ge 12 ] && [ "$nright" = "$nseg" ] && [ "$nbad" = 0 ]; then
	ok mangle_ttl_tos_on_wire
else
	fail mangle_ttl_tos_on_wire "of $nseg segments to $S1:80, $nright had tos 0x10 and ttl 33, $nbad a bad checksum (build/e2e/$E2E_NAME/s1.txt)"
fi
stats_log
