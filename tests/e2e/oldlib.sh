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
#                         returned, all of it logged
#   ipfwadm ARGS... / ipchains ARGS...
#                         the links, as a user types them (ctl's ways)
#   ruleset               the ruleset as "masqctl save" writes it: what
#                         "nothing changed" compares
#   refused_unchanged CASE WANT CMD...
#                         CMD must fail (non-zero status), say something
#                         matching WANT (grep -E on its output joined on
#                         one line: the tool's own prefix, "ipchains: ",
#                         and for a command of another language the one
#                         that holds the ruleset and "masqctl reset
#                         rules"), and leave the ruleset as it was;
#                         reports CASE only when it fails (returns 1), so
#                         one case can gather several commands
#   other_lang HELD CMD   WANT for refused_unchanged: CMD's language, the
#                         HELD one, the way out
#   must CMD...           a command the test builds on: when it fails, why
#                         is added to MUST_WHY (the cases that build on it
#                         fail with that, never pass on a ruleset that is
#                         not the one they meant)
#   okm CASE              ok CASE, unless MUST_WHY says the ruleset is not
#                         the one meant (then FAIL with that)
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
refused_unchanged() {	# case want cmd...
	local c=$1 want=$2 before after out rc
	shift 2
	before=$(ruleset)
	out=$("$@" 2>&1)
	rc=$?
	after=$(ruleset)
	REFUSED_WHY=
	if [ $rc = 0 ]; then
		REFUSED_WHY="'$*' succeeded (status 0): '$out'"
	elif ! echo "$out" | tr '\n' ' ' | grep -qE -- "$want"; then
		REFUSED_WHY="'$*' (status $rc) said '$out' (want a message matching '$want')"
	elif [ "$before" != "$after" ]; then
		REFUSED_WHY="'$*' (status $rc) changed the ruleset: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -3 | tr '\n' ' ')"
	elif [ -z "$before" ]; then
		REFUSED_WHY="masqctl save printed nothing"
	fi
	[ -z "$REFUSED_WHY" ] && return 0
	fail "$c" "$REFUSED_WHY"
	return 1
}

# (a listing is made from the LANG-save dump, and masqd's refusal names
# that: "ipchains-save: the ruleset is written in ipfwadm; ...")
other_lang() {	# held cmd
	echo "^$2(-save)?: .*\\<$1\\>.*masqctl reset rules"
}

MUST_WHY=
must() {
	local out
	out=$("$@" 2>&1) && return 0
	MUST_WHY="$MUST_WHY'$*' failed: $(echo "$out" | head -n 2 | tr '\n' ' '); "
	return 1
}

okm() {
	if [ -z "$MUST_WHY" ]; then
		ok "$1"
	else
		fail "$1" "the ruleset is not the one meant: $MUST_WHY"
	fi
}
