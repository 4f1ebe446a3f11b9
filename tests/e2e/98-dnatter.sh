#!/usr/bin/env bash
# tests/e2e/98-dnatter.sh - destination NAT by file: masq's M85dnatter.def
# and a dnatter.conf in the ipmasq talk's format, through masqctl rules
# (issue 17)
#
#   masq-t$$-lan   eth0 192.168.0.2/24 --+  web server S1 (:80)
#                                        +-- br0 in masq-t$$-sw
#   masq-t$$-lan2  eth0 192.168.0.3/24 --+  web servers S2 (:80), S2-8081
#                                        |  (:8081); UDP echo :5353
#   masq-t$$-gw    lan0 192.168.0.1 -----+  build/masqd; masqctl rules
#                  wan0 203.0.113.1         with the shipped rules/*.def
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 + .3 + .130: outside clients
#
# dnatter.conf (the talk's format: source network, target host, port on
# the router or ALL, target port; comments, blank lines):
#
#   203.0.113.0/25  192.168.0.2  2222  80   # by source network, other port
#   203.0.113.3/32  192.168.0.3  ALL        # every port
#   203.0.113.2/32  192.168.0.3  8081       # one port, the same port
#
# What a user sees: each line forwards what it names and only that (a
# client outside the line's source, or another port, gets nothing through:
# its connection times out); the servers log the client's own address;
# TCP only, until dnatter_protos="tcp udp" is set in a .rul; a bad line
# stops the run with "dnatter.conf:LINE: what is wrong", the ruleset
# unchanged and the forwards as they were.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/fwdlib.sh
. "$(dirname "$0")/fwdlib.sh"
# shellcheck source=tests/e2e/dnatlib.sh
. "$(dirname "$0")/dnatlib.sh"

e2e_init dnatter_rules_loaded dnat_source_net_other_port dnat_source_net_only \
	dnat_all_ports dnat_all_source_only dnat_one_port dnat_one_port_only \
	dnat_servers_see_client dnat_tcp_only_by_default dnat_udp_when_asked \
	dnat_bad_line_named dnat_bad_line_changes_nothing
e2e_need curl curl
[ "${E2E_ROUTER:-masqd}" = masqd ] || skip_all "masqctl rules needs masqd (E2E_ROUTER=${E2E_ROUTER:-})"
[ -r "$E2E_ROOT/rules/M85dnatter.def" ] || skip_all "rules/M85dnatter.def is missing"

lab_up --lan2 || exit 1
x ip -n "$NS_WAN" addr add $OFF/24 dev eth0
fwd_write_tool
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi

dnat_servers_start 150 140

DIR=$WORK/rules
mkdir -p "$DIR"
cp "$E2E_ROOT"/rules/*.def "$DIR/"
CONF=$WORK/dnatter.conf
printf 'dnatter_conf=%s\n' "$CONF" >"$DIR/A50dnatter.rul"

# rules: masqctl rules $DIR in the router's namespace; $SAID, status
rules() {
	local rc
	log "+ [gw] masqctl rules $DIR"
	SAID=$(timeout -k 2 60 ip netns exec "$NS_GW" "$MASQCTL" -s "$SOCK" rules "$DIR" 2>&1)
	rc=$?
	[ -n "$SAID" ] && log "$SAID"
	log "  (status $rc)"
	return $rc
}
iptsave() { timeout 10 "$MASQCTL" -s "$SOCK" iptables-save 2>&1 | grep -v '^#'; }

cat >"$CONF" <<EOF
# Each line describes a DNAT of one port from this router to a target host.
# source network, target host, port on this router (or ALL), target port

203.0.113.0/25  $S1  2222  80   # by source network, to another port
203.0.113.3/32  $S2  ALL        # every port
	203.0.113.2/32	$S2	8081	# one port
EOF
rules
rc=$?
n=$(iptsave | grep -cE '^-A PREROUTING -s 203\.0\.113\.[0-9]+/(25|32) -i wan0 -p tcp (-m tcp --dport (2222|8081) )?-j DNAT --to-destination 192\.168\.0\.[23](:(80|8081))?$')
if [ $rc = 0 ] && [ "$n" = 3 ]; then
	ok dnatter_rules_loaded
else
	fail dnatter_rules_loaded "status $rc ($SAID); want the 3 DNAT rules in iptables-save -t nat, found $n"
fi

warm wan $EXT

dnat_line1_check

a=$(hits wan http://$EXT/who 2 --interface 203.0.113.3)
b=$(hits wan http://$EXT:8081/who 1 --interface 203.0.113.3)
if [ "$a$b" = "S2 S2 S2-8081 " ]; then
	ok dnat_all_ports
else
	fail dnat_all_ports "from 203.0.113.3: $EXT:80 '$a', $EXT:8081 '$b' (want S2, S2-8081)"
fi
dnat_all_source_only_start

dnat_line3_check

# UDP: not forwarded by default (the talk's rules are TCP)
u0=$(T=5 ono wan "$PY" -u "$FT" ask 203.0.113.3 $EXT 5353 dnatter-tcp-only 2)

dnat_lines_judge " 2 203.0.113.2 1 203.0.113.3 "

if [ "$u0" = "no reply" ] && ! grep -q 'dnatter-tcp-only' "$WORK/udp-echo.out"; then
	ok dnat_tcp_only_by_default
else
	fail dnat_tcp_only_by_default "UDP to $EXT:5353 from 203.0.113.3: '$u0' (want no reply)"
fi

printf 'dnatter_protos="tcp udp"\n' >>"$DIR/A50dnatter.rul"
rules
rc=$?
u=$(T=5 ono wan "$PY" -u "$FT" ask 203.0.113.3 $EXT 5353 dnatter-udp 2)
if [ $rc = 0 ] && [ "$u" = "reply from $EXT:5353 echo:dnatter-udp" ] &&
	grep -q '^5353 from 203\.0\.113\.3:[0-9]* dnatter-udp$' "$WORK/udp-echo.out"; then
	ok dnat_udp_when_asked
else
	fail dnat_udp_when_asked "status $rc; UDP to $EXT:5353 from 203.0.113.3: '$u'"
fi

# a bad line: named, and nothing changes
before=$(iptsave)
cat >>"$CONF" <<EOF
203.0.113.64/26  192.168.0.300  2223
EOF
bad_at=$(wc -l <"$CONF")
rules
rc=$?
after=$(iptsave)
if [ $rc = 1 ] && echo "$SAID" | grep -q "dnatter\.conf:$bad_at: bad target '192\.168\.0\.300'" &&
	echo "$SAID" | grep -q 'the old ruleset stays'; then
	ok dnat_bad_line_named
else
	fail dnat_bad_line_named "status $rc (want 1); said '$SAID' (want dnatter.conf:$bad_at: bad target ...)"
fi
a=$(hits wan http://$EXT:2222/who 1 --interface 203.0.113.2)
if [ "$before" = "$after" ] && [ "$a" = "S1 " ]; then
	ok dnat_bad_line_changes_nothing
else
	fail dnat_bad_line_changes_nothing "ruleset $([ "$before" = "$after" ] && echo unchanged || echo CHANGED); $EXT:2222 from .2 after: '$a' (want S1)"
fi
stats_log
