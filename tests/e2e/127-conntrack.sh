#!/usr/bin/env bash
# tests/e2e/127-conntrack.sh - masqctl conntrack as conntrack-tools 1.4.7:
# -L with filters, -D, -G, -C, -F, their lines on stderr and exit
# statuses; with one engine and with --workers 2
#
#   masq-t$$-lan   eth0 192.168.0.2/24 --+  TCP held to :7001 and :7002,
#                                        |  a UDP datagram to :7003, a ping
#   masq-t$$-lan2  eth0 192.168.0.3/24 --+  TCP held to :7001; a 4 MiB download
#                                        |  from :7004 (1 s, paced)
#                                        +-- br0 in masq-t$$-sw
#   masq-t$$-gw    lan0 192.168.0.1 -----+  build/masqd (defaults: MASQUERADE)
#                  wan0 203.0.113.1
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24      servers on :7001, :7002, :7004
#
# What the administrator sees, each compared beforehand with the kernel's
# conntrack 1.4.7 in a scratch namespace:
#   - -L -p tcp --dport 7001: exactly the two connections to :7001, and
#     "... 2 flow entries have been shown." on stderr; --state too;
#   - -G with the whole tuple: that one connection, status 0; a tuple no
#     connection has: "Operation failed: such conntrack doesn't exist",
#     status 1;
#   - -C: as many as -L lists;
#   - -D -s 192.168.0.2: lists and deletes exactly that client's
#     connections ("N flow entries have been deleted."; the next -L -s
#     lists none, nor does masq -L list its mappings; 192.168.0.3's
#     are still listed) while 192.168.0.3's
#     download goes on to its last byte;
#     again: "0 flow entries have been deleted.", status 1;
#   - a bad option or value: conntrack's message, status 2;
#   - -F: "connection tracking table has been emptied.", and the table is.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

CASES_ONE=(list_filtered list_state get_one get_none count delete_client
	   download_whole delete_none flush)
ALL=(ct_bad_option)	# masqctl's alone: once
for c in "${CASES_ONE[@]}"; do ALL+=("ct_$c" "ct_workers_$c"); done
e2e_init "${ALL[@]}"
e2e_need python3 python3

cat >"$WORK/dl.py" <<'EOF'
"""server ADDR PORT: send 4 MiB to one client in 32 paced chunks, close;
client ADDR PORT: print "started", then the bytes received at EOF"""
import socket, sys, time
mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
CHUNK, N = 131072, 32
if mode == "server":
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    s.settimeout(10)
    c, _ = s.accept()
    for i in range(N):
        c.sendall(bytes([i]) * CHUNK)
        time.sleep(0.03)
    c.close()
else:
    c = socket.create_connection((addr, port), timeout=5)
    got, said = 0, False
    while True:
        d = c.recv(65536)
        if not d:
            break
        got += len(d)
        if not said:
            print("started", flush=True)
            said = True
    print(got, flush=True)
EOF

# ct ARGS...: masqctl conntrack ARGS; stdout in $WORK/out, stderr in
# $WORK/err, status in $RC (all in the log)
ct() {
	log "+ masqctl conntrack $*"
	timeout -k 2 5 "$MASQCTL" -s "$SOCK" conntrack "$@" >"$WORK/out" 2>"$WORK/err"
	RC=$?
	cat "$WORK/out" "$WORK/err" >>"$LOG"
	log "  (status $RC)"
}

said() { grep -qxF "conntrack v1.4.7 (conntrack-tools): $1" "$WORK/err"; }
lines() { grep -c . "$WORK/out"; }
check() {	# case condition-text: ok or fail with what was seen
	local c=$1 why=$2
	shift 2
	if "$@"; then ok "$c"; else
		fail "$c" "$why: status $RC, stdout $(head -c 300 "$WORK/out" | tr '\n' '|'), stderr $(tr '\n' '|' <"$WORK/err")"
	fi
}

