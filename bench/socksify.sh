#!/usr/bin/env bash
# bench/socksify.sh - connections per second and throughput through
# masq-socksify and a SOCKS server, next to a plain masqueraded connection
# in the same lab (issue 17)
#
#   masq-t$$-lan  connloop run / curl  -> 203.0.113.3:7000 / :8000 (socks)
#                                       -> 203.0.113.3:7001 / :8001 (direct)
#   masq-t$$-gw   masqd: nat PREROUTING -i lan0 -p tcp --dport 7000 (and
#                 8000) -j REDIRECT --to-ports 11080; masq-socksify -f
#                 --socks 203.0.113.2:1080, ports file "7000 8000"
#   masq-t$$-wan  a small SOCKS5 server (asyncio; BENCH_SOCKS=dante: danted)
#                 on 203.0.113.2:1080; connloop servers and sendfile
#                 HTTP servers on 203.0.113.3, one of each per path
#
# ROUNDS (BENCH_SOCKS_ROUNDS, default 3) alternating pairs: direct, then
# socks, in the same lab and masqd; the two paths use their own server
# ports, so no rule changes between them and no connection of one is
# taken for the other's. Prints, medians over the rounds:
#
#   bench socksify_conn_direct N conn/s     (connloop, 4 processes, 4 s)
#   bench socksify_conn_socks N conn/s
#   bench socksify_conn_ratio R ratio        (socks / direct)
#   bench socksify_conn_hung_direct N connections (over the rounds: not
#   bench socksify_conn_hung_socks N connections  done in 5 s; each one
#                                            costs its process 5 s of the
#                                            run, so they weigh on conn/s)
#   bench socksify_curl_direct N bytes/s     (a BENCH_SOCKS_MB file)
#   bench socksify_curl_socks N bytes/s
#   bench socksify_curl_ratio R ratio
#   bench socksify_curl_host_socks N bytes/s (the router host's own curl
#                                            --socks5: the path without
#                                            the relay)
#
# The SOCKS path is the relay and the SOCKS server together: a Python
# server may be what limits it; the relay's own counters are in the log. About 50 s. Log and outputs: build/bench-socksify/.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=bench/lib.sh
. bench/lib.sh
SX=$ROOT/build/masq-socksify
CONNLOOP=$ROOT/build/tools/connloop
ROUNDS=${BENCH_SOCKS_ROUNDS:-3}
case "$ROUNDS" in '' | *[!0-9]* | 0) ROUNDS=3 ;; esac
MB=${BENCH_SOCKS_MB:-200}
CSECS=4
export MASQ_LAB_PREFIX=masq-t$$-
NS_LAN=${MASQ_LAB_PREFIX}lan NS_GW=${MASQ_LAB_PREFIX}gw NS_WAN=${MASQ_LAB_PREFIX}wan
OUT=$ROOT/build/bench-socksify
LOG=$OUT/socksify.log
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

