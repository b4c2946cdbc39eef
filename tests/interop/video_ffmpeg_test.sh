#!/usr/bin/env bash
# Our video as ffmpeg receives it (issue 18): `switchboard video send` encodes the test pattern
# with libx264 and with libx265 at each preset (480p, 720p, 1080p) and sends it as RTP (RFC
# 6184 / RFC 7798); ffmpeg receives it through the SDP file we write, decodes every frame, and
# its showinfo filter reads our frame metadata SEI back from each: the trace id, the expert id
# and capture times that go forward (video_showinfo.py). No frame may be missing, damaged or
# concealed, and the sender's RTCP BYE must end ffmpeg's input. (ffmpeg's socket gets a 4 MiB
# receive buffer: on a busy machine its default, whose 64 KiB hold about 30 packets, overflows
# while ffmpeg waits for a core.)
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
on_exit stop_all

trace=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
frames=24

# stream NAME CODEC PRESET WIDTHxHEIGHT [SEND OPTIONS…]: one stream sent and checked.
stream() {
  local name=$1 codec=$2 preset=$3 size=$4 port sender receiver sent
  shift 4
  port=$(( $(free_port 40000) / 2 * 2 ))
  "$switchboard" video send --codec "$codec" --preset "$preset" --to "127.0.0.1:$port" \
    --sdp "$work/$name.sdp" --delay 2 --trace "$trace" --expert alice "$@" \
    >"$work/$name.send.out" 2>&1 &
  sender=$!
  background_pids+=("$sender")
  wait_for_text "$work/$name.sdp" "^m=video $port RTP/AVP 96" 20 ||
    fail_with "$name: no SDP from the sender"
  timeout -s INT -k 5 60 ffmpeg -nostdin -nostats -hide_banner -loglevel info \
    -analyzeduration 300000 -buffer_size 4194304 -protocol_whitelist file,udp,rtp \
    -i "$work/$name.sdp" \
    -vf showinfo -f null - \
    >"$work/$name.ffmpeg.log" 2>&1 &
  receiver=$!
  background_pids+=("$receiver")
  # The sender waits two seconds after writing the SDP: ffmpeg must be listening by then, or
  # the first key frame is lost.
  wait_listening udp "$port" 2 || fail_with "$name: ffmpeg was not listening within the sender's delay"
  wait "$sender" || fail_with "$name: the sender failed"
  sent=$(sed -n 's/^sent \([0-9]*\) frames.*/\1/p' "$work/$name.send.out")
  [ "${sent:-0}" -gt 0 ] || fail_with "$name: the sender sent nothing"
  # The sender's RTCP BYE (RFC 3550 §6.6) ends ffmpeg's input: it decodes the last frame, ends.
  wait "$receiver" || fail_with "$name: ffmpeg did not end on the sender's BYE"
  if grep -iE "concealing|error while decoding|missed [0-9]+ packets|corrupt" \
    "$work/$name.ffmpeg.log" >&2; then
    fail_with "$name: ffmpeg found damage"
  fi
  python3 "$here/video_showinfo.py" "$work/$name.ffmpeg.log" "$sent" "$size" "$trace" alice >&2 ||
    fail_with "$name: the frames ffmpeg decoded are not what we sent"
  check "$name: ffmpeg decoded all $sent frames of $size, each with our trace id, expert and capture time"
}

for codec in h264 h265; do
  stream "$codec-480p" "$codec" 480p 854x480 --frames "$frames"
  stream "$codec-720p" "$codec" 720p 1280x720 --frames "$frames"
  stream "$codec-1080p" "$codec" 1080p 1920x1080 --frames "$frames"
done
grep -qE "^a=fmtp:96 packetization-mode=1;profile-level-id=[0-9a-f]{6}" "$work/h264-480p.sdp" ||
  fail_with "the H.264 SDP has no profile-level-id"
check "the H.264 SDP names packetization-mode 1 and the stream's profile-level-id"

# An FFmpeg input: a file of another size and rate, scaled to the preset, sent to its end.
ffmpeg -nostdin -hide_banner -loglevel error -f lavfi -i testsrc=size=640x360:rate=25 -t 1 \
  -c:v libx264 -pix_fmt yuv420p "$work/clip.mp4"
stream file-h264 h264 480p 854x480 --source "$work/clip.mp4"
grep -q "^sent 25 frames" "$work/file-h264.send.out" || fail_with "the file's 25 frames were not all sent"
check "a file's 25 frames, all sent, decoded at the preset's size"

# Files that change mid-way, each sent to its end (two seconds, 50 frames): one whose sound
# goes from 5.1 to stereo (the resampler made again, not reading planes the new frames lack),
# one whose timestamps jump an hour ahead after a second (its clock starts again, rather than
# the sender sleeping until the jump's time).
part() { # NAME [FFMPEG OPTIONS…]: one second of pictures (and the options' sound) as MPEG-TS
  local name=$1
  shift
  ffmpeg -nostdin -hide_banner -loglevel error -f lavfi -i testsrc=size=320x240:rate=25 "$@" \
    -t 1 -c:v libx264 -pix_fmt yuv420p "$work/$name.ts"
}
part surround -f lavfi -i sine=frequency=440:sample_rate=48000 -c:a aac -ac 6
part stereo -f lavfi -i sine=frequency=440:sample_rate=48000 -c:a aac -ac 2
part early
part late -output_ts_offset 3600
cat "$work/surround.ts" "$work/stereo.ts" >"$work/sound-change.ts"
cat "$work/early.ts" "$work/late.ts" >"$work/jump.ts"
for name in sound-change jump; do
  status=0
  timeout -k 3 20 "$switchboard" video send --source "$work/$name.ts" --to 127.0.0.1:9 \
    >"$work/$name.out" 2>&1 || status=$?
  [ "$status" -eq 0 ] && grep -q "^sent 50 frames" "$work/$name.out" ||
    fail_with "$name: status $status, $(grep -v x264 "$work/$name.out" | tail -n 2)"
