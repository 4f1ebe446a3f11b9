#!/usr/bin/env bash
# tests/e2e/85-twins.sh - the twins: the router host's door to its interfaces
#
#   masq-t$$-lan   eth0 192.168.0.2/24 mtu 1400, default via 192.168.0.1
#        |         (curl: a 1 MiB download, paced to last ~4 s)
#   masq-t$$-gw    lan0 (mtu 1400), wan0: owned by build/masqd, which makes
#                  lan0-h and wan0-h (TAPs: same MAC and MTU, the router's
#                  addresses), and the host's default route via
#                  203.0.113.2 dev wan0-h when it has none
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 (python3 http.server :8000)
#
# Run 1: masqd --gateway 203.0.113.2 on a host with no default route:
#   each twin's MAC, MTU, address and sysctls; the route appears;
#   masqctl iface lists each interface's twin in use (not wan0's while
#   wan0-h is down); a twin deleted by hand (ip link del lan0-h) while the
#   download runs is back within 2 s with its address, and the download
#   completes; a twin set down is logged and its route put back when it
#   is up; a renamed twin is used under its new name (a LAN connection to
#   a host socket); one deleted while a veth holds its name is made again
#   once the name is free (masqd said why it could not); the router host
#   pings the external server through wan0-h, downloads 1 MiB from it and
#   uploads 4 MiB to it (seen from 203.0.113.1); after SIGTERM no twin
#   and no route is left.
# Run 2: the host has a default route of its own (unreachable default):
#   masqd keeps it and adds none; --twin names a twin.
# Then: a device named lan0-h exists (a TAP of the administrator's):
#   masqd refuses to start, says why, and leaves nothing changed.
# Run 3: --external wan0=dhcp: masqd starts; wan0-h has no address;
#   masqctl iface says wan0 waits for one; a SIGHUP reload of its -c file
#   is taken, and the twins stay in use.
# Captures: none; masqd's log is build/e2e/85-twins/masqd.log.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init masqd_starts twin_mac_mtu twin_addresses twin_sysctls \
	host_route_added engine_told_twins ping_through_before twin_deleted_remade \
	download_during_deletion forwarding_after_deletion twin_down_logged \
	engine_twin_off_while_down \
	route_back_after_up twin_counters twin_rename_followed \
	twin_remade_after_retry host_ping_through_twin \
	host_download_through_twin host_upload_through_twin sigterm_exit0 \
	twins_removed_at_exit host_route_kept twin_named name_taken_refused \
	dhcp_starts dhcp_twin_no_address dhcp_waiting_listed dhcp_reload
e2e_need curl curl
e2e_need ping iputils-ping
e2e_need sha256sum coreutils

lab_up || exit 1
on lan ip link set dev eth0 mtu 1400
on gw ip link set dev lan0 mtu 1400

# gwx CMD...: a command in the router namespace, its stdout to the caller
gwx() { T=5 xo ip netns exec "$NS_GW" "$@"; }
mac_of() { gwx cat "/sys/class/net/$1/address" 2>/dev/null; }
mtu_of() { gwx cat "/sys/class/net/$1/mtu" 2>/dev/null; }
addr_of() { gwx ip -4 -o addr show dev "$1" 2>/dev/null | awk '{print $4}' | tr '\n' ' '; }
exists() { ip netns exec "$NS_GW" test -e "/sys/class/net/$1"; }
defroute() { gwx ip -4 route show default 2>/dev/null; }
stat_of() { mctl stats | awk -v n="$1" '$1 == n {print $2}'; }
# twin_flag IF: "twin" when masqctl iface lists IF with its twin in use
twin_flag() { mctl iface | awk -v i="$1" '$1 == i && $NF == "twin" {print "twin"}'; }

if [ -n "$(defroute)" ]; then
	ABORT_WHY="the lab's router namespace has a default route already"
	exit 1
fi

