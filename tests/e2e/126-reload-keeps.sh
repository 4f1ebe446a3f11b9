#!/usr/bin/env bash
# tests/e2e/126-reload-keeps.sh - a reload removes only what the previous
# file added: routes and static neighbours added by hand stay
#
#   masq-t$$-lan   eth0 192.168.0.2/24        pings 198.51.100.1
#        |
#   masq-t$$-gw    lan0 192.168.0.1, wan0 203.0.113.1: build/masqd -c FILE
#        |         (no --gateway: 198.51.100.0/24 is reached only by the
#        |          route added by hand, via 203.0.113.2, whose MAC is a
#        |          static neighbour added by hand too)
#   masq-t$$-wan   eth0 203.0.113.2/24, lo 198.51.100.1/32
#
# FILE first adds route 198.51.101.0/24 and neighbour 192.168.0.78; by
# hand: route 198.51.100.0/24 via 203.0.113.2, neighbours 203.0.113.2
# (its real MAC) and 192.168.0.77. Then FILE adds 198.51.102.0/24 only,
# and SIGHUP; then 198.51.103.0/24 only, and masqctl reload. After each:
# the hand route and both hand neighbours are listed, the old file's
# route and neighbour are gone, the new file's route is there, and the
# ping over the hand route is answered. The same with --workers 2 (when
# there are two CPUs): one masqctl reload.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init hand_route_flows hup_keeps_hand hup_drops_old_file hup_hand_route_flows \
	reload_keeps_hand reload_drops_old_file reload_hand_route_flows \
	workers_reload_keeps_hand
e2e_need ping iputils-ping

CONF=$WORK/masq.conf
lab_up || exit 1
on wan ip addr add 198.51.100.1/32 dev lo
WANMAC=$(ip netns exec "$NS_WAN" cat /sys/class/net/eth0/address)

# file N: the file's route 198.51.10N.0/24, and on the first its neighbour
file() {
	printf 'route add 198.51.10%s.0/24 via 203.0.113.2\n' "$1" >"$CONF"
	[ "$1" != 1 ] || echo 'neigh add 192.168.0.78 lladdr 02:00:00:00:00:78 dev lan0' >>"$CONF"
}

by_hand() {
	mctl route add 198.51.100.0/24 via 203.0.113.2 >/dev/null &&
		mctl neigh add 203.0.113.2 lladdr "$WANMAC" dev wan0 >/dev/null &&
		mctl neigh add 192.168.0.77 lladdr 02:00:00:00:00:77 dev lan0 >/dev/null
}

# hand_kept: the hand route and neighbours listed
hand_kept() {
	mctl route | grep -q '^198\.51\.100\.0/24 via 203\.0\.113\.2 ' &&
		mctl neigh | grep -qx "203\.0\.113\.2 dev wan0 lladdr $WANMAC PERMANENT" &&
		mctl neigh | grep -qx '192\.168\.0\.77 dev lan0 lladdr 02:00:00:00:00:77 PERMANENT'
}

# only_file N: file N's route is listed, no other file's, nor .78 unless N=1
only_file() {
	local rt
	rt=$(mctl route)
	grep -q "^198\.51\.10$1\.0/24 " <<<"$rt" || return 1
	for k in 1 2 3; do
		[ "$k" = "$1" ] || ! grep -q "^198\.51\.10$k\.0/24 " <<<"$rt" || return 1
	done
	! mctl neigh | grep -q '^192\.168\.0\.78 '
}

pings() { on lan ping -n -c 1 -W 2 198.51.100.1; }

listings() { echo "routes: $(mctl route | tr '\n' ';') neigh: $(mctl neigh | tr '\n' ';')"; }

file 1
if ! masqd_start -c "$CONF"; then
	ABORT_WHY="masqd did not start with $CONF"
	exit 1
fi
if by_hand && pings; then
	ok hand_route_flows
else
	fail hand_route_flows "no answer from 198.51.100.1 over the hand route; $(listings)"
fi

# --- SIGHUP -------------------------------------------------------------------
file 2
n=$(grep -c 'SIGHUP: .* reloaded' "$WORK/masqd.log")
log "+ kill -HUP $MASQD_PID"
kill -HUP "$MASQD_PID"
wait_until 3 test "$(grep -c 'SIGHUP: .* reloaded' "$WORK/masqd.log")" -gt "$n" ||
	log "no reload line 3 s after SIGHUP"
if hand_kept; then ok hup_keeps_hand; else fail hup_keeps_hand "$(listings)"; fi
if only_file 2; then ok hup_drops_old_file; else fail hup_drops_old_file "$(listings)"; fi
if pings; then ok hup_hand_route_flows; else fail hup_hand_route_flows "no answer; $(listings)"; fi

# --- masqctl reload ---------------------------------------------------------------
file 3
if mctl reload | grep -q "^reloaded $CONF: 1 command," && hand_kept; then
	ok reload_keeps_hand
else
	fail reload_keeps_hand "$(listings)"
fi
if only_file 3; then ok reload_drops_old_file; else fail reload_drops_old_file "$(listings)"; fi
if pings; then ok reload_hand_route_flows; else fail reload_hand_route_flows "no answer; $(listings)"; fi
masqd_stop >/dev/null

# --- --workers 2 ----------------------------------------------------------------
if [ "$(nproc)" -lt 2 ]; then
	skip workers_reload_keeps_hand "one CPU: --workers 2 is refused"
	exit 0
fi
file 1
if masqd_start -c "$CONF" --workers 2 && by_hand && file 2 &&
	mctl reload | grep -q "^reloaded $CONF: " && hand_kept && only_file 2 && pings; then
	ok workers_reload_keeps_hand
else
	fail workers_reload_keeps_hand "$(listings)"
fi
masqd_stop >/dev/null
