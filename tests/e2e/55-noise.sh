#!/usr/bin/env bash
# tests/e2e/55-noise.sh - noise a real network sends: dropped, counted, silent
#
#   masq-t$$-lan   eth0 192.168.0.2/24, IPv6 ON (its kernel sends RS, DAD
#        |         NS and MLD by itself); lab/noise.py sends, COUNT of each:
#        |         VLAN-tagged ARP and IPv4, LLDP, STP BPDUs, IPv6 RS and NS,
#        |         broadcast UDP to 192.168.0.255 -- while curl downloads
#        |         1 MB three times through masqd
#   masq-t$$-gw    lan0, wan0 owned by build/masqd (not configured for VLANs)
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24, IPv6 ON (http.server :8000)
#
# Asserts: every download's sha256 matches; masqctl stats' drop_vlan,
# drop_lldp, drop_llc, drop_ipv6 and (for the broadcasts, which are for the
# router: INPUT accepts them and they go to the host through its twin
# lan0-h) masqd_twin_tx grew by at least what was sent, less what the
# kernel dropped from the receive ring; masqd's
# log grew by no more than two lines; no reply to the tagged ARP; nothing
# of the noise leaks out on the wan side. Captures: build/e2e/55-noise/.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init masqd_starts noise_sent http_1mb_sha256_during_noise counted_drop_vlan \
	counted_drop_lldp counted_drop_llc counted_drop_ipv6 counted_broadcast \
	log_quiet no_reply_to_tagged_arp wan_sees_no_noise ping_through_after_noise
e2e_need curl curl
e2e_need sha256sum coreutils
e2e_need tcpdump tcpdump
e2e_need ping iputils-ping

COUNT=${E2E_NOISE_COUNT:-2000}	# frames of each kind
RATE=${E2E_NOISE_RATE:-4000}	# frames per second, all kinds together
MAC_GWLAN=02:6d:71:00:01:01 MAC_GWWAN=02:6d:71:00:02:01

lab_up --noise || exit 1
if masqd_start; then
	ok masqd_starts
else
	fail masqd_starts "no answer on the control socket (build/e2e/$E2E_NAME/masqd.log)"
	ABORT_WHY="masqd did not start"
	exit 1
fi

http_serve_1mb
warm lan 203.0.113.2 || log "warning: no ping through before the noise"

# what masqd sends on the lan side that could answer noise (ARP, tagged or
# not), and everything but TCP on the wan side
bg lan tcpdump-lan 60 tcpdump -Z root -n -i eth0 --immediate-mode -c 100000 -s 128 -U -w "$WORK/lan.pcap" \
	"ether src $MAC_GWLAN and (arp or vlan)"
LAN_CAP=$BG_PID
bg wan tcpdump-wan 60 tcpdump -Z root -n -i eth0 --immediate-mode -c 100000 -s 128 -U -w "$WORK/wan.pcap" 'not tcp'
WAN_CAP=$BG_PID
for _ in $(seq 30); do
	grep -q 'listening on' "$WORK/tcpdump-lan.out" 2>/dev/null &&
		grep -q 'listening on' "$WORK/tcpdump-wan.out" 2>/dev/null && break
	sleep 0.1
done

# counter NAME: its value in masqctl stats (0 when absent)
declare -A C0 C1
snap() {	# array-name
	local -n a=$1
	local k v
	while read -r k v; do a[$k]=$v; done < <(mctl stats | awk 'NF == 2 && $2 ~ /^[0-9]+$/')
}
snap C0
LOG0=$(wc -l <"$WORK/masqd.log")

bg lan noise 120 "$PY" -u "$E2E_ROOT/lab/noise.py" -i eth0 -n "$COUNT" -r "$RATE" all
NOISE_PID=$BG_PID
sleep 0.3
good=0 tries=0 during=0
for i in 1 2 3; do
	gone "$NOISE_PID" || during=$((during + 1))
	tries=$((tries + 1))
	rm -f "$WORK/got.bin"
	if on lan curl -sS --max-time 15 -o "$WORK/got.bin" http://203.0.113.2:8000/1mb.bin; then
		got=$(sha256sum <"$WORK/got.bin" | cut -d' ' -f1)
		[ "$got" = "$want" ] && good=$((good + 1)) || log "download $i: sha256 $got, expected $want"
	else
		log "download $i: curl failed"
	fi
	sleep 0.3