# --- run 1 -----------------------------------------------------------------
if masqd_start --gateway 203.0.113.2; then
	ok masqd_starts
else
	fail masqd_starts "no answer on the control socket (build/e2e/$E2E_NAME/masqd.log)"
	ABORT_WHY="masqd did not start"
	exit 1
fi

bad=
for i in lan0 wan0; do
	m=$(mac_of "$i") mt=$(mtu_of "$i") tm=$(mac_of "$i-h") tmt=$(mtu_of "$i-h")
	log "$i: $m mtu $mt; $i-h: $tm mtu $tmt"
	[ -n "$tm" ] && [ "$m" = "$tm" ] && [ "$mt" = "$tmt" ] ||
		bad="$bad $i-h: ${tm:-missing} mtu ${tmt:-?} (want $m mtu $mt);"
done
[ "$(mtu_of lan0-h)" = 1400 ] || bad="$bad lan0-h mtu $(mtu_of lan0-h), not 1400;"
if [ -z "$bad" ]; then ok twin_mac_mtu; else fail twin_mac_mtu "$bad"; fi

a=$(addr_of lan0-h) b=$(addr_of wan0-h)
if [ "$a" = "192.168.0.1/24 " ] && [ "$b" = "203.0.113.1/24 " ]; then
	ok twin_addresses
else
	fail twin_addresses "lan0-h: '${a}', wan0-h: '${b}'"
fi

bad=
for i in lan0-h wan0-h; do
	v=$(gwx sh -c "cat /proc/sys/net/ipv6/conf/$i/disable_ipv6 /proc/sys/net/ipv4/conf/$i/forwarding /proc/sys/net/ipv4/conf/$i/rp_filter" | tr '\n' ' ')
	[ "$v" = "1 0 0 " ] || bad="$bad $i: disable_ipv6 forwarding rp_filter = $v;"
done
if [ -z "$bad" ]; then ok twin_sysctls; else fail twin_sysctls "$bad"; fi

r=$(defroute)
if echo "$r" | grep -q '^default via 203.0.113.2 dev wan0-h'; then
	ok host_route_added
else
	fail host_route_added "default route: '${r:-none}'"
fi

if [ "$(twin_flag lan0)" = twin ] && [ "$(twin_flag wan0)" = twin ]; then
	ok engine_told_twins
else
	fail engine_told_twins "masqctl iface: $(mctl iface | tr '\n' ';')"
fi

if warm lan 203.0.113.2; then ok ping_through_before; else fail ping_through_before "no answer from 203.0.113.2"; fi

# --- a twin deleted by hand while a LAN download runs --------------------
http_serve_1mb
rm -f "$WORK/got.bin"
bg lan curl 30 curl -sS --max-time 25 --limit-rate 256k -o "$WORK/got.bin" \
	http://203.0.113.2:8000/1mb.bin
CURL_PID=$BG_PID
sleep 1
on gw ip link del lan0-h
t0=$(date +%s%N) back=
for _ in $(seq 20); do
	sleep 0.1
	if exists lan0-h && [ "$(addr_of lan0-h)" = "192.168.0.1/24 " ]; then
		back=$((($(date +%s%N) - t0) / 1000000))
		break
	fi
done
if [ -n "$back" ]; then
	log "lan0-h back with its address after ${back} ms"
	ok twin_deleted_remade
else
	fail twin_deleted_remade "lan0-h: $(exists lan0-h && echo "there, address '$(addr_of lan0-h)'" || echo missing) 2 s after ip link del"
fi
wait "$CURL_PID"
got=$(sha256sum <"$WORK/got.bin" 2>/dev/null | cut -d' ' -f1)
if [ "$got" = "$want" ]; then
	ok download_during_deletion
else
	fail download_during_deletion "$(stat -c %s "$WORK/got.bin" 2>/dev/null || echo 0) of 1048576 bytes, sha256 ${got:-none} ($(head -c 200 "$WORK/curl.out" | tr '\n' ' '))"
