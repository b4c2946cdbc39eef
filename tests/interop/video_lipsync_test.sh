#!/usr/bin/env bash
# Lip sync (issue 18): a clip whose white flash and 1 kHz beep coincide, once a second, is an
# escalation's video source; the room hears its sound (the source's audio joins the room's
# mix) and relays its pictures. The expert's phone is sipp, and its screen and speaker one
# ffmpeg, which receives the call's audio and video through an SDP and puts them in sync by our
# RTCP sender reports (RFC 3550 §6.4.1), as a phone would. The offset between each flash and
# its beep, as ffmpeg presents them, is measured and must stay within ±45 ms (EBU R37).
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
. "$here/video_lib.sh"
on_exit stop_all
agent=/usr/bin/python3

sip_port=$(free_port 41000)
api_port=$(free_port 43000)
alice_port=$(free_port 49000)
media_base=$(( $(free_port 55000) / 2 * 2 ))
speaker_port=$(( $(free_port 57000) / 2 * 2 ))
screen_port=$(( $(free_port $(( speaker_port + 2 ))) / 2 * 2 ))

# The clip: 30 s of grey with a white flash, and silence with a 1 kHz beep, for the first
# 100 ms of every second (the sine in 1 ms frames, so that the beep starts on the millisecond).
ffmpeg -nostdin -v error \
  -f lavfi -i "color=c=0x202020:s=640x360:r=30:d=30,drawbox=c=white:t=fill:enable='lt(mod(t,1),0.1)'" \
  -f lavfi -i "sine=f=1000:r=48000:samples_per_frame=48:d=30,volume=eval=frame:volume='lt(mod(t,1),0.1)'" \
  -c:v libx264 -preset ultrafast -g 30 -pix_fmt yuv420p -c:a pcm_s16le "$work/clip.mkv" ||
  fail_with "ffmpeg could not make the clip"

agents_may_escalate
cat > "$work/experts.json" <<JSON
[{"id": "alice", "sipUri": "sip:alice@127.0.0.1:$alice_port", "skills": ["cameras"]}]
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
[[video.sources]]
name = "clip"
url = "$work/clip.mkv"
TOML
start_switchboard "$switchboard"
wait_listening tcp "$api_port" || fail_with "the API did not start"
base="http://127.0.0.1:$api_port"

# Alice's screen and speaker: ffmpeg notes each picture's brightness and the loudness of each
# 5 ms of sound, with the times it presents them at.
cat > "$work/alice.sdp" <<SDP
v=0
o=- 0 0 IN IP4 127.0.0.1
s=alice's phone
c=IN IP4 127.0.0.1
t=0 0
m=audio $speaker_port RTP/AVP 0
a=rtpmap:0 PCMU/8000
m=video $screen_port RTP/AVP 96
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1
SDP
timeout -s INT -k 5 40 ffmpeg -nostdin -nostats -hide_banner -loglevel info \
  -buffer_size 4194304 -protocol_whitelist file,udp,rtp -i "$work/alice.sdp" -t 16 \
  -filter_complex "[0:v]signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=$work/pictures.txt[v];[0:a]aresample=8000,asetnsamples=n=40,astats=metadata=1:reset=1,ametadata=print:key=lavfi.astats.Overall.RMS_level:file=$work/sound.txt[a]" \
  -map '[v]' -map '[a]' -f null - >"$work/alice.ffmpeg.log" 2>&1 &
alice_screen=$!
background_pids+=("$alice_screen")
wait_listening udp "$screen_port" || fail_with "ffmpeg did not listen"

timeout -k 3 50 sipp -sf "$here/scenarios/expert_av_uas.xml" -i 127.0.0.1 -p "$alice_port" \
  -key audio_port "$speaker_port" -key video_port "$screen_port" -m 1 -nostdin -timeout 45s \
  >"$work/alice.out" 2>&1 &
alice_pid=$!
background_pids+=("$alice_pid")
wait_listening udp "$alice_port" || fail_with "sipp did not start"

escalate_with_video clip
check "alice answered; the clip, with its sound, joined the room"

wait "$alice_screen" || true
curl -s -o /dev/null -X DELETE "${auth[@]}" "$base/v1/escalations/$id"
wait "$alice_pid" || fail_with "alice's call did not go as expected"

# Each flash's onset (a picture far brighter than the one before) and each beep's (the first
# 5 ms loud after quiet), in ffmpeg's presentation times; from 6 s on, when both streams have had
# our sender reports. Each flash is paired with the beep nearest it.
offsets=$(python3 - "$work/pictures.txt" "$work/sound.txt" <<'PY'
import re, sys
def series(path, key):
    out, t = [], None
    for line in open(path):
        m = re.search(r"pts_time:([-0-9.]+)", line)
        if m:
            t = float(m.group(1))
        elif line.startswith(key) and t is not None:
            v = line.split("=", 1)[1].strip()
            out.append((t, float("-inf") if "inf" in v else float(v)))
    return out
pictures = series(sys.argv[1], "lavfi.signalstats.YAVG")
sound = series(sys.argv[2], "lavfi.astats.Overall.RMS_level")
flashes = [t for (t, y), (_, before) in zip(pictures[1:], pictures) if y > 128 and before < 96]
beeps = [t for (t, db), (_, before) in zip(sound[1:], sound) if db > -35 and before <= -35]
start = min(pictures[0][0], sound[0][0]) + 6
pairs = []
for f in (f for f in flashes if f > start):
    near = min(beeps, key=lambda b: abs(b - f), default=None)
    if near is not None and abs(near - f) < 0.4:
        pairs.append(round((near - f) * 1000))
print(" ".join(map(str, pairs)))
PY
)
echo "beep after flash, ms: $offsets"
python3 -c "import sys; o=[int(x) for x in sys.argv[1:]]; sys.exit(0 if len(o) >= 5 and all(abs(x) <= 45 for x in o) else 1)" $offsets ||
  fail_with "alice's sound and pictures are out of sync (or too few flashes were seen): $offsets"
check "lip sync: each beep within ±45 ms of its flash (${offsets// /, } ms)"
