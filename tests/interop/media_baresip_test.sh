#!/usr/bin/env bash
# Media anchored through Switchboard between two real phones: baresip calls baresip through the
# B2BUA with [media] anchor on, each phone playing its own tone and recording what it hears
# (baresip's aufile and sndfile modules). Flows: PCMU ↔ Opus and G.722 ↔ PCMU (transcoded),
# PCMU ↔ PCMU (relayed untouched), and PCMU with SDES-keyed SRTP on both legs (the caller
# offers RTP/SAVP; Switchboard offers the callee RTP/AVP with crypto lines, which it takes). Each recording must hold the other phone's tone, with a tone
# to rest-of-signal ratio (Goertzel, over two seconds) of at least 20 dB, and not its own
# (below 0 dB). Why 20 dB: the flows measure 35-41 dB here, the right tone through a wrong or
# dead path measures below -50 dB, and 20 dB leaves room for the phones' jitter buffers while
# admitting nothing that is not clearly that tone. Afterwards no call, dialog, transaction,
# media session or RTP port is left. (Debian's baresip has no G.729 module, so G.729 is proven
# by the unit tests with bcg729 only.)
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
callee_pid=
cleanup() {
  stop_pid "$callee_pid"
  stop_switchboard
}
trap cleanup EXIT

sip_port=$(free_port 61000)
caller_port=$(free_port 62000)
callee_port=$(free_port 63000)
media_base=$(( $(free_port 50000) / 2 * 2 ))

# tone FILE HZ RATE CHANNELS: six seconds of a sine at a third of full scale.
tone() {
  python3 - "$@" <<'PY'
import math, struct, sys, wave
path, hz, rate, channels = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with wave.open(path, "wb") as w:
    w.setnchannels(channels)
    w.setsampwidth(2)
    w.setframerate(rate)
    frames = (struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * i / rate))) * channels
              for i in range(6 * rate))
    w.writeframes(b"".join(frames))
PY
}

# tone_db WAV HZ: the tone to rest-of-signal ratio of HZ in the recording, from 1 s to 3 s.
tone_db() {
  python3 - "$@" <<'PY'
import math, struct, sys, wave
path, hz = sys.argv[1], float(sys.argv[2])
with wave.open(path) as w:
    rate, channels, frames = w.getframerate(), w.getnchannels(), w.readframes(w.getnframes())
x = struct.unpack("<%dh" % (len(frames) // 2), frames)[::channels][rate:3 * rate]
if len(x) < rate:
    print(-999)
    sys.exit()
coeff, s1, s2, total = 2 * math.cos(2 * math.pi * hz / rate), 0.0, 0.0, 0.0
for v in x:
    s1, s2 = v + coeff * s1 - s2, s1
    total += v * v
tone = 2 * (s1 * s1 + s2 * s2 - coeff * s1 * s2) / len(x)
print(round(10 * math.log10(max(tone, 1e-9) / max(total - tone, 1e-9)), 1))
PY
}

# phone NAME PORT CODEC-MODULE WAV [MEDIAENC]: a baresip configuration folder; MEDIAENC is
# baresip's SRTP mode (srtp: best effort, srtp-mand: RTP/SAVP).
phone() {
  local dir=$work/$1
  mkdir -p "$dir"
  cat > "$dir/config" <<CONF
sip_listen 127.0.0.1:$2
module_path /usr/lib/baresip/modules
module $3
module srtp.so
module aufile.so
module sndfile.so
module_app account.so
module_app menu.so
audio_source aufile,$4
snd_path $dir
rtp_ports $(( $2 + 100 ))-$(( $2 + 120 ))
CONF
  echo "<sip:$1@127.0.0.1:$2>;regint=0;answermode=auto${5:+;mediaenc=$5}" > "$dir/accounts"
}

write_config <<TOML
[media]
anchor = true
srtp = "optional"
port_min = $media_base
port_max = $(( media_base + 99 ))
[[routes]]
target = "sip:\${user}@127.0.0.1:$callee_port"
TOML
start_switchboard "$switchboard"

# flow NAME CALLER-MODULE CALLER-RATE CALLER-CHANNELS CALLEE-MODULE CALLEE-RATE CALLEE-CHANNELS
#      STAGE [CALLER-MEDIAENC CALLEE-MEDIAENC]
flow() {
  local name=$1 stage=$8
  tone "$work/$name-caller.wav" 600 "$3" "$4"
  tone "$work/$name-callee.wav" 1400 "$6" "$7"
  phone "$name-caller" "$caller_port" "$2" "$work/$name-caller.wav" "${9:-}"
  phone "$name-callee" "$callee_port" "$5" "$work/$name-callee.wav" "${10:-}"
  timeout -k 3 30 baresip -f "$work/$name-callee" >"$work/$name-callee.log" 2>&1 &
  callee_pid=$!
  wait_listening udp "$callee_port" || fail_with "$name: the callee did not start"
  timeout -k 3 20 baresip -f "$work/$name-caller" -e "/dial sip:$name-callee@127.0.0.1:$sip_port" \
    -t 5 >"$work/$name-caller.log" 2>&1 || true
  stop_pid "$callee_pid"
  callee_pid=
  grep -q "Call established" "$work/$name-caller.log" || fail_with "$name: no call"
  grep -q "codec $stage:" "$work/server.log" || fail_with "$name: the codec stage was not $stage"
  local heard_by_caller heard_by_callee
  heard_by_caller=$(ls "$work/$name-caller"/dump-*-dec.wav)
  heard_by_callee=$(ls "$work/$name-callee"/dump-*-dec.wav)
  local a b own_a own_b
  a=$(tone_db "$heard_by_caller" 1400)
  b=$(tone_db "$heard_by_callee" 600)
  own_a=$(tone_db "$heard_by_caller" 600)
  own_b=$(tone_db "$heard_by_callee" 1400)
  echo "$name: the caller hears the callee's 1400 Hz at $a dB (its own 600 Hz: $own_a dB);" \
    "the callee hears 600 Hz at $b dB (its own: $own_b dB)"
  python3 -c "import sys; sys.exit(0 if $a >= 20 and $b >= 20 and $own_a < 0 and $own_b < 0 else 1)" ||
    fail_with "$name: a phone did not hear the other's tone clearly"
  expect_idle "$name"
  grep 'stats:' "$work/server.log" | tail -n 1 | grep -q ' media_sessions=0 rtp_ports=0 ' ||
    fail_with "$name: media sessions or RTP ports left"
  check "$name: each phone hears the other's tone ($stage)"
}

flow pcmu-opus g711.so 8000 1 opus.so 48000 2 fallback
flow g722-pcmu g722.so 16000 1 g711.so 8000 1 transcode
flow pcmu-pcmu g711.so 8000 1 g711.so 8000 1 direct
flow srtp g711.so 8000 1 g711.so 8000 1 direct srtp-mand srtp
for leg in caller callee; do
  grep -q "SRTP AES_CM_128_HMAC_SHA1_80 towards the $leg" "$work/server.log" ||
    fail_with "srtp: no SRTP towards the $leg"
done
check "srtp: SDES-keyed SRTP on both legs (RTP/SAVP from the caller, best effort to the callee)"
