#!/usr/bin/env bash
# A SIP → H.323 gateway call is set up in five ordered steps, each undone, newest first, when a
# later one fails (docs/ARCHITECTURE.md "A gateway's call in five steps"): the SIP leg (our
# answer to its offer), the media path (the room's RTP ports, which the Setup's fastStart
# carries), the gatekeeper's admission (ARQ, our own gatekeeper here), the H.323 leg (the
# Setup, to the scripted peer h323_peer.erl), and the witness entry (gateway.call_answered),
# before the caller is answered. Each step is failed in turn, for real:
# 1. the SIP leg: an offer of no codec we have → 488, and the gatekeeper is never asked;
# 2. the media path: the room's ports all taken (a parked call holds one pair of two) → 503;
# 3. the admission: an alias no endpoint registered → ARJ → 480 with Q.850 cause 20;
# 4. the H.323 leg: the callee is busy → 486 with cause 17, and the admission is given back;
# 5. the witness entry: a trigger makes the witness table refuse inserts (as a failing disk
#    would) → the answered callee is released, and the caller gets 500 naming the step.
# After each, nothing is left: no SIP call or transaction, no H.323 call, no admission, no
# room, no RTP port. Then, with the trigger dropped, a call is answered (its callee tunnels
# H.245) and its entry is in the witness log under the call's trace id. The test runs in a network namespace of its own; tshark
# reads every H.225.0 and H.245 message of the capture, none malformed.
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
sip_port=$(free_port 41000)
api_port=$(free_port 43000)
peer_port=$(free_port 46000)
media_base=$(( $(free_port 54000) / 2 * 2 ))
# Four ports: two RTP/RTCP pairs, one for each leg of a gateway call.
write_config <<TOML
[media]
anchor = false
port_min = $media_base
port_max = $(( media_base + 3 ))
[api]
enabled = true
port = $api_port
[[api.tokens]]
agent = "auditor"
sha256 = "$(echo -n token-a | sha256sum | cut -d' ' -f1)"
admin = true
[h323]
enabled = true
port = 0
ras_port = 1719 # the RAS port tshark knows, in our own namespace
[[routes]]
user = "^2[0-9]{3}\$"
target = "h323:\${user}@127.0.0.1:$peer_port"
[[routes]]
user = "^3[0-9]{3}\$"
target = "h323:\${user}"
[[routes]]
user = "^parking\$"
conference = "parking"
TOML
start_switchboard "$switchboard"
capture_start
wait_listening tcp "$api_port" || fail_with "the API did not start"

