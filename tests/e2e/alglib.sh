# tests/e2e/alglib.sh - helpers of issue 15's application-helper tests
# (97-ftp, 98-tftp), sourced after lib.sh
# shellcheck shell=bash disable=SC2034
#
# The servers are the real ones (vsftpd, tftpd-hpa), run by hand in a lab
# namespace in the foreground, with config files and logs under $WORK:
# never the machine's services, never /etc.
#
#   alg_init                 after e2e_init: the router mode (E2E_ROUTER=
#                            masqd|kernel), $AT (the Python tool)
#   alg_lab_up OPTS...       lab_up (with --kernel-nat in kernel mode)
#   alg_router_start         masqd_start, then SKIP every case when masqd
#                            has no `helper` command (issue 15 not built);
#                            kernel mode: the FTP and TFTP conntrack helpers
#                            assigned by nftables (ct helper) to ports 21/69
#   onf NODE FILE SECS CMD...
#                            CMD in NODE under timeout SECS, stdout and
#                            stderr to FILE (copied into the log after);
#                            returns its status
#   masqd_only CASE...       SKIP these cases in kernel mode (they ask masqd)
#   helper_set NAME on|off [P,P...]
#                            `masqctl helper NAME on|off [ports P,P...]`;
#                            kernel mode: the nftables rule that assigns
#                            that helper is replaced (for those ports, by
#                            default 21 or 69) or removed
#   vsftpd_bg NODE NAME ADDR PASV_LO PASV_HI [RATE [PORT]]
#                            vsftpd on ADDR:PORT (21) in NODE: anonymous
#                            (at most RATE bytes/s per transfer, 0 for no
#                            limit), its root
#                            $WORK/NAME-root (1mb.bin, small.txt, an
#                            upload folder incoming/), every FTP command and
#                            reply logged to $WORK/NAME.log; sets $VS_PID
#   vs_cmds NAME [FROM]      the commands vsftpd NAME logged from line FROM
#                            of its log on ("PORT 203,0,113,1,...")
#   vs_replies NAME [FROM]   ... and the replies it sent ("227 Entering ...")
#   vs_lines NAME            how many lines its log has now
#   tftpd_bg NODE NAME ADDR:PORT
#                            tftpd-hpa on ADDR:PORT in NODE, its folder
#                            $WORK/NAME-root (new files allowed)
#   tftp_run NODE NAME SERVER PORT CMD
#                            tftp-hpa, one get or put, 4 s at most
#   ctr_sum REGEX            the sum of masqctl stats counters whose name
#                            matches REGEX (grep -E), 0 when none does
#   sha FILE                 its sha256 ("none" when it is missing)
#
# $AT (algtool.py) speaks FTP with Python's ftplib, and TFTP, for what no
# real client or server does on purpose (see its modes below).

E2E_ROUTER=${E2E_ROUTER:-masqd}
KERNEL=0
AT=

alg_init() {
	case "$E2E_ROUTER" in
	masqd) ;;
	kernel) KERNEL=1; e2e_need nft nftables ;;
	*) skip_all "E2E_ROUTER must be masqd or kernel, not '$E2E_ROUTER'" ;;
	esac
	log "# router: $E2E_ROUTER"
	AT=$WORK/algtool.py
	alg_write_tool
}

alg_lab_up() {	# lab.sh up options
	if [ $KERNEL = 1 ]; then lab_up --kernel-nat "$@"; else lab_up "$@"; fi
}

masqd_only() {	# case...
	local c
	[ $KERNEL = 1 ] || return 0
	for c in "$@"; do skip "$c" "E2E_ROUTER=kernel: asks masqd"; done
}

onf() {	# node file secs cmd...
	local ns f=$2 s=$3 rc
	ns=$(nsof "$1") || return 1
	shift 3
	log "+ [> ${f##*/}] ip netns exec $ns $*"
	timeout -k 2 "$s" ip netns exec "$ns" "$@" >"$f" 2>&1
	rc=$?
	cat "$f" >>"$LOG"
	[ -n "$(tail -c 1 "$f")" ] && echo >>"$LOG"	# (a prompt, no newline)
	[ $rc -eq 0 ] || log "  (status $rc)"
	return $rc
}

