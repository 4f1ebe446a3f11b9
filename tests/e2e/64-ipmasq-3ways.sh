#!/usr/bin/env bash
# tests/e2e/64-ipmasq-3ways.sh - the Debian ipmasq rules in all three of
# the package's methods (ipfwadm, ipchains, netfilter): the same answers
# to the same probes (issue 16)
#
#   masq-t$$-lan   eth0 192.168.0.2/24 (a client; a listener on :22 that
#        |         must stay unreachable from outside)
#   masq-t$$-gw    lan0 192.168.0.1 / wan0 203.0.113.1  <-- build/masqd
#        |         listeners of the router host on 0.0.0.0:22, :113 and
#        |         :3306 (through masqd's twins)
#   masq-t$$-wan   eth0 203.0.113.2 (a web server; the probes; a route to
#                  192.168.0.0/24 through the router, to try getting in)
#
# tests/e2e/ipmasq-3ways.rules is one script with a branch for each
# MASQMETHOD, written as the package's rules files are. It runs as a plain
# shell script with $IPFWADM, $IPCHAINS and $IPTABLES pointing at links
# named ipfwadm, ipchains and iptables to masqctl (what /usr/lib/masq/bin
# holds), once per method, "masqctl reset rules" before each (a ruleset
# is written in one language). After each run the same probes:
#   download    a LAN client downloads 1 MiB (sha256), the server sees
#               the router's address
#   router_22   a connection from outside to the router's port 22 (opened
#               by the rules) reaches the router host's listener
#   ident_113   a connection to the router's port 113 (ident, rejected)
#               fails at once (a port unreachable or a reset), and the
#               listener there sees nothing
#   other_3306  a connection to port 3306 (not opened) times out (2 s):
#               dropped silently; the listener there sees nothing; the
#               drop is logged, in the method's own format
#   lan_closed  a connection from outside straight to the LAN host times
#               out; its listener sees nothing
#   ping        the router answers a ping from outside
# Each case compares the three methods' answers with the expected one.
# Also: a command of another language is refused while a ruleset is
# written in one, naming it and "masqctl reset rules", nothing changed;
# a bad command of each old language is refused, nothing changed.
#
# E2E_ROUTER=kernel: SKIP (the kernel has no ipchains or ipfwadm since
# 2.6; the netfilter branch alone is 65-ipmasq-rules.sh's business).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/fwdlib.sh
. "$(dirname "$0")/fwdlib.sh"
# shellcheck source=tests/e2e/oldlib.sh
. "$(dirname "$0")/oldlib.sh"

METHODS="ipfwadm ipchains netfilter"
e2e_init rules_script_runs download_out router_port_open ident_rejected \
	other_port_dropped other_port_logged lan_closed_from_outside ping_router \
	other_language_refused bad_commands_refused
old_init
e2e_need curl curl

RULES=$E2E_ROOT/tests/e2e/ipmasq-3ways.rules
[ -r "$RULES" ] || skip_all "tests/e2e/ipmasq-3ways.rules is missing"

lab_up || exit 1
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
fwd_write_tool

# the router host's listeners (through the twins) and the LAN host's
bg gw l22 120 "$PY" -u "$FT" accept 0.0.0.0 22 110
bg gw l113 120 "$PY" -u "$FT" accept 0.0.0.0 113 110
bg gw l3306 120 "$PY" -u "$FT" accept 0.0.0.0 3306 110
bg lan lanl22 120 "$PY" -u "$FT" accept 192.168.0.2 22 110
wait_listen gw tcp 0.0.0.0:22 || log "the router's :22 listener did not start"
wait_listen gw tcp 0.0.0.0:113 || log "the router's :113 listener did not start"
wait_listen gw tcp 0.0.0.0:3306 || log "the router's :3306 listener did not start"
wait_listen lan tcp 192.168.0.2:22 || log "the LAN host's :22 listener did not start"
http_serve_1mb
x ip -n "$NS_WAN" route add 192.168.0.0/24 via 203.0.113.1

# run_rules METHOD: the rules script with that method, masq's links
run_rules() {
	T=60 x env MASQMETHOD="$1" IPFWADM="$BIN/ipfwadm" \
		IPCHAINS="$BIN/ipchains" IPTABLES="$BIN/iptables" \
		INTERNAL=lan0 EXTERNAL=wan0 \
		IPNM_lan0="192.168.0.1 255.255.255.0 192.168.0.255" \
		IPNM_wan0="203.0.113.1 255.255.255.0 203.0.113.255" \
		sh "$RULES"
}

