#!/usr/bin/env bash
# tests/e2e/95-save-restart.sh - masqctl save, then a restart with the file
# it wrote, loses no configuration
#
#   masq-t$$-lan   eth0 192.168.0.2/24, default via 192.168.0.1
#        |         (a TCP server on :80, the forwards' target)
#   masq-t$$-gw    lan0 192.168.0.1, wan0 203.0.113.1:
#        |         build/masqd --gateway 203.0.113.2 [-c SAVED]
#   masq-t$$-wan   eth0 203.0.113.2/24 (the outside client)
#
# 1. masqd starts with no file; masqctl sets settings, a static route and
#    a static neighbour, portfw (two rules for 203.0.113.1:80 at
#    preferences 15 and 5, with service names; one UDP), mfw (two rules at
#    preference 0, then -S), autofw (-c and -h), helpers (irc on two
#    ports, tftp off), and rules in nat, mangle and filter with user
#    chains, a policy and a quoted comment. Three
#    connections from outside go through the portfw (its counter moves).
# 2. masqctl save > SAVED; masqd stops.
# 3. masqd starts again with the same command line and -c SAVED.
# 4. What a user lists is the same as before: ipmasqadm portfw -l -n
#    (the pcnt column aside: counters start again from the preferences),
#    mfw -L -n, autofw -L -n, show settings, route, the static
#    neighbours (learnt ones are state), iptables-save (its date lines and
#    counters aside), helper; masqctl save writes the same file again.
# 5. A connection from outside reaches the LAN server through the
#    restored forward.
# 6. SIGHUP reloads SAVED: the listings are still the same (nothing
#    doubled, the mfw order kept).
# 7. masqd --workers 2 -c SAVED (with two CPUs), connections from
#    outside and pings from inside through it (its workers learn
#    neighbours apart): masqd starts (the file's set conntrack-max is
#    the router's, shared out over the workers as --conntrack-max is;
#    it was each engine's and refused), masqctl save exits 0 and writes
#    the same file again, whole (it stopped at its neigh question, "not
#    yet with --workers 2": the workers' ARP tables differ); neigh lists
#    each address once.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init configure save_written masqd_stops restart_with_saved_file \
	same_portfw same_mfw same_autofw same_settings same_routes \
	same_static_neighbours same_ruleset same_helpers save_again_same \
	forward_after_restart reload_keeps_listings workers2_save_same \
	workers2_neigh_once

SAVED=$WORK/saved.conf
GW=(--gateway 203.0.113.2)

lab_up || exit 1

# The user's configuration, one masqctl command per line
CONFIG=(
	"set timeout udp 77"
	"set ports 61000-65095"
	"set filtering endpoint-independent"
	"set host-cap 100"
	"set tcp-pickup on"
	"route add 10.9.0.0/16 via 192.168.0.254"
	"neigh add 192.168.0.9 lladdr 02:00:00:00:00:09 dev lan0"
	"ipmasqadm portfw -a -P tcp -L 203.0.113.1 http -R 192.168.0.3 http -p 5"
	"ipmasqadm portfw -a -P tcp -L 203.0.113.1 http -R 192.168.0.2 http -p 15"
	"ipmasqadm portfw -a -P udp -L 203.0.113.1 domain -R 192.168.0.4 5353"
	"ipmasqadm mfw -A -m 1 -r 192.168.0.2 443 -p 0"
	"ipmasqadm mfw -A -m 1 -r 192.168.0.3 443 -p 0"
	"ipmasqadm mfw -I -m 7 -r 192.168.0.5 -p 3"
	"ipmasqadm mfw -S -m 1"
	"ipmasqadm autofw -A -r udp 7000 7010 -c tcp 7070"
	"ipmasqadm autofw -A -r udp 6000 6010 -c udp 6070 -u -i"
	"ipmasqadm autofw -A -r tcp 5000 5001 -h 192.168.0.6"
	"helper irc on ports 6667,6697"
	"helper tftp off"
	"iptables -N acct"
	"iptables -A acct -s 192.168.0.2"
	"iptables -I FORWARD 1 -j acct"
	"iptables -A INPUT -p tcp --dport 22 -m comment --comment ssh_from_anywhere -j ACCEPT"
	"iptables -P OUTPUT DROP"
	"iptables -t nat -A PREROUTING -s 198.51.100.0/24 -d 203.0.113.1 -p tcp --dport 25 -j DNAT --to-destination 192.168.0.2"
	"iptables -t mangle -N marks"
	"iptables -t mangle -A marks -p tcp --dport 443 -j MARK --set-mark 1"
	"iptables -t mangle -A PREROUTING -s 203.0.113.0/24 -j marks"
)

