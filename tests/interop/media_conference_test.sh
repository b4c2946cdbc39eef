#!/usr/bin/env bash
# A three-party conference through Switchboard's mixer with real phones: three baresip phones
# call the room "council" (a route with `conference`), one with PCMU, one with Opus and one
# with G.722, each playing its own tone (600, 1000 and 1400 Hz) and recording what it hears.
# Each recording must hold the other two tones, each at least 20 dB above what is left of the
# signal once the two tones are taken out (Goertzel, over three seconds in which all three
# are in the room), and its own tone at least 20 dB below the tones it hears. Why 20 dB: the
# two-party flows measure 35-41 dB; a tone that is missing measures below -30 dB, one's own
# tone leaking back measures near 0 dB; 20 dB leaves room for the phones' jitter buffers and
# three codecs while admitting nothing that is not clearly there. Afterwards no call, dialog,
# transaction, room or RTP port is left.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
. "$here/baresip_lib.sh"
on_exit stop_all

sip_port=$(free_port 61000)
media_base=$(( $(free_port 50000) / 2 * 2 ))

write_config <<TOML
[media]
anchor = false
port_min = $media_base
port_max = $(( media_base + 99 ))
[[routes]]
user = "^council$"
conference = "council"
TOML
start_switchboard "$switchboard"

names=(pcmu opus g722)
modules=(g711.so opus.so g722.so)
rates=(8000 48000 16000)
channels=(1 2 1)
tones=(600 1000 1400)
for i in 0 1 2; do
  port=$(free_port $(( 56000 + i * 1000 )))
  tone "$work/${names[$i]}.wav" "${tones[$i]}" "${rates[$i]}" "${channels[$i]}"
  phone "${names[$i]}" "$port" "${modules[$i]}" "$work/${names[$i]}.wav"
done
# The phones call one after another, each once the one before has joined, and stay about
# eight seconds: all three are in the room from when the last one joined until the first leaves.
joined() { grep -c "room council: call .* joined" "$work/server.log" || true; }
for i in 0 1 2; do
  timeout -k 3 20 baresip -f "$work/${names[$i]}" -e "/dial sip:council@127.0.0.1:$sip_port" \
    -t 8 >"$work/${names[$i]}.log" 2>&1 &
  background_pids+=($!)
  deadline=$((SECONDS + 10))
  until [ "$(joined)" -gt "$i" ]; do
    [ $SECONDS -lt $deadline ] || fail_with "${names[$i]} did not join the room within 10 s"
    sleep 0.05
  done
done
for pid in "${background_pids[@]}"; do wait "$pid" || true; done
background_pids=()

for i in 0 1 2; do
  grep -q "Call established" "$work/${names[$i]}.log" || fail_with "${names[$i]}: no call"
done
# joined_at CODEC: when the phone with CODEC joined, in seconds (from Switchboard's log).
joined_at() {
  local line
  line=$(grep -m 1 "room council: call .* joined ($1)" "$work/server.log") ||
    fail_with "$1 did not join"
  date -d "${line%% *}" +%s.%N
}
codecs=(PCMU opus G722)
joins=()
for i in 0 1 2; do joins+=("$(joined_at "${codecs[$i]}")"); done
last_join=$(printf '%s\n' "${joins[@]}" | sort -n | tail -n 1)
spread=$(python3 -c "print(round($last_join - ${joins[0]}, 2))")
python3 -c "import sys; sys.exit(0 if $spread <= 3 else 1)" ||
  fail_with "the phones joined $spread s apart: too far for a common window of three seconds"
check "three phones joined the room, one after another, within $spread s"

for i in 0 1 2; do
  recording=$(ls "$work/${names[$i]}"/dump-*-dec.wav)
  own=${tones[$i]}
  heard=()
  for j in 0 1 2; do [ "$j" != "$i" ] && heard+=("${tones[$j]}"); done
  # The window: three seconds from 1.5 s after the last phone joined, in this phone's recording
  # (which begins as it joins); it ends before the first phone leaves, eight seconds in.
  from=$(python3 -c "print(round($last_join - ${joins[$i]} + 1.5, 2))")
  to=$(python3 -c "print($from + 3)")
  first=$(tone_db "$recording" "${heard[0]}" "$from" "$to" "${heard[1]}" "$own")
  second=$(tone_db "$recording" "${heard[1]}" "$from" "$to" "${heard[0]}" "$own")
  # Its own tone against the quieter of the two it hears.
  own_db=$(own_tone_db "$recording" "$own" "${heard[0]}" "${heard[1]}" "$from" "$to")
  echo "${names[$i]}: hears ${heard[0]} Hz at $first dB and ${heard[1]} Hz at $second dB;" \
    "its own $own Hz is $own_db dB below the quieter"
  python3 -c "import sys; sys.exit(0 if $first >= 20 and $second >= 20 and $own_db <= -20 else 1)" ||
    fail_with "${names[$i]}: did not hear the other two clearly, or heard itself"
  check "${names[$i]}: hears the other two parties and not itself"
done

expect_idle "the conference"
grep 'stats:' "$work/server.log" | tail -n 1 |
  grep -q ' rtp_ports=0 .* conference_rooms=0 conference_participants=0 ' ||
  fail_with "rooms or RTP ports left"
grep 'stats:' "$work/server.log" | tail -n 1 | grep -o 'jitter_[a-z]*=[0-9]*' | tr '\n' ' '
echo
check "the room closed with its last participant; every port returned"
