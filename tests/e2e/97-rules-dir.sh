#!/usr/bin/env bash
# tests/e2e/97-rules-dir.sh - masqctl rules: the ipmasq rules directory,
# run as one transaction (issue 17)
#
#   masq-t$$-lan   eth0 192.168.0.2/24 (a client; a listener on :22 that
#        |         must stay unreachable from outside)
#   masq-t$$-gw    lan0 192.168.0.1 / wan0 203.0.113.1  <-- build/masqd;
#        |         the router host's listeners on 0.0.0.0:22, :113, :3306
#        |         (through the twins); masqctl rules runs here
#   masq-t$$-wan   eth0 203.0.113.2 (web server :8000; the probes; a route
#                  to 192.168.0.0/24 through the router, to try getting in)
#
# The probes (each run's answers, compared with what they must be):
#   download    the LAN host fetches 1 MiB: whole, the server sees
#               203.0.113.1 (masqueraded)
#   router_22   outside -> the router's :22: connected or timeout (dropped)
#   ident_113   outside -> the router's :113: refused at once, or timeout
#   other_3306  outside -> the router's :3306: timeout (dropped)
#   lan_22      outside -> the LAN host's :22 straight: timeout
#   ping        outside pings the router: answered
#
# Cases:
#  shipped_defs_*      rules/*.def (a copy) give masqd's default router
#                      under netfilter, ipchains and ipfwadm: the same
#                      answers as the default ruleset; under netfilter the
#                      iptables-save text the .def files promise
#  seeds_*             the ipmasq talk's .rul files (written out here from
#                      its slides) dropped in one by one change what the
#                      slides say: I90external.rul lets ssh in and rejects
#                      ident; I90extbcast.rul takes the broadcast rule out;
#                      ZZZdenyandlog.rul drops noisy UDP ports without a
#                      log line while other ports are still logged;
#                      M70masq.rul leaves the router working;
#                      A10netfilteronly.rul refuses MASQMETHOD=ipchains
#  broken_*            a bad iptables line, an `exit 1`, a syntax error:
#                      status 1, the message names FILE:LINE and says the
#                      old ruleset stays, and iptables-save is unchanged
#  shadow_listing      inside a run $IPTABLES -S shows the run's ruleset
#                      (a rule of an earlier file, not the live default's)
#  ignored_failure     `$IPTABLES -N acctin >/dev/null 2>&1` failing (the
#                      chain is there) does not fail the run, nor does a
#                      check's no (`-C RULE || -A RULE`); -N without the
#                      redirection does, naming the line
#  proc_neutralised    a file writing the forwarding switches under /proc
#                      runs, and the switches are as they were
#  autosocksify_*     with a ports file (A05autosocksify's variables moved
#                      to the test's files by a .rul), I20 and O80 redirect
#                      the listed ports to :11080 (nat PREROUTING from
#                      lan0, nat OUTPUT to wan0), sparing internal and
#                      local networks: a LAN connection to a listed port
#                      is refused at once (no relay runs here), one to
#                      another port is masqueraded as before; under
#                      ipchains the run fails, naming the file; without
#                      the ports file no REDIRECT is left
#  download_through_rebuild  a 15 MB download (paced, about 10 s) runs
#                      through rebuilds one after another (at least three
#                      end while it runs) unbroken: tracked connections
#                      survive the swap
# shellcheck disable=SC2016 # the rules files are written with their $, for their shell
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/fwdlib.sh
. "$(dirname "$0")/fwdlib.sh"

e2e_init shipped_defs_default_router shipped_defs_netfilter_listing \
	shipped_defs_ipchains shipped_defs_ipfwadm seeds_I90external \
	seeds_I90extbcast seeds_ZZZdenyandlog seeds_M70masq \
	seeds_A10netfilteronly broken_bad_rule broken_exit broken_syntax \
	shadow_listing ignored_failure proc_neutralised autosocksify_rules \
	autosocksify_netfilter_only download_through_rebuild
