#!/usr/bin/env bash
# Switchboard with Kamailio (a transaction-stateful, record-routing proxy), both ways round:
#   1. Kamailio as Switchboard's outbound proxy: sipp → Switchboard → Kamailio → sipp callee.
#      The callee sees Kamailio's Record-Route; Switchboard's ACK and BYE follow the route set
#      (RFC 3261 §12.2.1.1), and so does the callee's BYE back to Switchboard.
#   2. Kamailio in front of Switchboard: sipp caller → Kamailio → Switchboard → sipp callee,
#      a basic call whose ACK and BYE follow Kamailio's Record-Route, and a CANCEL.
#   3. The same over TCP, where the connection Kamailio opened to us closes (our idle timeout)
#      before the callee answers: our 200 goes over a connection of ours to the Via's sent-by
#      (RFC 3261 §18.2.2), and the callee's BYE to the Record-Route's address (§12.2.1.1), not
#      to the closed connection's port.
# After each flow no call, dialog or transaction is left in Switchboard.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
kamailio_pids=()
cleanup() {
  for pid in "${kamailio_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${kamailio_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_switchboard
}
on_exit cleanup

sip_port=$(free_port 51000)
bob_port=$(free_port 53000)
outbound_port=$(free_port 55000) # Kamailio behind Switchboard
front_port=$(free_port 57000)    # Kamailio in front of Switchboard
tcp_front_port=$(free_port 58000) # the same, over TCP
plain_front_port=$(free_port 56000) # in front, not record-routing

# start_kamailio PORT NEXT-URI NAME [tcp|no-record-route]: Kamailio with our proxy.cfg (on TCP
# too, or out of the dialogs, when told), bounded, probed with OPTIONS.
start_kamailio() {
  mkdir -p "$work/$3"
  local extra=()
  case "${4:-}" in
  tcp) extra=(-A "LISTEN_TCP=tcp:127.0.0.1:$1") ;;
  no-record-route) extra=(-A NO_RECORD_ROUTE) ;;
  esac
  timeout -k 3 150 kamailio -DD -E -f "$here/kamailio/proxy.cfg" -Y "$work/$3" -m 64 -M 8 \
    -A "LISTEN=udp:127.0.0.1:$1" "${extra[@]}" \
    ${2:+-A "NEXT=\"$2\""} >"$work/$3.log" 2>&1 &
  kamailio_pids+=($!)
  local deadline=$((SECONDS + 10)) probe_port
  probe_port=$(free_port 59000)
  until timeout -k 1 3 sipp -sf "$here/scenarios/ping.xml" "127.0.0.1:$1" -i 127.0.0.1 \
    -p "$probe_port" -m 1 -nostdin -timeout 2s >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { cat "$work/$3.log"; fail_with "$3 did not start"; }
    sleep 0.1
  done
}

# TCP too, and connections that carry nothing for a second are closed, logged (flow 3).
write_config <<TOML
[log.modules]
sip = "debug"
[sip]
idle_timeout_s = 1
[[sip.listen]]
transport = "tcp"
address = "127.0.0.1"
port = $sip_port
[[routes]]
user = "^front\$"
target = "sip:front@127.0.0.1:$bob_port"
[[routes]]
target = "sip:\${user}@127.0.0.1:$bob_port"
outbound_proxy = "sip:127.0.0.1:$outbound_port"
TOML
start_switchboard "$switchboard"
start_kamailio "$outbound_port" "" kamailio-outbound
start_kamailio "$front_port" "sip:127.0.0.1:$sip_port" kamailio-front
start_kamailio "$tcp_front_port" "sip:127.0.0.1:$sip_port;transport=tcp" kamailio-tcp tcp
start_kamailio "$plain_front_port" "sip:127.0.0.1:$sip_port" kamailio-plain no-record-route

run_flow "Kamailio as outbound proxy: ACK and BYE follow its Record-Route" \
  call_basic_uac kam_callee "$bob_port"
run_flow "Kamailio as outbound proxy: the callee's BYE comes back through it" \
  call_callee_bye_uac kam_callee_bye "$bob_port"

# Kamailio in front: the caller talks to Kamailio, which record-routes and relays to us; the
# callee ("front") is reached directly.
front_flow() { # NAME CALLER CALLEE [KAMAILIO PORT]
  callee "$3" "$bob_port" "front-$3" &
  local pid=$!
  wait_listening udp "$bob_port"
  local port
  port=$(free_port 37000)
  timeout -k 3 30 sipp -sf "$here/scenarios/$2.xml" "127.0.0.1:${4:-$front_port}" -s front \
    -i 127.0.0.1 -p "$port" -m 1 -nostdin -timeout 20s -trace_msg \
    -default_behaviors all,-abortunexp \
    -message_file "$work/front-$2.msg" >"$work/front-$2.out" 2>&1 ||
    fail_with "$1: the caller failed"
  wait "$pid" || fail_with "$1: the callee failed"
  expect_idle "$1"
  check "$1"
}
front_flow "Kamailio in front: a basic call through Kamailio and Switchboard" \
  call_basic_uac call_basic_uas
grep -q "Record-Route: <sip:127.0.0.1:$front_port;lr" "$work/front-call_basic_uac.msg" ||
  fail_with "the caller did not see Kamailio's Record-Route"
check "the caller's dialog is record-routed by the front Kamailio"
# Kamailio answers the CANCEL itself and relays our 487 from another process: the two can
# arrive in either order, which the loss-tolerant caller accepts.
front_flow "Kamailio in front: CANCEL crosses Kamailio and Switchboard" \
  loss_cancel_uac call_cancel_uas
# Through a Kamailio that does not record-route, the callee hangs up: our BYE to the caller goes
# to its Contact (§12.2.1.1), not to Kamailio, where the INVITE came from (which answers 404).
front_flow "Kamailio in front, not record-routing: the callee's BYE reaches the caller at its Contact" \
  call_callee_bye_uac call_callee_bye_uas "$plain_front_port"

# Over TCP: the callee answers after 2.5 s, by when the connection Kamailio opened to us for
# the INVITE has been idle for more than a second and is closed, then hangs up.
name="Kamailio over TCP in front: a call answered and ended after Kamailio's connection closed"
sed '0,/<send/s//<pause milliseconds="2500"\/>\n  <send/' \
  "$here/scenarios/call_callee_bye_uas.xml" >"$work/late_bye_uas.xml"
timeout -k 3 30 sipp -sf "$work/late_bye_uas.xml" -i 127.0.0.1 -p "$bob_port" -m 1 -nostdin \
  -timeout 20s -trace_msg -message_file "$work/tcp-callee.msg" >"$work/tcp-callee.out" 2>&1 &
callee_pid=$!
wait_listening udp "$bob_port"
port=$(free_port 37000)
timeout -k 3 30 sipp -sf "$here/scenarios/call_callee_bye_uac.xml" "127.0.0.1:$tcp_front_port" \
  -s front -t t1 -i 127.0.0.1 -p "$port" -m 1 -nostdin -timeout 20s -trace_msg \
  -message_file "$work/tcp-caller.msg" >"$work/tcp-caller.out" 2>&1 ||
  fail_with "$name: the caller failed"
wait "$callee_pid" || fail_with "$name: the callee failed"
grep -q "closing idle TCP connection" "$work/server.log" ||
  fail_with "$name: our connection from Kamailio was not closed while the call was up"
expect_idle "$name"
check "$name"
