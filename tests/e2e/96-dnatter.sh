#!/usr/bin/env bash
# tests/e2e/96-dnatter.sh - the ipmasq talk's dnatter, as DNAT rules, through
# masqd (issue 14's proof that it is expressible with DNAT rules)
#
#   masq-t$$-lan   eth0 192.168.0.2/24 --+  web server S1 (:80, answers "S1")
#                                        +-- br0 in masq-t$$-sw
#   masq-t$$-lan2  eth0 192.168.0.3/24 --+  web servers S2 (:80) and S2-8081
#                                        |  (:8081); UDP echo :5353
#   masq-t$$-gw    lan0 192.168.0.1 -----+  build/masqd, default ruleset
#                  wan0 203.0.113.1
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 + .3 + .130: outside clients
#
# The talk's /etc/dnatter/dnatter.conf (source network, target host, port
# on the router or ALL, target port), here:
#
#   203.0.113.0/25  192.168.0.2  2222  80   # by source network, other port
#   203.0.113.3/32  192.168.0.3  ALL        # every port (TCP and UDP)
#   203.0.113.2/32  192.168.0.3  8081       # one port, the same port
#
# becomes, line by line as M85dnatter.rul did it, `iptables -t nat -A
# PREROUTING -i wan0 -s SRC -d 203.0.113.1 [-p tcp --dport L] -j DNAT
# --to-destination DST[:D]` (ALL without -p: TCP and UDP). No FORWARD
# rule is added: the default ruleset's `--ctstate DNAT -j ACCEPT` lets
# them through.
#
# What a user sees: each line forwards what it names and only that (a
# client outside the source network, or another port, gets no forward:
# its connection times out); the servers log the client's own address;
# the filter table is the default one; without its --ctstate DNAT rule
# the forwards stop, with it back they work again.
#
# E2E_ROUTER=kernel: the same lines as nftables dnat rules on the kernel
# as the router (lab.sh up --kernel-nat, plus `ct status dnat accept` in
# its forward chain for the default rule), to prove the test itself; the
# cases that ask masqd say SKIP, and a port nothing forwards is refused
# there (the kernel answers RST) rather than timing out.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/fwdlib.sh
. "$(dirname "$0")/fwdlib.sh"
# shellcheck source=tests/e2e/dnatlib.sh
. "$(dirname "$0")/dnatlib.sh"

e2e_init dnatter_rules_loaded dnat_source_net_other_port dnat_source_net_only \
	dnat_all_tcp dnat_all_udp dnat_all_source_only dnat_one_port \
	dnat_one_port_only dnat_servers_see_client dnat_filter_untouched \
	dnat_needs_ctstate_rule
e2e_need curl curl
KERNEL=0
case "${E2E_ROUTER:-masqd}" in
masqd) ;;
kernel) KERNEL=1; e2e_need nft nftables ;;
*) skip_all "E2E_ROUTER must be masqd or kernel, not '$E2E_ROUTER'" ;;
esac

if [ $KERNEL = 1 ]; then lab_up --lan2 --kernel-nat || exit 1; else lab_up --lan2 || exit 1; fi
x ip -n "$NS_WAN" addr add $OFF/24 dev eth0
capture wan eth0 wan
fwd_write_tool
if [ $KERNEL = 0 ] && ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi

dnat_servers_start 80 75

# nfw ARGS...: nft in the router namespace (kernel mode)
nfw() { x ip netns exec "$NS_GW" nft "$@"; }
filter_of() {	# the filter table, chain counters left out
	mctl iptables-save | sed -n '/^\*filter/,/^COMMIT/p' | sed 's/ \[[0-9]*:[0-9]*\]$//'
}
if [ $KERNEL = 1 ]; then
	nfw add chain ip masqlab prerouting '{ type nat hook prerouting priority dstnat; policy accept; }'
	nfw add rule ip masqlab forward ct status dnat accept
else
	filter0=$(filter_of)
fi

# --- dnatter.conf, line by line -------------------------------------------------
cat >"$WORK/dnatter.conf" <<EOF
# source network, target host, port on this router (or ALL), target port
203.0.113.0/25  $S1  2222  80   # by source network, to another port
203.0.113.3/32  $S2  ALL        # every port
203.0.113.2/32  $S2  8081       # one port
EOF
loaded=1
# shellcheck disable=SC2162 # the talk's loop, as written
sed -e 's/[ \t]*#.*$//' -e '/^[ \t]*$/d' "$WORK/dnatter.conf" |
while read src dst lport dport; do
	if [ -z "$lport" ] || [ "$lport" = ALL ]; then
		if [ $KERNEL = 1 ]; then
			nfw add rule ip masqlab prerouting iifname wan0 ip saddr "$src" \
				ip daddr $EXT dnat to "$dst"
		else
			mctl iptables -t nat -A PREROUTING -i wan0 -s "$src" -d $EXT \
				-j DNAT --to-destination "$dst" >/dev/null
		fi
	else
		if [ $KERNEL = 1 ]; then
			nfw add rule ip masqlab prerouting iifname wan0 ip saddr "$src" \
				ip daddr $EXT tcp dport "$lport" dnat to "$dst:${dport:-$lport}"
		else
			mctl iptables -t nat -A PREROUTING -i wan0 -s "$src" -d $EXT \
				-p tcp --dport "$lport" \
				-j DNAT --to-destination "$dst:${dport:-$lport}" >/dev/null
		fi
	fi || exit 1
