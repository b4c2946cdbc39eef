#!/usr/bin/env bash
# A video source in an escalation's call (issue 18), with real peers: curl as the agent, sipp as
# the expert, ffmpeg as the expert's screen. The expert answers with audio; the agent brings in
# the test pattern (POST /v1/escalations/{id}/video); the room re-offers the expert's call with
# an H.264 m=video that we send; sipp answers it recvonly at the port where ffmpeg listens.
# ffmpeg must decode every frame it gets from the first (the room starts the expert at a key
# frame, which it asks the source for), each carrying the escalation's trace id and the
# expert's id in our SEI; our RTCP BYE ends ffmpeg's input when the agent hangs up. The
# refusals: no video bridge asked (403), an unknown source (400 naming the field), a second
# source (409); the expert's INFO picture_fast_update (RFC 5168) brings a key frame. Then a
# camera (an ffmpeg sending MPEG-TS over UDP) that stops while its video is in the call: the
# video leg goes degraded (its last picture sent again), the expert's call stays up, and the leg
# recovers when the camera comes back, at another size. `switchboard video sources` lists
# what an agent may name and the NDI sources an mDNS query finds.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
on_exit stop_all
agent=/usr/bin/python3

sip_port=$(free_port 41000)
api_port=$(free_port 43000)
alice_port=$(free_port 49000)
media_base=$(( $(free_port 55000) / 2 * 2 ))
screen_port=$(( $(free_port 57000) / 2 * 2 ))
belt_port=$(free_port 59000)

agents_may_escalate
cat > "$work/experts.json" <<JSON
[{"id": "alice", "sipUri": "sip:alice@127.0.0.1:$alice_port", "skills": ["cameras"], "maxConcurrent": 5}]
JSON
write_config <<TOML
[media]
port_min = $media_base
port_max = $(( media_base + 99 ))
$(agent_api "$api_port")
[escalations]
policy = "$work/policy.toml"
experts = "$work/experts.json"
ring_seconds = 10
[video]
preset = "480p"
mdns_interface = "127.0.0.1"
[[video.sources]]
name = "belt"
url = "udp://127.0.0.1:$belt_port"
TOML
# No Avahi daemon for this switchboard, whatever the machine runs (video_avahi proves that
# path): the system bus it would reach Avahi by is pointed nowhere, so our own querier answers.
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$work/no-system-bus"
start_switchboard "$switchboard"
wait_listening tcp "$api_port" || fail_with "the API did not start"
base="http://127.0.0.1:$api_port"
auth=(-H 'Authorization: Bearer token-a' -H 'Content-Type: application/json')

timeout -k 3 40 sipp -sf "$here/scenarios/expert_video_uas.xml" -i 127.0.0.1 -p "$alice_port" \
  -key video_port "$screen_port" -m 1 -nostdin -timeout 30s -trace_msg \
  -message_file "$work/alice.msg" >"$work/alice.out" 2>&1 &
alice_pid=$!
background_pids+=("$alice_pid")
wait_listening udp "$alice_port" || fail_with "sipp did not start"

# escalate BRIDGES: the escalation's id in $id, its trace in $trace.
escalate() {
  curl -s -o "$work/escalate.json" "${auth[@]}" -d "{\"id\":\"m-$RANDOM\",\"performative\":\"escalate\",\"sender\":\"agent-a\",\"payload\":{\"topic\":\"camera-3\",\"skills\":[\"cameras\"],\"reason\":\"is the belt jammed?\",\"bridges\":$1}}" \
    "$base/v1/escalations"
  id=$($agent -c "import json; print(json.load(open('$work/escalate.json'))['payload']['escalation'])")
  trace=$(curl -s "${auth[@]}" "$base/v1/escalations/$id" |
    $agent -c 'import json,sys; print(json.load(sys.stdin)["trace_id"])')
}
state_of() {
  curl -s "${auth[@]}" "$base/v1/escalations/$1" | $agent -c "import json,sys; d=json.load(sys.stdin); print($2)"
}
post_video() { # ID BODY: the status; the body in $work/video.json
  curl -s -o "$work/video.json" -w '%{http_code}' "${auth[@]}" -d "$2" "$base/v1/escalations/$1/video"
}

escalate '["sip","video"]'
for _ in $(seq 100); do [ "$(state_of "$id" "d['state']")" = answered ] && break; sleep 0.1; done
[ "$(state_of "$id" "d['state']")" = answered ] || fail_with "alice did not answer"

# The expert's screen: ffmpeg at the port sipp's answer will give.
cat > "$work/screen.sdp" <<SDP
v=0
o=- 0 0 IN IP4 127.0.0.1
s=the expert's screen
c=IN IP4 127.0.0.1
t=0 0
m=video $screen_port RTP/AVP 96
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1
SDP
# One decoding thread: with frame threads, a picture is shown a frame or two after the next one
# is decoded, so damage to the last picture (cut by the hang-up) would be logged before the
# pictures it followed, and read as damage earlier in the call.
timeout -s INT -k 5 40 ffmpeg -nostdin -nostats -hide_banner -loglevel info -analyzeduration 300000 \
  -buffer_size 4194304 -protocol_whitelist file,udp,rtp -threads 1 -i "$work/screen.sdp" \
  -vf showinfo -f null - \
  >"$work/screen.ffmpeg.log" 2>&1 &
