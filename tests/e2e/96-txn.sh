#!/usr/bin/env bash
# tests/e2e/96-txn.sh - masqd's rules run (the txn verbs masqctl rules
# uses): a shadow the run edits, live only at the commit
#
#   masq-t$$-lan   eth0 192.168.0.2/24
#        |
#   masq-t$$-gw    lan0 192.168.0.1, wan0 203.0.113.1: build/masqd
#        |
#   masq-t$$-wan   eth0 203.0.113.2/24
#
# 1. txn begin prints a 16-hex-digit token; a second begin is refused.
# 2. txn do TOKEN iptables ... edits the shadow: the live iptables-save is
#    unchanged, the run's own -S shows the rule; an unknown token is
#    refused; txn do TOKEN of another command (show settings) runs live.
# 3. MASQ_TXN=TOKEN masqctl iptables -A ... is the run's too.
# 4. Until the commit, LAN to WAN traffic passes (the live default
#    ruleset); after committing a run that drops it, it does not.
# 5. A run aborted changes nothing; masqd's stats count the runs.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

e2e_init begin_gives_token second_begin_refused shadow_not_live \
	run_lists_shadow unknown_token_refused other_command_live \
	env_token_edits_run commit_makes_live abort_changes_nothing \
	runs_counted

lab_up || exit 1
masqd_start || { ABORT_WHY="masqd did not start"; exit 1; }

# mctl2 ARGS...: masqctl with both streams to the caller (5 s at most)
mctl2() { timeout -k 2 5 "$MASQCTL" -s "$SOCK" "$@" 2>&1; }

# ping_wan: one ping from the LAN host to the WAN host (1 s)
ping_wan() { on lan ping -c 1 -W 1 203.0.113.2 >/dev/null 2>&1; }

tok=$(mctl txn begin)
if [[ $tok =~ ^[0-9a-f]{16}$ ]]; then
	ok begin_gives_token
else
	fail begin_gives_token "txn begin printed '$tok'"
fi
out=$(mctl2 txn begin)
if [ $? -eq 1 ] && [[ $out == *"in progress"* ]]; then
	ok second_begin_refused
else
	fail second_begin_refused "second begin: '$out'"
fi

live0=$(mctl iptables-save | grep -v '^#')
mctl txn do "$tok" iptables -I FORWARD -p icmp -j DROP >/dev/null
live1=$(mctl iptables-save | grep -v '^#')
if [ "$live0" = "$live1" ] && ping_wan; then
	ok shadow_not_live
else
	fail shadow_not_live "live ruleset changed, or LAN ping failed"
fi
run=$(mctl txn do "$tok" iptables -S FORWARD)
if [[ $run == *"-A FORWARD -p icmp -j DROP"* ]]; then
	ok run_lists_shadow
else
	fail run_lists_shadow "run's -S: $run"
fi
out=$(mctl2 txn do 0123456789abcdef iptables -F)
rc=$?
if [ $rc -eq 1 ] && [[ $out == *"no rules run"* ]] &&
	[ "$(mctl iptables-save | grep -v '^#')" = "$live0" ]; then
	ok unknown_token_refused
else
	fail unknown_token_refused "status $rc: $out"
fi
out=$(mctl txn do "$tok" show settings)
if [[ $out == *"origdst-user"* ]]; then
	ok other_command_live
else
	fail other_command_live "show settings in the run: $out"
fi

MASQ_TXN=$tok mctl iptables -A INPUT -p tcp --dport 2222 -j ACCEPT >/dev/null
run=$(mctl txn do "$tok" iptables -S INPUT)
if [[ $run == *"--dport 2222 -j ACCEPT"* ]] &&
	! mctl iptables -S INPUT | grep -q 2222; then
	ok env_token_edits_run
else
	fail env_token_edits_run "run's INPUT: $run"
fi

mctl txn commit "$tok" >/dev/null
rc=$?
if [ $rc -eq 0 ] && mctl iptables -S FORWARD | grep -q -- '-p icmp -j DROP' &&
	! ping_wan; then
	ok commit_makes_live
else
	fail commit_makes_live "status $rc; FORWARD: $(mctl iptables -S FORWARD | tr '\n' ' ')"
fi

before=$(mctl iptables-save | grep -v '^#')
tok=$(mctl txn begin)
mctl txn keep "$tok" >/dev/null || fail_keep=1
mctl txn do "$tok" iptables -F >/dev/null
mctl txn abort "$tok" >/dev/null
after=$(mctl iptables-save | grep -v '^#')
out=$(mctl2 txn do "$tok" iptables -S)
if [ "$before" = "$after" ] && [[ $out == *"no rules run"* ]] &&
	[ -z "${fail_keep:-}" ]; then
	ok abort_changes_nothing
else
	fail abort_changes_nothing "ruleset changed, or the run lives on: $out"
fi

st=$(mctl stats)
if grep -qE '^masqd_rules_runs +2$' <<<"$st" &&
	grep -qE '^masqd_rules_runs_committed +1$' <<<"$st" &&
	grep -qE '^masqd_rules_runs_aborted +1$' <<<"$st"; then
	ok runs_counted
else
	fail runs_counted "$(grep rules_runs <<<"$st" | tr '\n' ' ')"
fi
