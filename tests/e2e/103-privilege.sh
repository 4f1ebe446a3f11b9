#!/usr/bin/env bash
# tests/e2e/103-privilege.sh - after setup masqd's packet process runs as
# another user with two capabilities, no_new_privs and a seccomp filter;
# its privileged helper gives the interfaces back, also when the packet
# process is killed or makes a forbidden system call
#
#   masq-t$$-lan   eth0 192.168.0.2/24 (curl)
#        |
#   masq-t$$-gw    lan0, wan0: build/masqd --user nobody; then without
#                  --user (masq, else nobody); --user of no one; SIGKILL;
#                  build/debug/masqd told to call ptrace(); the nft table
#                  deleted under it. Before the first start lan0's and
#                  wan0's sysctls are set away from masqd's values and
#                  `nft list ruleset` recorded: each give-back is compared
#                  with that.
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 (python3 http.server)
#
# /proc/PID/status of the packet process (masqd's pid) and of its helper
# (its one child, masqd-priv) are read as documented in masqd(8),
# PRIVILEGES. One 1 MB download; no fixed sleeps (polls).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init packet_process_user packet_process_caps packet_process_nonewprivs \
	packet_process_seccomp helper_root_net_admin_only forwards_as_nobody \
	sigterm_gives_back default_user unknown_user_refused \
	sigkill_helper_gives_back_at_once nft_table_put_back_by_helper \
	seccomp_kill_logged seccomp_kill_gives_back
e2e_need nft nftables
e2e_need curl curl

DEBUG_MASQD=$E2E_ROOT/build/debug/masqd
NOBODY=$(id -u nobody 2>/dev/null) || skip_all "no user nobody"
# CAP_CHOWN (0) and CAP_NET_ADMIN (12): masqd(8), PRIVILEGES
KEPT=0000000000001001
HELPER_CAPS=0000000000001000

lab_up || exit 1

NETNS=$(ip netns exec "$NS_GW" stat -L -c %i /proc/self/ns/net)
RECDIR=/run/masq/$NETNS
trap 'rm -rf "$RECDIR"; e2e_cleanup' EXIT

state() {	# every sysctl masqd touches on lan0 and wan0
	ip netns exec "$NS_GW" sh -c 'for i in lan0 wan0; do
		for k in ipv4/conf/$i/forwarding ipv6/conf/$i/disable_ipv6 ipv4/conf/$i/arp_ignore; do
			printf "%s=%s " $k $(cat /proc/sys/net/$k); done; done'
}
ruleset() { ip netns exec "$NS_GW" nft list ruleset 2>&1; }
given_back() { [ "$(state)" = "$BEFORE" ] && [ "$(ruleset)" = "$RS_BEFORE" ] && [ -z "$(ls -A "$RECDIR" 2>/dev/null)" ]; }
field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null | tr -s '\t ' ' '; }
helper_of() { cat "/proc/$1/task/$1/children" 2>/dev/null | tr -d ' '; }

on gw sysctl -qw net.ipv4.conf.lan0.forwarding=1 net.ipv4.conf.wan0.forwarding=1 \
	net.ipv6.conf.lan0.disable_ipv6=0 net.ipv4.conf.lan0.arp_ignore=1
BEFORE=$(state)
RS_BEFORE=$(ruleset)
log "before: $BEFORE"

