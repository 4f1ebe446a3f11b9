#!/usr/bin/env bash
# tests/e2e/115-connmark.sh - a connection's mark (CONNMARK, -m connmark)
# and the port-forward filter (-m conntrack --ctorigdstport) through masqd
#
#   masq-t$$-lan   eth0 192.168.0.2/24 (a web server on port 80)
#        |
#   masq-t$$-gw    lan0 192.168.0.1 / wan0 203.0.113.1  <-- build/masqd
#        |         FORWARD's policy DROP
#   masq-t$$-wan   eth0 203.0.113.2 (a client)
#
# 1. The port-forward filter: 8080 and 8081 are both DNATed to the
#    server, FORWARD admits only "--ctstate DNAT --ctorigdstport 8080":
#    a 1 MiB download through 8080 completes whole, one through 8081
#    gets nothing.
# 2. Marks on connections: mangle PREROUTING restores a connection's
#    mark, marks the first packet to 203.0.113.1:9090 with 5 and saves
#    it; ipmasqadm mfw forwards mark 5 to the server; FORWARD admits
#    "-m mark --mark 5" and nothing else. The download through 9090
#    completes whole, so every packet, both ways, carried mark 5 (the
#    server's answers only by the restore): the mark rule counted them
#    all (more than 700 packets for 1 MiB); conntrack -L shows mark=5.
# 1, 2 and 3 run on masqd --workers 2 (one worker where there is one CPU).
# 3. A restart (SIGUSR2) in the middle of a slow download through 9090,
#    the successor with --workers 2 too: the new masqd loads the
#    connection with its mark (conntrack -L: mark=5) on the worker its
#    client's segments reach (steered by 9090: mfw is no forward
#    steering knows; it was put on the server's side's and the client's
#    packets were lost, before the restore looked at the side from
#    outside), the rules are given again, and the rest of the download
#    (the server's answers admitted only by the restored mark) arrives
#    whole.
#
# Every generator is bounded (count and time); the state file and records
# live in /run/masq/NETNS (the gw namespace's inode): the trap removes it.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init portfw_8080_whole portfw_8081_refused connmark_download_whole \
	connmark_every_packet connmark_listed restart_keeps_mark \
	restart_download_whole
e2e_need curl curl
lab_up || exit 1

NETNS=$(ip netns exec "$NS_GW" stat -L -c %i /proc/self/ns/net)
RECDIR=/run/masq/$NETNS
trap 'rm -rf "$RECDIR"; e2e_cleanup' EXIT

# 1 and 2 with two workers (a connection, and its mark, live on one),
# where there are two CPUs
WORKERS=()
[ "$(nproc)" -ge 2 ] && WORKERS=(--workers 2)
if ! masqd_start "${WORKERS[@]}"; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi

rules() {
	mctl iptables -F FORWARD >/dev/null
	mctl iptables -P FORWARD DROP >/dev/null
	mctl iptables -t nat -A PREROUTING -i wan0 -p tcp -d 203.0.113.1 \
		--dport 8080 -j DNAT --to-destination 192.168.0.2:80 >/dev/null
	mctl iptables -t nat -A PREROUTING -i wan0 -p tcp -d 203.0.113.1 \
		--dport 8081 -j DNAT --to-destination 192.168.0.2:80 >/dev/null
	mctl iptables -A FORWARD -m conntrack --ctstate DNAT \
		--ctorigdstport 8080 -j ACCEPT >/dev/null
	mctl iptables -t mangle -A PREROUTING -j CONNMARK --restore-mark >/dev/null
	mctl iptables -t mangle -A PREROUTING -p tcp -d 203.0.113.1 --dport 9090 \
		-m mark --mark 0 -j MARK --set-mark 5 >/dev/null
	mctl iptables -t mangle -A PREROUTING -j CONNMARK --save-mark >/dev/null
	mctl iptables -A FORWARD -m mark --mark 5 -j ACCEPT >/dev/null
	mctl ipmasqadm mfw -A -m 5 -r 192.168.0.2 80 >/dev/null
}
rules
mctl iptables-save >/dev/null

