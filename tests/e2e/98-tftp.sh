#!/usr/bin/env bash
# tests/e2e/98-tftp.sh - TFTP through masquerading, with tftpd-hpa and the
# tftp-hpa client (issue 15's proof of the TFTP helper)
#
#   masq-t$$-lan   eth0 192.168.0.2/24    the tftp-hpa client; the tool's
#                                         client (a request, then what
#                                         comes back)
#   masq-t$$-gw    lan0 192.168.0.1       build/masqd, `helper tftp` on
#                  wan0 203.0.113.1       its default port 69
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24    tftpd-hpa on :69 and :6969 (the
#                       + 203.0.113.3     same folder); first the tool's
#                                         fake server on :69
#
# A TFTP server answers a request sent to port 69 from a new port of its
# own, which the router's default filtering (address and port dependent)
# would not let in: the helper expects that answer. What a user sees:
#  - the expected answer is one connection from the server's address: a
#    fake server answers one request three times, from a third host
#    (203.0.113.3), from its own address at a new port A, then at another
#    new port B: the client gets only A's;
#  - tftp-hpa gets a 1 MiB file through the router (sha256 matches) and
#    puts one (the server's copy matches);
#  - a request from a client port below 1024 is refused: nothing comes
#    back, and masqd counts it (alg_tftp_refused);
#  - a server on port 6969 is reached only once `helper tftp on ports
#    69,6969` names that port;
#  - `masqctl save` writes the helper's ports as a command;
#  - `helper tftp off`: the get fails (times out), `masqctl helper` says
#    "tftp off"; `helper tftp on`: it works again.
#
# E2E_ROUTER=kernel: the same with the kernel as the router (nftables
# masquerade; the kernel's tftp conntrack helper assigned by a ct helper
# rule, which `helper tftp off` removes); the cases that ask masqd say
# SKIP, and the port-below-1024 case (the kernel's helper does not check
# the port) says SKIP with what it saw.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/alglib.sh
. "$(dirname "$0")/alglib.sh"

e2e_init tftp_expected_peer_only tftp_one_connection tftp_get tftp_put \
	tftp_low_port_refused tftp_other_port_needs_ports tftp_other_port \
	tftp_helper_listed tftp_helper_saved tftp_off_fails tftp_on_again
alg_init
e2e_need tftp tftp-hpa
e2e_need /usr/sbin/in.tftpd tftpd-hpa

SRV=203.0.113.2 THIRD=203.0.113.3 CLI=192.168.0.2

# shellcheck disable=SC2119 # no lab options
alg_lab_up || exit 1
capture wan eth0 wan
alg_router_start || exit 1
warm lan $SRV

# --- the expectation: one connection, from the server's address ----------------
bg wan tftp-fake 20 "$PY" -u "$AT" tftp-fake $SRV 69 $THIRD 15
FAKE=$BG_PID
wait_listen wan udp $SRV:69 || log "the fake server did not start"
onf lan "$WORK/ask-fake.out" 10 "$PY" -u "$AT" tftp-ask $CLI 0 $SRV 69 fake.bin 2
stop "$FAKE"
cat "$WORK/tftp-fake.out" >>"$LOG"
got=$(sed -n 's/^got from \([0-9.:]*\) .* \([a-z-]*\)$/\1 \2/p' "$WORK/ask-fake.out" | tr '\n' ';')
porta=$(sed -n '2,$s/^sent from //p' "$WORK/tftp-fake.out" | sed -n 2p)
if grep -q '^request from 203\.0\.113\.1:' "$WORK/tftp-fake.out" &&
	[ -n "$porta" ] && [[ "$got" == "$porta new-port-a;"* ]] && ! [[ "$got" == *third* ]]; then
	ok tftp_expected_peer_only
else
	fail tftp_expected_peer_only "the client got: '${got:-nothing}' (want only $porta's new-port-a); the server: $(tr '\n' ' ' <"$WORK/tftp-fake.out")"
fi
if [ "$got" = "$porta new-port-a;" ]; then
	ok tftp_one_connection
else
	fail tftp_one_connection "the client got: '${got:-nothing}' (want $porta new-port-a and nothing from the second new port)"
fi

# --- tftp-hpa through the router ---------------------------------------------------
tftpd_bg wan tftpd $SRV:69 || log "tftpd on :69 did not start"
tftpd_bg wan tftpd-6969 $SRV:6969 || log "tftpd on :6969 did not start"
root=$WORK/tftpd-root
head -c 1048576 /dev/urandom >"$root/1mb.bin"
chmod 0644 "$root/1mb.bin"
cp "$root/1mb.bin" "$WORK/tftpd-6969-root/1mb.bin"
want=$(sha "$root/1mb.bin")

# get NAME [PORT]: tftp-hpa fetches 1mb.bin to $WORK/NAME.bin; its sha256
get() {
	rm -f "$WORK/$1.bin"
	tftp_run lan "$1" $SRV "${2:-69}" "get 1mb.bin $WORK/$1.bin"
	sha "$WORK/$1.bin"
}

t0=$(date +%s%N)
got=$(get get)
ms=$((($(date +%s%N) - t0) / 1000000))
log "tftp get of 1 MiB: $ms ms"
if [ "$got" = "$want" ]; then
	ok tftp_get
else
	fail tftp_get "tftp get 1mb.bin: sha256 $got (want $want); tftp said: $(tr '\n' ' ' <"$WORK/get.out")"
fi

head -c 262144 /dev/urandom >"$WORK/up.bin"
tftp_run lan put $SRV 69 "put $WORK/up.bin up.bin"
got=$(sha "$root/up.bin")
if [ "$got" = "$(sha "$WORK/up.bin")" ]; then
	ok tftp_put
else
	fail tftp_put "tftp put: the server's copy has sha256 $got (want $(sha "$WORK/up.bin")); tftp said: $(tr '\n' ' ' <"$WORK/put.out")"
fi

# a request from port 999: refused, nothing comes back in 2 s; meanwhile
# (the two waits at once: another client port, another server port, no
# helper port) a get from the server on 6969 before the helper has it
r0=0
[ $KERNEL = 1 ] || r0=$(ctr_sum '^alg_tftp_refused$')
bg lan ask-low 10 "$PY" -u "$AT" tftp-ask $CLI 999 $SRV 69 1mb.bin 2
ASK_LOW=$BG_PID
got1=$(get other-before 6969)
wait "$ASK_LOW"
cat "$WORK/ask-low.out" >>"$LOG"
r1=0
[ $KERNEL = 1 ] || r1=$(ctr_sum '^alg_tftp_refused$')
n=$(grep -c '^got from' "$WORK/ask-low.out")
if [ "$n" = 0 ] && { [ $KERNEL = 1 ] || [ $((r1 - r0)) -ge 1 ]; } &&
	grep -q '^asked from' "$WORK/ask-low.out"; then
	ok tftp_low_port_refused
elif [ $KERNEL = 1 ]; then
	skip tftp_low_port_refused "E2E_ROUTER=kernel: the kernel's tftp helper does not check the client's port: $n datagrams came back to port 999"
else
	fail tftp_low_port_refused "a request from port 999: $n datagrams came back (want none), alg_tftp_refused rose by $((r1 - r0)) (want 1 or more)"
fi

# a server on 6969: only once the helper has that port (got1: above)
helper_set tftp on 69,6969
saved=
[ $KERNEL = 1 ] || saved=$(mctl save | grep -E '^helper ')
got2=$(get other-after 6969)
if [ "$got1" != "$want" ] && grep -qi 'timed out' "$WORK/other-before.out"; then
	ok tftp_other_port_needs_ports
else
	fail tftp_other_port_needs_ports "tftp get from port 6969 before \`helper tftp on ports 69,6969\`: sha256 $got1 (want a time-out); tftp said: $(tr '\n' ' ' <"$WORK/other-before.out")"
fi
if [ "$got2" = "$want" ]; then
	ok tftp_other_port
else
	fail tftp_other_port "tftp get from port 6969 with ports 69,6969: sha256 $got2 (want $want); tftp said: $(tr '\n' ' ' <"$WORK/other-after.out")"
fi
helper_set tftp on 69

# --- helper tftp off, then on -------------------------------------------------------
list_on=
[ $KERNEL = 1 ] || list_on=$(mctl helper)
helper_set tftp off
list_off=
[ $KERNEL = 1 ] || list_off=$(mctl helper)
got=$(get off)
if [ "$got" != "$want" ] && grep -qi 'timed out' "$WORK/off.out"; then
	ok tftp_off_fails
else
	fail tftp_off_fails "tftp get with the helper off: sha256 $got (want a time-out); tftp said: $(tr '\n' ' ' <"$WORK/off.out")"
fi
helper_set tftp on
got=$(get on-again)
if [ "$got" = "$want" ]; then
	ok tftp_on_again
else
	fail tftp_on_again "tftp get with the helper on again: sha256 $got (want $want); tftp said: $(tr '\n' ' ' <"$WORK/on-again.out")"
fi
if [ $KERNEL = 1 ]; then
	masqd_only tftp_helper_listed
elif echo "$list_on" | grep -qx 'tftp on ports 69' && echo "$list_off" | grep -qx 'tftp off ports 69' &&
	[ "$(mctl helper tftp)" = "tftp on" ]; then
	ok tftp_helper_listed
else
	fail tftp_helper_listed "masqctl helper: on: '$(echo "$list_on" | tr '\n' ';')', off: '$(echo "$list_off" | tr '\n' ';')' (want 'tftp on ports 69', then 'tftp off ports 69')"
fi
if [ $KERNEL = 1 ]; then
	masqd_only tftp_helper_saved
elif echo "$saved" | grep -qx 'helper tftp on ports 69,6969'; then
	ok tftp_helper_saved
else
	fail tftp_helper_saved "masqctl save has no line 'helper tftp on ports 69,6969'; its helper lines: '$(echo "$saved" | tr '\n' ';')'"
fi
[ $KERNEL = 1 ] || stats_log
