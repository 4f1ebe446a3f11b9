# tests/e2e/dnatlib.sh - the dnatter checks that 96-dnatter (the talk's
# dnatter.conf written as DNAT rules, issue 14) and 98-dnatter (the same
# file through M85dnatter.def and masqctl rules, issue 17) share; sourced
# after lib.sh and fwdlib.sh
# shellcheck shell=bash disable=SC2034
#
# Both tests load the same three lines into the router and then ask the
# same things of lines 1 and 3 and of the servers' logs; how the lines get
# there, what line 2 is asked and what comes after stay in each test:
#
#   203.0.113.0/25  $S1  2222  80   # line 1: by source network, other port
#   203.0.113.3/32  $S2  ALL        # line 2: every port
#   203.0.113.2/32  $S2  8081       # line 3: one port, the same port
#
#   EXT S1 S2 OFF          the router's outside address, the two servers,
#                          and an outside client in no line's source
#   dnat_servers_start KEEP SECS
#                          web servers S1 ($S1:80), S2 ($S2:80), S2-8081
#                          ($S2:8081), and the UDP echo on $S2:5353 for SECS
#                          (bg's timeout KEEP), its log $WORK/udp-echo.out
#   not_through NAME CASE WHAT NODE URL [CURL_OPTS...]
#                          the connection must not get through and server
#                          NAME log nothing new; it runs in the background
#                          (its 2 s overlap the next checks, which ask
#                          other servers); not_through_end CASE judges it:
#                          curl must time out (28, the INPUT policy drops),
#                          or with KERNEL=1 (96 under E2E_ROUTER=kernel)
#                          also be refused (7, the kernel answers RST)
#   dnat_line1_check       dnat_source_net_other_port (.2 twice, .3 once
#                          to $EXT:2222 reach S1), then dnat_source_net_only
#                          started ($OFF to $EXT:2222)
#   dnat_all_source_only_start
#                          dnat_all_source_only started (.2 to $EXT:80)
#   dnat_line3_check       dnat_one_port (.2 twice to $EXT:8081 reach
#                          S2-8081), then dnat_one_port_only started ($OFF
#                          to $EXT:8081)
#   dnat_lines_judge S3_WANT
#                          the three not_through cases judged, then
#                          dnat_servers_see_client: S1 and S2 logged what
#                          the checks above sent, S2-8081 logged S3_WANT
#                          (the test's own line-2 checks may add to it)

EXT=203.0.113.1 S1=192.168.0.2 S2=192.168.0.3 OFF=203.0.113.130

dnat_servers_start() {	# keep secs
	web lan S1 $S1 80
	web lan2 S2 $S2 80
	web lan2 S2-8081 $S2 8081
	bg lan2 udp-echo "$1" "$PY" -u "$FT" listen $S2 5353 "$2"
	wait_listen lan tcp $S1:80 || log "S1 did not start"
	wait_listen lan2 tcp $S2:80 || log "S2 did not start"
	wait_listen lan2 tcp $S2:8081 || log "S2-8081 did not start"
	wait_listen lan2 udp $S2:5353 || log "the UDP echo did not start"
}

declare -A NT_NAME=() NT_WHAT=() NT_N0=()
not_through() {	# name case what node url [curl options]
	local name=$1 c=$2 what=$3
	shift 3
	NT_NAME[$c]=$name NT_WHAT[$c]=$what
	NT_N0[$c]=$(requests "$name" | wc -l)
	silent_start "$c" "$@"
}

not_through_end() {	# case
	local c=$1 name=${NT_NAME[$1]} n0=${NT_N0[$1]} n1 want=28 kernel=${KERNEL:-0}
	silent_result "$c"
	n1=$(requests "$name" | wc -l)
	[ "$kernel" = 1 ] && [ "$CURL_RC" = 7 ] && want=7
	if [ "$CURL_RC" = "$want" ] && [ "$n1" = "$n0" ]; then
		ok "$c"
	else
		fail "$c" "${NT_WHAT[$c]}: curl status $CURL_RC (want 28, timed out$([ "$kernel" = 1 ] && echo ', or 7 refused')): $CURL_SAID; $name logged $((n1 - n0)) new requests"
	fi
}

dnat_line1_check() {
	local a b
	a=$(hits wan http://$EXT:2222/who 2 --interface 203.0.113.2)
	b=$(hits wan http://$EXT:2222/who 1 --interface 203.0.113.3)
	if [ "$a$b" = "S1 S1 S1 " ]; then
		ok dnat_source_net_other_port
	else
		fail dnat_source_net_other_port "$EXT:2222 from 203.0.113.2: '$a', from .3: '$b' (want S1, $S1:80)"
	fi
	not_through S1 dnat_source_net_only "from $OFF (outside 203.0.113.0/25) to $EXT:2222" \
		wan http://$EXT:2222/who --interface $OFF
}

dnat_all_source_only_start() {
	not_through S2 dnat_all_source_only "from 203.0.113.2 (not the ALL line's source) to $EXT:80" \
		wan http://$EXT/who --interface 203.0.113.2
}

dnat_line3_check() {
	local a
	a=$(hits wan http://$EXT:8081/who 2 --interface 203.0.113.2)
	if [ "$a" = "S2-8081 S2-8081 " ]; then
		ok dnat_one_port
	else
		fail dnat_one_port "$EXT:8081 from 203.0.113.2: '$a' (want S2-8081, $S2:8081)"
	fi
	not_through S2-8081 dnat_one_port_only "from $OFF (not the line's source) to $EXT:8081" \
		wan http://$EXT:8081/who --interface $OFF
}

dnat_lines_judge() {	# s3_want
	local s1 s2 s3
	not_through_end dnat_source_net_only
	not_through_end dnat_all_source_only
	not_through_end dnat_one_port_only
	s1=$(tally S1) s2=$(tally S2) s3=$(tally S2-8081)
	if [ "$s1" = " 2 203.0.113.2 1 203.0.113.3 " ] && [ "$s2" = " 2 203.0.113.3 " ] &&
		[ "$s3" = "$1" ]; then
		ok dnat_servers_see_client
	else
		fail dnat_servers_see_client "S1 logged:${s1:- nothing}; S2:${s2:- nothing}; S2-8081:${s3:- nothing} (the clients' own addresses expected)"
	fi
}
