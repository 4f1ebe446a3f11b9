#!/usr/bin/env bash
# tests/e2e/72-pmtu.sh - path-MTU discovery through a smaller-MTU link
#
#   masq-t$$-lan   eth0 192.168.0.2/24, MTU 1500 (curl -T 1 MB: the upload
#        |         sends full 1500-byte segments with DF, Linux's default)
#   masq-t$$-gw    lan0 192.168.0.1, MTU 1500   <-- build/masqd
#                  wan0 203.0.113.1, MTU 1280   (set before masqd starts:
#        |                                        masqd reads it at start)
#   masq-t$$-wan   eth0 203.0.113.2/24, MTU 1280, but its route advertises
#                  MSS 1460 (advmss), as a server on a 1500-byte link behind
#                  a 1280-byte hop would: the client's MSS stays 1460
#                  (python3 HTTP server :8000, GET a file, PUT -> sha256)
#
# The inside host's 1500-byte packets do not fit wan0: masqd must answer
# each with ICMP fragmentation needed (type 3 code 4, next-hop MTU 1280)
# from 192.168.0.1, the host lowers its path MTU to 1280 and the upload
# completes, unchanged. Capture: build/e2e/NAME/lan-icmp.pcap.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init masqd_wan0_mtu_1280 pmtu_upload_1mb_sha256 pmtu_frag_needed_from_router \
	pmtu_host_learned_1280 pmtu_download_1mb_sha256
e2e_need curl curl
e2e_need tcpdump tcpdump
e2e_need sha256sum coreutils

lab_up || exit 1
on wan ip link set dev eth0 mtu 1280 &&
	on gw ip link set dev wan0 mtu 1280 &&
	on wan ip route change 203.0.113.0/24 dev eth0 proto kernel scope link \
		src 203.0.113.2 advmss 1460 || {
	ABORT_WHY="could not set the 1280-byte link up (see $LOG)"
	exit 1
}
# the ICMP the inside host receives (only ICMP: small and to the point)
bg lan tcpdump-icmp 90 tcpdump -Z root -n -i eth0 --immediate-mode -c 2000 -s 256 -U \
	-w "$WORK/lan-icmp.pcap" icmp
TCPDUMP_PID=$BG_PID
capture wan eth0 wan
sleep 0.5
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi

line=$(mctl iface | grep -E '^ *wan0 ')
if echo "$line" | grep -qE '\bmtu 1280\b'; then
	ok masqd_wan0_mtu_1280
else
	fail masqd_wan0_mtu_1280 "masqctl iface: ${line:-no wan0 line}"
fi

cat >"$WORK/httpd.py" <<'PYEOF'
import hashlib, http.server, sys, time

class H(http.server.SimpleHTTPRequestHandler):
    def do_PUT(self):
        n = int(self.headers.get("Content-Length", "0"))
        h, got = hashlib.sha256(), 0
        while got < n:
            d = self.rfile.read(min(65536, n - got))
            if not d:
                break
            h.update(d)
            got += len(d)
        print("PUT %s from %s:%d bytes %d sha256 %s" % (self.path,
              self.client_address[0], self.client_address[1], got,
              h.hexdigest()), flush=True)
        body = ("%d %s\n" % (got, h.hexdigest())).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *a):
        print("%s:%d %s" % (self.client_address[0], self.client_address[1],
              fmt % a), flush=True)

addr, port, secs, root = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
srv = http.server.HTTPServer((addr, port),
                             lambda *a: H(*a, directory=root))
srv.timeout = 0.5
print("serving", flush=True)
end = time.time() + secs
while time.time() < end:
    srv.handle_request()
PYEOF
mkdir -p "$WORK/www"
head -c 1048576 /dev/urandom >"$WORK/www/1mb.bin"
want=$(sha256sum <"$WORK/www/1mb.bin" | cut -d' ' -f1)
bg wan httpd 60 "$PY" -u "$WORK/httpd.py" 203.0.113.2 8000 55 "$WORK/www"
HTTP_PID=$BG_PID
wait_listen wan tcp 203.0.113.2:8000 || log "  (HTTP server not listening yet)"

# Upload: the inside host sends 1500-byte segments first
out=$(T=25 ono lan curl -sS --max-time 20 -T "$WORK/www/1mb.bin" http://203.0.113.2:8000/up.bin)
rc=$?
if [ $rc -eq 0 ] && [ "$out" = "1048576 $want" ]; then
	ok pmtu_upload_1mb_sha256
else
	fail pmtu_upload_1mb_sha256 "curl status $rc, server says: ${out:-nothing} (want 1048576 $want)"
fi

# The ICMP the host got: frag needed, from the router, MTU 1280, quoting
# the host's own segment to the server (tcpdump stopped first: it has
# written all it got)
sleep 0.5
stop "$TCPDUMP_PID"
icmp=$(T=10 xo tcpdump -n -v -r "$WORK/lan-icmp.pcap" 2>/dev/null)
fn=$(echo "$icmp" | grep -cE '192\.168\.0\.1 > 192\.168\.0\.2: ICMP 203\.0\.113\.2 unreachable - need to frag \(mtu 1280\)')
quoted=$(echo "$icmp" | grep -cE '192\.168\.0\.2\.[0-9]+ > 203\.0\.113\.2\.8000: ')
log "frag-needed messages seen by the host: $fn (quoting the host's segment: $quoted)"
if [ "$fn" -ge 1 ] && [ "$quoted" -ge 1 ]; then
	ok pmtu_frag_needed_from_router
else
	fail pmtu_frag_needed_from_router "the host saw $fn ICMP frag-needed (mtu 1280) from 192.168.0.1, $quoted quoting its segment to 203.0.113.2:8000 ($(echo "$icmp" | head -n 2 | tr -s ' \n' ' ' | cut -c1-200))"
fi

out=$(ono lan ip route get 203.0.113.2)
if echo "$out" | grep -qE '\bmtu 1280\b'; then
	ok pmtu_host_learned_1280
else
	fail pmtu_host_learned_1280 "ip route get: $(echo "$out" | tr -s ' \n' ' ')"
fi

# Download through the small link: the server's own segments fit
rm -f "$WORK/got.bin"
if T=25 on lan curl -sS --max-time 20 -o "$WORK/got.bin" http://203.0.113.2:8000/1mb.bin; then
	got=$(sha256sum <"$WORK/got.bin" | cut -d' ' -f1)
	if [ "$got" = "$want" ]; then
		ok pmtu_download_1mb_sha256
	else
		fail pmtu_download_1mb_sha256 "sha256 $got, expected $want ($(stat -c %s "$WORK/got.bin") bytes)"
	fi
	rm -f "$WORK/got.bin"
else
	fail pmtu_download_1mb_sha256 "curl failed (see $LOG)"
fi
stop "$HTTP_PID"
stats_log
