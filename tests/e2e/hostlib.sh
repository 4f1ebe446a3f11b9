# tests/e2e/hostlib.sh - the router host's own services, for the issue-13
# tests (sourced after lib.sh)
# shellcheck shell=bash disable=SC2034
#
# The router host (namespace masq-t$$-gw) speaks through masqd's twins:
# TAP devices masqd makes in its namespace, one per owned interface, named
# IFACE-h (lan0-h, wan0-h), with the interface's MAC and the router's
# address. The host's sshd, dnsmasq and dhclient run there and bind to
# them, as they would on a real router. What this file gives a test:
#
#   host_init                 after e2e_init: the mode, the tool, the keys
#   router_lab_up OPTS...     lab_up (with --kernel-nat in kernel mode)
#   router_start ARGS...      masqd_start ARGS (nothing in kernel mode)
#   twins_wait                true once the twins carry the router's
#                             addresses (2 s); twins_absent_skip says SKIP
#                             for every case when masqd knows no twins
#   masqd_only CASE...        SKIP these cases in kernel mode
#   sshd_start PORT...        a real sshd on 0.0.0.0:PORT... in the router
#                             namespace (keys made here, never /etc/ssh)
#   ssh_check NODE ADDR PORT  ssh as root with the test's key, run a
#                             command; true when its output proves it ran
#                             in the router's namespace (SSH_OUT: output)
#   dnsmasq_bg NODE NAME SECS ARGS...   dnsmasq in the foreground, no
#                             config file, its pid and lease files here
#   dhclient_bg NODE NAME SECS IFACE    dhclient -d with this test's
#                             script (it applies the lease with ip(8) and
#                             logs each event to $WORK/NAME.events)
#   addr_wait NODE IFACE PATTERN [TENTHS]   the IPv4 address on IFACE that
#                             matches PATTERN (grep -E), once there
#   as_user USER CMD...       CMD as USER (setpriv: uid, gid, no groups)
#   drop_rise BEFORE AFTER    drop counters that grew (drop_counters twice)
#   $HT                       the Python traffic tool (hosttool.py)
#
# E2E_ROUTER=kernel runs a test against the kernel as the router (lab.sh
# up --kernel-nat: addresses on lan0/wan0, nftables masquerade) and the
# host's services on lan0/wan0 themselves: it proves the test's own
# plumbing (sshd, dnsmasq, dhclient, servers, captures, the checks) on a
# router known to work. Cases that ask masqd something say SKIP there.

E2E_ROUTER=${E2E_ROUTER:-masqd}
KERNEL=0
TW_LAN=lan0-h		# the twins' names (masqd's default: IFACE + "-h")
TW_WAN=wan0-h
HT=
KEYS=

host_init() {
	case "$E2E_ROUTER" in
	masqd) ;;
	kernel) KERNEL=1 TW_LAN=lan0 TW_WAN=wan0 ;;
	*) skip_all "E2E_ROUTER must be masqd or kernel, not '$E2E_ROUTER'" ;;
	esac
	log "# router: $E2E_ROUTER (the host's interfaces: $TW_LAN, $TW_WAN)"
	e2e_need setpriv util-linux
	e2e_need unshare util-linux
	HT=$RUNDIR/hosttool.py
	host_write_tool
	chmod 0711 "$RUNDIR"	# unprivileged servers reach their files (87)
}

router_lab_up() {	# lab.sh up options
	if [ $KERNEL = 1 ]; then lab_up --kernel-nat "$@"; else lab_up "$@"; fi
}

router_start() {	# masqd options
	[ $KERNEL = 1 ] && return 0
	masqd_start "$@"
}

masqd_only() {	# case...
	local c
	[ $KERNEL = 1 ] || return 0
	for c in "$@"; do skip "$c" "E2E_ROUTER=kernel: asks masqd"; done
}

# masqd_knows_twins: its usage text names the twin options
masqd_knows_twins() { "$MASQD" --help 2>&1 | grep -qi 'twin'; }

