#!/usr/bin/env bash
# tests/e2e/101-package.sh - the Debian package: readiness, the .deb,
# its units, installing and purging it, and the installed masqd started
# the way masq.service starts it
#
#   masq-t$$-lan   eth0 192.168.0.2/24         (ping)
#        |
#   masq-t$$-gw    lan0 / wan0, owned by masqd: first build/masqd with a
#        |         fake $NOTIFY_SOCKET (a path), then the package's masqd
#        |         run from the scratch root, as ExecStart= says, inside
#        |         the unit's capability bounding set, notifying an
#        |         abstract socket (@masq-t$$-notify, in this namespace)
#   masq-t$$-wan   eth0 203.0.113.2/24
#
# The scratch root: an overlay of / (lower, read-only) and
# build/e2e/101-package/ovl/upper, mounted in a mount namespace of its own
# for each command (unshare -m) with fresh /proc, /run and /tmp. dpkg -i
# there sees the host's dpkg database (so Depends: are met with no
# network) and writes only into upper: the host's /usr, /etc and dpkg
# database are untouched (checked). This machine has no systemd as PID 1:
# what systemd would do is done by hand from the installed unit's lines
# (EnvironmentFile read with sh, ExecCondition and ExecStart run as
# written, $MASQD_ARGS put in, RuntimeDirectory made), and
# systemd-analyze verify checks the units. Then, where systemd-nspawn
# is installed, the scratch root is booted for real with systemd as its
# PID 1, in the router namespace, starting masq.service alone.
#
# The .deb: build/deb/masq_*.deb when no file of the tree is newer, else
# make deb (about 1.5 minutes on 2 cores).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init notify_ready notify_stopping deb_built units_verify \
	install_files install_user install_conffiles install_units_enabled \
	unconfigured_not_started installed_ready installed_caps_bounded \
	installed_forwards installed_reload installed_stop \
	nspawn_active nspawn_journal nspawn_reload \
	remove_keeps_conffiles purge_clean make_install host_untouched

NOTIFY_PY=$WORK/notify.py
cat >"$NOTIFY_PY" <<'EOF'
# a fake systemd notify socket: every datagram, as received, to stdout
import socket, sys, time
path, secs = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + path[1:] if path.startswith("@") else path)
s.settimeout(0.2)
end = time.time() + secs
print("listening", flush=True)
while time.time() < end:
    try:
        m = s.recv(4096)
    except socket.timeout:
        continue
    print(m.decode(errors="replace").replace("\n", " ").strip(), flush=True)
EOF

# wait_in FILE TEXT [SECONDS]: until FILE holds TEXT (5 s unless told)
wait_in() {
	local i
	for i in $(seq $((${3:-5} * 10))); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	log "  '$2' not in $1 after ${3:-5} s"
	return 1
}

lab_up || exit 1

# ---- masqd's readiness (build/masqd, a path socket) -------------------
NSOCK=$RUNDIR/notify.sock
bg gw notify 30 "$PY" "$NOTIFY_PY" "$NSOCK" 25
wait_in "$WORK/notify.out" listening
if NOTIFY_SOCKET=$NSOCK masqd_start &&
	wait_in "$WORK/notify.out" "READY=1 MAINPID=$MASQD_PID STATUS=forwarding on 2 interfaces"; then
	ok notify_ready
else
	fail notify_ready "no READY=1 with MAINPID=$MASQD_PID (build/e2e/$E2E_NAME/notify.out)"
fi
if masqd_stop && wait_in "$WORK/notify.out" "STOPPING=1"; then
	ok notify_stopping
else
	fail notify_stopping "no STOPPING=1 after SIGTERM"
fi

# ---- the package ----------------------------------------------------
e2e_need dpkg-buildpackage dpkg-dev
e2e_need dh debhelper
e2e_need unshare util-linux
e2e_need setpriv util-linux
e2e_need systemd-analyze systemd
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
	skip_all "needs overlayfs for the scratch root"

DEB=$(ls "$E2E_ROOT"/build/deb/masq_*_*.deb 2>/dev/null | head -n 1)
if [ -n "$DEB" ] && [ -z "$(cd "$E2E_ROOT" && find . \( -path ./build -o -path ./.git \) -prune -o \
		-type f -newer "$DEB" -print | head -n 1)" ]; then
	log "# $DEB is newer than every file of the tree: used as it is"
	ok deb_built
