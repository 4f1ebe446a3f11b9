#!/usr/bin/env bash
# tests/ipt/mkgolden.sh - regenerate libipt's golden files from the reference
#
# The reference is iptables-legacy 1.8.9 (Debian 12). For each input in
# tests/ipt/golden this script makes a scratch network namespace of its
# own (masq-g<pid>-<n>), runs the input there with iptables-legacy, writes
# what the reference prints, and deletes the namespace (a trap deletes it
# on any exit). iptables never runs in the root namespace.
#
#   NN-name.cmds   one command per line, the words after "iptables"
#                  ("-t nat -A POSTROUTING -o eth0 -j MASQUERADE"); split
#                  like iptables-restore lines: spaces, "double quotes"
#                  with \" and \\ inside (no $ or `: the shell reads them
#                  here). Blank lines and "#" lines are skipped; every
#                  command must succeed.
#   NN-name.rst    instead of .cmds: iptables-restore text, applied with
#                  iptables-legacy-restore -c (counters)
#   "#show ARGS"   a line in either: one more listing, "iptables ARGS",
#                  added to .S (when ARGS has -S) or to .L
#
# and writes
#   NN-name.save   iptables-legacy-save -t nat, -t mangle, -t filter (in
#                  that order, the one iptables-save uses), "#" lines out;
#                  an input that names the raw table ("-t raw", "*raw")
#                  has -t raw first (loaded last, printed first) and its
#                  -S and -L sections after mangle's
#   NN-name.savec  for a .rst: the same with -c (rule counters)
#   NN-name.S      "## iptables ARGS" sections: -S and -S -v of filter,
#                  -S of nat and of mangle, then the -S "#show" lines
#   NN-name.L      "## iptables ARGS" sections, for filter, nat, mangle:
#                  -L -n -v -x --line-numbers, -L -n, -L -v (names: no
#                  127.x or 0.0.0.0/32 in inputs, whose names depend on
#                  /etc/hosts and /etc/networks), then the -L "#show" lines
#
#   bad-name.cmds  commands that must fail, one a line; lines starting
#                  with "+ " set up and must succeed. Nothing is written
#                  for them: the script checks that the reference agrees.
#
# Usage (as root, Debian 12 with the iptables package):
#   tests/ipt/mkgolden.sh            every input
#   tests/ipt/mkgolden.sh 27-ipmasq  the inputs whose names start so
# Exit status 1 when the reference refuses a command or accepts a bad one.
set -u
cd "$(dirname "$0")/golden" || exit 1

REF_PREFIX=masq-g
. ../refns.sh || exit 1
ref_require ip iptables-legacy iptables-legacy-save iptables-legacy-restore

problems=0

trap 'ns_down' EXIT
trap 'exit 1' INT TERM HUP

problem() {
	echo "mkgolden: $*" >&2
	problems=$((problems + 1))
}

# Run one command line in the namespace; its status is the command's
run_line() {
	local line=$1
	eval "set -- $line" 2>/dev/null || return 2
	ipt "$@"
}

apply_cmds() {	# file
	local n=0 line
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		case $line in '' | '#'*) continue ;; esac
		run_line "$line" >/dev/null 2>/tmp/mkgolden.$$ ||
			problem "$1:$n: the reference refused '$line': $(head -1 /tmp/mkgolden.$$)"
	done <"$1"
	rm -f /tmp/mkgolden.$$
}

section() {	# ARGS...
	echo "## iptables $*"
	ipt "$@" 2>&1
}

shows() {	# file, want_S (1: the -S ones, 0: the others)
	local line args want=$2
	grep '^#show ' "$1" | while IFS= read -r line; do
		args=${line#\#show }
		case " $args " in
		*' -S '*) [ "$want" = 1 ] || continue ;;
		*) [ "$want" = 0 ] || continue ;;
		esac
		eval "set -- $args"
		section "$@"
	done
}

golden() {	# input file
	local in=$1 base=${1%.*} tables="nat mangle filter" raw=
	grep -qE -- '-t raw|^\*raw' "$in" && raw=raw tables="raw $tables"
	ns_up
	case $in in
	*.rst)	ip netns exec "$ns" iptables-legacy-restore -c <"$in" ||
			problem "$in: the reference refused it" ;;
	*)	apply_cmds "$in" ;;
	esac
	for t in $tables; do
		ip netns exec "$ns" iptables-legacy-save -t "$t" | grep -v '^#'
	done >"$base.save"
	case $in in
	*.rst)	for t in $tables; do
			ip netns exec "$ns" iptables-legacy-save -c -t "$t" | grep -v '^#'
		done >"$base.savec" ;;
	esac
	{
		section -t filter -S
		section -t filter -S -v
		section -t nat -S
		section -t mangle -S
		[ -z "$raw" ] || section -t raw -S
		shows "$in" 1
	} >"$base.S"
	{
		for t in filter nat mangle $raw; do
			section -t "$t" -L -n -v -x --line-numbers
			section -t "$t" -L -n
			section -t "$t" -L -v
		done
		shows "$in" 0
	} >"$base.L"
	ns_down
	echo "golden $base"
}

check_bad() {	# bad-*.cmds
	local n=0 line
	ns_up
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		case $line in
		'' | '#'*) continue ;;
		'+ '*)	run_line "${line#+ }" >/dev/null 2>&1 ||
				problem "$1:$n: set-up line failed: '$line'" ;;
		*)	if run_line "$line" >/dev/null 2>&1; then
				problem "$1:$n: the reference accepted '$line'"
			fi ;;
		esac
	done <"$1"
	ns_down
	echo "checked $1"
}

for f in *.cmds *.rst; do
	[ -e "$f" ] || continue
	if [ $# -gt 0 ]; then
		match=0
		for p in "$@"; do case $f in "$p"*) match=1 ;; esac; done
		[ $match = 1 ] || continue
	fi
	case $f in
	bad-*) check_bad "$f" ;;
	*) golden "$f" ;;
	esac
done
[ $problems -eq 0 ] || { echo "mkgolden: $problems problem(s)" >&2; exit 1; }
