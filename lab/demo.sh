#!/usr/bin/env bash
# lab/demo.sh - what "make run" shows: masqd routing a small network
#
#   masq-demo-lan  192.168.0.2 ---- lan0 [ masqd in masq-demo-gw ] wan0 ---- masq-demo-wan
#   (internal host)        192.168.0.1                   203.0.113.1       203.0.113.2 (HTTP)
#
# Brings the lab up (lab/lab.sh, prefix masq-demo-), starts build/masqd
# with its default configuration and an HTTP server on the external host,
# then, step by step: the internal host downloads a page, pings the server,
# traces the route; the masquerade table and the rules (the default
# ruleset, with its counters) are printed. The lab stays up;
# "make run-stop" (lab/lab.sh down) takes it down. Installs nothing
# (tests/deps.sh does). Exits non-zero if a step failed.
set -u
cd "$(dirname "$0")/.." || exit 1
export MASQ_LAB_PREFIX=masq-demo-
P=$MASQ_LAB_PREFIX
RUN=/run/masq-demo
SOCK=$RUN/masqd.sock
MASQD=${DEMO_MASQD:-build/masqd}
MASQCTL=${DEMO_MASQCTL:-build/masqctl}
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
failed=()

if [ -t 1 ]; then B=$'\033[1m' N=$'\033[0m'; else B='' N=''; fi
step() { printf '\n%s==> %s%s\n' "$B" "$*" "$N"; }
show() { printf '    $ %s\n' "$*"; }
die() { echo "demo: $*" >&2; exit 1; }
ns() { ip netns exec "$P$1" "${@:2}"; }

[ "$(id -u)" = 0 ] || die "must run as root (it creates network namespaces); try: sudo make run"
[ -x $MASQD ] && [ -x $MASQCTL ] || die "build/masqd or build/masqctl is missing; run make first"
for c in ip ethtool curl ping "$PY" timeout; do
	command -v "$c" >/dev/null 2>&1 || die "'$c' is missing; run tests/deps.sh (as root) first"
done

step "Bringing up the lab (network namespaces ${P}lan, ${P}gw, ${P}wan)"
lab/lab.sh up || die "lab/lab.sh up failed"
mkdir -p "$RUN/www"
rm -f "$SOCK"
cat <<EOF
    ${P}lan  192.168.0.2 --- lan0 [ masqd ] wan0 --- 203.0.113.2  ${P}wan
                       192.168.0.1        203.0.113.1
    The external side has no route to 192.168.0.0/24: only masquerading
    (replies to 203.0.113.1, translated back by masqd) gets answers home.
EOF

step "Starting masqd in ${P}gw (log: $RUN/masqd.log)"
args=(--internal lan0=192.168.0.1/24 --external wan0=203.0.113.1/24 -s "$SOCK" -f)
show "ip netns exec ${P}gw $MASQD ${args[*]}"
ns gw setsid "$MASQD" "${args[@]}" </dev/null >"$RUN/masqd.log" 2>&1 &
pid=$!
up=0
for _ in $(seq 50); do
	if ! kill -0 $pid 2>/dev/null; then break; fi
	if [ -S "$SOCK" ] && timeout 2 $MASQCTL -s "$SOCK" stats >/dev/null 2>&1; then up=1; break; fi
	sleep 0.1
done
if [ $up = 0 ]; then
	echo "masqd did not come up; its log:"
	sed 's/^/    /' "$RUN/masqd.log"
	echo "(take the lab down with: make run-stop)"
	exit 1
fi
echo "    masqd is running (pid $pid), control socket $SOCK"

step "Starting an HTTP server on the external host (203.0.113.2:80)"
cat >"$RUN/www/index.html" <<EOF
<!doctype html>
<title>masq demo</title>
<p>Hello from 203.0.113.2, the external server. If you can read this from
192.168.0.2, masqd has masqueraded your connection as 203.0.113.1.
<p>Generated $(date -u '+%F %T UTC').
EOF
show "python3 -m http.server 80 --bind 203.0.113.2"
ns wan setsid "$PY" -m http.server 80 --bind 203.0.113.2 --directory "$RUN/www" \
	</dev/null >"$RUN/http.log" 2>&1 &
for _ in $(seq 30); do grep -q 'Serving HTTP' "$RUN/http.log" 2>/dev/null && break; sleep 0.1; done

step "1. The internal host downloads a page from the external server"
show "ip netns exec ${P}lan curl --max-time 10 http://203.0.113.2/"
ns lan timeout 15 curl -sS --max-time 10 http://203.0.113.2/ | sed 's/^/    /'
[ "${PIPESTATUS[0]}" = 0 ] || failed+=(curl)
echo "    The server's log says who connected:"
grep -E '"GET ' "$RUN/http.log" | tail -n 1 | sed 's/^/    /'

step "2. The internal host pings the external server"
show "ip netns exec ${P}lan ping -c 3 203.0.113.2"
ns lan timeout 10 ping -n -c 3 -W 1 203.0.113.2 | sed 's/^/    /'
[ "${PIPESTATUS[0]}" = 0 ] || failed+=(ping)

step "3. The route from the internal host: the router is the first hop"
if command -v traceroute >/dev/null; then
	show "ip netns exec ${P}lan traceroute -n -m 5 -w 1 -q 1 203.0.113.2"
	ns lan timeout 15 traceroute -n -m 5 -w 1 -q 1 203.0.113.2 | sed 's/^/    /'
	[ "${PIPESTATUS[0]}" = 0 ] || failed+=(traceroute)
else
	show "ip netns exec ${P}lan tracepath -n -m 5 203.0.113.2"
	ns lan timeout 15 tracepath -n -m 5 203.0.113.2 | sed 's/^/    /'
	[ "${PIPESTATUS[0]}" = 0 ] || failed+=(tracepath)
fi

step "4. The masquerade table"
show "$MASQCTL -s $SOCK masq -L -n"
timeout 5 $MASQCTL -s "$SOCK" masq -L -n | sed 's/^/    /'
[ "${PIPESTATUS[0]}" = 0 ] || failed+=(masqctl)

step "5. The rules: the zero-configuration policy is an ordinary ruleset"
show "$MASQCTL -s $SOCK iptables -L FORWARD -n -v"
timeout 5 $MASQCTL -s "$SOCK" iptables -L FORWARD -n -v | sed 's/^/    /'
[ "${PIPESTATUS[0]}" = 0 ] || failed+=(iptables)
show "$MASQCTL -s $SOCK iptables -t nat -S POSTROUTING"
timeout 5 $MASQCTL -s "$SOCK" iptables -t nat -S POSTROUTING | sed 's/^/    /'
[ "${PIPESTATUS[0]}" = 0 ] || failed+=(iptables-nat)

cat <<EOF

The lab is still up. To look around:
    ip netns exec ${P}lan bash        an internal host (192.168.0.2)
    ip netns exec ${P}wan bash        the external server (203.0.113.2, 203.0.113.3)
    ip netns exec ${P}gw bash         the router (masqd owns lan0 and wan0)
    $MASQCTL -s $SOCK masq -L -n
    $MASQCTL -s $SOCK conntrack -L
    $MASQCTL -s $SOCK iptables-save -c
    $MASQCTL -s $SOCK stats
    masqd's log: $RUN/masqd.log
To take it all down:
    make run-stop                     (lab/lab.sh down)
EOF
if [ ${#failed[@]} -gt 0 ]; then
	echo
	echo "demo: these steps failed: ${failed[*]} (see $RUN/masqd.log)" >&2
	exit 1
fi
