#!/usr/bin/env bash
# tests/deps.sh - install from Debian what the build, tests and lab need
#
# Runs apt-get only for what is missing, so a machine that has it all is
# left alone. Without root it says what to install and goes on: the build
# needs only gcc and make; tests that need a missing tool say SKIP.
set -u
need=()
have() { command -v "$1" >/dev/null 2>&1; }
want() {	# command package
	have "$1" || need+=("$2")
}
want gcc gcc
want make make
want clang clang
want ip iproute2
want ping iputils-ping
want tracepath iputils-tracepath
want traceroute traceroute
want curl curl
want python3 python3
want tcpdump tcpdump
want ethtool ethtool
want nft nftables
want iperf3 iperf3
want turnutils_natdiscovery coturn	# and turnserver (run in the lab, never as a service)
want ss iproute2
[ -e /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a ] ||
	ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
	need+=(libclang-rt-14-dev)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing ${need[*]}; run as root to install them (apt-get install ${need[*]})" >&2
	exit 0
fi
echo "deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null 2>&1 || {
	apt-get update -q >/dev/null 2>&1
	apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
} || echo "deps: apt-get failed for ${need[*]}" >&2
# coturn's postinst enables and starts its system service (on systemd):
# the tests only run turnserver themselves, inside a lab namespace
case " ${need[*]} " in
*" coturn "*)
	if [ -d /run/systemd/system ] && have systemctl; then
		systemctl disable --now coturn.service >/dev/null 2>&1 &&
			echo "deps: coturn installed; its system service disabled and stopped" >&2
	fi ;;
esac
exit 0