e2e_need curl curl
[ "${E2E_ROUTER:-masqd}" = masqd ] || skip_all "masqctl rules needs masqd (E2E_ROUTER=${E2E_ROUTER:-})"
DEFS=$E2E_ROOT/rules
[ -r "$DEFS/A03flush.def" ] || skip_all "rules/*.def are missing"

lab_up || exit 1
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
fwd_write_tool

# the router host's listeners (through the twins) and the LAN host's
bg gw l22 240 "$PY" -u "$FT" accept 0.0.0.0 22 230
bg gw l113 240 "$PY" -u "$FT" accept 0.0.0.0 113 230
bg gw l3306 240 "$PY" -u "$FT" accept 0.0.0.0 3306 230
bg lan lanl22 240 "$PY" -u "$FT" accept 192.168.0.2 22 230
mkdir -p "$WORK/www"
head -c 1048576 /dev/urandom >"$WORK/www/1mb.bin"
head -c 15728640 /dev/urandom >"$WORK/www/15mb.bin"
want=$(sha256sum <"$WORK/www/1mb.bin" | cut -d' ' -f1)
want15=$(sha256sum <"$WORK/www/15mb.bin" | cut -d' ' -f1)
bg wan http 240 "$PY" -u -m http.server 8000 --bind 203.0.113.2 --directory "$WORK/www"
wait_listen gw tcp 0.0.0.0:22 || log "the router's :22 listener did not start"
wait_listen gw tcp 0.0.0.0:113 || log "the router's :113 listener did not start"
wait_listen gw tcp 0.0.0.0:3306 || log "the router's :3306 listener did not start"
wait_listen lan tcp 192.168.0.2:22 || log "the LAN host's :22 listener did not start"
wait_listen wan tcp 203.0.113.2:8000 || log "the web server did not start"
x ip -n "$NS_WAN" route add 192.168.0.0/24 via 203.0.113.1