mkdir -p "$WORK/www"
head -c 1048576 /dev/urandom >"$WORK/www/1mb.bin"
want=$(sha256sum <"$WORK/www/1mb.bin" | cut -d' ' -f1)
bg lan http-in 90 "$PY" -u -m http.server 80 --bind 192.168.0.2 --directory "$WORK/www"
wait_listen lan tcp 192.168.0.2:80 || log "the internal server did not start"
warm wan 203.0.113.1

# 1. the port-forward filter
got=$(ono wan curl -s --max-time 10 http://203.0.113.1:8080/1mb.bin | sha256sum | cut -d' ' -f1)
if [ "$got" = "$want" ]; then
	ok portfw_8080_whole
else
	fail portfw_8080_whole "sha256 $got, want $want"
fi
n=$(ono wan curl -s --max-time 3 http://203.0.113.1:8081/1mb.bin | wc -c)
if [ "$n" = 0 ]; then
	ok portfw_8081_refused
else
	fail portfw_8081_refused "$n bytes came through 8081"
fi

# 2. a connection's mark, both ways, and mfw by it
got=$(ono wan curl -s --max-time 10 http://203.0.113.1:9090/1mb.bin | sha256sum | cut -d' ' -f1)
if [ "$got" = "$want" ]; then
	ok connmark_download_whole
else
	fail connmark_download_whole "sha256 $got, want $want"
fi
save=$(mctl iptables-save -c -t filter)
log "$save"
pk=$(echo "$save" | grep -- '-m mark --mark 0x5 -j ACCEPT' | sed -n 's/^\[\([0-9]*\):.*/\1/p')
pol=$(echo "$save" | sed -n 's/^:FORWARD DROP \[\([0-9]*\):.*/\1/p')
if [ "${pk:-0}" -gt 700 ]; then
	ok connmark_every_packet
else
	fail connmark_every_packet "the mark rule counted ${pk:-no} packets (policy: ${pol:-?})"
fi
ct=$(mctl conntrack -L 2>/dev/null)
log "$ct"
if echo "$ct" | grep -q 'sport=80 dport=[0-9]* .*mark=5 use=1'; then
	ok connmark_listed
else
	fail connmark_listed "no mark=5 in: $(echo "$ct" | tr '\n' ' ')"
fi

# 3. SIGUSR2 in the middle of a slow download
bg wan curl-slow 30 curl -sS --max-time 25 --limit-rate 150k -o "$WORK/got-slow" \
	http://203.0.113.1:9090/1mb.bin
CURL=$BG_PID
got_some() { [ "$(stat -c %s "$WORK/got-slow" 2>/dev/null || echo 0)" -ge 150000 ]; }
wait_until 5 got_some || log "(download not under way before the restart)"
log "download at the restart: $(stat -c %s "$WORK/got-slow" 2>/dev/null) bytes"
log "+ kill -USR2 $MASQD_PID (masqd), then started again"
kill -USR2 "$MASQD_PID"
wait "$MASQD_PID"
log "  masqd exited with status $?"
MASQD_PID=
masqd_start "${WORKERS[@]}" || log "(masqd did not start again)"
ct=$(mctl conntrack -L 2>/dev/null)
log "$ct"
rules
at=$(stat -c %s "$WORK/got-slow" 2>/dev/null || echo 0)
log "download when the rules were given again: $at bytes"
if echo "$ct" | grep -q 'dport=9090 .*mark=5 use=1'; then
	ok restart_keeps_mark
else
	fail restart_keeps_mark "no mark=5 after the restart: $(echo "$ct" | tr '\n' ' ')"
fi
wait "$CURL"; rc=$?
got=$(sha256sum <"$WORK/got-slow" | cut -d' ' -f1)
pk=$(mctl iptables-save -c -t filter | grep -- '-m mark --mark 0x5 -j ACCEPT' |
	sed -n 's/^\[\([0-9]*\):.*/\1/p')
if [ "$rc" = 0 ] && [ "$got" = "$want" ] && [ "$at" -lt 1000000 ] &&
	[ "${pk:-0}" -gt 100 ]; then
	ok restart_download_whole
else
	fail restart_download_whole "curl status $rc, sha256 $got; $at bytes at the rules' return; the mark rule counted ${pk:-no} packets since"
fi
stats_log
