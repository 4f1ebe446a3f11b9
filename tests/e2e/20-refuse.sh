#!/usr/bin/env bash
# tests/e2e/20-refuse.sh - masqd takes the owned interfaces from the kernel,
# or (--no-takeover) refuses interfaces the kernel still acts on
#
#   masq-t$$-lan   eth0 192.168.0.2/24
#        |
#   masq-t$$-gw    lan0, wan0 (tun0 for the non-Ethernet cases): build/masqd
#                  is started here again and again. Before a start one
#                  thing is spoiled on lan0 (a kernel IPv4 address,
#                  forwarding, IPv6, arp_ignore) and put back after.
#                  By default masqd sets the sysctls itself while it runs
#                  and restores them at exit; a kernel address is still
#                  refused. With --no-takeover each of them is refused with
#                  a message that names lan0 and what to run.
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 + 203.0.113.3/24
#
# No traffic is sent; only masqd's start-up and exit are exercised.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init starts_when_clean refuse_kernel_ipv4_addr refuse_kernel_ipv4_addr_changes_nothing \
	takeover_sets_sysctls takeover_nft_drop_present takeover_restores_sysctls \
	takeover_nft_table_removed second_masqd_keeps_first_table \
	no_takeover_refuse_forwarding no_takeover_refuse_ipv6_enabled \
	no_takeover_refuse_arp_ignore no_takeover_arp_ignore_all_8_is_enough \
	no_takeover_makes_no_table refuse_tun_internal refuse_tun_external
e2e_need nft nftables

lab_up || exit 1

# starts CASE [ARGS...]: masqd must start, answer, and stop on SIGTERM
starts() {
	local c=$1
	shift
	if ! masqd_start "$@"; then
		fail "$c" "masqd did not start ($(tail -n 3 "$WORK/masqd.log" | tr '\n' ' '))"
		return
	fi
	masqd_stop
	local rc=$?
	[ $rc -eq 0 ] && ok "$c" || fail "$c" "started, but SIGTERM gave status $rc"
}

# refuses CASE REGEX IFACE [ARGS...]: masqd (default configuration plus
# ARGS) must exit non-zero within 5 s, with a message that names IFACE and
# matches REGEX (extended, case-insensitive)
refuses() {
	local c=$1 re=$2 dev=$3 out rc
	shift 3
	: >"$WORK/refuse.out"
	log "+ ip netns exec $NS_GW $MASQD ${MASQD_ARGS[*]} $* -s $SOCK -f   (must refuse)"
	timeout -k 1 5 ip netns exec "$NS_GW" "$MASQD" "${MASQD_ARGS[@]}" "$@" -s "$SOCK" -f \
		>"$WORK/refuse.out" 2>&1
	rc=$?
	out=$(head -c 2000 "$WORK/refuse.out")
	log "  status $rc, output: $out"
	cat "$WORK/refuse.out" >>"$WORK/masqd.log"
	if [ $rc -eq 0 ] || [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		fail "$c" "masqd did not refuse (status $rc)"
	elif ! echo "$out" | grep -q "$dev"; then
		fail "$c" "message does not name $dev: $(echo "$out" | head -n 2 | tr '\n' ' ')"
	elif ! echo "$out" | grep -qiE "$re"; then
		fail "$c" "message does not say what to run (/$re/): $(echo "$out" | head -n 2 | tr '\n' ' ')"
	else
		ok "$c"
	fi
}

gw_sysctl() { on gw sysctl -qw "$@"; }
# the four sysctls masqd cares about on lan0, as one line
lan0_state() {
	ip netns exec "$NS_GW" sh -c 'for k in ipv4/conf/lan0/forwarding ipv6/conf/lan0/disable_ipv6 \
		ipv4/conf/lan0/arp_ignore ipv4/conf/all/arp_ignore ipv4/ip_forward; do
		printf "%s=%s " "$k" "$(cat /proc/sys/net/$k)"; done'
}
masqd_tables() { ip netns exec "$NS_GW" nft list tables netdev 2>/dev/null | grep -c 'masqd_'; }

starts starts_when_clean

# --- a kernel address is refused, with or without takeover -------------
on gw ip addr add 192.168.0.1/24 dev lan0
gw_sysctl net.ipv4.conf.lan0.forwarding=1
before=$(lan0_state)
refuses refuse_kernel_ipv4_addr 'ip (-4 )?a(ddr?(ess)?)? (del|flush)' lan0
after=$(lan0_state)
log "before: $before"
log "after:  $after"
if [ "$before" = "$after" ] && [ "$(masqd_tables)" = 0 ]; then
	ok refuse_kernel_ipv4_addr_changes_nothing
else
	fail refuse_kernel_ipv4_addr_changes_nothing "before: $before; after: $after; masqd tables: $(masqd_tables)"
fi
on gw ip addr flush dev lan0
gw_sysctl net.ipv4.conf.lan0.forwarding=0

# --- takeover: the host forwards, runs IPv6 and answers ARP -------------
gw_sysctl net.ipv4.ip_forward=1 net.ipv6.conf.lan0.disable_ipv6=0 \
	net.ipv6.conf.wan0.disable_ipv6=0 net.ipv4.conf.all.arp_ignore=0 \
	net.ipv4.conf.lan0.arp_ignore=0 net.ipv4.conf.wan0.arp_ignore=0
before=$(lan0_state)
log "before masqd: $before"
if masqd_start; then
	running=$(lan0_state)
	log "while masqd runs: $running"
	want='ipv4/conf/lan0/forwarding=0 ipv6/conf/lan0/disable_ipv6=1 ipv4/conf/lan0/arp_ignore=8 '
	case "$running" in
	"$want"*) ok takeover_sets_sysctls ;;
	*) fail takeover_sets_sysctls "while running: $running" ;;
	esac
	rules=$(ip netns exec "$NS_GW" nft list table netdev "$(ip netns exec "$NS_GW" nft list tables netdev |
		awk '/masqd_/{print $3; exit}')" 2>&1)
	log "$rules"
	if echo "$rules" | grep -q 'hook ingress device "lan0" priority -500; policy drop;' &&
		echo "$rules" | grep -q 'hook ingress device "wan0" priority -500; policy drop;'; then
		ok takeover_nft_drop_present
	else
		fail takeover_nft_drop_present "nft: $(echo "$rules" | tr -s '\n\t' ' ' | head -c 300)"
	fi
	# a second masqd on the same socket must refuse and leave the table
	timeout -k 1 5 ip netns exec "$NS_GW" "$MASQD" "${MASQD_ARGS[@]}" -s "$SOCK" -f \
		>>"$WORK/masqd.log" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && [ "$(masqd_tables)" = 1 ] && [ "$(lan0_state)" = "$running" ]; then
		ok second_masqd_keeps_first_table
	else
		fail second_masqd_keeps_first_table "status $rc, masqd tables $(masqd_tables), sysctls $(lan0_state)"
	fi
	masqd_stop
	after=$(lan0_state)
	log "after masqd: $after"
	[ "$after" = "$before" ] && ok takeover_restores_sysctls ||
		fail takeover_restores_sysctls "before: $before; after: $after"
	[ "$(masqd_tables)" = 0 ] && ok takeover_nft_table_removed ||
		fail takeover_nft_table_removed "$(ip netns exec "$NS_GW" nft list tables 2>&1 | tr '\n' ' ')"