# accepted NAME: how many connections listener NAME accepted so far
accepted() { grep -c '^accepted ' "$WORK/$1.out" 2>/dev/null; }

# verdict OUTFILE SECONDS: a tcp-probe's outcome in one word
verdict() {
	if grep -q '^connected' "$1"; then
		echo connected
	elif grep -qi 'timed out' "$1"; then
		echo timeout
	elif grep -qiE 'refused|unreachable|no route' "$1"; then
		echo refused
	else
		echo "other($(tr -s ' \n' ' ' <"$1"))"
	fi
}

# logged METHOD: masqd's log lines for the probe of :3306 in that
# method's format (ipfwadm -o: 2.0's "IP fw-in deny ..."; ipchains -l:
# 2.2's "Packet log: input DENY ..."; netfilter's LOG target)
logged() {
	local pat
	case $1 in
	ipfwadm) pat='IP fw-in deny wan0 PROTO=6 203\.0\.113\.2:[0-9]+ 203\.0\.113\.1:3306 ' ;;
	ipchains) pat='Packet log: input DENY wan0 PROTO=6 203\.0\.113\.2:[0-9]+ 203\.0\.113\.1:3306 ' ;;
	netfilter) pat='IN=wan0 .*SRC=203\.0\.113\.2 DST=203\.0\.113\.1 .*PROTO=TCP .*DPT=3306 ' ;;
	esac
	grep -cE "$pat" "$WORK/masqd.log"
}

# probe_all METHOD: every probe, the wan ones at once; sets R_<probe>
probe_all() {
	local m=$1 n22 n113 n3306 nlan got peer t0 t1 p22 p113 p3306 plan
	n22=$(accepted l22) n113=$(accepted l113) n3306=$(accepted l3306)
	nlog=$(logged "$m")
	nlan=$(accepted lanl22)
	warm lan 192.168.0.1 || log "  (no answer from 192.168.0.1 to the LAN's warm-up pings)"
	rm -f "$WORK/dl.bin"
	T=20 on lan curl -sS --max-time 10 -o "$WORK/dl.bin" http://203.0.113.2:8000/1mb.bin
	got=$(sha256sum <"$WORK/dl.bin" 2>/dev/null | cut -d' ' -f1)
	peer=$(grep -oE '^[0-9.]+ - - \[.*"GET /1mb.bin' "$WORK/http.out" | tail -1 | cut -d' ' -f1)
	if [ "$got" = "$want" ]; then R_download="ok via ${peer:-?}"; else R_download="failed"; fi

	bg wan "p22-$m" 10 "$PY" -u "$WORK/tool.py" tcp-probe 203.0.113.1 22 2
	p22=$BG_PID
	bg wan "p113-$m" 10 "$PY" -u "$WORK/tool.py" tcp-probe 203.0.113.1 113 2
	p113=$BG_PID
	bg wan "p3306-$m" 10 "$PY" -u "$WORK/tool.py" tcp-probe 203.0.113.1 3306 2
	p3306=$BG_PID
	bg wan "plan-$m" 10 "$PY" -u "$WORK/tool.py" tcp-probe 192.168.0.2 22 2
	plan=$BG_PID
	t0=$(date +%s%N)
	wait "$p113"
	t1=$(date +%s%N)
	if on wan ping -n -c 1 -W 2 203.0.113.1; then R_ping=answered; else R_ping=silent; fi
	wait "$p22" "$p3306" "$plan"
	sleep 0.2	# the listeners log what they accepted
	R_router_22="$(verdict "$WORK/p22-$m.out") seen=$(($(accepted l22) - n22))"
	R_ident_113="$(verdict "$WORK/p113-$m.out") seen=$(($(accepted l113) - n113))"
	# "at once": well inside the probe's 2 s
	[ $(((t1 - t0) / 1000000)) -lt 1500 ] || R_ident_113="$R_ident_113 slow"
	R_other_3306="$(verdict "$WORK/p3306-$m.out") seen=$(($(accepted l3306) - n3306))"
	R_lan_closed="$(verdict "$WORK/plan-$m.out") seen=$(($(accepted lanl22) - nlan))"
	R_logged="$(($(logged "$m") - nlog)) lines"
	if [ "$RULES_OK" != 1 ]; then	# answers of some other ruleset
		R_download+=" (rules failed)" R_router_22+=" (rules failed)"
		R_ident_113+=" (rules failed)" R_other_3306+=" (rules failed)"
		R_lan_closed+=" (rules failed)" R_ping+=" (rules failed)"
		R_logged+=" (rules failed)"
	fi
	log "$m: download $R_download; router :22 $R_router_22; :113 $R_ident_113; :3306 $R_other_3306; LAN :22 $R_lan_closed; ping $R_ping; :3306 logged $R_logged"
	A_download+="$m: $R_download; " A_router_22+="$m: $R_router_22; "
	A_ident_113+="$m: $R_ident_113; " A_other_3306+="$m: $R_other_3306; "
	A_lan_closed+="$m: $R_lan_closed; " A_ping+="$m: $R_ping; "
	A_logged+="$m: $R_logged; "
}

