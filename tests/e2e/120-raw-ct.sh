#!/usr/bin/env bash
# tests/e2e/120-raw-ct.sh - the raw table: NOTRACK, and CT --helper ftp on
# a port that is not 21 (issue 20), with real programs
#
#   masq-t$$-lan   eth0 192.168.0.2/24    ping, the UDP sender, the FTP
#                                         client (curl) of the active case
#   masq-t$$-lan2  eth0 192.168.0.3/24    vsftpd "vs-in" on :2121,
#                                         forwarded from 203.0.113.1:2121
#                       (lan, lan2 and the router's lan0 on br0 in masq-t$$-sw)
#   masq-t$$-gw    lan0 192.168.0.1       build/masqd --workers 2 (one
#                  wan0 203.0.113.1       worker on one CPU); `helper ftp`
#                                         on its default port 21 only
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24    vsftpd "vs-out" on :2121; a UDP
#                                         listener on :7777 and :7778; the
#                                         FTP client of the passive case
#
# What a user sees:
#  - `-t raw -A PREROUTING -i lan0 -p icmp -j NOTRACK` and an INPUT rule
#    `-m state --state UNTRACKED -j ACCEPT` first: 3 pings of the router
#    are answered and the UNTRACKED rule counts the 3 (a ping of the
#    router makes no connection either way);
#  - `-t raw -A PREROUTING -i lan0 -p udp --dport 7777 -j NOTRACK`: the
#    server on :7777 hears the datagram from 192.168.0.2 itself (not
#    translated: no connection, no mapping; `conntrack -L` lists nothing
#    for 7777), while :7778 hears it from 203.0.113.1 (tracked, masqueraded);
#  - an FTP server on port 2121 (not the helper's port): without a rule,
#    an active download from inside (curl --ftp-port -) and a passive one
#    from outside through the portfw of 2121 both fail (the PORT names
#    192.168.0.2, the 227 names 192.168.0.3); after
#    `-t raw -A PREROUTING -p tcp --dport 2121 -j CT --helper ftp` both
#    download the file whole, vsftpd hears PORT 203,0,113,1,... and the
#    outside client reads a 227 naming 203.0.113.1; masqctl stats counts
#    the helper connections the rule made (alg_by_rule);
#  - iptables-save prints the raw table first, with its rules, and
#    masqctl save (of the same masqd --workers 2) writes them as the
#    commands masqd -c loads.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/alglib.sh
. "$(dirname "$0")/alglib.sh"

e2e_init notrack_ping_untracked notrack_udp_untranslated \
	tracked_udp_masqueraded ftp_2121_active_needs_rule ftp_2121_passive_needs_rule \
	ftp_2121_active_with_rule ftp_2121_passive_with_rule ct_helper_counted \
	raw_saved_first raw_in_masqctl_save
alg_init
[ $KERNEL = 1 ] && skip_all "masqd only: the raw table of masq (E2E_ROUTER=kernel has its own)"
e2e_need curl curl
e2e_need /usr/sbin/vsftpd vsftpd
e2e_need ping iputils-ping

EXT=203.0.113.1 SRV=203.0.113.2 CLI=192.168.0.2 IN=192.168.0.3 GW_IN=192.168.0.1
WORKERS=2
[ "$(nproc)" -ge 2 ] || WORKERS=1

alg_lab_up --lan2 || exit 1
if ! masqd_start --workers $WORKERS; then
	ABORT_WHY="masqd --workers $WORKERS did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
mctl helper >/dev/null || skip_all "masqd has no \`helper\` command"
vsftpd_bg wan vs-out $SRV 30000 30009 0 2121 || log "vs-out did not start"
vsftpd_bg lan2 vs-in $IN 31000 31009 0 2121 || log "vs-in did not start"
want_out=$(sha "$WORK/vs-out-root/small.txt")
want_in=$(sha "$WORK/vs-in-root/small.txt")
warm lan $SRV
warm wan $EXT

