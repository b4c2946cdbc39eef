#!/usr/bin/env bash
# The gateway with a gatekeeper, between real peers. Two Switchboards: the gatekeeper (its own
# gatekeeper role on RAS port 1719, a gateway too) and the gateway, registered with it as an
# external gatekeeper. The scripted H.323 peer (h323_peer.erl) registers with the gatekeeper
# as "room"; the routes of both send 4xxx to h323:room, an alias that only a gatekeeper can
# locate, 3xxx to h323:nobody, and 5xxx to an address (where nothing listens).
# 1. External gatekeeper: a sipp caller dials 4002 at the gateway, whose ARQ is confirmed with
#    the peer's address; the call goes there and the tone crosses both ways. When it ends the
#    gateway disengages (DRQ): the gatekeeper keeps no call and no bandwidth.
#    Then baresip dials 4003 the same way, and it and the peer each hear the other's tone.
# 2. Our own gatekeeper: the same, dialled at the gatekeeper Switchboard, which admits its own
#    call and locates the peer itself.
# 3. An arriving call is admitted before it is answered (ARQ with answerCall): the peer calls
#    2002 at the gateway, which no route takes: its echo room sends the tone back.
# 4. An alias no one registered: ARJ calledPartyNotRegistered, 480 with Q.850 cause 20.
# 5. A fault: the gatekeeper stops answering (SIGSTOP) while a caller dials 5001. After three
#    ARQs the caller gets 504 with cause 102, and nothing is left; when the gatekeeper answers
#    again, it admits the call late, which is disengaged at once; and the next call goes
#    through.
# After each call nothing is left on either Switchboard: no SIP call or transaction, no H.323
# call, no room, no admitted call. The test runs in a network namespace of its own, where a
# capture of everything is read by tshark: every RAS, H.225.0 and H.245 message, none
# malformed, and the RAS messages these steps must send.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/h323_lib.sh"
in_own_namespace "$@"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
. "$here/baresip_lib.sh"
stop_gatekeeper() {
  [ -n "${gatekeeper_pid:-}" ] || return 0
  kill -CONT "$gatekeeper_sb" 2>/dev/null || true
  kill "$gatekeeper_pid" 2>/dev/null && wait "$gatekeeper_pid" 2>/dev/null
  return 0
}
on_exit 'stop_gatekeeper; stop_all'

build_h323_peer || fail_with "the H.323 peer did not build"
ras_port=1719
peer_port=$(free_port 46000)

# routed_config SIP_PORT H323_PORT MEDIA_BASE ALIAS [GATEKEEPER]: a switchboard's
# configuration.
routed_config() {
  sip_port=$1 write_config <<TOML
[media]
port_min = $3
port_max = $(( $3 + 39 ))
[h323]
enabled = true
port = $2
alias = "$4"
ras_port = $ras_port
gatekeeper = "${5:-}"
[[routes]]
user = "^4[0-9]{3}\$"
target = "h323:room"
[[routes]]
user = "^3[0-9]{3}\$"
target = "h323:nobody"
[[routes]]
user = "^5[0-9]{3}\$"
target = "h323:\${user}@127.0.0.1:1722"
TOML
}

# The gatekeeper Switchboard, then the gateway registered with it.
gatekeeper_sip=$(free_port 45000)
routed_config "$gatekeeper_sip" 1721 40000 switchboard
sed -i "s|^data_dir = .*|data_dir = \"$work/gatekeeper-var\"|" "$work/switchboard.toml"
mv "$work/switchboard.toml" "$work/gatekeeper.toml"
timeout -k 3 150 "$switchboard" serve --config "$work/gatekeeper.toml" >"$work/gatekeeper.log" 2>&1 &
gatekeeper_pid=$!
wait_listening udp "$ras_port" || fail_with "the gatekeeper did not start"
gatekeeper_sb=$(pgrep -P "$gatekeeper_pid")

sip_port=$(free_port 47000)
routed_config "$sip_port" 1720 41000 gateway "127.0.0.1:$ras_port"
start_switchboard "$switchboard"
capture_start
wait_for_text "$work/server.log" "registered with the gatekeeper at 127.0.0.1:$ras_port" ||
  fail_with "the gateway did not register with the gatekeeper"

# idle NAME: nothing of the calls is left on either Switchboard; the gatekeeper keeps no call.
idle() {
  expect_gateway_idle "$1"
  local line deadline=$((SECONDS + 10))
  [[ $(fresh_stats) == *" h323_admitted=0 "* ]] || fail_with "$1: the gateway keeps an admission"
  while :; do
    line=$(fresh_stats "$work/gatekeeper.log" "$gatekeeper_sb")
    [[ $line == *" calls=0 "*" h323_calls=0 h323_admitted=0 "*" gatekeeper_calls=0 gatekeeper_bandwidth=0 "* ]] &&
      return 0
    [ $SECONDS -lt $deadline ] || fail_with "$1: the gatekeeper is not idle: $line"
    sleep 0.2
  done
}

