#!/usr/bin/env bash
# tests/e2e/68-ipfwadm-accounting.sh - ipfwadm's IP accounting counts a
# download exactly, and -A -l -z reads and zeroes in one step (issue 16)
#
#   masq-t$$-lan   eth0 192.168.0.2/24 (curl; a capture of eth0)
#        |
#   masq-t$$-gw    lan0 192.168.0.1 / wan0 203.0.113.1  <-- build/masqd
#        |
#   masq-t$$-wan   eth0 203.0.113.2 (python3 http.server :8000; a capture
#                  of eth0)
#
# The router masquerades the LAN as the 2.0 kernel did (input accept,
# forward deny, "-F -a m" for the LAN), with three accounting rules:
#     ipfwadm -A in -a -P tcp -S 203.0.113.2 8000        the server's
#                                 packets, counted as they come in (wan0)
#     ipfwadm -A out -a -P tcp -D 203.0.113.2 8000       the client's,
#                                 counted as they go out (wan0)
#     ipfwadm -A both -a -W lan0 -P tcp -S 203.0.113.2 8000
#                                 either way, but only on lan0: the
#                                 server's packets going out to the client
#                                 after de-masquerading
# A 1 MiB download, captured on both wires (offloads off: one packet on
# the wire is one packet through masqd; with them on, a super-frame is
# one on both). Each rule's packets and bytes
# (IP total lengths) must equal what the captures saw of its packets; the
# bytes in cover the file and not much more. "ipfwadm -A -l -z -n -x"
# lists those exact counts and zeroes them: the next listing shows 0.
# Also: ipchains is refused while the ruleset is ipfwadm's, bad accounting
# commands are refused, nothing changed.
#
# E2E_ROUTER=kernel: SKIP (the kernel has no ipfwadm).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/oldlib.sh
. "$(dirname "$0")/oldlib.sh"

e2e_init acct_in_counts_server_packets acct_out_counts_client_packets \
	acct_both_counts_lan_side acct_bytes_cover_the_file \
	acct_list_and_zero_one_step acct_refuses_ipchains acct_bad_commands
old_init
e2e_need curl curl
e2e_need tcpdump tcpdump

SERVER=203.0.113.2 EXT=203.0.113.1 CLIENT=192.168.0.2
lab_up || exit 1
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
http_serve_1mb

must ipfwadm -I -p accept
must ipfwadm -F -p deny
must ipfwadm -F -a m -S 192.168.0.0/24 -D 0.0.0.0/0
must ipfwadm -A in -a -P tcp -S $SERVER 8000
must ipfwadm -A out -a -P tcp -D $SERVER 8000
must ipfwadm -A both -a -W lan0 -P tcp -S $SERVER 8000
warm lan 192.168.0.1 || log "  (no answer from the router to the warm-up pings)"

# captures of port 8000 on both wires, the whole of each header
bg wan cap-wan 60 tcpdump -Z root -n -i eth0 --immediate-mode -s 128 -U \
	-w "$WORK/wan.pcap" tcp port 8000
CAPW=$BG_PID
bg lan cap-lan 60 tcpdump -Z root -n -i eth0 --immediate-mode -s 128 -U \
	-w "$WORK/lan.pcap" tcp port 8000
CAPL=$BG_PID
for _ in $(seq 50); do
	grep -q 'listening on' "$WORK/cap-wan.out" 2>/dev/null &&
		grep -q 'listening on' "$WORK/cap-lan.out" 2>/dev/null && break
	sleep 0.1
done

T=20 on lan curl -sS --max-time 10 -o "$WORK/dl.bin" http://$SERVER:8000/1mb.bin
got=$(sha256sum <"$WORK/dl.bin" 2>/dev/null | cut -d' ' -f1)
[ "$got" = "$want" ] || log "  the download did not arrive whole (sha256 $got)"
sleep 1	# the connection's last FIN and ACK, and the captures write
stop "$CAPW"
stop "$CAPL"
log "capture wan: $(tr '\n' ' ' <"$WORK/cap-wan.out")"
log "capture lan: $(tr '\n' ' ' <"$WORK/cap-lan.out")"
capdrops=$(cat "$WORK/cap-wan.out" "$WORK/cap-lan.out" |
	awk '/dropped by kernel/ {s += $1} END {print s + 0}')

