# Shared helpers for the interop tests: free ports, starting switchboard, waiting for sockets.
# Every peer is bounded by coreutils `timeout` and stopped by its PID; traffic stays on loopback.

# A free port in [base, base+2000) (base at most 63000): probes every UDP and TCP socket with
# ss, not only listeners: a port in the kernel's ephemeral range may be the local port of
# another test's connection (or its TIME_WAIT), and a peer that binds it then fails.
free_port() {
  # Below 65000, so that a phone's ports derived from it (baresip_lib.sh's phone: up to +120)
  # are ports too; a base near the top moves down. A base in the kernel's ephemeral range
  # (32768 and up) is folded below it (12000 + half the distance from 32000): a port that is
  # free now could otherwise be taken by another test's outgoing connection before it is
  # bound (EADDRINUSE), which tests running side by side made happen.
  local base=$(( ${1:-20000} < 63000 ? ${1:-20000} : 63000 )) span=2000 port
  if [ "$base" -ge 32000 ]; then base=$(( 12000 + (base - 32000) / 2 )); span=1000; fi
  for _ in $(seq 1 200); do
    port=$((base + RANDOM % span))
    if ! ss -Haun "sport = :$port" | grep -q . && ! ss -Hatn "sport = :$port" | grep -q .; then
      echo "$port"
      return 0
    fi
  done
  echo "no free port near $base" >&2
  return 1
}

# wait_listening udp|tcp PORT [seconds]
wait_listening() {
  local proto=$1 port=$2 deadline=$((SECONDS + ${3:-10})) flag=-Hltn
  [ "$proto" = udp ] && flag=-Hlun
  while [ $SECONDS -lt $deadline ]; do
    ss $flag "sport = :$port" | grep -q . && return 0
    sleep 0.05
  done
  echo "nothing listening on $proto port $port" >&2
  return 1
}

check() { echo "ok - $*"; }

# wait_for_text FILE PATTERN [SECONDS]: until FILE has a line matching PATTERN (grep -E), at
# most SECONDS (10); fails when it does not come.
wait_for_text() {
  local deadline=$((SECONDS + ${3:-10}))
  until grep -qE "$2" "$1" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

# stop_pid PID: ends a background peer and reaps it, quietly; nothing when PID is empty.
stop_pid() {
  [ -n "${1:-}" ] || return 0
  kill "$1" 2>/dev/null || true # it may have ended already
  wait "$1" 2>/dev/null || true
}

# show_logs_on_failure STATUS: after a failed test (STATUS is not 0), the last 60 lines of every
# log in $work — Switchboard's and each peer's it started (sipp, baresip, Kamailio, dnsmasq…) —
# so that ctest's output says why, and last the reason given to fail_with, if any. Peers write
# their logs into $work for this.
show_logs_on_failure() {
  [ "$1" -ne 0 ] && [ -n "${work:-}" ] && [ -d "$work" ] || return 0
  local log
  echo "== $(basename "$0") failed (exit $1); the last 60 lines of each log:" >&2
  while IFS= read -r log; do
    echo "==== ${log#"$work"/} (its last 60 lines)" >&2
    tail -n 60 "$log" >&2
  done < <(find "$work" -type f \( -name '*.log' -o -name '*.out' -o -name '*.err' \
    -o -name '*.msg' \) | sort)
  echo "== $(basename "$0") failed (exit $1)${failed_because:+: $failed_because}" >&2
}

# on_exit COMMAND...: the test's EXIT trap; on failure the logs are shown before COMMAND (the
# clean-up) removes them.
on_exit() {
  # shellcheck disable=SC2064 # COMMAND is fixed now, on purpose
  trap "show_logs_on_failure \$?; $*" EXIT
}