done || loaded=0

if [ $KERNEL = 1 ]; then
	n=$(ip netns exec "$NS_GW" nft list chain ip masqlab prerouting | grep -c 'dnat to')
	want="3 dnat rules in nftables"
else
	n=$(mctl iptables-save -t nat | grep -cE '^-A PREROUTING -s 203\.0\.113\.[0-9]+/(25|32) -d 203\.0\.113\.1/32 -i wan0 (-p tcp -m tcp --dport (2222|8081) )?-j DNAT --to-destination 192\.168\.0\.[23](:(80|8081))?$')
	want="the 3 DNAT rules in iptables-save -t nat"
fi
if [ $loaded = 1 ] && [ "$n" = 3 ]; then
	ok dnatter_rules_loaded
else
	fail dnatter_rules_loaded "want $want, found $n (see the log)"
fi

warm wan $EXT

# line 1: by source network, to another port
dnat_line1_check

# line 2: ALL ports, TCP and UDP, from 203.0.113.3 only
a=$(hits wan http://$EXT/who 2 --interface 203.0.113.3)
if [ "$a" = "S2 S2 " ]; then
	ok dnat_all_tcp
else
	fail dnat_all_tcp "$EXT:80 from 203.0.113.3: '$a' (want S2)"
fi
u=$(T=5 ono wan "$PY" -u "$FT" ask 203.0.113.3 $EXT 5353 dnatter-all 2)
if [ "$u" = "reply from $EXT:5353 echo:dnatter-all" ] &&
	grep -q '^5353 from 203\.0\.113\.3:[0-9]* dnatter-all$' "$WORK/udp-echo.out"; then
	ok dnat_all_udp
else
	fail dnat_all_udp "UDP to $EXT:5353 from 203.0.113.3: '$u'; the echo on $S2 logged: $(tr '\n' ' ' <"$WORK/udp-echo.out")"
fi
dnat_all_source_only_start

# line 3: one port, the same port, from 203.0.113.2 only
dnat_line3_check

dnat_lines_judge " 2 203.0.113.2 "

# --- the filter: the default ruleset's --ctstate DNAT rule does it ---------------
if [ $KERNEL = 1 ]; then
	skip dnat_filter_untouched "E2E_ROUTER=kernel: asks masqd (its default ruleset)"
else
	filter1=$(filter_of)
	if [ "$filter1" = "$filter0" ] &&
		echo "$filter1" | grep -qx -- '-A FORWARD -m conntrack --ctstate DNAT -j ACCEPT'; then
		ok dnat_filter_untouched
	else
		fail dnat_filter_untouched "the filter table changed or has no --ctstate DNAT accept: $(echo "$filter1" | grep '^-A' | tr '\n' ';')"
	fi
fi

# without that rule the forwards stop; with it back they work again
if [ $KERNEL = 1 ]; then
	h=$(ip netns exec "$NS_GW" nft -a list chain ip masqlab forward |
		awk '/ct status dnat accept/ { print $NF }')
	nfw delete rule ip masqlab forward handle "${h:-0}"
else
	mctl iptables -D FORWARD -m conntrack --ctstate DNAT -j ACCEPT >/dev/null
fi
n0=$(requests S1 | wc -l)
refused_or_silent wan http://$EXT:2222/who --interface 203.0.113.2
rc_without=$CURL_RC
n1=$(requests S1 | wc -l)
if [ $KERNEL = 1 ]; then
	nfw add rule ip masqlab forward ct status dnat accept
else
	mctl iptables -I FORWARD 2 -m conntrack --ctstate DNAT -j ACCEPT >/dev/null
fi
a=$(hits wan http://$EXT:2222/who 1 --interface 203.0.113.2)
if [ "$rc_without" = 28 ] && [ "$n1" = "$n0" ] && [ "$a" = "S1 " ] &&
	{ [ $KERNEL = 1 ] || [ "$(filter_of)" = "$filter0" ]; }; then
	ok dnat_needs_ctstate_rule
else
	fail dnat_needs_ctstate_rule "without the rule: curl status $rc_without (want 28), S1 logged $((n1 - n0)) new; with it back: '$a' (want S1)"
fi
[ $KERNEL = 1 ] || stats_log
