# tests/e2e/fwdlib.sh - helpers of issue 14's forwarding tests (92-96),
# sourced after lib.sh
# shellcheck shell=bash disable=SC2034
#
#   adm ARGS...            masqctl ipmasqadm ARGS: stdout and stderr to the
#                          caller (an error's message is the point), the
#                          status returned
#   web NODE NAME ADDR PORT
#                          python3 http.server at ADDR:PORT in NODE whose
#                          /who answers NAME; its log (one line per
#                          request, with the peer) is $WORK/web-NAME.out
#   hits NODE URL N [CURL_OPTS...]
#                          N connections one after another from NODE: the
#                          answers on one line ("S1 S2 ..."; "x" for none)
#   count ANSWERS WORD     how many of ANSWERS are WORD
#   requests NAME          the peer address of each GET /who in server
#                          NAME's log so far, one a line
#   tally NAME [FROM]      requests NAME from line FROM on, as
#                          " COUNT ADDR ..." (uniq -c on one line)
#   refused_or_silent NODE URL [CURL_OPTS...]
#                          one connection that must not get through (2 s
#                          to try, where the lab connects in milliseconds):
#                          sets CURL_RC (28 timed out, 7 refused) and
#                          CURL_SAID
#   silent_start NAME NODE URL [CURL_OPTS...]
#                          refused_or_silent in the background, so that
#                          its 2 s wait overlaps other checks (or other
#                          such waits); silent_result NAME waits for it
#                          and sets CURL_RC and CURL_SAID as
#                          refused_or_silent does
#   fwd_write_tool         $FT: UDP listen/ask/send, TCP accept (below)

adm() {
	local out rc
	log "+ masqctl ipmasqadm $*"
	out=$(timeout -k 2 5 "$MASQCTL" -s "$SOCK" ipmasqadm "$@" 2>&1)
	rc=$?
	log "$out"
	[ $rc -eq 0 ] || log "  (status $rc)"
	printf '%s\n' "$out"
	return $rc
}

web() {	# node name addr port
	mkdir -p "$WORK/www-$2"
	echo "$2" >"$WORK/www-$2/who"
	bg "$1" "web-$2" 200 "$PY" -u -m http.server "$4" --bind "$3" --directory "$WORK/www-$2"
}

hits() {	# node url n [curl options]
	local node=$1 url=$2 n=$3
	shift 3
	# shellcheck disable=SC2016 # the inner shell expands them
	T=60 ono "$node" sh -c 'url=$1 n=$2; shift 2; i=0
		while [ $i -lt "$n" ]; do
			a=$(curl -s --max-time 3 "$@" "$url") || a=x
			printf "%s " "${a:-x}"; i=$((i + 1))
		done; echo' sh "$url" "$n" "$@"
}

count() { echo "$1" | tr ' ' '\n' | grep -cx "$2"; }

requests() {
	grep -oE '^[0-9.]+ - - \[.*"GET /who ' "$WORK/web-$1.out" 2>/dev/null | cut -d' ' -f1
}

tally() {	# name [from line]
	requests "$1" | tail -n +"${2:-1}" | sort | uniq -c | tr -s ' \n' ' '
}

refused_or_silent() {	# node url [curl options]
	local ns node=$1 url=$2
	shift 2
	ns=$(nsof "$node") || return 1
	log "+ [$node] curl -sS --max-time 2 $* $url (must not get through)"
	CURL_SAID=$(timeout 10 ip netns exec "$ns" curl -sS --max-time 2 "$@" "$url" 2>&1)
	CURL_RC=$?
	log "$CURL_SAID (status $CURL_RC)"
}

declare -A SILENT_PID=()
silent_start() {	# name node url [curl options]
	local ns name=$1 node=$2 url=$3
	shift 3
	ns=$(nsof "$node") || return 1
	log "+ [$node, bg silent-$name] curl -sS --max-time 2 $* $url (must not get through)"
	(
		timeout 10 ip netns exec "$ns" curl -sS --max-time 2 "$@" "$url" \
			>"$WORK/silent-$name.out" 2>&1
		echo $? >"$WORK/silent-$name.rc"
	) &
	SILENT_PID[$name]=$!
	BG_PIDS+=($!)
}

silent_result() {	# name
	wait "${SILENT_PID[$1]}" 2>/dev/null
	CURL_SAID=$(cat "$WORK/silent-$1.out" 2>/dev/null)
	CURL_RC=$(cat "$WORK/silent-$1.rc" 2>/dev/null)
	log "[silent-$1] $CURL_SAID (status ${CURL_RC:-none})"
}

# fwd_write_tool: $FT, a small traffic tool (every mode ends by itself):
#   listen ADDR PORT,PORT... SECS   answer "echo:" + each datagram on each
#                                   port; log "PORT from ADDR:PORT TEXT"
#   ask SRC DST PORT TEXT [TRIES]   from SRC (any port), wait 1 s for an
#                                   answer per try; "reply from A:P TEXT"
#                                   or "no reply" (status 1)
#   send DST PORT TEXT              one datagram, no answer awaited
#   accept ADDR PORT SECS           TCP: accept each connection and close
#                                   it at once; log "accepted ADDR:PORT"
FT=
fwd_write_tool() {
	FT=$WORK/fwdtool.py
	cat >"$FT" <<'EOF'
"""issue-14 e2e tool: listen, ask, send, accept (see tests/e2e/fwdlib.sh)"""
import select, socket, sys, time

def out(*a):
    print(*a, flush=True)

def listen(addr, ports, secs):
    socks = {}
    for p in ports.split(","):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, int(p)))
        socks[s] = int(p)
    out("listening %s" % ports)
    end = time.time() + float(secs)
    while time.time() < end:
        r, _, _ = select.select(list(socks), [], [], max(0.05, end - time.time()))
        for s in r:
            d, a = s.recvfrom(2048)
            out("%d from %s:%d %s" % (socks[s], a[0], a[1], d.decode(errors="replace")))
            s.sendto(b"echo:" + d, a)

def ask(src, dst, port, text, tries=1):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.settimeout(1.0)
    for _ in range(int(tries)):
        s.sendto(text.encode(), (dst, int(port)))
        try:
            d, a = s.recvfrom(2048)
        except socket.timeout:
            continue
        out("reply from %s:%d %s" % (a[0], a[1], d.decode(errors="replace")))
        return 0
    out("no reply")
    return 1

def send(dst, port, text):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(text.encode(), (dst, int(port)))
    out("sent from %s:%d" % s.getsockname())

def accept(addr, port, secs):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(8)
    end = time.time() + float(secs)
    while time.time() < end:
        s.settimeout(max(0.05, min(0.5, end - time.time())))
        try:
            c, a = s.accept()
        except socket.timeout:
            continue
        out("accepted %s:%d" % a)
        c.close()

modes = {"listen": listen, "ask": ask, "send": send, "accept": accept}
sys.exit(modes[sys.argv[1]](*sys.argv[2:]) or 0)
EOF
}
