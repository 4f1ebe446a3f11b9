#!/usr/bin/env bash
# tests/e2e/105-footprint.sh - masqd's resident memory at idle, as
# masqd(8), MEMORY states it: with the defaults all of it at most 60 MiB
# (measured about 56: 2 x 8 MiB of receive rings, 2 x 2 MiB of transmit
# rings, 28 to 34 MiB of tables; 106 before issue 19, which asks for at
# most 64), the tables (anonymous memory) at most 40 MiB, and each packet
# socket's ring (receive and transmit: 1024 slots each with
# --ring-frames 1024) at most 4 KiB a slot (MTU-sized slots; a ring of
# 64 KiB slots, as before issue 19, fails it)
#
#   masq-t$$-lan   eth0 192.168.0.2/24
#        |
#   masq-t$$-gw    lan0, wan0: build/masqd with the defaults (twins on),
#                  then --ring-frames 1024 --no-twins
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24
#
# After masqd answers and one ping went through, /proc/PID/status of the
# packet process is read (VmRSS, RssAnon, RssFile, RssShmem) and
# /proc/PID/smaps summed per mapping (the rings are the packet sockets'
# mappings, socket:[INODE], the rest anonymous heap and mmaps). Each
# figure is printed as `bench rss_idle_masqd... KiB` into the log and on
# stdout (as comments).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init idle_rss_defaults idle_tables_defaults ring_slots_small

LIMIT_KIB=$((60 * 1024))	# all of it, defaults (was 103 MiB; issue 19: 64)
TABLES_KIB=$((40 * 1024))	# anonymous, defaults (was 60 MiB)
SLOT_KIB=4			# a ring slot, at most (64 KiB slots before)

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

# measure TAG: print the figures of the running masqd; sets RSS and ANON
measure() {
	local pid=$MASQD_PID file shm
	ping_through >/dev/null 2>&1
	RSS=$(status_kib "$pid" VmRSS)
	ANON=$(status_kib "$pid" RssAnon)
	file=$(status_kib "$pid" RssFile)
	shm=$(status_kib "$pid" RssShmem)
	log "bench rss_idle_masqd$1 $RSS KiB (anon $ANON file $file shmem $shm)"
	log "  largest mappings (KiB, name):"
	smaps_top "$pid" | sed 's/^/    /' >>"$LOG"
	echo "# bench rss_idle_masqd$1 $RSS KiB"
	echo "# bench rss_idle_masqd$1_anon $ANON KiB"
	echo "# bench rss_idle_masqd$1_file $file KiB"
}

# at_most CASE WHAT VALUE LIMIT: VALUE KiB (of WHAT) at most LIMIT KiB
at_most() {
	if [ -z "$3" ]; then
		fail "$1" "no /proc/$MASQD_PID/status"
	elif [ "$3" -gt "$4" ]; then
		fail "$1" "idle $2 $3 KiB > $4 KiB (VmRSS $RSS, anon $ANON)"
	else
		ok "$1"
	fi
}

# rings_case SLOTS: each packet socket's mapping (a receive ring) at most
# SLOT_KIB a slot
rings_case() {
	local sizes n=0 kib
	sizes=$(smaps_top "$MASQD_PID" | awk '$2 ~ /^socket:/ { print $1 }')
	for kib in $sizes; do
		n=$((n + 1))
		log "  ring $n: $kib KiB for $1 slots"
		if [ "$kib" -gt $(($1 * SLOT_KIB)) ]; then
			fail ring_slots_small "a ring of $1 slots holds $kib KiB (> $SLOT_KIB KiB a slot)"
			return
		fi
	done
	if [ "$n" -lt 2 ]; then
		fail ring_slots_small "$n packet socket mappings, not 2"
	else
		ok ring_slots_small
	fi
}

# ping_through: one ping from the LAN to the WAN host, through masqd
ping_through() {
	ip netns exec "$NS_LAN" ping -c 1 -W 2 203.0.113.2
}

lab_up || exit 1
if masqd_start; then
	measure ""
	at_most idle_rss_defaults VmRSS "$RSS" "$LIMIT_KIB"
	at_most idle_tables_defaults RssAnon "$ANON" "$TABLES_KIB"
	masqd_stop
fi
if masqd_start --ring-frames 1024 --no-twins; then
	rings_case 1024
	masqd_stop
fi
