#!/usr/bin/env bash
# tests/e2e/129-admin-small.sh - issue 21 item 9, as the administrator sees
# it: stats names, --help, --version, typos, an iptables rule naming an
# interface masqd has not, the pid file
#
#   masq-t$$-gw    lan0 192.168.0.1, wan0 203.0.113.1: build/masqd -c FILE,
#                  one start for every case (no packets are needed)
#
# - masqctl stats prints each name once (neigh_queued, the frames that
#   ever waited for ARP, and neigh_queue, those waiting now, once each);
# - masqctl --help has a line for every verb masqd's engine says it runs
#   (its unknown-command answer lists them), reset rules among them;
# - masqd --version and masqctl --version print debian/changelog's
#   version, status 0;
# - masqd --internl and masqctl relaod name what was meant, status 2;
# - iptables -A ... -i wan9 is accepted and says "no interface wan9
#   (yet)" in its reply and masqd's log, once: not for a second rule
#   naming it; a wildcard matching none (ppp+) the same; wan+ nothing;
# - the pid file beside the socket (masqd.pid for masqd.sock) holds
#   masqd's pid, a stale one left before the start is said so and
#   replaced; kill -HUP $(cat it) reloads the file; it is gone after
#   SIGTERM.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init stats_names_once help_lists_every_verb version_both \
	masqd_option_typo masqctl_verb_typo no_iface_said_once \
	no_iface_wildcard pidfile_stale_replaced pidfile_holds_pid \
	pidfile_hup_reloads pidfile_gone_after_stop

VERSION=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$E2E_ROOT/debian/changelog")
PIDFILE=$RUNDIR/masqd.pid

# a stale pid file: a process that has exited
sleep 0 & STALE=$!
wait "$STALE"
echo "$STALE" >"$PIDFILE"
echo "set timeout udp 100" >"$WORK/masq.conf"

lab_up || exit 1
if ! masqd_start -c "$WORK/masq.conf"; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi

# --- stats: each name once
stats=$(mctl stats)
dups=$(echo "$stats" | awk '{print $1}' | sort | uniq -d | tr '\n' ' ')
if [ -z "$dups" ] && [ "$(echo "$stats" | grep -c '^neigh_queued ')" = 1 ] &&
	echo "$stats" | grep -qE '^neigh_queue +0/[1-9]'; then
	ok stats_names_once
else
	fail stats_names_once "names twice: '$dups'; neigh lines: $(echo "$stats" | grep '^neigh' | tr '\n' ' ')"
fi

# --- --help: every verb the engine runs (the unknown-command list)
help=$("$MASQCTL" --help)
unknown=$(timeout 5 "$MASQCTL" -s "$SOCK" zzzqqqxx 2>&1)
verbs=$(echo "$unknown" | sed -n "s/^unknown command 'zzzqqqxx' (\(.*\))$/\1/p" | tr -d ',')
missing=
for v in $verbs; do
	echo "$help" | grep -qE "^  $v( |$)" || missing="$missing $v"
done
if [ -n "$verbs" ] && [ -z "$missing" ] &&
	echo "$help" | grep -qE '^  reset rules '; then
	ok help_lists_every_verb
else
	fail help_lists_every_verb "not in --help:${missing:- (none)}; masqd said: $unknown"
fi

# --- --version of both
dv=$("$MASQD" --version 2>&1); drc=$?
cv=$("$MASQCTL" --version 2>&1); crc=$?
if [ -n "$VERSION" ] && [ "$dv" = "masqd $VERSION" ] && [ $drc = 0 ] &&
	[ "$cv" = "masqctl $VERSION" ] && [ $crc = 0 ]; then
	ok version_both
else
	fail version_both "masqd: '$dv' ($drc), masqctl: '$cv' ($crc), changelog: '$VERSION'"
fi

# --- typos
out=$("$MASQD" --internl lan0=192.168.0.1/24 2>&1); rc=$?
if [ $rc = 2 ] && echo "$out" | grep -qx 'masqd: unknown option --internl; did you mean --internal?'; then
	ok masqd_option_typo
else
	fail masqd_option_typo "status $rc: $out"
fi
out=$(timeout 5 "$MASQCTL" -s "$SOCK" relaod 2>&1); rc=$?
if [ $rc = 2 ] && [ "$out" = "masqctl: unknown command 'relaod'; did you mean 'reload'?" ]; then
	ok masqctl_verb_typo
else
	fail masqctl_verb_typo "status $rc: $out"
fi

# --- an interface masqd has not: said once, in the reply and the log
first=$(mctl iptables -A FORWARD -i wan9 -j ACCEPT); rc1=$?
second=$(mctl iptables -A FORWARD -o wan9 -j DROP); rc2=$?
listed=$(mctl iptables -S FORWARD)
logged=$(grep -c 'no interface wan9 (yet)' "$WORK/masqd.log")
if [ $rc1 = 0 ] && [ "$first" = "no interface wan9 (yet)" ] &&
	[ $rc2 = 0 ] && [ -z "$second" ] && [ "$logged" = 1 ] &&
	echo "$listed" | grep -qx -- '-A FORWARD -i wan9 -j ACCEPT' &&
	echo "$listed" | grep -qx -- '-A FORWARD -o wan9 -j DROP'; then
	ok no_iface_said_once
else
	fail no_iface_said_once "first: '$first' ($rc1), second: '$second' ($rc2), logged $logged times; -S: $(echo "$listed" | tr '\n' ' ')"
fi
ppp=$(mctl iptables -A FORWARD -i ppp+ -j ACCEPT)
wan=$(mctl iptables -A FORWARD -o wan+ -j ACCEPT)
if [ "$ppp" = "no interface ppp+ (yet)" ] && [ -z "$wan" ]; then
	ok no_iface_wildcard
else
	fail no_iface_wildcard "ppp+: '$ppp', wan+: '$wan'"
fi

# --- the pid file
if [ "$(cat "$PIDFILE" 2>/dev/null)" = "$MASQD_PID" ] &&
	grep -q "stale pid file $RUNDIR/masqd.pid (pid $STALE is not running): replaced" "$WORK/masqd.log"; then
	ok pidfile_stale_replaced
else
	fail pidfile_stale_replaced "pid file: '$(cat "$PIDFILE" 2>/dev/null)', masqd $MASQD_PID, stale $STALE; log: $(grep 'pid file' "$WORK/masqd.log")"
fi
if [ "$(cat "$PIDFILE" 2>/dev/null)" = "$MASQD_PID" ] && [ -n "$MASQD_PID" ]; then
	ok pidfile_holds_pid
else
	fail pidfile_holds_pid "'$(cat "$PIDFILE" 2>/dev/null)', masqd is $MASQD_PID"
fi
log "+ kill -HUP \$(cat $PIDFILE)"
kill -HUP "$(cat "$PIDFILE")"
if wait_until 3 sh -c "'$MASQCTL' -s '$SOCK' stats | grep -qE '^masqd_reloads +1$'"; then
	ok pidfile_hup_reloads
else
	fail pidfile_hup_reloads "$(mctl stats | grep reload | tr '\n' ' ')"
fi
masqd_stop >/dev/null
rc=$?
if [ $rc = 0 ] && [ ! -e "$PIDFILE" ] && [ ! -e "$SOCK" ]; then
	ok pidfile_gone_after_stop
else
	fail pidfile_gone_after_stop "status $rc; left: $(ls "$RUNDIR")"
fi