done
check "a file whose sound goes from 5.1 to stereo, and one whose timestamps jump an hour: each sent to its end"

# An SRT input (libavformat's libsrt): ffmpeg listens and sends MPEG-TS once we call.
srt_port=$(free_port 46000)
timeout -k 3 60 ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi \
  -i testsrc=size=640x360:rate=25 -t 20 -c:v libx264 -tune zerolatency -pix_fmt yuv420p \
  -f mpegts "srt://127.0.0.1:$srt_port?mode=listener" >"$work/srt.out" 2>&1 &
background_pids+=($!)
wait_listening udp "$srt_port" || fail_with "ffmpeg's SRT listener did not start"
stream srt-h264 h264 480p 854x480 --source "srt://127.0.0.1:$srt_port?mode=caller" --frames "$frames"
check "an SRT input from ffmpeg, decoded at the preset's size"

# An RTSP camera (libavformat's RTSP client): the exchange scripted, the RTP ffmpeg's.
rtsp_port=$(free_port 47000)
timeout -k 3 60 python3 "$here/rtsp_camera.py" "$rtsp_port" 30 >"$work/rtsp.out" 2>&1 &
background_pids+=($!)
wait_for_text "$work/rtsp.out" "^LISTENING" 10 || fail_with "the RTSP camera did not start"
stream rtsp-h264 h264 480p 854x480 --source "rtsp://127.0.0.1:$rtsp_port/camera" --frames "$frames"
for method in DESCRIBE SETUP PLAY; do
  grep -qx "$method" "$work/rtsp.out" || fail_with "no RTSP $method: $(cat "$work/rtsp.out")"
done
check "an RTSP camera (DESCRIBE, SETUP, PLAY; RTP interleaved over TCP, as we ask), decoded at the preset's size"

# RTP described by an SDP file (ffmpeg's): the input reads the ports the file names.
rtp_port=$(( $(free_port 48000) / 2 * 2 ))
timeout -k 3 60 ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi \
  -i testsrc=size=640x360:rate=25 -t 20 -c:v libx264 -tune zerolatency -pix_fmt yuv420p -g 25 \
  -bsf:v dump_extra -f rtp -payload_type 96 -sdp_file "$work/camera.sdp" \
  "rtp://127.0.0.1:$rtp_port" >"$work/rtp-camera.out" 2>&1 &
background_pids+=($!)
wait_for_text "$work/camera.sdp" "^m=video $rtp_port" 10 || fail_with "ffmpeg wrote no SDP"
stream rtp-h264 h264 480p 854x480 --source "$work/camera.sdp" --frames "$frames"
check "RTP from ffmpeg, read through its SDP file, decoded at the preset's size"

# An NDI source, through a stand-in for the NDI runtime (tests/support/fake_ndi_runtime.cpp):
# it proves our loading and conversion only, not NDI's runtime, which is not installed here.
NDI_RUNTIME_DIR_V6="$(dirname "$switchboard")/tests/ndi-runtime-0" \
  stream ndi-h264 h264 480p 854x480 --source "ndi:TESTHOST (Belt Camera)" --frames "$frames"
check "an NDI source through the stand-in runtime, decoded at the preset's size"
status=0
NDI_RUNTIME_DIR_V6=/nonexistent "$switchboard" video send --source "ndi:TESTHOST (Belt Camera)" \
  --to 127.0.0.1:9 >"$work/no-ndi.out" 2>&1 || status=$?
[ "$status" -eq 3 ] && grep -q "no NDI runtime: install" "$work/no-ndi.out" ||
  fail_with "without an NDI runtime: status $status, $(cat "$work/no-ndi.out")"
check "without an NDI runtime: exit 3, saying what to install"

# An input that is not a video is refused, by name, before anything is sent.
ffmpeg -nostdin -hide_banner -loglevel error -f lavfi -i sine=frequency=1000 -t 1 "$work/tone.wav"
status=0
"$switchboard" video send --source "$work/tone.wav" --to 127.0.0.1:9 >"$work/tone.out" 2>&1 ||
  status=$?
[ "$status" -eq 3 ] && grep -q "tone.wav has no video stream" "$work/tone.out" ||
  fail_with "an audio file as a video source: status $status"
check "an audio file as the source: exit 3, \"has no video stream\""

# A VAAPI encoder on a machine without its device (this one has no GPU) is refused, naming it.
status=0
"$switchboard" video send --encoder h264_vaapi --device "$work/renderD128" --to 127.0.0.1:9 \
  >"$work/vaapi.out" 2>&1 || status=$?
[ "$status" -eq 3 ] && grep -q "VAAPI: no device at $work/renderD128" "$work/vaapi.out" ||
  fail_with "h264_vaapi without a device: status $status, $(cat "$work/vaapi.out")"
check "h264_vaapi without its device: exit 3, naming the device"
