#!/usr/bin/env bash
# A council of two H.323 room systems and one SIP phone, mixed N−1 in one room. The room
# "council" is both a conference route (the baresip phone dials sip:council, G.722 at 16 kHz)
# and where arriving H.323 calls go ([h323] conference). The phone plays 1000 Hz; then two
# scripted H.323 peers (h323_peer.erl, G.711 µ-law, Fast Connect) call in at once, playing 600
# and 1400 Hz, and each records what the room sends it. In a window of three seconds in which
# all three are in the room, each recording must hold the other two tones, each 20 dB above the
# rest of the signal, and its own tone 20 dB below the quieter of those (the thresholds of
# media_conference_test.sh, which argues them). Afterwards nothing is left: no call, no room,
# no port. The test runs in a network namespace of its own, where tshark reads every H.225.0
# and H.245 message of the capture, none malformed.
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
media_base=$(( $(free_port 50000) / 2 * 2 ))
write_config <<TOML
[media]
port_min = $media_base
port_max = $(( media_base + 99 ))
[h323]
enabled = true
port = $h323_port
ras_port = 0
conference = "council"
[[routes]]
user = "^council\$"
conference = "council"
TOML
start_switchboard "$switchboard"
capture_start
wait_listening tcp "$h323_port" || fail_with "no H.323 listener"

names=(h323-a h323-b phone)
tones=(600 1400 1000)
tone "$work/phone.wav" 1000 16000 1 12
phone phone "$(free_port 56000)" g722.so "$work/phone.wav"
timeout -k 3 25 baresip -4 -n 127.0.0.1 -f "$work/phone" -e "/dial sip:council@127.0.0.1:$sip_port" -t 12 \
  >"$work/phone.log" 2>&1 &
background_pids+=($!)
deadline=$((SECONDS + 10))
until grep -q "room council: call .* joined (G722)" "$work/server.log"; do
  [ $SECONDS -lt $deadline ] || fail_with "the phone did not join the council within 10 s"
  sleep 0.05
done

# council_member N: the H.323 peer names[N] calls in with its tone for six seconds.
council_member() {
  mkdir -p "$work/${names[$1]}"
  H323_PEER_TONE=${tones[$1]} H323_PEER_SECONDS=6 \
    H323_PEER_RECORD="$work/${names[$1]}/dump-peer-dec.wav" \
    h323_peer call-in-tone "$h323_port" "${names[$1]}"
}
council_member 0 &
first=$!
council_member 1 || true
wait "$first" || true
for i in 0 1; do
  grep -q '^done$' "$work/${names[$i]}.out" ||
    fail_with "${names[$i]}: the H.323 member failed: $(cat "$work/${names[$i]}.out")"
done
wait "${background_pids[-1]}" || true
grep -q "Call established" "$work/phone.log" || fail_with "the phone had no call"
check "two H.323 members and a SIP phone met in the council"

# Each recording begins as its member joins: the phone's at its join, the H.323 members' at
# theirs (they call at once; the earlier join stands for both). All three are in from the
# later H.323 join, for the six seconds of the members' tones.
members=$(grep "room council: call .* joined (PCMU)" "$work/server.log" | head -n 2)
[ "$(wc -l <<<"$members")" = 2 ] || fail_with "two H.323 members did not join: $members"
first_member=$(date -d "$(head -n 1 <<<"$members" | cut -d' ' -f1)" +%s.%N)
all_in=$(date -d "$(tail -n 1 <<<"$members" | cut -d' ' -f1)" +%s.%N)
joined_at=("$first_member" "$first_member" "$(at "room council: call .* joined (G722)")")
from=$(python3 -c "print($all_in + 1.5)")
to=$(python3 -c "print($all_in + 4.5)")
for i in 0 1 2; do
  heard=()
  for j in 0 1 2; do [ "$j" != "$i" ] && heard+=("${tones[$j]}"); done
  hears "$i" "$from" "$to" "${heard[@]}"
  recording=$(ls "$work/${names[$i]}"/dump-*-dec.wav | head -n 1)
  own_db=$(own_tone_db "$recording" "${tones[$i]}" "${heard[@]}" \
    "$(python3 -c "print(round($from - ${joined_at[$i]}, 2))")" \
    "$(python3 -c "print(round($to - ${joined_at[$i]}, 2))")")
  python3 -c "import sys; sys.exit(0 if $own_db <= -20 else 1)" ||
    fail_with "${names[$i]} hears its own ${tones[$i]} Hz at $own_db dB against the others"
  check "${names[$i]} hears the other two and not itself (its own tone $own_db dB below)"
done

expect_gateway_idle "the council"
line=$(fresh_stats)
[[ $line == *" rtp_ports=0 "* ]] || fail_with "RTP ports left: $line"
check "the council closed with its last member: no call, no room, no port is left"

capture_check
check "every H.225.0 and H.245 message of the council is read by tshark, none malformed"
