#!/usr/bin/env bash
# SIGTERM drains (issue 19): with a call in progress between two sipp phones, Switchboard, run
# as systemd runs a Type=notify service (NOTIFY_SOCKET, a datagram socket this test reads),
# is sent SIGTERM. It tells the service manager STOPPING=1; /readyz says 503 "draining"; an
# OPTIONS probe (what Kamailio's dispatcher sends) and a new INVITE get 503 with Retry-After;
# the call in progress goes on until its caller hangs up, and then Switchboard exits 0. Again
# with drain_s = 2 and a call that would last 30 s: Switchboard hangs it up after two seconds
# and exits.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
on_exit stop_all

sip_port=$(free_port 41000)
api_port=$(free_port 43000)
bob_port=$(free_port 45000)
alice_port=$(free_port 47000)

# The service manager's end of NOTIFY_SOCKET: each notification, a line.
cat > "$work/notify.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    with open(sys.argv[2], "a") as out:
        out.write(s.recv(4096).decode().replace("\n", " ") + "\n")
PY
# A request outside any call, and the status line of its answer.
cat > "$work/ask.py" <<'PY'
import socket, sys, uuid
method, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(3)
me = s.getsockname()[1]
tag, call = uuid.uuid4().hex[:8], uuid.uuid4().hex
s.sendto((f"{method} sip:bob@127.0.0.1:{port} SIP/2.0\r\n"
          f"Via: SIP/2.0/UDP 127.0.0.1:{me};branch=z9hG4bK{uuid.uuid4().hex}\r\n"
          f"Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag={tag}\r\n"
          f"To: <sip:bob@127.0.0.1>\r\nCall-ID: {call}\r\nCSeq: 1 {method}\r\n"
          f"Contact: <sip:probe@127.0.0.1:{me}>\r\nContent-Length: 0\r\n\r\n").encode(),
         ("127.0.0.1", port))
while True:
    answer = s.recv(65536).decode()
    status = answer.split("\r\n")[0]
    if not status.startswith("SIP/2.0 1"):
        retry = [l for l in answer.split("\r\n") if l.lower().startswith("retry-after:")]
        print(status, *retry)
        break
PY

# drained DRAIN_S CALL_MS: a switchboard with drain_s, a call of CALL_MS between sipp phones,
# SIGTERM once it is answered. Sets $drain_started (when SIGTERM went) and $uac_pid.
drained() {
  write_config <<TOML
[calls]
drain_s = $1
$(agent_api "$api_port")
[[routes]]
target = "sip:\${user}@127.0.0.1:$bob_port"
TOML
  rm -f "$work/notify.sock" "$work/notify.log"
  touch "$work/notify.log"
  timeout -k 3 60 python3 "$work/notify.py" "$work/notify.sock" "$work/notify.log" &
  background_pids+=($!)
  for _ in $(seq 50); do [ -S "$work/notify.sock" ] && break; sleep 0.05; done
  NOTIFY_SOCKET="$work/notify.sock" start_switchboard "$switchboard"
  wait_for_text "$work/notify.log" "READY=1" 10 || fail_with "no READY=1 from Switchboard"
  timeout -k 3 60 sipp -sn uas -i 127.0.0.1 -p "$bob_port" -m 1 -nostdin \
    >"$work/bob.out" 2>&1 &
  background_pids+=($!)
  wait_listening udp "$bob_port" || fail_with "sipp (bob) did not start"
  timeout -k 3 60 sipp -sn uac "127.0.0.1:$sip_port" -s bob -i 127.0.0.1 -p "$alice_port" \
    -m 1 -d "$2" -nostdin >"$work/alice.out" 2>&1 &
  uac_pid=$!
  background_pids+=("$uac_pid")
  wait_for_text "$work/server.log" "answered: " 10 || fail_with "the call was not answered"
  drain_started=$(date +%s.%N)
  kill -TERM "$switchboard_pid"
  wait_for_text "$work/server.log" "SIGTERM received: draining" 5 || fail_with "no drain began"
}

drained 10 4000
wait_for_text "$work/notify.log" "STOPPING=1" 5 || fail_with "no STOPPING=1: $(cat "$work/notify.log")"
ready=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$api_port/readyz")
[[ $ready == "draining"*" 503" ]] || fail_with "/readyz while draining: $ready"
options=$(python3 "$work/ask.py" OPTIONS "$sip_port")
invite=$(python3 "$work/ask.py" INVITE "$sip_port")
[[ $options == "SIP/2.0 503 "*"Retry-After: "* ]] || fail_with "OPTIONS while draining: $options"
[[ $invite == "SIP/2.0 503 "*"Retry-After: "* ]] || fail_with "INVITE while draining: $invite"
check "draining: STOPPING=1, /readyz 503, OPTIONS and a new INVITE get 503 with Retry-After"
wait "$uac_pid" || fail_with "the call in progress did not end well: $(tail -5 "$work/alice.out")"
status=0
wait "$server_pid" || status=$?
[ "$status" = 0 ] || fail_with "Switchboard exited $status"
grep -q "shutting down (SIGTERM received: drained)" "$work/server.log" ||
  fail_with "Switchboard did not say it drained"
check "the call went on to its caller's BYE; then Switchboard exited 0, drained"
server_pid=
for pid in "${background_pids[@]}"; do stop_pid "$pid"; done
background_pids=()
mv "$work/server.log" "$work/server-1.log"

drained 2 30000
status=0
wait "$server_pid" || status=$?
took=$(python3 -c "import time; print(round(time.time() - $drain_started, 1))")
[ "$status" = 0 ] || fail_with "Switchboard exited $status"
grep -q "drain_s is over, hanging up 1 call" "$work/server.log" ||
  fail_with "Switchboard did not hang up at the drain's end: $(tail -3 "$work/server.log")"
python3 -c "import sys; sys.exit(0 if 1.5 <= $took <= 6 else 1)" ||
  fail_with "the drain of 2 s took $took s"
check "with drain_s = 2, a long call was hung up and Switchboard exited after $took s"
