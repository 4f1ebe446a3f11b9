#!/usr/bin/env bash
# tests/e2e/61-ipfwadm-ipchains-masq.sh - the Linux Journal article's
# masquerading in its ipfwadm form, and the ipchains equivalent, each make
# the router work; ipchains -C answers as the 2.2 tool did (issue 16)
#
#   masq-t$$-lan   eth0 192.168.0.2/24 (curl; a listener on :2323 that
#        |         must stay unreachable from outside)
#   masq-t$$-gw    lan0 192.168.0.1 / wan0 203.0.113.1  <-- build/masqd
#        |
#   masq-t$$-wan   eth0 203.0.113.2 (python3 http.server :8000; a route to
#                  192.168.0.0/24 via the router, to try getting in)
#
# The article (1996) masqueraded with ipfw: "ipfw a m all from
# 192.168.1.0/24 to 0.0.0.0/0", which ipfwadm wrote as
#     ipfwadm -F -p deny
#     ipfwadm -F -a m -S 192.168.0.0/24 -D 0.0.0.0/0
# (the lab's LAN). masq's empty 2.x ruleset is never open: its input
# policy is deny, where a 2.0 kernel's was accept, so nothing passes until
# "ipfwadm -I -p accept" gives the article the kernel it was written for
# (case ipfwadm_closed_until_input_open). Then from the inside a download
# arrives whole, the server sees the router's address, and a connection
# from outside to the inside host is refused (dropped by the forward
# policy). The same for the ipchains form, after "masqctl reset rules":
#     ipchains -P forward DENY
#     ipchains -A forward -s 192.168.0.0/24 -j MASQ
#     ipchains -P input ACCEPT
# and ipchains -C (check) for packets like the ones the traffic sent:
# masqueraded, denied, accepted, and rejected after an ident REJECT rule,
# each the word the 2.2 tool printed, and no counter moved by a check;
# ipfwadm -c likewise ("packet masqueraded", exit 255, as 2.3.0 had it).
# While a ruleset is in one language, a command of the other is refused
# (naming the language and "masqctl reset rules"); bad commands of each
# language are refused with a message, nothing changed. Listings show the
# rules as the tools did (the golden listings are the unit tests').
#
# E2E_ROUTER=kernel: SKIP (the kernel has no ipchains or ipfwadm).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/fwdlib.sh
. "$(dirname "$0")/fwdlib.sh"
# shellcheck source=tests/e2e/oldlib.sh
. "$(dirname "$0")/oldlib.sh"

e2e_init ipfwadm_closed_until_input_open ipfwadm_download \
	ipfwadm_server_sees_router ipfwadm_inbound_refused ipfwadm_listing \
	ipfwadm_check_answers \
	ipfwadm_refuses_ipchains ipfwadm_bad_commands \
	ipchains_download ipchains_server_sees_router ipchains_inbound_refused \
	ipchains_listing_counts ipchains_refuses_ipfwadm ipchains_bad_commands \
	ipchains_check_answers ipchains_check_not_counted
old_init
e2e_need curl curl

LAN=192.168.0.0/24 CLIENT=192.168.0.2 EXT=203.0.113.1 SERVER=203.0.113.2

lab_up || exit 1
capture wan eth0 wan
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
fwd_write_tool
http_serve_1mb
bg lan inside 120 "$PY" -u "$FT" accept $CLIENT 2323 110
wait_listen lan tcp $CLIENT:2323 || log "the inside listener did not start"
x ip -n "$NS_WAN" route add $LAN via $EXT

# download NAME: 1 MiB from the inside (10 s at most); DL: "ok" when
# whole, else why; DL_PEER: the address the server logged for it
download() {
	local got n0
	n0=$(grep -c 'GET /1mb.bin' "$WORK/http.out")
	rm -f "$WORK/$1.bin"
	T=20 on lan curl -sS --max-time 10 -o "$WORK/$1.bin" http://$SERVER:8000/1mb.bin
	got=$(sha256sum <"$WORK/$1.bin" 2>/dev/null | cut -d' ' -f1)
	DL_PEER=$(grep -oE '^[0-9.]+ - - \[.*"GET /1mb.bin' "$WORK/http.out" |
		tail -n +$((n0 + 1)) | cut -d' ' -f1 | sort -u | tr '\n' ' ')
	if [ "$got" = "$want" ]; then
		DL=ok
	else
		DL="sha256 ${got:-none} ($(stat -c %s "$WORK/$1.bin" 2>/dev/null || echo 0) bytes)"
	fi
	if [ -n "$MUST_WHY" ]; then	# not the ruleset meant: nothing proved
		DL="$DL; $MUST_WHY" DL_PEER="$DL_PEER(and $MUST_WHY)"
	fi
}

