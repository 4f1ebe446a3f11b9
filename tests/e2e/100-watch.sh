#!/usr/bin/env bash
# tests/e2e/100-watch.sh - watching masqd: stats --json, conntrack -L -o
# json, the --metrics endpoint scraped for real
#
#   masq-t$$-lan   eth0 192.168.0.2/24, default via 192.168.0.1
#        |         (ping, a held TCP connection, a UDP request)
#   masq-t$$-gw    lan0 192.168.0.1  <-- build/masqd --metrics 127.0.0.1:9464
#                  wan0 203.0.113.1      (curl scrapes it from the gw's own
#        |                               loopback)
#   masq-t$$-wan   eth0 203.0.113.2/24 (TCP holder :7000, UDP echo :9999)
#
# JSON: both outputs parse (python3 json), the stats object has every
# counter of the text with the same value (those that only grow: at least
# it), and the connections of conntrack -L -o json are those of conntrack
# -L (same tuples), with a live TCP connection's external port. Metrics:
# the text format's rules (promtool check metrics when Debian's
# prometheus is installed; else SKIP that case: the package is 96 MB
# installed, too big for tests/deps.sh to pull in for one check), and the counters move
# with traffic: 20 pings through raise lan0's received frames, the
# engine's forwarded count and a FORWARD rule's packets by 20 or more.
# Events: masqctl conntrack -E into a pipe while a TCP connection is made
# through the router and then flushed: [NEW] (SYN_SENT, [UNREPLIED]),
# [UPDATE] (ESTABLISHED) and [DESTROY] lines for it, each there while -E
# still runs (flushed per event, not at exit); and a listener waiting
# with nothing to hear does not make masqd spin (under 0.2 s of CPU in 2 s).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init masqd_starts stats_json_parses stats_json_matches_text \
	conntrack_json_parses conntrack_json_matches_text metrics_scrape \
	metrics_promtool metrics_move_with_traffic metrics_rule_counters \
	metrics_not_found events_new_update_destroy events_flushed_to_pipe \
	events_listener_idle_cheap \
	sigterm_exit0
e2e_need curl curl
e2e_need ping iputils-ping

METRICS=127.0.0.1:9464
lab_up || exit 1
on gw ip link set lo up
if masqd_start --metrics "$METRICS"; then
	ok masqd_starts
else
	fail masqd_starts "no answer on the control socket (build/e2e/$E2E_NAME/masqd.log)"
	ABORT_WHY="masqd did not start"
	exit 1
fi
warm lan 203.0.113.2 || log "warm-up ping through the router failed"

# --- traffic: a held TCP connection and a UDP request -------------------
bg wan tcphold 20 "$PY" -u "$WORK/tool.py" tcp-hold-server 203.0.113.2 7000 15
SRV_PID=$BG_PID
bg wan udpecho 20 "$PY" -u "$WORK/tool.py" udp-echo 203.0.113.2 9999 15
UDP_PID=$BG_PID
sleep 0.3
bg lan tcpclient 15 "$PY" -u "$WORK/tool.py" tcp-hold-client 203.0.113.2 7000 8
CLI_PID=$BG_PID
ono lan "$PY" -u "$WORK/tool.py" udp-ask 203.0.113.2 9999 hello >/dev/null
wait_until 4 sh -c "'$MASQCTL' -s '$SOCK' conntrack -L 2>/dev/null | grep -q 'dport=7000.*ESTABLISHED\|ESTABLISHED.*dport=7000'" ||
	log "no ESTABLISHED connection to :7000 in conntrack -L"

# --- stats --json ----------------------------------------------------------
mctl stats >"$WORK/stats.txt"
mctl stats --json >"$WORK/stats.json"
if "$PY" -m json.tool "$WORK/stats.json" >/dev/null 2>>"$LOG"; then
	ok stats_json_parses
else
	fail stats_json_parses "python3 -m json.tool refuses it (build/e2e/$E2E_NAME/stats.json)"