elif T=400 x make -C "$E2E_ROOT" deb; then
	DEB=$(ls "$E2E_ROOT"/build/deb/masq_*_*.deb | head -n 1)
	ok deb_built
else
	fail deb_built "make deb failed (see $LOG)"
	ABORT_WHY="no package"
	exit 1
fi

HOST_BEFORE="$(getent passwd masq; dpkg-query -W -f '${Status}' masq 2>&1; ls -d /etc/masq/masqd.env 2>&1)"
OVL=$WORK/ovl
U=$OVL/upper
# where a unit lands in upper: under usr/ when /lib is a link (merged /usr)
UNITDIR=lib/systemd/system
[ -L /lib ] && UNITDIR=usr/lib/systemd/system
mkdir -p "$U/var/cache/masq-test" "$OVL/work" "$OVL/root"
cp "$DEB" "$U/var/cache/masq-test/masq.deb"

# the scratch root's mounts, then exec the rest of the words in it
ROOT_SH='o=$1; shift
mount -t overlay overlay -o "lowerdir=/,upperdir=$o/upper,workdir=$o/work" "$o/root" &&
mount -t proc proc "$o/root/proc" && mount --rbind /dev "$o/root/dev" &&
mount --rbind /sys "$o/root/sys" && mount -t tmpfs tmpfs "$o/root/run" &&
mount -t tmpfs tmpfs "$o/root/tmp" && mkdir -p "$o/root/run/masq" || exit 99
exec chroot "$o/root" "$@"'
# inroot CMD...: CMD in the scratch root (logged, bounded by $T)
inroot() { x unshare -m --propagation private sh -c "$ROOT_SH" sh "$OVL" "$@"; }
inrooto() { xo unshare -m --propagation private sh -c "$ROOT_SH" sh "$OVL" "$@"; }

if T=120 inroot dpkg -i /var/cache/masq-test/masq.deb; then
	missing=
	for f in usr/sbin/masqd usr/sbin/masqctl usr/sbin/masq-socksify \
		usr/sbin/masq-iptables usr/lib/masq/bin/iptables \
		usr/lib/masq/bin/ipchains usr/share/man/man8/masqd.8.gz \
		usr/share/man/man5/masq.conf.5.gz usr/share/man/man8/masq-socksify.8.gz \
		etc/masq/masq.conf etc/masq/masqd.env etc/masq/socksify.env \
		etc/masq/rules/M70masq.def $UNITDIR/masq.service \
		$UNITDIR/masq-socksify.service; do
		[ -e "$U/$f" ] || missing="$missing $f"
	done
	# the links resolve to masqctl in the scratch root
	inroot sh -c 'test "$(readlink -f /usr/lib/masq/bin/iptables)" = /usr/sbin/masqctl' ||
		missing="$missing (usr/lib/masq/bin/iptables is not masqctl)"
	if [ -z "$missing" ]; then ok install_files
	else fail install_files "not installed:$missing"; fi
else
	fail install_files "dpkg -i failed in the scratch root (see $LOG)"
	ABORT_WHY="the package did not install"
	exit 1
fi
if inrooto getent passwd masq | grep -q '^masq:x:[0-9]*:[0-9]*:.*:/nonexistent:/usr/sbin/nologin$'; then
	ok install_user
else
	fail install_user "no masq system user (nologin, /nonexistent) after postinst"
fi
CONFF=$(inrooto dpkg-query -W -f '${Conffiles}' masq)
if grep -q '/etc/masq/masq.conf ' <<<"$CONFF" && grep -q '/etc/masq/masqd.env ' <<<"$CONFF" &&
	grep -q '/etc/masq/rules/M70masq.def ' <<<"$CONFF"; then
	ok install_conffiles
else
	fail install_conffiles "masq.conf, masqd.env or the rules' .def files are not conffiles"
fi
if [ -L "$U/etc/systemd/system/multi-user.target.wants/masq.service" ] &&
	! [ -e "$U/etc/systemd/system/multi-user.target.wants/masq-socksify.service" ]; then
	ok install_units_enabled
