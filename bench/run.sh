#!/usr/bin/env bash
# bench/run.sh - every benchmark, one "bench NAME VALUE UNIT" line each
set -eu
cd "$(dirname "$0")/.."
for b in build/bench/*; do
	[ -x "$b" ] || continue
	"$b" "$@"
done
# Throughput through masqd next to the kernel's NAT, in the namespace lab
# (needs root and the lab's tools; about a minute and a half)
missing=
for t in ip iperf3 curl python3 ethtool nft; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP bench throughput: needs root for network namespaces"
elif [ -n "$missing" ]; then
	echo "SKIP bench throughput: missing:$missing; make deps"
else
	bench/throughput.sh
fi
# Forwarding during a 10,000-rule iptables-restore through masqd: the
# longest pause, next to none (needs root and the lab; about 15 s)
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP bench restore_stall: needs root for network namespaces"
else
	bench/restore_stall.sh
fi
# Automatic SOCKSification: conn/s and throughput through masq-socksify
# and a SOCKS server, next to masquerading (needs root; about 50 s)
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP bench socksify: needs root for network namespaces"
else
	bench/socksify.sh
fi
