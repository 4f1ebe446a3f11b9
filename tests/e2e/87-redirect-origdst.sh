#!/usr/bin/env bash
# tests/e2e/87-redirect-origdst.sh - REDIRECT to a server on the router
# host, and the original destination asked by an unprivileged user
# (issue 13)
#
#   masq-t$$-lan   eth0 192.168.0.2/24   curl http://203.0.113.2/ (port 80)
#        |
#   masq-t$$-gw    lan0 192.168.0.1  <-- build/masqd -c FILE, with
#                  wan0 203.0.113.1      -t nat -A PREROUTING -i lan0 -p tcp
#                                        --dport 80 -j REDIRECT --to-ports 3128
#                  lan0-h/wan0-h: the twins; on the host, as user nobody:
#                  an HTTP server on 0.0.0.0:3128 that asks, for each
#                  connection, masqctl origdst CLIENT:PORT LOCAL:PORT and
#                  answers "origdst ADDR:PORT"
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24 + .3 (TCP holder :7000; nothing on 80)
#
# Cases:
#   user_refused_before_set  nobody cannot use the socket before
#                            masqctl set origdst-user nobody
#   origdst_user_set         root's masqctl set origdst-user nobody works
#   redirect_reaches_server  the LAN's connection to 203.0.113.2:80 is
#                            accepted by the host's server on 192.168.0.1:3128
#                            (the arrival interface's address, not 127.0.0.1)
#   server_unprivileged      that server ran as uid 65534
#   origdst_answer           curl gets "origdst 203.0.113.2:80"
#   origdst_other_dests      ... and 203.0.113.3:80, 198.51.100.7:80 for
#                            those destinations (the last one unrouted)
#   origdst_c_client         the same through build/tools/origdst_ask (the
#                            C client of docs/control.md), if built
#   user_refused_other_verbs nobody's stats, conntrack -L: refused
#   user_cannot_change_rules nobody's iptables -A: refused, ruleset unchanged
#   user_not_redirected      nobody's origdst about a forwarded (not
#                            redirected) connection: "no such connection", 1
#   other_user_refused       user daemon: refused (origdst and stats)
#   kept_after_reload        after SIGHUP (-c FILE reloaded) nobody's server
#                            still gets its answers
# E2E_OFFLOAD=on|off (run.sh runs both); E2E_ROUTER=kernel (hostlib.sh):
# nftables' redirect and the server asks the kernel (SO_ORIGINAL_DST).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/hostlib.sh
. "$(dirname "$0")/hostlib.sh"

e2e_init user_refused_before_set origdst_user_set redirect_reaches_server \
	server_unprivileged origdst_answer origdst_other_dests origdst_c_client \
	user_refused_other_verbs user_cannot_change_rules user_not_redirected \
	other_user_refused kept_after_reload
e2e_need curl curl
host_init
U=nobody	# the relay's user
OTHER=daemon	# a user not allowed
id -u "$U" >/dev/null 2>&1 || skip_all "needs the user $U"
id -u "$OTHER" >/dev/null 2>&1 || skip_all "needs the user $OTHER"