# twins_wait [dhcp]: the twins exist, up, with the router's addresses (the
# external one has none with "dhcp"); 3 s at most
twins_wait() {
	local i want_wan=203.0.113.1/24
	[ "${1:-}" = dhcp ] && want_wan=
	for i in $(seq 30); do
		if twin_has "$TW_LAN" 192.168.0.1/24 && twin_has "$TW_WAN" "$want_wan"; then
			log "  twins ready after ${i}00 ms"
			x ip -n "$NS_GW" -br addr
			return 0
		fi
		sleep 0.1
	done
	log "  twins $TW_LAN/$TW_WAN not ready within 3 s:"
	x ip -n "$NS_GW" -br addr
	return 1
}

twin_has() {	# dev [addr/len]: it exists, is up, and has that address
	local out
	out=$(ip -n "$NS_GW" -4 -o addr show dev "$1" 2>/dev/null)
	ip -n "$NS_GW" link show dev "$1" 2>/dev/null | grep -q '[<,]UP[,>]' || return 1
	[ -z "$2" ] || echo "$out" | grep -qF " $2 "
}

# twins_absent_skip: when masqd does not know twins at all (not built
# yet), every case is SKIPped with that reason; else returns
twins_absent_skip() {
	ip -n "$NS_GW" link show dev "$TW_LAN" >/dev/null 2>&1 && return 0
	masqd_knows_twins && return 0
	skip_all "masqd makes no twins ($TW_LAN absent, no twin option in masqd --help): issue 13's twins not built yet"
}

# drop_rise BEFORE AFTER: the drop_* counters that grew between two
# drop_counters outputs, as "name+N ..." (for a failure's reason)
drop_rise() {
	join -a2 -e 0 -o 0,1.2,2.2 <(echo "$1") <(echo "$2") |
		awk '$3 > $2 { printf "%s+%d ", $1, $3 - $2 }'
}

# --- sshd ---------------------------------------------------------------
# sshd_start PORT...: keys in $RUNDIR/ssh (host key, a client key for
# root, authorized_keys, known_hosts), sshd -D -e on 0.0.0.0 at each
# PORT, its log in $WORK/sshd.out, bounded to SSHD_SECS (150). sshd needs
# /run/sshd (its privilege separation directory), which /etc's service
# would make: here a private tmpfs on /run in sshd's own mount namespace,
# so nothing outside the test changes. True once it listens.
SSHD_RUN='mount -t tmpfs -o mode=0755 masq-test-run /run && mkdir -m 0755 /run/sshd && exec /usr/sbin/sshd'
sshd_start() {
	local p conf
	KEYS=$RUNDIR/ssh
	mkdir -p "$KEYS"
	chmod 0700 "$KEYS"
	if [ ! -f "$KEYS/host" ]; then
		x ssh-keygen -q -t ed25519 -N '' -C masq-test-host -f "$KEYS/host" || return 1
		x ssh-keygen -q -t ed25519 -N '' -C masq-test-client -f "$KEYS/client" || return 1
		cp "$KEYS/client.pub" "$KEYS/authorized_keys"
		echo "* $(cut -d' ' -f1,2 "$KEYS/host.pub")" >"$KEYS/known_hosts"
	fi
	conf=$KEYS/sshd_config
	{
		for p in "$@"; do echo "Port $p"; done
		cat <<EOF
ListenAddress 0.0.0.0
AddressFamily inet
HostKey $KEYS/host
PidFile $KEYS/sshd.pid
AuthorizedKeysFile $KEYS/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
MaxStartups 100:30:200
LogLevel VERBOSE
EOF
	} >"$conf"
	x unshare -m sh -c "$SSHD_RUN -t -f \"\$0\"" "$conf" ||
		{ log "  sshd -t refused the config"; return 1; }
	bg gw sshd "${SSHD_SECS:-150}" unshare -m sh -c "$SSHD_RUN -D -e -f \"\$0\"" "$conf"
	SSHD_PID=$BG_PID
	for p in "$@"; do
		wait_listen gw tcp "0.0.0.0:$p" || return 1
	done
}

