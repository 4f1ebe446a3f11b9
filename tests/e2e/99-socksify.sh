#!/usr/bin/env bash
# tests/e2e/99-socksify.sh - automatic SOCKSification: masq-socksify on the
# router host behind masqd's REDIRECT, Dante as the SOCKS server outside
# (issue 17)
#
#   masq-t$$-lan   eth0 192.168.0.2/24     curl http://198.51.100.7/ ...
#        |
#   masq-t$$-gw    lan0 192.168.0.1  <-- build/masqd --gateway 203.0.113.2
#                  wan0 203.0.113.1      nat PREROUTING (as I20autosocksify
#                                        makes them): -i lan0 -p tcp -d
#                                        198.51.100.8 --dport 80 -j ACCEPT;
#                                        -i lan0 -p tcp --dport 80 -j REDIRECT
#                                        --to-ports 11080
#                  lan0-h/wan0-h: the twins; on the host, as user nobody
#                  (masqctl set origdst-user nobody): masq-socksify -f
#                  --socks 203.0.113.2:1080, ports file "http # web",
#                  local file "198.51.100.8/32"
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 (+ .3): danted on 203.0.113.2:1080,
#                  external 198.51.100.1; forwards between its two links
#        |         web0 198.51.100.1/24
#   masq-t$$-web   eth0 198.51.100.7/24 + .8, default via 198.51.100.1:
#                  an HTTP server on :80 and :8080 answering "client ADDR";
#                  nft: port 80 of .7 only from 198.51.100.1 (the SOCKS
#                  server), so a connection that was not SOCKSified fails
#
# Cases:
#   listens_internal_only    the relay listens on 192.168.0.1:11080 only
#   socksified_via_dante     curl http://198.51.100.7/ from the LAN gets
#                            "client 198.51.100.1": Dante was the client
#   direct_refused           (the topology's proof) the router host's own
#                            direct connection to 198.51.100.7:80 fails
#   router_own_socksified    with nat OUTPUT -o wan0 -p tcp --dport 80 -j
#                            REDIRECT --to-ports 11080 (what
#                            O80autosocksify writes), the router host's own
#                            curl goes through Dante
#   local_bypasses           curl http://198.51.100.8/ (in the local file)
#                            gets "client 203.0.113.1": masqueraded
#   unlisted_masqueraded     curl http://198.51.100.7:8080/ gets "client
#                            203.0.113.1": masqueraded, no SOCKS
#   not_redirected_refused   a LAN connection straight to 192.168.0.1:11080
#                            is closed at once (no origdst), logged
#   not_reachable_outside    from the WAN (even with masqd's INPUT opened
#                            for it) 203.0.113.1:11080 refuses
#   many_at_once             40 curls at once through the relay all succeed
#   rules_dir_wires_it       masqctl rules with the shipped .def files and
#                            an A05autosocksify.rul naming this test's
#                            files: I20autosocksify's REDIRECT is in nat
#                            PREROUTING and the two curls go as before
#   sighup_rereads_ports     8080 added to the ports file and the rules run
#                            again: the relay refuses 8080 (not in its
#                            ports) until SIGHUP, then SOCKSifies it
#   dead_proxy_prompt        danted stopped: the LAN's curl fails in < 3 s
#                            and the relay logs the SOCKS server's failure
#   userpass_auth            danted with socksmethod username, the relay
#                            with --user/--password-file: curl succeeds
#   userpass_wrong_refused   a wrong password: curl fails promptly, the
#                            relay logs "authentication failed"
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/hostlib.sh
. "$(dirname "$0")/hostlib.sh"

e2e_init listens_internal_only socksified_via_dante direct_refused \
	router_own_socksified local_bypasses unlisted_masqueraded \
	not_redirected_refused \
	not_reachable_outside many_at_once rules_dir_wires_it rules_dir_router_own \
	sighup_rereads_ports dead_proxy_prompt userpass_auth \
	userpass_wrong_refused
e2e_need curl curl
e2e_need nft nftables
e2e_need /usr/sbin/danted dante-server
e2e_need openssl openssl
host_init
[ $KERNEL = 1 ] && skip_all "E2E_ROUTER=kernel: masq-socksify asks masqd"
SX=$E2E_ROOT/build/masq-socksify
[ -x "$SX" ] || skip_all "build/masq-socksify is not built (make)"
U=nobody
id -u "$U" >/dev/null 2>&1 || skip_all "needs the user $U"
NS_WEB=${MASQ_LAB_PREFIX}web

