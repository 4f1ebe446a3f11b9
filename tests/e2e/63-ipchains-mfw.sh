#!/usr/bin/env bash
# tests/e2e/63-ipchains-mfw.sh - the ipmasqadm man page's mfw examples,
# with their ipchains marking lines, forward as the man page says
# (issue 16, on issue 14's mfw)
#
#   masq-t$$-lan   eth0 192.168.0.2/24 --+  hostA: web :80 ("A")
#                                        +-- br0 in masq-t$$-sw
#   masq-t$$-lan2  eth0 192.168.0.3/24 --+  hostB: web :80 ("B"), :22
#                                        |  ("B22"), :8080 ("B8080"),
#                                        |  UDP echo :5353
#   masq-t$$-gw    lan0 192.168.0.1 -----+  build/masqd ("yours.com" is
#                  wan0 203.0.113.1         203.0.113.1)
#        |
#   masq-t$$-wan   eth0 203.0.113.2 (clientA) + 203.0.113.3 (another
#                  client)
#
# The ruleset is what the man page takes for granted ("Forward rules
# already masq internal hosts to outside (typical)"), on a 2.2 kernel's
# open input:
#     ipchains -P input ACCEPT
#     ipchains -P forward DENY
#     ipchains -A forward -s 192.168.0.0/24 -j MASQ
# then the man page's three examples, as written:
#  1. ipchains -I input -p tcp -y -d yours.com/32 80 -m 1
#     ipmasqadm mfw -I -m 1 -r hostA 80 -p 10
#     ipmasqadm mfw -I -m 1 -r hostB 80 -p 20
#     "hostB will serve 2 times hostA connections": of 30 connections
#     B answers 20 and A 10; both servers see the client's own address.
#  2. ipchains -I forward -p tcp -d clientA/32 -s hostB/32 22
#     ipchains -I input -p tcp -y -s clientA/32 -d 0/0 22 -m 2
#     ipmasqadm mfw -I -m 2 -r hostB 22
#     clientA reaches hostB's :22; another client does not; the forward
#     rule (no target: it counts) counted hostB's answers, which walk
#     forward as any packet from the inside does (2.2's reverse
#     masquerading).
#  3. ipchains -I forward -d clientA/32 -s hostB/32
#     ipchains -I input -s clientA/32 -m 3
#     ipmasqadm mfw -I -m 3 -r hostB
#     all other traffic from clientA goes to hostB at the port it was
#     sent to (UDP :5353, TCP :8080); another client's does not.
# Last, without the typical MASQ rule (deleted), hostA's answers are
# denied in forward: a connection through example 1 times out.
# Also: iptables is refused while the ruleset is ipchains', a bad
# ipchains command is refused, nothing changed.
#
# E2E_ROUTER=kernel: SKIP (the kernel has no ipchains, nor mfw).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/fwdlib.sh
. "$(dirname "$0")/fwdlib.sh"
# shellcheck source=tests/e2e/oldlib.sh
. "$(dirname "$0")/oldlib.sh"

e2e_init mfw_weighted_two_to_one mfw_client_address_kept \
	mfw_ssh_from_clientA mfw_ssh_other_client_not \
	mfw_answers_walk_forward mfw_all_from_clientA \
	mfw_other_client_untouched mfw_needs_forward_masq \
	mfw_iptables_refused mfw_bad_command
old_init
e2e_need curl curl

EXT=203.0.113.1 HOSTA=192.168.0.2 HOSTB=192.168.0.3 CLIENTA=203.0.113.2 OTHER=203.0.113.3

