#!/usr/bin/env bash
# tests/e2e/121-owner.sh - one owner per interface: a second masqd with
# another control socket is refused, naming the first; a claim a killed
# masqd left is taken over, naming the dead pid; of two masqd started at
# the same moment exactly one runs
#
#   masq-t$$-lan   eth0 192.168.0.2/24     pings 203.0.113.2
#        |
#   masq-t$$-gw    lan0, wan0: build/masqd -s SOCK (the owner); then
#                  masqd -s other.sock on the same interfaces (-f, and
#                  detached); the owner and its helper SIGKILLed, a third
#                  masqd started; two more started at once (lan0 wan0 and
#                  wan0 lan0), each with its own socket
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24
#
# What the administrator sees: the refusal on stderr with exit status 1
# ("lan0 is owned by masqd pid N, socket S"), nothing of the interfaces
# changed by the refused one (the namespace's nft tables and sysctls as
# they were), every ping answered once (no DUP!), the notice of the
# take-over in the log, one of the two racers answering on its socket.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init owner_second_refused owner_second_daemon_refused \
	owner_refused_touched_nothing owner_one_reply_each \
	owner_stale_taken_over owner_stale_forwards owner_race_one_wins

lab_up || exit 1

# nft tables and the sysctls masqd takes: what a refused start must not touch
state() {
	ip netns exec "$NS_GW" sh -c 'nft list tables 2>&1 | sort | tr "\n" " "
		for i in lan0 wan0; do for k in ipv4/conf/$i/forwarding \
			ipv6/conf/$i/disable_ipv6 ipv4/conf/$i/arp_ignore; do
			printf "%s=%s " $k $(cat /proc/sys/net/$k); done; done'
}

# second [ARGS...]: another masqd on lan0 and wan0 with its own socket;
# sets OUT (stderr and stdout) and RC
second() {
	log "+ masqd ${MASQD_ARGS[*]} -s $RUNDIR/other.sock $*"
	OUT=$(timeout -k 1 10 ip netns exec "$NS_GW" "$MASQD" "${MASQD_ARGS[@]}" \
		-s "$RUNDIR/other.sock" "$@" 2>&1)
	RC=$?
	log "  status $RC: $OUT"
}

if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
warm lan 203.0.113.2 || log "203.0.113.2 does not answer through masqd"
owner="lan0 is owned by masqd pid $MASQD_PID, socket $SOCK"
before=$(state)
log "state with the owner running: $before"

second -f
if [ "$RC" = 1 ] && echo "$OUT" | grep -qF "$owner"; then
	ok owner_second_refused
else
	fail owner_second_refused "status $RC, want 1 and '$owner': $OUT"
fi
second	# detached: the refusal still comes before it leaves the terminal
if [ "$RC" = 1 ] && echo "$OUT" | grep -qF "$owner"; then
	ok owner_second_daemon_refused
else
	fail owner_second_daemon_refused "status $RC, want 1 and '$owner': $OUT"
fi
after=$(state)
if [ "$after" = "$before" ] && [ ! -e "$RUNDIR/other.sock" ]; then
	ok owner_refused_touched_nothing
else
	fail owner_refused_touched_nothing "before: $before; after: $after; $(ls "$RUNDIR")"
fi

ping_out=$(ono lan ping -n -c 3 -i 0.2 -W 1 203.0.113.2)
replies=$(echo "$ping_out" | grep -c 'bytes from')
if [ "$replies" = 3 ] && ! echo "$ping_out" | grep -q 'DUP!'; then
	ok owner_one_reply_each
else
	fail owner_one_reply_each "3 pings, $replies replies: $(echo "$ping_out" | tr '\n' ' ')"
fi

# the owner and its privileged helper SIGKILLed (as an OOM kill of both):
# nothing gives back; the claims stay, unlocked
old=$MASQD_PID
h=$(cat "/proc/$old/task/$old/children" 2>/dev/null)
log "+ kill -KILL ${h:-(no helper)} (helper); kill -KILL $old"
[ -n "$h" ] && kill -KILL "$h"
for _ in $(seq 20); do [ -n "$h" ] && [ -d "/proc/$h" ] || break; sleep 0.05; done
kill -KILL "$old"
wait "$old" 2>/dev/null
MASQD_PID=
if masqd_start &&
	grep -q "lan0: the claim of masqd pid $old, which is gone, taken over" "$WORK/masqd.log"; then
	ok owner_stale_taken_over
else
	fail owner_stale_taken_over "no notice naming pid $old: $(grep -i claim "$WORK/masqd.log" | tail -n 3 | tr '\n' ' ')"
fi
if [ -n "$MASQD_PID" ] && warm lan 203.0.113.2; then
	ok owner_stale_forwards
else
	fail owner_stale_forwards "no ping answered through the new masqd"
fi
masqd_stop >/dev/null

# two at once, the interfaces named in opposite orders
log "+ [bg racers] masqd lan0 wan0 -s race1.sock; masqd wan0 lan0 -s race2.sock"
ip netns exec "$NS_GW" "$MASQD" --internal lan0=192.168.0.1/24 \
	--external wan0=203.0.113.1/24 -s "$RUNDIR/race1.sock" -f \
	>"$WORK/race1.out" 2>&1 &
r1=$!
ip netns exec "$NS_GW" "$MASQD" --external wan0=203.0.113.1/24 \
	--internal lan0=192.168.0.1/24 -s "$RUNDIR/race2.sock" -f \
	>"$WORK/race2.out" 2>&1 &
r2=$!
BG_PIDS+=("$r1" "$r2")
answers() { timeout 2 "$MASQCTL" -s "$1" stats >/dev/null 2>&1; }
settled() {
	{ gone "$r1" && answers "$RUNDIR/race2.sock"; } ||
		{ gone "$r2" && answers "$RUNDIR/race1.sock"; } || { gone "$r1" && gone "$r2"; }
}
wait_until 8 settled
running=0 refused=0
for k in 1 2; do
	pid=$r1; [ $k = 2 ] && pid=$r2
	if ! gone "$pid"; then
		answers "$RUNDIR/race$k.sock" && running=$((running + 1))
	else
		wait "$pid"
		rc=$?
		log "racer $k: status $rc: $(tr '\n' ' ' <"$WORK/race$k.out")"
		[ $rc = 1 ] && grep -q " is owned by masqd pid " "$WORK/race$k.out" &&
			refused=$((refused + 1))
	fi
done
if [ $running = 1 ] && [ $refused = 1 ]; then
	ok owner_race_one_wins
else
	fail owner_race_one_wins "$running running, $refused refused naming the owner (want 1 and 1)"
fi
for pid in $r1 $r2; do
	gone "$pid" || kill -TERM "$pid" 2>/dev/null
done
for pid in $r1 $r2; do
	for _ in $(seq 20); do gone "$pid" && break; sleep 0.05; done
	wait "$pid" 2>/dev/null
done