# --- NOTRACK: ping the router ---------------------------------------------
mctl iptables -t raw -A PREROUTING -i lan0 -p icmp -j NOTRACK >/dev/null
mctl iptables -I INPUT -m state --state UNTRACKED -j ACCEPT >/dev/null
ono lan ping -c 3 -i 0.2 -W 2 $GW_IN >"$WORK/ping.out"
got=$(grep -c 'bytes from' "$WORK/ping.out")
rule=$(mctl iptables -L INPUT -v -x -n | grep 'state UNTRACKED')
pk=$(echo "$rule" | awk '{ print $1 }')
if [ "$got" = 3 ] && [ "$pk" = 3 ]; then
	ok notrack_ping_untracked
else
	fail notrack_ping_untracked "3 pings of $GW_IN NOTRACK'ed: $got answered, the UNTRACKED rule counted '${pk:-nothing}' ($rule)"
fi

# --- NOTRACK: UDP out, untranslated ------------------------------------------
mctl iptables -t raw -A PREROUTING -i lan0 -p udp --dport 7777 -j NOTRACK >/dev/null
bg wan echo7777 12 "$PY" -u "$WORK/tool.py" udp-echo $SRV 7777 10
E1=$BG_PID
bg wan echo7778 12 "$PY" -u "$WORK/tool.py" udp-echo $SRV 7778 10
E2=$BG_PID
wait_listen wan udp $SRV:7777 || log "the :7777 listener did not start"
wait_listen wan udp $SRV:7778 || log "the :7778 listener did not start"
# (no answer comes back to 192.168.0.2 from outside: one try is enough)
on lan "$PY" -u "$WORK/tool.py" udp-ask $SRV 7777 untracked 1 >/dev/null 2>&1
on lan "$PY" -u "$WORK/tool.py" udp-ask $SRV 7778 tracked 1 >"$WORK/ask7778.out" 2>&1
ct=$(mctl conntrack -L)
echo "$ct" >"$WORK/conntrack-udp.txt"
stop "$E1"
stop "$E2"
heard7777=$(grep -m1 '^from ' "$WORK/echo7777.out")
heard7778=$(grep -m1 '^from ' "$WORK/echo7778.out")
if [[ "$heard7777" == "from $CLI:"* ]] && ! echo "$ct" | grep -q "dport=7777"; then
	ok notrack_udp_untranslated
else
	fail notrack_udp_untranslated "the :7777 server heard '${heard7777:-nothing}' (want from $CLI); conntrack -L: $(echo "$ct" | grep 7777 | tr '\n' ';')"
fi
if [[ "$heard7778" == "from $EXT:"* ]] && echo "$ct" | grep -q "dport=7778"; then
	ok tracked_udp_masqueraded
else
	fail tracked_udp_masqueraded "the :7778 server heard '${heard7778:-nothing}' (want from $EXT, tracked)"
fi

