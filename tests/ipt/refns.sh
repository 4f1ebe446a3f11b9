# tests/ipt/refns.sh - the scratch namespaces the reference runs in
#
# Sourced by mkgolden.sh and mkagree.sh, which ask iptables-legacy 1.8.9
# for what it says. It must never run in the root namespace: each input
# gets a namespace of its own, named $REF_PREFIX<pid>-<n> (the caller sets
# REF_PREFIX, "masq-g" or "masq-a"), deleted by ns_down and on any exit.

# Refuse to start without root or without one of the tools named
ref_require() {	# TOOL...
	local me=${0##*/} tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || { echo "${me%.sh}: $tool is missing" >&2; exit 1; }
	done
	[ "$(id -u)" -eq 0 ] || { echo "${me%.sh}: run as root (it makes network namespaces)" >&2; exit 1; }
}

ns=
nsn=0

ns_down() {
	[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
	ns=
}

ns_up() {
	ns_down
	nsn=$((nsn + 1))
	ns="$REF_PREFIX$$-$nsn"
	ip netns add "$ns" || { echo "cannot add namespace $ns" >&2; exit 1; }
}

# iptables-legacy ARGS in the current scratch namespace
ipt() { ip netns exec "$ns" iptables-legacy "$@" </dev/null; }