# inbound NAME: a connection from outside straight to the inside host's
# :2323 (2 s); "refused" when it did not get there: timed out or refused,
# and the listener accepted nothing
inbound() {
	local n0 n1 said
	n0=$(grep -c '^accepted' "$WORK/inside.out")
	said=$(T=10 ono wan "$PY" "$WORK/tool.py" tcp-probe $CLIENT 2323 2)
	n1=$(grep -c '^accepted' "$WORK/inside.out")
	if [ -n "$MUST_WHY" ]; then
		echo "not the ruleset meant: $MUST_WHY"
	elif [ "$n1" = "$n0" ] && ! echo "$said" | grep -q '^connected'; then
		echo refused
	else
		echo "got in: '$said', the listener accepted $((n1 - n0))"
	fi
}

# --- ipfwadm: the article ------------------------------------------------
warm lan 192.168.0.1 || log "  (no answer from the router to the warm-up pings)"
must ipfwadm -F -p deny
must ipfwadm -F -a m -S $LAN -D 0.0.0.0/0
probe=$(T=10 ono lan "$PY" "$WORK/tool.py" tcp-probe $SERVER 8000 1.5)
must ipfwadm -I -p accept
download fwadm
r=$DL
if echo "$probe" | grep -q 'timed out' && [ "$r" = ok ] && [ -z "$MUST_WHY" ]; then
	ok ipfwadm_closed_until_input_open
else
	fail ipfwadm_closed_until_input_open "before ipfwadm -I -p accept: '$probe' (want timed out: input denies); after: download $r; $MUST_WHY"
fi
if [ "$r" = ok ]; then
	ok ipfwadm_download
else
	fail ipfwadm_download "$r"
fi
if [ "$DL_PEER" = "$EXT " ]; then
	ok ipfwadm_server_sees_router
else
	fail ipfwadm_server_sees_router "the server logged the download from '${DL_PEER:-nobody}' (want $EXT)"
fi
r=$(inbound fwadm)
if [ "$r" = refused ]; then
	ok ipfwadm_inbound_refused
else
	fail ipfwadm_inbound_refused "$r"
fi

# ipfwadm -F -l -n: the policy and the masquerading rule, as ipfwadm
# 2.3.0 printed them ("acc/m": accept, masquerade)
lf=$(ipfwadm -F -l -n)
rc=$?
if [ $rc = 0 ] && echo "$lf" | grep -q '^IP firewall forward rules, default policy: deny$' &&
	echo "$lf" | grep -qE "^acc/m +all +$LAN +0\.0\.0\.0/0 +n/a\$"; then
	ok ipfwadm_listing
else
	fail ipfwadm_listing "ipfwadm -F -l -n (status $rc): $(echo "$lf" | tr '\n' '|')"
fi

# ipfwadm -c (the test mode): its own words, -V and -W required; a
# masqueraded packet's answer exits 255, as ipfwadm 2.3.0's did
fcheck() {	# category src sport dst dport via-address via-name
	local out rc
	out=$(ipfwadm "$1" -c -P tcp -S "$2" "$3" -D "$4" "$5" -V "$6" -W "$7")
	rc=$?
	echo "$out ($rc)"
}
c1=$(fcheck -F $CLIENT 1025 $SERVER 8000 $EXT wan0)
c2=$(fcheck -F $SERVER 1025 $CLIENT 2323 192.168.0.1 lan0)
c3=$(fcheck -I $SERVER 1025 $EXT 22 $EXT wan0)
got="$c1 | $c2 | $c3"
if [ "$got" = "packet masqueraded (255) | packet denied (0) | packet accepted (0)" ]; then
	refused_unchanged ipfwadm_check_answers '^ipfwadm: .*-V' \
		ipfwadm -F -c -P tcp -S $CLIENT 1025 -D $SERVER 8000 -W wan0 &&
		ok ipfwadm_check_answers
else
	fail ipfwadm_check_answers "a LAN download's packet in forward, an inbound one, one to the router's :22: '$got' (want packet masqueraded (255) | packet denied (0) | packet accepted (0))"
fi

refused_unchanged ipfwadm_refuses_ipchains "$(other_lang ipfwadm ipchains)" \
	ipchains -A forward -s 10.9.9.9 -j DENY &&
	refused_unchanged ipfwadm_refuses_ipchains "$(other_lang ipfwadm ipchains)" \
		ipchains -L -n &&
	ok ipfwadm_refuses_ipchains
