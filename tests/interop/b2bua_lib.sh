# Helpers for the B2BUA interop tests: sipp callers and callees around one running switchboard.
# The test sets: $here (this folder), $work (its scratch folder), $sip_port (switchboard's UDP
# port), $server_pid (the timeout(1) wrapping switchboard) and $switchboard_pid (switchboard).

# callee SCENARIO PORT NAME: a sipp UAS in the background for one call.
callee() {
  timeout -k 3 30 sipp -sf "$here/scenarios/$1.xml" -i 127.0.0.1 -p "$2" -m 1 -nostdin \
    -timeout 20s -trace_msg -message_file "$work/$3.msg" >"$work/$3.out" 2>&1
}
caller() { # SCENARIO NAME
  local port
  port=$(free_port 37000)
  timeout -k 3 30 sipp -sf "$here/scenarios/$1.xml" "127.0.0.1:$sip_port" \
    -s "${caller_service:-bob}" -i 127.0.0.1 \
    -p "$port" -m 1 -nostdin -timeout 20s -trace_msg -message_file "$work/$2.msg" \
    >"$work/$2.out" 2>&1
}
# fail_with MESSAGE: ends the test; the EXIT trap (on_exit) shows every peer's log and ours,
# then MESSAGE again.
fail_with() {
  failed_because=$*
  echo "FAIL: $*" >&2
  exit 1
}

# fresh_stats [LOG PID]: asks switchboard (or the one whose process is PID, logging to LOG) for
# a stats line (SIGUSR1) and prints that line once it is written — not an earlier one, which
# may describe the previous flow.
fresh_stats() {
  local log=${1:-$work/server.log} pid=${2:-$switchboard_pid} before deadline=$((SECONDS + 5))
  before=$(grep -c 'stats:' "$log" || true)
  kill -USR1 "$pid"
  until [ "$(grep -c 'stats:' "$log")" -gt "$before" ]; do
    [ $SECONDS -lt $deadline ] || fail_with "no stats line within 5 s of SIGUSR1"
    sleep 0.05
  done
  grep 'stats:' "$log" | tail -n 1
}

# expect_idle NAME [SECONDS]: asks for stats until no call, dialog, transaction or bridged
# call's room (nor a leg of one) is left, at most SECONDS (10).
expect_idle() {
  local deadline=$((SECONDS + ${2:-10})) line
  while :; do
    line=$(fresh_stats)
    [[ $line == *" calls=0 dialogs=0 transactions=0 call_rooms=0 call_room_legs=0 "* ]] &&
      return 0
    [ $SECONDS -lt $deadline ] || fail_with "not idle after $1: $line"
    sleep 0.2
  done
}

# A file name for a flow's logs: its scenario names.
slug() { echo "${1//[^A-Za-z0-9_-]/_}"; }

run_flow() { # NAME CALLER [CALLEE PORT]... : callees in the background, then the caller
  local name=$1 caller_scenario=$2
  shift 2
  local pids=()
  while [ $# -gt 0 ]; do
    callee "$1" "$2" "$(slug "$caller_scenario-$1")" &
    pids+=($!)
    wait_listening udp "$2" || fail_with "$name: $1 did not start"
    shift 2
  done
  caller "$caller_scenario" "$(slug "$caller_scenario")" || fail_with "$name: the caller failed"
  for pid in "${pids[@]}"; do wait "$pid" || fail_with "$name: a callee failed"; done
  expect_idle "$name"
  check "$name"
}


# start_switchboard: runs switchboard with $work/switchboard.toml (listening on UDP $sip_port)
# in the background, bounded ($SB_SERVE_SECONDS, 150 unless told), and waits for it.
start_switchboard() {
  timeout -k 3 "${SB_SERVE_SECONDS:-150}" "$1" serve --config "$work/switchboard.toml" >"$work/server.log" 2>&1 &
  server_pid=$!
  wait_listening udp "$sip_port" || { cat "$work/server.log"; exit 1; }
  # SIGUSR1 goes to switchboard itself, not to the timeout(1) that bounds it.
  switchboard_pid=$(pgrep -P "$server_pid")
}

# anchor_to PORT: a switchboard that anchors media (20 RTP ports of its own) and routes every
# user to 127.0.0.1:PORT, started.
anchor_to() {
  local media_base
  media_base=$(( $(free_port 54000) / 2 * 2 ))
  write_config <<TOML
[media]
anchor = true
port_min = $media_base
port_max = $(( media_base + 19 ))
[[routes]]
target = "sip:\${user}@127.0.0.1:$1"
TOML
  start_switchboard "$switchboard"
}

# The test's own background processes (recorders, peers), stopped with switchboard by
# stop_all, the usual EXIT trap.
background_pids=()
stop_all() {
  for pid in "${background_pids[@]}"; do stop_pid "$pid"; done
  stop_switchboard
}

# Switchboard must stop cleanly on SIGINT: a status other than 0 fails the test, with its log.
stop_switchboard() {
  local status=0
  if [ -n "${server_pid:-}" ] && kill -INT "$server_pid" 2>/dev/null; then
    wait "$server_pid" 2>/dev/null || status=$?
  fi
  if [ "$status" -ne 0 ]; then
    echo "== switchboard exited with status $status when stopped; the last 60 lines of its log:" >&2
    tail -n 60 "$work/server.log" >&2 || true
  fi
  [ -n "${KEEP_WORK:-}" ] && rm -rf "/tmp/last-$(basename "$0" .sh)" && cp -r "$work" "/tmp/last-$(basename "$0" .sh)"
  rm -rf "$work"
  return "$status"
}

# write_config <<TOML … TOML: $work/switchboard.toml for a test on UDP 127.0.0.1:$sip_port with
# short transaction timers (64×T1 = 3.2 s), then the tables given on standard input.
write_config() {
  cat > "$work/switchboard.toml" <<TOML
data_dir = "$work/var"
[sip.timers]
t1_ms = 50
t4_ms = 200
[[sip.listen]]
transport = "udp"
address = "127.0.0.1"
port = $sip_port
TOML
  cat >> "$work/switchboard.toml"
}

# agents_may_escalate: $work/policy.toml, a policy that lets every agent-* escalate.
agents_may_escalate() {
  cat > "$work/policy.toml" <<TOML
[[rules]]
id = "agents-may-escalate"
effect = "allow"
agents = ["agent-*"]
reason = "Our agents may escalate."
TOML
}

# agent_api PORT: a configuration's [api] section on PORT, with agent-a's token ("token-a"),
# an operator's (it reads the witness log's entries).
agent_api() {
  cat <<TOML
[api]
enabled = true
port = $1
[[api.tokens]]
agent = "agent-a"
sha256 = "$(echo -n token-a | sha256sum | cut -d' ' -f1)"
admin = true
TOML
}
