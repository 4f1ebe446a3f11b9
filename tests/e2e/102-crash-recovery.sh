#!/usr/bin/env bash
# tests/e2e/102-crash-recovery.sh - a masqd killed leaves records under
# /run/masq; the next start, or masqd --release, puts the originals back
#
#   masq-t$$-lan   eth0 192.168.0.2/24
#        |
#   masq-t$$-gw    lan0, wan0: build/masqd started, SIGKILLed, started
#                  again, stopped; SIGKILLed again and --release'd; a
#                  second masqd tried on an owned interface; a claim of a
#                  dead masqd planted. Before the first start lan0's and
#                  wan0's sysctls are set away from masqd's values and
#                  `nft list ruleset` recorded: each proof compares the
#                  namespace with that.
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24
#
# Since the privilege drop (103-privilege) a SIGKILL of masqd alone is
# given back at once by its privileged helper; where a case proves the
# records, the helper is killed first (killed_all).
#
# No traffic is sent. The records live in /run/masq/NETNS (the gw
# namespace's inode): the trap removes that folder.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init record_written_before_change kill_start_stop_restores kill_start_stop_nft \
	kill_release_restores kill_release_nft release_removes_records \
	second_masqd_refused_names_owner stale_claim_taken_over \
	corrupt_record_refused fatal_signal_restores daemon_claim_names_daemon \
	release_refused_while_owned other_device_record_not_applied \
	daemon_kill_release_restores
e2e_need nft nftables

lab_up || exit 1

NETNS=$(ip netns exec "$NS_GW" stat -L -c %i /proc/self/ns/net)
RECDIR=/run/masq/$NETNS
cleanup_records() { rm -rf "$RECDIR"; }
trap 'cleanup_records; e2e_cleanup' EXIT	# the lib's cleanup, and ours

state() {	# every sysctl masqd touches on lan0 and wan0, and the global one
	ip netns exec "$NS_GW" sh -c 'for i in lan0 wan0; do
		for k in ipv4/conf/$i/forwarding ipv6/conf/$i/disable_ipv6 ipv4/conf/$i/arp_ignore; do
			printf "%s=%s " $k $(cat /proc/sys/net/$k); done; done
		printf "ip_forward=%s" $(cat /proc/sys/net/ipv4/ip_forward)'
}
ruleset() { ip netns exec "$NS_GW" nft list ruleset 2>&1; }

# away from masqd's values, so a restore is visible
on gw sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.lan0.forwarding=1 \
	net.ipv4.conf.wan0.forwarding=1 net.ipv6.conf.lan0.disable_ipv6=0 \
	net.ipv4.conf.lan0.arp_ignore=1 net.ipv4.conf.wan0.arp_ignore=2
BEFORE=$(state)
RS_BEFORE=$(ruleset)
log "before: $BEFORE"
log "ruleset before: $RS_BEFORE"

killed() {	# SIGKILL masqd, wait for it (its privileged helper gives back)
	log "+ kill -KILL $MASQD_PID"
	kill -KILL "$MASQD_PID"
	wait "$MASQD_PID" 2>/dev/null
	MASQD_PID=
}
# SIGKILL the privileged helper (masqd's child, masqd-priv), then masqd:
# nothing is left to give back but the records, as after an OOM kill of
# both
killed_all() {
	local h
	h=$(cat "/proc/$MASQD_PID/task/$MASQD_PID/children" 2>/dev/null)
	log "+ kill -KILL ${h:-(no helper)} (helper); kill -KILL $MASQD_PID"
	[ -n "$h" ] && kill -KILL $h
	for _ in $(seq 20); do [ -n "$h" ] && [ -d "/proc/$h" ] || break; sleep 0.05; done
	killed
}

# 1. start; the record is there, with lan0's originals
if ! masqd_start; then
	fail record_written_before_change "masqd did not start: $(tail -n 3 "$WORK/masqd.log" | tr '\n' ' ')"