# masqctl and the C client where user nobody can run them
mkdir -p "$RUNDIR/bin"
cp "$MASQCTL" "$RUNDIR/bin/masqctl"
ASK=$TOOLS/origdst_ask
[ -x "$ASK" ] && cp "$ASK" "$RUNDIR/bin/origdst_ask"
chmod 0755 "$RUNDIR/bin" "$RUNDIR"/bin/*
UCTL=("$RUNDIR/bin/masqctl" -s "$SOCK")
echo 'set timeout udp 300' >"$RUNDIR/masq.conf"

router_lab_up || exit 1
capture gw lan0 lan
if ! router_start -c "$RUNDIR/masq.conf"; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
[ $KERNEL = 1 ] || twins_absent_skip
twins_wait || log "  (the twins are not ready)"

# uctl USER ARGS...: masqctl as USER; its status, both streams to stdout
uctl() {
	local u=$1
	shift
	log "+ (as $u) masqctl $*"
	timeout -k 2 5 ip netns exec "$NS_GW" setpriv --reuid="$(id -u "$u")" \
		--regid="$(id -g "$u")" --clear-groups "${UCTL[@]}" "$@" 2>&1 | tee -a "$LOG"
	return "${PIPESTATUS[0]}"
}

# --- the rule and the setting -------------------------------------------
HAVE_ORIGDST=1
if [ $KERNEL = 1 ]; then
	masqd_only user_refused_before_set origdst_user_set
	on gw nft -f - <<'EOF'
table ip masqt87 {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "lan0" tcp dport 80 redirect to :3128
	}
}
EOF
else
	mctl iptables -t nat -A PREROUTING -i lan0 -p tcp --dport 80 -j REDIRECT --to-ports 3128 >/dev/null
	probe=$(mctl origdst 192.0.2.1:1 192.0.2.2:2 2>&1)
	if echo "$probe" | grep -q "unknown command 'origdst'"; then
		HAVE_ORIGDST=0
		log "  masqd has no origdst command: $probe"
	fi
	out=$(uctl "$U" stats)
	rc=$?
	if [ $rc -ne 0 ] && ! echo "$out" | grep -q rx_frames; then
		ok user_refused_before_set
	else
		fail user_refused_before_set "$U's masqctl stats before the setting: status $rc: $(echo "$out" | head -n 2 | tr '\n' ' ')"
	fi
	if [ $HAVE_ORIGDST = 0 ]; then
		skip origdst_user_set "masqd has no origdst command yet ($probe)"
	else
		out=$(mctl set origdst-user "$U" 2>&1)
		rc=$?
		if [ $rc -eq 0 ]; then
			ok origdst_user_set
		else
			fail origdst_user_set "masqctl set origdst-user $U: status $rc: $out"
		fi
		x ls -l "$SOCK"
	fi
fi

# --- the relay on the router host, as nobody ------------------------------
# srv_start NAME HOW ARGS...: the origdst server on 0.0.0.0:3128 as $U
srv_start() {
	local name=$1
	shift
	bg gw "$name" 60 setpriv --reuid="$(id -u "$U")" --regid="$(id -g "$U")" \
		--clear-groups "$PY" -u "$HT" origdst-server 0.0.0.0 3128 55 "$@"
	SRV_PID=$BG_PID
	wait_listen gw tcp 0.0.0.0:3128 || log "  (origdst server not listening)"
}
if [ $KERNEL = 1 ]; then
	srv_start origdst-srv kernel
else
	srv_start origdst-srv cmd "${UCTL[@]}" origdst
fi
warm lan 192.168.0.1 || log "  (no answer to the warm-up pings)"

# ask NAME URL: curl from the LAN; prints the answer's body
ask() { T=10 ono lan curl -sS --max-time 6 "$2" 2>&1; }

body=$(ask dl http://203.0.113.2/)
line=$(grep -E '^conn 192\.168\.0\.2:[0-9]+ -> ' "$WORK/origdst-srv.out" | head -n1)
log "server: ${line:-nothing}"
if echo "$line" | grep -qE '^conn 192\.168\.0\.2:[0-9]+ -> 192\.168\.0\.1:3128 '; then
	ok redirect_reaches_server
else
	fail redirect_reaches_server "curl http://203.0.113.2/ from the LAN: ${body:-nothing}; the server logged: ${line:-no connection}"
fi
if grep -q '^listening uid 65534 ' "$WORK/origdst-srv.out" && { [ -z "$line" ] || echo "$line" | grep -q ' uid 65534: '; }; then
	ok server_unprivileged
else
	fail server_unprivileged "the server said: $(head -n 1 "$WORK/origdst-srv.out")"
fi
if [ $HAVE_ORIGDST = 0 ]; then
	skip origdst_answer "masqd has no origdst command yet"
	skip origdst_other_dests "masqd has no origdst command yet"
else
	if [ "$body" = "origdst 203.0.113.2:80" ]; then
		ok origdst_answer
	else
		fail origdst_answer "curl http://203.0.113.2/ got: ${body:-nothing}"
	fi
	b3=$(ask dl3 http://203.0.113.3/x)
	b4=$(ask dl4 http://198.51.100.7/)
	if [ "$b3" = "origdst 203.0.113.3:80" ] && [ "$b4" = "origdst 198.51.100.7:80" ]; then
		ok origdst_other_dests
	else
		fail origdst_other_dests "203.0.113.3 got: ${b3:-nothing}; 198.51.100.7 got: ${b4:-nothing}"
	fi
fi

# --- the C client ---------------------------------------------------------
if [ $KERNEL = 1 ]; then
	masqd_only origdst_c_client
elif [ ! -x "$ASK" ]; then
	skip origdst_c_client "build/tools/origdst_ask is not built (tests/tools/origdst_ask.c absent)"
else
	stop "$SRV_PID"
	srv_start origdst-srv-c cmd "$RUNDIR/bin/origdst_ask" -s "$SOCK"
	b=$(ask c http://203.0.113.3/)
	if [ "$b" = "origdst 203.0.113.3:80" ]; then
		ok origdst_c_client
	else
		fail origdst_c_client "with origdst_ask as the server's question, curl got: ${b:-nothing}"
	fi
	stop "$SRV_PID"
	srv_start origdst-srv2 cmd "${UCTL[@]}" origdst
fi

# --- what the user may not do ----------------------------------------------
bg wan tcphold 30 "$PY" -u "$WORK/tool.py" tcp-hold-server 203.0.113.2 7000 25
HOLD_SRV=$BG_PID
wait_listen wan tcp 203.0.113.2:7000 || log "  (TCP holder not listening)"
bg lan tcpclient 20 "$PY" -u "$WORK/tool.py" tcp-hold-client 203.0.113.2 7000 8
for _ in $(seq 30); do
	grep -q '^connected' "$WORK/tcpclient.out" 2>/dev/null && break
	sleep 0.1
done
fwd=$(grep -oE '^connected from [0-9.]+:[0-9]+' "$WORK/tcpclient.out" | cut -d' ' -f3)
log "a forwarded connection from ${fwd:-?} to 203.0.113.2:7000"
if [ $KERNEL = 1 ]; then
	masqd_only user_refused_other_verbs user_cannot_change_rules user_not_redirected other_user_refused
elif [ $HAVE_ORIGDST = 0 ]; then
	for c in user_refused_other_verbs user_cannot_change_rules user_not_redirected other_user_refused; do
		skip "$c" "masqd has no origdst-user setting yet"
	done
else
	o1=$(uctl "$U" stats); r1=$?
	o2=$(uctl "$U" conntrack -L); r2=$?
	if [ $r1 -ne 0 ] && [ $r2 -ne 0 ] && ! echo "$o1" | grep -q rx_frames &&
		! echo "$o2" | grep -q 'src='; then
		ok user_refused_other_verbs
	else
		fail user_refused_other_verbs "$U's stats: status $r1 ($(echo "$o1" | head -n1)); conntrack -L: status $r2 ($(echo "$o2" | head -n1))"
	fi
	o1=$(uctl "$U" iptables -A FORWARD -j DROP); r1=$?
	rules=$(mctl iptables-save | grep -c -- '^-A FORWARD -j DROP')
	if [ $r1 -ne 0 ] && [ "$rules" = 0 ]; then
		ok user_cannot_change_rules
	else
		fail user_cannot_change_rules "$U's iptables -A FORWARD -j DROP: status $r1 ($o1); the ruleset has $rules such rule(s)"
	fi
	o1=$(uctl "$U" origdst "${fwd:-192.168.0.2:1}" 203.0.113.2:7000); r1=$?
	o2=$(uctl "$U" origdst 203.0.113.2:7000 "${fwd:-192.168.0.2:1}"); r2=$?
	if [ $r1 -eq 1 ] && [ $r2 -eq 1 ] && echo "$o1" | grep -q 'no such connection' &&
		echo "$o2" | grep -q 'no such connection'; then
		ok user_not_redirected
	else
		fail user_not_redirected "$U's origdst about the forwarded connection ${fwd:-?} -> 203.0.113.2:7000: status $r1 ($o1); reversed: status $r2 ($o2)"
	fi
	o1=$(uctl "$OTHER" origdst "${fwd:-192.168.0.2:1}" 203.0.113.2:7000); r1=$?
	o2=$(uctl "$OTHER" stats); r2=$?
	if [ $r1 -ne 0 ] && [ $r2 -ne 0 ] && ! echo "$o2" | grep -q rx_frames &&
		! echo "$o1" | grep -qE '^[0-9.]+:[0-9]+$'; then
		ok other_user_refused
	else
		fail other_user_refused "$OTHER's origdst: status $r1 ($o1); stats: status $r2 ($(echo "$o2" | head -n1))"
	fi
fi
stop "$HOLD_SRV"

# --- a reload keeps the setting -------------------------------------------
if [ $KERNEL = 1 ]; then
	masqd_only kept_after_reload
elif [ $HAVE_ORIGDST = 0 ]; then
	skip kept_after_reload "masqd has no origdst-user setting yet"
else
	n=$(grep -c . "$WORK/masqd.log")
	log "+ kill -HUP $MASQD_PID"
	kill -HUP "$MASQD_PID"
	for _ in $(seq 30); do
		[ "$(grep -c . "$WORK/masqd.log")" -gt "$n" ] && break
		sleep 0.1
	done
	sleep 0.3
	log "  masqd after SIGHUP: $(tail -n +$((n + 1)) "$WORK/masqd.log" | tr '\n' ' ')"
	b=$(ask reload http://203.0.113.2/)
	if [ "$b" = "origdst 203.0.113.2:80" ]; then
		ok kept_after_reload
	else
		fail kept_after_reload "after SIGHUP curl got: ${b:-nothing}; socket: $(ls -l "$SOCK" 2>&1)"
	fi
fi
stop "$SRV_PID"
[ $KERNEL = 1 ] || stats_log
