#!/usr/bin/env bash
# tests/e2e/124-conf-restore.sh - saved rules load from masq.conf by path;
# service names resolve inside masqd (masq.conf(5))
#
#   masq-t$$-lan   eth0 192.168.0.2/24   tcp-probe to :7001 and :22
#        |
#   masq-t$$-gw    lan0 192.168.0.1 / wan0 203.0.113.1  <-- build/masqd
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24   servers on :7001 and :22
#
# A first masqd gets a rule from masqctl (REJECT :7001 from lan0, inserted
# first) and `masqctl iptables-save` writes saved.rules; it stops. The
# file then says `iptables-restore saved.rules` (relative: beside the
# file) and `iptables -I FORWARD -p tcp --dport ssh -j REJECT` (a service
# name, which masqd reads from /etc/services). A saved.rules with a bad
# line makes the start fail with status 1, naming saved.rules and the
# line; the good one loads: both rules are in iptables-save, both refuse,
# their counters count. A bad line put in saved.rules then makes a SIGHUP
# reload fail, naming the included file and its line, and the ruleset
# stays as it was.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init restore_saved_written restore_bad_start_refused restore_file_loads \
	restore_rule_refuses restore_service_name restore_bad_reload_unchanged
e2e_need python3 python3

CONF=$WORK/masq.conf
SAVED=$WORK/saved.rules

lab_up || exit 1
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
mctl iptables -I FORWARD -i lan0 -p tcp --dport 7001 -j REJECT --reject-with tcp-reset >/dev/null
mctl iptables-save >"$SAVED"
masqd_stop >/dev/null
if grep -qx -- '-A FORWARD -i lan0 -p tcp -m tcp --dport 7001 -j REJECT --reject-with tcp-reset' "$SAVED"; then
	ok restore_saved_written
else
	fail restore_saved_written "saved.rules: $(tr '\n' '|' <"$SAVED")"
fi
cp "$SAVED" "$WORK/good.rules"
printf 'set timeout udp 300\niptables-restore saved.rules\niptables -I FORWARD -p tcp --dport ssh -j REJECT --reject-with tcp-reset\n' >"$CONF"

# a bad line in the included file: the start refused, naming it
bad=$(grep -n '^COMMIT' "$SAVED" | tail -n 1 | cut -d: -f1)
sed "${bad}i -A FORWARD -j NOSUCHCHAIN" "$WORK/good.rules" >"$SAVED"
log "+ ip netns exec $NS_GW $MASQD ${MASQD_ARGS[*]} -c $CONF -s $SOCK -f   (must refuse)"
timeout -k 1 5 ip netns exec "$NS_GW" "$MASQD" "${MASQD_ARGS[@]}" -c "$CONF" \
	-s "$SOCK" -f >"$WORK/refuse.out" 2>&1
rc=$?
log "  status $rc: $(tr '\n' ' ' <"$WORK/refuse.out")"
if [ $rc -eq 1 ] && grep -qF "$SAVED:$bad: " "$WORK/refuse.out" &&
	grep -qF "$CONF:2: 'iptables-restore saved.rules'" "$WORK/refuse.out"; then
	ok restore_bad_start_refused
else
	fail restore_bad_start_refused "status $rc (want 1), no '$SAVED:$bad:' naming the line: $(head -c 400 "$WORK/refuse.out" | tr '\n' ' ')"
fi

cp "$WORK/good.rules" "$SAVED"
if ! masqd_start -c "$CONF"; then
	ABORT_WHY="masqd did not start with $CONF (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
rules=$(mctl iptables-save -t filter)
if grep -qx -- '-A FORWARD -i lan0 -p tcp -m tcp --dport 7001 -j REJECT --reject-with tcp-reset' <<<"$rules" &&
	grep -qF "$CONF: tables replaced by the file: filter" "$WORK/masqd.log"; then
	ok restore_file_loads
else
	fail restore_file_loads "iptables-save -t filter: $(tr '\n' '|' <<<"$rules"); log: $(tail -n 3 "$WORK/masqd.log" | tr '\n' '|')"
fi

bg wan srv1 15 "$PY" -u "$WORK/tool.py" tcp-hold-server 203.0.113.2 7001 12
bg wan srv2 15 "$PY" -u "$WORK/tool.py" tcp-hold-server 203.0.113.2 22 12
wait_listen wan tcp 203.0.113.2:7001 || log "no server on 7001"
wait_listen wan tcp 203.0.113.2:22 || log "no server on 22"
warm lan 203.0.113.2
# count RULE: the packets iptables-save -c gives the rule (none: empty)
count() { mctl iptables-save -c -t filter | grep -F -- "$1" | sed -nE 's/^\[([0-9]+):.*/\1/p'; }
# refused_counted CASE PORT RULE: a connection to PORT is refused and
# RULE's counter counts it
refused_counted() {
	local said n
	said=$(ono lan "$PY" -u "$WORK/tool.py" tcp-probe 203.0.113.2 "$2" 3)
	n=$(count "$3")
	if grep -q 'failed: .*refused' <<<"$said" && [ "${n:-0}" -ge 1 ]; then
		ok "$1"
	else
		fail "$1" "to :$2: '$said' (want refused); '$3' counted '${n:-no rule}': $(mctl iptables-save -c -t filter | grep -e "dport $2" | tr '\n' '|')"
	fi
}
refused_counted restore_rule_refuses 7001 '-A FORWARD -i lan0 -p tcp -m tcp --dport 7001 -j REJECT'
refused_counted restore_service_name 22 '-A FORWARD -p tcp -m tcp --dport 22 -j REJECT'

# a bad line in the included file at a reload: named, nothing changes
before=$(mctl iptables-save | grep -v '^#')
sed "${bad}i -A FORWARD -j NOSUCHCHAIN" "$WORK/good.rules" >"$SAVED"
kill -HUP "$MASQD_PID"
wait_until 5 grep -q 'SIGHUP: .* not reloaded' "$WORK/masqd.log"
after=$(mctl iptables-save | grep -v '^#')
if grep -qF "$SAVED:$bad: " "$WORK/masqd.log" &&
	grep -qF "SIGHUP: $CONF not reloaded; nothing changed" "$WORK/masqd.log" &&
	[ "$before" = "$after" ]; then
	ok restore_bad_reload_unchanged
else
	fail restore_bad_reload_unchanged "log: $(grep -E 'SIGHUP|saved.rules' "$WORK/masqd.log" | tr '\n' '|'); ruleset changed: $([ "$before" = "$after" ] && echo no || echo yes)"
fi
masqd_stop >/dev/null
