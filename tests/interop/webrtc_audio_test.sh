#!/usr/bin/env bash
# A browser joins the call's audio: the expert is a baresip phone playing a 1400 Hz tone; headless
# Chromium opens the expert's page with ?audio=1, its fake microphone playing 700 Hz, and joins
# the escalation's room over WHIP with Opus, keyed by DTLS-SRTP. The phone must hear the page's
# tone, and the page the phone's, each 20 dB above the rest (Goertzel). Switchboard and the phone
# are in one network namespace, Chromium in the other (webrtc_lib.sh).
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
name=webrtc_audio_test
. "$here/lib.sh"
. "$here/baresip_lib.sh"
expert_uri=sip:bob@127.0.0.1:5070
. "$here/webrtc_lib.sh"
need_browser
webrtc_gateway wau 10.205.0.1 10.205.0.2 120

tone "$work/bob.wav" 1400 8000 1 40
tone "$work/page.wav" 700 48000 1
phone bob 5070 g711.so "$work/bob.wav"
in_sb timeout -k 3 60 baresip -s -f "$work/bob" -t 30 > "$work/bob.log" 2>&1 &
bob_pid=$!
on_exit 'stop_pid "$bob_pid"; cleanup'

listening "$ns_sb" 5070 || fail_with "baresip did not start"

id=$(escalate audio)
wait_until 10 'd["state"] == "answered"' "$id"
token=$(grant "$id")
page="$base/expert?escalation=$id&audio=1#grant=$token"
in_peers timeout -k 3 90 node "$browser_dir/expert_page.mjs" "$page" "$work" 60 1400 \
  "$work/page.wav" > "$work/chromium.out" 2>&1 &
peer_pid=$!
wait_for_text "$work/chromium.out" '^ACTIVE' 30 || fail_with "the page did not join"
wait_for_text "$work/server.log" 'its audio joins the room' 10 ||
  fail_with "the page's audio did not join the room"
check "Chromium joined escalation $id with its microphone"

# The page: the phone's tone in what it plays, after a second or two to settle.
for _ in $(seq 40); do
  [ "$(grep -c '^HEARS' "$work/chromium.out")" -ge 5 ] && break
  sleep 0.25
done
# The median of the last three: one window may hold a glitch of a loaded machine's audio thread.
best=$(grep '^HEARS' "$work/chromium.out" | tail -n 3 | awk '{print $3}' | sort -n | sed -n 2p)
[ -n "$best" ] || fail_with "the page measured nothing: $(tail -5 "$work/chromium.out")"
echo "the page hears the phone's 1400 Hz at $best dB (the median of its last three measures)"
python3 -c "import sys; sys.exit(0 if $best >= 20 else 1)" ||
  fail_with "the page does not hear the phone clearly: $(grep '^HEARS' "$work/chromium.out")"
check "the page hears the phone's tone at $best dB"
heard_at=$(date +%s.%N)

touch "$work/bye"
wait "$peer_pid" || fail_with "Chromium's driver failed"
peer_pid=
wait_until 10 '[p["state"] for p in d["webrtc"]] == ["closed"] and d["room_state"] == "connected"' "$id"
out=$(api DELETE "/v1/escalations/$id" "${agent[@]}")
[ "$(status_of "$out")" = 200 ] || fail_with "hang up: $out"
wait "$bob_pid" || true

# The phone: the page's tone in its recording (which begins as it answers), from 2.5 s after
# the page's audio joined (Chromium's gain control starts loud, clipping, and settles in about
# two seconds) until the page had heard the phone clearly.
recording=$(ls "$work/bob"/dump-*-dec.wav | head -n 1)
answered=$(grep -m 1 'call 1 .* answered' "$work/server.log" | cut -d' ' -f1)
joined=$(grep -m 1 'its audio joins the room' "$work/server.log" | cut -d' ' -f1)
from=$(python3 -c "print(round($(date -d "$joined" +%s.%N) - $(date -d "$answered" +%s.%N) + 2.5, 2))")
to=$(python3 -c "print(round($heard_at - $(date -d "$answered" +%s.%N), 2))")
db=$(tone_db "$recording" 700 "$from" "$to" 1400)
echo "the phone hears the page's 700 Hz at $db dB ($from-$to s into its recording)"
python3 -c "import sys; sys.exit(0 if $db >= 20 else 1)" ||
  fail_with "the phone does not hear the page clearly"
check "the phone hears the page's tone at $db dB"
expect_idle "the escalation"