else
	fail install_units_enabled "want masq.service enabled and masq-socksify.service not"
fi
# verify: status 0 and not a word (an unknown key is only a warning)
log "+ [scratch root] systemd-analyze verify --man=no masq.service masq-socksify.service"
vout=$(timeout 60 unshare -m --propagation private sh -c "$ROOT_SH" sh "$OVL" \
	systemd-analyze verify --man=no /lib/systemd/system/masq.service \
	/lib/systemd/system/masq-socksify.service 2>&1)
rc=$?
log "$vout"
if [ $rc -eq 0 ] && [ -z "$vout" ]; then
	ok units_verify
else
	fail units_verify "systemd-analyze verify: status $rc: $(head -n 1 <<<"$vout")"
fi

# ---- the unit's lines, run as systemd would ------------------------
UNIT=$U/$UNITDIR/masq.service
COND=$(sed -n 's/^ExecCondition=//p' "$UNIT" | sed 's/\$\$/$/g')
START=$(sed -n 's/^ExecStart=//p' "$UNIT")
ENV_SH='set -a; . /etc/masq/masqd.env; set +a; eval "$1"'
out=$(inrooto sh -c "$ENV_SH" sh "$COND" 2>&1); rc=$?
log "$out"
if [ $rc -eq 1 ] && grep -q 'not starting a router' "$LOG"; then
	ok unconfigured_not_started
else
	fail unconfigured_not_started "ExecCondition with no MASQD_ARGS: status $rc, want 1 and a log line"
fi