else
	rec=$(cat "$RECDIR/lan0.rec" 2>&1)
	log "lan0.rec: $rec"
	if echo "$rec" | grep -qx 'sysctl forwarding 1' && echo "$rec" | grep -qx 'sysctl arp_ignore 1' &&
		[ -s "$RECDIR/wan0.rec" ] && grep -q "^pid $MASQD_PID" "$RECDIR/lan0.claim"; then
		ok record_written_before_change
	else
		fail record_written_before_change "lan0.rec: $(echo "$rec" | tr '\n' ' ')"
	fi

	# 2. a second masqd on lan0 is refused, naming the first
	out=$(timeout -k 1 5 ip netns exec "$NS_GW" "$MASQD" --internal lan0=192.168.0.1/24 \
		-s "$RUNDIR/other.sock" -f 2>&1)
	rc=$?
	log "second masqd: status $rc: $out"
	if [ $rc -ne 0 ] && echo "$out" | grep -q "lan0 is owned by masqd pid $MASQD_PID, socket $SOCK"; then
		ok second_masqd_refused_names_owner
	else
		fail second_masqd_refused_names_owner "status $rc: $out"
	fi

	# ... and so is --release of it, which changes nothing
	running=$(state)
	out=$(timeout -k 1 5 ip netns exec "$NS_GW" "$MASQD" --release -s "$SOCK" lan0 2>&1)
	rc=$?
	log "--release while running: status $rc: $out"
	if [ $rc -eq 1 ] && echo "$out" | grep -q "lan0 is owned by masqd pid $MASQD_PID," &&
		[ "$(state)" = "$running" ] && [ -s "$RECDIR/lan0.rec" ] &&
		timeout 5 "$MASQCTL" -s "$SOCK" stats >/dev/null 2>&1; then
		ok release_refused_while_owned
	else
		fail release_refused_while_owned "status $rc: $out"
	fi

	# 3. SIGKILL, start again, SIGTERM: as before the first start (the
# helper gives back at once; the start waits for it: claim.c)
	killed
	log "after SIGKILL: $(state)"
	if masqd_start; then
		grep -q "did not give it back; restoring" "$WORK/masqd.log" || log "(no restore line)"
		masqd_stop
	fi
	after=$(state)
	[ "$after" = "$BEFORE" ] && ok kill_start_stop_restores ||
		fail kill_start_stop_restores "before: $BEFORE; after: $after"
	[ "$(ruleset)" = "$RS_BEFORE" ] && ok kill_start_stop_nft ||
		fail kill_start_stop_nft "ruleset: $(ruleset | tr -s '\n\t' ' ' | head -c 300)"
fi

# 4. SIGKILL (the helper too), then --release
if masqd_start; then
	killed_all
	out=$(timeout -k 1 10 ip netns exec "$NS_GW" "$MASQD" --release -s "$SOCK" lan0 wan0 2>&1)
	rc=$?
	log "--release: status $rc: $out"
	after=$(state)
	[ $rc -eq 0 ] && [ "$after" = "$BEFORE" ] && ok kill_release_restores ||
		fail kill_release_restores "status $rc; before: $BEFORE; after: $after"
	[ "$(ruleset)" = "$RS_BEFORE" ] && ok kill_release_nft ||
		fail kill_release_nft "ruleset: $(ruleset | tr -s '\n\t' ' ' | head -c 300)"
	left=$(ls -A "$RECDIR" 2>/dev/null)
	[ -z "$left" ] && ok release_removes_records || fail release_removes_records "left: $left"
else
	for c in kill_release_restores kill_release_nft release_removes_records; do
		fail $c "masqd did not start"
	done
fi

# 5. a stale claim (a dead pid, no lock) is taken over
mkdir -p "$RECDIR"
printf 'pid 999999\nstart 1\nsocket /nowhere\n' >"$RECDIR/lan0.claim"
if masqd_start; then
	grep -q "lan0: the claim of masqd pid 999999, which is gone, taken over" "$WORK/masqd.log" &&
		ok stale_claim_taken_over || fail stale_claim_taken_over "no such log line"
	masqd_stop
else
	fail stale_claim_taken_over "masqd refused: $(tail -n 2 "$WORK/masqd.log" | tr '\n' ' ')"
fi

# 6. a corrupt record is refused with a clear line, and masqd starts
mkdir -p "$RECDIR"
printf 'masq-record 1\niface lan0\nifindex 2\nmac 02:00:00:00:00:01\ntable masqd_0000000g\n' >"$RECDIR/lan0.rec"
if masqd_start; then
	grep -q "lan0: record .*lan0.rec refused: line 5: not a table name" "$WORK/masqd.log" &&
		[ -f "$RECDIR/lan0.rec.bad" ] && ok corrupt_record_refused ||
		fail corrupt_record_refused "$(grep refused "$WORK/masqd.log" | tail -n 1)"
	rm -f "$RECDIR/lan0.rec.bad"
	masqd_stop
else
	fail corrupt_record_refused "masqd did not start"
fi