else
	for c in takeover_sets_sysctls takeover_nft_drop_present second_masqd_keeps_first_table \
		takeover_restores_sysctls takeover_nft_table_removed; do
		fail "$c" "masqd did not start ($(tail -n 3 "$WORK/masqd.log" | tr '\n' ' '))"
	done
fi
gw_sysctl net.ipv4.ip_forward=0 net.ipv4.conf.lan0.forwarding=0 net.ipv4.conf.wan0.forwarding=0 \
	net.ipv6.conf.lan0.disable_ipv6=1 net.ipv6.conf.wan0.disable_ipv6=1 \
	net.ipv4.conf.all.arp_ignore=8 net.ipv4.conf.lan0.arp_ignore=8 net.ipv4.conf.wan0.arp_ignore=8

# --- --no-takeover: refuse, as masqd did before takeover ---------------
gw_sysctl net.ipv4.conf.lan0.forwarding=1
refuses no_takeover_refuse_forwarding 'forwarding=0|ip_forward=0' lan0 --no-takeover
gw_sysctl net.ipv4.conf.lan0.forwarding=0

gw_sysctl net.ipv6.conf.lan0.disable_ipv6=0
refuses no_takeover_refuse_ipv6_enabled 'disable_ipv6=1' lan0 --no-takeover
gw_sysctl net.ipv6.conf.lan0.disable_ipv6=1

gw_sysctl net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.lan0.arp_ignore=0
refuses no_takeover_refuse_arp_ignore 'arp_ignore=8' lan0 --no-takeover

# the effective value is the higher of "all" and the interface's own
gw_sysctl net.ipv4.conf.all.arp_ignore=8
if masqd_start --no-takeover; then
	n=$(masqd_tables)
	masqd_stop
	rc=$?
	[ $rc -eq 0 ] && ok no_takeover_arp_ignore_all_8_is_enough ||
		fail no_takeover_arp_ignore_all_8_is_enough "SIGTERM gave status $rc"
	[ "$n" = 0 ] && ok no_takeover_makes_no_table ||
		fail no_takeover_makes_no_table "$n masqd tables while running with --no-takeover"
else
	fail no_takeover_arp_ignore_all_8_is_enough "masqd did not start ($(tail -n 3 "$WORK/masqd.log" | tr '\n' ' '))"
	fail no_takeover_makes_no_table "masqd did not start"
fi
gw_sysctl net.ipv4.conf.lan0.arp_ignore=8

# --- a non-Ethernet interface (tun: no MAC, no ARP) is refused ----------
if on gw ip tuntap add dev tun0 mode tun && on gw ip link set tun0 up; then
	MASQD_ARGS=(--internal tun0=192.168.0.1/24 --external wan0=203.0.113.1/24)
	refuses refuse_tun_internal 'not an Ethernet interface' tun0
	MASQD_ARGS=(--internal lan0=192.168.0.1/24 --external tun0=203.0.113.1/24)
	refuses refuse_tun_external 'not an Ethernet interface' tun0
	on gw ip tuntap del dev tun0 mode tun
else
	skip refuse_tun_internal "ip tuntap add failed (no /dev/net/tun?)"
	skip refuse_tun_external "ip tuntap add failed (no /dev/net/tun?)"
fi
