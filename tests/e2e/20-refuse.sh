#!/usr/bin/env bash
# tests/e2e/20-refuse.sh - masqd refuses interfaces the kernel still acts on
#
#   masq-t$$-lan   eth0 192.168.0.2/24
#        |
#   masq-t$$-gw    lan0, wan0: build/masqd is started here again and again;
#                  before each start one thing is spoiled on lan0 (a kernel
#                  IPv4 address, forwarding, IPv6, arp_ignore) and put back
#                  after. masqd must exit non-zero at once with a message
#                  that names lan0 and what to run.
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 + 203.0.113.3/24
#
# No traffic is sent; only masqd's start-up checks are exercised.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init starts_when_clean refuse_kernel_ipv4_addr refuse_forwarding \
	refuse_ipv6_enabled refuse_arp_ignore arp_ignore_all_8_is_enough

lab_up || exit 1

# starts CASE: masqd must start, answer, and stop on SIGTERM
starts() {
	if ! masqd_start; then
		fail "$1" "masqd did not start ($(tail -n 3 "$WORK/masqd.log" | tr '\n' ' '))"
		return
	fi
	masqd_stop
	local rc=$?
	[ $rc -eq 0 ] && ok "$1" || fail "$1" "started, but SIGTERM gave status $rc"
}

# refuses CASE REGEX: masqd must exit non-zero within 5 s, with a message
# that names lan0 and matches REGEX (extended, case-insensitive)
refuses() {
	local out rc
	: >"$WORK/refuse.out"
	log "+ ip netns exec $NS_GW $MASQD ${MASQD_ARGS[*]} -s $SOCK -f   (must refuse)"
	timeout -k 1 5 ip netns exec "$NS_GW" "$MASQD" "${MASQD_ARGS[@]}" -s "$SOCK" -f \
		>"$WORK/refuse.out" 2>&1
	rc=$?
	out=$(head -c 2000 "$WORK/refuse.out")
	log "  status $rc, output: $out"
	cat "$WORK/refuse.out" >>"$WORK/masqd.log"
	if [ $rc -eq 0 ] || [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		fail "$1" "masqd did not refuse (status $rc)"
	elif ! echo "$out" | grep -q 'lan0'; then
		fail "$1" "message does not name lan0: $(echo "$out" | head -n 2 | tr '\n' ' ')"
	elif ! echo "$out" | grep -qiE "$2"; then
		fail "$1" "message does not say what to run (/$2/): $(echo "$out" | head -n 2 | tr '\n' ' ')"
	else
		ok "$1"
	fi
}

gw_sysctl() { on gw sysctl -qw "$@"; }

starts starts_when_clean

on gw ip addr add 192.168.0.1/24 dev lan0
refuses refuse_kernel_ipv4_addr 'ip (-4 )?a(ddr?(ess)?)? (del|flush)'
on gw ip addr flush dev lan0

gw_sysctl net.ipv4.conf.lan0.forwarding=1
refuses refuse_forwarding 'forwarding=0|ip_forward=0'
gw_sysctl net.ipv4.conf.lan0.forwarding=0

gw_sysctl net.ipv6.conf.lan0.disable_ipv6=0
refuses refuse_ipv6_enabled 'disable_ipv6=1'
gw_sysctl net.ipv6.conf.lan0.disable_ipv6=1

gw_sysctl net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.lan0.arp_ignore=0
refuses refuse_arp_ignore 'arp_ignore=8'

# the effective value is the higher of "all" and the interface's own
gw_sysctl net.ipv4.conf.all.arp_ignore=8
starts arp_ignore_all_8_is_enough
gw_sysctl net.ipv4.conf.lan0.arp_ignore=8