skip() { echo "SKIP bench socksify: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
for t in ip:iproute2 curl:curl "$PY":python3 /usr/sbin/danted:dante-server timeout:coreutils; do
	command -v "${t%%:*}" >/dev/null 2>&1 || skip "needs ${t%%:*} (apt-get install ${t##*:})"
done
{ [ -x "$MASQD" ] && [ -x "$MASQCTL" ] && [ -x "$SX" ]; } || skip "build/masqd or build/masq-socksify is not built (make)"
[ -x "$CONNLOOP" ] || skip "build/tools/connloop is not built (make tools)"

bench_scaffold

mc() { x 5 "$MASQCTL" -s "$SOCK" "$@"; }

mkdir -p "$OUT/www"
head -c $((MB * 1048576)) /dev/zero >"$OUT/www/file.bin"
printf '7000 8000\n' >"$RUNDIR/ports"
cat >"$OUT/danted.conf" <<'EOF'
logoutput: stderr
internal: 203.0.113.2 port = 1080
external: 203.0.113.2
clientmethod: none
socksmethod: none
user.privileged: root
user.unprivileged: nobody
client pass { from: 0.0.0.0/0 to: 0.0.0.0/0 }
socks pass { from: 0.0.0.0/0 to: 0.0.0.0/0 command: connect }
EOF

# A small SOCKS5 server (no authentication, CONNECT to IPv4), asyncio, so
# that the figures are the relay's and not a SOCKS server's: Dante under
# a connect-close loop of thousands a second has its children die and
# stops making new ones for 10 s ("unexpecteddeath()"); BENCH_SOCKS=dante
# measures with Dante all the same.
cat >"$OUT/socks5d.py" <<'PYEOF'
import asyncio, socket, struct, sys
async def pipe(r, w):
    try:
        while True:
            d = await r.read(65536)
            if not d:
                break
            w.write(d)
            await w.drain()
        if w.can_write_eof():
            w.write_eof()
    except (ConnectionError, OSError):
        w.close()
async def client(r, w):
    try:
        v, n = await r.readexactly(2)
        await r.readexactly(n)
        w.write(b"\x05\x00")
        v, cmd, _, atyp = await r.readexactly(4)
        if v != 5 or cmd != 1 or atyp != 1:
            w.write(b"\x05\x07\x00\x01" + bytes(6))
            return w.close()
        addr = socket.inet_ntoa(await r.readexactly(4))
        port = struct.unpack("!H", await r.readexactly(2))[0]
        try:
            r2, w2 = await asyncio.open_connection(addr, port)
        except OSError:
            w.write(b"\x05\x05\x00\x01" + bytes(6))
            return w.close()
        w.write(b"\x05\x00\x00\x01" + bytes(6))
        await asyncio.gather(pipe(r, w2), pipe(r2, w))
        w.close()
        w2.close()
    except (asyncio.IncompleteReadError, ConnectionError, OSError):
        w.close()
async def main():
    s = await asyncio.start_server(client, sys.argv[1], int(sys.argv[2]), backlog=1024)
    async with s:
        await asyncio.sleep(float(sys.argv[3]))
asyncio.run(main())
PYEOF

LAB_UP=1
x 60 "$LAB" up --offload off || skip "lab.sh up failed (see $LOG)"
masqd_up || skip "masqd did not start (see $OUT/masqd.log)"
for _ in $(seq 30); do
	ip -n "$NS_GW" -4 addr show dev lan0-h 2>/dev/null | grep -q 192.168.0.1 && break
	sleep 0.1
done
if [ "${BENCH_SOCKS:-py}" = dante ]; then
	bg 300 danted "$NS_WAN" /usr/sbin/danted -f "$OUT/danted.conf"
else
	bg 300 socks5d "$NS_WAN" "$PY" "$OUT/socks5d.py" 203.0.113.2 1080 280
fi
listening "$NS_WAN" 203.0.113.2:1080 || skip "the SOCKS server is not listening (see $OUT/)"
for p in 7000 7001; do
	bg 300 connloop-server-$p "$NS_WAN" "$CONNLOOP" serve 203.0.113.3 $p 280 4
done
for p in 8000 8001; do
	bg 300 filed-$p "$NS_WAN" "$PY" "$ROOT/bench/sendfile_httpd.py" 203.0.113.3 $p "$OUT/www/file.bin" 280
done
bg 300 masq-socksify "$NS_GW" "$SX" -f -s "$SOCK" --socks 203.0.113.2:1080 \
	--ports "$RUNDIR/ports" --local /dev/null
SX_PID=$BG_PID
listening "$NS_GW" 192.168.0.1:11080 || skip "masq-socksify not listening (see $OUT/masq-socksify.out)"
listening "$NS_WAN" 203.0.113.3:8001 || skip "the file server is not listening"
for p in 7000 8000; do
	mc iptables -t nat -A PREROUTING -i lan0 -p tcp --dport $p -j REDIRECT --to-ports 11080
done

# measure MODE PORT_SUFFIX: one connloop run and one download (to ports
# 700N and 800N); sets CONN and CURL
measure() {
	local res
	res=$(timeout -k 2 $((CSECS + 15)) ip netns exec "$NS_LAN" "$CONNLOOP" run 203.0.113.3 "700$2" "$CSECS" 4 2>>"$LOG")
	log "  connloop $1: $res"
	CONN=$(echo "$res" | awk '{for (i = 1; i < NF; i++) if ($i == "rate") print $(i + 1) + 0}')
	HUNG=$(echo "$res" | awk '{for (i = 1; i < NF; i++) if ($i == "hung") print $(i + 1) + 0}')
	: "${HUNG:=0}"
	res=$(timeout -k 2 40 ip netns exec "$NS_LAN" curl -sS --max-time 30 -o /dev/null \
		-w '%{speed_download} %{size_download}' "http://203.0.113.3:800$2/f" 2>>"$LOG")
	log "  curl $1: $res"
	CURL=0
	[ "${res#* }" = $((MB * 1048576)) ] && CURL=${res%% *} && CURL=${CURL%%.*}
	: "${CONN:=0}"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print 0 }'; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : 0) }'; }

dc=() sc=() du=() su=() dh=0 sh=0
for r in $(seq "$ROUNDS"); do
	measure "direct round $r" 1
	dc+=("$CONN") du+=("$CURL") dh=$((dh + HUNG))
	measure "socks round $r" 0
	sc+=("$CONN") su+=("$CURL") sh=$((sh + HUNG))
	log "# round $r: conn/s direct ${dc[-1]} socks ${sc[-1]}; bytes/s direct ${du[-1]} socks ${su[-1]}"
done
# where the time goes: the router host's own curl through the SOCKS
# server, no relay (the twin, masqd and the server without masq-socksify)
res=$(timeout -k 2 40 ip netns exec "$NS_GW" curl -sS --max-time 30 -o /dev/null \
	--socks5 203.0.113.2:1080 -w '%{speed_download} %{size_download}' \
	http://203.0.113.3:8001/f 2>>"$LOG")
log "  curl from the router host through the SOCKS server: $res"
HOSTS=0
[ "${res#* }" = $((MB * 1048576)) ] && HOSTS=${res%% *} && HOSTS=${HOSTS%%.*}
kill -USR1 "$(pgrep -P "$SX_PID" | head -n1)" 2>/dev/null
sleep 0.2
a=$(median "${dc[@]}") b=$(median "${sc[@]}")
echo "bench socksify_conn_direct $a conn/s"
echo "bench socksify_conn_socks $b conn/s"
echo "bench socksify_conn_ratio $(ratio "$b" "$a") ratio"
echo "bench socksify_conn_hung_direct $dh connections"
echo "bench socksify_conn_hung_socks $sh connections"
a=$(median "${du[@]}") b=$(median "${su[@]}")
echo "bench socksify_curl_direct $a bytes/s"
echo "bench socksify_curl_socks $b bytes/s"
echo "bench socksify_curl_ratio $(ratio "$b" "$a") ratio"
echo "bench socksify_curl_host_socks $HOSTS bytes/s"
masqd_down
