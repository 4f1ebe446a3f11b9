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
# the router host's own services in the issue-13 tests (run by the tests
# in a lab namespace, never as system services)
want /usr/sbin/sshd openssh-server
want ssh openssh-client
want /usr/sbin/dnsmasq dnsmasq-base
want /sbin/dhclient isc-dhcp-client
want setpriv util-linux
# the application helpers' tests (issue 15): FTP and TFTP servers and
# clients, run by the tests in lab namespaces with their own config files
# (never as system services); conntrack for the kernel-router mode
want /usr/sbin/vsftpd vsftpd
want lftp lftp
want tftp tftp-hpa
want /usr/sbin/in.tftpd tftpd-hpa
want conntrack conntrack
# the SOCKS server of the automatic SOCKSification test (issue 17), run by
# the test in a lab namespace with its own config, never as a service
want /usr/sbin/danted dante-server
# the package (issue 18): make deb and e2e 101 (systemd-analyze verify,
# systemd-nspawn: run by the test in a lab namespace, never as a service)
want dpkg-buildpackage dpkg-dev
want dh debhelper
want lintian lintian
want systemd-analyze systemd
want systemd-nspawn systemd-container	# e2e 101 boots the package in a container
# masqd's seccomp filter (issue 18, least privilege): libseccomp's header
[ -e /usr/include/seccomp.h ] || need+=(libseccomp-dev)
# masqd --io afxdp (issue 19): libxdp and libbpf, found with pkg-config;
# without them masqd builds and --io afxdp says so (e2e 106 skips)
[ -e /usr/include/xdp/xsk.h ] || need+=(libxdp-dev)
[ -e /usr/include/bpf/libbpf.h ] || need+=(libbpf-dev)
want pkg-config pkg-config
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
# openssh-server's, vsftpd's and tftpd-hpa's postinsts would start their
# servers as services: a policy-rc.d that says no (101: action forbidden) while apt runs, unless the
# machine has one of its own, which is left alone
POLICY=/usr/sbin/policy-rc.d
policy_made=0
case " ${need[*]} " in
*" openssh-server "* | *" vsftpd "* | *" tftpd-hpa "*)
	if [ ! -e "$POLICY" ] && [ ! -L "$POLICY" ]; then
		trap '[ $policy_made = 1 ] && rm -f "$POLICY"' EXIT
		printf '#!/bin/sh\n# tests/deps.sh: no service starts while it installs\nexit 101\n' >"$POLICY" &&
			chmod 0755 "$POLICY" && policy_made=1
	fi ;;
esac
apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null 2>&1 || {
	apt-get update -q >/dev/null 2>&1
	apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
} || echo "deps: apt-get failed for ${need[*]}" >&2
[ $policy_made = 1 ] && rm -f "$POLICY" && policy_made=0
# coturn's postinst enables and starts its system service (on systemd):
# the tests only run turnserver themselves, inside a lab namespace
case " ${need[*]} " in
*" coturn "*)
	if [ -d /run/systemd/system ] && have systemctl; then
		systemctl disable --now coturn.service >/dev/null 2>&1 &&
			echo "deps: coturn installed; its system service disabled and stopped" >&2
	fi ;;
esac
# where systemd starts services without asking policy-rc.d: the FTP and
# TFTP servers run only inside the lab's namespaces, never as services
for svc in vsftpd tftpd-hpa; do
	case " ${need[*]} " in
	*" $svc "*)
		if [ -d /run/systemd/system ] && have systemctl; then
			systemctl disable --now "$svc.service" >/dev/null 2>&1 &&
				echo "deps: $svc installed; its system service disabled and stopped" >&2
		fi ;;
	esac
done
exit 0