# 1. --user nobody: the packet process's identity, capabilities, filter
if masqd_start --user nobody; then
	log "packet process $MASQD_PID: $(grep -E '^(Uid|Gid|Groups|Cap|NoNewPrivs|Seccomp)' /proc/$MASQD_PID/status | tr '\n\t' '; ')"
	uid=$(field "$MASQD_PID" Uid) gid=$(field "$MASQD_PID" Gid) groups=$(field "$MASQD_PID" Groups)
	[ "$uid" = "$NOBODY $NOBODY $NOBODY $NOBODY" ] && [ -z "$groups" ] &&
		ok packet_process_user || fail packet_process_user "Uid: $uid, Gid: $gid, Groups: $groups"
	caps="$(field "$MASQD_PID" CapInh) $(field "$MASQD_PID" CapPrm) $(field "$MASQD_PID" CapEff) $(field "$MASQD_PID" CapBnd) $(field "$MASQD_PID" CapAmb)"
	[ "$caps" = "0000000000000000 $KEPT $KEPT $KEPT 0000000000000000" ] &&
		ok packet_process_caps || fail packet_process_caps "CapInh Prm Eff Bnd Amb: $caps"
	[ "$(field "$MASQD_PID" NoNewPrivs)" = 1 ] && ok packet_process_nonewprivs ||
		fail packet_process_nonewprivs "NoNewPrivs: $(field "$MASQD_PID" NoNewPrivs)"
	[ "$(field "$MASQD_PID" Seccomp)" = 2 ] && grep -q "seccomp: [0-9]* system calls" "$WORK/masqd.log" &&
		ok packet_process_seccomp || fail packet_process_seccomp "Seccomp: $(field "$MASQD_PID" Seccomp)"
	h=$(helper_of "$MASQD_PID")
	log "helper ${h:-none}: $(grep -E '^(Name|Uid|Cap|NoNewPrivs|Seccomp)' /proc/${h:-0}/status 2>&1 | tr '\n\t' '; ')"
	if [ -n "$h" ] && [ "$(cat /proc/$h/comm)" = masqd-priv ] &&
		[ "$(field "$h" Uid)" = "0 0 0 0" ] && [ "$(field "$h" CapEff)" = $HELPER_CAPS ] &&
		[ "$(field "$h" CapBnd)" = $HELPER_CAPS ] && [ "$(field "$h" NoNewPrivs)" = 1 ]; then
		ok helper_root_net_admin_only
	else
		fail helper_root_net_admin_only "helper '${h:-none}': Uid $(field "${h:-0}" Uid), CapEff $(field "${h:-0}" CapEff), CapBnd $(field "${h:-0}" CapBnd)"
	fi

	http_serve_1mb
	if on lan curl -sS --max-time 10 -o "$WORK/got.bin" http://203.0.113.2:8000/1mb.bin &&
		[ "$(sha256sum <"$WORK/got.bin" | cut -d' ' -f1)" = "$want" ]; then
		ok forwards_as_nobody
	else
		fail forwards_as_nobody "the 1 MB download failed or differs"
	fi
	rm -f "$WORK/got.bin"
	stop "$HTTP_PID"

	masqd_stop
	rc=$?
	# a stop keeps the state file for a later start (masqd(8), RESTARTS)
	# and removes everything else; a death (below) removes it too
	stopped_back() { [ "$(state)" = "$BEFORE" ] && [ "$(ruleset)" = "$RS_BEFORE" ] &&
		[ "$(ls -A "$RECDIR" 2>/dev/null)" = "$(cd "$RECDIR" 2>/dev/null && ls -A -- *.state)" ] &&
		[ -s "$(ls -d "$RECDIR"/*.state 2>/dev/null | head -1)" ]; }
	stopped_back && [ $rc -eq 0 ] && ok sigterm_gives_back ||
		fail sigterm_gives_back "status $rc; after: $(state); files: $(ls -A "$RECDIR" 2>/dev/null)"
	rm -f "$RECDIR"/*.state	# the next cases start from nothing
else
	for c in packet_process_user packet_process_caps packet_process_nonewprivs \
		packet_process_seccomp helper_root_net_admin_only forwards_as_nobody sigterm_gives_back; do
		fail $c "masqd --user nobody did not start"
	done
fi

# 2. no --user: masq if there is one, else nobody with a warning
if masqd_start; then
	uid=$(field "$MASQD_PID" Uid)
	if getent passwd masq >/dev/null; then
		want_uid=$(id -u masq) why="the masq user"
	else
		want_uid=$NOBODY why="nobody, no masq user"
	fi
	if [ "${uid%% *}" = "$want_uid" ] && { [ "$want_uid" != "$NOBODY" ] ||
		grep -q "no user masq (make install and the package make it): running as nobody" "$WORK/masqd.log"; }; then
		ok default_user
	else
		fail default_user "Uid $uid, expected $want_uid ($why)"
	fi
	masqd_stop
	rm -f "$RECDIR"/*.state
else
	fail default_user "masqd did not start"
fi

# 3. a --user that does not exist: refused before anything is changed
out=$(timeout -k 1 10 ip netns exec "$NS_GW" "$MASQD" "${MASQD_ARGS[@]}" --user "no-such-user-$$" \
	-s "$SOCK" -f 2>&1)
rc=$?
log "--user no-such-user-$$: status $rc: $out"
[ $rc -eq 1 ] && echo "$out" | grep -q -- "--user no-such-user-$$: no such user" && given_back &&
	ok unknown_user_refused || fail unknown_user_refused "status $rc: $out"

# 4. SIGKILL of the packet process: the helper gives back at once
if masqd_start --user nobody; then
	h=$(helper_of "$MASQD_PID")
	log "+ kill -KILL $MASQD_PID (helper $h)"
	kill -KILL "$MASQD_PID"
	wait "$MASQD_PID" 2>/dev/null
	MASQD_PID=
	wait_until 3 given_back
	if given_back && grep -q "ended without a stop; the privileged helper gives the interfaces back" "$WORK/masqd.log" &&
		wait_until 2 test ! -d "/proc/$h"; then
		ok sigkill_helper_gives_back_at_once
	else
		fail sigkill_helper_gives_back_at_once "after: $(state); files: $(ls -A "$RECDIR" 2>/dev/null)"
	fi
else
	fail sigkill_helper_gives_back_at_once "masqd did not start"
fi

# 5. the nft table deleted under masqd: the helper runs nft for it
if masqd_start --user nobody; then
	table=$(ip netns exec "$NS_GW" nft list tables netdev | awk '/masqd_/ {print $3}')
	on gw nft delete table netdev "$table"
	if wait_until 8 grep -q "nft table netdev $table is back" "$WORK/masqd.log" &&
		ip netns exec "$NS_GW" nft list table netdev "$table" >/dev/null 2>&1; then
		ok nft_table_put_back_by_helper
	else
		fail nft_table_put_back_by_helper "$(grep -E 'drop|nft' "$WORK/masqd.log" | tail -n 2 | tr '\n' ' ')"
	fi
	masqd_stop
	rm -f "$RECDIR"/*.state
else
	fail nft_table_put_back_by_helper "masqd did not start"
fi

# 6. a forbidden system call (debug build: masqctl debug forbidden-syscall
# calls ptrace): killed by SIGSYS, the call named, everything given back
if [ ! -x "$DEBUG_MASQD" ]; then
	skip seccomp_kill_logged "build/debug/masqd is not built (make build/debug/masqd)"
	skip seccomp_kill_gives_back "build/debug/masqd is not built"
elif MASQD=$DEBUG_MASQD masqd_start --user nobody; then
	pid=$MASQD_PID
	out=$(timeout 5 "$MASQCTL" -s "$SOCK" debug forbidden-syscall 2>&1)
	log "masqctl debug forbidden-syscall: $out"
	wait "$pid" 2>/dev/null
	rc=$?
	MASQD_PID=
	log "debug masqd exited with status $rc"
	if [ $rc -eq $((128 + 31)) ] &&
		grep -q "seccomp: forbidden system call [0-9]* (ptrace)" "$WORK/masqd.log" &&
		grep -q "seccomp: the packet process (pid $pid) made a forbidden system call [0-9]* (ptrace): killed" "$WORK/masqd.log"; then
		ok seccomp_kill_logged
	else
		fail seccomp_kill_logged "status $rc (want 159, SIGSYS): $(grep seccomp "$WORK/masqd.log" | tr '\n' ' ')"
	fi
	given_back && ok seccomp_kill_gives_back ||
		fail seccomp_kill_gives_back "after: $(state); files: $(ls -A "$RECDIR" 2>/dev/null)"
else
	fail seccomp_kill_logged "build/debug/masqd did not start"
	fail seccomp_kill_gives_back "build/debug/masqd did not start"
fi
