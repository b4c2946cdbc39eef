# Helpers for tests with baresip phones that play a tone and record what they hear (its aufile
# and sndfile modules). The test sets $work (its scratch folder).

# tone FILE HZ RATE CHANNELS: eight seconds of a sine at a quarter of full scale.
tone() {
  python3 - "$@" <<'PY'
import math, struct, sys, wave
path, hz, rate, channels = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with wave.open(path, "wb") as w:
    w.setnchannels(channels)
    w.setsampwidth(2)
    w.setframerate(rate)
    frames = (struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * i / rate))) * channels
              for i in range(8 * rate))
    w.writeframes(b"".join(frames))
PY
}

# tone_db WAV HZ FROM TO [OTHER-HZ...]: the ratio, in dB, of the tone HZ in the recording
# between FROM and TO seconds (Goertzel) to the rest of the signal, not counting the OTHER tones.
tone_db() {
  python3 - "$@" <<'PY'
import math, struct, sys, wave
path, hz, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
others = [float(f) for f in sys.argv[5:]]
with wave.open(path) as w:
    rate, channels, frames = w.getframerate(), w.getnchannels(), w.readframes(w.getnframes())
x = struct.unpack("<%dh" % (len(frames) // 2), frames)[::channels][int(start * rate):int(end * rate)]
if len(x) < rate:
    print(-999)
    sys.exit()
def power(f):
    coeff, s1, s2 = 2 * math.cos(2 * math.pi * f / rate), 0.0, 0.0
    for v in x:
        s1, s2 = v + coeff * s1 - s2, s1
    return 2 * (s1 * s1 + s2 * s2 - coeff * s1 * s2) / len(x)
total = sum(v * v for v in x)
tone = power(hz)
rest = total - tone - sum(power(f) for f in others)
print(round(10 * math.log10(max(tone, 1e-9) / max(rest, 1e-9)), 1))
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
