#!/usr/bin/env bash
# tests/e2e/125-reload-answer.sh - masqctl reload answers; masqd -t checks
#
#   masq-t$$-lan   eth0 192.168.0.2/24     UDP questions to :9999 and :9998
#        |
#   masq-t$$-gw    lan0 192.168.0.1, wan0 203.0.113.1: build/masqd -c FILE
#        |         (FILE: FORWARD ACCEPT, but udp :9998 dropped)
#   masq-t$$-wan   eth0 203.0.113.2/24     UDP echo on :9999 and :9998
#
# 1. Before any masqd: `masqd -t -c BAD ...` as user nobody prints each
#    bad line with its number and exits 1; `masqd --check-config GOOD ...`
#    prints "GOOD: ok" and exits 0; neither touched the router's
#    interfaces (links, sysctls), its nft ruleset or its /run/masq/NETNS
#    (no claim).
# 2. masqd starts with GOOD. FILE changes (a new setting, a second rule):
#    `masqctl reload` prints "reloaded FILE: 3 commands, rules replaced,
#    ..." with status 0, and the setting is in effect.
# 3. FILE gets a rule dropping :9999 and a bad line 3: `masqctl reload`
#    prints "FILE:3: 'set frobnicate 1' failed ..." and "FILE not
#    reloaded; nothing changed", status 1; :9999 is still answered, :9998
#    still dropped (its rule's counter grows), the setting is unchanged;
#    `show settings` says "reload-last TIME failed FILE:3: ...".
# 4. `masqctl reload now` is a usage error (status 2); two `masqctl
#    reload` at once both answer "reloaded" (the second waits its turn).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init check_bad_names_lines check_good_ok check_touches_nothing \
	reload_good_answers reload_good_in_effect reload_bad_answers \
	reload_bad_keeps_rules reload_bad_keeps_settings show_settings_last \
	reload_usage reload_two_at_once
e2e_need setpriv util-linux

CONF=$WORK/masq.conf
GOOD=$WORK/good.conf
BAD=$WORK/bad.conf
chmod 755 "$WORK"

printf '# 125: the first file\nset timeout udp 300\niptables -P FORWARD ACCEPT\niptables -I FORWARD 1 -p udp --dport 9998 -j DROP\n' >"$GOOD"
printf 'set timeout udp 300\niptables -A FORWARD -p udp --dport 9999 -j DROP\nset frobnicate 1\nbogus\n' >"$BAD"
chmod 644 "$GOOD" "$BAD"

lab_up || exit 1

GWNS=$(ip netns exec "$NS_GW" stat -L -c %i /proc/self/ns/net)

# the router's side as the kernel sees it: links (but their carrier,
# which the lab's still settling), the owned interfaces' sysctls, the nft
# ruleset, /run/masq
router_state() {
	ip netns exec "$NS_GW" ip -d link show |
		sed -E 's/NO-CARRIER,//; s/ state [A-Z]+ / /'
	ip netns exec "$NS_GW" sysctl -a -r '\.(lan0|wan0)\.' 2>/dev/null
	ip netns exec "$NS_GW" nft list ruleset 2>&1
	find "/run/masq/$GWNS" 2>/dev/null | sort	# the claims, records
}

# as_nobody CMD...: in the router's namespace, as user nobody
as_nobody() {
	ip netns exec "$NS_GW" setpriv --reuid=nobody --regid=nogroup \
		--clear-groups "$@"
}

udp_ask() {	# PORT TEXT [TRIES]: true when the echo comes back
	ono lan "$PY" -u "$WORK/tool.py" udp-ask 203.0.113.2 "$1" "$2" "${3:-3}" |
		grep -qx "reply from 203.0.113.2:$1 echo:$2"
}

# the 9998 rule's packet counter
drops_9998() {
	mctl iptables -L FORWARD -v -n -x | awk '/dpt:9998/ { print $1; exit }'
}

# --- 1. masqd -t ---------------------------------------------------------------
router_state >"$WORK/state.before"
log "+ masqd -t -c $BAD ${MASQD_ARGS[*]} (as nobody)"
as_nobody "$MASQD" -t -c "$BAD" "${MASQD_ARGS[@]}" >"$WORK/tbad.out" 2>"$WORK/tbad.err"
rc=$?
log "  status $rc: $(cat "$WORK/tbad.out" "$WORK/tbad.err" | tr '\n' ' ')"
if [ $rc = 1 ] && grep -qF "$BAD:3: 'set frobnicate 1' failed (status 2)" "$WORK/tbad.err" &&
	grep -qF "$BAD:4: 'bogus' failed" "$WORK/tbad.err" && ! grep -q ':2:' "$WORK/tbad.err" &&
	! grep -q ok "$WORK/tbad.out"; then
	ok check_bad_names_lines
else
	fail check_bad_names_lines "status $rc: $(head -c 300 "$WORK/tbad.err" | tr '\n' ' ')"
fi
log "+ masqd --check-config $GOOD ${MASQD_ARGS[*]} --gateway 203.0.113.2 (as nobody)"
as_nobody "$MASQD" --check-config "$GOOD" "${MASQD_ARGS[@]}" --gateway 203.0.113.2 \
	>"$WORK/tgood.out" 2>"$WORK/tgood.err"
rc=$?
log "  status $rc: $(cat "$WORK/tgood.out" "$WORK/tgood.err" | tr '\n' ' ')"
if [ $rc = 0 ] && [ "$(cat "$WORK/tgood.out")" = "$GOOD: ok" ]; then
	ok check_good_ok
