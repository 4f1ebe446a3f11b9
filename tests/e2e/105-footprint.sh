#!/usr/bin/env bash
# tests/e2e/105-footprint.sh - masqd's resident memory at idle, as
# masqd(8), MEMORY states it: the tables (anonymous memory) at most
# 40 MiB with the defaults, and all of it at most 64 MiB with
# --ring-frames 160 (the default rings alone are 70 MiB)
#
#   masq-t$$-lan   eth0 192.168.0.2/24
#        |
#   masq-t$$-gw    lan0, wan0: build/masqd with the defaults (twins on),
#                  then --ring-frames 160, then that and --no-twins
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24
#
# After masqd answers and one ping went through, /proc/PID/status of the
# packet process is read (VmRSS, RssAnon, RssFile, RssShmem) and
# /proc/PID/smaps summed per mapping (the rings are the packet sockets'
# mappings, the rest anonymous heap and mmaps). Each figure is printed as
# `bench rss_idle_masqd... KiB` into the log and on stdout (as comments).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init idle_tables_defaults idle_rss_ring160 idle_rss_ring160_no_twins

LIMIT_KIB=$((64 * 1024))	# all of it, --ring-frames 160
TABLES_KIB=$((40 * 1024))	# anonymous, defaults (was 60 MiB)

# status_kib PID FIELD: FIELD of /proc/PID/status in KiB
status_kib() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# smaps_top PID: the ten largest mappings by Rss, "KiB name" each
smaps_top() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { name = ($6 == "" ? "[anon " $1 "]" : $6) }
	     $1 == "Rss:" { rss[name] += $2 }
	     END { for (n in rss) print rss[n], n }' "/proc/$1/smaps" |
		sort -rn | head -n 16
}

# measure CASE TAG LIMIT FIELD: print the figures of the running masqd;
# check FIELD (VmRSS or RssAnon) against LIMIT KiB
measure() {
	local pid=$MASQD_PID rss anon file shm
	ping_through >/dev/null 2>&1
	rss=$(status_kib "$pid" VmRSS)
	anon=$(status_kib "$pid" RssAnon)
	file=$(status_kib "$pid" RssFile)
	shm=$(status_kib "$pid" RssShmem)
	log "bench rss_idle_masqd$2 $rss KiB (anon $anon file $file shmem $shm)"
	log "  largest mappings (KiB, name):"
	smaps_top "$pid" | sed 's/^/    /' >>"$LOG"
	echo "# bench rss_idle_masqd$2 $rss KiB"
	echo "# bench rss_idle_masqd$2_anon $anon KiB"
	echo "# bench rss_idle_masqd$2_shmem $shm KiB"
	local v=$rss
	[ "$4" = RssAnon ] && v=$anon
	if [ -z "$v" ]; then
		fail "$1" "no /proc/$pid/status"
	elif [ "$v" -gt "$3" ]; then
		fail "$1" "idle $4 $v KiB > $3 KiB (VmRSS $rss, anon $anon, file $file)"
	else
		ok "$1"
	fi
}

# ping_through: one ping from the LAN to the WAN host, through masqd
ping_through() {
	ip netns exec "$NS_LAN" ping -c 1 -W 2 203.0.113.2
}

lab_up || exit 1
if masqd_start; then
	measure idle_tables_defaults "" "$TABLES_KIB" RssAnon
	masqd_stop
fi
if masqd_start --ring-frames 160; then
	measure idle_rss_ring160 _ring160 "$LIMIT_KIB" VmRSS
	masqd_stop
fi
if masqd_start --ring-frames 160 --no-twins; then
	measure idle_rss_ring160_no_twins _ring160_no_twins "$LIMIT_KIB" VmRSS
	masqd_stop
fi