# nfw ARGS...: nft in the router namespace (kernel mode)
nfw() { x ip netns exec "$NS_GW" nft "$@"; }

# The kernel's helpers are assigned by a rule since Linux 4.7 (no more
# automatic assignment by port): one ct helper object and one rule per
# helper, in a chain of their own so helper_set can empty it.
kernel_helpers_up() {
	nfw add ct helper ip masqlab ftp-21 '{ type "ftp" protocol tcp; }' &&
		nfw add ct helper ip masqlab tftp-69 '{ type "tftp" protocol udp; }' &&
		nfw add chain ip masqlab helpers '{ type filter hook prerouting priority filter; policy accept; }' &&
		kernel_helper_rule ftp && kernel_helper_rule tftp
}

kernel_helper_rule() {	# ftp|tftp [P,P...]
	case "$1" in
	ftp) nfw add rule ip masqlab helpers tcp dport "{ ${2:-21} }" ct helper set '"ftp-21"' ;;
	tftp) nfw add rule ip masqlab helpers udp dport "{ ${2:-69} }" ct helper set '"tftp-69"' ;;
	esac
}

alg_router_start() {
	if [ $KERNEL = 1 ]; then
		kernel_helpers_up || { ABORT_WHY="the nftables ct helpers could not be set up (see $LOG)"; return 1; }
		return 0
	fi
	if ! masqd_start; then
		ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
		return 1
	fi
	mctl helper >/dev/null ||
		skip_all "masqd has no \`helper\` command yet (issue 15's helpers are not built)"
}

helper_set() {	# name on|off [ports]
	if [ $KERNEL = 0 ]; then
		mctl helper "$1" "$2" ${3:+ports "$3"} >/dev/null
		return
	fi
	local h
	for h in $(ip netns exec "$NS_GW" nft -a list chain ip masqlab helpers |
		awk -v n="\"$1-" 'index($0, n) { print $NF }'); do
		nfw delete rule ip masqlab helpers handle "$h" || return 1
	done
	[ "$2" = off ] || kernel_helper_rule "$1" "${3:-}"
}

# --- tftpd-hpa -------------------------------------------------------------
# tftpd_bg NODE NAME ADDR:PORT: in.tftpd in the foreground (-L), serving
# and taking new files (-c) in $WORK/NAME-root (owned by nobody, the user
# it runs as); sets $TD_PID
TD_PID=
tftpd_bg() {	# node name addr:port
	local root=$WORK/$2-root
	mkdir -p "$root"
	chown nobody "$root"
	chmod 0755 "$root"
	bg "$1" "$2" 280 /usr/sbin/in.tftpd -L -v -c -u nobody -a "$3" -s "$root"
	TD_PID=$BG_PID
	wait_listen "$1" udp "$3"
}

# tftp_run NODE NAME SERVER PORT CMD: the tftp-hpa client, one command
# (get or put, paths absolute), binary, each packet retried after 1 s and
# given up after 2 s (a reply in the lab takes milliseconds); its output
# to $WORK/NAME.out
tftp_run() {	# node name server port cmd
	printf 'binary\nrexmt 1\ntimeout 2\n%s\nquit\n' "$5" >"$WORK/$2.in"
	# shellcheck disable=SC2016 # the inner shell expands them
	onf "$1" "$WORK/$2.out" 20 sh -c 'exec tftp "$1" "$2" <"$3"' sh "$3" "$4" "$WORK/$2.in"
}