DIR=$WORK/rules
mkdir -p "$DIR"
cp "$DEFS"/*.def "$DIR/"

# rules [METHOD]: masqctl rules $DIR in the router's namespace (so its
# /proc is the lab's); its words in $SAID, its status returned
rules() {
	local rc
	log "+ [gw] MASQMETHOD=${1:-} masqctl rules $DIR"
	SAID=$(timeout -k 2 60 ip netns exec "$NS_GW" env MASQMETHOD="${1:-}" \
		"$MASQCTL" -s "$SOCK" rules "$DIR" 2>&1)
	rc=$?
	[ -n "$SAID" ] && log "$SAID"
	log "  (status $rc)"
	return $rc
}

# saved: the ruleset as masqctl save writes it, comments left out
saved() { timeout 10 "$MASQCTL" -s "$SOCK" save 2>&1 | grep -v '^#'; }
iptsave() { timeout 10 "$MASQCTL" -s "$SOCK" iptables-save 2>&1 | grep -v '^#'; }
accepted() { grep -c '^accepted ' "$WORK/$1.out" 2>/dev/null; }
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

# probe LABEL: every probe at once; one line of answers in $ANS
PN=0
probe() {
	local l=$1 n22 n113 nlan got peer p22 p113 p3306 plan
	PN=$((PN + 1))
	n22=$(accepted l22) n113=$(accepted l113) nlan=$(accepted lanl22)
	warm lan 192.168.0.1 || log "  (no answer from 192.168.0.1 to the LAN's warm-up pings)"
	rm -f "$WORK/dl.bin"
	T=20 on lan curl -sS --max-time 10 -o "$WORK/dl.bin" http://203.0.113.2:8000/1mb.bin
	got=$(sha256sum <"$WORK/dl.bin" 2>/dev/null | cut -d' ' -f1)
	peer=$(grep -oE '^[0-9.]+ - - \[.*"GET /1mb.bin' "$WORK/http.out" | tail -1 | cut -d' ' -f1)
	bg wan "p22-$PN" 10 "$PY" -u "$WORK/tool.py" tcp-probe 203.0.113.1 22 1.5
	p22=$BG_PID
	bg wan "p113-$PN" 10 "$PY" -u "$WORK/tool.py" tcp-probe 203.0.113.1 113 1.5
	p113=$BG_PID
	bg wan "p3306-$PN" 10 "$PY" -u "$WORK/tool.py" tcp-probe 203.0.113.1 3306 1.5
	p3306=$BG_PID
	bg wan "plan-$PN" 10 "$PY" -u "$WORK/tool.py" tcp-probe 192.168.0.2 22 1.5
	plan=$BG_PID
	if on wan ping -n -c 1 -W 2 203.0.113.1; then ping=answered; else ping=silent; fi
	wait "$p22" "$p113" "$p3306" "$plan"
	sleep 0.2
	ANS="download=$([ "$got" = "$want" ] && echo "ok-via-$peer" || echo failed)"
	ANS+=" router_22=$(verdict "$WORK/p22-$PN.out")/$(($(accepted l22) - n22))"
	ANS+=" ident_113=$(verdict "$WORK/p113-$PN.out")/$(($(accepted l113) - n113))"
	ANS+=" other_3306=$(verdict "$WORK/p3306-$PN.out")"
	ANS+=" lan_22=$(verdict "$WORK/plan-$PN.out")/$(($(accepted lanl22) - nlan))"
	ANS+=" ping=$ping"
	log "probe $l: $ANS"
}

DEFAULT_ANS="download=ok-via-203.0.113.1 router_22=timeout/0 ident_113=timeout/0 other_3306=timeout lan_22=timeout/0 ping=answered"

# --- the shipped .def files: masqd's default router --------------------------
probe default
if [ "$ANS" != "$DEFAULT_ANS" ]; then
	log "the default ruleset's answers are not the expected ones: $ANS"
fi
DEF_ANS=$ANS

# what the .def files make under netfilter, as iptables-save prints it
cat >"$WORK/want-netfilter.txt" <<'EOF'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -s 192.168.0.0/24 -o wan0 -j MASQUERADE
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:acctin - [0:0]
:acctout - [0:0]
-A INPUT -i wan0 -j acctin
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
-A INPUT -i lo -j ACCEPT
-A INPUT -i lan0 -j ACCEPT
-A INPUT -d 255.255.255.255/32 -i wan0 -j ACCEPT
-A INPUT -d 203.0.113.1/32 -i wan0 -p icmp -j ACCEPT
-A INPUT -j LOG
-A INPUT -j DROP
-A FORWARD -i wan0 -j acctin
-A FORWARD -o wan0 -j acctout
-A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -m conntrack --ctstate DNAT -j ACCEPT
-A FORWARD -i lan0 -o lan0 -j ACCEPT
-A FORWARD -s 192.168.0.0/24 -i lan0 -o wan0 -j ACCEPT
-A FORWARD -d 192.168.0.0/24 -i wan0 -o lan0 -m state --state RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -j LOG
-A FORWARD -j DROP
-A OUTPUT -o wan0 -j acctout
-A OUTPUT -o lo -j ACCEPT
-A OUTPUT -o lan0 -j ACCEPT
-A OUTPUT -o wan0 -j ACCEPT
-A acctin
-A acctout
COMMIT
EOF

declare -A M_ANS=() M_RC=()
for m in netfilter ipchains ipfwadm; do
	rules "$m"
	M_RC[$m]=$?
	[ "$m" = netfilter ] && iptsave >"$WORK/got-netfilter.txt"
	probe "$m"
	M_ANS[$m]=$ANS
done
bad=""
for m in netfilter ipchains ipfwadm; do
	[ "${M_RC[$m]}" = 0 ] || bad+=" $m: masqctl rules failed (${M_RC[$m]});"
	[ "${M_ANS[$m]}" = "$DEFAULT_ANS" ] || bad+=" $m: ${M_ANS[$m]};"
done
[ "$DEF_ANS" = "$DEFAULT_ANS" ] || bad+=" (the default ruleset itself: $DEF_ANS)"
if [ -z "$bad" ]; then ok shipped_defs_default_router; else fail shipped_defs_default_router "want $DEFAULT_ANS;$bad"; fi
if diff -u "$WORK/want-netfilter.txt" "$WORK/got-netfilter.txt" >>"$LOG"; then
	ok shipped_defs_netfilter_listing
else
	fail shipped_defs_netfilter_listing "iptables-save differs from the .def files' (diff in the log)"
fi
# the 2.x rulesets are what was asked for: their own language, MASQ in forward
if [ "${M_RC[ipchains]}" = 0 ] && [ "${M_ANS[ipchains]}" = "$DEFAULT_ANS" ]; then
	ok shipped_defs_ipchains
else
	fail shipped_defs_ipchains "rules ${M_RC[ipchains]}: ${M_ANS[ipchains]}"
fi
if [ "${M_RC[ipfwadm]}" = 0 ] && [ "${M_ANS[ipfwadm]}" = "$DEFAULT_ANS" ]; then
	ok shipped_defs_ipfwadm
else
	fail shipped_defs_ipfwadm "rules ${M_RC[ipfwadm]}: ${M_ANS[ipfwadm]}"
fi

# --- the talk's .rul files, one by one ----------------------------------------
# (written from the slides; where a slide shows only a diff, the lines it
# leaves out are the .def's)
cat >"$DIR/I90external.rul" <<'EOF'
#: Only allow desired incoming external packets
if [ -n "$EXTERNAL_IN" ]; then
	for i in $EXTERNAL_IN; do
		ipnm_cache $i
		case $MASQMETHOD in
		ipfwadm)
			$IPFWADM -I -a accept -W ${i%%:*} -P tcp \
				-S 0.0.0.0/0 -D $IPOFIF/32 -k
			$IPFWADM -I -a accept -W ${i%%:*} -P icmp \
				-S 0.0.0.0/0 -D $IPOFIF/32
			;;
		ipchains)
			$IPCHAINS -A input -j ACCEPT -i ${i%%:*} -p tcp \
				-d $IPOFIF/32 ! -y
			$IPCHAINS -A input -j ACCEPT -i ${i%%:*} -p icmp \
				-d $IPOFIF/32
			;;
		netfilter)
			# Allow continuations of existing connections in.
			$IPTABLES -A INPUT -j ACCEPT \
				-i ${i%%:*} -m state --state ESTABLISHED,RELATED

			# Allow new connections to some TCP ports.
			for p in ssh smtp http rsync ; do
				$IPTABLES -A INPUT -j ACCEPT \
					-i ${i%%:*} -p tcp -d ${IPOFIF} --dport ${p} \
					-m state --state NEW
			done

			# Make the ident lookup on some mail/web servers fail quickly.
			$IPTABLES -A INPUT -j REJECT \
				-i ${i%%:*} -p tcp -d ${IPOFIF} --dport ident \
				-m state --state NEW

			# Allow pings. All other ICMP stuff should work due to conntrack.
			$IPTABLES -A INPUT -j ACCEPT -i ${i%%:*} -d $IPOFIF \
				-p icmp --icmp-type ping \
				-m state --state NEW
			;;
		esac
	done
fi
EOF
rules
rc=$?
probe I90external
want_ext="download=ok-via-203.0.113.1 router_22=connected/1 ident_113=refused/0 other_3306=timeout lan_22=timeout/0 ping=answered"
if [ $rc = 0 ] && [ "$ANS" = "$want_ext" ]; then ok seeds_I90external; else fail seeds_I90external "status $rc; want $want_ext; got $ANS"; fi

cat >"$DIR/I90extbcast.rul" <<'EOF'
#: *DON'T* accept dumb broadcast packets on external interfaces
if [ -n "$EXTERNAL_IN" ]; then
for i in $EXTERNAL_IN; do
ipnm_cache $i
case $MASQMETHOD in
ipfwadm)
$IPFWADM -I -a accept -W ${i%%:*} -D 255.255.255.255/32
;;
ipchains)
$IPCHAINS -A input -j ACCEPT -i ${i%%:*} -d 255.255.255.255/32
;;
netfilter)
: #$IPTABLES -A INPUT -j ACCEPT -i ${i%%:*} -d 255.255.255.255/32
;;
esac
done
fi
EOF
bc_rule='^-A INPUT -d 255\.255\.255\.255/32 -i wan0 -j ACCEPT$'
n0=$(iptsave | grep -cE "$bc_rule")
rules
rc=$?
n1=$(iptsave | grep -cE "$bc_rule")
if [ $rc = 0 ] && [ "$n0" = 1 ] && [ "$n1" = 0 ]; then
	ok seeds_I90extbcast
else
	fail seeds_I90extbcast "status $rc; the external broadcast rule: $n0 before, $n1 after (want 1, 0)"
fi

# ZZZdenyandlog: the noisy UDP ports dropped without a LOG line; another
# port still logged (masqd's log: the LOG class, netfilter's format)
logged() { grep -cE "IN=wan0 .*DST=203\.0\.113\.1 .*PROTO=UDP .*DPT=$1 " "$WORK/masqd.log"; }
udp_noise() {	# the wan host sends one datagram to each port
	on wan "$PY" -u "$FT" send 203.0.113.1 137 noise
	on wan "$PY" -u "$FT" send 203.0.113.1 9999 noise
	sleep 0.5
}
a137=$(logged 137) a9999=$(logged 9999)
udp_noise
b137=$(logged 137) b9999=$(logged 9999)
cat >"$DIR/ZZZdenyandlog.rul" <<'EOF'
#: Deny and log what is left, but not the boring things
case $MASQMETHOD in
ipfwadm)
	$IPFWADM -I -a deny -S 0.0.0.0/0 -D 0.0.0.0/0 -o
	$IPFWADM -F -a deny -S 0.0.0.0/0 -D 0.0.0.0/0 -o
	;;
ipchains)
	$IPCHAINS --no-warnings -A input -j DENY -s 0.0.0.0/0 -d 0.0.0.0/0 -l
	$IPCHAINS --no-warnings -A forward -j DENY -s 0.0.0.0/0 -d 0.0.0.0/0 -l
	;;
netfilter)
	# DROP some ports for UDP, but do it silently.
	for p in bootps netbios-ns netbios-dgm snmp who route 1985; do
		$IPTABLES -A INPUT -j DROP -p udp --destination-port ${p}
	done

	$IPTABLES -A INPUT -j DROP -d 255.255.255.255/32

	# Weird crap from XXX.austin.ibm.com is filling our logs!
	$IPTABLES -A INPUT -j DROP -p tcp \
		-s 9.3.165.66 -d 9.185.116.201 --dport 1021:1022

	$IPTABLES -A INPUT -j LOG -s 0.0.0.0/0 -d 0.0.0.0/0
	$IPTABLES -A INPUT -j DROP -s 0.0.0.0/0 -d 0.0.0.0/0
	$IPTABLES -A OUTPUT -j LOG -s 0.0.0.0/0 -d 0.0.0.0/0
	$IPTABLES -A OUTPUT -j DROP -s 0.0.0.0/0 -d 0.0.0.0/0
	$IPTABLES -A FORWARD -j LOG -s 0.0.0.0/0 -d 0.0.0.0/0
	$IPTABLES -A FORWARD -j DROP -s 0.0.0.0/0 -d 0.0.0.0/0
	;;
esac
EOF
rules
rc=$?
udp_noise
c137=$(logged 137) c9999=$(logged 9999)
probe ZZZdenyandlog
if [ $rc = 0 ] && [ $((b137 - a137)) -ge 1 ] && [ $((b9999 - a9999)) -ge 1 ] &&
	[ "$c137" = "$b137" ] && [ $((c9999 - b9999)) -ge 1 ] && [ "$ANS" = "$want_ext" ]; then
	ok seeds_ZZZdenyandlog
else
	fail seeds_ZZZdenyandlog "status $rc; LOG lines for :137 $a137/$b137/$c137, :9999 $a9999/$b9999/$c9999 (before, with the .def, with the .rul: want the .rul to log :9999 only); probes $ANS"
fi

cat >"$DIR/M70masq.rul" <<'EOF'
#: Masquerade the internal networks, connection tracked
for i in $INTERNAL; do
ipnm_cache $i
for j in $EXTERNAL_OUT; do
case $MASQMETHOD in
ipfwadm)
$IPFWADM -F -a masquerade -W ${j%%:*} -S $IPOFIF/$NMOFIF -D 0.0.0.0/0
;;
ipchains)
$IPCHAINS -A forward -j MASQ -i ${j%%:*} -s $IPOFIF/$NMOFIF -d 0.0.0.0/0
;;
netfilter)
if [ -n "$PEEROFIF" ]; then
$IPTABLES -t nat -A POSTROUTING -j MASQUERADE \
-o ${j%%:*} -s $PEEROFIF/32
else
$IPTABLES -t nat -A POSTROUTING -j MASQUERADE \
-o ${j%%:*} -s $IPOFIF/$NMOFIF
$IPTABLES -A FORWARD -j ACCEPT \
-i ${i%%:*} -o ${j%%:*} -s $IPOFIF/$NMOFIF
$IPTABLES -A FORWARD -j ACCEPT \
-o ${i%%:*} -i ${j%%:*} -d $IPOFIF/$NMOFIF \
-m state --state ESTABLISHED,RELATED
fi
;;
esac
done
done
EOF
rules
rc=$?
probe M70masq
if [ $rc = 0 ] && [ "$ANS" = "$want_ext" ]; then ok seeds_M70masq; else fail seeds_M70masq "status $rc; want $want_ext; got $ANS"; fi

cat >"$DIR/A10netfilteronly.rul" <<'EOF'
#: Only support MASQMETHOD = netfilter.
if [ "$MASQMETHOD" != "netfilter" ] ; then
echo "MASQMETHOD \"$MASQMETHOD\" not supported" 1>&2
exit 1
fi
EOF
before=$(saved)
rules ipchains
rc=$?
after=$(saved)
said_chains=$SAID
rules
rc2=$?
if [ $rc = 1 ] && [ "$before" = "$after" ] &&
	echo "$said_chains" | grep -q 'MASQMETHOD "ipchains" not supported' &&
	echo "$said_chains" | grep -q 'A10netfilteronly.rul:4: .*old ruleset stays' && [ $rc2 = 0 ]; then
	ok seeds_A10netfilteronly
else
	fail seeds_A10netfilteronly "ipchains: status $rc, said '$said_chains', ruleset $([ "$before" = "$after" ] && echo unchanged || echo CHANGED); netfilter: status $rc2"
fi

# --- broken files leave the old ruleset ---------------------------------------
# broken CASE WANT: the file I50broken.rul in place, the run must fail with
# a message matching WANT and change nothing
broken() {
	local before after rc
	before=$(iptsave)
	rules
	rc=$?
	after=$(iptsave)
	rm -f "$DIR/I50broken.rul"
	if [ $rc = 1 ] && [ "$before" = "$after" ] && echo "$SAID" | grep -qE "$2" &&
		echo "$SAID" | grep -q 'the old ruleset stays'; then
		ok "$1"
	else
		fail "$1" "status $rc (want 1), said '$SAID' (want /$2/), ruleset $([ "$before" = "$after" ] && echo unchanged || echo CHANGED)"
	fi
}
printf '# a rule with a target there is no chain for\n$IPTABLES -A INPUT -p tcp --dport 4242 -j ACCEPT\n$IPTABLES -A INPUT -p tcp --dport 4243 -j NOSUCHCHAIN\n' >"$DIR/I50broken.rul"
broken broken_bad_rule "^masqctl rules: I50broken\.rul:3: .*NOSUCHCHAIN"
printf '$IPTABLES -A INPUT -p tcp --dport 4242 -j ACCEPT\nexit 1\n' >"$DIR/I50broken.rul"
broken broken_exit "^masqctl rules: I50broken\.rul:2: "
printf '$IPTABLES -A INPUT -p tcp --dport 4242 -j ACCEPT\nif true; then\n\techo no fi\n' >"$DIR/I50broken.rul"
broken broken_syntax "^masqctl rules: I50broken\.rul:[0-9]+: Syntax error"

# --- inside a run: listings show the shadow -----------------------------------
cat >"$DIR/I50mark.rul" <<'EOF'
$IPTABLES -A INPUT -p tcp --dport 4242 -j DROP
EOF
cat >"$DIR/Z50show.rul" <<EOF
\$IPTABLES -S INPUT >"$WORK/shadow-S.txt"
\$IPTABLES -L INPUT -n >"$WORK/shadow-L.txt"
exit 1
EOF
live0=$(iptsave)
rules
rc=$?
rm -f "$DIR/I50mark.rul" "$DIR/Z50show.rul"
if [ $rc = 1 ] && grep -q -- '--dport 4242 -j DROP' "$WORK/shadow-S.txt" &&
	grep -qE '^DROP .*tcp dpt:4242' "$WORK/shadow-L.txt" &&
	! echo "$live0" | grep -q 4242 && [ "$(iptsave)" = "$live0" ]; then
	ok shadow_listing
else
	fail shadow_listing "status $rc; -S in the run: $(tr '\n' '|' <"$WORK/shadow-S.txt" 2>/dev/null); the live ruleset $(iptsave | grep -c 4242) rules of 4242"
fi

# --- a failure the script ignores does not fail the run -----------------------
printf '$IPTABLES -N acctin >/dev/null 2>&1\n$IPTABLES -A acctin -s 10.0.0.0/8 -j RETURN\n$IPTABLES -C acctin -s 10.2.0.0/16 -j RETURN || $IPTABLES -A acctin -s 10.2.0.0/16 -j RETURN\n' >"$DIR/C50acct.rul"
rules
rc=$?
n=$(iptsave | grep -cE '^-A acctin -s 10\.(0\.0\.0/8|2\.0\.0/16) -j RETURN$')
printf '$IPTABLES -A acctin -s 10.1.0.0/16 -j RETURN\n$IPTABLES -N acctin\n' >"$DIR/C50acct.rul"
rules
rc2=$?
said2=$SAID
rm -f "$DIR/C50acct.rul"
if [ $rc = 0 ] && [ "$n" = 2 ] && [ $rc2 = 1 ] &&
	echo "$said2" | grep -qE '^masqctl rules: C50acct\.rul:2: .*iptables -N acctin'; then
	ok ignored_failure
else
	fail ignored_failure "ignored: status $rc, its rule there $n times; visible: status $rc2, said '$said2'"
fi

# --- /proc's forwarding switches ----------------------------------------------
sw() { ip netns exec "$NS_GW" cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/all/forwarding /proc/sys/net/ipv4/conf/wan0/forwarding 2>&1 | tr '\n' ' '; }
sw0=$(sw)
cat >"$DIR/Z90kernelforward.rul" <<EOF
echo 1 > /proc/sys/net/ipv4/ip_forward
for f in /proc/sys/net/ipv4/conf/*/forwarding; do echo 1 > \$f; done
cat /proc/sys/net/ipv4/ip_forward >"$WORK/proc-in-run.txt"
EOF
rules
rc=$?
rm -f "$DIR/Z90kernelforward.rul"
sw1=$(sw)
if [ $rc = 0 ] && [ "$sw0" = "$sw1" ] && [ "$(cat "$WORK/proc-in-run.txt" 2>/dev/null)" = 1 ]; then
	ok proc_neutralised
