#!/usr/bin/env bash
# baresip, a real phone, answers a call placed through Switchboard: a sipp caller offering PCMU
# → Switchboard → baresip (auto-answer, playing a tone file, recording what it hears). The
# caller gets baresip's answer with PCMU through the B2BUA, holds the call briefly and hangs
# up; baresip logs the call answered with PCMU and its media running, and Switchboard is left
# with no call, dialog or transaction.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
baresip_pid=
cleanup() {
  stop_pid "$baresip_pid"
  stop_switchboard
}
on_exit cleanup

sip_port=$(free_port 61000)
bob_port=$(free_port 63000)
rtp_base=$(free_port 20000)
phone=$work/baresip
mkdir -p "$phone"
# One second of a 1 kHz tone, 8 kHz mono 16-bit: what the phone says.
python3 - "$phone/tone.wav" <<'PY'
import math, struct, sys, wave
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(8000)
    w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 1000 * i / 8000)))
                           for i in range(8000)))
PY
cat > "$phone/config" <<CONF
sip_listen 127.0.0.1:$bob_port
module_path /usr/lib/baresip/modules
module g711.so
module aufile.so
module sndfile.so
module_app account.so
audio_source aufile,$phone/tone.wav
snd_path $phone
rtp_ports $rtp_base-$((rtp_base + 20))
CONF
echo "<sip:bob@127.0.0.1:$bob_port>;regint=0;answermode=auto" > "$phone/accounts"
timeout -k 3 60 baresip -f "$phone" >"$work/baresip.log" 2>&1 &
baresip_pid=$!
wait_listening udp "$bob_port" || { cat "$work/baresip.log"; exit 1; }

write_config <<TOML
[[routes]]
target = "sip:\${user}@127.0.0.1:$bob_port"
TOML
start_switchboard "$switchboard"

caller call_basic_uac baresip-caller || fail_with "the call to baresip failed"
grep -A25 '^SIP/2.0 200 ' "$work/baresip-caller.msg" | grep -q 'a=rtpmap:0 PCMU/8000' ||
  fail_with "the 200 relayed from baresip has no PCMU answer"
check "baresip answered through Switchboard with a PCMU answer"
grep -q 'Call established' "$work/baresip.log" &&
  grep -q 'Set audio encoder: PCMU' "$work/baresip.log" ||
  fail_with "baresip did not log the call answered with PCMU"
check "baresip logged the call established with its PCMU encoder set"
expect_idle "the call to baresip"
check "no call, dialog or transaction left"