fi
out=$("$PY" - "$WORK/stats.txt" "$WORK/stats.json" <<'PYEOF' 2>&1
import json, sys
text = {}
for line in open(sys.argv[1]):
    w = line.split(None, 1)
    if len(w) == 2:
        text[w[0]] = w[1].strip()
js = json.load(open(sys.argv[2]))
bad = []
for k, v in text.items():
    if k not in js:
        bad.append("missing " + k)
    elif "/" in v and v.replace("/", "").isdigit():
        u, m = v.split("/")
        if js[k] != {"used": int(u), "max": int(m)} and k != "buffers_free":
            bad.append("%s %s vs %r" % (k, v, js[k]))
    elif v.isdigit():
        # the counters only grow between the two listings
        if not isinstance(js[k], int) or (js[k] < int(v) and "memory" not in k
                                          and "queued" not in k):
            bad.append("%s %s vs %r" % (k, v, js[k]))
    elif js[k] != v:
        bad.append("%s %r vs %r" % (k, v, js[k]))
if len(js) != len(text):
    bad.append("%d members, %d lines" % (len(js), len(text)))
print(" ".join(bad[:5]) or "same")
PYEOF
)
[ "$out" = same ] && ok stats_json_matches_text || fail stats_json_matches_text "$out"

# --- conntrack -L -o json ---------------------------------------------------
mctl conntrack -L >"$WORK/ct.txt"
mctl conntrack -L -o json >"$WORK/ct.json"
ct_rc=$?
if [ $ct_rc -eq 0 ] && "$PY" -m json.tool "$WORK/ct.json" >/dev/null 2>>"$LOG"; then
	ok conntrack_json_parses
else
	fail conntrack_json_parses "status $ct_rc, or python3 -m json.tool refuses it"
fi
out=$("$PY" - "$WORK/ct.txt" "$WORK/ct.json" <<'PYEOF' 2>&1
import json, sys
def key_text(line):
    w = line.split()
    kv = [x.split("=", 1) for x in w if "=" in x]
    src = [i for i, (k, v) in enumerate(kv) if k == "src"]
    o, r = dict(kv[src[0]:src[1]]), dict(kv[src[1]:])
    return (w[0], o["src"], o["dst"], o.get("sport", o.get("id")),
            r.get("dport", r.get("id")))
def key_json(c):
    o, r = c["orig"], c["reply"]
    return (c["proto"], o["src"], o["dst"], str(o.get("sport", o.get("id"))),
            str(r.get("dport", r.get("id"))))
t = set(key_text(l) for l in open(sys.argv[1]) if l.strip())
j = set(key_json(c) for c in json.load(open(sys.argv[2])))
held = [k for k in j if k[0] == "tcp" and k[2] == "203.0.113.2"]
if t != j:
    print("text only:", sorted(t - j)[:3], "json only:", sorted(j - t)[:3])
elif not held:
    print("no TCP connection to 203.0.113.2 in the JSON")
else:
    print("same")
PYEOF
)
[ "$out" = same ] && ok conntrack_json_matches_text || fail conntrack_json_matches_text "$out"
stop "$CLI_PID"
stop "$SRV_PID"
stop "$UDP_PID"

# --- metrics ----------------------------------------------------------------
scrape() { ono gw curl -sS --max-time 3 "http://$METRICS/metrics"; }
value() {	# file metric-with-labels
	awk -v m="$2" '$1 == m { print $2; f = 1 } END { if (!f) print -1 }' "$1"
}
mctl iptables -I FORWARD -p icmp -j ACCEPT >/dev/null
sleep 1.2
scrape >"$WORK/m1.txt"
if grep -q '^# TYPE masq_rx_frames_total counter' "$WORK/m1.txt" &&
   grep -q '^masq_drops_total{reason="' "$WORK/m1.txt" &&
   grep -q '^masq_io_rx_frames_total{iface="lan0"} ' "$WORK/m1.txt" &&
   grep -q '^masq_conntrack_entries ' "$WORK/m1.txt"; then
	ok metrics_scrape
else
	fail metrics_scrape "the scrape lacks a family (build/e2e/$E2E_NAME/m1.txt)"
fi
if command -v promtool >/dev/null 2>&1; then
	if promtool check metrics <"$WORK/m1.txt" >>"$LOG" 2>&1; then
		ok metrics_promtool
	else
		fail metrics_promtool "promtool check metrics: $(promtool check metrics <"$WORK/m1.txt" 2>&1 | head -3 | tr '\n' ' ')"
	fi
else
	skip metrics_promtool "needs promtool (apt-get install prometheus)"
