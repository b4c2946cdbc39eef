#!/usr/bin/env bash
# A room that grows from two parties to three, with real phones: baresip phones a and b (both
# PCMU, playing 600 and 1000 Hz) call the room "pair"; while only they are in it, the room links
# their streams (their packets relayed as they are: nothing decoded, no mixer running); phone c
# (PCMU, 1400 Hz) joins 2.5 seconds later and the room moves to mixing. In a window of the
# linked phase, a and b each hear the other's tone at least 20 dB above the rest (the same bar
# as media_conference_test.sh); in a window of the mixing phase, each of the three hears the
# other two. The room's counters show packets relayed and none transcoded while linked, mixer
# ticks once mixing, and the two moves; afterwards no call, room or RTP port is left.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
. "$here/baresip_lib.sh"
on_exit stop_all

sip_port=$(free_port 61500)
media_base=$(( $(free_port 50500) / 2 * 2 ))

write_config <<TOML
[media]
anchor = false
port_min = $media_base
port_max = $(( media_base + 99 ))
[[routes]]
user = "^pair$"
conference = "pair"
TOML
start_switchboard "$switchboard"

names=(a b c)
tones=(600 1000 1400)
# Each phone plays its 8-second tone and hangs up when it ends; c stays five seconds, all of
# them while a and b are still there.
stay=(8 8 5)
for i in 0 1 2; do
  port=$(free_port $(( 53000 + i * 1000 )))
  tone "$work/${names[$i]}.wav" "${tones[$i]}" 8000 1
  phone "${names[$i]}" "$port" g711.so "$work/${names[$i]}.wav"
done
joined() { grep -c "room pair: call .* joined" "$work/server.log" || true; }
dial() { # INDEX: the phone calls the room and the test waits until it has joined
  timeout -k 3 25 baresip -f "$work/${names[$1]}" -e "/dial sip:pair@127.0.0.1:$sip_port" \
    -t "${stay[$1]}" >"$work/${names[$1]}.log" 2>&1 &
  background_pids+=($!)
  local deadline=$((SECONDS + 10))
  until [ "$(joined)" -gt "$1" ]; do
    [ $SECONDS -lt $deadline ] || fail_with "${names[$1]} did not join the room within 10 s"
    sleep 0.05
  done
}
dial 0
dial 1
sleep 2.5
dial 2
for pid in "${background_pids[@]}"; do wait "$pid" || true; done
background_pids=()
for i in 0 1 2; do
  grep -q "Call established" "$work/${names[$i]}.log" || fail_with "${names[$i]}: no call"
done
grep -q "room pair: .* linked (relayed as they are), no mixer" "$work/server.log" ||
  fail_with "the two parties were not linked"
grep -q "room pair: mixing, 3 in the room" "$work/server.log" ||
  fail_with "the room did not move to mixing when the third party joined"
# The phones carry no trace; the room makes one for its log lines.
grep -qE "trace=[0-9a-f]{32} room pair: leg" "$work/server.log" ||
  fail_with "the room's log lines carry no trace id"

joined_at=()
for i in 0 1 2; do
  joined_at+=("$(at "room pair: call .* joined (PCMU), $((i + 1)) in the room")")
done
linked_at=$(at "room pair: .* linked")
mixing_at=$(at "room pair: mixing, 3 in the room")

# Linked: from 0.7 s after the link for 1.5 s (c joins 2.5 s after b).
linked_from=$(python3 -c "print($linked_at + 0.7)")
linked_to=$(python3 -c "print($linked_at + 2.2)")
hears 0 "$linked_from" "$linked_to" 1000
hears 1 "$linked_from" "$linked_to" 600
check "two parties, linked: a and b hear each other through a relay"
# Mixing: from 1 s after the move for 2.5 s (a and b leave about 5.5 s after it).
mixed_from=$(python3 -c "print($mixing_at + 1)")
mixed_to=$(python3 -c "print($mixing_at + 3.5)")
hears 0 "$mixed_from" "$mixed_to" 1000 1400
hears 1 "$mixed_from" "$mixed_to" 600 1400
hears 2 "$mixed_from" "$mixed_to" 600 1000
check "a third party joined: the room mixes and each hears the other two"

expect_idle "the room"
stats=$(grep 'stats:' "$work/server.log" | tail -n 1)
field() { sed -n "s/.* $1=\([0-9]*\) .*/\1/p" <<<"$stats"; }
relayed=$(field conference_relayed)
transcoded=$(field conference_transcoded)
ticks=$(field conference_ticks)
moves=$(field conference_moves)
echo "room counters: relayed=$relayed transcoded=$transcoded ticks=$ticks moves=$moves"
[ "$relayed" -gt 150 ] && [ "$transcoded" = 0 ] && [ "$ticks" -gt 100 ] && [ "$moves" -ge 3 ] ||
  fail_with "the room's counters do not show linking, then mixing (moves: link, mix, link...)"
[[ $stats == *" rtp_ports=0 "*" conference_rooms=0 conference_participants=0 "* ]] ||
  fail_with "rooms or RTP ports left"
check "relayed $relayed packets while linked, none transcoded, $ticks mixer ticks; nothing left"
