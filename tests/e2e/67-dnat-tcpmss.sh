#!/usr/bin/env bash
# tests/e2e/67-dnat-tcpmss.sh - the nat table's DNAT and the mangle table's
# TCPMSS through masqd, with real programs
#
#   masq-t$$-lan   eth0 192.168.0.2/24 (a web server on port 80)
#        |
#   masq-t$$-gw    lan0 192.168.0.1 / wan0 203.0.113.1  <-- build/masqd
#        |
#   masq-t$$-wan   eth0 203.0.113.2 (a client; a capture of its link)
#
# A DNAT rule forwards 203.0.113.1:8080 to the internal server: a client
# outside downloads from the external address, the server logs the
# client's own address, and a packet capture outside sees only the
# external address. A TCPMSS rule (what PPPoE users write) lowers the MSS
# of SYNs going out: the capture shows the clamped value in the SYN and
# the download from inside still completes whole.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init dnat_download_whole dnat_server_sees_client dnat_wire_shows_external \
	tcpmss_syn_clamped tcpmss_download_whole
e2e_need tcpdump tcpdump
e2e_need curl curl
lab_up || exit 1
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi

mctl iptables -t nat -A PREROUTING -i wan0 -p tcp -d 203.0.113.1 --dport 8080 \
	-j DNAT --to-destination 192.168.0.2:80 >/dev/null
mctl iptables -t mangle -A FORWARD -o wan0 -p tcp --tcp-flags SYN,RST SYN \
	-j TCPMSS --set-mss 1200 >/dev/null
mctl iptables-save >/dev/null

# a server inside, 1 MiB of random bytes
mkdir -p "$WORK/www"
head -c 1048576 /dev/urandom >"$WORK/www/1mb.bin"
want=$(sha256sum <"$WORK/www/1mb.bin" | cut -d' ' -f1)
bg lan http-in 60 "$PY" -u -m http.server 80 --bind 192.168.0.2 --directory "$WORK/www"
wait_listen lan tcp 192.168.0.2:80 || log "the internal server did not start"

bg wan tcpdump 60 tcpdump -Z root -n -i eth0 --immediate-mode -c 20000 -s 128 -U -w "$WORK/wan.pcap"
CAP_PID=$BG_PID
for _ in $(seq 30); do grep -q 'listening on' "$WORK/tcpdump.out" 2>/dev/null && break; sleep 0.1; done

warm wan 203.0.113.1
got=$(ono wan curl -s --max-time 10 http://203.0.113.1:8080/1mb.bin | sha256sum | cut -d' ' -f1)
if [ "$got" = "$want" ]; then
	ok dnat_download_whole
else
	fail dnat_download_whole "sha256 $got, want $want"
fi
if grep -q '^203.0.113.2 .*GET /1mb.bin' "$WORK/http-in.out"; then
	ok dnat_server_sees_client
else
	fail dnat_server_sees_client "server log: $(grep GET "$WORK/http-in.out" | head -1)"
fi

# from inside, out: the SYN's MSS is clamped on the way
http_serve_1mb
warm lan 192.168.0.1
got2=$(ono lan curl -s --max-time 10 http://203.0.113.2:8000/1mb.bin | sha256sum | cut -d' ' -f1)
sleep 1.2	# tcpdump writes what it read
stop "$CAP_PID"

pc() { timeout 20 tcpdump -n -r "$WORK/wan.pcap" "$@" 2>/dev/null; }
leak=$(pc 'host 192.168.0.2' | wc -l)
ext=$(pc 'src host 203.0.113.1 and tcp src port 8080' | wc -l)
if [ "$leak" = 0 ] && [ "$ext" -gt 10 ]; then
	ok dnat_wire_shows_external
else
	fail dnat_wire_shows_external "packets naming 192.168.0.2 outside: $leak; from 203.0.113.1:8080: $ext"
fi
syn=$(pc -v 'src host 203.0.113.1 and dst port 8000 and tcp[tcpflags] & tcp-syn != 0' | grep -o 'mss [0-9]*' | head -1)
if [ "$syn" = "mss 1200" ]; then
	ok tcpmss_syn_clamped
else
	fail tcpmss_syn_clamped "the SYN out carries '${syn:-no mss}'"
fi
if [ "$got2" = "$want" ]; then
	ok tcpmss_download_whole
else
	fail tcpmss_download_whole "sha256 $got2, want $want"
fi
stats_log
