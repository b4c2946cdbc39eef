# Helpers for tests with baresip phones that play a tone and record what they hear (its aufile
# and sndfile modules). The test sets $work (its scratch folder).

# tone FILE HZ RATE CHANNELS [SECONDS]: eight seconds (or SECONDS) of a sine at a quarter of full
# scale. (baresip's aufile hangs its call up when its file ends.)
tone() {
  python3 - "$@" <<'PY'
import math, struct, sys, wave
path, hz, rate, channels = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
seconds = int(sys.argv[5]) if len(sys.argv) > 5 else 8
with wave.open(path, "wb") as w:
    w.setnchannels(channels)
    w.setsampwidth(2)
    w.setframerate(rate)
    frames = (struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * i / rate))) * channels
              for i in range(seconds * rate))
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

# own_tone_db WAV OWN-HZ HZ HZ FROM TO: in dB, the tone OWN-HZ in the recording between FROM
# and TO seconds against the quieter of the two tones HZ (Goertzel): how far below what a
# conference's member hears its own voice comes back.
own_tone_db() {
  python3 - "$@" <<'PY'
import math, struct, sys, wave
path, own, a, b, start, end = sys.argv[1], *map(float, sys.argv[2:])
with wave.open(path) as w:
    rate, channels, frames = w.getframerate(), w.getnchannels(), w.readframes(w.getnframes())
x = struct.unpack("<%dh" % (len(frames) // 2), frames)[::channels][int(start * rate):int(end * rate)]
def power(f):
    coeff, s1, s2 = 2 * math.cos(2 * math.pi * f / rate), 0.0, 0.0
    for v in x:
        s1, s2 = v + coeff * s1 - s2, s1
    return 2 * (s1 * s1 + s2 * s2 - coeff * s1 * s2) / max(len(x), 1)
print(round(10 * math.log10(max(power(own), 1e-9) / max(min(power(a), power(b)), 1e-9)), 1))
PY
}

# hears_the_other NAME WAV HZ OWN: between 1.5 and 4.5 s of the recording WAV, HZ (the other
# party's tone) stands 20 dB above the rest, and OWN (NAME's own tone) 20 dB below HZ.
hears_the_other() {
  local db own_db
  db=$(tone_db "$2" "$3" 1.5 4.5 "$4")
  own_db=$(own_tone_db "$2" "$4" "$3" "$3" 1.5 4.5)
  echo "$1 hears $3 Hz at $db dB; its own $4 Hz is $own_db dB below it"
  python3 -c "import sys; sys.exit(0 if $db >= 20 and $own_db <= -20 else 1)" ||
    fail_with "$1 does not hear $3 Hz clearly, or hears itself"
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

# at PATTERN: when the server logged the first line matching PATTERN, in seconds.
at() {
  local line
  line=$(grep -m 1 "$1" "$work/server.log") || fail_with "no log line matches $1"
  date -d "${line%% *}" +%s.%N
}

# hears PHONE FROM-ABS TO-ABS HZ... : each tone HZ in the recording of phone number PHONE
# between two moments (absolute, in seconds) must stand 20 dB above the rest, the other tones
# aside. The test sets the arrays names (each phone's folder), tones (each phone's tone) and
# joined_at (when each phone's recording began).
hears() {
  local i=$1 from_abs=$2 to_abs=$3
  shift 3
  local recording from to hz db others
  recording=$(ls "$work/${names[$i]}"/dump-*-dec.wav | head -n 1)
  from=$(python3 -c "print(round($from_abs - ${joined_at[$i]}, 2))")
  to=$(python3 -c "print(round($to_abs - ${joined_at[$i]}, 2))")
  for hz in "$@"; do
    others=()
    for o in "${tones[@]}"; do [ "$o" != "$hz" ] && others+=("$o"); done
    db=$(tone_db "$recording" "$hz" "$from" "$to" "${others[@]}")
    echo "${names[$i]} hears $hz Hz at $db dB ($from-$to s into its recording)"
    python3 -c "import sys; sys.exit(0 if $db >= 20 else 1)" ||
      fail_with "${names[$i]} does not hear $hz Hz clearly between $from and $to s"
  done
}
