#!/usr/bin/env bash
# Loss lowers the video's bitrate (issue 18), reported by a real receiver: a baresip expert
# (its avcodec module decoding H.264) takes an escalation's video (ffmpeg's testsrc2, busy
# enough to fill the preset's 1000 kb/s), and its RTCP receiver
# reports (RFC 3550 §6.4.2, every five seconds from its RTP stack) reach the room, whose video
# relay passes their loss on to the source's sender. For six seconds nothing is lost, and the
# bitrate stays; then a fifth of the video's packets to baresip are dropped, and each report
# that says so takes a fifth off the bitrate, as baresip's own count of what it receives shows. In a network namespace of the test's own (this
# kernel has no netem qdisc: an nftables rule drops the packets, as in sip_b2bua_loss).
set -euo pipefail
if [ -z "${SB_LOSS_NAMESPACE:-}" ]; then
  exec env SB_LOSS_NAMESPACE=1 unshare --net --fork bash "$0" "$@"
fi
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
. "$here/baresip_lib.sh"
. "$here/video_lib.sh"
on_exit stop_all
agent=/usr/bin/python3
ip link set lo up
# baresip binds nothing without an address beside loopback's: a veth pair (this kernel has no
# dummy interfaces) gives it one.
ip link add sbloss0 type veth peer name sbloss1
ip addr add 192.0.2.1/24 dev sbloss0
ip link set sbloss0 up

# The namespace is the test's own: fixed ports.
sip_port=5060
api_port=8080
expert_port=5070
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=s=854x480:r=30:d=40" \
  -c:v libx264 -preset ultrafast -crf 20 -g 30 "$work/clip.mkv" || fail_with "ffmpeg could not make the clip"
agents_may_escalate
cat > "$work/experts.json" <<JSON
[{"id": "bob", "sipUri": "sip:bob@127.0.0.1:$expert_port", "skills": ["cameras"]}]
JSON
write_config <<TOML
[media]
port_min = 20000
port_max = 20099
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

tone "$work/tone.wav" 440 8000 1 60
phone bob "$expert_port" g711.so "$work/tone.wav"
cat >> "$work/bob/config" <<CONF
module avcodec.so
module fakevideo.so
video_display fakevideo,nil
video_source fakevideo,nil
CONF
(cd "$work/bob" && exec timeout -k 3 80 baresip -f "$work/bob" >"$work/bob.out" 2>&1) &
background_pids+=($!)
wait_listening udp "$expert_port" || fail_with "baresip did not start"

escalate_with_video clip
check "bob answered; the clip's video (480p, 1000 kb/s) joined his call"

changes() { grep -c "video leg .*: its receivers lose" "$work/server.log" || true; }
# baresip's status line: "[h:mm:ss] audio=tx/rx video=tx/rx (bit/s)", a figure each second.
# Its video may take a few seconds to start (the re-INVITE, its decoder's first key frame):
# the window without loss starts once it receives some.
video_rx() { grep -o 'video=[0-9]*/[0-9]*' "$work/bob.out" 2>/dev/null | tail -n 1 | cut -d/ -f2; }
for _ in $(seq 150); do [ "$(video_rx)" -gt 0 ] 2>/dev/null && break; sleep 0.1; done
[ "$(video_rx)" -gt 0 ] 2>/dev/null || fail_with "bob's baresip receives no video: $(tail -c 300 "$work/bob.out")"
sleep 6 # at least one receiver report with nothing lost
[ "$(changes)" = 0 ] || fail_with "the bitrate changed with nothing lost: $(grep 'receivers lose' "$work/server.log")"
check "six seconds without loss: the bitrate stays"

lossless=$(stat -c %s "$work/bob.out") # baresip's figures so far: without loss
# A fifth of what comes to baresip's RTP ports in packets too big to be its audio (PCMU: 172
# bytes), dropped on the way in: the sender's sendto() still succeeds, as on a lossy network.
nft add table inet loss
nft 'add chain inet loss in { type filter hook input priority 0; }'
nft add rule inet loss in udp dport $((expert_port + 100))-$((expert_port + 120)) \
  meta length gt 400 numgen random mod 5 0 counter drop
deadline=$((SECONDS + 30))
until [ "$(changes)" -ge 3 ]; do
  [ $SECONDS -lt $deadline ] || fail_with "the bitrate did not fall thrice in 30 s of loss: $(grep 'receivers lose' "$work/server.log" || true)"
  sleep 0.2
done
dropped=$(nft list chain inet loss in | grep -o 'packets [0-9]*' | awk '{print $2}')
grep "receivers lose" "$work/server.log" | sed 's/.*video leg/video leg/'
$agent - "$work/server.log" <<'PY' || fail_with "the bitrate did not fall as the loss asks"
import re, sys
steps = [(int(lost), int(kbps)) for lost, kbps in
         re.findall(r"its receivers lose (\d+)%: now (\d+) kb/s", open(sys.argv[1]).read())]
# Each report of about a fifth lost (baresip counts what it missed) takes a fifth off.
expected = 1000
for lost, kbps in steps:
    expected = expected * 4 // 5
    if not 10 <= lost <= 35 or kbps != expected:
        sys.exit(f"{lost}% lost gave {kbps} kb/s, not {expected}")
PY
check "$dropped video packets dropped: each of bob's reports of it took a fifth off the bitrate"
sleep 3 # what bob receives at the lower bitrate
$agent - "$work/bob.out" "$lossless" <<'PY' || fail_with "bob's baresip does not receive less"
import re, sys
text = open(sys.argv[1], "rb").read().decode(errors="replace")
rx = lambda part: [int(v) for v in re.findall(r"video=\d+/(\d+)", part)]
before, after = max(rx(text[:int(sys.argv[2])])), rx(text)[-1]
print(f"bob receives {before // 1000} kb/s of video before the loss, {after // 1000} kb/s at the end")
# At 512 kb/s, a fifth lost, he gets about half of what he did; without the change, 0.8 of it.
sys.exit(0 if before > 500_000 and after < 0.65 * before else 1)
PY
curl -s -o /dev/null -X DELETE "${auth[@]}" "$base/v1/escalations/$id"
