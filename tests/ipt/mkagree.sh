#!/usr/bin/env bash
# tests/ipt/mkagree.sh - record iptables-legacy's verdict on each agreement case
#
# The agreement suite (issue 20) measures how often masq's iptables says
# what iptables-legacy 1.8.9 (Debian 12) says. This script asks the
# reference; tests/unit/test_ipt_agree.c asks masq and compares.
#
#   agree/NAME.cases   one iptables command per line, the words after
#                      "iptables" (optionally with -t TABLE), grouped by
#                      the match or target they exercise. Split like
#                      iptables-restore lines: spaces, "double quotes" with
#                      \" and \\ inside (no $ or `: the shell reads them
#                      here). Blank lines and "#" lines are skipped.
#                      Every case starts from fresh tables: raw, mangle,
#                      nat, filter and security emptied, user chains gone,
#                      policies ACCEPT. Lines starting with "+ " set up
#                      the next case: they run, in order, on the fresh
#                      tables before it (and must succeed).
#
# and writes, for each case in order,
#   agree/NAME.ref     "## CASE" (the case line as written), then
#                      "ok" and the case's table as `iptables -t TABLE -S`
#                      lists it afterwards, less the "-P CHAIN ACCEPT"
#                      lines every fresh table has (so a rule, a -N or a
#                      -P DROP shows; the table is the case's -t, else
#                      filter), then for -A and -I the rules of the chain
#                      added to as `iptables -L CHAIN -n` lists them
#                      (its two heading lines left out), each after "L ";
#                      or "err N" (N: the exit status) and
#                      "# " + the first line of what iptables printed on
#                      stderr, for the reader (the test ignores "#" lines).
#
# One scratch network namespace per file (masq-a<pid>-<n>), deleted on any
# exit by a trap: iptables never runs in the root namespace.
#
# Regenerate (as root, Debian 12 with the iptables package):
#   tests/ipt/mkagree.sh              every file
#   tests/ipt/mkagree.sh conntrack    the files whose names start so
# and commit the .ref files with the .cases that changed. Exit status 1
# when a set-up line fails (the case's verdict is then meaningless).
set -u
cd "$(dirname "$0")/agree" || exit 1

REF_PREFIX=masq-a
. ../refns.sh || exit 1
ref_require ip iptables-legacy iptables-legacy-restore
iptables-legacy -V | grep -q 'v1\.8\.9 (legacy)' ||
	echo "mkagree: warning: the reference is iptables-legacy 1.8.9; this is $(iptables-legacy -V)" >&2

problems=0
errf=$(mktemp) || exit 1

trap 'ns_down; rm -f "$errf"' EXIT
trap 'exit 1' INT TERM HUP

# Every table as a fresh one: flushed, no user chains, policies ACCEPT
fresh_tables() {
	local tc
	for tc in "raw PREROUTING OUTPUT" \
		"mangle PREROUTING INPUT FORWARD OUTPUT POSTROUTING" \
		"nat PREROUTING INPUT OUTPUT POSTROUTING" \
		"filter INPUT FORWARD OUTPUT" "security INPUT FORWARD OUTPUT"; do
		set -- $tc
		echo "*$1"
		shift
		printf ':%s ACCEPT [0:0]\n' "$@"
		echo COMMIT
	done | ip netns exec "$ns" iptables-legacy-restore
}

# The chain an -A/-I command adds to ("" for other commands)
chain_added() {
	local prev=
	for w in "$@"; do
		case $prev in -A | -I | --append | --insert) echo "$w"; return ;; esac
		prev=$w
	done
}

# The table a command names with -t/--table (the last one), else filter
table_of() {
	local t=filter prev=
	for w in "$@"; do
		case $prev in -t | --table) t=$w ;; esac
		case $w in --table=*) t=${w#--table=} ;; -t?*) t=${w#-t} ;; esac
		prev=$w
	done
	echo "$t"
}

# One case: its verdict block on stdout
one_case() {	# line
	local line=$1 st t c
	echo "## $line"
	if ! eval "set -- $line" 2>/dev/null; then
		echo "mkagree: cannot split '$line'" >&2
		problems=$((problems + 1))
		return
	fi
	ipt "$@" >/dev/null 2>"$errf"
	st=$?
	if [ $st -ne 0 ]; then
		echo "err $st"
		head -1 "$errf" | sed 's/^/# /'
		return
	fi
	echo ok
	t=$(table_of "$@")
	c=$(chain_added "$@")
	ipt -t "$t" -S | grep -Ev '^-P [A-Z]+ ACCEPT$'
	[ -z "$c" ] || ipt -t "$t" -L "$c" -n | tail -n +3 | sed 's/^/L /'
	return 0
}

one_file() {	# NAME.cases
	local in=$1 out=${1%.cases}.ref n=0 line
	ns_up
	{
		echo "# made by tests/ipt/mkagree.sh from $(iptables-legacy -V); the cases are $in"
		fresh_tables
		while IFS= read -r line || [ -n "$line" ]; do
			n=$((n + 1))
			case $line in
			'' | '#'*) continue ;;
			'+ '*)	eval "set -- ${line#+ }"
				ipt "$@" >/dev/null 2>&1 || {
					echo "mkagree: $in:$n: set-up line failed: '$line'" >&2
					problems=$((problems + 1))
				} ;;
			*)	one_case "$line"
				fresh_tables ;;
			esac
		done <"$in"
	} >"$out.tmp" && mv "$out.tmp" "$out"
	ns_down
	echo "agree $out: $(grep -c '^## ' "$out") cases, $(grep -c '^ok$' "$out") accepted"
}

for f in *.cases; do
	[ -e "$f" ] || continue
	if [ $# -gt 0 ]; then
		match=0
		for p in "$@"; do case $f in "$p"*) match=1 ;; esac; done
		[ $match = 1 ] || continue
	fi
	one_file "$f"
done
[ $problems -eq 0 ] || { echo "mkagree: $problems problem(s)" >&2; exit 1; }
