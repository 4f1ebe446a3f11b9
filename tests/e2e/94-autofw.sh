#!/usr/bin/env bash
# tests/e2e/94-autofw.sh - ipmasqadm autofw through masqd: a port range
# forwarded to the internal host that spoke to a control port (issue 14's
# proof of autofw)
#
#   masq-t$$-lan   eth0 192.168.0.2/24 --+  UDP listener on 7005, 7025, 7045
#                                        +-- br0 in masq-t$$-sw
#   masq-t$$-lan2  eth0 192.168.0.3/24 --+  UDP listener on 7005 (a second
#                                        |  client of the same range)
#   masq-t$$-gw    lan0 192.168.0.1 -----+  build/masqd
#                  wan0 203.0.113.1
#        |
#   masq-t$$-wan   eth0 203.0.113.2 (the server: control port tcp 7070,
#                  which accepts and closes) + 203.0.113.3 (another host)
#
# Entries:
#   A  autofw -A -r udp 7000 7010 -c tcp 7070        (secure, lapses)
#   B  autofw -A -r udp 7040 7050 -c udp 7072 -u -i  (any remote, never lapses)
#   C  autofw -A -r udp 7020 7030 -h 192.168.0.2     (a fixed host)
#
# What a user sees:
#  - C forwards at once, from any outside host;
#  - before the internal host speaks to the control port, a datagram from
#    the server to 203.0.113.1:7005 does not reach it; after it, it does,
#    and the answer comes back; `autofw -L` names the holder;
#  - from another outside host (203.0.113.3) A forwards nothing (the
#    secure default), B (-i) does;
#  - a second internal host speaking to the control port while the first
#    holds A does not take it over (autofw_busy in masqctl stats grows,
#    the range still reaches the first);
#  - 16 s after the last control packet A forwards nothing any more
#    (`autofw -L`: idle), while B (-u) still does; then the second host
#    can take A;
#  - conn_autofw counts the forwarded datagrams' connections.
#
# E2E_ROUTER=kernel: SKIP (autofw has no equivalent in the kernel's NAT).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/fwdlib.sh
. "$(dirname "$0")/fwdlib.sh"

e2e_init autofw_fixed_host autofw_not_before autofw_after_control \
	autofw_list_holder autofw_secure_other_remote autofw_i_any_remote \
	autofw_second_host_no_takeover autofw_lapses autofw_u_never_lapses \
	autofw_takeover_after_lapse autofw_counted
if [ "${E2E_ROUTER:-masqd}" = kernel ]; then
	skip_all "E2E_ROUTER=kernel: autofw (ipmasqadm) has no equivalent in the kernel's NAT"
fi

EXT=203.0.113.1 H1=192.168.0.2 H2=192.168.0.3 SRV=203.0.113.2 OTHER=203.0.113.3
LAPSE=16.5	# seconds after the last control packet (the entry lives 15)

lab_up --lan2 || exit 1
capture wan eth0 wan
fwd_write_tool
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi

bg lan listen-h1 80 "$PY" -u "$FT" listen $H1 7005,7025,7045 75
bg lan2 listen-h2 80 "$PY" -u "$FT" listen $H2 7005 75
bg wan control 80 "$PY" -u "$FT" accept $SRV 7070 75
wait_listen lan udp $H1:7045 || log "the listener on $H1 did not start"
wait_listen lan2 udp $H2:7005 || log "the listener on $H2 did not start"
wait_listen wan tcp $SRV:7070 || log "the control server did not start"

adm autofw -A -r udp 7000 7010 -c tcp 7070 >/dev/null
adm autofw -A -r udp 7040 7050 -c udp 7072 -u -i >/dev/null
adm autofw -A -r udp 7020 7030 -h $H1 >/dev/null
warm wan $EXT
warm lan $SRV
warm lan2 $SRV

# ask SRC PORT TEXT: one datagram from SRC (outside) to EXT:PORT, 1 s for
# the answer; prints "reply from ..." or "no reply"
ask() { T=5 ono wan "$PY" -u "$FT" ask "$1" $EXT "$2" "$3"; }
# got NAME PORT TEXT: did listener NAME receive TEXT on PORT?
got() { grep -qE "^$2 from [0-9.:]+ $3\$" "$WORK/$1.out"; }
# holder: host and remote of A in autofw -L, "HOST REMOTE LAPSES"
holder() { adm autofw -L -n | awk '$2 == 7000 && $3 == 7010 { print $4, $6, $8 }'; }
stat_of() { mctl stats | awk -v k="$1" '$1 == k { print $2 }'; }

# --- a fixed host: at once ------------------------------------------------------
r=$(ask $OTHER 7025 fixed-1)
if [ "$r" = "reply from $EXT:7025 echo:fixed-1" ] && got listen-h1 7025 fixed-1; then
	ok autofw_fixed_host
else
	fail autofw_fixed_host "from $OTHER to $EXT:7025 (-h $H1): '$r'; $H1 received: $(grep -c . "$WORK/listen-h1.out") lines"
fi

