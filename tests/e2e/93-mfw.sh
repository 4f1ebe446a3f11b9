#!/usr/bin/env bash
# tests/e2e/93-mfw.sh - ipmasqadm mfw through masqd: forwards chosen by the
# mangle table's MARK, fail-over with -S (issue 14's proof of mfw)
#
#   masq-t$$-lan   eth0 192.168.0.2/24 --+  web server S1 (:80, answers "S1")
#                                        +-- br0 in masq-t$$-sw
#   masq-t$$-lan2  eth0 192.168.0.3/24 --+  web server S2 (:80, answers "S2"),
#                                        |  UDP echo :5353
#   masq-t$$-gw    lan0 192.168.0.1 -----+  build/masqd
#                  wan0 203.0.113.1
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 + .3 + .130: outside clients; .2 and
#                  .3 are in 203.0.113.0/25, .130 is not
#
# What a user of `ipmasqadm mfw` sees:
#  - a MARK rule (mangle PREROUTING, tcp to 203.0.113.1:80, mark 1) and
#    two targets at preference 0 (`-A -m 1 -r S1 80 -p 0`, then S2):
#    every connection goes to the head, S1, and `mfw -L` does not move;
#  - `mfw -S -m 1` makes S2 the head: every connection then goes to S2
#    (the seeds' fail-over); -S again goes back to S1;
#  - with preferences (S1 3, S2 1) the same scheduler as portfw's:
#    S1 S1 S1 S2 S1 S1 S1 S2;
#  - a UDP mark (mark 2, port 5353) and a target without RPORT: the
#    datagram reaches S2 at the port it was sent to, and is answered;
#  - a MARK rule for one source network only (-s 203.0.113.0/25): its
#    clients are forwarded, a client outside it (203.0.113.130) gets no
#    forward (its connection times out: the default INPUT policy drops);
#  - `mfw -D` of a target that is not there: status 1, nothing changes.
#
# E2E_ROUTER=kernel: SKIP (mfw's scheduling and -S have no equivalent in
# the kernel's NAT).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/fwdlib.sh
. "$(dirname "$0")/fwdlib.sh"

e2e_init mfw_head_pref0 mfw_list_pref0_still mfw_step_failover \
	mfw_step_back mfw_pref_schedule mfw_udp_original_port \
	mfw_source_net_forwarded mfw_other_net_not mfw_delete_absent \
	mfw_counted
if [ "${E2E_ROUTER:-masqd}" = kernel ]; then
	skip_all "E2E_ROUTER=kernel: mfw's scheduling and -S (ipmasqadm) have no equivalent in the kernel's NAT"
fi
e2e_need curl curl

EXT=203.0.113.1 S1=192.168.0.2 S2=192.168.0.3 OUT_IN=203.0.113.3 OUT_OFF=203.0.113.130

lab_up --lan2 || exit 1
x ip -n "$NS_WAN" addr add $OUT_OFF/24 dev eth0
capture wan eth0 wan
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi

# mrows: mfw -L without its header, "MARK RADDR:RPORT PCNT/PREF" per target
mrows() {
	adm mfw -L -n | awk 'NR > 1 { printf "%s %s:%s %s/%s ", $1, $2, $3, $4, $5 }'
}

web lan S1 $S1 80
web lan2 S2 $S2 80
wait_listen lan tcp $S1:80 || log "S1 did not start"
wait_listen lan2 tcp $S2:80 || log "S2 did not start"

mctl iptables -t mangle -A PREROUTING -p tcp -d $EXT --dport 80 \
	-j MARK --set-mark 1 >/dev/null
adm mfw -A -m 1 -r $S1 80 -p 0 >/dev/null
adm mfw -A -m 1 -r $S2 80 -p 0 >/dev/null
warm wan $EXT