fi
ono lan ping -n -c 20 -i 0.05 -W 1 203.0.113.2 >/dev/null
sleep 1.2
scrape >"$WORK/m2.txt"
bad=
for m in 'masq_io_rx_frames_total{iface="lan0"}' 'masq_io_rx_frames_total{iface="wan0"}' \
	 masq_forwarded_total; do
	a=$(value "$WORK/m1.txt" "$m") b=$(value "$WORK/m2.txt" "$m")
	log "$m: $a -> $b"
	{ [ "$a" -ge 0 ] && [ "$b" -ge $((a + 20)) ]; } || bad="$bad $m $a->$b"
done
[ -z "$bad" ] && ok metrics_move_with_traffic || fail metrics_move_with_traffic "did not rise by 20:$bad"
m='masq_rule_packets_total{table="filter",chain="FORWARD",rule="1"}'
a=$(value "$WORK/m1.txt" "$m") b=$(value "$WORK/m2.txt" "$m")
log "$m: $a -> $b"
if [ "$a" -ge 0 ] && [ "$b" -ge $((a + 40)) ]; then	# requests and replies
	ok metrics_rule_counters
else
	fail metrics_rule_counters "$m: $a -> $b"
fi
code=$(ono gw curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$METRICS/nothing")
[ "$code" = 404 ] && ok metrics_not_found || fail metrics_not_found "HTTP $code"

# --- conntrack -E ------------------------------------------------------------
bg wan tcphold2 15 "$PY" -u "$WORK/tool.py" tcp-hold-server 203.0.113.2 7001 10
SRV_PID=$BG_PID
log "+ [bg events] $MASQCTL -s $SOCK conntrack -E | cat > $WORK/events.txt"
# (into a pipe: process substitution; $! is timeout's, which passes a
# kill on to masqctl)
timeout 12 "$MASQCTL" -s "$SOCK" conntrack -E > >(cat >"$WORK/events.txt") &
EV_PID=$!
BG_PIDS+=("$EV_PID")
sleep 0.5
bg lan tcpclient2 10 "$PY" -u "$WORK/tool.py" tcp-hold-client 203.0.113.2 7001 2
CLI_PID=$BG_PID
sleep 1
mctl conntrack -F >/dev/null
have() { grep -E "$1" "$WORK/events.txt" | grep -q 'dport=7001'; }
wait_until 3 have '^ *\[DESTROY\] tcp ' || log "no DESTROY line yet"
new='^    \[NEW\] tcp      6 [0-9]+ SYN_SENT src=192\.168\.0\.2 dst=203\.0\.113\.2 sport=[0-9]+ dport=7001 \[UNREPLIED\] src=203\.0\.113\.2 dst=203\.0\.113\.1 '
upd='^ \[UPDATE\] tcp      6 [0-9]+ ESTABLISHED src=192\.168\.0\.2 '
des='^\[DESTROY\] tcp      6 src=192\.168\.0\.2 '
if have "$new" && have "$upd" && have "$des"; then
	ok events_new_update_destroy
else
	fail events_new_update_destroy "lines for :7001: $(grep 7001 "$WORK/events.txt" | cut -c1-60 | tr '\n' '|')"
fi
if gone "$EV_PID"; then
	fail events_flushed_to_pipe "masqctl conntrack -E ended early: $(tail -n 2 "$WORK/events.txt")"
elif have "$des"; then
	ok events_flushed_to_pipe
else
	fail events_flushed_to_pipe "the lines were not in the pipe while -E ran"
fi
cpu() { awk '{ print $14 + $15 }' "/proc/$MASQD_PID/stat"; }	# ticks
c0=$(cpu)
sleep 2
c1=$(cpu)
hz=$(getconf CLK_TCK)
log "masqd CPU with an idle -E listener: $((c1 - c0)) ticks of 1/$hz s in 2 s"
if gone "$EV_PID"; then
	fail events_listener_idle_cheap "the listener ended"
elif [ $(((c1 - c0) * 10)) -lt $((hz * 2)) ]; then
	ok events_listener_idle_cheap
else
	fail events_listener_idle_cheap "masqd used $((c1 - c0)) ticks (1/$hz s) in 2 s"
fi
kill "$EV_PID" 2>/dev/null
wait "$EV_PID" 2>/dev/null
stop "$CLI_PID"
stop "$SRV_PID"

masqd_stop
rc=$?
[ $rc -eq 0 ] && ok sigterm_exit0 || fail sigterm_exit0 "exit status $rc"