screen_pid=$!
background_pids+=("$screen_pid")
wait_listening udp "$screen_port" || fail_with "ffmpeg did not listen"

status=$(post_video "$id" '{"source":"no-such-camera"}')
[ "$status" = 400 ] && grep -q '"field":"/source"' "$work/video.json" ||
  fail_with "an unknown source: $status $(cat "$work/video.json")"
status=$(post_video "$id" '{"source":"pattern"}')
[ "$status" = 201 ] || fail_with "the video was not added: $status $(cat "$work/video.json")"
status=$(post_video "$id" '{"source":"pattern"}')
[ "$status" = 409 ] || fail_with "a second source: $status $(cat "$work/video.json")"
check "the test pattern added (201); an unknown source 400 naming /source; a second one 409"

for _ in $(seq 100); do
  [ "$(state_of "$id" "d.get('video', [{}])[0].get('state')")" = active ] && break
  sleep 0.1
done
[ "$(state_of "$id" "d['video'][0]['state']")" = active ] || fail_with "the video leg is not active"
wait_for_text "$work/alice.msg" "m=video [1-9][0-9]* RTP/AVP 96" 10 ||
  fail_with "alice was not offered the video"
# RFC 6184 §8.1: the profile the stream has (without it an offer means Baseline, level 1.0).
grep -q "a=fmtp:96 packetization-mode=1;profile-level-id=42e028" "$work/alice.msg" ||
  fail_with "the video's offer does not name its profile: $(grep -a 'a=fmtp' "$work/alice.msg")"
check "the room re-offered alice's call with the video (H.264 Constrained Baseline, level 4.0), and the video leg is active"

sleep 3 # three seconds of pictures on alice's screen, then two at 720p
[ "$(curl -s -o "$work/preset.json" -w '%{http_code}' -X PATCH "${auth[@]}" -d '{"preset":"4k"}' \
  "$base/v1/escalations/$id/video")" = 400 ] && grep -q '"field":"/preset"' "$work/preset.json" ||
  fail_with "a preset we lack: $(cat "$work/preset.json")"
[ "$(curl -s -o "$work/preset.json" -w '%{http_code}' -X PATCH "${auth[@]}" -d '{"preset":"720p"}' \
  "$base/v1/escalations/$id/video")" = 200 ] || fail_with "the preset change: $(cat "$work/preset.json")"
sleep 2
[ "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "${auth[@]}" "$base/v1/escalations/$id")" = 200 ] ||
  fail_with "the hang-up failed"
wait "$alice_pid" || fail_with "alice's call did not go as expected"
# The room's RTCP BYE on the video stream ends ffmpeg's input.
wait "$screen_pid" || true
# Damage anywhere but in the last picture (the hang-up may cut it in flight) fails the test.
python3 - "$work/screen.ffmpeg.log" <<'PY' >&2 || fail_with "ffmpeg found damage in what alice received"
import re, sys
lines = open(sys.argv[1], errors="replace").read().splitlines()
frames = [i for i, l in enumerate(lines) if re.search(r"Parsed_showinfo.* n: *[0-9]", l)]
damage = [i for i, l in enumerate(lines)
          if re.search(r"concealing|error while decoding|non-existing PPS|no frame!|corrupt", l, re.I)]
early = [lines[i] for i in damage if len(frames) < 2 or i < frames[-2]]
print("\n".join(early))
sys.exit(1 if early else 0)
PY
decoded=$(grep -c "Parsed_showinfo.* n: *[0-9]" "$work/screen.ffmpeg.log" || true)
[ "${decoded:-0}" -ge 75 ] || fail_with "alice's screen decoded only ${decoded:-0} frames in 5 s"
python3 "$here/video_showinfo.py" "$work/screen.ffmpeg.log" "$decoded" 854x480,1280x720 "$trace" \
  alice >&2 || fail_with "alice's frames do not carry the escalation's metadata"
check "alice's screen decoded $decoded frames from the first, each with trace $trace and expert alice"
check "mid-call, PATCH …/video {\"preset\":\"720p\"}: 854x480 at 1 Mb/s, then 1280x720 at 2.5 Mb/s, every frame decoded; \"4k\": 400 naming /preset"
# Key frames: the first (asked for when alice joined), and one for alice's INFO a second on
# (RFC 5168); without it the next would come two seconds on (the encoder's key frame interval).
keys=$(python3 - "$work/screen.ffmpeg.log" <<'PY'
import re, sys
print(" ".join(m.group(1) for m in re.finditer(r"pts_time:([0-9.]+) .*iskey:1", open(sys.argv[1]).read())))
PY
)
python3 -c "import sys; k=[float(x) for x in sys.argv[1:]]; sys.exit(0 if k and k[0] < 0.1 and any(0.8 < t < 1.7 for t in k) else 1)" $keys ||
  fail_with "alice's picture_fast_update brought no key frame: key frames at $keys s"
