#!/usr/bin/env bash
# The gateway between a real SIP phone and an H.323 endpoint, both directions, with tones
# heard both ways: baresip (G.711 µ-law, passed through; G.722, transcoded by the room to the
# peer's µ-law, then passed through to the peer speaking G.722 itself; Opus, transcoded to and
# from the peer speaking G.729) and the scripted H.323 peer (h323_peer.erl, Fast Connect; its
# G.722 is ffmpeg's encoding of its tone, its G.729 bcg729's, and ffmpeg decodes what it
# receives in either), each playing its own tone and recording what it hears. A call passed
# through is one whose room links the two legs "relayed as they are"; a transcoded one,
# "transcoded".
# 1. baresip dials 2002, which a route sends to the H.323 peer;
# 2. the H.323 peer dials 3003, which a route sends to baresip (it answers by itself).
# In each recording the other's tone must stand 20 dB above the rest of the signal (Goertzel,
# over three seconds of the call), and its own tone must not come back (20 dB below the other's). After
# each call nothing is left. The test runs in a network namespace of its own, where tshark reads
# every H.225.0 and H.245 message of the capture, none malformed.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/h323_lib.sh"
in_own_namespace "$@"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
. "$here/baresip_lib.sh"
on_exit stop_all

build_h323_peer || fail_with "the H.323 peer did not build"
sip_port=$(free_port 41000)
h323_port=$(free_port 46000)
peer_port=$(free_port 47000)
phone_port=$(free_port 48000)
media_base=$(( $(free_port 50000) / 2 * 2 ))
write_config <<TOML
[media]
port_min = $media_base
port_max = $(( media_base + 99 ))
[h323]
enabled = true
port = $h323_port
ras_port = 0
[[routes]]
user = "^2[0-9]{3}\$"
target = "h323:\${user}@127.0.0.1:$peer_port"
[[routes]]
user = "^3[0-9]{3}\$"
target = "sip:phone@127.0.0.1:$phone_port"
TOML
SB_SERVE_SECONDS=300 start_switchboard "$switchboard" # seven calls of about 12 s each
capture_start
wait_listening tcp "$h323_port" || fail_with "no H.323 listener"

peer_tone=600
phone_tone=1400
# call NAME CODEC-MODULE RATE DIRECTION [PEER-CODEC]: one call, the phone with CODEC-MODULE at
# RATE Hz; DIRECTION "out" (the phone dials the peer) or "in" (the peer dials the phone); the
# peer speaks PEER-CODEC, pcmu (by default), g722 or g729.
call() {
  local name=$1 module=$2 rate=$3 direction=$4 peer_codec=${5:-pcmu} peer phone record
  local channels=1
  [ "$module" = opus.so ] && channels=2 # baresip's source must match opus/48000/2
  tone "$work/$name.wav" "$phone_tone" "$rate" "$channels"
  phone "$name" "$phone_port" "$module" "$work/$name.wav"
  # The account the route to 3xxx calls, whatever the call's folder is named.
  echo "<sip:phone@127.0.0.1:$phone_port>;regint=0;answermode=auto" >"$work/$name/accounts"
  mkdir -p "$work/$name-peer"
  record=$work/$name-peer/dump-peer-dec.wav
  [ "$peer_codec" = pcmu ] || record=$work/$name-peer/received.$peer_codec
  export H323_PEER_TONE=$peer_tone H323_PEER_SECONDS=6 H323_PEER_DIAL=3003 \
    H323_PEER_RECORD=$record H323_PEER_CODEC=$peer_codec \
    H323_PEER_ENCODED=$work/peer-tone.$peer_codec
  if [ "$direction" = out ]; then
    h323_peer call-out-tone "$peer_port" "$name-peer" &
    peer=$!
    wait_listening tcp "$peer_port" || fail_with "$name: the H.323 peer did not listen"
    timeout -k 3 25 baresip -4 -n 127.0.0.1 -f "$work/$name" \
      -e "/dial sip:2002@127.0.0.1:$sip_port" -t 9 >"$work/$name.log" 2>&1 || true
  else
    timeout -k 3 25 baresip -4 -n 127.0.0.1 -f "$work/$name" -t 11 >"$work/$name.log" 2>&1 &
    phone=$!
    wait_listening udp "$phone_port" || fail_with "$name: the phone did not start"
    h323_peer call-in-tone "$h323_port" "$name-peer" &
    peer=$!
    wait "$phone" || true
  fi
  wait "$peer" || true
  grep -q '^done$' "$work/$name-peer.out" ||
    fail_with "$name: the H.323 peer failed: $(cat "$work/$name-peer.out")"
  grep -q "Call established" "$work/$name.log" || fail_with "$name: the phone had no call"
  if [ "$peer_codec" != pcmu ]; then
    ffmpeg -v error -y -f "$peer_codec" -i "$record" "$work/$name-peer/dump-peer-dec.wav" ||
      fail_with "$name: ffmpeg cannot decode the $peer_codec the peer received"
  fi
  hears_the_other "$name: the H.323 peer" "$work/$name-peer/dump-peer-dec.wav" "$phone_tone" "$peer_tone"
  hears_the_other "$name: the phone" "$(ls "$work/$name"/dump-*-dec.wav | head -n 1)" "$peer_tone" \
    "$phone_tone"
  expect_gateway_idle "$name"
}

call pcmu-out g711.so 8000 out
check "baresip (PCMU, passed through) calls the H.323 peer: each hears the other, not itself"
call pcmu-in g711.so 8000 in
check "the H.323 peer calls baresip (PCMU, passed through): each hears the other, not itself"
call g722-out g722.so 16000 out
check "baresip (G.722, transcoded to µ-law) calls the H.323 peer: each hears the other, not itself"

# both_ways NAME CODEC-MODULE RATE PEER-CODEC HOW: a call each way, whose rooms must link the
# two legs HOW ("relayed as they are", "transcoded").
both_ways() {
  local before
  before=$(grep -c "linked ($5)" "$work/server.log" || true)
  call "$1-in" "$2" "$3" in "$4"
  call "$1-out" "$2" "$3" out "$4"
  [ "$(grep -c "linked ($5)" "$work/server.log")" -ge $((before + 2)) ] ||
    fail_with "$1: not $5 both ways: $(grep 'linked (' "$work/server.log" | tail -n 2)"
}

# The peer's own G.722: its tone encoded by ffmpeg (G.722 at 16 kHz, 64 kbit/s).
ffmpeg -v error -y -f lavfi -i "sine=frequency=$peer_tone:sample_rate=16000:duration=8" \
  -c:a g722 -f g722 "$work/peer-tone.g722" || fail_with "ffmpeg cannot encode G.722"
both_ways g722-pass g722.so 16000 g722 "relayed as they are"
check "G.722 passed through both ways between baresip and the H.323 peer: each hears the other, not itself"

# The peer's own G.729 (bcg729's), against the phone's Opus: transcoded both ways.
python3 "$here/g729_tone.py" "$peer_tone" 8 "$work/peer-tone.g729" ||
  fail_with "bcg729 cannot encode G.729"
both_ways opus-g729 opus.so 48000 g729 transcoded
check "Opus ↔ G.729 transcoded both ways between baresip and the H.323 peer: each hears the other, not itself"

capture_check
check "every H.225.0 and H.245 message of these calls is read by tshark, none malformed"