ARGS="--internal lan0=192.168.0.1/24 --external wan0=203.0.113.1/24"
inroot sh -c "echo 'MASQD_ARGS=\"$ARGS\"' >>/etc/masq/masqd.env"
MASQ_GID=$(inrooto getent group masq | cut -d: -f3)
inroot sh -c "$ENV_SH" sh "$COND" || log "  (ExecCondition refuses a configured machine)"
CMD=${START//\$MASQD_ARGS/$ARGS}
ASOCK=@masq-t$$-notify
bg gw anotify 60 "$PY" "$NOTIFY_PY" "$ASOCK" 55
wait_in "$WORK/anotify.out" listening
# CapabilityBoundingSet= and NoNewPrivileges=, by setpriv
BOUND=-all,+net_admin,+net_raw,+chown,+setuid,+setgid,+setpcap
log "+ [bg installed masqd] ip netns exec $NS_GW ... chroot setpriv ... $CMD"
ip netns exec "$NS_GW" unshare -m --propagation private sh -c "$ROOT_SH" sh "$OVL" \
	setpriv --no-new-privs --bounding-set "$BOUND" \
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin NOTIFY_SOCKET="$ASOCK" $CMD \
	>>"$WORK/masqd.log" 2>&1 &
MASQD_PID=$!
if wait_in "$WORK/anotify.out" "READY=1 MAINPID=$MASQD_PID "; then
	ok installed_ready
else
	fail installed_ready "no READY=1 from the installed masqd (build/e2e/$E2E_NAME/masqd.log)"
fi
# after the start the packet process is the masq user with CAP_NET_ADMIN
# and CAP_CHOWN in every set (masqd(8), PRIVILEGES)
capbnd=$(awk '/^CapBnd:/ {print $2}' "/proc/$MASQD_PID/status" 2>/dev/null)
nnp=$(awk '/^NoNewPrivs:/ {print $2}' "/proc/$MASQD_PID/status" 2>/dev/null)
puid=$(awk '/^Uid:/ {print $2}' "/proc/$MASQD_PID/status" 2>/dev/null)
MASQ_UID=$(inrooto getent passwd masq | cut -d: -f3)
log "  CapBnd $capbnd NoNewPrivs $nnp Uid $puid (masq: $MASQ_UID)"
if [ "$capbnd" = 0000000000001001 ] && [ "$nnp" = 1 ] && [ -n "$MASQ_UID" ] && [ "$puid" = "$MASQ_UID" ]; then
	ok installed_caps_bounded
else
	fail installed_caps_bounded "CapBnd '$capbnd' NoNewPrivs '$nnp' Uid '$puid', want 0000000000001001, 1 and masq's $MASQ_UID"
fi
ISOCK=/proc/$MASQD_PID/root/run/masq/masqd.sock	# its default socket
# masq-socksify.service's ExecStartPre (as root: "+"), run in masqd's
# root and mount namespace: the control socket's group becomes masq's
# (by CAP_CHOWN, inside the bounding set)
PRE=$(sed -n 's/^ExecStartPre=+//p' "$U/$UNITDIR/masq-socksify.service")
# shellcheck disable=SC2086 # the unit's words
x nsenter -t "$MASQD_PID" -m -r -- $PRE
if on lan ping -c 2 -W 2 203.0.113.2 && T=5 x "$MASQCTL" -s "$ISOCK" stats &&
	grep -q 'running on 2 interfaces, control socket /run/masq/masqd.sock' "$WORK/masqd.log" &&
	[ -n "$MASQ_GID" ] && [ "$(stat -c %g:%a "$ISOCK")" = "$MASQ_GID:660" ]; then
	ok installed_forwards
else
	fail installed_forwards "no ping through the installed masqd, no answer on $ISOCK or its group not masq ($MASQ_GID) with mode 660"
fi
# ExecReload= as written (as root: "+"), in masqd's root and mount
# namespace: masqctl reload waits for the reload and says how it went
RELOAD=$(sed -n 's/^ExecReload=+//p' "$U/$UNITDIR/masq.service")
# shellcheck disable=SC2086 # the unit's words
if xo nsenter -t "$MASQD_PID" -m -r -- $RELOAD | grep -q '^reloaded /etc/masq/masq.conf: ' &&
	wait_in "$WORK/masqd.log" "masqctl reload: /etc/masq/masq.conf reloaded" && ! gone "$MASQD_PID"; then
	ok installed_reload
else
	fail installed_reload "the unit's ExecReload ($RELOAD) did not reload /etc/masq/masq.conf"
fi
if masqd_stop && wait_in "$WORK/anotify.out" "STOPPING=1"; then
	ok installed_stop
else
	fail installed_stop "SIGTERM: not a clean stop with STOPPING=1"
fi

# ---- a real systemd: the scratch root booted by systemd-nspawn --------
# in the lab's router namespace (its own network: nothing of the root
# namespace's), booting masq.service alone (systemd.unit=), where it works
# (CAP_NET_ADMIN: nspawn keeps it from a container unless told, and
# masqd needs it, SO_RCVBUFFORCE among others)
nspawn_cases() {
	local np="" cpid="" i st
	if ! command -v systemd-nspawn >/dev/null; then
		for i in nspawn_active nspawn_journal nspawn_reload; do
			skip $i "needs systemd-nspawn (apt-get install systemd-container)"
		done
		return
	fi
	systemd-id128 new >"$U/etc/machine-id" 2>/dev/null ||
		od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$U/etc/machine-id"
	log "+ [bg nspawn] systemd-nspawn -D scratch root -b systemd.unit=masq.service"
	timeout -k 5 90 unshare -m --propagation private sh -c 'o=$1; ns=$2
mount -t overlay overlay -o "lowerdir=/,upperdir=$o/upper,workdir=$o/work" "$o/root" || exit 99
exec systemd-nspawn -q --register=no --keep-unit --link-journal=no \
	--network-namespace-path="/run/netns/$ns" --bind=/dev/net/tun \
	--capability=CAP_NET_ADMIN \
	-D "$o/root" -b systemd.unit=masq.service' sh "$OVL" "$NS_GW" \
		>"$WORK/nspawn.out" 2>&1 &
	BG_PIDS+=($!)
	for i in $(seq 40); do
		np=$(pgrep -x -P "$(pgrep -P $! -x unshare 2>/dev/null || echo $!)" systemd-nspawn 2>/dev/null)
		[ -z "$np" ] && np=$(pgrep -x -P $! systemd-nspawn 2>/dev/null)
		[ -n "$np" ] && cpid=$(pgrep -P "$np" | head -n 1)
		[ -n "$cpid" ] && nsenter -t "$cpid" -a systemctl is-active -q masq 2>/dev/null && break
		sleep 0.5
	done
	log "  nspawn $np, its init $cpid"
	st=$( [ -n "$cpid" ] && nsenter -t "$cpid" -a systemctl show -p ActiveState,SubState,Type,NotifyAccess masq 2>&1)
	log "$st"
	if [ -n "$cpid" ] && grep -q 'ActiveState=active' <<<"$st" && on lan ping -c 1 -W 2 203.0.113.2; then
		ok nspawn_active
	else
		fail nspawn_active "masq.service not active (Type=notify) under systemd in nspawn (build/e2e/$E2E_NAME/nspawn.out)"
	fi
	if [ -n "$cpid" ] && T=10 x nsenter -t "$cpid" -a journalctl -u masq --no-pager &&
		grep -q 'masqd.*running on 2 interfaces' "$LOG"; then
		ok nspawn_journal
	else
		fail nspawn_journal "journalctl -u masq does not show masqd's start line"
	fi
	if [ -n "$cpid" ] && T=10 x nsenter -t "$cpid" -a systemctl reload masq && sleep 1 &&
		T=10 xo nsenter -t "$cpid" -a journalctl -u masq --no-pager | grep -q 'masqctl reload: /etc/masq/masq.conf reloaded'; then
		ok nspawn_reload
	else
		fail nspawn_reload "systemctl reload masq: no reload in the journal"
	fi
	[ -n "$np" ] && kill -TERM "$np" 2>/dev/null	# a poweroff of the container
	for i in $(seq 40); do [ -n "$np" ] && gone "$np" && break; sleep 0.5; done
	log "  nspawn output, last lines:"
	tail -n 15 "$WORK/nspawn.out" >>"$LOG"
}
nspawn_cases

# ---- remove, purge -------------------------------------------------
if T=60 inroot dpkg -r masq && ! [ -e "$U/usr/sbin/masqd" ] &&
	[ -e "$U/etc/masq/masqd.env" ] && grep -q -- "$ARGS" "$U/etc/masq/masqd.env"; then
	ok remove_keeps_conffiles
else
	fail remove_keeps_conffiles "after dpkg -r: masqd still there or the edited masqd.env gone"
fi
if T=60 inroot dpkg -P masq; then
	left=$(cd "$U" && find etc/masq usr/sbin/masq* usr/lib/masq $UNITDIR/masq* \
		etc/systemd/system/multi-user.target.wants/masq.service 2>/dev/null)
	st=$(inrooto dpkg-query -W -f '${Status}' masq 2>/dev/null)
	log "  left: '$left' status: '$st'"
	if [ -z "$left" ] && { [ -z "$st" ] || [ "$st" = "unknown ok not-installed" ]; }; then
		ok purge_clean
	else
		fail purge_clean "after dpkg -P: left '$left', status '$st'"
	fi
else
	fail purge_clean "dpkg -P failed (see $LOG)"
fi
# make install (no package) into a second scratch root: the same files
# and the masq user, made by the Makefile when it is missing
OVL2=$WORK/ovl2
mkdir -p "$OVL2/upper" "$OVL2/work" "$OVL2/root"
if ! unshare -m --propagation private sh -c "$ROOT_SH" sh "$OVL2" test -f "$E2E_ROOT/Makefile"; then
	skip make_install "the tree is not on the root file system (the scratch root cannot see it)"
elif T=120 x unshare -m --propagation private sh -c "$ROOT_SH" sh "$OVL2" \
		make -C "$E2E_ROOT" install &&
	[ -x "$OVL2/upper/usr/sbin/masqd" ] && [ -f "$OVL2/upper/$UNITDIR/masq.service" ] &&
	[ -f "$OVL2/upper/etc/masq/masqd.env" ] &&
	unshare -m --propagation private sh -c "$ROOT_SH" sh "$OVL2" getent passwd masq >/dev/null; then
	ok make_install
else
	fail make_install "make install in a scratch root: no masqd, unit, masqd.env or masq user"
fi
rm -rf "$OVL2"
HOST_AFTER="$(getent passwd masq; dpkg-query -W -f '${Status}' masq 2>&1; ls -d /etc/masq/masqd.env 2>&1)"
if [ "$HOST_BEFORE" = "$HOST_AFTER" ]; then
	ok host_untouched
	rm -rf "$OVL"
else
	fail host_untouched "the host changed: '$HOST_BEFORE' -> '$HOST_AFTER'"
fi