done
for _ in $(seq 300); do gone "$NOISE_PID" && break; sleep 0.1; done
wait "$NOISE_PID" 2>/dev/null
sent=$(grep -m1 '^sent ' "$WORK/noise.out")
log "noise: $sent"
if [ "$good" = 3 ] && [ "$during" -ge 1 ]; then
	ok http_1mb_sha256_during_noise
else
	fail http_1mb_sha256_during_noise "$good of $tries downloads matched, $during started while the noise ran"
fi
# sent_of KIND: frames of KIND noise.py says it sent
sent_of() { echo "$sent" | grep -oE "\b$1=[0-9]+" | cut -d= -f2; }
if [ -n "$sent" ] && [ "$(sent_of lldp)" -gt 0 ]; then
	ok noise_sent
else
	fail noise_sent "noise.py: $(head -c 300 "$WORK/noise.out")"
fi

sleep 0.5
snap C1
LOG1=$(wc -l <"$WORK/masqd.log")
stats_log 2>/dev/null || true
d() { echo $(( ${C1[$1]:-0} - ${C0[$1]:-0} )); }
# frames the kernel dropped from lan0's ring were never seen: they may be
# missing from any counter
lost=$(d io_lan0_ring_drops)
log "lan0 ring drops during the noise: $lost"

counted() {	# CASE COUNTER SENT
	local got
	got=$(d "$2")
	log "$2: +$got, sent $3"
	if [ -z "$3" ] || [ "$3" -le 0 ]; then
		fail "$1" "nothing was sent"
	elif [ "$got" -ge $(($3 - lost)) ]; then
		ok "$1"
	else
		fail "$1" "$2 grew by $got, $3 sent ($lost lost in the ring)"
	fi
}
v=$(sent_of vlan-arp) w=$(sent_of vlan-ip)
counted counted_drop_vlan drop_vlan $(( ${v:-0} + ${w:-0} ))
counted counted_drop_lldp drop_lldp "$(sent_of lldp)"
counted counted_drop_llc drop_llc "$(sent_of stp)"
v=$(sent_of ipv6-rs) w=$(sent_of ipv6-ns)
counted counted_drop_ipv6 drop_ipv6 $(( ${v:-0} + ${w:-0} ))
counted counted_broadcast masqd_twin_tx "$(sent_of bcast-udp)"

grown=$((LOG1 - LOG0))
if [ "$grown" -le 2 ]; then
	ok log_quiet
else
	fail log_quiet "masqd's log grew by $grown lines: $(tail -n 3 "$WORK/masqd.log" | tr '\n' ' ')"
fi

sleep 1		# tcpdump reads the kernel's buffer at least once a second
stop "$LAN_CAP"
stop "$WAN_CAP"
stop "$HTTP_PID"
pc() { timeout 20 tcpdump -n -r "$1" "${@:2}" 2>/dev/null | wc -l; }
# the lan host's own few ARP requests are answered; 2,000 tagged ones are not
n=$(pc "$WORK/lan.pcap" 'vlan')
m=$(pc "$WORK/lan.pcap" 'arp')
log "router frames on lan: $n tagged, $m ARP"
if [ "$n" = 0 ] && [ "$m" -le 10 ]; then
	ok no_reply_to_tagged_arp
else
	fail no_reply_to_tagged_arp "$n tagged frames and $m ARP replies from the router"
fi
leak=$(pc "$WORK/wan.pcap" "vlan or ether proto 0x88cc or ether dst 01:80:c2:00:00:00 or udp port 137 or net 192.168.0.0/24 or (ip6 and ether src $MAC_GWWAN)")
log "noise-like frames on wan: $leak of $(pc "$WORK/wan.pcap") non-TCP"
[ "$leak" = 0 ] && ok wan_sees_no_noise || fail wan_sees_no_noise "$leak frames (build/e2e/$E2E_NAME/wan.pcap)"

out=$(ono lan ping -n -c 3 -i 0.2 -W 1 203.0.113.2)
echo "$out" | grep -q ' 3 received' && ok ping_through_after_noise ||
	fail ping_through_after_noise "$(echo "$out" | grep -m1 'packet loss')"
masqd_stop
