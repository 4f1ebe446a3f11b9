#!/usr/bin/env bash
# tests/e2e/82-lan-flood.sh - one LAN host sending GRE to many addresses
# never starves the others (issue 12, item 2)
#
#   masq-t$$-lan   eth0 192.168.0.2   the other host's ordinary work
#   masq-t$$-lan2  eth0 192.168.0.3   build/tools/pktgen: GRE to
#        |  (bridge)                  198.18.0.0/15, one address after
#        |                            another, nobody answers
#   masq-t$$-gw    lan0 192.168.0.1  <-- build/masqd --gateway 203.0.113.2
#                  wan0 203.0.113.1      --conntrack-max 16384
#        |
#   masq-t$$-wan   eth0 203.0.113.2
#
# Protocols tracked by address alone (GRE, ESP) get a connection per
# remote address. Phase 1, default host-cap (4096): the flooding host is
# held to 4096 connections and told so (ICMP administratively prohibited,
# seen on its own link); the table never fills. Phase 2, host-cap raised
# over the table's size: the flood fills the table, and the other host's
# connections take the place of the oldest unanswered GRE entries. In
# both, the other host's new connections all succeed, its download
# completes and its pings keep coming. GRE_RATE (default 5000/s) for
# GRE_CAP_SECONDS (4) in phase 1, GRE_SECONDS (7) in phase 2, each after
# as long without it: phase 1 reaches host-cap in under a second and is
# held there three more; phase 2 fills the 16,384 entries in some 3.3 s
# and evicts for the other host the rest of the time.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init gre_flood_capped gre_flood_host_told gre_flood_other_host_unhurt \
	gre_flood_fills_table gre_flood_evicted_for_others
RATE=${GRE_RATE:-5000}
SECS1=${GRE_CAP_SECONDS:-4}
SECS2=${GRE_SECONDS:-7}
[ -x "$TOOLS/pktgen" ] || skip_all "build/tools/pktgen is not built (make tools)"
e2e_need curl curl
e2e_need tcpdump tcpdump
ROUTER_LAN_MAC=02:6d:71:00:01:01

stat_of() {	# NAME: one counter of masqctl stats
	mctl stats | awk -v k="$1" '$1 == k {print $2}'
}
# flood NAME SECONDS: GRE from lan2 to RATE * SECONDS addresses of
# 198.18.0.0/15, one after another, at RATE, for at most SECONDS
flood() {
	T=$(($2 + 10)) on lan2 "$TOOLS/pktgen" -i eth0 --dst-mac $ROUTER_LAN_MAC \
		--mode gre --src 192.168.0.3 --sport 1 --dst 198.18.0.0/15 \
		--rate "$RATE" --count $((RATE * $2)) --seconds "$2"
	grep -h '^pktgen:' "$LOG" | tail -1 >"$WORK/$1.pktgen"
}
# legit_ok CASE: the other host's work went on unhurt (legit_report)
legit_ok() {
	if [ "$LEGIT_CONN_BAD" = 0 ] && [ -n "$LEGIT_CONN" ] && [ "$LEGIT_DL" = ok ] &&
		legit_gap_ok; then
		ok "$1"
	else
		fail "$1" "$LEGIT_CONN; download $LEGIT_DL; longest ping gap ${LEGIT_GAP_DURING} ms during, ${LEGIT_GAP_BEFORE} ms before"
	fi
}

lab_up --lan2 || exit 1
if ! masqd_start --gateway 203.0.113.2 --conntrack-max 16384; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
warm lan 203.0.113.2 || log "  (no answer to the warm-up pings)"
warm lan2 192.168.0.1 || log "  (no answer from the router to lan2)"

# Phase 1: the default host-cap holds the flooding host
bg lan2 told 60 tcpdump -Z root -n -i eth0 -c 200 -U 'icmp[0] == 3 and icmp[1] == 13'
TOLD=$BG_PID
sleep 1
legit_start $((2 * SECS1 + 6)) || { ABORT_WHY="legit_start failed"; exit 1; }
sleep $((SECS1 + 1))	# as long without the flood as with it
legit_mark attack
flood phase1 "$SECS1"
legit_mark end
legit_wait
legit_report
stop "$TOLD"
capped=$(stat_of drop_host_cap)
held=$(T=30 "$MASQCTL" -s "$SOCK" conntrack -L 2>>"$LOG" | grep -c 'src=192.168.0.3 ')
heard=$(grep -c '^.* IP 192.168.0.1 > 192.168.0.3: ICMP .* unreachable - admin prohibited' "$WORK/told.out")
log "phase 1: $(cat "$WORK/phase1.pktgen"); lan2 holds $held, drop_host_cap $capped, ICMP heard $heard"
echo "# GRE flood, default host-cap: $(cat "$WORK/phase1.pktgen"); flooding host holds $held, refused $capped; other host: $LEGIT_CONN, longest ping gap ${LEGIT_GAP_BEFORE} ms before / ${LEGIT_GAP_DURING} ms during, download $LEGIT_DL"
if [ "$held" -le 4096 ] && [ "$held" -ge 4000 ] && [ "${capped:-0}" -gt 0 ]; then
	ok gre_flood_capped
else
	fail gre_flood_capped "the flooding host holds $held connections (host-cap 4096), drop_host_cap ${capped:-?}"
fi
if [ "$heard" -gt 0 ]; then
	ok gre_flood_host_told
else
	fail gre_flood_host_told "no ICMP administratively prohibited seen on lan2's link"
fi
legit_ok gre_flood_other_host_unhurt

# Phase 2: host-cap over the table's size: the table fills with GRE, the
# other host's connections take their places
mctl set host-cap 100000 >/dev/null
stop "$HTTP_PID"
HTTP_PID=
legit_start $((2 * SECS2 + 6)) || { ABORT_WHY="legit_start failed"; exit 1; }
sleep $((SECS2 + 1))
legit_mark attack
flood phase2 "$SECS2"
legit_mark end
legit_wait
legit_report
entries=$(stat_of conntrack_entries)
evicted=$(stat_of conn_evicted)
rss=$(awk '/^VmRSS/ {print $2 " " $3}' "/proc/$MASQD_PID/status" 2>/dev/null)
full=$(stat_of drop_table_full)
stats_log
log "phase 2: $(cat "$WORK/phase2.pktgen"); entries $entries, conn_evicted $evicted, drop_table_full $full"
echo "# GRE flood, host-cap over the table: $(cat "$WORK/phase2.pktgen"); table $entries, conn_evicted $evicted, drop_table_full $full; other host: $LEGIT_CONN, longest ping gap ${LEGIT_GAP_BEFORE} ms before / ${LEGIT_GAP_DURING} ms during, download $LEGIT_DL; masqd RSS $rss"
if [ "${entries%/*}" -ge $((16384 - 256)) ] 2>/dev/null; then
	ok gre_flood_fills_table
else
	fail gre_flood_fills_table "the flood did not fill the table: $entries"
fi
if [ "${evicted:-0}" -gt 0 ]; then
	legit_ok gre_flood_evicted_for_others
else
	fail gre_flood_evicted_for_others "conn_evicted ${evicted:-?}; $LEGIT_CONN"
fi