# --- vsftpd ---------------------------------------------------------------
VS_PID=
vsftpd_bg() {	# node name addr pasv_lo pasv_hi
	local node=$1 name=$2 addr=$3 root=$WORK/$2-root
	getent passwd ftp >/dev/null || { log "no user ftp (vsftpd's package makes it)"; return 1; }
	mkdir -p "$root/incoming" "$WORK/$2-empty"
	chmod 0755 "$root" "$WORK/$2-empty"
	# the anonymous user is vsftpd's own "ftp" (made by the package; its
	# home must exist, vsftpd goes there before anon_root): the root it
	# is chrooted to is not writable by it (vsftpd refuses that), its
	# upload folder is
	chown ftp "$root/incoming"
	head -c 1048576 /dev/urandom >"$root/1mb.bin"
	echo "masq e2e $name" >"$root/small.txt"
	chmod 0644 "$root/1mb.bin" "$root/small.txt"
	: >"$WORK/$name.log"
	cat >"$WORK/$name.conf" <<EOF
# vsftpd for tests/e2e/$E2E_NAME: foreground, anonymous, logs every command
listen=YES
listen_ipv6=NO
listen_address=$addr
listen_port=${7:-21}
background=NO
anonymous_enable=YES
no_anon_password=YES
local_enable=NO
anon_root=$root
ftp_username=ftp
nopriv_user=nobody
write_enable=YES
anon_upload_enable=YES
anon_umask=022
secure_chroot_dir=$WORK/$2-empty
pasv_enable=YES
pasv_min_port=$4
pasv_max_port=$5
port_enable=YES
connect_from_port_20=YES
xferlog_enable=YES
xferlog_std_format=NO
log_ftp_protocol=YES
vsftpd_log_file=$WORK/$name.log
use_localtime=NO
session_support=NO
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
idle_session_timeout=120
data_connection_timeout=60
anon_max_rate=${6:-0}
EOF
	bg "$node" "$name" 280 /usr/sbin/vsftpd "$WORK/$name.conf"
	VS_PID=$BG_PID
	wait_listen "$node" tcp "$addr:${7:-21}"
}

# vs_cmds NAME [FROM]: the FTP commands vsftpd NAME logged, from line FROM
vs_cmds() {
	tail -n +"${2:-1}" "$WORK/$1.log" 2>/dev/null |
		sed -nE 's/.*FTP command: Client "[^"]*", "([^"]*)"$/\1/p'
}
# vs_replies NAME [FROM]: the replies it logged ("227 Entering ...")
vs_replies() {
	tail -n +"${2:-1}" "$WORK/$1.log" 2>/dev/null |
		sed -nE 's/.*FTP response: Client "[^"]*", "([^"]*)"$/\1/p'
}
vs_lines() { wc -l <"$WORK/$1.log" 2>/dev/null || echo 0; }

ctr_sum() {	# regex
	timeout 5 "$MASQCTL" -s "$SOCK" stats 2>/dev/null |
		grep -oE '\b[a-z][a-z0-9_]*[[:space:]:=]+[0-9]+' |
		sed -E 's/[[:space:]:=]+/ /' |
		awk -v re="$1" '$1 ~ re { s += $2 } END { print s + 0 }'
}

sha() { if [ -f "$1" ]; then sha256sum <"$1" | cut -d' ' -f1; else echo none; fi; }

