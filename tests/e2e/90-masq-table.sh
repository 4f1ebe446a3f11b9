#!/usr/bin/env bash
# tests/e2e/90-masq-table.sh - the masquerade table of a live connection,
# through masqctl: ipchains' listing with names, the kernel's raw view,
# masq -D of one source, masq -F, masq -S printed
#
#   masq-t$$-lan   eth0 192.168.0.2/24   TCP client (holds a connection)
#        |
#   masq-t$$-gw    lan0 192.168.0.1      build/masqd owns lan0 and wan0
#                  wan0 203.0.113.1
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24   TCP holder :7000
#
# The names masqctl puts in come from this machine's own services
# database (getent), so the expected line is made the same way.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init masq_list_numeric masq_list_names masq_list_raw masq_delete_live \
	masq_flush_live masq_timeouts_print
e2e_need getent libc-bin

lab_up || exit 1
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
e2e_write_tool
warm lan 203.0.113.2

bg wan tcphold 25 "$PY" -u "$WORK/tool.py" tcp-hold-server 203.0.113.2 7000 22
SRV_PID=$BG_PID
sleep 0.3
bg lan tcpclient 20 "$PY" -u "$WORK/tool.py" tcp-hold-client 203.0.113.2 7000 15
CLI_PID=$BG_PID
sport=
for _ in $(seq 30); do
	sport=$(sed -n 's/^connected from 192\.168\.0\.2:\([0-9]*\)$/\1/p' "$WORK/tcpclient.out" 2>/dev/null)
	[ -n "$sport" ] && break
	sleep 0.1
done
log "client's port: ${sport:-none}"

# --- ipchains -M -L -n, and with names --------------------------------------
line=$(mctl masq -L -n | grep -E "^TCP +[0-9]+:[0-9]{2}\.[0-9]{2} +192\.168\.0\.2 +203\.0\.113\.2 +${sport:-x} \([0-9]+\) -> 7000$")
mport=$(echo "$line" | sed -n 's/.*(\([0-9]*\)).*/\1/p')
if [ -n "$sport" ] && [ -n "$mport" ]; then
	ok masq_list_numeric
else
	fail masq_list_numeric "no line 'TCP ... 192.168.0.2 203.0.113.2 $sport (MPORT) -> 7000' in: $(mctl masq -L -n | tr '\n' ';')"
fi
svc=$(getent services 7000/tcp | awk '{ print $1 }')
ssvc=$(getent services "${sport:-0}/tcp" | awk '{ print $1 }')
named=$(mctl masq -L)
if [ -n "$mport" ] &&
	echo "$named" | head -2 | tr '\n' ';' | grep -qx 'IP masquerading entries;prot expire   source               destination          ports;' &&
	echo "$named" | grep -qE "^TCP +[0-9]+:[0-9]{2}\.[0-9]{2} +[^ ]+ +[^ ]+ +${ssvc:-$sport} \($mport\) -> ${svc:-7000}$"; then
	ok masq_list_names
else
	fail masq_list_names "want '... ${ssvc:-$sport} ($mport) -> ${svc:-7000}' in: $(echo "$named" | tr '\n' ';')"
fi

# --- the 2.0/2.2 kernels' /proc/net/ip_masquerade ------------------------------
raw=$(mctl masq -L --raw)
want=
[ -n "$mport" ] && want=$(printf 'TCP C0A80002:%04X CB007102:1B58 %04X 00000000      0      0 ' "$sport" "$mport")
if [ -n "$want" ] &&
	echo "$raw" | head -1 | grep -qE '^Prc FromIP   FPrt ToIP     TPrt Masq Init-seq  Delta PDelta Expires \(free=[0-9]+,[0-9]+,[0-9]+\)$' &&
	echo "$raw" | grep -qF "$want"; then
	ok masq_list_raw
else
	fail masq_list_raw "want a line starting '$want' in: $(echo "$raw" | tr '\n' ';')"
fi

# --- masq -D: that source's entry goes, and only once --------------------------
del=$(mctl masq -D tcp 192.168.0.2 "${sport:-1}")
again=$(T=5 "$MASQCTL" -s "$SOCK" masq -D tcp 192.168.0.2 "${sport:-1}" 2>&1)
again_rc=$?
log "masq -D: '$del'; again: status $again_rc '$again'"
if [ "$del" = "1 entry deleted" ] && [ $again_rc = 1 ] &&
	[ "$again" = "masq: no such entry: TCP 192.168.0.2 ${sport:-1}" ] &&
	! mctl masq -L -n | grep -q " ${sport:-x} (${mport:-x}) -> 7000$"; then
	ok masq_delete_live
else
	fail masq_delete_live "masq -D said '$del', again (status $again_rc) '$again'"
fi
stop "$CLI_PID"
stop "$SRV_PID"

# --- masq -F: every entry; traffic makes new ones after ---------------------------
on lan ping -n -c 2 -i 0.2 -W 1 203.0.113.2
flushed=$(mctl masq -F)
after=$(mctl masq -L -n)
if echo "$flushed" | grep -qE '^[1-9][0-9]* entr(y|ies) flushed$' &&
	[ "$after" = "IP masquerading entries" ] &&
	on lan ping -n -c 1 -W 2 203.0.113.2 &&
	mctl masq -L -n | grep -qE '^ICMP .* 192\.168\.0\.2 +203\.0\.113\.2 '; then
	ok masq_flush_live
else
	fail masq_flush_live "masq -F said '$flushed'; the table after: $(echo "$after" | tr '\n' ';')"
fi

# --- masq -S alone --------------------------------------------------------------
s0=$(mctl masq -S)
mctl masq -S 900 0 0 >/dev/null
s1=$(mctl masq -S)
if [ "$s0" = "7440 240 300" ] && [ "$s1" = "900 240 300" ]; then
	ok masq_timeouts_print
else
	fail masq_timeouts_print "masq -S printed '$s0', after masq -S 900 0 0 '$s1'"
fi
