#!/usr/bin/env bash
# tests/e2e/91-origdst-user.sh - one unprivileged user may ask masqd
# origdst, and nothing else (masqctl set origdst-user)
#
#   masq-t$$-lan   eth0 192.168.0.2/24
#        |
#   masq-t$$-gw    lan0 192.168.0.1, wan0 203.0.113.1: build/masqd -c FILE,
#        |         its control socket in a private directory (0700 at first)
#   masq-t$$-wan   eth0 203.0.113.2/24
#
# No traffic: the user is nobody (uid 65534, group nogroup), running
# build/masqctl and build/tools/origdst_ask in the root namespace (a
# pathname socket is reached from any network namespace) with setpriv.
#
# 1. set origdst-user nobody while the socket's directory is 0700: refused,
#    naming it; the socket stays 0600 and nobody cannot connect.
# 2. The directory 0711: taken; the socket is 0660, group nogroup; show
#    settings and save list it (save by name).
# 3. As nobody: masqctl origdst and origdst_ask answer "no such
#    connection" (status 1: no connection was REDIRECTed); masqctl stats,
#    iptables -F and set origdst-user none are refused, "may only ask
#    origdst", and change nothing (the ruleset is the same after).
# 4. SIGHUP reloads the -c file: the setting stays, nobody still asks.
# 5. set origdst-user none: the socket 0600 again, nobody cannot connect
#    (masqctl says who may use the socket).
# The real answer (a REDIRECTed connection through the router host's
# twin) is tests/e2e/87-redirect-origdst.sh's.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init unreachable_dir_refused set_makes_socket_0660 setting_listed \
	user_asks_origdst user_tool_asks_origdst user_refused_other_commands \
	refusal_changes_nothing reload_keeps_setting none_closes_socket
e2e_need setpriv util-linux
getent passwd nobody >/dev/null || skip_all "needs the user nobody"
NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)
ASK=$E2E_ROOT/build/tools/origdst_ask
CONF=$WORK/masq.conf
echo "set timeout udp 300" >"$CONF"

# cap OUT CMD...: CMD (5 s at most), both streams into OUT and the log;
# returns its status
cap() {
	local out=$1 rc
	shift
	log "+ $*"
	timeout -k 2 5 "$@" >"$out" 2>&1
	rc=$?
	cat "$out" >>"$LOG"
	[ $rc -eq 0 ] || log "  (status $rc)"
	return $rc
}

# as_nobody OUT CMD...: cap, as nobody with no other group
as_nobody() {
	local out=$1
	shift
	cap "$out" setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" \
		--clear-groups "$@"
}

# nobody_masqctl OUT ARGS...: masqctl as nobody
nobody_masqctl() {
	local out=$1
	shift
	as_nobody "$out" "$MASQCTL" -s "$SOCK" "$@"
}

# root_masqctl OUT ARGS...: masqctl as root
root_masqctl() {
	local out=$1
	shift
	cap "$out" "$MASQCTL" -s "$SOCK" "$@"
}

# sock_mode: "MODE GROUP" of the control socket
sock_mode() { stat -c '%a %g' "$SOCK"; }

# hup_and_wait WHAT: SIGHUP masqd, wait (3 s) for a log line with WHAT
hup_and_wait() {
	local n i
	n=$(grep -c "$1" "$WORK/masqd.log")
	log "+ kill -HUP $MASQD_PID (masqd)"
	kill -HUP "$MASQD_PID"
	for i in $(seq 30); do
		[ "$(grep -c "$1" "$WORK/masqd.log")" -gt "$n" ] && return 0
		sleep 0.1
	done
	log "  no '$1' in masqd's log 3 s after SIGHUP"
	return 1
}

lab_up || exit 1
# masqd's packet process runs as daemon: nobody (its default without a
# masq user) is the origdst user here
MASQD_GID=$(id -g daemon)	# the socket's group while no one else has it
masqd_start -c "$CONF" --user daemon || { ABORT_WHY="masqd did not start"; exit 1; }
chmod 0700 "$RUNDIR"

# 1. a directory that keeps nobody out
root_masqctl "$WORK/set.out" set origdst-user nobody
rc=$?
out=$(head -c 600 "$WORK/set.out")
mode=$(sock_mode)
if [ $rc -eq 1 ] && [[ $out == *"could not reach"*"$RUNDIR"* ]] &&
	[ "$mode" = "600 $MASQD_GID" ]; then
	ok unreachable_dir_refused
else
	fail unreachable_dir_refused "status $rc, socket $mode: $out"
fi

# 2. a directory others may search
chmod 0711 "$RUNDIR"
root_masqctl "$WORK/set.out" set origdst-user nobody
rc=$?
out=$(head -c 600 "$WORK/set.out")
mode=$(sock_mode)
if [ $rc -eq 0 ] && [ "$mode" = "660 $NOBODY_GID" ]; then
	ok set_makes_socket_0660