fi
out=$(ono lan ping -n -c 3 -i 0.2 -W 1 203.0.113.2)
if echo "$out" | grep -q ' 3 received'; then
	ok forwarding_after_deletion
else
	fail forwarding_after_deletion "$(echo "$out" | grep -m1 'packet loss' || echo 'ping failed')"
fi

# --- a twin set down, then up --------------------------------------------
on gw ip link set wan0-h down
# (masqd notices it in its own time: until it has, 5 s at most)
twin_down_seen() {
	grep -q 'twin wan0-h of wan0 was set down' "$WORK/masqd.log" &&
		[ "$(stat_of masqd_twin_down)" = 1 ] && [ -z "$(twin_flag wan0)" ]
}
wait_until 5 twin_down_seen
if grep -q 'twin wan0-h of wan0 was set down' "$WORK/masqd.log" &&
	[ "$(stat_of masqd_twin_down)" = 1 ]; then
	ok twin_down_logged
else
	fail twin_down_logged "no 'set down' line in masqd's log, or masqd_twin_down is $(stat_of masqd_twin_down)"
fi
if [ -z "$(twin_flag wan0)" ] && [ "$(twin_flag lan0)" = twin ]; then
	ok engine_twin_off_while_down
else
	fail engine_twin_off_while_down "masqctl iface with wan0-h down: $(mctl iface | tr '\n' ';')"
fi
on gw ip link set wan0-h up
route_back() { defroute | grep -q '^default via 203.0.113.2 dev wan0-h'; }
wait_until 5 route_back
r=$(defroute)
if echo "$r" | grep -q '^default via 203.0.113.2 dev wan0-h'; then
	ok route_back_after_up
else
	fail route_back_after_up "default route after up: '${r:-none}'"
fi

lost=$(stat_of masqd_twin_lost) remade=$(stat_of masqd_twin_remade) up=$(stat_of masqd_twins_up)
if [ "$lost" = 1 ] && [ "$remade" = 1 ] && [ "$up" = 2 ]; then
	ok twin_counters
else
	fail twin_counters "masqd_twin_lost $lost, masqd_twin_remade $remade, masqd_twins_up $up (want 1 1 2)"
fi

# --- renamed, then deleted while its name is taken ------------------------
# lan_to_host: a TCP connection from the LAN host to a host socket on
# 192.168.0.1 (INPUT accepts it from inside; it reaches the host by lan0's
# twin, whatever its name)
lan_to_host() {
	local out
	bg gw hold 10 "$PY" -u "$WORK/tool.py" tcp-hold-server 192.168.0.1 7200 6
	wait_listen gw tcp 192.168.0.1:7200 || return 1
	out=$(ono lan "$PY" -u "$WORK/tool.py" tcp-probe 192.168.0.1 7200 3)
	stop "$BG_PID"
	echo "$out" | grep -q '^connected'
}
on gw ip link set lan0-h down
on gw ip link set lan0-h name inner0
on gw ip link set inner0 up
rename_seen() {
	grep -q 'twin lan0-h of lan0 was renamed inner0' "$WORK/masqd.log" &&
		[ "$(twin_flag lan0)" = twin ]
}
wait_until 5 rename_seen
if grep -q 'twin lan0-h of lan0 was renamed inner0: masqd goes on using it' "$WORK/masqd.log" &&
	[ "$(twin_flag lan0)" = twin ] && lan_to_host; then
	ok twin_rename_followed
else
	fail twin_rename_followed "no 'renamed' line, twin flag '$(twin_flag lan0)', or no connection from the LAN to a host socket"