# sip_call SCENARIO SIP_PORT NAME: a sipp caller dials 4002 (or $service) at SIP_PORT.
sip_call() {
  local port
  port=$(free_port 37000)
  timeout -k 3 40 sipp -sf "$here/scenarios/$1.xml" "127.0.0.1:$2" -s "${service:-4002}" \
    -i 127.0.0.1 -p "$port" -mp "$(( $(free_port 56000) / 2 * 2 ))" -rtp_echo -m 1 -nostdin \
    -timeout 30s -trace_msg -message_file "$work/$3.msg" >"$work/$3.out" 2>&1 ||
    fail_with "$3: the SIP caller failed"
}

# located_call SIP_PORT NAME: the peer registers as "room" and is called through SIP_PORT.
located_call() {
  h323_peer call-out-audio "$peer_port" "$2-peer" "$ras_port" room &
  local peer=$!
  background_pids+=("$peer")
  wait_listening tcp "$peer_port" || fail_with "$2: the H.323 peer did not listen"
  sip_call gateway_uac "$1" "$2"
  wait "$peer" || true
  grep -q '^done$' "$work/$2-peer.out" || fail_with "$2: the H.323 peer failed"
  grep -q '^ok its own tone heard back$' "$work/$2-peer.out" ||
    fail_with "$2: the H.323 peer did not hear its tone back"
}

# phone_call SIP_PORT NAME: baresip (G.711 µ-law) dials 4003 at SIP_PORT; the peer, registered
# as "room", answers; each plays its tone and must hear the other's, not its own.
phone_call() {
  local name=$2 peer
  tone "$work/$name.wav" 1400 8000 1
  phone "$name" "$(free_port 48000)" g711.so "$work/$name.wav"
  mkdir -p "$work/$name-peer"
  H323_PEER_TONE=600 H323_PEER_SECONDS=6 H323_PEER_RECORD="$work/$name-peer/heard.wav" \
    h323_peer call-out-tone "$peer_port" "$name-peer" "$ras_port" room &
  peer=$!
  background_pids+=("$peer")
  wait_listening tcp "$peer_port" || fail_with "$name: the H.323 peer did not listen"
  timeout -k 3 25 baresip -4 -n 127.0.0.1 -f "$work/$name" -e "/dial sip:4003@127.0.0.1:$1" \
    -t 9 >"$work/$name.log" 2>&1 || true
  wait "$peer" || true
  grep -q '^done$' "$work/$name-peer.out" ||
    fail_with "$name: the H.323 peer failed: $(cat "$work/$name-peer.out")"
  hears_the_other "$name: the H.323 peer" "$work/$name-peer/heard.wav" 1400 600
  hears_the_other "$name: the phone" "$(ls "$work/$name"/dump-*-dec.wav | head -n 1)" 600 1400
}

located_call "$sip_port" external
idle "the call through the external gatekeeper"
check "a SIP caller reaches an H.323 alias located by an external gatekeeper (ARQ, ACF, DRQ)"
phone_call "$sip_port" external-phone
idle "the phone's call through the external gatekeeper"
check "baresip and the H.323 peer through an external gatekeeper: each hears the other, not itself"

located_call "$gatekeeper_sip" own
idle "the call through our own gatekeeper"
check "a SIP caller reaches an H.323 alias located by our own gatekeeper"
phone_call "$gatekeeper_sip" own-phone
idle "the phone's call through our own gatekeeper"
check "baresip and the H.323 peer through our own gatekeeper: each hears the other, not itself"

h323_peer call-in-audio 1720 answering || true
grep -q '^ok its own tone heard back$' "$work/answering.out" ||
  fail_with "the arriving H.323 call was not answered: $(cat "$work/answering.out")"
idle "the arriving call"
check "an arriving H.323 call is admitted (ARQ with answerCall) before it is answered"

service=3001 sip_call gateway_unlocated_uac "$sip_port" unlocated
idle "the unlocated call"
check "an alias no one registered: ARJ, and 480 to the SIP caller with Reason: Q.850;cause=20"

kill -STOP "$gatekeeper_sb"
service=5001 sip_call gateway_unadmitted_uac "$sip_port" unadmitted
expect_gateway_idle "the unadmitted call"
kill -CONT "$gatekeeper_sb"
idle "the late admission"
check "a gatekeeper that stops answering: 504 with Q.850 cause 102; its late admission disengaged"

located_call "$sip_port" recovered
idle "the call after the gatekeeper came back"
check "once the gatekeeper answers again, calls go through"

capture_check
ras() { tshark -r "$work/capture.pcap" -Y "$1" 2>/dev/null | wc -l; }
[ "$(ras 'h225.admissionRequest_element && h225.answerCall == 1')" -ge 1 ] ||
  fail_with "no ARQ with answerCall in the capture"
[ "$(ras 'h225.admissionReject_element && h225.calledPartyNotRegistered_element')" -ge 1 ] ||
  fail_with "no ARJ calledPartyNotRegistered in the capture"
[ "$(ras 'h225.disengageRequest_element')" -ge 5 ] && [ "$(ras 'h225.disengageConfirm_element')" -ge 5 ] ||
  fail_with "fewer than five DRQ and DCF in the capture"
check "tshark reads the RAS of these calls: ARQ (one with answerCall), ACF, ARJ, DRQ, DCF"
