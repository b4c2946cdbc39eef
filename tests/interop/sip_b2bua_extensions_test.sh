#!/usr/bin/env bash
# The B2BUA's handling of SIP extensions, with sipp on both sides:
#   - 100rel/PRACK end to end (RFC 3262): a reliable 183 from the callee reaches the caller
#     with Require: 100rel and an RSeq, the caller's PRACK reaches the callee with a RAck
#     naming the callee's RSeq;
#   - REFER (RFC 3515) handled by the B2BUA: the callee transfers the caller to carol; carol is
#     called without an offer, the caller is re-INVITEd with carol's offer, carol's ACK carries
#     the caller's answer, the transferor gets NOTIFY 100 and 200 and a BYE, and the caller's
#     BYE reaches carol;
#   - session timers (RFC 4028): the callee leaves refreshing to us and gets an UPDATE; the
#     caller, which said it would refresh, never does, and the call is reaped with BYEs.
# After each flow every call, dialog and transaction is gone (the stats line on SIGUSR1).
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
on_exit stop_switchboard

sip_port=$(free_port 31000)
bob_port=$(free_port 33000)
carol_port=$(free_port 35000)
# The flows check that bodies cross end to end (markers in the SDP), so media anchoring, which
# writes its own descriptions, is off here; media_baresip_test.sh covers it.
write_config <<TOML
[media]
anchor = false
[[routes]]
user = "^carol\$"
target = "sip:carol@127.0.0.1:$carol_port"
[[routes]]
target = "sip:\${user}@127.0.0.1:$bob_port"
TOML

start_switchboard "$switchboard"

run_flow "100rel: reliable 183 and PRACK end to end" prack_uac prack_uas "$bob_port"
run_flow "REFER: blind transfer to carol placed by the B2BUA" refer_caller \
  refer_transferor "$bob_port" refer_target "$carol_port"
# Session timers get a switchboard of their own with a 4 s interval (so short that it would
# refresh the calls of the flows above when the machine is slow).
kill -INT "$switchboard_pid"
wait "$server_pid" || true
mv "$work/server.log" "$work/server-1.log"
echo '[calls]
session_expires_s = 4
min_se_s = 2' >> "$work/switchboard.toml"
start_switchboard "$switchboard"
run_flow "session timer: UPDATE refresh towards the callee, unrefreshed call reaped" \
  session_timer_caller session_timer_callee "$bob_port"
grep -q 'ended: the session expired without a refresh' "$work/server.log" ||
  fail_with "the reaped call was not logged"
check "the reaped call is logged with both Call-IDs"
