#!/usr/bin/env bash
# DTMF between RFC 4733 and SIP INFO through Switchboard, with sipp on both legs: the caller
# has telephone-event, the callee does not. The callee sends the digit 5 as an INFO
# (application/dtmf-relay); Switchboard answers it and sends the caller the digit as RFC 4733
# events, which a recorder at the caller's media port checks (a marked start, the end bit three
# times, one timestamp, under one SSRC). The caller plays sipp's recorded digit 1 as RFC 4733
# events; the callee must receive it as an INFO with Signal=1.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
on_exit stop_all

sip_port=$(free_port 45500)
bob_port=$(free_port 47500)
caller_media=$(( $(free_port 52500) / 2 * 2 ))
anchor_to "$bob_port"

# The recorder: the RFC 4733 packets (payload type 101) that reach the caller's media port.
python3 "$here/rfc4733_events.py" record "$caller_media" "$work/events.txt" 10 &
recorder_pid=$!
background_pids+=("$recorder_pid")
# The call starts once the recorder listens: a slow interpreter start must not lose packets.
wait_listening udp "$caller_media" || fail_with "the recorder did not start"

timeout -k 3 30 sipp -sf "$here/scenarios/dtmf_info_uas.xml" -i 127.0.0.1 -p "$bob_port" \
  -mp "$(( $(free_port 58500) / 2 * 2 ))" -m 1 -nostdin -timeout 20s \
  -trace_msg -message_file "$work/uas.msg" >"$work/uas.out" 2>&1 &
uas_pid=$!
background_pids+=("$uas_pid")
wait_listening udp "$bob_port"
caller_port=$(free_port 37500)
timeout -k 3 30 sipp -sf "$here/scenarios/dtmf_rtp_uac.xml" "127.0.0.1:$sip_port" -s bob \
  -key rtp_sink "$caller_media" -i 127.0.0.1 -p "$caller_port" \
  -mp "$(( $(free_port 56500) / 2 * 2 ))" -m 1 -nostdin -timeout 20s \
  -trace_msg -message_file "$work/uac.msg" >"$work/uac.out" 2>&1 || fail_with "the caller failed"
wait "$uas_pid" || fail_with "the callee did not get the digit 1 as an INFO"
check "RFC 4733 → INFO: the caller's recorded digit 1 reaches the callee as Signal=1"
wait "$recorder_pid" || true

python3 "$here/rfc4733_events.py" check "$work/events.txt" 5 800 ||
  fail_with "the INFO's digit did not reach the caller as RFC 4733 events (100 ms: 800 ticks)"
check "INFO → RFC 4733: the callee's INFO reaches the caller as telephone-events"
expect_idle "the DTMF call"
grep 'stats:' "$work/server.log" | tail -n 1 | grep -q ' media_sessions=0 rtp_ports=0 ' ||
  fail_with "media sessions or RTP ports left"
check "no call, media session or RTP port left"