# --- preference 0: the head, always; -S steps --------------------------------
want_l="1 $S1:80 0/0 1 $S2:80 0/0 "
l0=$(mrows)
a=$(hits wan http://$EXT/who 8)
l1=$(mrows)
if [ "$a" = "$(printf 'S1 %.0s' $(seq 8))" ]; then
	ok mfw_head_pref0
else
	fail mfw_head_pref0 "8 connections answered '$a' (want S1 each time)"
fi
if [ "$l0" = "$want_l" ] && [ "$l1" = "$want_l" ]; then
	ok mfw_list_pref0_still
else
	fail mfw_list_pref0_still "mfw -L before '$l0', after '$l1' (want '$want_l' both times)"
fi

adm mfw -S -m 1 >/dev/null
l2=$(mrows)
a=$(hits wan http://$EXT/who 8)
if [ "$l2" = "1 $S2:80 0/0 1 $S1:80 0/0 " ] && [ "$a" = "$(printf 'S2 %.0s' $(seq 8))" ]; then
	ok mfw_step_failover
else
	fail mfw_step_failover "after mfw -S: mfw -L '$l2', 8 connections answered '$a' (want S2 each time)"
fi
adm mfw -S -m 1 >/dev/null
a=$(hits wan http://$EXT/who 3)
if [ "$a" = "S1 S1 S1 " ] && [ "$(mrows)" = "$want_l" ]; then
	ok mfw_step_back
else
	fail mfw_step_back "after a second -S: '$a' (want S1 S1 S1), mfw -L '$(mrows)'"
fi

# --- preferences: the scheduler portfw has ------------------------------------
adm mfw -E -m 1 -r $S1 80 -p 3 >/dev/null
adm mfw -E -m 1 -r $S2 80 -p 1 >/dev/null
a=$(hits wan http://$EXT/who 8)
if [ "$a" = "S1 S1 S1 S2 S1 S1 S1 S2 " ]; then
	ok mfw_pref_schedule
else
	fail mfw_pref_schedule "S1 at 3, S2 at 1: '$a' (want S1 S1 S1 S2 S1 S1 S1 S2); mfw -L '$(mrows)'"
fi

# --- UDP, the original port -----------------------------------------------------
bg lan2 udp-echo 60 "$PY" -u "$WORK/tool.py" udp-echo $S2 5353 50
wait_listen lan2 udp $S2:5353 || log "the UDP echo did not start"
mctl iptables -t mangle -A PREROUTING -p udp -d $EXT --dport 5353 \
	-j MARK --set-mark 2 >/dev/null
adm mfw -A -m 2 -r $S2 >/dev/null
u=$(T=10 ono wan "$PY" -u "$WORK/tool.py" udp-ask $EXT 5353 mfw-udp)
if echo "$u" | grep -q "^reply from $EXT:5353 echo:mfw-udp$" &&
	grep -q '^from 203\.0\.113\.2:' "$WORK/udp-echo.out"; then
	ok mfw_udp_original_port
else
	fail mfw_udp_original_port "client: '$u'; echo server: $(head -2 "$WORK/udp-echo.out" | tr '\n' ' ')"
fi

# --- a mark for one source network only ---------------------------------------
mctl iptables -t mangle -F PREROUTING >/dev/null
mctl iptables -t mangle -A PREROUTING -s 203.0.113.0/25 -p tcp -d $EXT --dport 80 \
	-j MARK --set-mark 1 >/dev/null
adm mfw -F >/dev/null
adm mfw -A -m 1 -r $S1 80 -p 0 >/dev/null
n0=$(requests S1 | wc -l)
a=$(hits wan http://$EXT/who 2 --interface $OUT_IN)
b=$(hits wan http://$EXT/who 1)
got=$(tally S1 $((n0 + 1)))
if [ "$a$b" = "S1 S1 S1 " ] && [ "$got" = " 1 203.0.113.2 2 $OUT_IN " ]; then
	ok mfw_source_net_forwarded
else
	fail mfw_source_net_forwarded "from $OUT_IN: '$a', from 203.0.113.2: '$b' (want S1 each); S1 logged:${got:- nothing}"
fi
n0=$(requests S1 | wc -l)
refused_or_silent wan http://$EXT/who --interface $OUT_OFF
n1=$(requests S1 | wc -l)
if [ "$CURL_RC" = 28 ] && [ "$n1" = "$n0" ]; then
	ok mfw_other_net_not
else
	fail mfw_other_net_not "from $OUT_OFF (not in 203.0.113.0/25): curl status $CURL_RC (want 28, timed out): $CURL_SAID; S1 logged $((n1 - n0)) new requests"
fi

# --- deleting what is not there ------------------------------------------------
before=$(mrows)
out=$(adm mfw -D -m 1 -r $S2 80)
rc=$?
if [ $rc = 1 ] && echo "$out" | grep -qi 'no such.*fwmark 1' && [ "$(mrows)" = "$before" ]; then
	ok mfw_delete_absent
else
	fail mfw_delete_absent "mfw -D -m 1 -r $S2 80: status $rc (want 1), said '$out'; mfw -L before '$before', after '$(mrows)'"
fi

# every forwarded connection counted once: 8 + 8 + 3 + 8 + 1 UDP + 3
n=$(mctl stats | awk '$1 == "conn_mfw" { print $2 }')
if [ "$n" = 31 ]; then
	ok mfw_counted
else
	fail mfw_counted "masqctl stats conn_mfw ${n:-absent} (want 31)"
fi
stats_log
