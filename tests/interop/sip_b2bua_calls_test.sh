#!/usr/bin/env bash
# Calls through the B2BUA between sipp peers (a sipp caller → Switchboard → a sipp callee):
# the basic call over UDP and over TCP, CANCEL while ringing, BYE from the callee, hold and
# resume by re-INVITE (which the call's room follows), a busy callee (486 relayed), a user no
# route matches (404), and a burst of basic calls. After each flow no call, dialog,
# transaction or call's room is left (the stats line).
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
on_exit stop_switchboard

sip_port=$(free_port 45000)
bob_port=$(free_port 47000)
write_config <<TOML
[[sip.listen]]
transport = "tcp"
address = "127.0.0.1"
port = $sip_port
[[routes]]
user = "^nobody\$"
target = "sip:nobody@127.0.0.1:1"
domain = "^nowhere\$"
[[routes]]
user = "^(bob|tcpbob)\$"
target = "sip:\${user}@127.0.0.1:$bob_port"
TOML

start_switchboard "$switchboard"

run_flow "basic call: offer, 180, 200 with answer, ACK, BYE" call_basic_uac call_basic_uas "$bob_port"
run_flow "CANCEL while ringing: 200, 487, and the callee is cancelled" \
  call_cancel_uac call_cancel_uas "$bob_port"
run_flow "BYE from the callee reaches the caller" call_callee_bye_uac call_callee_bye_uas "$bob_port"
run_flow "hold and resume by re-INVITE, both ways through the B2BUA" \
  call_hold_uac call_hold_uas "$bob_port"
# The call's room followed: the caller's leg went on hold once its offer was answered, and back.
grep -Eq 'room call-[0-9]+: leg [0-9]+ connected -> hold: the far end holds \(room hold\)' \
  "$work/server.log" || fail_with "hold: the call's room did not go on hold"
grep -Eq 'room call-[0-9]+: leg [0-9]+ hold -> connected: the far end resumes \(room connected\)' \
  "$work/server.log" || fail_with "resume: the call's room did not come off hold"
run_flow "a busy callee's 486 reaches the caller" call_busy_uac call_busy_uas "$bob_port"
caller_service=nobody run_flow "a user no route matches gets 404" call_no_route_uac

# The basic call with the caller on TCP (the callee stays on UDP: Switchboard bridges them).
callee call_basic_uas "$bob_port" tcp-callee &
callee_pid=$!
wait_listening udp "$bob_port"
port=$(free_port 37000)
timeout -k 3 30 sipp -sf "$here/scenarios/call_basic_uac.xml" "127.0.0.1:$sip_port" -t t1 \
  -s bob -i 127.0.0.1 -p "$port" -m 1 -nostdin -timeout 20s >"$work/tcp-caller.out" 2>&1 ||
  fail_with "basic call over TCP: the caller failed"
wait "$callee_pid" || fail_with "basic call over TCP: the callee failed"
expect_idle "basic call over TCP"
check "basic call with the caller on TCP"

# A burst: 50 calls at 25 calls/s, each held 100 ms, with sipp's built-in scenarios.
timeout -k 3 40 sipp -sn uas -i 127.0.0.1 -p "$bob_port" -m 50 -nostdin -timeout 30s \
  >"$work/burst-uas.out" 2>&1 &
uas_pid=$!
wait_listening udp "$bob_port"
port=$(free_port 37000)
timeout -k 3 40 sipp -sn uac "127.0.0.1:$sip_port" -s bob -i 127.0.0.1 -p "$port" -r 25 -m 50 \
  -d 100 -nostdin -timeout 30s -default_behaviors all,-abortunexp >"$work/burst-uac.out" 2>&1 ||
  fail_with "burst: not every call succeeded"
wait "$uas_pid" || fail_with "burst: the callee side failed"
expect_idle "the burst"
check "a burst of 50 calls, all answered and ended"