# ssh_to NODE ADDR PORT CMD...: ssh as root with the client key (5 s to
# connect, 15 s in all); stdout to the caller
ssh_to() {
	local node=$1 addr=$2 port=$3
	shift 3
	T=15 ono "$node" ssh -F /dev/null -i "$KEYS/client" -p "$port" \
		-o BatchMode=yes -o StrictHostKeyChecking=yes \
		-o UserKnownHostsFile="$KEYS/known_hosts" -o GlobalKnownHostsFile=/dev/null \
		-o ConnectTimeout=5 -o LogLevel=ERROR "root@$addr" "$@"
}

# ssh_check NODE ADDR PORT: a command over ssh whose output names the
# network namespace it ran in: it must be the router's. SSH_OUT: output
GW_NETNS=
ssh_check() {
	[ -n "$GW_NETNS" ] || GW_NETNS=$(ip netns exec "$NS_GW" readlink /proc/self/ns/net)
	# shellcheck disable=SC2016 # expanded by the remote shell
	SSH_OUT=$(ssh_to "$1" "$2" "$3" 'echo masq-ssh-ok $(readlink /proc/self/ns/net)' 2>&1)
	[ "$SSH_OUT" = "masq-ssh-ok $GW_NETNS" ]
}

# --- dnsmasq ------------------------------------------------------------
# dnsmasq_bg NODE NAME SECS ARGS...: dnsmasq in the foreground, reading
# no configuration file and no /etc/hosts or resolv.conf, staying root
# (its files are the test's), logging to $WORK/NAME.out; its leases in
# $RUNDIR/NAME.leases. True once it says it started.
dnsmasq_bg() {
	local node=$1 name=$2 secs=$3 i
	shift 3
	rm -f "$RUNDIR/$name.leases"
	bg "$node" "$name" "$secs" dnsmasq --no-daemon --conf-file=/dev/null \
		--no-resolv --no-hosts --no-poll --user=root --group=root \
		--pid-file="$RUNDIR/$name.pid" --dhcp-leasefile="$RUNDIR/$name.leases" \
		--log-facility=- --log-dhcp "$@"
	DNSMASQ_PID=$BG_PID
	for i in $(seq 50); do
		grep -q 'started, version' "$WORK/$name.out" 2>/dev/null && return 0
		gone "$DNSMASQ_PID" && break
		sleep 0.1
	done
	log "  dnsmasq $name did not start: $(tr '\n' ' ' <"$WORK/$name.out")"
	return 1
}

# --- dhclient -----------------------------------------------------------
# dhclient_bg NODE NAME SECS IFACE: ISC dhclient -d on IFACE with this
# test's configuration (fast retries) and script; never /etc's script,
# so resolv.conf is never touched. The script applies what the lease says
# with ip(8): the address (the old one deleted first when it changed),
# the default route from option routers when the node has none; on
# RELEASE, EXPIRE, FAIL, STOP it removes them. Each event is a line
# "TIME REASON IFACE old=A new=B" in $WORK/NAME.events, TIME being when
# the address change was made (date +%s.%N).
dhclient_write() {
	local name=$1
	cat >"$RUNDIR/$name.conf" <<'EOF'
timeout 20;
retry 1;
initial-interval 1;
backoff-cutoff 2;
request subnet-mask, broadcast-address, routers;
EOF
	cat >"$RUNDIR/$name.script" <<EOF
#!/bin/sh
# dhclient script of a masq e2e test: the lease applied with ip(8) only
events=$WORK/$name.events
EOF
	cat >>"$RUNDIR/$name.script" <<'EOF'
plen() {	# dotted mask -> prefix length
	n=0
	for o in $(echo "$1" | tr . ' '); do
		case $o in 255) n=$((n + 8)) ;; 254) n=$((n + 7)) ;; 252) n=$((n + 6)) ;;
		248) n=$((n + 5)) ;; 240) n=$((n + 4)) ;; 224) n=$((n + 3)) ;;
		192) n=$((n + 2)) ;; 128) n=$((n + 1)) ;; esac
	done
	echo $n
}
drop_old() {
	[ -n "$old_ip_address" ] || return 0
	for r in $old_routers; do
		ip -4 route del default via "$r" dev "$interface" 2>/dev/null
	done
	ip -4 addr del "$old_ip_address/$(plen "${old_subnet_mask:-255.255.255.0}")" dev "$interface"
}
note() { echo "$(date +%s.%N) $reason $interface old=$old_ip_address new=$new_ip_address routers=$new_routers $*" >>"$events"; }
case "$reason" in
PREINIT)
	ip link set dev "$interface" up ;;
