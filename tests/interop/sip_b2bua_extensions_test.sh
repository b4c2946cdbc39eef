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
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "${KEEP_WORK:-}" ] && cp -r "$work" /tmp/last-extensions-test
  rm -rf "$work"
}
trap cleanup EXIT

sip_port=$(free_port 31000)
bob_port=$(free_port 33000)
carol_port=$(free_port 35000)
cat > "$work/switchboard.toml" <<TOML
data_dir = "$work/var"
[sip.timers]
t1_ms = 50
t4_ms = 200
[calls]
session_expires_s = 4
min_se_s = 2
[[sip.listen]]
transport = "udp"
address = "127.0.0.1"
port = $sip_port
[[routes]]
user = "^carol\$"
target = "sip:carol@127.0.0.1:$carol_port"
[[routes]]
target = "sip:\${user}@127.0.0.1:$bob_port"
TOML

timeout -k 3 120 "$switchboard" serve --config "$work/switchboard.toml" >"$work/server.log" 2>&1 &
server_pid=$!
wait_listening udp "$sip_port" || { cat "$work/server.log"; exit 1; }
# SIGUSR1 goes to switchboard itself, not to the timeout(1) that bounds it.
switchboard_pid=$(pgrep -P "$server_pid")

# callee SCENARIO PORT NAME: a sipp UAS in the background for one call.
callee() {
  timeout -k 3 30 sipp -sf "$here/scenarios/$1.xml" -i 127.0.0.1 -p "$2" -m 1 -nostdin \
    -timeout 20s -trace_msg -message_file "$work/$3.msg" >"$work/$3.out" 2>&1
}
caller() { # SCENARIO NAME
  local port
  port=$(free_port 37000)
  timeout -k 3 30 sipp -sf "$here/scenarios/$1.xml" "127.0.0.1:$sip_port" -s bob -i 127.0.0.1 \
    -p "$port" -m 1 -nostdin -timeout 20s -trace_msg -message_file "$work/$2.msg" \
    >"$work/$2.out" 2>&1
}
fail_with() {
  echo "FAIL: $*" >&2
  for f in "$work"/*.msg; do echo "== $f" >&2; tail -n 60 "$f" >&2; done
  tail -n 30 "$work/server.log" >&2
  exit 1
}

# Polls the stats line (SIGUSR1) until no call, dialog or transaction is left.
expect_idle() {
  local deadline=$((SECONDS + 10)) line
  while [ $SECONDS -lt $deadline ]; do
    kill -USR1 "$switchboard_pid"
    sleep 0.3
    line=$(grep 'stats:' "$work/server.log" | tail -n 1)
    [[ $line == *" calls=0 dialogs=0 transactions=0 "* ]] && return 0
  done
  fail_with "not idle after $1: $line"
}

run_flow() { # NAME CALLER [CALLEE PORT]... : callees in the background, then the caller
  local name=$1 caller_scenario=$2
  shift 2
  local pids=()
  while [ $# -gt 0 ]; do
    callee "$1" "$2" "$name-$1" &
    pids+=($!)
    wait_listening udp "$2" || fail_with "$name: $1 did not start"
    shift 2
  done
  caller "$caller_scenario" "$name-caller" || fail_with "$name: the caller failed"
  for pid in "${pids[@]}"; do wait "$pid" || fail_with "$name: a callee failed"; done
  expect_idle "$name"
  check "$name"
}

run_flow "100rel: reliable 183 and PRACK end to end" prack_uac prack_uas "$bob_port"
run_flow "REFER: blind transfer to carol placed by the B2BUA" refer_caller \
  refer_transferor "$bob_port" refer_target "$carol_port"
run_flow "session timer: UPDATE refresh towards the callee, unrefreshed call reaped" \
  session_timer_caller session_timer_callee "$bob_port"
grep -q 'ended: the session expired without a refresh' "$work/server.log" ||
  fail_with "the reaped call was not logged"
check "the reaped call is logged with both Call-IDs"