fi
on gw ip link add lan0-h type veth peer name lan0-x	# the name, taken
on gw ip link del inner0
wait_until 5 grep -q 'twin lan0-h of lan0: cannot make it again' "$WORK/masqd.log"
if grep -q 'twin lan0-h of lan0: cannot make it again (TUNSETIFF: Device or resource busy); trying each second' "$WORK/masqd.log"; then
	on gw ip link del lan0-h
	back=
	for _ in $(seq 25); do
		sleep 0.1
		if [ "$(addr_of lan0-h)" = "192.168.0.1/24 " ] &&
			gwx ip -d link show lan0-h | grep -q 'tun type tap'; then
			back=1
			break
		fi
	done
	if [ -n "$back" ] && lan_to_host; then
		ok twin_remade_after_retry
	else
		fail twin_remade_after_retry "lan0-h not a TAP with 192.168.0.1/24 2.5 s after its name was free, or no connection from the LAN to a host socket"
	fi
else
	fail twin_remade_after_retry "no 'cannot make it again' line while the name was taken"
	on gw ip link del lan0-h
fi

# --- the router host itself, through its twin -----------------------------
out=$(ono gw ping -n -c 3 -i 0.2 -W 1 203.0.113.2)
if echo "$out" | grep -q ' 3 received'; then
	ok host_ping_through_twin
else
	fail host_ping_through_twin "$(echo "$out" | grep -m1 'packet loss' || echo 'ping failed')"
	stats_log
fi
# a download to the host and an upload from it (with offloads on, the
# host hands masqd 64 KiB TCP frames through the twin, and takes them)
rm -f "$WORK/host.bin"
if on gw curl -sS --max-time 10 -o "$WORK/host.bin" http://203.0.113.2:8000/1mb.bin &&
	[ "$(sha256sum <"$WORK/host.bin" | cut -d' ' -f1)" = "$want" ]; then
	ok host_download_through_twin
else
	fail host_download_through_twin "$(stat -c %s "$WORK/host.bin" 2>/dev/null || echo 0) of 1048576 bytes, or a wrong sha256"
fi
bg wan sink 20 "$PY" -u -c '
import hashlib, socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("203.0.113.2", 7100)); s.listen(1); s.settimeout(15)
c, a = s.accept(); c.settimeout(10); h = hashlib.sha256(); n = 0
while True:
    d = c.recv(65536)
    if not d: break
    h.update(d); n += len(d)
print("from %s got %d sha256 %s" % (a[0], n, h.hexdigest()), flush=True)'
SINK_PID=$BG_PID
wait_listen wan tcp 203.0.113.2:7100
head -c 4194304 /dev/urandom >"$WORK/up.bin"
upsha=$(sha256sum <"$WORK/up.bin" | cut -d' ' -f1)
on gw "$PY" -c '
import socket, sys
c = socket.create_connection(("203.0.113.2", 7100), timeout=10)
c.sendall(open(sys.argv[1], "rb").read()); c.close()' "$WORK/up.bin"
wait "$SINK_PID"
if grep -qx "from 203.0.113.1 got 4194304 sha256 $upsha" "$WORK/sink.out"; then
	ok host_upload_through_twin
else
	fail host_upload_through_twin "the server saw: $(tr '\n' ' ' <"$WORK/sink.out")"
	stats_log
fi
stop "$HTTP_PID"
mctl stats | grep -E '^masqd_twin_(rx|tx)' >/dev/null	# into the log

masqd_stop
rc=$?
if [ $rc = 0 ]; then ok sigterm_exit0; else fail sigterm_exit0 "exit status $rc"; fi
left=
for i in lan0-h wan0-h; do exists "$i" && left="$left $i"; done
r=$(defroute)
if [ -z "$left" ] && [ -z "$r" ]; then
	ok twins_removed_at_exit
else
	fail twins_removed_at_exit "left:${left:- no twin}; default route: '${r:-none}'"
fi