BOUND | RENEW | REBIND | REBOOT)
	if [ -n "$old_ip_address" ] && [ "$old_ip_address" != "$new_ip_address" ]; then
		drop_old
	fi
	ip -4 addr replace "$new_ip_address/$(plen "$new_subnet_mask")" dev "$interface"
	set -- $new_routers
	if [ -n "${1:-}" ] && [ -z "$(ip -4 route show default)" ]; then
		ip -4 route add default via "$1" dev "$interface"
	fi
	note ;;
EXPIRE | FAIL | RELEASE | STOP)
	drop_old
	note ;;
*)
	note ;;
esac
exit 0
EOF
	chmod 0755 "$RUNDIR/$name.script"
}

dhclient_bg() {	# node name secs iface
	local node=$1 name=$2 secs=$3 dev=$4
	[ -f "$RUNDIR/$name.script" ] || dhclient_write "$name"
	bg "$node" "$name" "$secs" dhclient -d -v -4 -cf "$RUNDIR/$name.conf" \
		-sf "$RUNDIR/$name.script" -lf "$RUNDIR/$name.lease" \
		-pf "$RUNDIR/$name.pid" "$dev"
	DHCLIENT_PID=$BG_PID
}

# dhclient_release NODE NAME IFACE: dhclient -r (sends DHCPRELEASE, the
# script removes the address) and the running one stops
dhclient_release() {
	on "$1" dhclient -r -v -4 -cf "$RUNDIR/$2.conf" -sf "$RUNDIR/$2.script" \
		-lf "$RUNDIR/$2.lease" -pf "$RUNDIR/$2.pid" "$3"
}

# addr_wait NODE IFACE PATTERN [TENTHS]: print the IPv4 address/len on
# IFACE that matches PATTERN once there (default 15 s); false if never
addr_wait() {
	local ns a i n=${4:-150}
	ns=$(nsof "$1") || return 1
	for i in $(seq "$n"); do
		a=$(ip -n "$ns" -4 -o addr show dev "$2" 2>/dev/null | awk '{print $4}' | grep -E "$3" | head -n1)
		[ -n "$a" ] && { log "  $1 $2: $a after $i tenths"; echo "$a"; return 0; }
		sleep 0.1
	done
	log "  $1 $2: no address matching $3 after $((n / 10)) s"
	return 1
}

# as_user USER CMD...: CMD with USER's uid and primary gid, no groups
as_user() {
	local u=$1
	shift
	setpriv --reuid="$(id -u "$u")" --regid="$(id -g "$u")" --clear-groups "$@"
}

