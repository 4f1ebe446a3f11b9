#!/usr/bin/env bash
# tests/e2e/92-portfw.sh - ipmasqadm portfw through masqd, with real programs
# (issue 14's proof of portfw and of the bad commands)
#
#   masq-t$$-lan   eth0 192.168.0.2/24 --+  web server S1 (:80, answers "S1")
#                                        +-- br0 in masq-t$$-sw
#   masq-t$$-lan2  eth0 192.168.0.3/24 --+  web server S2 (:80, answers "S2"),
#                                        |  UDP echo :5353; the hairpin client
#   masq-t$$-gw    lan0 192.168.0.1 -----+  build/masqd; a host web server on
#                  wan0 203.0.113.1          the router (twin) at :8080
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24      the outside client (curl)
#
# What a user of `ipmasqadm portfw` sees:
#  - S1 at preference 15, S2 at 5 (added after, so at the head): 40
#    connections from outside to 203.0.113.1:80 answer S2 10 times and S1
#    30 times, in runs of 5 and 15 (the 2.2 modules' scheduler is
#    deterministic); both servers log the outside client's own address;
#    `portfw -l` shows the counters going down and the rules changing
#    places between calls;
#  - `-d` of S2's rule sends every connection to S1;
#  - a forward to another port (203.0.113.1:8080 -> S1:80) is taken
#    before the router host's own server on 8080 (ipmasqadm(8) BUGS);
#  - an internal client reaching 203.0.113.1:8080 (hairpin) gets S1's
#    page, and S1 sees the router's external address as the peer;
#  - a UDP forward (203.0.113.1:5353 -> S2:5353) answers from outside;
#  - bad commands (missing -R, port 0 and 65536, protocol icmp, deleting
#    what is not there, an fwmark that is not a number) fail with
#    ipmasqadm's kind of message and status 2 (usage) or 1 (nothing to
#    delete), and `portfw -l` is the same after each;
#  - `-f` ends forwarding: a connection to 203.0.113.1:80 from outside
#    then times out (no forward; the default INPUT policy drops, no RST).
#
# E2E_ROUTER=kernel: SKIP (portfw has no equivalent in the kernel's NAT).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/fwdlib.sh
. "$(dirname "$0")/fwdlib.sh"

e2e_init portfw_list_initial portfw_split_30_10 portfw_list_pcnt_moves \
	portfw_servers_see_client portfw_delete_one portfw_other_port \
	portfw_before_host_socket portfw_hairpin portfw_hairpin_peer_router \
	portfw_udp bad_missing_r bad_port_0 bad_port_65536 bad_protocol \
	bad_delete_absent bad_mark_not_number portfw_flush_ends
if [ "${E2E_ROUTER:-masqd}" = kernel ]; then
	skip_all "E2E_ROUTER=kernel: portfw (ipmasqadm) has no equivalent in the kernel's NAT"
fi
e2e_need curl curl

EXT=203.0.113.1 S1=192.168.0.2 S2=192.168.0.3 CLIENT=203.0.113.2

lab_up --lan2 || exit 1
capture wan eth0 wan
capture lan eth0 lan
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi

# rows: portfw -l without its header, "LADDR:LPORT>RADDR:RPORT PCNT/PREF" per rule,
# in order, space separated
rows() {
	adm portfw -l -n | awk 'NR > 1 { printf "%s:%s>%s:%s %s/%s ", $2, $4, $3, $5, $6, $7 }'
}

web lan S1 $S1 80
web lan2 S2 $S2 80
wait_listen lan tcp $S1:80 || log "S1 did not start"
wait_listen lan2 tcp $S2:80 || log "S2 did not start"

# --- scheduling: 15 and 5 ---------------------------------------------------
adm portfw -a -P tcp -L $EXT 80 -R $S1 80 -p 15 >/dev/null
adm portfw -a -P tcp -L $EXT 80 -R $S2 80 -p 5 >/dev/null
list0=$(adm portfw -l -n)
r0=$(rows)
want0="$EXT:80>$S2:80 5/5 $EXT:80>$S1:80 15/15 "
if [ "$r0" = "$want0" ] &&
	echo "$list0" | head -1 | grep -qE '^prot +localaddr +rediraddr +lport +rport +pcnt +pref$'; then
	ok portfw_list_initial
