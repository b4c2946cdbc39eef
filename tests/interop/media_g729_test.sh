#!/usr/bin/env bash
# G.729 ↔ Opus through Switchboard with independent ends. Debian's baresip has no G.729
# module, so the G.729 side is a sipp callee that answers G.729 alone:
# 1. A baresip phone calls with Opus, playing a 1000 Hz tone. Switchboard transcodes it to
#    G.729 (bcg729) for the callee, whose media port is a recorder; ffmpeg's own G.729 decoder
#    (not bcg729) decodes the recording, which must hold the tone (Goertzel, at least 20 dB
#    over the rest of the signal, as in media_baresip_test.sh).
# 2. The same G.729 stream, made a pcap, is played by the callee in a second call; Switchboard
#    transcodes it to Opus, and the baresip phone's recording must hold the tone.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
. "$here/baresip_lib.sh"
on_exit stop_all

sip_port=$(free_port 44000)
bob_port=$(free_port 46000)
phone_port=$(free_port 48000)
recorder=$(( $(free_port 57000) / 2 * 2 ))
anchor_to "$bob_port"
tone "$work/tone.wav" 1000 48000 2

# call NAME SCENARIO CALLS-SO-FAR: the baresip phone (Opus) calls the sipp callee running SCENARIO.
call() {
  phone "$1" "$phone_port" opus.so "$work/tone.wav"
  timeout -k 3 30 sipp -sf "$2" -i 127.0.0.1 -p "$bob_port" -key recorder_port "$recorder" \
    -mp "$(( $(free_port 58000) / 2 * 2 ))" -m 1 -nostdin -timeout 20s \
    >"$work/$1-uas.out" 2>&1 &
  local uas_pid=$!
  background_pids+=("$uas_pid")
  wait_listening udp "$bob_port" || fail_with "$1: the callee did not start"
  timeout -k 3 20 baresip -f "$work/$1" -e "/dial sip:bob@127.0.0.1:$sip_port" -t 6 \
    >"$work/$1.log" 2>&1 || true
  wait "$uas_pid" || fail_with "$1: the callee failed"
  grep -q "Call established" "$work/$1.log" || fail_with "$1: no call"
  [ "$(grep -c "(opus ↔ G729)\|(G729 ↔ opus)" "$work/server.log")" -eq "$3" ] ||
    fail_with "$1: not transcoded between Opus and G.729"
}

# The recorder: the G.729 packets that reach the callee's media port, as raw frames for ffmpeg
# and as a pcap (Ethernet, IPv4, UDP, 20 ms apart) for sipp to play back.
python3 - "$recorder" "$work" <<'PY' &
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(0.5)
deadline, packets = time.time() + 12, []
while time.time() < deadline and len(packets) < 250:
    try:
        p = s.recv(2048)
    except socket.timeout:
        if packets:
            break
        continue
    if len(p) > 12 and p[1] & 0x7f == 18:
        packets.append(p)
with open(sys.argv[2] + "/recorded.g729", "wb") as f:
    for p in packets:
        f.write(p[12:])
with open(sys.argv[2] + "/g729.pcap", "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, rtp in enumerate(packets):
        udp = struct.pack(">HHHH", 4000, 4002, 8 + len(rtp), 0) + rtp
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                         bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1])) + udp
        frame = b"\0" * 12 + b"\x08\x00" + ip
        t = 1 + i * 0.02
        f.write(struct.pack("<IIII", int(t), int(t % 1 * 1e6), len(frame), len(frame)) + frame)
print(len(packets))
PY
recorder_pid=$!
background_pids+=("$recorder_pid")
# The call starts once the recorder listens: a slow interpreter start must not lose packets.
wait_listening udp "$recorder" || fail_with "the recorder did not start"
call to-g729 "$here/scenarios/g729_uas.xml" 1
wait "$recorder_pid" || true
ffmpeg -hide_banner -loglevel error -f g729 -i "$work/recorded.g729" -ar 8000 -ac 1 \
  "$work/recorded.wav" || fail_with "ffmpeg could not decode the G.729 stream"
db=$(tone_db "$work/recorded.wav" 1000 1 3)
echo "Opus → G.729: ffmpeg's decoding of what the callee received holds 1000 Hz at $db dB"
python3 -c "import sys; sys.exit(0 if $db >= 20 else 1)" || fail_with "no tone in the G.729 stream"
check "Opus → G.729: the tone survives, by ffmpeg's G.729 decoder"

# Back: the callee plays that G.729 stream to the phone.
sed "s|<!-- play -->|<nop><action><exec play_pcap_audio=\"$work/g729.pcap\"/></action></nop>|" \
  "$here/scenarios/g729_uas.xml" >"$work/g729_play_uas.xml"
call from-g729 "$work/g729_play_uas.xml" 2
heard=$(ls "$work/from-g729"/dump-*-dec.wav)
db=$(tone_db "$heard" 1000 1 3)
echo "G.729 → Opus: the phone hears 1000 Hz at $db dB"
python3 -c "import sys; sys.exit(0 if $db >= 20 else 1)" || fail_with "no tone from the G.729 side"
check "G.729 → Opus: the phone hears the tone"
expect_idle "the G.729 calls"