# pcap_count FILE SRC SPORT DST DPORT: "packets bytes" (IP total length)
# of the TCP packets from SRC:SPORT to DST:DPORT (0 = any port)
pcap_count() {
	"$PY" - "$@" <<'PYEOF'
import socket, struct, sys
path, src, sport, dst, dport = sys.argv[1:6]
sport, dport = int(sport), int(dport)
data = open(path, "rb").read()
magic = struct.unpack("<I", data[:4])[0]
end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
link = struct.unpack(end + "I", data[20:24])[0]
off, n, b = 24, 0, 0
while off + 16 <= len(data):
    _, _, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    ip = pkt[14:] if link == 1 else pkt[16:] if link == 113 else pkt
    if len(ip) < 24 or ip[0] >> 4 != 4 or ip[9] != 6:
        continue
    ihl = (ip[0] & 15) * 4
    tot = struct.unpack(">H", ip[2:4])[0]
    s, d = socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])
    sp, dp = struct.unpack(">HH", ip[ihl:ihl + 4])
    if s == src and d == dst and (not sport or sp == sport) and (not dport or dp == dport):
        n += 1
        b += tot
print(n, b)
PYEOF
}
w_in=$(pcap_count "$WORK/wan.pcap" $SERVER 8000 $EXT 0)
w_out=$(pcap_count "$WORK/wan.pcap" $EXT 0 $SERVER 8000)
l_out=$(pcap_count "$WORK/lan.pcap" $SERVER 8000 $CLIENT 0)
log "captured: wan in (server -> router) $w_in; wan out (router -> server) $w_out; lan out (server -> client) $l_out; capture drops $capdrops"

# rows LISTING: "packets bytes" of each rule, in order
rows() { awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ {print $1, $2}'; }
l1=$(ipfwadm -A -l -z -n -x)
rc1=$?
l2=$(ipfwadm -A -l -n -x)
r1=$(echo "$l1" | rows)
r2=$(echo "$l2" | rows)
a_in=$(echo "$r1" | sed -n 1p) a_out=$(echo "$r1" | sed -n 2p) a_both=$(echo "$r1" | sed -n 3p)
why="(drops in the captures: $capdrops; listing: $(echo "$l1" | tr '\n' '|'))"

# same NAME RULE CAPTURE WHAT: a rule's count is the capture's
same() {
	if [ "$2" = "$3" ] && [ "${2%% *}" -gt 0 ] 2>/dev/null; then
		okm "$1"
	else
		fail "$1" "$4: the rule counted '$2', the wire carried '$3' (packets bytes) $why"
	fi
}
same acct_in_counts_server_packets "$a_in" "$w_in" "-A in, the server's packets on wan0"
same acct_out_counts_client_packets "$a_out" "$w_out" "-A out, the client's packets on wan0"
same acct_both_counts_lan_side "$a_both" "$l_out" "-A both -W lan0, the server's packets to the client on lan0"

read -r pin bin <<<"${a_in:-0 0}"
if [ "$bin" -ge 1048576 ] && [ "$bin" -lt $((1048576 + pin * 80)) ]; then
	okm acct_bytes_cover_the_file
else
	fail acct_bytes_cover_the_file "-A in: $pin packets, $bin bytes (want at least the file, 1048576, and at most 80 bytes a packet more)"
fi

zeros=$(echo "$r2" | tr '\n' ' ')
if [ "$rc1" = 0 ] && [ "$(echo "$r1" | wc -l)" = 3 ] && [ "$zeros" = "0 0 0 0 0 0 " ] &&
	echo "$l1" | grep -q '^IP accounting rules$'; then
	okm acct_list_and_zero_one_step
else
	fail acct_list_and_zero_one_step "ipfwadm -A -l -z -n -x (status $rc1): $(echo "$l1" | tr '\n' '|'); then -A -l -n -x: $(echo "$l2" | tr '\n' '|')"
fi

refused_unchanged acct_refuses_ipchains "$(other_lang ipfwadm ipchains)" ipchains -A input -s 10.9.9.9 &&
	refused_unchanged acct_refuses_ipchains "$(other_lang ipfwadm ipchains)" ipchains -Z &&
	okm acct_refuses_ipchains
refused_unchanged acct_bad_commands '^ipfwadm: ' ipfwadm -A sideways -a -P tcp -S $SERVER 8000 &&
	refused_unchanged acct_bad_commands '^ipfwadm: ' ipfwadm -A in -a -P tcp -S $SERVER 1 2 3 4 5 6 -D 0/0 7 8 9 10 11 &&
	refused_unchanged acct_bad_commands '^ipfwadm: ' ipfwadm -A in -a -P tcp -S $SERVER 8000 -D &&
	okm acct_bad_commands
stats_log
