# tests/e2e/xdplib.sh - helpers of the AF_XDP tests (106-afxdp,
# 109-afxdp-workers), sourced after lib.sh
# shellcheck shell=bash
#
#   helper_of PID      masqd's privileged helper (its child)
#   field PID NAME     a field of /proc/PID/status (VmRSS, Seccomp)
#   xdp_on DEV         true when DEV in the gw namespace has an XDP program
#   xdp_any            ... lan0 or wan0 has one
#   xdp_state          "lan0: xdp|none, wan0: xdp|none"
#   sandboxed PID      true when PID runs under its seccomp filter
#                      (Seccomp 2) and $WORK/masqd.log names no
#                      forbidden system call
#   kill_both          SIGKILL masqd's helper, then masqd ($MASQD_PID)

helper_of() { tr -d " " <"/proc/$1/task/$1/children" 2>/dev/null; }
field() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
xdp_on() { ip netns exec "$NS_GW" ip -d link show dev "$1" 2>/dev/null | grep -q 'prog/xdp'; }
xdp_any() { xdp_on lan0 || xdp_on wan0; }
xdp_state() { echo "lan0: $(xdp_on lan0 && echo xdp || echo none), wan0: $(xdp_on wan0 && echo xdp || echo none)"; }
sandboxed() {
	[ "$(field "$1" Seccomp)" = 2 ] && ! gone "$1" &&
		! grep -q "forbidden system call" "$WORK/masqd.log"
}
kill_both() {
	local h
	h=$(helper_of "$MASQD_PID")
	log "+ kill -KILL $h $MASQD_PID (helper first)"
	[ -n "$h" ] && kill -KILL "$h"
	kill -KILL "$MASQD_PID"
	wait "$MASQD_PID" 2>/dev/null
	MASQD_PID=
}