# 7. a fatal signal (SIGSEGV sent from outside) gives everything back
if masqd_start; then
	log "+ kill -SEGV $MASQD_PID"
	kill -SEGV "$MASQD_PID"
	wait "$MASQD_PID" 2>/dev/null
	rc=$?
	MASQD_PID=
	after=$(state)
	left=$(ls -A "$RECDIR" 2>/dev/null)
	if [ $rc -eq 139 ] && [ "$after" = "$BEFORE" ] && [ "$(ruleset)" = "$RS_BEFORE" ] && [ -z "$left" ]; then
		ok fatal_signal_restores
	else
		fail fatal_signal_restores "status $rc; after: $after; files: $left"
	fi
else
	fail fatal_signal_restores "masqd did not start"
fi

# 8. detached (no -f): the claim and the record name the daemon, not the
# parent that exited; SIGKILL it, --release
log "+ ip netns exec $NS_GW $MASQD ${MASQD_ARGS[*]} -s $SOCK   (detaches)"
timeout -k 1 10 ip netns exec "$NS_GW" "$MASQD" "${MASQD_ARGS[@]}" -s "$SOCK" >>"$WORK/masqd.log" 2>&1
rc=$?
dpid=$(sed -n 's/^pid //p' "$RECDIR/lan0.claim" 2>/dev/null)
rpid=$(sed -n 's/^pid //p' "$RECDIR/lan0.rec" 2>/dev/null)
comm=$(cat "/proc/${dpid:-0}/comm" 2>/dev/null)
log "status $rc; claim pid $dpid ($comm), record pid $rpid"
if [ $rc -eq 0 ] && [ "$comm" = masqd ] && [ "$rpid" = "$dpid" ] &&
	timeout 5 "$MASQCTL" -s "$SOCK" stats >/dev/null 2>&1; then
	ok daemon_claim_names_daemon
else
	fail daemon_claim_names_daemon "status $rc; claim pid $dpid ($comm), record pid $rpid"
fi
if [ "$comm" = masqd ]; then
	h=$(cat "/proc/$dpid/task/$dpid/children" 2>/dev/null)
	[ -n "$h" ] && kill -KILL $h	# the helper first: the records do it
	for _ in $(seq 20); do [ -n "$h" ] && [ -d "/proc/$h" ] || break; sleep 0.05; done
	kill -KILL "$dpid"
	for _ in $(seq 20); do [ -d "/proc/$dpid" ] || break; sleep 0.05; done
	out=$(timeout -k 1 10 ip netns exec "$NS_GW" "$MASQD" --release -s "$SOCK" lan0 wan0 2>&1)
	rc=$?
	log "--release: status $rc: $out"
	after=$(state)
	[ $rc -eq 0 ] && [ "$after" = "$BEFORE" ] && [ "$(ruleset)" = "$RS_BEFORE" ] &&
		ok daemon_kill_release_restores ||
		fail daemon_kill_release_restores "status $rc; after: $after"
else
	fail daemon_kill_release_restores "no daemon to kill"
fi

# 9. a record whose device is not the one there now (another index: an
# interface made again, or a recycled namespace inode) changes nothing
# on it; the table is still deleted
if masqd_start; then
	killed_all
	$PY - "$RECDIR/lan0.rec" <<'PYEOF'
import sys
p = sys.argv[1]
lines = open(p).read().split('\n')
lines = ['ifindex 9999' if l.startswith('ifindex ') else l for l in lines]
body = '\n'.join(l for l in lines if l and not l.startswith('end ')) + '\n'
h = 2166136261
for b in body.encode():
    h = ((h ^ b) * 16777619) & 0xffffffff
open(p, 'w').write(body + 'end %08x\n' % h)
PYEOF
	out=$(timeout -k 1 10 ip netns exec "$NS_GW" "$MASQD" --release -s "$SOCK" lan0 wan0 2>&1)
	rc=$?
	log "--release: status $rc: $out"
	fwd=$(ip netns exec "$NS_GW" cat /proc/sys/net/ipv4/conf/lan0/forwarding)
	if [ $rc -eq 0 ] && echo "$out" | grep -q "lan0: not the device masqd changed (recorded: index 9999" &&
		[ "$fwd" = 0 ] && [ "$(ruleset)" = "$RS_BEFORE" ]; then
		ok other_device_record_not_applied
	else
		fail other_device_record_not_applied "status $rc, lan0 forwarding $fwd: $out"
	fi
else
	fail other_device_record_not_applied "masqd did not start"
fi
