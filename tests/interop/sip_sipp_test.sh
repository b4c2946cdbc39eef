#!/usr/bin/env bash
# sipp (a real SIP peer) against `switchboard serve`: OPTIONS over UDP and TCP, on IPv4 and
# IPv6 (RFC 5118), gets 200 with
# Allow and Supported; a malformed request gets 400 naming the bad header; an unhandled method
# gets 501. TLS is checked with `openssl s_client`, since Debian's sipp has no TLS.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill -INT "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "${KEEP_WORK:-}" ] && cp -r "$work" /tmp/last-sip_sipp_test
  rm -rf "$work"
}
on_exit cleanup

sip_port=$(free_port 21000)
tls_port=$(free_port 23000)
cat > "$work/switchboard.toml" <<TOML
data_dir = "$work/var"
[sip]
message_timeout_ms = 500
max_message_bytes = 4096
max_line_bytes = 2048
[[sip.listen]]
transport = "udp"
address = "127.0.0.1"
port = $sip_port
[[sip.listen]]
transport = "tcp"
address = "127.0.0.1"
port = $sip_port
[[sip.listen]]
transport = "udp"
address = "::1"
port = $sip_port
[[sip.listen]]
transport = "tcp"
address = "::1"
port = $sip_port
[[sip.listen]]
transport = "tls"
address = "127.0.0.1"
port = $tls_port
TOML

timeout -k 3 120 "$switchboard" serve --config "$work/switchboard.toml" >"$work/server.log" 2>&1 &
server_pid=$!
{ wait_listening udp "$sip_port" && wait_listening tcp "$sip_port" &&
  wait_listening tcp "$tls_port"; } || { cat "$work/server.log"; exit 1; }

run_sipp() { # scenario transport(u1|t1) calls [local address]
  local scenario=$1 transport=$2 calls=$3 local=${4:-127.0.0.1} port target
  port=$(free_port 25000)
  target="$local:$sip_port"
  [[ $local == *:* ]] && target="[$local]:$sip_port"
  timeout -k 3 40 sipp -sf "$here/scenarios/$scenario.xml" "$target" -i "$local" \
    -p "$port" -t "$transport" -m "$calls" -r 50 -timeout 20s -nostdin -trace_err \
    -error_file "$work/sipp-$scenario-$transport.err" >"$work/sipp.out" 2>&1 || {
    echo "not ok - sipp $scenario over $transport"; cat "$work/sipp-$scenario-$transport.err" 2>/dev/null
    tail -20 "$work/server.log"; return 1; }
  check "sipp $scenario over $transport to $target: $calls of $calls answered as expected"
}

run_sipp options u1 20
run_sipp options t1 20
run_sipp options u1 10 ::1
run_sipp options t1 10 ::1
run_sipp malformed u1 5
run_sipp malformed t1 5
run_sipp unknown_method u1 5

# TLS (sips): one OPTIONS over a TLS connection made by openssl s_client.
options="OPTIONS sip:probe@127.0.0.1:$tls_port;transport=tls SIP/2.0\r
Via: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bKtls1\r
From: <sip:probe@127.0.0.1>;tag=1\r
To: <sip:probe@127.0.0.1>\r
Call-ID: tls-probe-1\r
CSeq: 1 OPTIONS\r
Max-Forwards: 70\r
Content-Length: 0\r
\r
"
# The input stays open until the answer has arrived (at most 10 s); its end then ends s_client.
{ printf '%b' "$options"; wait_for_text "$work/tls.out" '^SIP/2.0 ' 10 || true; } |
  timeout -k 3 15 openssl s_client -connect "127.0.0.1:$tls_port" -quiet -no_ign_eof \
    >"$work/tls.out" 2>"$work/tls.err" || true
grep -q "^SIP/2.0 200 OK" "$work/tls.out" || {
  echo "not ok - OPTIONS over TLS"; cat "$work/tls.out" "$work/tls.err"; tail -20 "$work/server.log"; exit 1; }
grep -q "^Call-ID: tls-probe-1" "$work/tls.out"
check "OPTIONS over TLS (openssl s_client) answered 200"

# True when the server closes the connection on fd 3 within $1 seconds. A close with unread
# bytes arrives as a reset rather than an end of file, so only the time-out (124) counts.
closed_within() {
  local status=0
  timeout "$1" cat <&3 >/dev/null 2>&1 || status=$?
  [ "$status" -ne 124 ]
}

# A TCP peer that starts a message and never finishes it is cut off after message_timeout_ms.
exec 3<>"/dev/tcp/127.0.0.1/$sip_port"
printf 'OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999' >&3
if ! closed_within 5; then
  echo "not ok - slow TCP peer was not cut off within 5 s"; exit 1
fi
exec 3<&-
check "a TCP peer that never finishes its message is cut off"

# Over TCP, a request that cannot be framed is answered from the headers received, then its
# connection is closed: no Content-Length → 400 naming it (RFC 3261 §18.3), over
# max_message_bytes → 513.
probe_headers="OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKtcp1\r
From: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:probe@127.0.0.1>\r\nCall-ID: tcp-probe\r\nCSeq: 1 OPTIONS\r\n"
stream_answer() { # bytes-to-send-command expected-status-line-prefix description
  exec 3<>"/dev/tcp/127.0.0.1/$sip_port"
  eval "$1" >&3 2>/dev/null || true
  local status=0
  timeout 5 cat <&3 >"$work/stream.out" 2>/dev/null || status=$?
  exec 3<&-
  if [ "$status" -eq 124 ] || ! head -1 "$work/stream.out" | grep -q "^$2"; then
    echo "not ok - $3: got '$(head -1 "$work/stream.out")'"; exit 1
  fi
  grep -q "^Call-ID: tcp-probe" "$work/stream.out"
  check "$3: $(head -1 "$work/stream.out" | tr -d '\r'), connection closed"
}
stream_answer "printf '%b\r\n' \"\$probe_headers\"" \
  "SIP/2.0 400 Bad Request (Content-Length" "TCP request without Content-Length"
stream_answer "{ printf '%bContent-Length: 5000\r\n\r\n' \"\$probe_headers\"; head -c 5000 /dev/zero; }" \
  "SIP/2.0 513 " "TCP request over max_message_bytes"

# Still answering after all of the above.
run_sipp options u1 5

# The server is still alive after all of it, and stops cleanly on SIGTERM.
kill -0 "$server_pid"
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=
check "server stopped cleanly on SIGTERM"