# listing NAME ARGS...: masqctl ARGS into $WORK/NAME.$PHASE
listing() {
	local name=$1
	shift
	mctl "$@" >"$WORK/$name.$PHASE" 2>&1
}

# snapshot: every listing the test compares, for $PHASE
snapshot() {
	listing portfw ipmasqadm portfw -l -n
	awk '{ if (NR > 1) $6 = "-"; print }' "$WORK/portfw.$PHASE" >"$WORK/portfw-nopcnt.$PHASE"
	listing mfw ipmasqadm mfw -L -n
	listing autofw ipmasqadm autofw -L -n
	listing settings show settings
	sed -i '/^reload-last /d' "$WORK/settings.$PHASE"	# when, not what
	listing routes route
	listing helpers helper
	mctl neigh | grep ' PERMANENT$' >"$WORK/neigh.$PHASE"
	mctl iptables-save | grep -v '^#' |
		sed -E 's/^(:[^ ]+ [^ ]+) \[[0-9]+:[0-9]+\]$/\1 [0:0]/' \
		>"$WORK/ruleset.$PHASE"
}

# same CASE NAME: the listing before the restart and after $PHASE agree
same() {
	if [ -s "$WORK/$2.before" ] && cmp -s "$WORK/$2.before" "$WORK/$2.$PHASE"; then
		ok "$1"
	else
		log "# $2 before:"; cat "$WORK/$2.before" >>"$LOG"
		log "# $2 after ($PHASE):"; cat "$WORK/$2.$PHASE" >>"$LOG"
		fail "$1" "$2 differs after the $PHASE (see $LOG)"
	fi
}

# through_forward: a TCP connection from outside to 203.0.113.1:80
through_forward() {
	ono wan "$PY" -u "$WORK/tool.py" tcp-probe 203.0.113.1 80 3 |
		grep -q '^connected from'
}

# --- 1. configure -------------------------------------------------------------
masqd_start "${GW[@]}" || { ABORT_WHY="masqd did not start (see $LOG)"; exit 1; }
bad=
for c in "${CONFIG[@]}"; do
	# shellcheck disable=SC2086 # one line, split into words
	mctl $c >/dev/null || { bad=$c; break; }
done
[ -n "$bad" ] || mctl iptables -A INPUT -p tcp --dport 2222 -m comment \
	--comment 'ssh "from" #anywhere' -j ACCEPT >/dev/null ||
	bad="iptables -A INPUT ... --comment 'ssh \"from\" #anywhere'"
bg lan server 60 "$PY" -u "$WORK/tool.py" tcp-hold-server 192.168.0.2 80 60
wait_listen lan tcp 192.168.0.2:80 || true
n=0
for i in 1 2 3; do through_forward && n=$((n + 1)); done
PHASE=before
snapshot
if [ -n "$bad" ]; then
	fail configure "'masqctl $bad' failed"
elif [ $n -ne 3 ] || ! grep -qE '^TCP +203\.0\.113\.1 +192\.168\.0\.2 +80 +80 +12 +15$' "$WORK/portfw.before"; then
	fail configure "$n of 3 connections through the forward; pcnt not 12 (portfw -l: $(tr '\n' '|' <"$WORK/portfw.before"))"
else
	ok configure
fi

# --- 2. save, stop ------------------------------------------------------------
if mctl save >"$SAVED" &&
	grep -q '^set timeout udp 77$' "$SAVED" &&
	grep -q '^route add 10.9.0.0/16 via 192.168.0.254 dev lan0$' "$SAVED" &&
	grep -q '^neigh add 192.168.0.9 lladdr 02:00:00:00:00:09 dev lan0$' "$SAVED" &&
	grep -q '^ipmasqadm mfw -A -m 1 -r 192.168.0.3 443 -p 0$' "$SAVED" &&
	grep -q '^iptables -t mangle -N marks$' "$SAVED" &&
	grep -q '^iptables -t filter -P OUTPUT DROP$' "$SAVED" &&
	grep -q '^helper irc on ports 6667,6697$' "$SAVED" &&
	grep -q '^helper tftp off ports 69$' "$SAVED" &&
	! grep -q '^route add default' "$SAVED" &&
	! grep -q 'not understood' "$SAVED"; then
	ok save_written
