#!/usr/bin/env bash
# tests/e2e/81-forward-syn-flood.sh - spoofed SYNs through a forward never
# fill the table for everyone (issue 12, item 1)
#
#   masq-t$$-lan   eth0 192.168.0.2   a web server on :80, forwarded from
#        |                            203.0.113.1:8080; the LAN host's own
#        |                            work (ping, download, connections)
#   masq-t$$-gw    lan0 192.168.0.1  <-- build/masqd --gateway 203.0.113.2
#                  wan0 203.0.113.1      --conntrack-max 8192 (quick to fill)
#        |
#   masq-t$$-wan   eth0 203.0.113.2   build/tools/pktgen: SYNs to :8080
#                                     from 198.18.0.0/15 (spoofed);
#                                     a real client (curl) to :8080
#
# The internal server answers every spoofed SYN (SYN cookies), so each
# entry has seen a reply and sits in SYN_RECV; its answers leave by the
# gateway into nowhere. Such entries are half-open: they must be evicted
# for new connections, oldest first, and one source holds at most
# inbound-halfopen (64) of them. Asserts, while the flood holds the table
# full: the LAN host's new connections all succeed, its download (started
# before) completes, its pings through the router keep coming (longest gap
# reported), a real client outside still gets through the forward; and a
# flood from one source is capped at 64 entries. FLOOD_RATE (default 5000
# SYNs/s) for FLOOD_SECONDS (10), after as long without it: the table
# (8,192) is full after some 1.6 s; the eight looks, half a second apart,
# start once it is and are done within the flood.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init flood_fills_table flood_lan_connections flood_lan_download \
	flood_lan_ping flood_forward_client flood_one_source_capped
RATE=${FLOOD_RATE:-5000}
SECS=${FLOOD_SECONDS:-10}
[ -x "$TOOLS/pktgen" ] || skip_all "build/tools/pktgen is not built (make tools)"
e2e_need curl curl
ROUTER_WAN_MAC=02:6d:71:00:02:01

stat_of() {	# NAME: one counter of masqctl stats
	mctl stats | awk -v k="$1" '$1 == k {print $2}'
}

lab_up || exit 1
if ! masqd_start --gateway 203.0.113.2 --conntrack-max 8192; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
mctl iptables -t nat -A PREROUTING -i wan0 -p tcp -d 203.0.113.1 --dport 8080 \
	-j DNAT --to-destination 192.168.0.2:80 >/dev/null
mkdir -p "$WORK/www-in"
echo "inside" >"$WORK/www-in/index.html"
bg lan http-in $((SECS + 40)) "$PY" -u -m http.server 80 --bind 192.168.0.2 --directory "$WORK/www-in"
wait_listen lan tcp 192.168.0.2:80 || log "  (the internal server is not listening)"
warm lan 203.0.113.2 || log "  (no answer to the warm-up pings)"
warm wan 203.0.113.1 || log "  (no answer from the router)"

# as long without the flood as with it: the longest gaps compare alike
legit_start $((2 * SECS + 8)) || { ABORT_WHY="legit_start failed"; exit 1; }
sleep $((SECS + 1))
legit_mark attack
bg wan flood $((SECS + 5)) "$TOOLS/pktgen" -i eth0 --dst-mac $ROUTER_WAN_MAC --mode syn \
	--src 198.18.0.0/15 --dst 203.0.113.1 --dport 8080 --random \
	--rate "$RATE" --count $((RATE * SECS)) --seconds "$SECS"
FLOOD=$BG_PID
# while it floods: the table full, a real client through the forward
# (the looks start once the table is near full, 5 s at most)
near_full() {
	local e
	e=$(stat_of conntrack_entries)
	[ "${e%/*}" -ge $((${e#*/} - 64)) ] 2>/dev/null
}
wait_until 5 near_full || log "  (the table is not near full 5 s into the flood)"
full=0 got=0 tries=0 rss=
for i in $(seq 8); do
	near_full && full=$((full + 1))
	tries=$((tries + 1))
	if [ "$(T=6 ono wan curl -s --max-time 5 --interface 203.0.113.3 http://203.0.113.1:8080/)" = inside ]; then
		got=$((got + 1))
	fi
	sleep 0.5
done
[ -n "$MASQD_PID" ] && rss=$(awk '/^VmRSS/ {print $2 " " $3}' "/proc/$MASQD_PID/status")
log "during the flood: table near full in $full of 8 looks; forward client $got of $tries; masqd RSS $rss"
wait "$FLOOD"
legit_mark end
legit_wait
legit_report
attack=$(grep '^pktgen:' "$WORK/flood.out")
evicted=$(stat_of conn_evicted)
stats_log
echo "# forward SYN flood: ${attack#pktgen: } at $RATE/s asked; table full in $full of 8 looks, conn_evicted $evicted; LAN: $LEGIT_CONN, pings $LEGIT_PINGS, longest gap ${LEGIT_GAP_BEFORE} ms before / ${LEGIT_GAP_DURING} ms during, download $LEGIT_DL; forward client $got/$tries; masqd RSS $rss"

if [ "$full" -ge 4 ] && [ "${evicted:-0}" -gt 0 ]; then
	ok flood_fills_table
else
	fail flood_fills_table "the flood ($attack) did not hold the table full: full in $full of 8 looks, conn_evicted ${evicted:-?}"
fi
legit_cases flood_lan_connections flood_lan_download flood_lan_ping
if [ "$got" -ge $((tries - 1)) ]; then
	ok flood_forward_client
else
	fail flood_forward_client "a client outside got through the forward $got times of $tries"
fi

# one source alone: at most inbound-halfopen (64) of its SYNs hold entries
before=$(stat_of drop_inbound_halfopen)
T=20 on wan "$TOOLS/pktgen" -i eth0 --dst-mac $ROUTER_WAN_MAC --mode syn \
	--src 198.51.100.77 --dst 203.0.113.1 --dport 8080 --sport 1024-65535 \
	--rate 2000 --count 1000 --seconds 5
held=$(T=30 "$MASQCTL" -s "$SOCK" conntrack -L 2>>"$LOG" | grep -c 'src=198.51.100.77 ')
dropped=$(( $(stat_of drop_inbound_halfopen) - ${before:-0} ))
log "one source: $held entries held, $dropped SYNs dropped (drop_inbound_halfopen)"
if [ "$held" -le 64 ] && [ "$held" -gt 0 ] && [ "$dropped" -ge 900 ]; then
	ok flood_one_source_capped
else
	fail flood_one_source_capped "1000 SYNs from 198.51.100.77: $held entries held, $dropped dropped as over inbound-halfopen 64"
fi
