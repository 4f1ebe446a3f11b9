#!/usr/bin/env bash
# tests/e2e/74-natdiscovery.sh - masqd's NAT behaviour, classified by a real
# RFC 5780 client (coturn's turnutils_natdiscovery)
#
#   masq-t$$-lan   eth0 192.168.0.2/24, default via 192.168.0.1
#        |         (turnutils_natdiscovery -m -f 203.0.113.2, then -H)
#   masq-t$$-gw    lan0 192.168.0.1  <-- build/masqd owns both at layer 2
#                  wan0 203.0.113.1
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 + 203.0.113.3/24
#                  turnserver --stun-only on both addresses (3478, and the
#                  alternate port 3479), in the foreground under timeout,
#                  pid file and db under build/e2e/NAME/turn; never a
#                  system service
#
# masqctl set filtering/mapping switch masqd's behaviour (RFC 4787); the
# client must classify each setting as configured:
#   default                       Endpoint Independent Mapping,
#                                 Address and Port Dependent Filtering
#   filtering endpoint-independent  Endpoint Independent Filtering
#   filtering address-dependent     Address Dependent Filtering
#   mapping address-and-port-dependent  Address and Port Dependent Mapping,
#                                 and the filtering still as configured
#                                 (address-dependent)
#   -H (defaults again)           the client receives its own request sent
#                                 to its mapping: hairpinning (REQ-9)
# E2E_OFFLOAD=on|off picks the lab's veth offloads.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init turnserver_starts nat_default_mapping_eim nat_default_filtering_apdf \
	nat_filtering_eif nat_filtering_adf nat_mapping_apdm \
	nat_mapping_apdm_keeps_filtering nat_hairpinning
e2e_need turnserver coturn
e2e_need turnutils_natdiscovery coturn
e2e_need ss iproute2

lab_up || exit 1
capture wan eth0 wan
sleep 0.3
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
warm lan 203.0.113.2 || log "  (no answer to the warm-up pings)"

mkdir -p "$WORK/turn"
bg wan turnserver 150 turnserver -n --listening-ip=203.0.113.2 --listening-ip=203.0.113.3 \
	--listening-port=3478 --stun-only --no-tls --no-dtls --no-cli --no-auth-pings \
	--no-dynamic-ip-list --no-dynamic-realms --log-file=stdout --simple-log \
	--pidfile="$WORK/turn/turn.pid" --db="$WORK/turn/turndb"
TURN_PID=$BG_PID
up=1
for a in 203.0.113.2:3478 203.0.113.3:3478 203.0.113.2:3479 203.0.113.3:3479; do
	wait_listen wan udp "$a" || { up=0; break; }
done
if [ $up = 1 ]; then
	ok turnserver_starts
else
	why="turnserver does not listen on UDP 203.0.113.{2,3}:{3478,3479} here: $(grep -iE 'error|cannot|fail' "$WORK/turnserver.out" | head -n 2 | tr '\n' ' ' | cut -c1-200)"
	gone "$TURN_PID" && why="$why (it exited)"
	skip_all "$why"
fi

# natd NAME ARGS...: run the client in lan, its output to $WORK/NAME.out
# (and the log); prints only the verdict lines
natd() {
	local name=$1
	shift
	log "+ ip netns exec $NS_LAN turnutils_natdiscovery $* 203.0.113.2"
	timeout -k 2 30 ip netns exec "$NS_LAN" turnutils_natdiscovery "$@" 203.0.113.2 \
		>"$WORK/$name.out" 2>&1
	log "  (status $?)"
	cat "$WORK/$name.out" >>"$LOG"
	grep -E '^(NAT with|No NAT)|hairpinning' "$WORK/$name.out"
}
# verdict CASE OUTPUT WANT: ok when OUTPUT has the line WANT
verdict() {
	if echo "$2" | grep -qxF -- "$3"; then
		ok "$1"
	else
		fail "$1" "want \"$3\", the client said: $(echo "$2" | tr '\n' ';' | cut -c1-200)"
	fi
}
setting() {	# masqctl set WHAT MODE, then the settings in the log
	mctl set "$1" "$2" >/dev/null || log "  masqctl set $1 $2 failed"
	mctl show settings | grep -E '^(mapping|filtering) ' >/dev/null
}

out=$(natd default -m -f)
verdict nat_default_mapping_eim "$out" "NAT with Endpoint Independent Mapping!"
verdict nat_default_filtering_apdf "$out" "NAT with Address and Port Dependent Filtering!"

setting filtering endpoint-independent
out=$(natd eif -f)
verdict nat_filtering_eif "$out" "NAT with Endpoint Independent Filtering!"

setting filtering address-dependent
out=$(natd adf -f)
verdict nat_filtering_adf "$out" "NAT with Address Dependent Filtering!"

# symmetric mapping; the filtering stays address-dependent
setting mapping address-and-port-dependent
out=$(natd apdm -m -f)
verdict nat_mapping_apdm "$out" "NAT with Address and Port Dependent Mapping!"
verdict nat_mapping_apdm_keeps_filtering "$out" "NAT with Address Dependent Filtering!"

# Hairpinning with the defaults: the client sends from a second socket to
# the mapping of its first; success is the first receiving it
setting mapping endpoint-independent
setting filtering address-and-port-dependent
out=$(natd hairpin -H)
mctl stats | grep -E '^conn_hairpin\b' >/dev/null	# in the log
if echo "$out" | grep -qF 'Received a request (maybe a successful hairpinning)'; then
	ok nat_hairpinning
else
	fail nat_hairpinning "the client did not receive its own request through its mapping: $(grep -m2 -E 'timeout|Timeout|[Ee]rror' "$WORK/hairpin.out" | tr '\n' ' ')"
fi

stop "$TURN_PID"
stats_log