else
	fail check_good_ok "status $rc, stdout '$(cat "$WORK/tgood.out")', stderr $(head -c 200 "$WORK/tgood.err")"
fi
router_state >"$WORK/state.after"
if cmp -s "$WORK/state.before" "$WORK/state.after"; then
	ok check_touches_nothing
else
	fail check_touches_nothing "the router changed: $(diff "$WORK/state.before" "$WORK/state.after" | head -5 | tr '\n' ' ')"
fi

# --- 2. a good reload answers ------------------------------------------------------
cp "$GOOD" "$CONF"
if ! masqd_start -c "$CONF"; then
	ABORT_WHY="masqd did not start with $CONF"
	exit 1
fi
warm lan 203.0.113.2 || log "warm-up pings unanswered"
bg wan echo9 40 "$PY" -u "$WORK/tool.py" udp-echo 203.0.113.2 9999 35
bg wan echo8 40 "$PY" -u "$WORK/tool.py" udp-echo 203.0.113.2 9998 35
wait_listen wan udp 203.0.113.2:9999 || true
wait_listen wan udp 203.0.113.2:9998 || true

printf 'set timeout udp 77\niptables -P FORWARD ACCEPT\niptables -I FORWARD 1 -p udp --dport 9998 -j DROP\n' >"$CONF"
log "+ masqctl reload"
"$MASQCTL" -s "$SOCK" reload >"$WORK/rgood.out" 2>"$WORK/rgood.err"
rc=$?
log "  status $rc: $(cat "$WORK/rgood.out" "$WORK/rgood.err" | tr '\n' ' ')"
if [ $rc = 0 ] && grep -qE "^reloaded $CONF: 3 commands, rules replaced, checked in [0-9.]+ s, applied in [0-9.]+ ms$" "$WORK/rgood.out"; then
	ok reload_good_answers
else
	fail reload_good_answers "status $rc: $(cat "$WORK/rgood.out" "$WORK/rgood.err" | head -c 300)"
fi
if mctl show settings | tr -s ' ' | grep -qx 'timeout udp 77' &&
	mctl show settings | grep -qE '^reload-last [0-9T:-]+Z ok$'; then
	ok reload_good_in_effect
else
	fail reload_good_in_effect "show settings: $(mctl show settings | tr -s ' ' | tr '\n' ';')"
fi

# --- 3. a bad reload answers and changes nothing ----------------------------------
cp "$BAD" "$CONF"
mctl iptables-save | grep '^-A' >"$WORK/rules.before"
log "+ masqctl reload (bad)"
"$MASQCTL" -s "$SOCK" reload >"$WORK/rbad.out" 2>"$WORK/rbad.err"
rc=$?
log "  status $rc: $(cat "$WORK/rbad.out" "$WORK/rbad.err" | tr '\n' ' ')"
if [ $rc = 1 ] && grep -qF "$CONF:3: 'set frobnicate 1' failed (status 2): usage" "$WORK/rbad.err" &&
	grep -qF "$CONF:4: 'bogus' failed" "$WORK/rbad.err" &&
	grep -qxF "$CONF not reloaded; nothing changed" "$WORK/rbad.err"; then
	ok reload_bad_answers
else
	fail reload_bad_answers "status $rc: $(head -c 400 "$WORK/rbad.err" | tr '\n' ' ')"
fi
d0=$(drops_9998)
if udp_ask 9999 still-1 && ! udp_ask 9998 dropped-1 1 && [ "$(drops_9998)" -gt "${d0:-0}" ] &&
	mctl iptables-save | grep '^-A' | cmp -s - "$WORK/rules.before"; then
	ok reload_bad_keeps_rules
else
	fail reload_bad_keeps_rules "9999 answered? 9998 drops $d0 -> $(drops_9998); rules: $(mctl iptables-save | grep '^-A' | tr '\n' ';')"
fi
if mctl show settings | tr -s ' ' | grep -qx 'timeout udp 77'; then
	ok reload_bad_keeps_settings
else
	fail reload_bad_keeps_settings "show settings: $(mctl show settings | tr -s ' ' | tr '\n' ';')"
fi
last=$(mctl show settings | grep '^reload-last ')
if grep -qE "^reload-last [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z failed $CONF:3: 'set frobnicate 1' failed" <<<"$last"; then
	ok show_settings_last
else
	fail show_settings_last "'$last'"
fi

# --- 4. usage; two at once -----------------------------------------------------
mctl reload now >/dev/null 2>&1
rc=$?
if [ $rc = 2 ]; then
	ok reload_usage
else
	fail reload_usage "masqctl reload now: status $rc"
fi
cp "$GOOD" "$CONF"
"$MASQCTL" -s "$SOCK" reload >"$WORK/r1.out" 2>&1 &
p1=$!
"$MASQCTL" -s "$SOCK" reload >"$WORK/r2.out" 2>&1
rc2=$?
wait "$p1"
rc1=$?
log "  two at once: $rc1 $(cat "$WORK/r1.out") / $rc2 $(cat "$WORK/r2.out")"
if [ $rc1 = 0 ] && [ $rc2 = 0 ] && grep -q "^reloaded $CONF: " "$WORK/r1.out" &&
	grep -q "^reloaded $CONF: " "$WORK/r2.out"; then
	ok reload_two_at_once
else
	fail reload_two_at_once "$rc1 $(cat "$WORK/r1.out") / $rc2 $(cat "$WORK/r2.out")"
fi
masqd_stop >/dev/null