# round TAG: "" for one engine, "workers_" for two
round() {
	local tag=$1 t=ct_$1 sport n p mine=()
	for p in 7001 7002; do
		bg wan "${1}srv$p" 12 "$PY" -u "$WORK/tool.py" tcp-hold-server 203.0.113.2 $p 10
		mine+=("$BG_PID")
	done
	bg wan "${1}srv7004" 12 "$PY" -u "$WORK/dl.py" server 203.0.113.2 7004
	mine+=("$BG_PID")
	warm lan 203.0.113.2	# (meanwhile the servers start)
	warm lan2 203.0.113.2
	bg lan "${1}a1" 12 "$PY" -u "$WORK/tool.py" tcp-hold-client 203.0.113.2 7001 9
	mine+=("$BG_PID")
	bg lan "${1}a2" 12 "$PY" -u "$WORK/tool.py" tcp-hold-client 203.0.113.2 7002 9
	mine+=("$BG_PID")
	bg lan2 "${1}b1" 12 "$PY" -u "$WORK/tool.py" tcp-hold-client 203.0.113.2 7001 9
	mine+=("$BG_PID")
	on lan bash -c 'echo hello >/dev/udp/203.0.113.2/7003'
	wait_until 3 grep -q connected "$WORK/${1}a2.out"
	wait_until 3 grep -q connected "$WORK/${1}b1.out"

	ct -L -p tcp --dport 7001
	check "${t}list_filtered" "want the two connections to :7001" \
		eval '[ $RC = 0 ] && [ "$(lines)" = 2 ] &&
		[ "$(grep -c "^tcp .* dport=7001 " "$WORK/out")" = 2 ] &&
		said "2 flow entries have been shown."'
	ct -L -p tcp --state ESTABLISHED --dport 7002
	check "${t}list_state" "want 192.168.0.2's ESTABLISHED one to :7002" \
		eval '[ $RC = 0 ] && [ "$(lines)" = 1 ] &&
		grep -q "ESTABLISHED src=192.168.0.2 .*dport=7002 " "$WORK/out" &&
		said "1 flow entries have been shown."'

	sport=$(sed -n 's/^connected from 192.168.0.2:\([0-9]*\)$/\1/p' "$WORK/${1}a2.out")
	ct -G -p tcp -s 192.168.0.2 -d 203.0.113.2 --sport "${sport:-0}" --dport 7002
	check "${t}get_one" "want the one connection from port ${sport:-?}" \
		eval '[ $RC = 0 ] && [ "$(lines)" = 1 ] &&
		grep -q "sport=$sport dport=7002 " "$WORK/out"'
	ct -G -p tcp -s 192.168.0.2 -d 203.0.113.2 --sport "${sport:-0}" --dport 7009
	check "${t}get_none" "want status 1 and conntrack's words" \
		eval '[ $RC = 1 ] && [ ! -s "$WORK/out" ] &&
		said "Operation failed: such conntrack doesn'"'"'t exist"'

	ct -L
	n=$(lines)
	ct -C
	check "${t}count" "want -L's $n" eval '[ $RC = 0 ] && [ "$(cat "$WORK/out")" = "$n" ]'

	bg lan2 "${1}dl" 12 "$PY" -u "$WORK/dl.py" client 203.0.113.2 7004
	local dl=$BG_PID
	wait_until 3 grep -q started "$WORK/${1}dl.out"
	ct -L -s 192.168.0.2
	n=$(lines)
	ct -D -s 192.168.0.2
	local drc=$RC dn dsrc
	dn=$(lines)
	dsrc=$(grep -c "^[a-z]* .* src=192.168.0.2 dst=" "$WORK/out")
	cp "$WORK/err" "$WORK/err.D"
	ct -L -s 192.168.0.3 -p tcp --dport 7001
	local kept maps
	kept=$(lines)
	maps=$(mctl masq -L -n | grep -c " 192\.168\.0\.2 ")
	ct -L -s 192.168.0.2
	check "${t}delete_client" "want the $n connections of 192.168.0.2 deleted with their mappings, 192.168.0.3's kept (-D: status $drc, $dn lines, $dsrc of 192.168.0.2; 192.168.0.3's to :7001: $kept; masq -L entries of 192.168.0.2: $maps)" \
		eval '[ $drc = 0 ] && [ "$n" -ge 4 ] && [ "$dn" = "$n" ] &&
		[ "$dsrc" = "$n" ] && [ "$(lines)" = 0 ] && [ "$kept" = 1 ] &&
		[ "$maps" = 0 ] &&
		grep -qxF "conntrack v1.4.7 (conntrack-tools): $n flow entries have been deleted." "$WORK/err.D"'
	ct -D -s 192.168.0.2 -p udp
	check "${t}delete_none" "want status 1, none deleted" \
		eval '[ $RC = 1 ] && said "0 flow entries have been deleted."'
	wait "$dl"
	check "${t}download_whole" "want 4194304 bytes at 192.168.0.3" \
		eval '[ "$(tail -n 1 "$WORK/${tag}dl.out")" = 4194304 ]'

	[ -z "$tag" ] && bad_option
	ct -F
	local frc=$RC
	cp "$WORK/err" "$WORK/err.F"
	ct -L -p tcp --dport 7001
	check "${t}flush" "want conntrack's words and no :7001 connection left" \
		eval '[ $frc = 0 ] && grep -qxF "conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied." "$WORK/err.F" &&
		[ "$(lines)" = 0 ]'
	for p in "${mine[@]}"; do stop "$p"; done
}

# bad_option: refused by masqctl as conntrack refuses it (status 2)
bad_option() {
	ct -L --dport 7001
	local r1=$RC
	cp "$WORK/err" "$WORK/err.1"
	ct -L -p tcp --state BOGUS
	check ct_bad_option "want status 2 and conntrack's words" \
		eval '[ $r1 = 2 ] && grep -qxF "conntrack v1.4.7 (conntrack-tools): unknown option \`--dport'"'"'" "$WORK/err.1" &&
		[ $RC = 2 ] && said "unknown TCP state \`BOGUS'"'"'" &&
		grep -q "^Try .conntrack -h. or .conntrack --help. for more information.$" "$WORK/err"'
}

lab_up --lan2 || exit 1
if ! masqd_start; then
	ABORT_WHY="masqd did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
round ""
stats_log
masqd_stop >/dev/null
if [ "$(nproc)" -lt 2 ]; then
	skip_all "one CPU: --workers 2 is refused"
fi
if ! masqd_start --workers 2; then
	ABORT_WHY="masqd --workers 2 did not start (build/e2e/$E2E_NAME/masqd.log)"
	exit 1
fi
round "workers_"
stats_log