else
	cat "$SAVED" >>"$LOG"
	fail save_written "the saved file lacks a line or has one too many (see $LOG)"
fi
cp "$SAVED" "$WORK/save.before"
if masqd_stop; then ok masqd_stops; else fail masqd_stops "exit status $?"; fi

# --- 3. start again with the file -----------------------------------------------
if masqd_start "${GW[@]}" -c "$SAVED"; then
	ok restart_with_saved_file
else
	fail restart_with_saved_file "masqd -c $SAVED did not start (see $LOG)"
	exit 0
fi

# --- 4. the same listings ---------------------------------------------------------
PHASE=restart
snapshot
same same_portfw portfw-nopcnt
same same_mfw mfw
same same_autofw autofw
same same_settings settings
same same_routes routes
same same_static_neighbours neigh
same same_ruleset ruleset
same same_helpers helpers
mctl save >"$WORK/save.restart"
same save_again_same save

# --- 5. the forward works ---------------------------------------------------------
if through_forward && grep -qE '^TCP +203\.0\.113\.1 +192\.168\.0\.2 +80 +80 +14 +15$' \
	<(mctl ipmasqadm portfw -l -n); then
	ok forward_after_restart
else
	fail forward_after_restart "no connection through the restored forward, or pcnt not 14"
fi

# --- 6. SIGHUP with the same file ---------------------------------------------------
n=$(grep -c 'reloaded' "$WORK/masqd.log")
log "+ kill -HUP $MASQD_PID (masqd)"
kill -HUP "$MASQD_PID"
for i in $(seq 30); do
	[ "$(grep -c 'reloaded' "$WORK/masqd.log")" -gt "$n" ] && break
	sleep 0.1
done
PHASE=reload
snapshot
bad=
for l in portfw-nopcnt mfw autofw settings routes neigh ruleset helpers; do
	cmp -s "$WORK/$l.before" "$WORK/$l.reload" || bad="$bad $l"
done
if [ "$(grep -c 'reloaded' "$WORK/masqd.log")" -le "$n" ]; then
	fail reload_keeps_listings "no reload in masqd's log 3 s after SIGHUP"
elif [ -n "$bad" ]; then
	fail reload_keeps_listings "differ after the reload:$bad"
else
	ok reload_keeps_listings
fi
masqd_stop >/dev/null

# --- 7. save with --workers 2 ------------------------------------------------------
if [ "$(nproc)" -lt 2 ]; then
	skip workers2_save_same "one CPU: --workers 2 is refused"
	skip workers2_neigh_once "one CPU: --workers 2 is refused"
	exit 0
fi
if ! masqd_start "${GW[@]}" --workers 2 -c "$SAVED"; then
	fail workers2_save_same "masqd --workers 2 -c $SAVED did not start (see $LOG)"
	exit 0
fi
for i in 1 2 3; do through_forward; done
on lan ping -c 2 -i 0.2 -W 1 203.0.113.2
mctl save >"$WORK/save.workers2"; rc=$?
PHASE=workers2
if [ "$rc" = 0 ]; then
	same workers2_save_same save
else
	fail workers2_save_same "masqctl save exited $rc: $(tail -n 2 "$WORK/save.workers2" | tr '\n' ' ')"
fi
mctl neigh >"$WORK/neigh-all.workers2"
dup=$(awk '{ print $1 }' "$WORK/neigh-all.workers2" | sort | uniq -d | tr '\n' ' ')
if grep -q '^192\.168\.0\.2 ' "$WORK/neigh-all.workers2" && [ -z "$dup" ]; then
	ok workers2_neigh_once
else
	fail workers2_neigh_once "neigh: $(tr '\n' '|' <"$WORK/neigh-all.workers2")${dup:+; twice: $dup}"
fi
masqd_stop >/dev/null
