#!/usr/bin/env bash
# The SIP → H.323 gateway between real peers: a sipp caller dials 2002, which a route sends to
# h323:2002@127.0.0.1:PORT, where the scripted H.323 peer (h323_peer.erl, on Erlang's own ASN.1
# codec) is called.
# 1. Answered: the peer's Alerting is the caller's 180 and its Connect the 200; the peer's tone
#    crosses the room to the caller, whose sipp sends it back (-rtp_echo), and the peer must
#    hear it; then the peer hangs up, and the caller's BYE carries its Q.850 cause (RFC 3326).
# 1a. Progress: the callee answers Fast Connect in a Progress (no Alerting); the caller's 183
#    carries the early media, and the tone crosses both ways before the Connect.
# 1b. Without Fast Connect: the callee refuses it (its Alerting is the caller's 180) and
#    the audio opens over tunnelled H.245, then over a separate H.245 connection; the tone
#    crosses both ways each time.
# 2. Busy: the peer refuses with Q.850 cause 17, which the caller gets as 486 (RFC 3398) with
#    the cause in a Reason header.
# 3. DTMF: the caller presses 7 (SIP INFO), then, in another call, plays 1 as RFC 4733 events
#    (sipp's recording); the peer must get each as H.245 user input.
# 4. A fault: the peer's TCP connection drops mid-call; the caller gets a BYE with Q.850 41.
# 5. Hold: the caller's re-INVITE sendonly holds the peer (the empty capability set), and its
#    re-INVITE sendrecv resumes it; the other way, the peer's hold and resume reach the caller
#    as our re-INVITEs sendonly and sendrecv.
# After each call nothing is left: no SIP call or transaction, no H.323 call, no room. The test
# runs in a network namespace of its own, where a capture of everything is read by tshark:
# every H.225.0 and H.245 message, none malformed.
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
peer_port=$(free_port 46000)
# shellcheck disable=SC2016 # ${user} is the route's, not the shell's
gateway_switchboard 0 'h323:${user}@127.0.0.1:'"$peer_port"

# gateway_call SCENARIO PEER_SCENARIO NAME: the peer listens, then the sipp caller dials 2002.
gateway_call() {
  h323_peer "$2" "$peer_port" "$3-peer" &
  local peer=$!
  background_pids+=("$peer")
  wait_listening tcp "$peer_port" || fail_with "$3: the H.323 peer did not listen"
  local port
  port=$(free_port 37000)
  timeout -k 3 30 sipp -sf "$here/scenarios/$1.xml" "127.0.0.1:$sip_port" -s 2002 \
    -i 127.0.0.1 -p "$port" -mp "$(( $(free_port 56000) / 2 * 2 ))" -rtp_echo -m 1 -nostdin \
    -timeout 20s -trace_msg -message_file "$work/$3.msg" >"$work/$3.out" 2>&1 ||
    fail_with "$3: the SIP caller failed"
  wait "$peer" || true
  grep -q '^done$' "$work/$3-peer.out" || fail_with "$3: the H.323 peer failed"
}

gateway_call gateway_uac call-out-audio answered
grep -q '^ok its own tone heard back$' "$work/answered-peer.out" ||
  fail_with "answered: the H.323 peer did not hear its tone back"
grep -qF 'called by [{'"'"'h323-ID'"'"',"caller"}]' "$work/answered-peer.out" ||
  fail_with "answered: the Setup does not name the SIP caller: $(grep 'called by' "$work/answered-peer.out")"
expect_gateway_idle "the answered call"
check "a SIP caller reaches an H.323 callee as itself (its From's user in the Setup): 183 with early media, 200, the tone both ways, BYE with its cause"

gateway_call gateway_uac call-out-progress progress
grep -q '^ok its own tone heard back before it answers$' "$work/progress-peer.out" ||
  fail_with "progress: the H.323 callee did not hear its tone back before it answered"
expect_gateway_idle "the call with Progress"
check "an H.323 callee's Progress with its fastStart answer is the caller's 183: the tone both ways before the answer"

for mode in tunnelled h245; do
  gateway_call gateway_late_media_uac "call-out-$mode-audio" "$mode"
  grep -q '^ok its own tone heard back$' "$work/$mode-peer.out" ||
    fail_with "$mode: the H.323 callee did not hear its tone back"
  expect_gateway_idle "the $mode call"
done
check "an H.323 callee that refuses Fast Connect: tunnelled H.245 or a separate connection, the tone both ways"

gateway_call gateway_busy_uac call-out-busy busy
expect_gateway_idle "the busy call"
check "a busy H.323 callee is 486 to the SIP caller, with Reason: Q.850;cause=17"

gateway_call gateway_dtmf_uac call-out-digit dtmf
expect_gateway_idle "the call with a digit"
check "a SIP caller's INFO digit reaches the H.323 callee as H.245 user input"

export H323_PEER_DIGIT=1
gateway_call gateway_rfc4733_uac call-out-digit rfc4733
unset H323_PEER_DIGIT
expect_gateway_idle "the call with RFC 4733 events"
check "a SIP caller's RFC 4733 digit reaches the H.323 callee as H.245 user input"

gateway_call gateway_drop_uac call-out-drop dropped
expect_gateway_idle "the dropped call"
check "an H.323 callee whose connection drops mid-call: BYE to the SIP caller with Q.850 41"

gateway_call gateway_hold_uac call-out-held held
expect_gateway_idle "the held call"
check "a SIP caller's hold and resume reach the H.323 callee as the empty capability set and back"

gateway_call gateway_held_uac call-out-hold held-by-callee
expect_gateway_idle "the call its callee held"
check "an H.323 callee's hold and resume reach the SIP caller as re-INVITEs sendonly and sendrecv"

capture_check "$peer_port"
check "every H.225.0 and H.245 message of these calls is read by tshark, none malformed"