else
	fail proc_neutralised "status $rc; switches '$sw0' before, '$sw1' after; in the run ip_forward read '$(cat "$WORK/proc-in-run.txt" 2>/dev/null)'"
fi

# --- automatic SOCKSification's rules -------------------------------------------
printf '# ports to SOCKSify\nhttp https # web\n8080\n' >"$WORK/socks-ports"
printf '198.51.100.0/24 # a local network\n' >"$WORK/socks-local"
printf 'autosocksify_ports=%s\nautosocksify_local=%s\n' "$WORK/socks-ports" \
	"$WORK/socks-local" >"$DIR/A06socks.rul"
rules
rc=$?
nat=$(timeout 10 "$MASQCTL" -s "$SOCK" iptables-save -t nat 2>&1)
log "$nat"
pre=$(echo "$nat" | grep -cE '^-A PREROUTING -i lan0 -p tcp -m tcp --dport (80|443|8080) -j REDIRECT --to-ports 11080$')
spare=$(echo "$nat" | grep -cE '^-A PREROUTING -d (192\.168\.0\.0/24|198\.51\.100\.0/24) -i lan0 -p tcp -m tcp --dport (80|443|8080) -j ACCEPT$')
out=$(echo "$nat" | grep -cE '^-A OUTPUT -o wan0 -p tcp -m tcp --dport (80|443|8080) -j REDIRECT --to-ports 11080$')
t0=$(date +%s%N)
T=10 on lan curl -sS --max-time 5 -o /dev/null http://203.0.113.2:8080/
crc=$?
t1=$(date +%s%N)
probe autosocksify
if [ $rc = 0 ] && [ "$pre" = 3 ] && [ "$spare" = 6 ] && [ "$out" = 3 ] && [ $crc = 7 ] &&
	[ $(((t1 - t0) / 1000000)) -lt 2000 ] && [ "$ANS" = "$want_ext" ]; then
	ok autosocksify_rules
