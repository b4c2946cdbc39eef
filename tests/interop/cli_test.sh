#!/usr/bin/env bash
# The switchboard command line, end to end: --version, --help, a bad configuration (exit 2 with
# the key and line), and a clean stop on SIGTERM and on SIGINT (exit 0 within 5 s).
# Usage: cli_test.sh path/to/switchboard
set -euo pipefail

bin=${1:?usage: cli_test.sh path/to/switchboard}
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
work=$(mktemp -d)
server_pid=
cleanup() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
on_exit cleanup

failures=0
pass() { echo "ok   - $1"; }
fail() {
    echo "FAIL - $1"
    failures=$((failures + 1))
}

# --version prints "switchboard X.Y.Z" and exits 0.
if out=$(timeout 5 "$bin" --version) && [[ $out =~ ^switchboard\ [0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    pass "--version prints '$out'"
else
    fail "--version (got '${out:-}')"
fi

# --help exits 0 and lists the serve subcommand.
if out=$(timeout 5 "$bin" --help) && grep -q serve <<<"$out"; then
    pass "--help exits 0 and lists serve"
else
    fail "--help"
fi

# An unknown key stops start-up: exit 2, and stderr names the key and its line.
cat >"$work/bad.toml" <<'TOML'
data_dir = "var"

[sip]
max_headers = 100
lisen = 5
TOML
status=0
timeout 5 "$bin" serve --config "$work/bad.toml" 2>"$work/bad.err" >/dev/null || status=$?
if [[ $status -eq 2 ]] && grep -q "bad.toml:5:1: unknown key 'sip.lisen'" "$work/bad.err"; then
    pass "unknown key: exit 2, '$(head -c 60 "$work/bad.err")...'"
else
    fail "unknown key: exit $status, stderr: $(cat "$work/bad.err")"
fi

# A missing configuration file is a configuration error too.
status=0
timeout 5 "$bin" serve --config "$work/missing.toml" 2>"$work/missing.err" >/dev/null || status=$?
if [[ $status -eq 2 ]] && grep -q "missing.toml" "$work/missing.err"; then
    pass "missing config file: exit 2"
else
    fail "missing config file: exit $status, stderr: $(cat "$work/missing.err")"
fi

. "$(dirname "$0")/lib.sh"
port=$(free_port 20000)
tls_port=$(free_port 22000)
cat >"$work/good.toml" <<TOML
data_dir = "$work/var"

[[sip.listen]]
transport = "udp"
address = "127.0.0.1"
port = $port

[[sip.listen]]
transport = "tcp"
address = "127.0.0.1"
port = $port

[[sip.listen]]
transport = "tls"
address = "127.0.0.1"
port = $tls_port
TOML

# Starts serve, waits until it runs, sends the signal and expects exit 0 within 5 s.
check_signal() {
    local signal=$1 log="$work/serve-$1.log" status=0
    # timeout forwards the signal it receives to the server, and bounds the run if it never
    # stops.
    timeout -k 5 30 "$bin" serve --config "$work/good.toml" 2>"$log" >/dev/null &
    server_pid=$!
    if ! timeout 10 bash -c "until grep -q running '$log'; do sleep 0.05; done"; then
        fail "SIG$signal: server did not report running: $(cat "$log")"
        return
    fi
    kill -"$signal" "$server_pid"
    if ! timeout 5 tail --pid="$server_pid" -f /dev/null; then
        fail "SIG$signal: still running 5 s after the signal"
        return
    fi
    wait "$server_pid" || status=$?
    server_pid=
    if [[ $status -eq 0 ]] && grep -q "shutting down (SIG$signal received)" "$log"; then
        pass "SIG$signal: clean stop, exit 0 (ports $port, $tls_port)"
    else
        fail "SIG$signal: exit $status, log: $(cat "$log")"
    fi
}
check_signal TERM
check_signal INT

if [[ $failures -ne 0 ]]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
