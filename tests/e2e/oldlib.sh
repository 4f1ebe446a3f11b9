# tests/e2e/oldlib.sh - helpers of issue 16's tests (61, 63, 64, 68): the
# 2.0 and 2.2 languages, ipfwadm and ipchains, through masqctl (sourced
# after lib.sh)
# shellcheck shell=bash disable=SC2034
#
#   old_init              after e2e_init: SKIP every case under
#                         E2E_ROUTER=kernel (the kernel has had neither
#                         language since 2.6); $BIN, a directory of links
#                         to masqctl named ipfwadm, ipchains, iptables
#                         and their -save/-restore (as /usr/lib/masq/bin
#                         has them); MASQ_SOCKET exported for them
#   ctl ARGS...           masqctl ARGS: stdout and stderr to the caller (an
#                         error's message is the point), the status
#                         returned (CTL_RC too), all of it logged
#   ipfwadm ARGS... / ipchains ARGS...
#                         the links, as a user types them (ctl's ways)
#   ruleset               the ruleset as "masqctl save" writes it: what
#                         "nothing changed" compares
#   refused_unchanged CASE LANGUAGE CMD...
#                         CMD must fail (non-zero, a message) and leave the
#                         ruleset as it was; with LANGUAGE, the message
#                         must name it and "masqctl reset rules" (a
#                         command of another language); reports CASE
#                         only when it fails (returns 1), so one case can
#                         gather several commands

old_init() {
	if [ "${E2E_ROUTER:-masqd}" = kernel ]; then
		skip_all "E2E_ROUTER=kernel: the kernel has no ipchains or ipfwadm (since 2.6); these are masq's 2.0 and 2.2 languages"
	fi
	BIN=$WORK/bin
	mkdir -p "$BIN"
	local n
	for n in ipfwadm ipchains iptables ipchains-save ipchains-restore \
		iptables-save iptables-restore ipmasqadm; do
		ln -sf "$MASQCTL" "$BIN/$n"
	done
	export MASQ_SOCKET=$SOCK
}

ctl() {
	local out
	log "+ masqctl $*"
	out=$(timeout -k 2 10 "$MASQCTL" -s "$SOCK" "$@" 2>&1)
	CTL_RC=$?
	[ -n "$out" ] && log "$out"
	[ $CTL_RC -eq 0 ] || log "  (status $CTL_RC)"
	[ -n "$out" ] && printf '%s\n' "$out"
	return $CTL_RC
}

# _link NAME ARGS...: the link named NAME, as a user types it
_link() {
	local out n=$1
	shift
	log "+ $n $*"
	out=$(MASQ_SOCKET=$SOCK timeout -k 2 10 "$BIN/$n" "$@" 2>&1)
	CTL_RC=$?
	[ -n "$out" ] && log "$out"
	[ $CTL_RC -eq 0 ] || log "  (status $CTL_RC)"
	[ -n "$out" ] && printf '%s\n' "$out"
	return $CTL_RC
}
ipfwadm() { _link ipfwadm "$@"; }
ipchains() { _link ipchains "$@"; }

ruleset() { timeout -k 2 10 "$MASQCTL" -s "$SOCK" save 2>&1; }

# REFUSED_WHY: why the last refused_unchanged failed
refused_unchanged() {	# case language cmd...
	local c=$1 lang=$2 before after out rc
	shift 2
	before=$(ruleset)
	out=$("$@" 2>&1)
	rc=$?
	after=$(ruleset)
	REFUSED_WHY=
	if [ $rc = 0 ]; then
		REFUSED_WHY="'$*' succeeded (status 0): '$out'"
	elif [ -z "$out" ]; then
		REFUSED_WHY="'$*' failed (status $rc) without a message"
	elif [ -n "$lang" ] && ! { echo "$out" | grep -qw "$lang" &&
		echo "$out" | grep -q 'masqctl reset rules'; }; then
		REFUSED_WHY="'$*' (status $rc) said '$out': it must name $lang and 'masqctl reset rules'"
	elif [ "$before" != "$after" ]; then
		REFUSED_WHY="'$*' (status $rc) changed the ruleset: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -3 | tr '\n' ' ')"
	elif [ -z "$before" ]; then
		REFUSED_WHY="masqctl save printed nothing"
	fi
	[ -z "$REFUSED_WHY" ] && return 0
	fail "$c" "$REFUSED_WHY"
	return 1
}