else
	fail autosocksify_rules "status $rc; REDIRECTs in PREROUTING $pre (want 3), spared $spare (want 6), in OUTPUT $out (want 3); a LAN curl to :8080: status $crc (want 7, refused) in $(((t1 - t0) / 1000000)) ms; probes $ANS"
fi
rm -f "$DIR/A10netfilteronly.rul"	# (it would refuse ipchains first)
rules ipchains
rc=$?
said_chains=$SAID
rm -f "$DIR/A06socks.rul"
rules ipchains
rc2=$?
after=$(saved)
rules
rc3=$?
left=$(timeout 10 "$MASQCTL" -s "$SOCK" iptables-save -t nat 2>&1 | grep -c REDIRECT)
if [ $rc = 1 ] && echo "$said_chains" | grep -q 'I20autosocksify.*needs MASQMETHOD=netfilter' &&
	echo "$said_chains" | grep -q '^masqctl rules: I20autosocksify\.def:[0-9]*: ' &&
	[ $rc2 = 0 ] && echo "$after" | grep -q '^ipchains -A forward .* -j MASQ' &&
	[ $rc3 = 0 ] && [ "$left" = 0 ]; then
	ok autosocksify_netfilter_only
else
	fail autosocksify_netfilter_only "ipchains with a ports file: status $rc, said '$said_chains'; without: status $rc2; netfilter again: status $rc3, $left REDIRECTs left"