check "alice's screen began at a key frame, and her INFO picture_fast_update brought another (at $keys s)"

# A camera that stops and comes back. The expert's call: the same scenario, with the screen
# ignored this time (ffmpeg's reading of it was proven above).
camera() { # SIZE
  timeout -k 3 60 ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi \
    -i "testsrc2=size=$1:rate=30" -c:v libx264 -preset ultrafast -tune zerolatency \
    -f mpegts "udp://127.0.0.1:$belt_port?pkt_size=1316" >>"$work/camera.out" 2>&1 &
  camera_pid=$!
  background_pids+=("$camera_pid")
}
video_state() { state_of "$id" "d.get('video', [{}])[-1].get('state')"; }
wait_video() { # STATE SECONDS
  for _ in $(seq $(( $2 * 10 ))); do [ "$(video_state)" = "$1" ] && return 0; sleep 0.1; done
  return 1
}
timeout -k 3 60 sipp -sf "$here/scenarios/expert_video_uas.xml" -i 127.0.0.1 -p "$alice_port" \
  -key video_port "$screen_port" -m 1 -nostdin -timeout 50s -trace_msg \
  -message_file "$work/alice-belt.msg" >"$work/alice-belt.out" 2>&1 &
alice_pid=$!
background_pids+=("$alice_pid")
wait_listening udp "$alice_port" || fail_with "sipp did not start for the camera"
escalate '["sip","video"]'
for _ in $(seq 100); do [ "$(state_of "$id" "d['state']")" = answered ] && break; sleep 0.1; done
camera 640x360
status=$(post_video "$id" '{"source":"belt"}')
[ "$status" = 201 ] || fail_with "the camera was not added: $status $(cat "$work/video.json")"
wait_video active 15 || fail_with "the camera's leg is $(video_state), not active"
kill "$camera_pid"
wait_video degraded 15 || fail_with "the camera stopped, and its leg is $(video_state)"
[ "$(state_of "$id" "d['state']")" = answered ] ||
  fail_with "the camera's loss ended the escalation"
check "the camera stopped: its video leg degraded, the expert's call still up"
camera 1280x720 # back at another size: its pictures are scaled to the preset's as before
wait_video active 20 || fail_with "the camera came back, and its leg is $(video_state)"
check "the camera came back, at 1280x720 rather than 640x360: its video leg recovered"
curl -s -o /dev/null -X DELETE "${auth[@]}" "$base/v1/escalations/$id"
stop_pid "$camera_pid"
wait "$alice_pid" || fail_with "alice's call with the camera did not go as expected"

# The sources an agent may name, and an NDI sender's announcement found by our mDNS querier
# (a responder standing for it).
python3 "$here/mdns_responder.py" "TESTHOST (Belt Camera)" 5961 20 >"$work/responder.out" 2>&1 &
background_pids+=($!)
wait_for_text "$work/responder.out" listening 10 || fail_with "the mDNS responder did not start"
"$switchboard" video sources --url "$base" --token token-a --agent agent-a --wait 1000 \
  >"$work/sources.json" || fail_with "video sources failed: $(cat "$work/sources.json")"
$agent - "$work/sources.json" <<'PY' || fail_with "video sources: $(cat "$work/sources.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["sources"] == [{"name": "pattern", "kind": "pattern"}, {"name": "belt", "kind": "ffmpeg"}], d
assert d["discovered"] == [{"name": "TESTHOST (Belt Camera)", "source": "ndi:TESTHOST (Belt Camera)",
                            "host": "testhost.local", "port": 5961, "address": "127.0.0.1",
                            "via": "mdns"}], d
PY
check "video sources: the pattern and belt, and the NDI sender found by mDNS, named as NDI writes it"
[ "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$base/v1/video/sources?wait_ms=9999")" = 400 ] ||
  fail_with "a wait of 9999 ms was not refused"

# An escalation that did not ask for video may not have it.
timeout -k 3 30 sipp -sf "$here/scenarios/expert_answers_uas.xml" -i 127.0.0.1 -p "$alice_port" \
  -m 1 -nostdin -timeout 20s >"$work/alice2.out" 2>&1 &
background_pids+=($!)
wait_listening udp "$alice_port" || fail_with "sipp did not start again"
escalate '["sip"]'
for _ in $(seq 100); do [ "$(state_of "$id" "d['state']")" = answered ] && break; sleep 0.1; done
status=$(post_video "$id" '{"source":"pattern"}')
[ "$status" = 403 ] || fail_with "video without the video bridge: $status $(cat "$work/video.json")"
curl -s -o /dev/null -X DELETE "${auth[@]}" "$base/v1/escalations/$id"
check "an escalation without the video bridge: 403"