# refused NAME NUMBER STATUS [PEER_SCENARIO] [-key pt PT -key codec CODEC]: the SIP caller
# dials NUMBER (with the H.323 peer playing PEER_SCENARIO, if one is given) and must be refused
# with STATUS; then nothing may be left.
refused() {
  local name=$1 number=$2 status=$3 peer_scenario=${4:-} peer=
  shift 4
  if [ -n "$peer_scenario" ]; then
    h323_peer "$peer_scenario" "$peer_port" "$name-peer" &
    peer=$!
    background_pids+=("$peer")
    wait_listening tcp "$peer_port" || fail_with "$name: the H.323 peer did not listen"
  fi
  local port keys=(-key pt 0 -key codec PCMU/8000)
  [ $# -gt 0 ] && keys=("$@")
  port=$(free_port 37000)
  timeout -k 3 30 sipp -sf "$here/scenarios/gateway_refused_uac.xml" "127.0.0.1:$sip_port" \
    -s "$number" "${keys[@]}" -i 127.0.0.1 -p "$port" -mp "$(( $(free_port 56000) / 2 * 2 ))" \
    -m 1 -nostdin -timeout 20s -trace_msg -message_file "$work/$name.msg" >"$work/$name.out" 2>&1 ||
    fail_with "$name: the SIP caller failed: $(tail -3 "$work/$name.out")"
  grep -q "^SIP/2.0 $status " "$work/$name.msg" ||
    fail_with "$name: expected $status, got: $(grep '^SIP/2.0' "$work/$name.msg" | tr '\n' ' ')"
  if [ -n "$peer" ]; then
    wait "$peer" || true
    grep -q '^done$' "$work/$name-peer.out" ||
      fail_with "$name: the H.323 peer failed: $(cat "$work/$name-peer.out")"
  fi
  expect_nothing_left "$name"
}

# expect_nothing_left NAME: no call, room or port, and the gatekeeper holds no admission.
expect_nothing_left() {
  expect_gateway_idle "$1"
  local line
  line=$(fresh_stats)
  [[ $line == *" rtp_ports=0 "* && $line == *" gatekeeper_calls=0 "* &&
     $line == *" gatekeeper_bandwidth=0 "* ]] || fail_with "$1: left behind: $line"
}

refused sip-leg 2001 488 "" -key pt 98 -key codec FOO/8000
check "step 1, the SIP leg: an offer without a codec of ours is 488; nothing is asked of the gatekeeper"

timeout -k 3 30 sipp -sf "$here/scenarios/parked_uac.xml" "127.0.0.1:$sip_port" -s parking \
  -i 127.0.0.1 -p "$(free_port 38000)" -mp "$(( $(free_port 57000) / 2 * 2 ))" -m 1 -nostdin \
  -timeout 20s >"$work/parked.out" 2>&1 &
parked=$!
background_pids+=("$parked")
deadline=$((SECONDS + 10))
until grep -q "room parking: call .* joined" "$work/server.log"; do
  [ $SECONDS -lt $deadline ] || fail_with "the parked call did not join its room"
  sleep 0.05
done
refused media-path 2002 503 ""
wait "$parked" || fail_with "the parked call failed: $(tail -3 "$work/parked.out")"
check "step 2, the media path: with the room's ports taken, 503; the SIP leg's port is returned"

refused admission 3003 480 ""
grep -q 'Reason: Q.850;cause=20' "$work/admission.msg" || fail_with "admission: no Q.850 cause 20"
check "step 3, the admission: an unregistered alias is refused (ARJ), 480 with Q.850 cause 20"

refused h323-leg 2004 486 call-out-busy
grep -q 'Reason: Q.850;cause=17' "$work/h323-leg.msg" || fail_with "h323-leg: no Q.850 cause 17"
check "step 4, the H.323 leg: a busy callee is 486 with Q.850 cause 17; its admission is given back"

witness_inserts() { # fail|work
  python3 - "$work/var/switchboard.db" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
if sys.argv[2] == "fail":
    db.execute("CREATE TRIGGER refuse BEFORE INSERT ON entries "
               "BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
else:
    db.execute("DROP TRIGGER refuse")
db.commit()
PY
}
witness_inserts fail
refused witness 2005 500 call-out
grep -q '^SIP/2.0 500 witness entry: ' "$work/witness.msg" || fail_with "witness: the 500 names no step"
grep -q '^ok released by the caller' "$work/witness-peer.out" ||
  fail_with "witness: the answered H.323 callee was not released: $(cat "$work/witness-peer.out")"
check "step 5, the witness entry: not stored, the answered H.323 callee is released and the caller gets 500"

witness_inserts work
h323_peer call-out-tunnelled-audio "$peer_port" answered-peer &
peer=$!
background_pids+=("$peer")
wait_listening tcp "$peer_port" || fail_with "answered: the H.323 peer did not listen"
timeout -k 3 30 sipp -sf "$here/scenarios/gateway_late_media_uac.xml" "127.0.0.1:$sip_port" -s 2006 \
  -i 127.0.0.1 -p "$(free_port 37000)" -mp "$(( $(free_port 56000) / 2 * 2 ))" -rtp_echo -m 1 \
  -nostdin -timeout 20s >"$work/answered.out" 2>&1 || fail_with "answered: the SIP caller failed"
wait "$peer" || true
grep -q '^done$' "$work/answered-peer.out" || fail_with "answered: the H.323 peer failed"
expect_nothing_left answered
trace=$(grep -o 'trace=[0-9a-f]* room gateway/[0-9]*: leg [0-9]* (h323 call to h323:2006' \
  "$work/server.log" | tail -n 1 | cut -d' ' -f1 | cut -d= -f2)
[ -n "$trace" ] || fail_with "no trace id for the answered call"
cli() { "$switchboard" "$@" --url "http://127.0.0.1:$api_port" --token token-a --agent auditor; }
cli witness key >"$work/witness.pem" || fail_with "no public key"
cli witness verify --key "$work/witness.pem" --trace "$trace" >"$work/verify.out" ||
  fail_with "witness verify: $(cat "$work/verify.out")"
grep -q ' gateway.call_answered' "$work/verify.out" ||
  fail_with "no gateway.call_answered under $trace: $(cat "$work/verify.out")"
check "with the witness working again, a call is answered once its entry is stored (trace $trace)"

capture_check
# Steps 3, 4 and 5 and the answered call each asked for admission once (steps 1 and 2 never
# reached the gatekeeper), and all but step 3's, which was refused, gave it back.
ras() { tshark -r "$work/capture.pcap" -Y "h225.${1}_element" 2>/dev/null | wc -l; }
[ "$(ras admissionRequest)" = 4 ] && [ "$(ras disengageRequest)" = 3 ] ||
  fail_with "$(ras admissionRequest) ARQ and $(ras disengageRequest) DRQ, expected 4 and 3"
check "every H.225.0 and H.245 message of these calls is read by tshark, none malformed: 4 ARQ, 3 DRQ"