lab_up --lan2 || exit 1
capture wan eth0 wan
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
fwd_write_tool
web lan A $HOSTA 80
web lan2 B $HOSTB 80
web lan2 B22 $HOSTB 22
web lan2 B8080 $HOSTB 8080
bg lan2 udp 120 "$PY" -u "$FT" listen $HOSTB 5353 110
for l in "lan $HOSTA:80" "lan2 $HOSTB:80" "lan2 $HOSTB:22" "lan2 $HOSTB:8080"; do
	# shellcheck disable=SC2086 # node and address
	wait_listen ${l% *} tcp ${l#* } || log "no listener at $l"
done
wait_listen lan2 udp $HOSTB:5353 || log "the UDP echo did not start"

must ipchains -P input ACCEPT
must ipchains -P forward DENY
must ipchains -A forward -s 192.168.0.0/24 -j MASQ
warm wan $EXT || log "  (no answer from the router to the warm-up pings)"

# --- 1. web traffic to hostA and hostB, B twice as often ----------------------
must ipchains -I input -p tcp -y -d $EXT/32 80 -m 1
must adm mfw -I -m 1 -r $HOSTA 80 -p 10
must adm mfw -I -m 1 -r $HOSTB 80 -p 20
a=$(hits wan http://$EXT/who 30)
na=$(count "$a" A) nb=$(count "$a" B)
if [ "$na" = 10 ] && [ "$nb" = 20 ]; then
	okm mfw_weighted_two_to_one
else
	fail mfw_weighted_two_to_one "30 connections: A $na, B $nb (want 10 and 20): $a; mfw -L: $(adm mfw -L -n | tr '\n' '|')"
fi
peers="$(tally A)|$(tally B)"
if [ "$peers" = " 10 $CLIENTA | 20 $CLIENTA " ]; then
	okm mfw_client_address_kept
else
	fail mfw_client_address_kept "hostA logged:$(tally A); hostB logged:$(tally B) (want $CLIENTA only)"
fi

# --- 2. ssh from clientA to hostB ----------------------------------------------
must ipchains -I forward -p tcp -d $CLIENTA/32 -s $HOSTB/32 22
must ipchains -I input -p tcp -y -s $CLIENTA/32 -d 0/0 22 -m 2
must adm mfw -I -m 2 -r $HOSTB 22
a=$(hits wan http://$EXT:22/who 2)
if [ "$a" = "B22 B22 " ]; then
	okm mfw_ssh_from_clientA
else
	fail mfw_ssh_from_clientA "from $CLIENTA to $EXT:22: '$a' (want B22 twice)"
fi
n0=$(requests B22 | wc -l)
refused_or_silent wan http://$EXT:22/who --interface $OTHER
n1=$(requests B22 | wc -l)
if [ "$n1" = "$n0" ] && [ "$CURL_RC" != 0 ]; then
	okm mfw_ssh_other_client_not
else
	fail mfw_ssh_other_client_not "from $OTHER to $EXT:22: curl status $CURL_RC '$CURL_SAID'; hostB's :22 logged $((n1 - n0)) new requests"
fi
# the rule "-p tcp -d clientA/32 -s hostB/32 22" (target "-") counted
lf=$(ipchains -L forward -n -v -x)
pk=$(echo "$lf" | awk -v a=$HOSTB -v b=$CLIENTA '$3 == "-" && $4 == "tcp" && index($0, " " a " ") && index($0, " " b " ") {print $1}')
if [ "${pk:-0}" -ge 4 ] 2>/dev/null; then
	okm mfw_answers_walk_forward
else
	fail mfw_answers_walk_forward "the forward rule from hostB:22 to clientA counted '${pk:-}' packets (want hostB's answers, 4 or more): $(echo "$lf" | tr '\n' '|')"
fi

# --- 3. everything else from clientA to hostB ----------------------------------
must ipchains -I forward -d $CLIENTA/32 -s $HOSTB/32
must ipchains -I input -s $CLIENTA/32 -m 3
must adm mfw -I -m 3 -r $HOSTB
u=$(T=10 ono wan "$PY" "$FT" ask $CLIENTA $EXT 5353 mfw3 2)
t=$(hits wan http://$EXT:8080/who 1)
if [ "$u" = "reply from $EXT:5353 echo:mfw3" ] && [ "$t" = "B8080 " ] &&
	grep -q "^5353 from $CLIENTA:[0-9]* mfw3\$" "$WORK/udp.out"; then
	okm mfw_all_from_clientA
else
	fail mfw_all_from_clientA "UDP to $EXT:5353: '$u' (hostB saw: $(grep mfw3 "$WORK/udp.out" | tr '\n' ' ')); TCP to :8080: '$t' (want B8080)"
fi
u=$(T=10 ono wan "$PY" "$FT" ask $OTHER $EXT 5353 other3 1)
n0=$(requests B8080 | wc -l)
refused_or_silent wan http://$EXT:8080/who --interface $OTHER
n1=$(requests B8080 | wc -l)
if [ "$u" = "no reply" ] && ! grep -q other3 "$WORK/udp.out" && [ "$n1" = "$n0" ]; then
	okm mfw_other_client_untouched
else
	fail mfw_other_client_untouched "from $OTHER: UDP '$u' (hostB saw: $(grep other3 "$WORK/udp.out" | tr '\n' ' ')), TCP :8080 curl $CURL_RC, hostB logged $((n1 - n0))"
fi

refused_unchanged mfw_iptables_refused "$(other_lang ipchains iptables)" \
	ctl iptables -t mangle -A PREROUTING -p tcp -d $EXT --dport 80 -j MARK --set-mark 1 &&
	okm mfw_iptables_refused
refused_unchanged mfw_bad_command '^ipchains: ' ipchains -I input -p tcp -y -d $EXT/32 80 -m one &&
	refused_unchanged mfw_bad_command '^ipchains: ' ipchains -I input -p tcp -y -d $EXT/32 80 -m &&
	okm mfw_bad_command

# --- without the typical forward MASQ rule ----------------------------------------
must ipchains -D forward -s 192.168.0.0/24 -j MASQ
a=$(hits wan http://$EXT/who 1)
if [ "$a" = "x " ]; then
	okm mfw_needs_forward_masq
else
	fail mfw_needs_forward_masq "after ipchains -D forward -s 192.168.0.0/24 -j MASQ, a connection to $EXT:80 got '$a' (want none: the answers are denied in forward)"
fi
stats_log
