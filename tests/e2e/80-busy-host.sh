#!/usr/bin/env bash
# tests/e2e/80-busy-host.sh - a busy host's connect-request-close loop is
# never cut off (issue 12, item 0)
#
#   masq-t$$-lan   eth0 192.168.0.2   connloop run: 4 processes, each
#        |                            connect, 1 byte, read 1 byte, EOF,
#        |                            close, again (build/tools/connloop)
#   masq-t$$-gw    lan0 192.168.0.1  <-- build/masqd, default settings
#                  wan0 203.0.113.1
#        |
#   masq-t$$-wan   eth0 203.0.113.2   connloop serve :7000 (closes first)
#
# Every connection leaves a TIME_WAIT entry in the router's table for
# 240 s. A router that counts those against the host (host-cap), or that
# cannot reuse them when the table is full, cuts the host off after a few
# thousand connections: its SYNs vanish and connect() hangs. Asserts,
# with masqd's default settings for 10 s (BUSY_SECONDS): no connection
# failed, none hung (5 s), and the table held more of the host's closed
# connections than host-cap allows live ones. (10 s at some 8,000 conn/s
# is 80,000 connections: the table is full after 2-3 s, and the client's
# 28,000 ephemeral ports come round almost three times, each a SYN that
# finds its old TIME_WAIT entry; the old masqd hung after 4,096. It was
# 20 s, five rounds; the second round already finds every port's old
# entry, so the further ones asserted nothing new.) Then, with the
# table's limit lowered at run time under what the loop keeps (set
# conntrack-max 4096, BUSY_SMALL_SECONDS, 5 s: the 4,096 are full in the
# first half second), again none failed or hung: closed entries made room
# (conn_evicted_closed). Then the same loop through the kernel's own NAT
# in the same namespaces (lab.sh up --kernel-nat, BUSY_KERNEL_SECONDS,
# 5 s) for the rate next to masqd's: both go to the log and to one
# "# busy host: ..." line on stdout. (The kernel's run asserts nothing of
# masqd; over 5 s, some 40,000 connections, its ports are reused as
# over 30 s.)
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init busy_host_no_failed busy_host_no_hung busy_host_time_wait_kept \
	busy_host_small_table busy_host_kernel_rate
SECS=${BUSY_SECONDS:-10}
SSECS=${BUSY_SMALL_SECONDS:-5}
KSECS=${BUSY_KERNEL_SECONDS:-5}
[ -x "$TOOLS/connloop" ] || skip_all "build/tools/connloop is not built (make tools)"
e2e_need nft nftables

field() {	# LINE NAME: the number after NAME
	echo "$1" | awk -v k="$2" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}' | tr -d '/s'
}

lab_up || exit 1
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
warm lan 203.0.113.2 || log "  (no answer to the warm-up pings)"

# run NAME SECONDS: the loop for SECONDS; sets RES to connloop's line
run() {
	local srv
	bg wan "$1-server" $(($2 + 20)) "$TOOLS/connloop" serve 203.0.113.2 7000 $(($2 + 10)) 4
	srv=$BG_PID
	wait_listen wan tcp 203.0.113.2:7000 || log "  (connloop server not listening)"
	RES=$(T=$(($2 + 20)) ono lan "$TOOLS/connloop" run 203.0.113.2 7000 "$2" 4 | tail -1)
	stop "$srv"
	log "$1: ${RES:-connloop printed nothing}"
}
# clean CASE: the last run had no failed and no hung connection
clean() {
	if [ "$(field "$RES" failed)" = 0 ] && [ "$(field "$RES" hung)" = 0 ] &&
		[ "$(field "$RES" ok)" -gt 0 ]; then
		ok "$1"
	else
		fail "$1" "${RES:-connloop printed nothing}"
	fi
}

run default "$SECS"
res=$RES rate=$(field "$RES" rate)
if [ "$(field "$res" failed)" = 0 ] && [ "$(field "$res" ok)" -gt 0 ]; then
	ok busy_host_no_failed
else
	fail busy_host_no_failed "${res:-connloop printed nothing}"
fi
if [ "$(field "$res" hung)" = 0 ]; then
	ok busy_host_no_hung
else
	fail busy_host_no_hung "${res:-connloop printed nothing}"
fi
# closed connections are kept (a late FIN still finds them), not counted
tw=$(T=30 "$MASQCTL" -s "$SOCK" conntrack -L 2>>"$LOG" | grep -c ' TIME_WAIT src=192.168.0.2 ')
cap=$(mctl show settings | awk '$1 == "host-cap" {print $2}')
log "TIME_WAIT entries of 192.168.0.2: $tw (host-cap $cap)"
if [ "${tw:-0}" -gt "${cap:-4096}" ]; then
	ok busy_host_time_wait_kept
else
	fail busy_host_time_wait_kept "$tw TIME_WAIT entries of 192.168.0.2 in the table (host-cap ${cap:-?})"
fi
# a table smaller than what the loop leaves behind: closed ones make room
mctl set conntrack-max 4096 >/dev/null
run small "$SSECS"
reused=$(mctl stats | awk '$1 == "conn_evicted_closed" {print $2}')
stats_log
if [ "${reused:-0}" -gt 0 ]; then
	clean busy_host_small_table
else
	fail busy_host_small_table "conn_evicted_closed ${reused:-?} with conntrack-max 4096; $RES"
fi
masqd_stop >/dev/null

# the same loop through the kernel's NAT, in the same namespaces (made
# again: lab_down first takes the stopped masqd's state file in
# /run/masq/NETNS with the old router namespace)
lab_down
if lab_up --kernel-nat; then
	run kernel "$KSECS"
	kres=$RES krate=$(field "$RES" rate)
	if [ -n "$krate" ]; then
		ok busy_host_kernel_rate
		echo "# busy host: masqd $rate conn/s (${SECS} s, failed $(field "$res" failed), hung $(field "$res" hung)), kernel NAT $krate conn/s (${KSECS} s, failed $(field "$kres" failed), hung $(field "$kres" hung))"
	else
		fail busy_host_kernel_rate "connloop through the kernel's NAT: ${kres:-nothing}"
	fi
else
	fail busy_host_kernel_rate "lab.sh up --kernel-nat failed"
fi