# --- before the control port: nothing --------------------------------------------
r=$(ask $SRV 7005 before-1)
if [ "$r" = "no reply" ] && ! got listen-h1 7005 before-1 && ! got listen-h2 7005 before-1; then
	ok autofw_not_before
else
	fail autofw_not_before "before any control packet, from $SRV to $EXT:7005: '$r' (want no reply)"
fi

# --- the internal host speaks to the control ports ------------------------------
on lan "$PY" -u "$WORK/tool.py" tcp-probe $SRV 7070 3
on lan "$PY" -u "$FT" send $SRV 7072 control-b
T_CTL=$(date +%s.%N)
h=$(holder)
r=$(ask $SRV 7005 after-1)
if [ "$r" = "reply from $EXT:7005 echo:after-1" ] && got listen-h1 7005 after-1; then
	ok autofw_after_control
else
	fail autofw_after_control "after $H1 spoke to $SRV:7070, from $SRV to $EXT:7005: '$r'; $H1 received it: $(got listen-h1 7005 after-1 && echo yes || echo no)"
fi
case "$h" in
"$H1 $SRV "1[0-5]s) ok autofw_list_holder ;;
*) fail autofw_list_holder "autofw -L for 7000-7010: host, remote, lapses '$h' (want '$H1 $SRV 1Ns')" ;;
esac

# --- other remotes -----------------------------------------------------------------
r=$(ask $OTHER 7005 other-1)
if [ "$r" = "no reply" ] && ! got listen-h1 7005 other-1; then
	ok autofw_secure_other_remote
else
	fail autofw_secure_other_remote "from $OTHER (not the remote $H1 spoke to) to $EXT:7005: '$r' (want no reply)"
fi
r=$(ask $OTHER 7045 any-1)
if [ "$r" = "reply from $EXT:7045 echo:any-1" ] && got listen-h1 7045 any-1; then
	ok autofw_i_any_remote
else
	fail autofw_i_any_remote "entry B (-i), from $OTHER to $EXT:7045: '$r'"
fi

# --- a second internal host cannot take a held entry ---------------------------
busy0=$(stat_of autofw_busy)
on lan2 "$PY" -u "$WORK/tool.py" tcp-probe $SRV 7070 3
busy1=$(stat_of autofw_busy)
h2=$(holder)
r=$(ask $SRV 7005 second-1)
if [ "${busy1:-0}" -gt "${busy0:-0}" ] && [ "${h2%% *}" = "$H1" ] &&
	[ "$r" = "reply from $EXT:7005 echo:second-1" ] && got listen-h1 7005 second-1 &&
	! got listen-h2 7005 second-1; then
	ok autofw_second_host_no_takeover
else
	fail autofw_second_host_no_takeover "after $H2 spoke to the control port: autofw_busy $busy0 -> $busy1, holder '$h2', from $SRV to $EXT:7005: '$r', received by $H2: $(got listen-h2 7005 second-1 && echo yes || echo no)"
fi

# --- 16 s after the last control packet -------------------------------------------
left=$(awk -v t="$T_CTL" -v l="$LAPSE" -v n="$(date +%s.%N)" 'BEGIN { d = t + l - n; print (d > 0 ? d : 0) }')
log "# waiting ${left} s: $LAPSE s after the last control packet"
sleep "$left"
h3=$(holder)
r=$(ask $SRV 7005 late-1)
if [ "$r" = "no reply" ] && ! got listen-h1 7005 late-1 && ! got listen-h2 7005 late-1 &&
	[ "$h3" = "- - idle" ]; then
	ok autofw_lapses
else
	fail autofw_lapses "$LAPSE s after the last control packet: from $SRV to $EXT:7005: '$r' (want no reply); autofw -L host, remote, lapses '$h3' (want '- - idle')"
fi
r=$(ask $OTHER 7045 late-b)
if [ "$r" = "reply from $EXT:7045 echo:late-b" ] && got listen-h1 7045 late-b; then
	ok autofw_u_never_lapses
else
	fail autofw_u_never_lapses "entry B (-u), $LAPSE s after its control packet, from $OTHER to $EXT:7045: '$r'"
fi

# --- lapsed: the second host may take it now -------------------------------------
on lan2 "$PY" -u "$WORK/tool.py" tcp-probe $SRV 7070 3
r=$(ask $SRV 7005 taken-2)
if [ "$r" = "reply from $EXT:7005 echo:taken-2" ] && got listen-h2 7005 taken-2 &&
	! got listen-h1 7005 taken-2; then
	ok autofw_takeover_after_lapse
else
	fail autofw_takeover_after_lapse "after A lapsed and $H2 spoke to the control port: from $SRV to $EXT:7005: '$r'; holder '$(holder)'"
fi

# forwarded: fixed-1, after-1, any-1, second-1, late-b, taken-2
n=$(stat_of conn_autofw)
if [ "$n" = 6 ]; then
	ok autofw_counted
else
	fail autofw_counted "masqctl stats conn_autofw ${n:-absent} (want 6: one per datagram forwarded)"
fi
stats_log
