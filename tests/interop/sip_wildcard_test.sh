#!/usr/bin/env bash
# A listener on 0.0.0.0 with peers that are not on loopback: Switchboard runs in a network
# namespace whose only outside address is on a veth pair, the sipp caller and callee in another.
# The callee's responses follow our Via and its BYE our Contact, so the call completes only if
# both carry the veth address (RFC 3261 §18.1.1), not 127.0.0.1. Then an advertised name in
# their place.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/netns_lib.sh"
server_pid=
stop_server() {
  [ -n "${switchboard_pid:-}" ] && kill -INT "$switchboard_pid" 2>/dev/null
  [ -n "$server_pid" ] && { wait "$server_pid" 2>/dev/null || true; }
  server_pid=
}
cleanup() {
  set +e
  stop_server
  netns_delete
  if [ -n "${KEEP_WORK:-}" ]; then cp -r "$work" /tmp/last-sip_wildcard_test; fi
  rm -rf "$work"
}
on_exit cleanup

sb_ip=10.202.0.1
peer_ip=10.202.0.2
netns_pair wild "$sb_ip" "$peer_ip"
sip_port=5060
bob_port=5090

. "$here/b2bua_lib.sh" # fail_with, expect_idle

# serve [ADVERTISE]: Switchboard on UDP 0.0.0.0:5060 in its namespace.
serve() {
  cat > "$work/switchboard.toml" <<TOML
data_dir = "$work/var"
[sip.timers]
t1_ms = 50
t4_ms = 200
[[sip.listen]]
transport = "udp"
address = "0.0.0.0"
port = $sip_port
${1:+advertise = \"$1\"}
[[routes]]
target = "sip:\${user}@$peer_ip:$bob_port"
TOML
  serve_in_sb "$switchboard" 60
}

# call NAME: the callee hangs up, so its BYE must find our Contact.
call() {
  in_peers timeout -k 3 30 sipp -sf "$here/scenarios/call_callee_bye_uas.xml" -i "$peer_ip" \
    -p "$bob_port" -m 1 -nostdin -timeout 20s -trace_msg -message_file "$work/$1-uas.msg" \
    >"$work/$1-uas.out" 2>&1 &
  local uas_pid=$!
  listening "$ns_peers" "$bob_port"
  in_peers timeout -k 3 30 sipp -sf "$here/scenarios/call_callee_bye_uac.xml" \
    "$sb_ip:$sip_port" -s bob -i "$peer_ip" -p 5070 -m 1 -nostdin -timeout 20s \
    -trace_msg -message_file "$work/$1-uac.msg" >"$work/$1-uac.out" 2>&1 ||
    fail_with "$1: the caller failed"
  wait "$uas_pid" || fail_with "$1: the callee failed"
  expect_idle "$1"
}

serve
call wildcard
grep -q "^Via: SIP/2.0/UDP $sb_ip:$sip_port;" "$work/wildcard-uas.msg" ||
  fail_with "the callee did not see our veth address in Via"
grep -q "^Contact: <sip:sb@$sb_ip:$sip_port>" "$work/wildcard-uas.msg" ||
  fail_with "the callee did not see our veth address in Contact"
check "a wildcard listener advertises the address its peers reach it on"
stop_server

# An advertised host goes into Via and Contact as given: a name here (sipp answers to the
# Via's received address and sends its BYE where the call came from, so it needs no DNS).
serve switchboard.test
call advertised
grep -q "^Via: SIP/2.0/UDP switchboard.test:$sip_port;" "$work/advertised-uas.msg" ||
  fail_with "the advertised host is not in Via"
grep -q "^Contact: <sip:sb@switchboard.test:$sip_port>" "$work/advertised-uas.msg" ||
  fail_with "the advertised host is not in Contact"
check "an advertised host goes into Via and Contact"
