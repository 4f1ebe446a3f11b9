#!/usr/bin/env bash
# tests/e2e/123-conf-tables.sh - a table masq.conf writes starts empty, as
# with iptables-restore; the default policies stay (masq.conf(5))
#
#   masq-t$$-lan   eth0 192.168.0.2/24   tcp-probe to :7001 and :7002
#        |
#   masq-t$$-gw    lan0 192.168.0.1 / wan0 203.0.113.1  <-- build/masqd -c
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24   a server on :7001 and :7002; a
#                                        capture of its link
#
# The file is a converted firewall: filter FORWARD accepts established
# traffic, REJECTs :7001 from lan0, accepts the rest from lan0; mangle
# clamps the MSS of SYNs going out to 1200. The default ruleset's
# `-A FORWARD -i lan0 -j ACCEPT` would accept :7001 first if the file's
# rules were added behind it: here the client sees the refusal (a reset)
# and the REJECT rule's counter counts it, the SYN to :7002 leaves with
# MSS 1200, the log says which tables the file replaced, and the filter
# policies are still DROP (the file set none). A SIGHUP reload with a
# file that writes nat without MASQUERADE logs the warning, and nat then
# masquerades nothing.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init conf_reject_refused conf_reject_counted conf_mss_clamped \
	conf_log_replaced conf_policy_stays_drop conf_nat_warning
e2e_need tcpdump tcpdump
e2e_need python3 python3

CONF=$WORK/masq.conf
cat >"$CONF" <<'EOF'
# a converted firewall: these tables replace the default ruleset's
iptables -A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT
iptables -A FORWARD -i lan0 -p tcp --dport 7001 -j REJECT --reject-with tcp-reset
iptables -A FORWARD -i lan0 -j ACCEPT
iptables -t mangle -A FORWARD -o wan0 -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1200
EOF

lab_up || exit 1
if ! masqd_start -c "$CONF"; then
	ABORT_WHY="masqd did not start with $CONF (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi

bg wan srv1 20 "$PY" -u "$WORK/tool.py" tcp-hold-server 203.0.113.2 7001 15
bg wan srv2 20 "$PY" -u "$WORK/tool.py" tcp-hold-server 203.0.113.2 7002 15
wait_listen wan tcp 203.0.113.2:7001 || log "no server on 7001"
wait_listen wan tcp 203.0.113.2:7002 || log "no server on 7002"
bg wan tcpdump 20 tcpdump -Z root -n -i eth0 --immediate-mode -c 200 -s 128 -U \
	-w "$WORK/wan.pcap" 'tcp port 7002'
CAP_PID=$BG_PID
wait_until 3 grep -q 'listening on' "$WORK/tcpdump.out"
warm lan 203.0.113.2

said=$(ono lan "$PY" -u "$WORK/tool.py" tcp-probe 203.0.113.2 7001 3)
if grep -q 'failed: .*refused' <<<"$said"; then
	ok conf_reject_refused
else
	fail conf_reject_refused "the client's connection to :7001: '$said' (want refused)"
fi
hits=$(mctl iptables-save -c -t filter |
	grep -E -- '-A FORWARD -i lan0 -p tcp -m tcp --dport 7001 -j REJECT' |
	sed -nE 's/^\[([0-9]+):.*/\1/p')
if [ "${hits:-0}" -ge 1 ]; then
	ok conf_reject_counted
else
	fail conf_reject_counted "the REJECT rule counted '${hits:-no rule}': $(mctl iptables-save -c -t filter | tr '\n' '|')"
fi

said2=$(ono lan "$PY" -u "$WORK/tool.py" tcp-probe 203.0.113.2 7002 3)
sleep 0.5	# tcpdump writes what it read
stop "$CAP_PID"
syn=$(timeout 10 tcpdump -n -v -r "$WORK/wan.pcap" \
	'src host 203.0.113.1 and dst port 7002 and tcp[tcpflags] & tcp-syn != 0' 2>/dev/null |
	grep -o 'mss [0-9]*' | head -1)
if [ "$syn" = "mss 1200" ] && grep -q connected <<<"$said2"; then
	ok conf_mss_clamped
else
	fail conf_mss_clamped "the SYN out to :7002 carries '${syn:-no mss}'; the client: '$said2'"
fi

if grep -qF "$CONF: tables replaced by the file: filter mangle" "$WORK/masqd.log"; then
	ok conf_log_replaced
else
	fail conf_log_replaced "no 'tables replaced by the file: filter mangle' in the log: $(tail -n 3 "$WORK/masqd.log" | tr '\n' '|')"
fi

rules=$(mctl iptables -S)
if grep -qx -- '-P FORWARD DROP' <<<"$rules" && grep -qx -- '-P INPUT DROP' <<<"$rules" &&
	! grep -q -- '-A FORWARD -i lan0 -j ACCEPT$' <<<"$(head -n 5 <<<"$rules")"; then
	ok conf_policy_stays_drop
else
	fail conf_policy_stays_drop "iptables -S: $(tr '\n' '|' <<<"$rules")"
fi

# a reload whose file writes nat with no MASQUERADE or SNAT
cat >"$CONF" <<'EOF'
iptables -t nat -A PREROUTING -i wan0 -p tcp --dport 8080 -j DNAT --to-destination 192.168.0.2:80
EOF
kill -HUP "$MASQD_PID"
wait_until 5 grep -q 'SIGHUP: .* reloaded' "$WORK/masqd.log"
nat=$(mctl iptables-save -t nat)
if grep -qF "$CONF: nat has no MASQUERADE or SNAT: nothing will be masqueraded" "$WORK/masqd.log" &&
	grep -qF "$CONF: tables replaced by the file: nat" "$WORK/masqd.log" &&
	! grep -q MASQUERADE <<<"$nat"; then
	ok conf_nat_warning
else
	fail conf_nat_warning "log: $(grep -E 'SIGHUP|nat has|replaced' "$WORK/masqd.log" | tr '\n' '|'); nat: $(tr '\n' '|' <<<"$nat")"
fi
masqd_stop >/dev/null