# the web namespace is this test's own (lab.sh knows only its four)
web_down() {
	local p
	for p in $(ip netns pids "$NS_WEB" 2>/dev/null); do kill "$p" 2>/dev/null; done
	ip netns del "$NS_WEB" 2>/dev/null
	return 0
}
trap 'web_down; e2e_cleanup' EXIT

# the relay where nobody can run it, its files where nobody can read them
mkdir -p "$RUNDIR/bin" "$RUNDIR/etc"
cp "$SX" "$RUNDIR/bin/masq-socksify"
chmod 0755 "$RUNDIR/bin" "$RUNDIR/etc" "$RUNDIR/bin/masq-socksify"
printf '# SOCKSified ports (as the seeds wrote them)\nhttp # web\n' >"$RUNDIR/etc/ports"
printf '# never SOCKSified\n198.51.100.8/32 # a neighbour\n' >"$RUNDIR/etc/local"
printf 's0cks-pass\n' >"$RUNDIR/etc/password"
printf 'wrong-pass\n' >"$RUNDIR/etc/wrong"
chmod 0644 "$RUNDIR"/etc/*

# --- the lab ------------------------------------------------------------------
router_lab_up || exit 1
x ip netns add "$NS_WEB"
x ip link add web0 netns "$NS_WAN" type veth peer name eth0 netns "$NS_WEB"
on wan ip addr add 198.51.100.1/24 dev web0
on wan ip link set web0 up
on wan sysctl -qw net.ipv4.ip_forward=1
x ip netns exec "$NS_WEB" ip addr add 198.51.100.7/24 dev eth0
x ip netns exec "$NS_WEB" ip addr add 198.51.100.8/24 dev eth0
x ip netns exec "$NS_WEB" ip link set lo up
x ip netns exec "$NS_WEB" ip link set eth0 up
x ip netns exec "$NS_WEB" ip route add default via 198.51.100.1
x ip netns exec "$NS_WEB" nft -f - <<'EOF'
table ip web {
	chain in {
		type filter hook input priority filter; policy accept;
		ip daddr 198.51.100.7 tcp dport 80 ip saddr != 198.51.100.1 reject with tcp reset
	}
}
EOF

cat >"$WORK/who.py" <<'EOF'
"""HTTP on 0.0.0.0:PORT... for SECS seconds: each answer is 'client ADDR'"""
import http.server, socketserver, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        b = ("client %s\n" % self.client_address[0]).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
        print("GET %s from %s" % (self.path, self.client_address[0]), flush=True)
    def log_message(self, *a):
        pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
secs = float(sys.argv[1])
for p in sys.argv[2:]:
    s = S(("0.0.0.0", int(p)), H)
    threading.Thread(target=s.serve_forever, daemon=True).start()
print("listening", flush=True)
threading.Event().wait(secs)
EOF
log "+ [bg who] ip netns exec $NS_WEB $PY $WORK/who.py 170 80 8080"
timeout -k 2 170 ip netns exec "$NS_WEB" "$PY" -u "$WORK/who.py" 170 80 8080 \
	>"$WORK/who.out" 2>&1 &
BG_PIDS+=("$!")

# --- Dante ----------------------------------------------------------------------
# danted_start NAME METHOD: danted in the wan namespace, its own config;
# with METHOD username, a private passwd/shadow (a mount namespace of its
# own) holds the one user socksuser, so no system file is touched
DANTED_PID=
danted_start() {
	local name=$1 method=$2 conf=$WORK/$1.conf
	cat >"$conf" <<EOF
logoutput: stderr
internal: 203.0.113.2 port = 1080
external: 198.51.100.1
clientmethod: none
socksmethod: $method
user.privileged: root
user.unprivileged: nobody
client pass { from: 0.0.0.0/0 to: 0.0.0.0/0 }
socks pass { from: 0.0.0.0/0 to: 0.0.0.0/0 command: connect }
EOF
	if [ "$method" = username ]; then
		cp /etc/passwd "$WORK/passwd"
		cp /etc/shadow "$WORK/shadow"
		echo "socksuser:x:64999:64999::/nonexistent:/usr/sbin/nologin" >>"$WORK/passwd"
		echo "socksuser:$(openssl passwd -6 s0cks-pass):19000:0:99999:7:::" >>"$WORK/shadow"
		chmod 0640 "$WORK/shadow"
		bg wan "$name" 150 unshare -m sh -c "mount --bind '$WORK/passwd' /etc/passwd &&
			mount --bind '$WORK/shadow' /etc/shadow && exec /usr/sbin/danted -f '$conf'"
	else
		bg wan "$name" 150 /usr/sbin/danted -f "$conf"
	fi
	DANTED_PID=$BG_PID
	wait_listen wan tcp 203.0.113.2:1080 || log "  (danted not listening)"
}
# danted_stop: the mother (our bg job), then its children: by pid, the
# processes in the wan namespace whose command line names our config
danted_stop() {
	local p
	stop "$DANTED_PID"
	for p in $(ip netns pids "$NS_WAN" 2>/dev/null); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q "danted -f $WORK/" &&
			kill "$p" 2>/dev/null
	done
	for _ in $(seq 20); do
		on wan ss -ltn 'sport = :1080' | grep -q LISTEN || return 0
		sleep 0.1
	done
}

# --- masqd and the relay ----------------------------------------------------------
if ! router_start --gateway 203.0.113.2; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
twins_absent_skip
twins_wait || log "  (the twins are not ready)"
mctl set origdst-user "$U" >/dev/null || log "  (set origdst-user failed)"
mctl iptables -t nat -A PREROUTING -j ACCEPT -i lan0 -p tcp -d 198.51.100.8/32 --dport 80 >/dev/null
mctl iptables -t nat -A PREROUTING -j REDIRECT -i lan0 -p tcp --dport 80 --to-ports 11080 >/dev/null
mctl iptables-save -t nat >/dev/null

# sx_start NAME ARGS...: masq-socksify -f as nobody in the router namespace
SX_PID=
sx_start() {
	local name=$1
	shift
	bg gw "$name" 150 setpriv --reuid="$(id -u "$U")" --regid="$(id -g "$U")" \
		--clear-groups "$RUNDIR/bin/masq-socksify" -f -s "$SOCK" \
		--socks 203.0.113.2:1080 --ports "$RUNDIR/etc/ports" \
		--local "$RUNDIR/etc/local" "$@"
	SX_PID=$BG_PID
	wait_listen gw tcp 192.168.0.1:11080 || log "  (masq-socksify not listening: $(cat "$WORK/$name.out"))"
}

danted_start danted none
sx_start sx
warm lan 192.168.0.1 || log "  (no answer to the warm-up pings)"
warm lan 198.51.100.7 || log "  (198.51.100.7 does not answer pings)"

# get NAME URL [SECS]: the LAN's curl; prints the body (or curl's error)
get() { T=$((${3:-6} + 4)) ono lan curl -sS --max-time "${3:-6}" "$2" 2>&1; }

listen=$(ip netns exec "$NS_GW" ss -ltnH 'sport = :11080' | awk '{print $4}' | sort | tr '\n' ' ')
log "listening on 11080: $listen"
if [ "$listen" = "192.168.0.1:11080 " ]; then
	ok listens_internal_only
else
	fail listens_internal_only "listeners on port 11080: '${listen}' (want 192.168.0.1:11080 only; $(head -n 3 "$WORK/sx.out" | tr '\n' ' '))"
fi

body=$(get socks http://198.51.100.7/)
if [ "$body" = "client 198.51.100.1" ]; then
	ok socksified_via_dante
else
	fail socksified_via_dante "curl http://198.51.100.7/ from the LAN: '${body:-nothing}'; relay: $(tail -n 3 "$WORK/sx.out" | tr '\n' ' ')"
fi

# the router host's own connection, not redirected (nat OUTPUT has no rule):
# masqueraded from 203.0.113.1, which the web host refuses on port 80
out=$(T=8 ono gw curl -sS --max-time 4 http://198.51.100.7/ 2>&1)
if ! echo "$out" | grep -q '^client '; then
	ok direct_refused
else
	fail direct_refused "the router host's direct curl to 198.51.100.7:80 got '$out': the lab does not tell SOCKS from direct"
fi

# the router host's own connections (what O80autosocksify is for): a
# REDIRECT in nat OUTPUT sends them to the router's inside address
# (masq's stand-in for netfilter's 127.0.0.1), where the relay listens
mctl iptables -t nat -A OUTPUT -o wan0 -p tcp --dport 80 -j REDIRECT --to-ports 11080 >/dev/null
out=$(T=8 ono gw curl -sS --max-time 4 http://198.51.100.7/ 2>&1)
mctl iptables -t nat -D OUTPUT -o wan0 -p tcp --dport 80 -j REDIRECT --to-ports 11080 >/dev/null
if [ "$out" = "client 198.51.100.1" ]; then
	ok router_own_socksified
else
	fail router_own_socksified "the router host's curl to 198.51.100.7:80 with the nat OUTPUT REDIRECT: '${out:-nothing}'; relay: $(tail -n 2 "$WORK/sx.out" | tr '\n' ' ')"
fi

body=$(get local http://198.51.100.8/)
if [ "$body" = "client 203.0.113.1" ]; then
	ok local_bypasses
else
	fail local_bypasses "curl http://198.51.100.8/ (local file) from the LAN: '${body:-nothing}'"
fi

body=$(get unlisted http://198.51.100.7:8080/)
if [ "$body" = "client 203.0.113.1" ]; then
	ok unlisted_masqueraded
else
	fail unlisted_masqueraded "curl http://198.51.100.7:8080/ (port not listed) from the LAN: '${body:-nothing}'"
fi

t0=$(date +%s%N)
out=$(get direct http://192.168.0.1:11080/ 4)
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
if ! echo "$out" | grep -q '^client ' && [ $ms -lt 2000 ] &&
	grep -q 'closed: masqd has no original destination' "$WORK/sx.out"; then
	ok not_redirected_refused
else
	fail not_redirected_refused "curl http://192.168.0.1:11080/ from the LAN: '$out' after $ms ms; relay: $(grep -c 'no original destination' "$WORK/sx.out") such log lines"
fi

# from the WAN: masqd's INPUT opened for the port, so what refuses is the
# relay not listening there (the twin's kernel answers with a reset)
mctl iptables -I INPUT -i wan0 -p tcp --dport 11080 -j ACCEPT >/dev/null
out=$(T=8 ono wan curl -sS --max-time 3 http://203.0.113.1:11080/ 2>&1)
rc=$?
mctl iptables -D INPUT -i wan0 -p tcp --dport 11080 -j ACCEPT >/dev/null
if [ $rc -ne 0 ] && ! echo "$out" | grep -q '^client '; then
	ok not_reachable_outside
else
	fail not_reachable_outside "curl http://203.0.113.1:11080/ from the WAN: status $rc '$out'"
fi

# 40 at once
for i in $(seq 40); do
	ip netns exec "$NS_LAN" timeout -k 2 15 curl -sS --max-time 10 \
		"http://198.51.100.7/many$i" >"$WORK/many.$i" 2>&1 &
done
for _ in $(seq 150); do
	n=$(cat "$WORK"/many.* 2>/dev/null | grep -c '^client 198.51.100.1$')
	[ "$n" -ge 40 ] && break
	sleep 0.1
done
n=$(cat "$WORK"/many.* 2>/dev/null | grep -c '^client 198.51.100.1$')
log "many: $n of 40 answered through Dante"
if [ "$n" = 40 ]; then
	ok many_at_once
else
	fail many_at_once "$n of 40 simultaneous curls answered through Dante; e.g. $(grep -hv '^client 198.51.100.1$' "$WORK"/many.* | head -n 2 | tr '\n' ' ')"
fi

# --- the shipped rules directory wires it up ------------------------------------------
# masqctl rules with masq's own .def files and one .rul: A05autosocksify
# pointing at this test's ports and local files (as an administrator
# would override it); the ruleset is rebuilt whole, so the hand-made
# rules above are gone and what redirects now is I20autosocksify's
if [ ! -d "$E2E_ROOT/rules" ]; then
	skip rules_dir_wires_it "no rules/ directory (masqctl rules not merged)"
	skip sighup_rereads_ports "no rules/ directory (masqctl rules not merged)"
	skip rules_dir_router_own "no rules/ directory (masqctl rules not merged)"
else
	mkdir -p "$WORK/rules"
	cp "$E2E_ROOT"/rules/*.def "$WORK/rules/"
	cat >"$WORK/rules/A05autosocksify.rul" <<EOF
# this test's files (the .def names /etc/masq/autosocksify/...)
autosocksify_port=11080
autosocksify_ports=$RUNDIR/etc/ports
autosocksify_local=$RUNDIR/etc/local
EOF
	log "+ [gw] masqctl rules $WORK/rules"
	said=$(timeout -k 2 60 ip netns exec "$NS_GW" "$MASQCTL" -s "$SOCK" rules "$WORK/rules" 2>&1)
	rc=$?
	log "$said"
	nat=$(timeout 5 "$MASQCTL" -s "$SOCK" iptables-save -t nat 2>&1)
	log "$nat"
	b1=$(get rules-socks http://198.51.100.7/)
	b2=$(get rules-local http://198.51.100.8/)
	if [ $rc = 0 ] && echo "$nat" | grep -q -- '-A PREROUTING -i lan0 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 11080' &&
		[ "$b1" = "client 198.51.100.1" ] && [ "$b2" = "client 203.0.113.1" ]; then
		ok rules_dir_wires_it
	else
		fail rules_dir_wires_it "masqctl rules: status $rc ($said); REDIRECT rule: $(echo "$nat" | grep -c REDIRECT); 198.51.100.7 got '$b1' (want client 198.51.100.1), 198.51.100.8 got '$b2' (want client 203.0.113.1)"
	fi
	# the ports file gains 8080 and the rules are run again: until
	# SIGHUP the relay refuses 8080 (the rules and it disagree), after
	# it 8080 goes through Dante
	printf 'http # web\n8080\n' >"$RUNDIR/etc/ports"
	timeout -k 2 60 ip netns exec "$NS_GW" "$MASQCTL" -s "$SOCK" rules "$WORK/rules" >>"$LOG" 2>&1
	b1=$(get hup-before http://198.51.100.7:8080/)
	said1=$(grep -c 'port 8080 is not in' "$WORK/sx.out")
	sxpid=
	for p in $(ip netns pids "$NS_GW" 2>/dev/null); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null |
			grep -q "^$RUNDIR/bin/masq-socksify " && sxpid=$p
	done
	log "+ kill -HUP ${sxpid:-?} (masq-socksify)"
	[ -n "$sxpid" ] && kill -HUP "$sxpid"
	for _ in $(seq 20); do
		grep -q 'SIGHUP: 2 ports' "$WORK/sx.out" && break
		sleep 0.1
	done
	b2=$(get hup-after http://198.51.100.7:8080/)
	if [ "$b1" != "client 198.51.100.1" ] && [ "$said1" -ge 1 ] &&
		[ "$b2" = "client 198.51.100.1" ]; then
		ok sighup_rereads_ports
	else
		fail sighup_rereads_ports "8080 before SIGHUP: '$b1' ($said1 'not in' log lines), after: '$b2' (want client 198.51.100.1); relay: $(tail -n 2 "$WORK/sx.out" | tr '\n' ' ')"
	fi
	# O80autosocksify: the router host's own connection too
	out=$(T=8 ono gw curl -sS --max-time 4 http://198.51.100.7/ 2>&1)
	if [ "$out" = "client 198.51.100.1" ]; then
		ok rules_dir_router_own
	else
		fail rules_dir_router_own "the router host's own curl under O80autosocksify: '${out:-nothing}'; nat OUTPUT: $(mctl iptables -t nat -S OUTPUT | tr '\n' ';')"
	fi
fi

# --- a dead proxy ------------------------------------------------------------------
danted_stop
t0=$(date +%s%N)
out=$(get dead http://198.51.100.7/ 10)
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
log "dead proxy: curl after $ms ms: $out"
if ! echo "$out" | grep -q '^client ' && [ $ms -lt 3000 ] &&
	grep -q 'SOCKS server 203.0.113.2:1080: Connection refused' "$WORK/sx.out"; then
	ok dead_proxy_prompt
else
	fail dead_proxy_prompt "with danted stopped curl ended after $ms ms with '$out'; relay: $(tail -n 2 "$WORK/sx.out" | tr '\n' ' ')"
fi

# --- username/password ----------------------------------------------------------------
stop "$SX_PID"
danted_start danted-user username
sx_start sx-user --user socksuser --password-file "$RUNDIR/etc/password"
body=$(get user http://198.51.100.7/)
if [ "$body" = "client 198.51.100.1" ]; then
	ok userpass_auth
else
	fail userpass_auth "with username/password: '${body:-nothing}'; relay: $(tail -n 3 "$WORK/sx-user.out" | tr '\n' ' '); danted: $(tail -n 3 "$WORK/danted-user.out" | tr '\n' ' ')"
fi
stop "$SX_PID"
sx_start sx-wrong --user socksuser --password-file "$RUNDIR/etc/wrong"
t0=$(date +%s%N)
out=$(get wrong http://198.51.100.7/ 10)
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
if ! echo "$out" | grep -q '^client ' && [ $ms -lt 3000 ] &&
	grep -q 'authentication failed' "$WORK/sx-wrong.out"; then
	ok userpass_wrong_refused
else
	fail userpass_wrong_refused "a wrong password: curl after $ms ms: '$out'; relay: $(tail -n 2 "$WORK/sx-wrong.out" | tr '\n' ' ')"
fi
kill -USR1 "$(pgrep -P "$SX_PID" -f masq-socksify | head -n1)" 2>/dev/null
stop "$SX_PID"
danted_stop
log "relay logs:"
cat "$WORK"/sx*.out >>"$LOG"
stats_log