# --- run 2: the host's own default route; a twin named --------------------
on gw ip route add unreachable default
if masqd_start --gateway 203.0.113.2 --twin lan0=inside0; then
	r=$(defroute)
	if [ "$r" = "unreachable default " ] || [ "$r" = "unreachable default" ]; then
		if grep -q 'host: it has a default route of its own; kept it' "$WORK/masqd.log"; then
			ok host_route_kept
		else
			fail host_route_kept "the route was kept, but masqd did not say so"
		fi
	else
		fail host_route_kept "default routes now: $(echo "$r" | tr '\n' ';')"
	fi
	if exists inside0 && ! exists lan0-h && [ "$(addr_of inside0)" = "192.168.0.1/24 " ]; then
		ok twin_named
	else
		fail twin_named "inside0: $(exists inside0 && echo there || echo missing), lan0-h: $(exists lan0-h && echo there || echo missing)"
	fi
	masqd_stop
	r=$(defroute)
	[ "$r" = "unreachable default " ] || [ "$r" = "unreachable default" ] ||
		fail host_route_kept "after exit: $(echo "$r" | tr '\n' ';')"
else
	fail host_route_kept "masqd did not start"
	fail twin_named "masqd did not start"
fi
on gw ip route del unreachable default

# --- a device with the twin's name exists: refused, nothing changed --------
on gw ip tuntap add dev lan0-h mode tap
if masqd_start; then
	fail name_taken_refused "masqd started with a device named lan0-h there"
	masqd_stop
elif grep -q 'twin lan0-h for lan0: an interface of that name exists' "$WORK/masqd.log" &&
	! exists wan0-h && exists lan0-h && ! gwx nft list tables | grep -q masqd_; then
	ok name_taken_refused
else
	fail name_taken_refused "no clear refusal in masqd's log, or something left: $(gwx ip -br link | awk '{print $1}' | tr '\n' ' ')$(gwx nft list tables | tr '\n' ' ')"
fi
on gw ip tuntap del dev lan0-h mode tap

# --- run 3: --external wan0=dhcp ---------------------------------------------
MASQD_ARGS=(--internal lan0=192.168.0.1/24 --external wan0=dhcp)
echo 'set timeout udp 300' >"$WORK/masq.conf"
if masqd_start -c "$WORK/masq.conf"; then
	ok dhcp_starts
	a=$(addr_of wan0-h)
	if exists wan0-h && [ -z "$a" ] && [ "$(addr_of lan0-h)" = "192.168.0.1/24 " ]; then
		ok dhcp_twin_no_address
	else
		fail dhcp_twin_no_address "wan0-h: $(exists wan0-h && echo "there, '$a'" || echo missing)"
	fi
	if mctl iface | grep -E '^wan0 ' | grep -q 'waiting for an address'; then
		ok dhcp_waiting_listed
	else
		fail dhcp_waiting_listed "masqctl iface: $(mctl iface | tr '\n' ';')"
	fi
	echo 'set timeout udp 77' >"$WORK/masq.conf"
	x kill -HUP "$MASQD_PID"
	for _ in $(seq 30); do
		grep -q 'reloaded' "$WORK/masqd.log" && break
		sleep 0.1
	done
	if grep -q "SIGHUP: .*masq.conf reloaded" "$WORK/masqd.log" &&
		mctl show settings | grep -qE 'udp[^0-9]*77\b' &&
		[ "$(twin_flag lan0)" = twin ] && [ "$(twin_flag wan0)" = twin ]; then
		ok dhcp_reload
	else
		fail dhcp_reload "$(grep -E 'SIGHUP|reload' "$WORK/masqd.log" | tail -3 | tr '\n' ' '); settings: $(mctl show settings | grep -i udp | tr '\n' ' '); iface: $(mctl iface | tr '\n' ';')"
	fi
	masqd_stop
else
	fail dhcp_starts "masqd --external wan0=dhcp did not start"
	fail dhcp_twin_no_address "masqd did not start"
	fail dhcp_waiting_listed "masqd did not start"
	fail dhcp_reload "masqd did not start"
fi