# algtool.py: every mode ends by itself (socket timeouts), and the caller
# wraps it in timeout(1) as well.
#   rewrites SRC HOST FILE N HOLD
#       one control connection from SRC ("control PORT": its source
#       port): N active-mode (PORT) downloads of FILE, printing "sent PORT ..." and "sha N HEX" for each, then
#       "ready" and HOLD seconds idle, then one more download ("sha N HEX")
#       and "done"
#   tftp-fake ADDR PORT THIRD SECS
#       a TFTP server that answers the first read request it gets three
#       times, 0.3 s apart: a DATA block from THIRD (a third host, any
#       port), one from ADDR at a new port A, one from ADDR at another new
#       port B; prints "request from A:P" and "sent from A:P" for each
#   tftp-ask SRC SPORT DST PORT NAME SECS
#       a read request for NAME from SRC:SPORT (0: any port) to DST:PORT;
#       prints "got from A:P op N block N DATA" for each datagram in SECS
#       seconds (no acknowledgement: one block is enough)
#   bad SRC HOST CMD [CUT]
#       log in, send CMD (a PORT or EPRT line as written; with CUT, in two
#       segments: its first CUT characters, then 0.3 s later the rest),
#       print the reply ("reply: ..." or "reply: none"); if the server
#       took it, ask for a listing (NLST) so that it connects where CMD
#       said, and print what it answered
alg_write_tool() {
	cat >"$AT" <<'EOF'
"""issue-15 e2e tool: rewrites, bad (see tests/e2e/alglib.sh)"""
import ftplib, hashlib, socket, sys, time

def out(*a):
    print(*a, flush=True)

class Ftp(ftplib.FTP):
    """ftplib that prints each PORT/EPRT it sends"""
    def voidcmd(self, cmd):
        if cmd.startswith(("PORT ", "EPRT ")):
            out("sent", cmd)
        return super().voidcmd(cmd)

def login(src, host):
    f = Ftp(timeout=8)
    f.connect(host, 21, source_address=(src, 0))
    f.login()
    return f

def fetch(f, name, i):
    h = hashlib.sha256()
    f.retrbinary("RETR " + name, h.update)
    out("sha", i, h.hexdigest())

def rewrites(src, host, name, n, hold):
    f = login(src, host)
    out("control", f.sock.getsockname()[1])
    f.set_pasv(False)
    for i in range(int(n)):
        fetch(f, name, i)
    out("ready")
    time.sleep(float(hold))
    fetch(f, name, int(n))
    f.quit()
    out("done")

def bad(src, host, cmd, cut=None):
    f = login(src, host)
    f.sock.settimeout(4)
    try:
        if cut is None:
            r = f.sendcmd(cmd)
        else:
            f.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            f.sock.sendall(cmd[:int(cut)].encode())
            time.sleep(0.3)
            f.sock.sendall(cmd[int(cut):].encode() + b"\r\n")
            out("split after", cmd[:int(cut)])
            r = f.getresp()
    except (ftplib.Error, OSError) as e:
        out("reply:", str(e) or "none")
        return 0
    out("reply:", r)
    try:
        f.putcmd("NLST")
        out("nlst:", f.getresp())
        out("nlst:", f.getresp())
    except (ftplib.Error, OSError) as e:
        out("nlst:", str(e) or "none")
    return 0

def tftp_fake(addr, port, third, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    s.settimeout(float(secs))
    try:
        d, peer = s.recvfrom(2048)
    except socket.timeout:
        out("no request")
        return 1
    out("request from %s:%d %r" % (peer[0], peer[1], d[:40]))
    for src, tag in ((third, b"third"), (addr, b"new-port-a"), (addr, b"new-port-b")):
        t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        t.bind((src, 0))
        t.sendto(b"\x00\x03\x00\x01" + tag, peer)
        out("sent from %s:%d" % t.getsockname())
        t.close()
        time.sleep(0.3)
    return 0

def tftp_ask(src, sport, dst, port, name, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, int(sport)))
    s.sendto(b"\x00\x01" + name.encode() + b"\x00octet\x00", (dst, int(port)))
    out("asked from %s:%d" % s.getsockname())
    end = time.time() + float(secs)
    while time.time() < end:
        s.settimeout(max(0.05, end - time.time()))
        try:
            d, a = s.recvfrom(2048)
        except socket.timeout:
            break
        op = d[1] if len(d) > 1 else -1
        blk = int.from_bytes(d[2:4], "big") if len(d) > 3 else -1
        out("got from %s:%d op %d block %d %s" % (a[0], a[1], op, blk, d[4:20].decode(errors="replace")))
    return 0

modes = {"rewrites": rewrites, "bad": bad, "tftp-fake": tftp_fake, "tftp-ask": tftp_ask}
sys.exit(modes[sys.argv[1]](*sys.argv[2:]) or 0)
EOF
}