else
	fail portfw_list_initial "portfw -l: $(echo "$list0" | tr -s ' \n' ' ')"
fi

warm wan $EXT
a1=$(hits wan http://$EXT/who 3)
r1=$(rows)
a2=$(hits wan http://$EXT/who 5)
r2=$(rows)
a3=$(hits wan http://$EXT/who 32)
r3=$(rows)
all="$a1$a2$a3"
n1=$(count "$all" S1) n2=$(count "$all" S2)
log "answers: $all (S1 $n1, S2 $n2)"
# the order too: 5 x S2, 15 x S1, 5 x S2, 15 x S1
want_seq="$(printf 'S2 %.0s' 1 2 3 4 5)$(printf 'S1 %.0s' $(seq 15))"
if [ "$n1" = 30 ] && [ "$n2" = 10 ] && [ "$all" = "$want_seq$want_seq" ]; then
	ok portfw_split_30_10
else
	fail portfw_split_30_10 "S1 $n1, S2 $n2 of 40 (want 30/10 in runs 5,15,5,15): $all"
fi
# after 3: S2 at the head with 2 left; after 8: S2 moved to the tail,
# loaded again, S1 at the head used 3 times; after 40: as at the start
want1="$EXT:80>$S2:80 2/5 $EXT:80>$S1:80 15/15 "
want2="$EXT:80>$S1:80 12/15 $EXT:80>$S2:80 5/5 "
if [ "$r1" = "$want1" ] && [ "$r2" = "$want2" ] && [ "$r3" = "$want0" ]; then
	ok portfw_list_pcnt_moves
else
	fail portfw_list_pcnt_moves "after 3: '$r1' (want '$want1'); after 8: '$r2' (want '$want2'); after 40: '$r3' (want '$want0')"
fi
p1=$(tally S1)
p2=$(tally S2)
if [ "$p1" = " 30 $CLIENT " ] && [ "$p2" = " 10 $CLIENT " ]; then
	ok portfw_servers_see_client
else
	fail portfw_servers_see_client "S1 logged:${p1:- nothing}; S2 logged:${p2:- nothing} (want 30 and 10 from $CLIENT)"
fi

# --- deleting one rule --------------------------------------------------------
adm portfw -d -P tcp -L $EXT 80 -R $S2 80 >/dev/null
a=$(hits wan http://$EXT/who 6)
r=$(rows)
if [ "$(count "$a" S1)" = 6 ] && [ "$r" = "$EXT:80>$S1:80 15/15 " ]; then
	ok portfw_delete_one
else
	fail portfw_delete_one "after -d of S2's rule: answers '$a' (want 6 x S1), portfw -l '$r'"
fi

# --- another port, before the router host's own socket ------------------------
mkdir -p "$WORK/www-host"
echo HOST >"$WORK/www-host/who"
bg gw web-host 120 "$PY" -u -m http.server 8080 --bind 0.0.0.0 --directory "$WORK/www-host"
wait_listen gw tcp 0.0.0.0:8080 || log "the router host's server did not start"
# open to the outside, as an administrator would for a host service
mctl iptables -A INPUT -i wan0 -p tcp --dport 8080 -j ACCEPT >/dev/null
sleep 1.2	# masqd learns the host's ports each second (sock_diag)
host_first=$(hits wan http://$EXT:8080/who 1)
log "before the forward, $EXT:8080 answers: $host_first"
adm portfw -a -P tcp -L $EXT 8080 -R $S1 80 >/dev/null
before=$(requests S1 | wc -l)
a=$(hits wan http://$EXT:8080/who 2)
after=$(requests S1 | wc -l)
if [ "$a" = "S1 S1 " ] && [ $((after - before)) = 2 ]; then
	ok portfw_other_port
else
	fail portfw_other_port "$EXT:8080 -> $S1:80 answered '$a', S1 logged $((after - before)) new requests"
fi
if [ "$host_first" = "HOST " ] && [ "$a" = "S1 S1 " ]; then
	ok portfw_before_host_socket
else
	fail portfw_before_host_socket "without the forward $EXT:8080 answered '$host_first' (want HOST, the router's own server), with it '$a' (want S1)"
fi

# --- hairpin: an internal client at the external address ---------------------
warm lan2 192.168.0.1
before=$(requests S1 | wc -l)
a=$(hits lan2 http://$EXT:8080/who 2)
new=$(tally S1 $((before + 1)))
if [ "$a" = "S1 S1 " ]; then
	ok portfw_hairpin
else
	fail portfw_hairpin "$S2 to $EXT:8080 got '$a' (want S1 S1)"
fi
if [ "$new" = " 2 $EXT " ]; then
	ok portfw_hairpin_peer_router
else
	fail portfw_hairpin_peer_router "S1 logged the hairpinned requests from:${new:- nobody} (want 2 from $EXT)"
fi

# --- UDP ------------------------------------------------------------------------
bg lan2 udp-echo 60 "$PY" -u "$WORK/tool.py" udp-echo $S2 5353 50
wait_listen lan2 udp $S2:5353 || log "the UDP echo did not start"
adm portfw -a -P udp -L $EXT 5353 -R $S2 5353 >/dev/null
u=$(T=10 ono wan "$PY" -u "$WORK/tool.py" udp-ask $EXT 5353 portfw-udp)
if echo "$u" | grep -q "^reply from $EXT:5353 echo:portfw-udp$" &&
	grep -q "^from $CLIENT:" "$WORK/udp-echo.out"; then
	ok portfw_udp
else
	fail portfw_udp "client: '$u'; echo server: $(head -2 "$WORK/udp-echo.out" | tr '\n' ' ')"
fi

# --- bad commands: a clear error, the right status, nothing changed ----------
table=$(adm portfw -l -n)
mtable=$(adm mfw -L -n)
# bad CASE STATUS PATTERN ARGS...: ipmasqadm ARGS fails with STATUS, its
# message matching PATTERN (grep -Ei), and the tables are unchanged
bad() {
	local c=$1 st=$2 pat=$3 out rc
	shift 3
	out=$(adm "$@")
	rc=$?
	if [ "$rc" = "$st" ] && echo "$out" | grep -qEi -- "$pat" &&
		[ "$(adm portfw -l -n)" = "$table" ] && [ "$(adm mfw -L -n)" = "$mtable" ]; then
		ok "$c"
	else
		fail "$c" "ipmasqadm $*: status $rc (want $st), said '$out' (want /$pat/); tables unchanged: $([ "$(adm portfw -l -n)" = "$table" ] && [ "$(adm mfw -L -n)" = "$mtable" ] && echo yes || echo NO)"
	fi
}
bad bad_missing_r 2 '-R' portfw -a -P tcp -L $EXT 81
bad bad_port_0 2 "port '0'" portfw -a -P tcp -L $EXT 0 -R $S1 80
bad bad_port_65536 2 "port '65536'" portfw -a -P tcp -L $EXT 82 -R $S1 65536
bad bad_protocol 2 "protocol 'icmp'" portfw -a -P icmp -L $EXT 83 -R $S1 80
bad bad_delete_absent 1 "no such.*$EXT:84" portfw -d -P tcp -L $EXT 84 -R $S1 80
bad bad_mark_not_number 2 "fwmark 'abc'" mfw -A -m abc -r $S1 80

# --- -f: no forward any more ----------------------------------------------------
adm portfw -f >/dev/null
r=$(rows)
before=$(requests S1 | wc -l)
refused_or_silent wan http://$EXT/who
after=$(requests S1 | wc -l)
# curl 28: timed out (nothing answered); 7 would be refused (an RST)
if [ -z "$r" ] && [ "$CURL_RC" = 28 ] && [ "$after" = "$before" ]; then
	ok portfw_flush_ends
else
	fail portfw_flush_ends "after -f: portfw -l rows '$r'; curl status $CURL_RC (want 28, timed out): $CURL_SAID; S1 logged $((after - before)) new requests"
fi
stats_log