ran="" A_download="" A_router_22="" A_ident_113="" A_other_3306="" A_lan_closed="" A_ping="" A_logged=""
for m in $METHODS; do
	mctl reset rules >/dev/null
	if run_rules "$m"; then
		ran="$ran$m:ok " RULES_OK=1
	else
		ran="$ran$m:failed " RULES_OK=0
	fi
	probe_all "$m"

	# while the ruleset is in ipchains: the other languages are
	# refused; bad commands of either old language too
	if [ "$m" = ipchains ]; then
		refused_unchanged other_language_refused "$(other_lang ipchains ipfwadm)" \
			ipfwadm -F -a deny -S 10.9.9.9 &&
			refused_unchanged other_language_refused "$(other_lang ipchains iptables)" \
				ctl iptables -A FORWARD -s 10.9.9.9 -j DROP &&
			ok other_language_refused
		refused_unchanged bad_commands_refused '^ipchains: ' \
			ipchains -A forward -j NOSUCHCHAIN -s 10.9.9.9 &&
			refused_unchanged bad_commands_refused '^ipchains: ' \
				ipchains -A input -p tcp -s 10.9.9.9/33 -j DENY &&
			refused_unchanged bad_commands_refused '^ipchains: ' \
				ipchains -A input -p tcp -s 10.9.9.9 70000 -j DENY &&
			bad_ipchains=ok
	fi
	if [ "$m" = ipfwadm ]; then
		refused_unchanged bad_commands_refused '^ipfwadm: ' \
			ipfwadm -F -a nonsense -S 10.9.9.9 &&
			refused_unchanged bad_commands_refused '^ipfwadm: ' \
				ipfwadm -I -a accept -P tcp -S 10.9.9.9 1 2 3 4 5 6 7 8 9 10 11 &&
			refused_unchanged bad_commands_refused '^ipfwadm: ' \
				ipfwadm -I -a accept -S 10.9.9.9/40 &&
			bad_ipfwadm=ok
	fi
done

if [ "$ran" = "ipfwadm:ok ipchains:ok netfilter:ok " ]; then
	ok rules_script_runs
else
	fail rules_script_runs "$ran(see $LOG)"
fi

# same3 CASE PATTERN ANSWERS: every method's answer matches PATTERN
# (grep -E on "method: answer")
same3() {
	local c=$1 pat=$2 all=$3 m line bad=""
	for m in $METHODS; do
		line=$(echo "$all" | tr ';' '\n' | sed 's/^ *//' | grep "^$m: ")
		echo "$line" | grep -qE "^$m: ($pat)\$" || bad="$bad $m"
	done
	if [ -z "$bad" ]; then
		ok "$c"
	else
		fail "$c" "not as expected for:$bad; answers: $all"
	fi
}
same3 download_out 'ok via 203\.0\.113\.1' "$A_download"
same3 router_port_open 'connected seen=1' "$A_router_22"
same3 ident_rejected 'refused seen=0' "$A_ident_113"
same3 other_port_dropped 'timeout seen=0' "$A_other_3306"
same3 lan_closed_from_outside 'timeout seen=0' "$A_lan_closed"
same3 ping_router 'answered' "$A_ping"
same3 other_port_logged '[1-9][0-9]* lines' "$A_logged"

if [ "${bad_ipfwadm:-}${bad_ipchains:-}" = okok ]; then
	ok bad_commands_refused
fi
stats_log
