#!/usr/bin/env bash
# The H.323 → SIP gateway between real peers: the scripted H.323 peer (h323_peer.erl, on
# Erlang's own ASN.1 codec) calls 2002 with Fast Connect; the routes send a SIP call to 2002 to a
# sipp callee, so the H.323 call goes on there through a room of its own. The callee's 180 is
# the caller's Alerting and its 200 the Connect; the caller's tone crosses to the callee, whose
# sipp sends it back (-rtp_echo), and the caller must hear it. Then the caller hangs up, and the
# callee's BYE carries its Q.850 cause (RFC 3326). Nothing is left after: no SIP call or
# transaction, no H.323 call, no room.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
. "$here/h323_lib.sh"
on_exit stop_all

build_h323_peer || fail_with "the H.323 peer did not build"
sip_port=$(free_port 45000)
h323_port=$(free_port 46000)
callee_port=$(free_port 47000)
media_base=$(( $(free_port 54000) / 2 * 2 ))
write_config <<TOML
[media]
port_min = $media_base
port_max = $(( media_base + 39 ))
[h323]
enabled = true
port = $h323_port
[[routes]]
user = "^2[0-9]{3}\$"
target = "sip:\${user}@127.0.0.1:$callee_port"
TOML
start_switchboard "$switchboard"
wait_listening tcp "$h323_port" || fail_with "no H.323 listener"

timeout -k 3 30 sipp -sf "$here/scenarios/gateway_uas.xml" -i 127.0.0.1 -p "$callee_port" \
  -mp "$(( $(free_port 56000) / 2 * 2 ))" -rtp_echo -m 1 -nostdin -timeout 20s -trace_msg \
  -message_file "$work/callee.msg" >"$work/callee.out" 2>&1 &
callee=$!
background_pids+=("$callee")
wait_listening udp "$callee_port" || fail_with "the SIP callee did not start"
h323_peer call-in-audio "$h323_port" caller || true
grep -q '^ok its own tone heard back$' "$work/caller.out" ||
  fail_with "the H.323 caller did not hear its tone back"
grep -q '^done$' "$work/caller.out" || fail_with "the H.323 caller failed"
wait "$callee" || fail_with "the SIP callee failed"
expect_idle "the call"
line=$(fresh_stats)
[[ $line == *" h323_calls=0 "* && $line == *" conference_rooms=0 "* ]] ||
  fail_with "not idle: $line"
check "an H.323 caller reaches a SIP callee: Alerting, Connect, the tone both ways, BYE with its cause"