# --- the traffic tool ---------------------------------------------------
host_write_tool() {
	cat >"$HT" <<'EOF'
"""issue-13 e2e traffic tool; every mode ends by itself (time bounds)

dns-a SERVER NAME                  A records of NAME from SERVER:53
udp-scan DST PORT LO HI SECS [FIRST,...]
                                   one datagram from each source port
                                   (FIRST ports first), paced over SECS
tcp-scan DST PORT LO HI SECS [FIRST,...]
                                   one SYN (non-blocking connect) from each
udp-sink ADDR PORT SECS            count datagrams by source (until 3 s
                                   without one); the summary names the
                                   ports 22 and 2222 if seen
udp-stream DST PORT SECS GAP       one socket, a datagram every GAP s
tcp-talk DST PORT SECS GAP         one connection, a line every GAP s
                                   (both: SIGTERM ends them early, with
                                   their last line as at the end)
origdst-server ADDR PORT SECS HOW ARG...
                                   HTTP: answers each connection with
                                   "origdst ADDR:PORT" found HOW: 'kernel'
                                   (SO_ORIGINAL_DST) or 'cmd' (runs ARG...
                                   CLIENT:PORT LOCAL:PORT); logs each
"""
import errno, os, select, signal, socket, struct, subprocess, sys, time

def out(*a):
    print(*a, flush=True)

STOP = []	# udp-stream, tcp-talk: SIGTERM ends the loop, not the process

def dns_a(server, name):
    q = struct.pack(">HHHHHH", 0x6d71, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    q += struct.pack(">HH", 1, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    for _ in range(3):
        s.sendto(q, (server, 53))
        try:
            d, _a = s.recvfrom(4096)
        except socket.timeout:
            continue
        return dns_print(d)
    out("no answer")
    return 1

def dns_skip_name(d, i):
    while i < len(d):
        n = d[i]
        if n == 0:
            return i + 1
        if n & 0xC0 == 0xC0:
            return i + 2
        i += n + 1
    raise ValueError("truncated name")

def dns_print(d):
    ident, flags, qd, an = struct.unpack(">HHHH", d[:8])
    out("rcode %d answers %d" % (flags & 15, an))
    i = 12
    for _ in range(qd):
        i = dns_skip_name(d, i) + 4
    got = 0
    for _ in range(an):
        i = dns_skip_name(d, i)
        typ, cls, ttl, ln = struct.unpack(">HHIH", d[i:i + 10])
        i += 10
        if typ == 1 and ln == 4:
            out("A %s" % socket.inet_ntoa(d[i:i + 4]))
            got += 1
        i += ln
    return 0 if got else 1

def ports(lo, hi, first):
    f = [int(p) for p in first.split(",") if p] if first else []
    return f + [p for p in range(int(lo), int(hi) + 1) if p not in f]

def paced(seq, secs):
    """yield the items of seq spread over secs seconds"""
    start = time.time()
    n = len(seq)
    for k, item in enumerate(seq):
        if k % 256 == 0:
            due = start + secs * k / n
            if due > time.time():
                time.sleep(due - time.time())
        yield item

def udp_scan(dst, port, lo, hi, secs, first=""):
    sent = skipped = 0
    for p in paced(ports(lo, hi, first), float(secs)):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("0.0.0.0", p))
            s.sendto(b"scan %d" % p, (dst, int(port)))
            sent += 1
        except OSError:
            skipped += 1
        s.close()
    out("udp-scan sent %d skipped %d" % (sent, skipped))

def tcp_scan(dst, port, lo, hi, secs, first=""):
    sent = skipped = 0
    live = []
    for p in paced(ports(lo, hi, first), float(secs)):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.setblocking(False)
        try:
            s.bind(("0.0.0.0", p))
            s.connect_ex((dst, int(port)))
            sent += 1
            live.append(s)
        except OSError:
            skipped += 1
            s.close()
        while len(live) > 256:
            live.pop(0).close()
    time.sleep(0.2)
    for s in live:
        s.close()
    out("tcp-scan sent %d skipped %d" % (sent, skipped))

def udp_sink(addr, port, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((addr, int(port)))
    end = time.time() + float(secs)
    seen = {}
    n = 0
    out("listening")
    while time.time() < end:	# ends 3 s after the last datagram
        s.settimeout(max(0.05, min(3 if n else 60, end - time.time())))
        try:
            d, a = s.recvfrom(2048)
        except socket.timeout:
            break
        n += 1
        seen[a] = seen.get(a, 0) + 1
    hosts = sorted({a[0] for a in seen})
    bad = sorted(a[1] for a in seen if a[1] in (22, 2222))
    out("udp-sink got %d from %d source ports; hosts %s; ports 22/2222: %s"
        % (n, len(seen), ",".join(hosts), ",".join(map(str, bad)) or "none"))

def udp_stream(dst, port, secs, gap):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((dst, int(port)))
    s.setblocking(False)
    end = time.time() + float(secs)
    seq = got = 0
    signal.signal(signal.SIGTERM, lambda *a: STOP.append(1))
    while time.time() < end and not STOP:
        try:
            s.send(b"stream %d" % seq)
        except OSError as e:
            out("send %d: %s" % (seq, e))
        seq += 1
        t = time.time() + float(gap)
        while time.time() < t:
            r, _, _ = select.select([s], [], [], max(0, t - time.time()))
            if r:
                try:
                    s.recv(2048)
                    got += 1
                except OSError:
                    pass
    out("udp-stream from %s:%d sent %d got %d" % (s.getsockname() + (seq, got)))

def tcp_talk(dst, port, secs, gap):
    c = socket.create_connection((dst, int(port)), timeout=3)
    out("connected from %s:%d" % c.getsockname())
    end = time.time() + float(secs)
    n = 0
    c.settimeout(1)
    signal.signal(signal.SIGTERM, lambda *a: STOP.append(1))
    while time.time() < end and not STOP:
        try:
            c.send(b"line %d\n" % n)
        except OSError as e:
            out("send %d: %s" % (n, e))
            break
        n += 1
        time.sleep(float(gap))
    out("tcp-talk sent %d" % n)

def orig_kernel(c):
    v = c.getsockopt(socket.SOL_IP, 80, 16)	# SO_ORIGINAL_DST
    return 0, "%s:%d" % (socket.inet_ntoa(v[4:8]), struct.unpack(">H", v[2:4])[0])

def orig_cmd(c, cmd):
    peer = "%s:%d" % c.getpeername()
    local = "%s:%d" % c.getsockname()
    try:
        r = subprocess.run(cmd + [peer, local], capture_output=True, timeout=5)
    except subprocess.TimeoutExpired:
        return 124, "timed out"
    return r.returncode, (r.stdout + r.stderr).decode(errors="replace").strip()

def origdst_server(addr, port, secs, how, *cmd):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(8)
    out("listening uid %d gid %d" % (os.getuid(), os.getgid()))
    end = time.time() + float(secs)
    while time.time() < end:
        s.settimeout(max(0.1, end - time.time()))
        try:
            c, a = s.accept()
        except socket.timeout:
            break
        c.settimeout(3)
        req = b""
        try:
            while b"\r\n\r\n" not in req and len(req) < 8192:
                d = c.recv(1024)
                if not d:
                    break
                req += d
        except OSError:
            pass
        rc, text = orig_kernel(c) if how == "kernel" else orig_cmd(c, list(cmd))
        body = ("origdst %s\n" % text) if rc == 0 else ("origdst-error %d %s\n" % (rc, text))
        out("conn %s:%d -> %s:%d uid %d: %s" % (a + c.getsockname() + (os.getuid(), body.strip())))
        try:
            c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                      b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                      % (len(body), body.encode()))
        except OSError:
            pass
        c.close()

modes = {"dns-a": dns_a, "udp-scan": udp_scan, "tcp-scan": tcp_scan,
         "udp-sink": udp_sink, "udp-stream": udp_stream, "tcp-talk": tcp_talk,
         "origdst-server": origdst_server}
sys.exit(modes[sys.argv[1]](*sys.argv[2:]) or 0)
EOF
	chmod 0644 "$HT"
}
