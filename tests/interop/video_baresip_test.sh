#!/usr/bin/env bash
# A baresip expert with video (issue 18): baresip (its avcodec module decodes H.264, fakevideo
# stands for a screen, snapshot saves what it shows) answers an escalation's call with audio;
# the agent brings in the test pattern; the room re-offers the call with the video, which
# baresip takes, decodes, and saves a frame of on command: a PNG of the preset's size. The
# expert's calls must be SRTP ([media] srtp = "required", baresip's srtp-mand): the audio and
# the video are each SDES-keyed (RFC 4568), so a picture saved proves the video's SRTP.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
. "$here/baresip_lib.sh"
. "$here/video_lib.sh"
on_exit stop_all
agent=/usr/bin/python3

sip_port=$(free_port 41000)
api_port=$(free_port 43000)
expert_port=$(free_port 49000)
console_port=$(free_port 51000)
media_base=$(( $(free_port 55000) / 2 * 2 ))

agents_may_escalate
cat > "$work/experts.json" <<JSON
[{"id": "bob", "sipUri": "sip:bob@127.0.0.1:$expert_port", "skills": ["cameras"]}]
JSON
write_config <<TOML
[media]
port_min = $media_base
port_max = $(( media_base + 99 ))
srtp = "required"
$(agent_api "$api_port")
[escalations]
policy = "$work/policy.toml"
experts = "$work/experts.json"
ring_seconds = 10
[video]
preset = "480p"
TOML
start_switchboard "$switchboard"
wait_listening tcp "$api_port" || fail_with "the API did not start"
base="http://127.0.0.1:$api_port"

# The expert's phone: audio from a file, video shown on fakevideo, snapshots on command.
tone "$work/tone.wav" 440 8000 1 30
phone bob "$expert_port" g711.so "$work/tone.wav" srtp-mand
cat >> "$work/bob/config" <<CONF
module avcodec.so
module fakevideo.so
module snapshot.so
module cons.so
cons_listen 127.0.0.1:$console_port
video_display fakevideo,nil
video_source fakevideo,nil
CONF
(cd "$work/bob" && exec timeout -k 3 60 baresip -f "$work/bob" >"$work/bob.out" 2>&1) &
background_pids+=($!)
wait_listening udp "$expert_port" || fail_with "baresip did not start"

escalate_with_video pattern
check "bob answered with audio; the test pattern joined the room"

# Two seconds of pictures, then a snapshot of what bob's screen shows.
sleep 2
png=$work/bob/screen.png
for _ in $(seq 20); do # baresip's console (cons) on UDP: the snapshot module's command
  python3 -c "import socket,sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'/snapshot_recv ' + sys.argv[1].encode() + b'\\n', ('127.0.0.1', $console_port))" "$png"
  sleep 0.5
  [ -s "$png" ] && break
done
[ -s "$png" ] || fail_with "bob's baresip saved no snapshot of the video"
size=$(python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(24); print('%dx%d' % struct.unpack('>II', d[16:24]))" "$png")
[ "$size" = 854x480 ] || fail_with "bob's snapshot is $size, not 854x480"
for stream in audio video; do
  grep -q "$stream: SRTP AES_CM_128_HMAC_SHA1_80" "$work/server.log" ||
    fail_with "no SRTP on bob's $stream"
done
check "bob's baresip decoded the H.264 (SRTP, keyed apart from the audio's) and saved a snapshot of it: $size"
curl -s -o /dev/null -X DELETE "${auth[@]}" "$base/v1/escalations/$id"