else
	fail set_makes_socket_0660 "status $rc, socket '$mode' (want 660 $NOBODY_GID): $out"
fi
shown=$(mctl show settings | grep '^origdst-user')
# masqctl save writes it commented: masqd -c refuses it (masqctl's to set)
saved=$(mctl save | grep 'origdst-user')
if [ "$shown" = "origdst-user $NOBODY_UID:$NOBODY_GID" ] &&
	case "$saved" in "# set origdst-user nobody"[[:space:]]*) true ;; *) false ;; esac; then
	ok setting_listed
else
	fail setting_listed "show settings '$shown', save '$saved'"
fi

# 3. what nobody may and may not do
nobody_masqctl "$WORK/ask.out" origdst 192.168.0.2:40000 192.168.0.1:3128
rc=$?
if [ $rc -eq 1 ] && grep -qx 'origdst: no such connection' "$WORK/ask.out"; then
	ok user_asks_origdst
else
	fail user_asks_origdst "status $rc: $(head -c 300 "$WORK/ask.out")"
fi
if [ -x "$ASK" ]; then
	as_nobody "$WORK/tool.out" "$ASK" -s "$SOCK" 192.168.0.2:40000 \
		192.168.0.1:3128 tcp
	rc=$?
	if [ $rc -eq 1 ] && grep -q 'origdst: no such connection' "$WORK/tool.out"; then
		ok user_tool_asks_origdst
	else
		fail user_tool_asks_origdst "status $rc: $(head -c 300 "$WORK/tool.out")"
	fi
else
	skip user_tool_asks_origdst "build/tools/origdst_ask is not built (make tools)"
fi
before=$(mctl iptables-save | grep -v "^#")
bad=
for cmd in "stats" "iptables -F" "set origdst-user none" "conntrack -F"; do
	# shellcheck disable=SC2086 # the words of $cmd
	nobody_masqctl "$WORK/deny.out" $cmd
	rc=$?
	grep -q 'permission denied: this user (uid '"$NOBODY_UID"') may only ask origdst' \
		"$WORK/deny.out" && [ $rc -eq 1 ] ||
		bad="$bad '$cmd' status $rc: $(head -c 200 "$WORK/deny.out");"
done
[ -z "$bad" ] && ok user_refused_other_commands || fail user_refused_other_commands "$bad"
after=$(mctl iptables-save | grep -v "^#")
shown=$(mctl show settings | grep '^origdst-user')
denied=$(mctl stats | awk '$1 == "masqd_control_denied" { print $2 }')
if [ "$before" = "$after" ] && [ "$shown" = "origdst-user $NOBODY_UID:$NOBODY_GID" ] &&
	[ "$denied" = 4 ]; then
	ok refusal_changes_nothing
else
	fail refusal_changes_nothing "ruleset $([ "$before" = "$after" ] && echo same || echo changed), '$shown', masqd_control_denied '$denied' (want 4)"
fi

# 4. a reload keeps the setting
if hup_and_wait 'reloaded'; then
	shown=$(mctl show settings | grep '^origdst-user')
	nobody_masqctl "$WORK/ask2.out" origdst 192.168.0.2:40000 192.168.0.1:3128
	rc=$?
	if [ "$shown" = "origdst-user $NOBODY_UID:$NOBODY_GID" ] && [ $rc -eq 1 ] &&
		grep -qx 'origdst: no such connection' "$WORK/ask2.out" &&
		[ "$(sock_mode)" = "660 $NOBODY_GID" ]; then
		ok reload_keeps_setting
	else
		fail reload_keeps_setting "after SIGHUP: '$shown', socket $(sock_mode), nobody's origdst status $rc: $(head -c 200 "$WORK/ask2.out")"
	fi
else
	fail reload_keeps_setting "no 'reloaded' line: $(tail -n 3 "$WORK/masqd.log" | tr '\n' ' ')"
fi

# 5. none: root only again
root_masqctl "$WORK/set.out" set origdst-user none
rc=$?
out=$(head -c 300 "$WORK/set.out")
nobody_masqctl "$WORK/ask3.out" origdst 192.168.0.2:40000 192.168.0.1:3128
rc2=$?
if [ $rc -eq 0 ] && [ "$(sock_mode)" = "600 $MASQD_GID" ] && [ $rc2 -eq 1 ] &&
	grep -q 'Permission denied (only root may use it' "$WORK/ask3.out"; then
	ok none_closes_socket
else
	fail none_closes_socket "set none status $rc ($out), socket $(sock_mode), nobody status $rc2: $(head -c 200 "$WORK/ask3.out")"
fi
masqd_stop