refused_unchanged ipfwadm_bad_commands '^ipfwadm: ' ipfwadm -F -a maybe -S 10.9.9.9 &&
	refused_unchanged ipfwadm_bad_commands '^ipfwadm: ' ipfwadm -F -a m -S $LAN -D &&
	refused_unchanged ipfwadm_bad_commands '^ipfwadm: ' ipfwadm -F -d m -S 10.9.9.0/24 &&
	refused_unchanged ipfwadm_bad_commands '^ipfwadm: ' ipfwadm -I -a accept -W wan0 -V &&
	ok ipfwadm_bad_commands

# --- ipchains: the same router, 2.2's way ----------------------------------
MUST_WHY=
must ctl reset rules
must ipchains -P forward DENY
must ipchains -A forward -s $LAN -j MASQ
must ipchains -P input ACCEPT
download chains
r=$DL
if [ "$r" = ok ]; then
	ok ipchains_download
else
	fail ipchains_download "$r"
fi
if [ "$DL_PEER" = "$EXT " ]; then
	ok ipchains_server_sees_router
else
	fail ipchains_server_sees_router "the server logged the download from '${DL_PEER:-nobody}' (want $EXT)"
fi
r=$(inbound chains)
if [ "$r" = refused ]; then
	ok ipchains_inbound_refused
else
	fail ipchains_inbound_refused "$r"
fi

# ipchains -L forward -n -v -x: the policy, the MASQ rule and what it
# counted: every packet the client sent in the download (1 MiB down is
# some hundreds of ACKs, each 52 bytes or more)
lc=$(ipchains -L forward -n -v -x)
row=$(echo "$lc" | awk -v lan=$LAN '$3 == "MASQ" && $4 == "all" && $(NF - 2) == lan')
pk=$(echo "$row" | awk '{print $1}') by=$(echo "$row" | awk '{print $2}')
if echo "$lc" | grep -qE '^Chain forward \(policy DENY: [0-9]+ packets, [0-9]+ bytes\):$' &&
	[ "${pk:-0}" -ge 100 ] 2>/dev/null && [ "${by:-0}" -ge $((pk * 40)) ]; then
	ok ipchains_listing_counts
else
	fail ipchains_listing_counts "ipchains -L forward -n -v -x: $(echo "$lc" | tr '\n' '|')"
fi

refused_unchanged ipchains_refuses_ipfwadm "$(other_lang ipchains ipfwadm)" \
	ipfwadm -F -a deny -S 10.9.9.9 &&
	refused_unchanged ipchains_refuses_ipfwadm "$(other_lang ipchains ipfwadm)" ipfwadm -F -l -n &&
	ok ipchains_refuses_ipfwadm
refused_unchanged ipchains_bad_commands '^ipchains: ' ipchains -P forward MAYBE &&
	refused_unchanged ipchains_bad_commands '^ipchains: ' ipchains -A nosuchchain -j ACCEPT &&
	refused_unchanged ipchains_bad_commands '^ipchains: ' ipchains -A forward -p tcp -s 10.9.9.9 99999 &&
	refused_unchanged ipchains_bad_commands '^ipchains: ' ipchains -D forward 9 &&
	ok ipchains_bad_commands

# --- ipchains -C: what a packet would meet ---------------------------------
must ipchains -I input -p tcp -d $EXT/32 113 -j REJECT
counters=$(ipchains -L -n -v -x)
rc0=$?
check() {	# chain proto src sport dst dport iface: the answer, one line
	ipchains -C "$1" -p "$2" -s "$3" "$4" -d "$5" "$6" -i "$7" | tr '\n' ' ' | sed 's/ *$//'
}
a1=$(check forward tcp $CLIENT 1025 $SERVER 8000 wan0)
a2=$(check forward tcp $SERVER 1025 $CLIENT 2323 lan0)
a3=$(check input tcp $SERVER 1025 $EXT 22 wan0)
a4=$(check input tcp $SERVER 1025 $EXT 113 wan0)
got="$a1 | $a2 | $a3 | $a4"
if [ "$got" = "masqueraded | denied | accepted | rejected" ] && [ -z "$MUST_WHY" ]; then
	ok ipchains_check_answers
else
	fail ipchains_check_answers "a LAN download's packet in forward, an inbound one, one to the router's :22, one to :113: '$got' (want masqueraded | denied | accepted | rejected); $MUST_WHY"
fi
after=$(ipchains -L -n -v -x)
if [ "$rc0" = 0 ] && [ "$counters" = "$after" ] && echo "$counters" | grep -q '^Chain input '; then
	ok ipchains_check_not_counted
else
	fail ipchains_check_not_counted "ipchains -L -n -v -x (status $rc0) moved or failed: $(head -n 2 <<<"$counters" | tr '\n' ' '); $(diff <(echo "$counters") <(echo "$after") | grep '^[<>]' | head -4 | tr '\n' ' ')"
fi
stats_log