# --- FTP on port 2121: without the rule ----------------------------------------
mctl ipmasqadm portfw -a -P tcp -L $EXT 2121 -R $IN 2121 >/dev/null
# try NAME NODE URL CURL_OPTS...: a bounded download (2 s to make the data
# connection, where one in the lab takes milliseconds); prints its sha256
try() {
	local name=$1 node=$2 url=$3
	shift 3
	rm -f "$WORK/$name.bin"
	onf "$node" "$WORK/$name.err" 20 curl -sS -v --connect-timeout 2 \
		--max-time 8 "$@" -o "$WORK/$name.bin" "$url"
	sha "$WORK/$name.bin"
}
said() { grep -E '^[<>] ' "$WORK/$1.err" 2>/dev/null | grep -v '^> PASS' | tr '\n' ' ' | cut -c1-300; }
n0=$(vs_lines vs-out)
got=$(try act0 lan ftp://$SRV:2121/small.txt --ftp-port - --disable-eprt)
told=$(vs_cmds vs-out "$((n0 + 1))" | grep -m1 '^PORT')
if [ "$got" != "$want_out" ] && [[ "$told" == "PORT 192,168,0,2,"* ]]; then
	ok ftp_2121_active_needs_rule
else
	fail ftp_2121_active_needs_rule "an active download from $SRV:2121 with no rule: sha256 $got, vsftpd was told '$told' (want the inside address, and no file); $(said act0)"
fi
got=$(try pas0 wan ftp://$EXT:2121/small.txt --disable-epsv)
read227=$(grep -m1 '^< 227' "$WORK/pas0.err")
if [ "$got" != "$want_in" ] && [[ "$read227" == "< 227 Entering Passive Mode (192,168,0,3,"* ]]; then
	ok ftp_2121_passive_needs_rule
else
	fail ftp_2121_passive_needs_rule "a passive download from $EXT:2121 with no rule: sha256 $got, the client read '$read227' (want 192,168,0,3 and no file)"
fi

# --- ... and with CT --helper ftp ----------------------------------------------------
by0=$(ctr_sum '^alg_by_rule$')
mctl iptables -t raw -A PREROUTING -p tcp --dport 2121 -j CT --helper ftp >/dev/null
n0=$(vs_lines vs-out)
got=$(try act1 lan ftp://$SRV:2121/small.txt --ftp-port - --disable-eprt)
told=$(vs_cmds vs-out "$((n0 + 1))" | grep -m1 '^PORT')
if [ "$got" = "$want_out" ] && [[ "$told" == "PORT 203,0,113,1,"* ]]; then
	ok ftp_2121_active_with_rule
else
	fail ftp_2121_active_with_rule "an active download from $SRV:2121 with CT --helper ftp: sha256 $got (want $want_out), vsftpd was told '$told'; $(said act1)"
fi
got=$(try pas1 wan ftp://$EXT:2121/small.txt --disable-epsv)
read227=$(grep -m1 '^< 227' "$WORK/pas1.err")
if [ "$got" = "$want_in" ] && [[ "$read227" == "< 227 Entering Passive Mode (203,0,113,1,"* ]]; then
	ok ftp_2121_passive_with_rule
else
	fail ftp_2121_passive_with_rule "a passive download from $EXT:2121 with CT --helper ftp: sha256 $got (want $want_in), the client read '$read227'; $(said pas1)"
fi
by1=$(ctr_sum '^alg_by_rule$')
if [ $((by1 - by0)) -ge 2 ]; then
	ok ct_helper_counted
else
	fail ct_helper_counted "alg_by_rule rose by $((by1 - by0)) over two control connections (want 2 or more)"
fi

# --- iptables-save: raw first --------------------------------------------------------
saved=$(mctl iptables-save)
echo "$saved" >"$WORK/saved.txt"
first=$(echo "$saved" | grep -m1 '^\*')
if [ "$first" = "*raw" ] &&
	echo "$saved" | grep -qx -- '-A PREROUTING -p tcp -m tcp --dport 2121 -j CT --helper ftp' &&
	echo "$saved" | grep -qx -- '-A PREROUTING -i lan0 -p udp -m udp --dport 7777 -j NOTRACK'; then
	ok raw_saved_first
else
	fail raw_saved_first "iptables-save's first table is '$first' (want *raw with the rules): $(echo "$saved" | head -8 | tr '\n' ';')"
fi
# masqctl save: the configuration file masqd -c loads holds the raw table
stats_log
mctl save >"$WORK/saved.conf"; rc=$?
if [ "$rc" = 0 ] && grep -qx -- 'iptables -t raw -A PREROUTING -p tcp -m tcp --dport 2121 -j CT --helper ftp' "$WORK/saved.conf" &&
	grep -qx -- 'iptables -t raw -F' "$WORK/saved.conf"; then
	ok raw_in_masqctl_save
else
	fail raw_in_masqctl_save "masqctl save exited $rc; its raw table lines: $(grep -- '-t raw' "$WORK/saved.conf" | tr '\n' ';' | cut -c1-300)"
fi