fi

# --- a download through rebuilds ----------------------------------------------
log "+ [lan, bg] curl 15 MB at 1.5 MB/s"
T=60 on lan sh -c "curl -sS --max-time 50 --limit-rate 1500k -o '$WORK/dl15.bin' http://203.0.113.2:8000/15mb.bin; echo \$? >'$WORK/dl15.rc'" &
DL=$!
BG_PIDS+=("$DL")
# (the rebuilds start once the download is under way, 5 s at most)
dl_going() { [ -s "$WORK/dl15.bin" ]; }
wait_until 5 dl_going || log "  (nothing downloaded 5 s after the start)"
# rebuild again and again while it runs (8 at most): how long a rebuild
# takes depends on the machine's load, so count those that ended with the
# download still going, rather than trusting a fixed number to fit
rb="" during=0
for _ in 1 2 3 4 5 6 7 8; do
	[ -e "$WORK/dl15.rc" ] && break
	rules
	rb+="$? "
	[ -e "$WORK/dl15.rc" ] || during=$((during + 1))
	sleep 0.5
done
wait "$DL"
got15=$(sha256sum <"$WORK/dl15.bin" 2>/dev/null | cut -d' ' -f1)
if [ -n "$rb" ] && [ -z "${rb//0 /}" ] && [ $during -ge 3 ] &&
	[ "$(cat "$WORK/dl15.rc" 2>/dev/null)" = 0 ] && [ "$got15" = "$want15" ]; then
	ok download_through_rebuild
else
	fail download_through_rebuild "rebuilds' statuses: $rb; ended with the download still going: $during (want 3 or more); curl status $(cat "$WORK/dl15.rc" 2>/dev/null); sha256 $([ "$got15" = "$want15" ] && echo same || echo DIFFERENT)"
fi
stats_log
