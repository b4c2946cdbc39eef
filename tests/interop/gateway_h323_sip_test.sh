#!/usr/bin/env bash
# The H.323 → SIP gateway between real peers: the scripted H.323 peer (h323_peer.erl, on
# Erlang's own ASN.1 codec) calls 2002 with Fast Connect; the routes send a SIP call to 2002 to a
# sipp callee, so the H.323 call goes on there through a room of its own. The callee's 183
# with early media is the caller's Progress with the fastStart answer, and its 200 the Connect; the caller's tone crosses to the callee, whose
# sipp sends it back (-rtp_echo), and the caller must hear it. Then the caller hangs up, and the
# callee's BYE carries its Q.850 cause (RFC 3326). A second call presses 5 (H.245 user input),
# which the callee must get as an INFO, or as RFC 4733 events when it agreed telephone-event
# (a recorder at its media port reads them). Two more calls go without Fast Connect, one with
# tunnelled H.245 and one over a separate H.245 connection, each with the tone both ways.
# A Setup that cannot be read is released with Q.850 cause 100 and goes no further.
# Nothing is left after any: no SIP call or transaction, no H.323 call, no room. The test runs
# in a network namespace of its own, where a capture of everything is read by tshark: every
# H.225.0 and H.245 message, none malformed.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/h323_lib.sh"
in_own_namespace "$@"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
on_exit stop_all

build_h323_peer || fail_with "the H.323 peer did not build"
sip_port=$(free_port 45000)
h323_port=$(free_port 46000)
callee_port=$(free_port 47000)
# shellcheck disable=SC2016 # ${user} is the route's, not the shell's
gateway_switchboard "$h323_port" 'sip:${user}@127.0.0.1:'"$callee_port"
wait_listening tcp "$h323_port" || fail_with "no H.323 listener"

# h323_call CALLEE_SCENARIO PEER_SCENARIO NAME [SIPP_ARGUMENTS...]: the sipp callee waits, the
# H.323 peer calls 2002.
h323_call() {
  timeout -k 3 30 sipp -sf "$here/scenarios/$1.xml" -i 127.0.0.1 -p "$callee_port" \
    -mp "$(( $(free_port 56000) / 2 * 2 ))" -rtp_echo -m 1 -nostdin -timeout 20s -trace_msg "${@:4}" \
    -message_file "$work/$3-callee.msg" >"$work/$3-callee.out" 2>&1 &
  local callee=$!
  background_pids+=("$callee")
  wait_listening udp "$callee_port" || fail_with "$3: the SIP callee did not start"
  h323_peer "$2" "$h323_port" "$3-caller" || true
  grep -q '^done$' "$work/$3-caller.out" || fail_with "$3: the H.323 caller failed"
  wait "$callee" || fail_with "$3: the SIP callee failed"
  expect_gateway_idle "$3"
}

h323_call gateway_uas call-in-audio answered
grep -q '^ok its own tone heard back$' "$work/answered-caller.out" ||
  fail_with "the H.323 caller did not hear its tone back"
grep -q '^early media in progress$' "$work/answered-caller.out" ||
  fail_with "the callee's 183 was not a Progress: $(grep 'early media' "$work/answered-caller.out")"
check "an H.323 caller reaches a SIP callee as itself (From: its number): Progress on its 183 with early media, Connect, the tone both ways, BYE with its cause"

for mode in tunnelled h245; do
  h323_call gateway_uas "call-in-$mode-audio" "$mode"
  grep -q '^ok its own tone heard back$' "$work/$mode-caller.out" ||
    fail_with "$mode: the H.323 caller did not hear its tone back"
done
check "without Fast Connect, over tunnelled H.245 and over a separate H.245 connection: capabilities, determination and channels, the tone both ways"

h323_call gateway_dtmf_uas call-in dtmf
check "an H.323 caller's user input reaches the SIP callee as an INFO digit"

events_port=$(( $(free_port 52000) / 2 * 2 ))
python3 "$here/rfc4733_events.py" record "$events_port" "$work/events.txt" 10 &
recorder=$!
background_pids+=("$recorder")
wait_listening udp "$events_port" || fail_with "the RFC 4733 recorder did not start"
h323_call gateway_rfc4733_uas call-in rfc4733 -key rtp_sink "$events_port"
wait "$recorder" || true
python3 "$here/rfc4733_events.py" check "$work/events.txt" 5 1280 ||
  fail_with "the user input did not reach the callee as RFC 4733 events (160 ms: 1280 ticks)"
check "an H.323 caller's user input reaches a SIP callee with telephone-event as RFC 4733 events"

capture_check "$h323_port"
check "every H.225.0 and H.245 message of these calls is read by tshark, none malformed"

# After the capture, which would rightly call it malformed: a Setup that cannot be read.
before=$(fresh_stats | grep -o ' calls_total=[0-9]*')
h323_peer call-in-malformed "$h323_port" malformed || true
grep -q '^done$' "$work/malformed.out" || fail_with "malformed: $(cat "$work/malformed.out")"
expect_gateway_idle "the malformed Setup"
[ "$(fresh_stats | grep -o ' calls_total=[0-9]*')" = "$before" ] ||
  fail_with "a malformed Setup became a SIP call"
check "a malformed Setup is released with Q.850 cause 100; no SIP call is made, nothing is left"
