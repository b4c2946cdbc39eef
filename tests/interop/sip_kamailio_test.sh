#!/usr/bin/env bash
# Switchboard with Kamailio (a transaction-stateful, record-routing proxy), both ways round:
#   1. Kamailio as Switchboard's outbound proxy: sipp → Switchboard → Kamailio → sipp callee.
#      The callee sees Kamailio's Record-Route; Switchboard's ACK and BYE follow the route set
#      (RFC 3261 §12.2.1.1), and so does the callee's BYE back to Switchboard.
#   2. Kamailio in front of Switchboard: sipp caller → Kamailio → Switchboard → sipp callee,
#      a basic call whose ACK and BYE follow Kamailio's Record-Route, and a CANCEL.
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

# start_kamailio PORT NEXT-URI NAME: Kamailio with our proxy.cfg, bounded, probed with OPTIONS.
start_kamailio() {
  mkdir -p "$work/$3"
  timeout -k 3 150 kamailio -DD -E -f "$here/kamailio/proxy.cfg" -Y "$work/$3" -m 64 -M 8 \
    -A "LISTEN=udp:127.0.0.1:$1" ${2:+-A "NEXT=\"$2\""} >"$work/$3.log" 2>&1 &
  kamailio_pids+=($!)
  local deadline=$((SECONDS + 10)) probe_port
  probe_port=$(free_port 59000)
  until timeout -k 1 3 sipp -sf "$here/scenarios/ping.xml" "127.0.0.1:$1" -i 127.0.0.1 \
    -p "$probe_port" -m 1 -nostdin -timeout 2s >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { cat "$work/$3.log"; fail_with "$3 did not start"; }
    sleep 0.1
  done
}

write_config <<TOML
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

run_flow "Kamailio as outbound proxy: ACK and BYE follow its Record-Route" \
  call_basic_uac kam_callee "$bob_port"
run_flow "Kamailio as outbound proxy: the callee's BYE comes back through it" \
  call_callee_bye_uac kam_callee_bye "$bob_port"

# Kamailio in front: the caller talks to Kamailio, which record-routes and relays to us; the
# callee ("front") is reached directly.
front_flow() { # NAME CALLER CALLEE
  callee "$3" "$bob_port" "front-$3" &
  local pid=$!
  wait_listening udp "$bob_port"
  local port
  port=$(free_port 37000)
  timeout -k 3 30 sipp -sf "$here/scenarios/$2.xml" "127.0.0.1:$front_port" -s front \
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
